//! The separation-detection methods by name (a leaf module: the design records which method
//! dropped an observation, `separation.rs` runs them).

use std::fmt;

/// One separation-detection method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SeparationMethod {
    /// All-zero fixed-effect groups.
    Fe,
    /// Linear programming on the regressors.
    Simplex,
    /// Iterated rectifier (ReLU) regression with the fixed effects.
    Relu,
    /// Fitted means that vanish during IRLS.
    Mu,
}

impl SeparationMethod {
    /// All methods, in the order they run.
    pub const ALL: [SeparationMethod; 4] = [
        SeparationMethod::Fe,
        SeparationMethod::Simplex,
        SeparationMethod::Relu,
        SeparationMethod::Mu,
    ];

    /// The method's name as written in `--separation` (`fe`, `simplex`, `relu`, `mu`).
    pub fn name(self) -> &'static str {
        match self {
            SeparationMethod::Fe => "fe",
            SeparationMethod::Simplex => "simplex",
            SeparationMethod::Relu => "relu",
            SeparationMethod::Mu => "mu",
        }
    }

    pub(crate) fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for SeparationMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
