//! Chinese official finance to a recipient by year, with its rank and share among all recipients.
//!
//! # What it measures
//! How much official finance a lender (China, in AidData's GCDF) committed to one recipient
//! each year, and where that recipient stands among all recipients — per year and
//! cumulatively since the first year of the data (the split by flow class is the measure
//! `official-finance-by-class`).
//!
//! # Formula
//! With a_rt = Σ_class amount_rct (on the chosen basis, committed or adjusted) for recipient r
//! in year t: annual share_rt = a_rt / Σ_r' a_r't; cumulative share_r(t0..t) = Σ_{s ≤ t} a_rs /
//! Σ_r' Σ_{s ≤ t} a_r's, t0 = first year in the rows. Rank = competition rank by amount among
//! recipients with a positive amount (None when the recipient's amount is 0).
//!
//! # Reading it
//! Russia with rank 1 and share 0.12 cumulatively to 2021 is the largest recipient, with 12 %
//! of all committed Chinese official finance (claim C3). AidData recommends adjusted amounts
//! for cumulative totals: committed amounts double-count rolled-over credit lines (Argentina's
//! swap lines). Amounts are commitments, not disbursements. Never add official finance to
//! investment-tracker amounts.
//!
//! # Data it needs
//! `finance_flows` rows for all recipients (the denominator is their sum): year, recipient,
//! class (OOF-like, ODA-like, vague, or investment), amount and, for the adjusted basis,
//! adjusted amount — AidData GCDF 3.0 is constant 2021 USD. Years whose total is zero produce
//! no rank rows.
//!
//! # Reference
//! Custer, S., Dreher, A., Elston, T. B. et al. (2023), *Tracking Chinese Development Finance:
//! An Application of AidData's TUFF 3.0 Methodology*, AidData at William & Mary; Dreher, A.,
//! Fuchs, A., Parks, B., Strange, A. and Tierney, M. J. (2022), *Banking on Beijing*, Cambridge
//! University Press.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::common::{check_code, check_focal, check_nonneg, competition_ranks};
use crate::error::{MeasureError, Result};

pub use crate::records::{FinanceClass, FinanceFlow};

/// Which amount ranks and shares are computed on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Default, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AmountBasis {
    /// Committed amounts.
    Committed,
    /// AidData's adjusted amounts (recommended for cumulative totals).
    #[default]
    Adjusted,
}

impl AmountBasis {
    /// The snake_case name (`committed`, `adjusted`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Committed => "committed",
            Self::Adjusted => "adjusted",
        }
    }
}

/// The recipient's amount of one class in one year.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FinanceClassRow {
    /// Year.
    pub year: i32,
    /// Recipient.
    pub recipient: String,
    /// Class.
    pub class: FinanceClass,
    /// Committed amount.
    pub amount: f64,
    /// Adjusted amount, where given.
    pub adjusted_amount: Option<f64>,
}

/// The recipient's standing among all recipients over `year_start..=year_end`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FinanceRankRow {
    /// First year (= `year_end` for annual rows).
    pub year_start: i32,
    /// Last year.
    pub year_end: i32,
    /// Recipient.
    pub recipient: String,
    /// Basis of amounts.
    pub basis: AmountBasis,
    /// The recipient's amount (all classes).
    pub amount: f64,
    /// All recipients' amount.
    pub all_recipients: f64,
    /// `amount / all_recipients`.
    pub share: f64,
    /// Competition rank among recipients with a positive amount; None when `amount` is 0.
    pub rank: Option<u32>,
    /// Recipients with a positive amount.
    pub n_recipients: usize,
}

/// Rows of [`official_finance`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinanceResult {
    /// The recipient's amounts by year and class (sorted).
    pub by_class: Vec<FinanceClassRow>,
    /// Rank and share per year.
    pub annual: Vec<FinanceRankRow>,
    /// Rank and share cumulated from the first year of the data to each year.
    pub cumulative: Vec<FinanceRankRow>,
}

