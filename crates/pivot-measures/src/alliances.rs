//! ATOP obligation flags (defense, offense, neutral, nonagg, consul, any) per undirected dyad-year.
//!
//! # What it measures
//! Whether two states share an alliance in a year and of what kind: defence, offence,
//! neutrality, non-aggression, consultation, and whether they share any of these.
//!
//! # Formula
//! For the undirected dyad {i, j} and year t, each flag is the logical OR over the input rows
//! for (i, j, t) and (j, i, t) (ATOP lists every dyad in both orders with the same flags);
//! any = defense ∨ offense ∨ neutral ∨ nonagg ∨ consul.
//!
//! # Reading it
//! RUS–CHN with consul = true and defense = false in 2018 is "a defence relationship short of
//! alliance" (claim C8): a consultation pact without a mutual-defence obligation. A dyad-year
//! absent from ATOP has no alliance; with a closed range of `years` the measure writes those
//! years out as all-false rows, which is only correct inside ATOP's coverage (1815–2018).
//!
//! # Data it needs
//! `alliances` (ATOP dyad-year obligation flags), with states as ISO3 (the engine maps COW
//! codes, where 365 covers both the USSR and Russia).
//!
//! # Reference
//! Leeds, B. A., Ritter, J. M., Mitchell, S. M. and Long, A. G. (2002), "Alliance Treaty
//! Obligations and Provisions, 1815–1944", *International Interactions* 28(3): 237–260;
//! ATOP v5.0 codebook (Leeds 2020).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::common::{PartnerSelection, YearRange, check_code, check_focal};
use crate::error::Result;

pub use crate::records::AllianceRecord;

/// Alliance flags of one dyad-year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AllianceFlagRow {
    /// Year.
    pub year: i32,
    /// Focal state.
    pub focal: String,
    /// Partner.
    pub partner: String,
    /// Defence obligation.
    pub defense: bool,
    /// Offence obligation.
    pub offense: bool,
    /// Neutrality obligation.
    pub neutral: bool,
    /// Non-aggression pact.
    pub nonagg: bool,
    /// Consultation obligation.
    pub consul: bool,
    /// Any of the five.
    pub any: bool,
}

/// Undirected alliance flags of the focal state with each partner, per year (sorted by partner,
/// year). When `years` is a closed range, every year of it gets a row for every partner (all
/// false where no ATOP row exists: correct only within ATOP's coverage).
pub fn alliance_flags(
    rows: &[AllianceRecord],
    p: &AllianceFlagsParams,
) -> Result<Vec<AllianceFlagRow>> {
    let focal = p.focal.0.as_str();
    check_focal("focal", focal)?;
    let fill_years = match (p.years.0.from, p.years.0.to) {
        (Some(a), Some(b)) => Some(YearRange::new(a, b)?),
        _ => None,
    };
    let partners = p.partners.selection();
    let mut flags: BTreeMap<(String, i32), [bool; 5]> = BTreeMap::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for r in rows {
        let ctx = || format!("{} {}-{}", r.year, r.state_a, r.state_b);
        check_code("state_a", &r.state_a, ctx)?;
        check_code("state_b", &r.state_b, ctx)?;
        let partner = if r.state_a == focal && r.state_b != focal {
            &r.state_b
        } else if r.state_b == focal && r.state_a != focal {
            &r.state_a
        } else {
            continue;
        };
        if !partners.includes(partner) {
            continue;
        }
        seen.insert(partner.clone());
        let f = flags.entry((partner.clone(), r.year)).or_default();
        for (slot, v) in f
            .iter_mut()
            .zip([r.defense, r.offense, r.neutral, r.nonagg, r.consul])
        {
            *slot |= v;
        }
    }
    if let Some(range) = fill_years {
        let partners: Vec<String> = match &partners {
            PartnerSelection::All => seen.into_iter().collect(),
            PartnerSelection::Only(l) => {
                l.iter().filter(|p| p.as_str() != focal).cloned().collect()
            }
        };
        for p in partners {
            for y in range.start..=range.end {
                flags.entry((p.clone(), y)).or_default();
            }
        }
    }
    Ok(flags
        .into_iter()
        .map(
            |((partner, year), [defense, offense, neutral, nonagg, consul])| AllianceFlagRow {
                year,
                focal: focal.to_string(),
                partner,
                defense,
                offense,
                neutral,
                nonagg,
                consul,
                any: defense || offense || neutral || nonagg || consul,
            },
        )
        .collect())
}

