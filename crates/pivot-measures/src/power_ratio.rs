//! Ratio A/B and each side's share of the dyad for an indicator (GDP, CINC, milex), per year.
//!
//! # What it measures
//! How the balance of an indicator (GDP, CINC, military expenditure …) between two states
//! moves over time: the ratio of one to the other and each side's share of the dyad's total.
//!
//! # Formula
//! For states A and B with values a_t, b_t ≥ 0 in year t:
//! ratio_t = a_t / b_t (None when b_t = 0);
//! share_A = a_t / (a_t + b_t), share_B = 1 − share_A = b_t / (a_t + b_t) (None when both 0).
//! Only years where both values exist are reported.
//!
//! # Reading it
//! A CHN/RUS GDP ratio rising from 2 to 8 with China's dyadic share rising from 0.67 to 0.89
//! is a growing disparity (claim C2). The share is bounded and symmetric (share_A + share_B =
//! 1), so it charts better than the ratio when the gap is large. Ratios compare like with
//! like only: never mix current and constant prices, or SIPRI releases with different base
//! years.
//!
//! # Data it needs
//! `country_year` rows for one indicator (e.g. `gdp_usd`, `cinc`, `milex`) in one unit for
//! both states. Two values for one country-year are an error.
//!
//! # Reference
//! Singer, J. D., Bremer, S. and Stuckey, J. (1972), "Capability Distribution, Uncertainty,
//! and Major Power War, 1820–1965", in B. Russett (ed.), *Peace, War, and Numbers*; Organski,
//! A. F. K. and Kugler, J. (1980), *The War Ledger*, University of Chicago Press.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::common::{IndicatorValue, check_focal, check_nonneg};
use crate::error::{MeasureError, Result};

/// Ratio and shares in one year.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PowerRatioRow {
    /// Year.
    pub year: i32,
    /// State A.
    pub a: String,
    /// State B.
    pub b: String,
    /// A's value.
    pub value_a: f64,
    /// B's value.
    pub value_b: f64,
    /// A / B; None when B is 0.
    pub ratio: Option<f64>,
    /// A / (A + B); None when both are 0.
    pub share_a: Option<f64>,
    /// B / (A + B); None when both are 0.
    pub share_b: Option<f64>,
}

/// A/B ratio and dyadic shares per year where both values exist (sorted by year), with A the
/// focal state and B the one partner. `indicator` and `years` are not read here: they choose
/// the series the measure reads.
pub fn power_ratio(series: &[IndicatorValue], p: &PowerRatioParams) -> Result<Vec<PowerRatioRow>> {
    let state_a = p.focal.0.as_str();
    check_focal("focal", state_a)?;
    let [state_b] = p.partners.0.as_slice() else {
        return Err(MeasureError::InvalidParameter {
            name: "partners",
            value: p.partners.0.join(","),
            reason: "power-ratio compares two states: give exactly one partner",
        });
    };
    check_focal("partners", state_b)?;
    if state_a == state_b {
        return Err(MeasureError::InvalidParameter {
            name: "partners",
            value: state_b.clone(),
            reason: "must differ from focal",
        });
    }
    let mut a: BTreeMap<i32, f64> = BTreeMap::new();
    let mut b: BTreeMap<i32, f64> = BTreeMap::new();
    for v in series {
        let side = if v.country == state_a {
            &mut a
        } else if v.country == *state_b {
            &mut b
        } else {
            continue;
        };
        check_nonneg("indicator value", v.value, || {
            format!("{} {}", v.country, v.year)
        })?;
        if side.insert(v.year, v.value).is_some() {
            return Err(MeasureError::Duplicate {
                what: "indicator value for country-year",
                key: format!("{} {}", v.country, v.year),
            });
        }
    }
    Ok(a.into_iter()
        .filter_map(|(year, va)| {
            let vb = *b.get(&year)?;
            let sum = va + vb;
            Some(PowerRatioRow {
                year,
                a: state_a.to_string(),
                b: state_b.clone(),
                value_a: va,
                value_b: vb,
                ratio: (vb > 0.0).then(|| va / vb),
                share_a: (sum > 0.0).then(|| va / sum),
                share_b: (sum > 0.0).then(|| vb / sum),
            })
        })
        .collect())
}

/// The indicators `power-ratio` compares (rows of `country_year`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PowerIndicator {
    /// GDP, current USD (World Bank WDI).
    #[default]
    GdpUsd,
    /// Population (World Bank WDI).
    Population,
    /// COW NMC composite index of national capability.
    Cinc,
    /// COW NMC military expenditure (thousands of current USD / GBP).
    MilexCow,
    /// SIPRI military expenditure, million constant 2022 USD.
    #[serde(rename = "milex_const2022_usd_m")]
    MilexConst2022UsdM,
    /// SIPRI military expenditure, million current USD.
    #[serde(rename = "milex_current_usd_m")]
    MilexCurrentUsdM,
    /// SIPRI military expenditure as a share of GDP.
    MilexShareGdp,
}

impl PowerIndicator {
    /// The indicator's name in `country_year`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GdpUsd => "gdp_usd",
            Self::Population => "population",
            Self::Cinc => "cinc",
            Self::MilexCow => "milex_cow",
            Self::MilexConst2022UsdM => "milex_const2022_usd_m",
            Self::MilexCurrentUsdM => "milex_current_usd_m",
            Self::MilexShareGdp => "milex_share_gdp",
        }
    }
}