fn rank_row(
    year_start: i32,
    year_end: i32,
    recipient: &str,
    basis: AmountBasis,
    totals: &BTreeMap<String, f64>,
) -> Option<FinanceRankRow> {
    let all: f64 = totals.values().sum();
    if all <= 0.0 {
        return None;
    }
    let positive: Vec<(String, f64)> = totals
        .iter()
        .filter(|(_, v)| **v > 0.0)
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    let n = positive.len();
    let ranks = competition_ranks(positive);
    let amount = totals.get(recipient).copied().unwrap_or(0.0);
    let rank = ranks
        .iter()
        .find(|(k, _, _)| k == recipient)
        .map(|(_, _, r)| *r);
    Some(FinanceRankRow {
        year_start,
        year_end,
        recipient: recipient.to_string(),
        basis,
        amount,
        all_recipients: all,
        share: amount / all,
        rank,
        n_recipients: n,
    })
}

/// By-class amounts of the recipient (ISO3), and its annual and cumulative rank and share on
/// the basis given.
pub fn official_finance(
    rows: &[FinanceFlow],
    recipient: &str,
    basis: AmountBasis,
) -> Result<FinanceResult> {
    check_focal("recipient", recipient)?;
    let mut by_class: BTreeMap<(i32, FinanceClass), (f64, Option<f64>)> = BTreeMap::new();
    // year → recipient → amount on basis
    let mut per_year: BTreeMap<i32, BTreeMap<String, f64>> = BTreeMap::new();
    for r in rows {
        let ctx = || format!("{} {} {:?}", r.year, r.recipient, r.class);
        check_code("recipient", &r.recipient, ctx)?;
        check_nonneg("finance amount", r.amount, ctx)?;
        if let Some(a) = r.adjusted_amount {
            check_nonneg("adjusted finance amount", a, ctx)?;
        }
        let basis_amount = match basis {
            AmountBasis::Committed => r.amount,
            AmountBasis::Adjusted => r.adjusted_amount.ok_or_else(|| MeasureError::InvalidField {
                field: "adjusted_amount",
                value: "missing".into(),
                context: ctx(),
                reason: "the adjusted basis needs an adjusted amount on every row; use the committed basis",
            })?,
        };
        *per_year
            .entry(r.year)
            .or_default()
            .entry(r.recipient.clone())
            .or_insert(0.0) += basis_amount;
        if r.recipient == recipient {
            let e = by_class.entry((r.year, r.class)).or_insert((0.0, None));
            e.0 += r.amount;
            if let Some(a) = r.adjusted_amount {
                e.1 = Some(e.1.unwrap_or(0.0) + a);
            }
        }
    }
    let by_class = by_class
        .into_iter()
        .map(
            |((year, class), (amount, adjusted_amount))| FinanceClassRow {
                year,
                recipient: recipient.to_string(),
                class,
                amount,
                adjusted_amount,
            },
        )
        .collect();
    let mut annual = Vec::new();
    let mut cumulative = Vec::new();
    let mut running: BTreeMap<String, f64> = BTreeMap::new();
    let first = per_year.keys().next().copied();
    for (year, totals) in &per_year {
        annual.extend(rank_row(*year, *year, recipient, basis, totals));
        for (k, v) in totals {
            *running.entry(k.clone()).or_insert(0.0) += v;
        }
        if let Some(first) = first {
            cumulative.extend(rank_row(first, *year, recipient, basis, &running));
        }
    }
    Ok(FinanceResult {
        by_class,
        annual,
        cumulative,
    })
}

/// Which table `official-finance` reports.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FinanceBy {
    /// Per year: the recipient's amount, rank and share among recipients.
    #[default]
    Annual,
    /// Cumulated from the first data year: amount, rank and share.
    Cumulative,
}

/// Parameters of `pivot measure official-finance`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficialFinanceParams {
    /// The recipient.
    pub focal: crate::params::Country,
    /// Years.
    #[serde(default)]
    pub years: crate::params::Years,
    /// Committed or adjusted amounts for ranks and shares.
    #[serde(default)]
    pub basis: AmountBasis,
    /// Per year, or cumulated from the first data year.
    #[serde(default)]
    pub by: FinanceBy,
}

impl crate::params::Validate for OfficialFinanceParams {}

/// The `official-finance` measure.
pub struct OfficialFinance;

