//! Distance between two states' published UN General Assembly ideal points, with a 90 %
//! interval, per year.
//!
//! # What it measures
//! How far apart a focal state and each partner stand on the Assembly's main dimension in the
//! ideal points Bailey, Strezhnev & Voeten publish (the US-led liberal order at the high end):
//! |θ_focal − θ_partner|, small for states that vote alike. Unlike `un-ideal-points` (pivot's
//! own estimate from the votes it holds, to 2019), this reads the published estimate, to 2023
//! in the series `all` and to 2024 in the series `fp`.
//!
//! # Formula
//! For year t and series s, with θ_i the estimate and q5_i, q95_i the 5 % and 95 % quantiles
//! of state i's posterior: distance = |θ_f − θ_p|. Interval: each posterior taken as normal
//! with sd_i = (q95_i − q5_i) / (2 × 1.645) and the two as independent, d = θ_f − θ_p has
//! sd_d = √(sd_f² + sd_p²) and the 90 % interval d ± 1.645 sd_d; its image under |·| is the
//! distance interval ([0, max(|lo|, |hi|)] when it contains 0). The `legacy` series has no
//! quantiles: no interval.
//!
//! # Reading it
//! Russia's distance to China falling from 0.38 (2019) to 0.01 (2022), while its distance to
//! the USA grows, is Russia converging on China's positions in the Assembly (claim C5).
//! Distances compare within one series only: `fp` rests on fewer roll calls and has another
//! level, so the default series (`all_then_fp`) takes `all` for every year it has and `fp` for
//! the years `all` lacks (2024), and every row names its series. The posteriors come from one
//! joint model and are not independent, so the interval is an approximation.
//!
//! # Data it needs
//! `un_ideal_points` (dataset `un_ideal_points`, the BSV release): country, year, series,
//! estimate and quantiles. Years where either state has no estimate give no row.
//!
//! # Reference
//! Bailey, M. A., Strezhnev, A. and Voeten, E. (2017), "Estimating Dynamic State Preferences
//! from United Nations Voting Data", *Journal of Conflict Resolution* 61(2): 430–456.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::common::check_focal;
use crate::error::{MeasureError, Result};
use crate::records::IdealPointRecord;

/// The normal quantile of 95 %: q95 − q5 spans 2 × 1.645 standard deviations.
const Z90: f64 = 1.644_853_626_951_472_2;

/// Which published series.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IdealSeries {
    /// `all` for the years it has (1946–2023), `fp` for the years it lacks (2024).
    #[default]
    AllThenFp,
    /// Every roll call (1946–2023).
    All,
    /// The release's second series (fewer roll calls, another level; 1946–2024).
    Fp,
    /// The first release's method (no quantiles).
    Legacy,
}

/// One dyad-year.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct IdealPointDistanceRow {
    /// Year the session opens.
    pub year: i32,
    /// Focal state.
    pub focal: String,
    /// Partner.
    pub partner: String,
    /// The series both points come from (`all`, `fp` or `legacy`).
    pub series: String,
    /// The focal state's ideal point.
    pub focal_point: f64,
    /// The partner's ideal point.
    pub partner_point: f64,
    /// |focal_point − partner_point|.
    pub distance: f64,
    /// Lower end of the 90 % interval (None for `legacy`).
    pub distance_lo: Option<f64>,
    /// Upper end of the 90 % interval (None for `legacy`).
    pub distance_hi: Option<f64>,
}

/// Parameters of `pivot measure ideal-point-distance`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdealPointDistanceParams {
    /// The focal state.
    pub focal: crate::params::Country,
    /// The partners (at least one).
    pub partners: crate::params::Partners,
    /// Years.
    #[serde(default)]
    pub years: crate::params::Years,
    /// The published series (all_then_fp: all to 2023, fp for 2024).
    #[serde(default)]
    pub series: IdealSeries,
}

impl crate::params::Validate for IdealPointDistanceParams {
    fn validate(&self) -> std::result::Result<(), crate::params::ParamError> {
        if self.partners.0.is_empty() {
            return Err(crate::params::ParamError::new(
                "partners",
                None,
                "ideal-point-distance needs at least one partner (--partners CHN,USA)",
            ));
        }
        Ok(())
    }
}

