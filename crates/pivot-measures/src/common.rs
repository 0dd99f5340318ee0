//! Small shared vocabulary of the measures: year ranges, partner selections, indicator
//! rows, validation and ranking helpers.

use serde::Serialize;

use crate::error::{MeasureError, Result};

/// An inclusive range of years, `start..=end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct YearRange {
    /// First year (inclusive).
    pub start: i32,
    /// Last year (inclusive).
    pub end: i32,
}

impl YearRange {
    /// A checked range: `start <= end`.
    pub fn new(start: i32, end: i32) -> Result<Self> {
        if start > end {
            return Err(MeasureError::InvalidParameter {
                name: "period",
                value: format!("{start}-{end}"),
                reason: "the start year must not be after the end year",
            });
        }
        Ok(Self { start, end })
    }

    /// Whether `year` lies in the range.
    pub fn contains(&self, year: i32) -> bool {
        self.start <= year && year <= self.end
    }

    pub(crate) fn check(&self) -> Result<()> {
        Self::new(self.start, self.end).map(|_| ())
    }
}

/// Which partners of a focal state a measure reports on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PartnerSelection {
    /// Every partner that appears in the input rows.
    #[default]
    All,
    /// Only these ISO3 codes (in this order of preference; output is sorted by code).
    Only(Vec<String>),
}

impl PartnerSelection {
    /// Whether `code` is selected.
    pub fn includes(&self, code: &str) -> bool {
        match self {
            Self::All => true,
            Self::Only(list) => list.iter().any(|c| c == code),
        }
    }
}

/// One value of a country-year indicator (GDP in current USD, CINC, military expenditure …).
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorValue {
    /// ISO3 code.
    pub country: String,
    /// Year.
    pub year: i32,
    /// Value, ≥ 0, in the indicator's own unit.
    pub value: f64,
}

/// Check that a value is finite and ≥ 0.
pub(crate) fn check_nonneg(
    what: &'static str,
    value: f64,
    context: impl FnOnce() -> String,
) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(MeasureError::InvalidValue {
            what,
            value,
            context: context(),
        })
    }
}

/// Check that a code (ISO3, name) is not empty.
pub(crate) fn check_code(
    field: &'static str,
    code: &str,
    context: impl FnOnce() -> String,
) -> Result<()> {
    if code.trim().is_empty() {
        Err(MeasureError::InvalidField {
            field,
            value: code.to_string(),
            context: context(),
            reason: "a country code must not be empty",
        })
    } else {
        Ok(())
    }
}

/// Check that a focal-state parameter is not empty.
pub(crate) fn check_focal(name: &'static str, code: &str) -> Result<()> {
    if code.trim().is_empty() {
        Err(MeasureError::InvalidParameter {
            name,
            value: format!("'{code}'"),
            reason: "a country code must not be empty",
        })
    } else {
        Ok(())
    }
}

/// Sort `(key, value)` pairs by value descending, then key ascending, and give each its
/// competition rank ("1224": ties share the best rank, the next rank skips).
pub(crate) fn competition_ranks<K: Ord + Clone>(items: Vec<(K, f64)>) -> Vec<(K, f64, u32)> {
    let mut items = items;
    items.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut out = Vec::with_capacity(items.len());
    let mut prev: Option<f64> = None;
    let mut rank = 0u32;
    for (i, (k, v)) in items.into_iter().enumerate() {
        if prev != Some(v) {
            rank = u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1);
            prev = Some(v);
        }
        out.push((k, v, rank));
    }
    out
}

#[cfg(test)]
pub(crate) fn assert_close(actual: f64, expected: f64) {
    // Hand-computed values are compared to 1e-12 absolute (all are of order 1 or smaller,
    // or scaled explicitly by the test).
    assert!(
        (actual - expected).abs() <= 1e-12 * expected.abs().max(1.0),
        "expected {expected}, got {actual}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn competition_ranking_shares_ties() {
        let r = competition_ranks(vec![("b", 5.0), ("a", 5.0), ("c", 9.0), ("d", 1.0)]);
        let got: Vec<_> = r.iter().map(|(k, _, r)| (*k, *r)).collect();
        assert_eq!(got, vec![("c", 1), ("a", 2), ("b", 2), ("d", 4)]);
    }

    #[test]
    fn year_range_rejects_reversed() {
        assert!(YearRange::new(2010, 2000).is_err());
        let r = YearRange::new(2000, 2004).unwrap();
        assert!(r.contains(2000) && r.contains(2004) && !r.contains(2005));
    }

    #[test]
    fn nonneg_names_the_value() {
        let e = check_nonneg("trade value", -3.0, || "2014 RUS->CHN".into()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "trade value must be a finite number >= 0, got -3 (2014 RUS->CHN)"
        );
        assert!(check_nonneg("x", f64::NAN, String::new).is_err());
        assert!(check_nonneg("x", 0.0, String::new).is_ok());
    }
}
