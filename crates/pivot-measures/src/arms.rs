//! Recipient shares of a supplier's TIV and supplier shares of a recipient's TIV, by period and category.
//!
//! # What it measures
//! Who a supplier's major conventional arms go to (recipient shares of its deliveries), and who
//! a recipient buys from (supplier shares of its imports), over chosen periods and optionally
//! per weapon category.
//!
//! # Formula
//! For supplier s, recipient r, period P (inclusive year range) and optionally category c:
//! TIV_sr(P) = Σ_{t ∈ P} TIV_srt;
//! recipient share = TIV_sr(P) / Σ_r' TIV_sr'(P); supplier share = TIV_sr(P) / Σ_s' TIV_s'r(P).
//! Ranks are competition ranks by TIV within the period (and category).
//! TIV is SIPRI's **trend-indicator value, a volume index of military capability, not money**:
//! it is never added to, or divided by, USD amounts.
//!
//! # Reading it
//! India's share 0.35 of Russian TIV in 2010–2014 means India took 35 % of the volume of major
//! arms Russia delivered then (claim C4). Compare periods, not single years: deliveries are
//! lumpy (one frigate can dominate a year). Periods may overlap; each is computed on its own.
//!
//! # Data it needs
//! `arms_transfers` at delivery-year level (SIPRI deliveries, or dyad-year TIV): year of
//! delivery, supplier, recipient, weapon category (for the per-category view) and TIV delivered.
//! Periods with zero total TIV produce no rows.
//!
//! # Reference
//! SIPRI Arms Transfers Database, <https://www.sipri.org/databases/armstransfers>; Holtom, P.,
//! Bromley, M. and Simmel, V. (2012), "Measuring International Arms Transfers", SIPRI Fact Sheet.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::common::{YearRange, check_code, check_focal, check_nonneg, competition_ranks};
use crate::error::{MeasureError, Result};

pub use crate::records::ArmsTransfer;

/// One counterpart in one period (and category).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ArmsShareRow {
    /// First year of the period.
    pub period_start: i32,
    /// Last year of the period.
    pub period_end: i32,
    /// Supplier.
    pub supplier: String,
    /// Recipient.
    pub recipient: String,
    /// Category (None when pooled or unknown).
    pub category: Option<String>,
    /// TIV delivered in the period, millions of TIV (a volume index, not money).
    pub tiv: f64,
    /// Share of the focal state's total in the period (and category).
    pub share: f64,
    /// Competition rank by TIV (1 = largest).
    pub rank: u32,
    /// Number of counterparts in the denominator.
    pub n_counterparts: usize,
}

#[derive(Clone, Copy)]
enum Side {
    Supplier,
    Recipient,
}

fn shares(
    rows: &[ArmsTransfer],
    focal: &str,
    side: Side,
    periods: &[YearRange],
    by: ArmsBy,
) -> Result<Vec<ArmsShareRow>> {
    check_focal(
        match side {
            Side::Supplier => "supplier",
            Side::Recipient => "recipient",
        },
        focal,
    )?;
    if periods.is_empty() {
        return Err(MeasureError::Empty {
            what: "list of periods",
        });
    }
    for p in periods {
        p.check()?;
    }
    for r in rows {
        let ctx = || format!("{} {}->{}", r.year, r.supplier, r.recipient);
        check_nonneg("TIV", r.tiv, ctx)?;
        check_code("supplier", &r.supplier, ctx)?;
        check_code("recipient", &r.recipient, ctx)?;
    }
    let mut out = Vec::new();
    for period in periods {
        // category → counterpart → TIV
        let mut groups: BTreeMap<Option<String>, BTreeMap<String, f64>> = BTreeMap::new();
        for r in rows.iter().filter(|r| period.contains(r.year)) {
            let (me, other) = match side {
                Side::Supplier => (&r.supplier, &r.recipient),
                Side::Recipient => (&r.recipient, &r.supplier),
            };
            if me != focal {
                continue;
            }
            let cat = match by {
                ArmsBy::Pooled => None,
                ArmsBy::Category => r.category.clone(),
            };
            *groups
                .entry(cat)
                .or_default()
                .entry(other.clone())
                .or_insert(0.0) += r.tiv;
        }
        for (category, counterparts) in groups {
            let total: f64 = counterparts.values().sum();
            if total <= 0.0 {
                continue;
            }
            let n = counterparts.len();
            for (other, tiv, rank) in competition_ranks(counterparts.into_iter().collect()) {
                let (supplier, recipient) = match side {
                    Side::Supplier => (focal.to_string(), other),
                    Side::Recipient => (other, focal.to_string()),
                };
                out.push(ArmsShareRow {
                    period_start: period.start,
                    period_end: period.end,
                    supplier,
                    recipient,
                    category: category.clone(),
                    tiv,
                    share: tiv / total,
                    rank,
                    n_counterparts: n,
                });
            }
        }
    }
    Ok(out)
}