/// The sd of a posterior from its 5 % and 95 % quantiles.
fn sd(r: &IdealPointRecord) -> Option<f64> {
    Some((r.q95? - r.q5?) / (2.0 * Z90))
}

/// The 90 % interval of |θ_f − θ_p| (see the module doc).
pub fn distance_interval(f: &IdealPointRecord, p: &IdealPointRecord) -> Option<(f64, f64)> {
    let d = f.estimate - p.estimate;
    let s = sd(f)?.hypot(sd(p)?);
    let (lo, hi) = (d - Z90 * s, d + Z90 * s);
    Some(if lo >= 0.0 {
        (lo, hi)
    } else if hi <= 0.0 {
        (-hi, -lo)
    } else {
        (0.0, hi.max(-lo))
    })
}

/// Distances per year and partner from the records of the focal state and its partners.
pub fn ideal_point_distance(
    records: &[IdealPointRecord],
    p: &IdealPointDistanceParams,
) -> Result<Vec<IdealPointDistanceRow>> {
    let focal = p.focal.0.as_str();
    check_focal("focal", focal)?;
    // (series, country, year) → record; a repeat is an error, not a silent pick.
    let mut by: BTreeMap<(&str, &str, i32), &IdealPointRecord> = BTreeMap::new();
    for r in records {
        if !r.estimate.is_finite() {
            return Err(MeasureError::InvalidField {
                field: "estimate",
                value: r.estimate.to_string(),
                context: format!("{} {} {}", r.country, r.year, r.series),
                reason: "an ideal point must be a finite number",
            });
        }
        if by
            .insert((r.series.as_str(), r.country.as_str(), r.year), r)
            .is_some()
        {
            return Err(MeasureError::Duplicate {
                what: "ideal point for country, year and series",
                key: format!("{} {} {}", r.country, r.year, r.series),
            });
        }
    }
    let years: std::collections::BTreeSet<i32> = records
        .iter()
        .filter(|r| r.country == focal)
        .map(|r| r.year)
        .collect();
    let mut out = vec![];
    for partner in &p.partners.0 {
        if partner == focal {
            return Err(MeasureError::InvalidParameter {
                name: "partners",
                value: partner.clone(),
                reason: "must differ from focal",
            });
        }
        for &year in &years {
            let pick = |s: &'static str| {
                Some((
                    s,
                    *by.get(&(s, focal, year))?,
                    *by.get(&(s, partner.as_str(), year))?,
                ))
            };
            let got = match p.series {
                IdealSeries::AllThenFp => pick("all").or_else(|| {
                    // fp only where `all` has no estimate of either state for the year.
                    (!by.contains_key(&("all", focal, year))
                        || !by.contains_key(&("all", partner.as_str(), year)))
                    .then(|| pick("fp"))
                    .flatten()
                }),
                IdealSeries::All => pick("all"),
                IdealSeries::Fp => pick("fp"),
                IdealSeries::Legacy => pick("legacy"),
            };
            let Some((series, f, q)) = got else { continue };
            let iv = distance_interval(f, q);
            out.push(IdealPointDistanceRow {
                year,
                focal: focal.to_string(),
                partner: partner.clone(),
                series: series.to_string(),
                focal_point: f.estimate,
                partner_point: q.estimate,
                distance: (f.estimate - q.estimate).abs(),
                distance_lo: iv.map(|i| i.0),
                distance_hi: iv.map(|i| i.1),
            });
        }
    }
    out.sort_by(|a, b| (a.year, &a.partner).cmp(&(b.year, &b.partner)));
    Ok(out)
}

/// The `ideal-point-distance` measure.
pub struct IdealPointDistance;

