//! Chinese official finance to a recipient by year and flow class.
//!
//! # What it measures
//! How much official finance a lender (China, in AidData's GCDF) committed to one recipient
//! each year in each flow class — ODA-like, OOF-like, vague (official finance too thinly
//! documented to tell which) — as committed and as adjusted amounts (the recipient's rank and share
//! among all recipients is the measure `official-finance`).
//!
//! # Formula
//! a_rct = Σ amount over the projects of recipient r, class c, commitment year t; the adjusted
//! amount likewise over AidData's adjusted amounts (None where no project of the cell has one).
//!
//! # Reading it
//! A recipient whose OOF-like rows dwarf its ODA-like rows borrows from China on near-commercial
//! terms rather than receiving aid. Amounts are
//! commitments, not disbursements; adjusted amounts net out rolled-over credit lines, so sum
//! adjusted amounts across years, not committed ones.
//!
//! # Data it needs
//! `finance_flows` (AidData GCDF 3.0, constant 2021 USD): year, recipient, class, amount and
//! adjusted amount.
//!
//! # Reference
//! Custer, S., Dreher, A., Elston, T. B. et al. (2023), *Tracking Chinese Development Finance:
//! An Application of AidData's TUFF 3.0 Methodology*, AidData at William & Mary.

use crate::error::Result;
use crate::finance::{AmountBasis, FinanceClassRow, official_finance};

/// Parameters of `pivot measure official-finance-by-class`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficialFinanceByClassParams {
    /// The recipient.
    pub focal: crate::params::Country,
    /// Years.
    #[serde(default)]
    pub years: crate::params::Years,
}

impl crate::params::Validate for OfficialFinanceByClassParams {}

/// The `official-finance-by-class` measure.
pub struct OfficialFinanceByClass;

impl crate::measure::Measure for OfficialFinanceByClass {
    type Params = OfficialFinanceByClassParams;
    type Row = FinanceClassRow;
    const NAME: &'static str = "official-finance-by-class";
    const DIMENSION: crate::Dimension = crate::Dimension::Finance;
    const TABLES: &'static [crate::Table] = &[crate::Table::FinanceFlows];
    const SOURCE: &'static str = include_str!("finance_class.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let rows = data.finance(&p.years)?;
        // The basis only orders recipients; class rows carry both amounts.
        let res = official_finance(&rows, &p.focal.0, AmountBasis::Committed)?;
        Ok(crate::measure::Output::rows(res.by_class).note("Constant 2021 USD; commitments."))
    }
}