/// Per period (and category), rows by period, category, rank: with `role` supplier, recipient
/// shares of the focal state's TIV deliveries; with `role` recipient, supplier shares of its TIV
/// imports. `partners` is not read here (the measure keeps the rows of those partners after).
pub fn arms_shares(rows: &[ArmsTransfer], p: &ArmsSharesParams) -> Result<Vec<ArmsShareRow>> {
    let side = match p.role {
        crate::data::ArmsRole::Supplier => Side::Supplier,
        crate::data::ArmsRole::Recipient => Side::Recipient,
    };
    shares(rows, &p.focal.0, side, &p.periods.0, p.by)
}

fn default_periods() -> crate::params::Periods {
    crate::params::Periods(vec![
        YearRange {
            start: 2000,
            end: 2011,
        },
        YearRange {
            start: 2012,
            end: 2023,
        },
    ])
}

/// How `arms-shares` groups transfers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ArmsBy {
    /// All weapon categories together.
    #[default]
    Pooled,
    /// One set of shares per weapon category.
    Category,
}

/// Parameters of `pivot measure arms-shares`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArmsSharesParams {
    /// The focal state.
    pub focal: crate::params::Country,
    /// Partners to report; none: every partner.
    #[serde(default)]
    pub partners: crate::params::Partners,
    /// supplier: shares of the focal state's recipients; recipient: shares of its suppliers.
    #[serde(default)]
    pub role: crate::data::ArmsRole,
    /// Periods over which TIV is summed.
    #[serde(default = "default_periods")]
    pub periods: crate::params::Periods,
    /// Pooled or by weapon category.
    #[serde(default)]
    pub by: ArmsBy,
}

impl crate::params::Validate for ArmsSharesParams {}

/// The `arms-shares` measure.
pub struct ArmsShares;

impl crate::measure::Measure for ArmsShares {
    type Params = ArmsSharesParams;
    type Row = ArmsShareRow;
    const NAME: &'static str = "arms-shares";
    const DIMENSION: crate::Dimension = crate::Dimension::Arms;
    const TABLES: &'static [crate::Table] =
        &[crate::Table::ArmsDyadYear, crate::Table::ArmsTransfers];
    const SOURCE: &'static str = include_str!("arms.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let rows = data.arms(&p.focal.0, p.role, p.by == ArmsBy::Category)?;
        let recipient = p.role == crate::data::ArmsRole::Recipient;
        let mut out = arms_shares(&rows, p)?;
        if !p.partners.is_empty() {
            let list = &p.partners.0;
            out.retain(|r| {
                if recipient {
                    list.contains(&r.supplier)
                } else {
                    list.contains(&r.recipient)
                }
            });
        }
        Ok(crate::measure::Output::rows(out)
            .note("TIV is SIPRI's volume index (millions), not money."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::assert_close;
    use crate::data::ArmsRole::{Recipient, Supplier};
    use proptest::prelude::*;

    fn t(y: i32, s: &str, r: &str, c: &str, tiv: f64) -> ArmsTransfer {
        ArmsTransfer {
            year: y,
            supplier: s.into(),
            recipient: r.into(),
            category: Some(c.into()),
            tiv,
        }
    }

    fn fixture() -> Vec<ArmsTransfer> {
        vec![
            t(2010, "RUS", "IND", "Aircraft", 300.0),
            t(2011, "RUS", "IND", "Ships", 100.0),
            t(2012, "RUS", "CHN", "Aircraft", 100.0),
            t(2013, "RUS", "VNM", "Ships", 200.0),
            t(2016, "RUS", "CHN", "Aircraft", 500.0),
            t(2016, "FRA", "IND", "Aircraft", 400.0),
        ]
    }

    fn periods() -> Vec<YearRange> {
        vec![
            YearRange::new(2010, 2014).unwrap(),
            YearRange::new(2015, 2019).unwrap(),
        ]
    }

    fn params(
        focal: &str,
        role: crate::data::ArmsRole,
        periods: Vec<YearRange>,
        by: ArmsBy,
    ) -> ArmsSharesParams {
        ArmsSharesParams {
            focal: crate::params::Country(focal.into()),
            partners: crate::params::Partners::default(),
            role,
            periods: crate::params::Periods(periods),
            by,
        }
    }

    #[test]
    fn recipient_shares_by_period_hand_computed() {
        // 2010–14: RUS → IND 300 + 100 = 400, VNM 200, CHN 100; total 700 → 4/7, 2/7, 1/7.
        // 2015–19: RUS → CHN 500 only → 1.
        let rows = arms_shares(
            &fixture(),
            &params("RUS", Supplier, periods(), ArmsBy::Pooled),
        )
        .unwrap();
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.period_start, r.recipient.as_str(), r.rank))
            .collect();
        assert_eq!(
            got,
            vec![
                (2010, "IND", 1),
                (2010, "VNM", 2),
                (2010, "CHN", 3),
                (2015, "CHN", 1)
            ]
        );
        assert_close(rows[0].tiv, 400.0);
        assert_close(rows[0].share, 4.0 / 7.0);
        assert_close(rows[1].share, 2.0 / 7.0);
        assert_close(rows[2].share, 1.0 / 7.0);
        assert_close(rows[3].share, 1.0);
    }