/// Parameters of `pivot measure power-ratio`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PowerRatioParams {
    /// State A, the numerator.
    pub focal: crate::params::Country,
    /// State B, the denominator (exactly one).
    pub partners: crate::params::Partners,
    /// Years.
    #[serde(default)]
    pub years: crate::params::Years,
    /// The indicator.
    #[serde(default)]
    pub indicator: PowerIndicator,
}

impl crate::params::Validate for PowerRatioParams {
    fn validate(&self) -> std::result::Result<(), crate::params::ParamError> {
        if self.partners.0.len() != 1 {
            return Err(crate::params::ParamError::new(
                "partners",
                Some(self.partners.0.join(",")),
                "power-ratio compares two states: give exactly one partner (--partner)",
            ));
        }
        Ok(())
    }
}

/// The `power-ratio` measure.
pub struct PowerRatio;

impl crate::measure::Measure for PowerRatio {
    type Params = PowerRatioParams;
    type Row = PowerRatioRow;
    const NAME: &'static str = "power-ratio";
    const DIMENSION: crate::Dimension = crate::Dimension::Power;
    const TABLES: &'static [crate::Table] = &[crate::Table::CountryYear];
    const SOURCE: &'static str = include_str!("power_ratio.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let Some(b) = p.partners.0.first() else {
            return Err(crate::params::ParamError::new(
                "partners",
                None,
                "give exactly one partner",
            )
            .into());
        };
        let a = &p.focal.0;
        let ind = p.indicator.as_str();
        let vals = data.indicator(ind, &[a.clone(), b.clone()], &p.years)?;
        if vals.is_empty() {
            return Err(MeasureError::MissingData {
                what: format!("indicator '{ind}' for {a} or {b} in {}", p.years.range()),
                hint: "pivot data list shows what is loaded".into(),
            });
        }
        let rows = power_ratio(&vals, p)?;
        Ok(crate::measure::Output::rows(rows).note(format!("indicator: {ind}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::assert_close;
    use proptest::prelude::*;

    fn params(a: &str, b: &str) -> PowerRatioParams {
        PowerRatioParams {
            focal: crate::params::Country(a.into()),
            partners: crate::params::Partners(vec![b.into()]),
            years: crate::params::Years::ALL,
            indicator: PowerIndicator::default(),
        }
    }

    fn iv(c: &str, y: i32, v: f64) -> IndicatorValue {
        IndicatorValue {
            country: c.into(),
            year: y,
            value: v,
        }
    }

    #[test]
    fn ratio_and_shares_hand_computed() {
        // SIPRI constant 2022 US$ m, 2014: CHN 193,619, RUS 80,482.
        // ratio = 193619/80482 = 2.4057428990…; share_CHN = 193619/274101 = 0.7063783058…
        // 2000 has only CHN → no row; 2023: CHN 309,484, RUS 126,473.
        let s = vec![
            iv("CHN", 2000, 44_578.0),
            iv("CHN", 2014, 193_619.0),
            iv("RUS", 2014, 80_482.0),
            iv("CHN", 2023, 309_484.0),
            iv("RUS", 2023, 126_473.0),
        ];
        let rows = power_ratio(&s, &params("CHN", "RUS")).unwrap();
        assert_eq!(
            rows.iter().map(|r| r.year).collect::<Vec<_>>(),
            vec![2014, 2023]
        );
        assert_close(rows[0].ratio.unwrap(), 193_619.0 / 80_482.0);
        assert_close(rows[0].ratio.unwrap(), 2.405_742_899_033_324_3);
        assert_close(rows[0].share_a.unwrap(), 193_619.0 / 274_101.0);
        assert_close(rows[0].share_a.unwrap() + rows[0].share_b.unwrap(), 1.0);
    }

    #[test]
    fn zeros_duplicates_and_negatives() {
        let cfg = params("A", "B");
        let rows = power_ratio(
            &[
                iv("A", 1, 5.0),
                iv("B", 1, 0.0),
                iv("A", 2, 0.0),
                iv("B", 2, 0.0),
            ],
            &cfg,
        )
        .unwrap();
        assert_eq!((rows[0].ratio, rows[0].share_a), (None, Some(1.0)));
        assert_eq!(
            (rows[1].ratio, rows[1].share_a, rows[1].share_b),
            (None, None, None)
        );
        assert!(matches!(
            power_ratio(&[iv("A", 1, 1.0), iv("A", 1, 2.0)], &cfg),
            Err(MeasureError::Duplicate { .. })
        ));
        assert!(matches!(
            power_ratio(&[iv("B", 1, -2.0)], &cfg),
            Err(MeasureError::InvalidValue { .. })
        ));
        assert!(power_ratio(&[], &params("A", "A")).is_err());
    }

    proptest! {
        #[test]
        fn shares_sum_to_one(a in 0.0f64..1e12, b in 0.0f64..1e12) {
            prop_assume!(a + b > 0.0);
            let rows = power_ratio(&[iv("A", 1, a), iv("B", 1, b)], &params("A", "B")).unwrap();
            let r = &rows[0];
            prop_assert!((r.share_a.unwrap() + r.share_b.unwrap() - 1.0).abs() < 1e-12);
            prop_assert!((0.0..=1.0).contains(&r.share_a.unwrap()));
        }
    }
}
