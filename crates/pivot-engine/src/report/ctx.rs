//! What every section shares: the focal state and partners, the typed call that runs a measure
//! (a failure becomes a note in the section that asked, with its reason, and a line under
//! "Limits"), and the source line of a figure or table, built from exactly the answers it
//! draws.

use std::collections::BTreeSet;

use pivot_measures::{Measure, Years};
use pivot_report::{Block, Chart, ChartKind, Point, Series, XValue};
use pivot_vocab::Provenance;

use crate::{Answer, Engine};

/// Why a measure is not shown: the note its section shows in its place.
pub(super) struct NotShown(String);

impl From<NotShown> for Block {
    fn from(n: NotShown) -> Block {
        Block::Paragraph(format!("Not shown: {}.", n.0))
    }
}

/// The report's state while its sections are built.
pub(super) struct Ctx<'a> {
    pub e: &'a Engine,
    /// Focal state (ISO3) and its name.
    pub focal: String,
    pub fname: String,
    /// Partners (ISO3); the first is highlighted.
    pub partners: Vec<String>,
    pub highlight: String,
    /// Years asked for, if any (each measure's default otherwise).
    pub years: Option<Years>,
    /// Datasets behind every figure and table shown (for the citations).
    pub used: BTreeSet<String>,
    /// What could not be shown, with the reason (for "Limits").
    pub missing: Vec<String>,
}

/// A country's name (its code where the list lacks it).
pub(super) fn name(code: &str) -> String {
    pivot_vocab::Countries::bundled()
        .by_iso3(code)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| code.to_string())
}

impl Ctx<'_> {
    /// Parameters of a measure for `focal` and `partners` (none: the measure's default),
    /// with the years asked for, every other parameter at its default (then set through the
    /// type's fields).
    pub fn params<M: Measure>(
        &self,
        focal: &str,
        partners: &[String],
    ) -> Result<M::Params, String> {
        let mut raw = serde_json::Map::new();
        raw.insert("focal".into(), focal.into());
        if !partners.is_empty() {
            raw.insert("partners".into(), partners.join(",").into());
        }
        if let Some(y) = self.years {
            raw.insert("years".into(), y.0.to_string().into());
        }
        pivot_measures::params::parse::<M::Params>(&raw).map_err(|mut e| {
            e.measure = M::NAME.to_string();
            e.to_string()
        })
    }

    /// Run a measure through the engine's typed call. `label` names it in a note (the measure
    /// and the parameters that set this run apart), `who` the states it is about. An error, or
    /// an answer without rows, is returned as the note the section shows in its place, and
    /// listed under "Limits".
    pub fn run<M: Measure>(
        &mut self,
        label: &str,
        who: &str,
        params: Result<M::Params, String>,
    ) -> Result<Answer<M::Row>, NotShown> {
        let why = match params.and_then(|p| self.e.run::<M>(&p).map_err(|e| e.to_string())) {
            Ok(a) if !a.rows.is_empty() => return Ok(a),
            Ok(_) => format!("{label}: no rows for {who}"),
            Err(e) => format!("{label}: {e}"),
        };
        self.missing.push(why.clone());
        Err(NotShown(why))
    }

    /// The source line of a figure or table: the title and version, from the store's manifest,
    /// of every dataset in the provenance of the answers it draws — and of no other.
    pub fn source(&mut self, answers: &[&Provenance]) -> String {
        let m = self.e.manifest();
        let ids: BTreeSet<&str> = answers
            .iter()
            .flat_map(|p| p.datasets.iter().map(|d| d.id.as_str()))
            .filter(|id| *id != "reference")
            .collect();
        self.used.extend(ids.iter().map(|s| s.to_string()));
        let parts: Vec<String> = ids
            .iter()
            .filter_map(|id| m.datasets.get(*id))
            .map(|d| format!("{}, {}", d.title, d.version))
            .collect();
        format!(
            "Source{}: {}",
            if parts.len() > 1 { "s" } else { "" },
            parts.join("; ")
        )
    }
}

/// Points with a missing (NaN) point in every year between the first and the last that has
/// none, so a line chart breaks at a gap in the data instead of drawing across it.
pub(super) fn with_gaps(mut points: Vec<Point>) -> Vec<Point> {
    let years: BTreeSet<i64> = points
        .iter()
        .filter_map(|p| match p.x {
            XValue::Num(x) => Some(x as i64),
            _ => None,
        })
        .collect();
    if let (Some(&a), Some(&b)) = (years.first(), years.last()) {
        for y in a..=b {
            if !years.contains(&y) {
                points.push(Point::num(y as f64, f64::NAN));
            }
        }
    }
    points.sort_by(|p, q| match (&p.x, &q.x) {
        (XValue::Num(a), XValue::Num(b)) => a.total_cmp(b),
        _ => std::cmp::Ordering::Equal,
    });
    points
}

/// A line chart over years.
pub(super) fn line_chart(
    id: &str,
    title: String,
    y_label: &str,
    unit: &str,
    series: Vec<Series>,
    source: String,
    method: &str,
) -> Chart {
    Chart {
        id: id.into(),
        title,
        kind: ChartKind::Line,
        x_label: "Year".into(),
        y_label: y_label.into(),
        y_unit: unit.into(),
        series,
        annotations: vec![],
        y_range: None,
        source,
        method: method.into(),
    }
}