    #[test]
    fn by_category_and_supplier_side() {
        // 2010–14 by category: Aircraft IND 300, CHN 100 → 0.75, 0.25; Ships IND 100, VNM 200 → 1/3, 2/3.
        let rows = arms_shares(
            &fixture(),
            &params(
                "RUS",
                Supplier,
                vec![YearRange::new(2010, 2014).unwrap()],
                ArmsBy::Category,
            ),
        )
        .unwrap();
        let air: Vec<_> = rows
            .iter()
            .filter(|r| r.category.as_deref() == Some("Aircraft"))
            .collect();
        assert_eq!(air.len(), 2);
        assert_close(air[0].share, 0.75);
        let ships: Vec<_> = rows
            .iter()
            .filter(|r| r.category.as_deref() == Some("Ships"))
            .collect();
        assert_eq!(ships[0].recipient, "VNM");
        assert_close(ships[0].share, 2.0 / 3.0);
        // India's suppliers 2015–19: FRA 400 → 1; 2010–14: RUS 400 → 1.
        let s = arms_shares(
            &fixture(),
            &params("IND", Recipient, periods(), ArmsBy::Pooled),
        )
        .unwrap();
        let got: Vec<_> = s
            .iter()
            .map(|r| (r.period_start, r.supplier.as_str(), r.share))
            .collect();
        assert_eq!(got, vec![(2010, "RUS", 1.0), (2015, "FRA", 1.0)]);
    }

    #[test]
    fn invalid_inputs() {
        let cfg = params("RUS", Supplier, vec![], ArmsBy::Pooled);
        assert!(matches!(
            arms_shares(&fixture(), &cfg),
            Err(MeasureError::Empty { .. })
        ));
        let cfg = params(
            "RUS",
            Supplier,
            vec![YearRange {
                start: 2020,
                end: 2010,
            }],
            ArmsBy::Pooled,
        );
        assert!(matches!(
            arms_shares(&fixture(), &cfg),
            Err(MeasureError::InvalidParameter { .. })
        ));
        let mut bad = fixture();
        bad[0].tiv = -1.0;
        let cfg = params("RUS", Supplier, periods(), ArmsBy::Pooled);
        assert!(matches!(
            arms_shares(&bad, &cfg),
            Err(MeasureError::InvalidValue { .. })
        ));
    }

    proptest! {
        #[test]
        fn shares_sum_to_one_per_period(v in prop::collection::vec((2000i32..2010, 0usize..5, 0.0f64..1000.0), 1..30)) {
            let rows: Vec<_> = v.iter().map(|(y, r, tiv)| t(*y, "RUS", &format!("R{r}"), "Aircraft", *tiv)).collect();
            let cfg = params("RUS", Supplier, vec![YearRange::new(2000, 2004).unwrap(), YearRange::new(2003, 2009).unwrap()], ArmsBy::Pooled);
            let out = arms_shares(&rows, &cfg).unwrap();
            for p in &cfg.periods.0 {
                let s: Vec<f64> = out.iter().filter(|r| r.period_start == p.start).map(|r| r.share).collect();
                if !s.is_empty() {
                    prop_assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-9);
                }
            }
        }
    }
}