/// Parameters of `pivot measure alliance-flags`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllianceFlagsParams {
    /// The focal state.
    pub focal: crate::params::Country,
    /// Partners to report; none: every partner.
    #[serde(default)]
    pub partners: crate::params::Partners,
    /// Years; a closed range is written out in full, with all-false rows where ATOP has none.
    #[serde(default)]
    pub years: crate::params::Years,
}

impl crate::params::Validate for AllianceFlagsParams {}

/// The `alliance-flags` measure.
pub struct AllianceFlags;

impl crate::measure::Measure for AllianceFlags {
    type Params = AllianceFlagsParams;
    type Row = AllianceFlagRow;
    const NAME: &'static str = "alliance-flags";
    const DIMENSION: crate::Dimension = crate::Dimension::Alliances;
    const TABLES: &'static [crate::Table] = &[crate::Table::Alliances];
    const SOURCE: &'static str = include_str!("alliances.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let recs = data.alliances(&p.focal.0, &p.years)?;
        let rows = alliance_flags(&recs, p)?;
        Ok(crate::measure::Output::rows(rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(partners: &[&str], years: pivot_vocab::YearRange) -> AllianceFlagsParams {
        AllianceFlagsParams {
            focal: crate::params::Country("RUS".into()),
            partners: crate::params::Partners(partners.iter().map(|p| p.to_string()).collect()),
            years: crate::params::Years(years),
        }
    }

    fn rec(y: i32, a: &str, b: &str, defense: bool, consul: bool) -> AllianceRecord {
        AllianceRecord {
            year: y,
            state_a: a.into(),
            state_b: b.into(),
            defense,
            consul,
            ..Default::default()
        }
    }

    #[test]
    fn both_directions_merge_and_fill() {
        // RUS–CHN 2002 listed both ways (consul); RUS–BLR 2002 defense listed once as BLR–RUS.
        let rows = vec![
            rec(2002, "RUS", "CHN", false, true),
            rec(2002, "CHN", "RUS", false, true),
            rec(2002, "BLR", "RUS", true, false),
            rec(2002, "CHN", "PAK", true, false),
        ];
        let cfg = params(&[], pivot_vocab::YearRange::ALL);
        let out = alliance_flags(&rows, &cfg).unwrap();
        assert_eq!(
            out.len(),
            2,
            "CHN–PAK is not a RUS dyad; RUS–CHN counted once"
        );
        assert_eq!(
            (out[0].partner.as_str(), out[0].defense, out[0].any),
            ("BLR", true, true)
        );
        assert_eq!(
            (
                out[1].partner.as_str(),
                out[1].defense,
                out[1].consul,
                out[1].any
            ),
            ("CHN", false, true, true)
        );

        let cfg = params(&["CHN", "IND"], pivot_vocab::YearRange::new(2001, 2002));
        let out = alliance_flags(&rows, &cfg).unwrap();
        let got: Vec<_> = out
            .iter()
            .map(|r| (r.partner.as_str(), r.year, r.any))
            .collect();
        assert_eq!(
            got,
            vec![
                ("CHN", 2001, false),
                ("CHN", 2002, true),
                ("IND", 2001, false),
                ("IND", 2002, false)
            ]
        );
    }

    #[test]
    fn empty_codes_are_rejected() {
        let cfg = params(&[], pivot_vocab::YearRange::ALL);
        assert!(alliance_flags(&[rec(2000, "", "RUS", true, false)], &cfg).is_err());
        assert!(
            alliance_flags(
                &[],
                &AllianceFlagsParams {
                    years: crate::params::Years(pivot_vocab::YearRange {
                        from: Some(3),
                        to: Some(1)
                    }),
                    ..cfg
                }
            )
            .is_err()
        );
    }
}