impl crate::measure::Measure for IdealPointDistance {
    type Params = IdealPointDistanceParams;
    type Row = IdealPointDistanceRow;
    const NAME: &'static str = "ideal-point-distance";
    const DIMENSION: crate::Dimension = crate::Dimension::Diplomacy;
    const TABLES: &'static [crate::Table] = &[crate::Table::UnIdealPoints];
    const SOURCE: &'static str = include_str!("ideal_point_distance.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let mut states = vec![p.focal.0.clone()];
        states.extend(p.partners.0.iter().cloned());
        let records = data.ideal_points(&states, &p.years)?;
        let rows = ideal_point_distance(&records, p)?;
        let mut notes = vec![];
        if rows.iter().any(|r| r.series == "fp") && rows.iter().any(|r| r.series == "all") {
            let fp: Vec<i32> = rows
                .iter()
                .filter(|r| r.series == "fp")
                .map(|r| r.year)
                .collect();
            notes.push(format!(
                "{} from the series fp (the series all has no estimate there): fp rests on fewer roll calls and has another level, so compare its years with each other, not with all's.",
                pivot_vocab::year_runs(fp)
            ));
        }
        notes.push("Intervals: 90 %, each posterior taken as normal (sd from its 5 % and 95 % quantiles) and the two as independent; they come from one joint model, so this is an approximation.".into());
        Ok(crate::measure::Output { rows, notes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(c: &str, y: i32, s: &str, e: f64, q5: f64, q95: f64) -> IdealPointRecord {
        IdealPointRecord {
            country: c.into(),
            year: y,
            series: s.into(),
            estimate: e,
            q5: Some(q5),
            q95: Some(q95),
            n_votes: Some(100),
        }
    }

    #[test]
    fn interval_by_hand() {
        // sd_f = (1.0 − 0.0) / 3.29 = 0.30397, sd_p likewise: sd_d = 0.42988; d = 1.0;
        // d ± 1.645 × 0.42988 = 1.0 ± 0.70709 → (0.29291, 1.70709).
        let f = rec("AAA", 2000, "all", 1.0, 0.5, 1.5);
        let p = rec("BBB", 2000, "all", 0.0, -0.5, 0.5);
        let (lo, hi) = distance_interval(&f, &p).unwrap();
        let s = (1.0 / (2.0 * Z90)) * 2f64.sqrt();
        assert!((lo - (1.0 - Z90 * s)).abs() < 1e-12 && (hi - (1.0 + Z90 * s)).abs() < 1e-12);
        assert!((lo - 0.292_893).abs() < 1e-6, "{lo}");
        // An interval of the difference across 0 maps to [0, max(|lo|, |hi|)].
        let q = rec("CCC", 2000, "all", 0.9, 0.4, 1.4);
        let (lo, hi) = distance_interval(&f, &q).unwrap();
        assert_eq!(lo, 0.0);
        assert!((hi - (0.1 + Z90 * s)).abs() < 1e-12);
    }

    #[test]
    fn fp_only_where_all_has_no_estimate() {
        let recs = vec![
            rec("RUS", 2023, "all", -1.27, -1.37, -1.17),
            rec("CHN", 2023, "all", -1.20, -1.30, -1.10),
            rec("RUS", 2023, "fp", -0.41, -0.5, -0.3),
            rec("CHN", 2023, "fp", -0.9, -1.0, -0.8),
            rec("RUS", 2024, "fp", -0.60, -0.74, -0.46),
            rec("CHN", 2024, "fp", -0.85, -1.02, -0.69),
        ];
        let p = IdealPointDistanceParams {
            focal: crate::params::Country("RUS".into()),
            partners: crate::params::Partners(vec!["CHN".into()]),
            years: crate::params::Years::ALL,
            series: IdealSeries::AllThenFp,
        };
        let rows = ideal_point_distance(&recs, &p).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].year, rows[0].series.as_str()), (2023, "all"));
        assert!((rows[0].distance - 0.07).abs() < 1e-12);
        assert_eq!((rows[1].year, rows[1].series.as_str()), (2024, "fp"));
        assert!((rows[1].distance - 0.25).abs() < 1e-12);
        // A repeated record is an error, not a pick.
        let mut dup = recs.clone();
        dup.push(recs[0].clone());
        assert!(ideal_point_distance(&dup, &p).is_err());
    }
}
