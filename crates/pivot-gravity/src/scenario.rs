//! Scenarios (placeholder).
/// Spec.
pub struct ScenarioSpec;
/// Result.
pub struct ScenarioResult;
/// Run.
pub fn run_scenario() {}
