//! Inclusive year ranges as users write them: `2014`, `1992-2014`, `1992..2014`, `1992:2014`,
//! `2000-` (open end) or `-1991` (open start).

use std::fmt;
use std::str::FromStr;

/// An inclusive range of years; `None` ends are open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct YearRange {
    /// First year included, or open.
    pub from: Option<i32>,
    /// Last year included, or open.
    pub to: Option<i32>,
}

/// A year range that could not be parsed: the input (shortened past 40 characters) and why.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("'{0}' is not a year range{1} (write 2014, 1992-2014, 2000- or -1991)")]
pub struct YearRangeError(pub String, pub String);

/// Years pivot accepts (no source it reads has a year outside them).
pub const YEARS: std::ops::RangeInclusive<i32> = 1000..=2999;

impl YearRange {
    /// All years.
    pub const ALL: YearRange = YearRange {
        from: None,
        to: None,
    };

    /// A closed range.
    pub fn new(from: i32, to: i32) -> YearRange {
        YearRange {
            from: Some(from),
            to: Some(to),
        }
    }

    /// Whether `year` lies in the range.
    pub fn contains(&self, year: i32) -> bool {
        self.from.is_none_or(|f| year >= f) && self.to.is_none_or(|t| year <= t)
    }

    /// A SQL predicate on `col` (empty string `TRUE` when open on both ends).
    pub fn sql(&self, col: &str) -> String {
        match (self.from, self.to) {
            (None, None) => "TRUE".into(),
            (Some(f), None) => format!("{col} >= {f}"),
            (None, Some(t)) => format!("{col} <= {t}"),
            (Some(f), Some(t)) => format!("{col} BETWEEN {f} AND {t}"),
        }
    }
}

impl FromStr for YearRange {
    type Err = YearRangeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let shown: String = if s.chars().count() > 40 {
            format!("{}…", s.chars().take(40).collect::<String>())
        } else {
            s.to_string()
        };
        let shown: String = shown
            .chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect();
        let why = |r: String| YearRangeError(shown.clone(), r);
        let err = || why(String::new());
        let t = s.trim();
        let year = |x: &str| -> Result<Option<i32>, YearRangeError> {
            let x = x.trim();
            if x.is_empty() {
                return Ok(None);
            }
            let digits = x.strip_prefix('+').unwrap_or(x);
            if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
                return match digits.parse::<i32>() {
                    Ok(y) if YEARS.contains(&y) => Ok(Some(y)),
                    _ => Err(why(format!(
                        ": year {} is outside {}-{}",
                        if digits.len() > 12 {
                            "(over 12 digits)"
                        } else {
                            digits
                        },
                        YEARS.start(),
                        YEARS.end()
                    ))),
                };
            }
            Err(err())
        };
        let parts = ["..", "-", ":", "–"]
            .iter()
            .find_map(|sep| t.split_once(sep));
        let r = match parts {
            Some((a, b)) => YearRange {
                from: year(a)?,
                to: year(b)?,
            },
            None => {
                let y = year(t)?.ok_or_else(err)?;
                YearRange::new(y, y)
            }
        };
        if let (Some(f), Some(to)) = (r.from, r.to)
            && f > to
        {
            return Err(why(format!(": it starts ({f}) after it ends ({to})")));
        }
        Ok(r)
    }
}

impl fmt::Display for YearRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.from, self.to) {
            (None, None) => write!(f, "all years"),
            (Some(a), Some(b)) if a == b => write!(f, "{a}"),
            (a, b) => write!(
                f,
                "{}-{}",
                a.map(|x| x.to_string()).unwrap_or_default(),
                b.map(|x| x.to_string()).unwrap_or_default()
            ),
        }
    }
}

/// Runs of consecutive years, in order: `1870-2014, 2019-2020` (the one formatter of year runs:
/// coverage notes, provenance and the report all use it). Duplicates and order in the input do
/// not matter.
pub fn year_runs(years: impl IntoIterator<Item = i32>) -> String {
    let mut ys: Vec<i32> = years.into_iter().collect();
    ys.sort_unstable();
    ys.dedup();
    let mut runs: Vec<(i32, i32)> = vec![];
    for y in ys {
        match runs.last_mut() {
            Some((_, b)) if *b + 1 == y => *b = y,
            _ => runs.push((y, y)),
        }
    }
    runs.iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_forms() {
        assert_eq!(
            "2014".parse::<YearRange>().unwrap(),
            YearRange::new(2014, 2014)
        );
        assert_eq!(
            "1992-2014".parse::<YearRange>().unwrap(),
            YearRange::new(1992, 2014)
        );
        assert_eq!(
            "1992..2014".parse::<YearRange>().unwrap(),
            YearRange::new(1992, 2014)
        );
        assert_eq!(
            "2000-".parse::<YearRange>().unwrap(),
            YearRange {
                from: Some(2000),
                to: None
            }
        );
        assert!("2014-1992".parse::<YearRange>().is_err());
        assert!("abc".parse::<YearRange>().is_err());
        assert!(YearRange::new(1992, 2014).contains(2000));
        assert!(!YearRange::new(1992, 2014).contains(2015));
        assert_eq!(
            YearRange::new(1992, 2014).sql("year"),
            "year BETWEEN 1992 AND 2014"
        );
        assert_eq!(YearRange::new(1992, 2014).to_string(), "1992-2014");
    }

    /// Hand-written cases: runs, singletons, unsorted and repeated input, nothing.
    #[test]
    fn year_runs_join_consecutive_years() {
        assert_eq!(
            year_runs([1870, 1871, 1872, 2019, 2020]),
            "1870-1872, 2019-2020"
        );
        assert_eq!(year_runs([2021, 2019, 2019, 2023]), "2019, 2021, 2023");
        assert_eq!(year_runs([2015, 2016, 2017, 2018]), "2015-2018");
        assert_eq!(year_runs([]), "");
    }

    /// Issue 17: absurd ranges are refused saying why, and a long input is shortened in the
    /// message.
    #[test]
    fn absurd_ranges_say_why() {
        let msg = |s: &str| s.parse::<YearRange>().unwrap_err().to_string();
        assert_eq!(
            msg("1-99999999"),
            "'1-99999999' is not a year range: year 1 is outside 1000-2999 (write 2014, 1992-2014, 2000- or -1991)"
        );
        assert!(msg("2000-99999999999999999999").contains("year (over 12 digits) is outside"));
        assert!(msg("2014-1990").contains("it starts (2014) after it ends (1990)"));
        let long = "9".repeat(100_000);
        let m = msg(&long);
        assert!(m.len() < 200, "{m}");
        assert!(msg("20\u{7}14").contains("is not a year range"));
        assert!(msg("2014\u{1}").contains("\\u{1}"), "{}", msg("2014\u{1}"));
    }
}