impl crate::measure::Measure for OfficialFinance {
    type Params = OfficialFinanceParams;
    type Row = FinanceRankRow;
    const NAME: &'static str = "official-finance";
    const DIMENSION: crate::Dimension = crate::Dimension::Finance;
    const TABLES: &'static [crate::Table] = &[crate::Table::FinanceFlows];
    const SOURCE: &'static str = include_str!("finance.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let rows = data.finance(&p.years)?;
        let res = official_finance(&rows, &p.focal.0, p.basis)?;
        let out = match p.by {
            FinanceBy::Cumulative => crate::measure::Output::rows(res.cumulative),
            FinanceBy::Annual => crate::measure::Output::rows(res.annual),
        };
        Ok(out.note("Constant 2021 USD; commitments."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::assert_close;
    use proptest::prelude::*;

    fn f(y: i32, r: &str, class: FinanceClass, amount: f64, adj: f64) -> FinanceFlow {
        FinanceFlow {
            year: y,
            recipient: r.into(),
            class,
            amount,
            adjusted_amount: Some(adj),
        }
    }

    fn fixture() -> Vec<FinanceFlow> {
        use FinanceClass::*;
        vec![
            f(2009, "RUS", OofLike, 40.0, 40.0),
            f(2009, "RUS", Vague, 0.1, 0.1),
            f(2009, "ARG", OofLike, 10.0, 2.0),
            f(2009, "PAK", OdaLike, 5.0, 5.0),
            f(2010, "ARG", OofLike, 30.0, 6.0),
            f(2010, "PAK", OofLike, 20.0, 20.0),
        ]
    }

    #[test]
    fn committed_basis_hand_computed() {
        // 2009 committed: RUS 40.1, ARG 10, PAK 5 → total 55.1; RUS share 40.1/55.1, rank 1 of 3.
        // 2010: ARG 30, PAK 20, RUS 0 → RUS share 0, rank None.
        // Cumulative 2009–2010: RUS 40.1, ARG 40, PAK 25 → total 105.1; RUS rank 1, share 40.1/105.1.
        let r = official_finance(&fixture(), "RUS", AmountBasis::Committed).unwrap();
        assert_eq!(r.by_class.len(), 2);
        assert_eq!(r.by_class[0].class, FinanceClass::OofLike);
        assert_close(r.by_class[1].amount, 0.1);
        let a09 = &r.annual[0];
        assert_close(a09.amount, 40.1);
        assert_close(a09.share, 40.1 / 55.1);
        assert_eq!((a09.rank, a09.n_recipients), (Some(1), 3));
        let a10 = &r.annual[1];
        assert_eq!((a10.rank, a10.share, a10.n_recipients), (None, 0.0, 2));
        let c10 = &r.cumulative[1];
        assert_eq!(
            (c10.year_start, c10.year_end, c10.rank),
            (2009, 2010, Some(1))
        );
        assert_close(c10.share, 40.1 / 105.1);
    }

    #[test]
    fn adjusted_basis_changes_the_denominator() {
        // Adjusted cumulative: RUS 40.1, ARG 2 + 6 = 8, PAK 25 → total 73.1; share 40.1/73.1.
        let r = official_finance(&fixture(), "PAK", AmountBasis::Adjusted).unwrap();
        let c = r.cumulative.last().unwrap();
        assert_close(c.all_recipients, 73.1);
        // PAK: 25 → rank 2 behind RUS.
        assert_eq!(c.rank, Some(2));
        assert_close(c.share, 25.0 / 73.1);
        let mut rows = fixture();
        rows[0].adjusted_amount = None;
        assert!(official_finance(&rows, "RUS", AmountBasis::Adjusted).is_err());
        rows[0].amount = -1.0;
        assert!(matches!(
            official_finance(&rows, "RUS", AmountBasis::Committed),
            Err(MeasureError::InvalidValue { .. })
        ));
    }

    proptest! {
        #[test]
        fn annual_shares_over_recipients_sum_to_one(v in prop::collection::vec((0usize..6, 0.0f64..1e9), 1..20)) {
            let rows: Vec<_> = v.iter().map(|(r, a)| f(2015, &format!("R{r}"), FinanceClass::OofLike, *a, *a)).collect();
            let total: f64 = v.iter().map(|(_, a)| a).sum();
            prop_assume!(total > 0.0);
            let s: f64 = (0..6)
                .filter_map(|k| official_finance(&rows, &format!("R{k}"), AmountBasis::Committed).ok())
                .filter_map(|r| r.annual.first().map(|a| a.share))
                .sum();
            prop_assert!((s - 1.0).abs() < 1e-9);
        }
    }
}
