//! SIPRI Military Expenditure Database, pivot's long form (`country, region, subregion, year,
//! measure, value, status, sipri_flag, notes`) → `country_year` with indicators
//! `milex_const2022_usd_m`, `milex_current_usd_m`, `milex_share_gdp`, `milex_per_capita_usd`,
//! `milex_share_govt`. SIPRI's estimate (blue) and uncertain (red) marks are kept as flags.

use std::collections::HashSet;

use super::{Adapter, Ctx, Stats, duplicate, info};
use crate::canonical::{Batcher, CountryYear};
use crate::input::Csv;
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// The SIPRI milex adapter.
pub struct SipriMilex;

const MEASURES: &[(&str, &str, &str)] = &[
    (
        "constant_2022_usd_m",
        "milex_const2022_usd_m",
        "million USD, constant 2022 prices and exchange rates",
    ),
    (
        "current_usd_m",
        "milex_current_usd_m",
        "million current USD",
    ),
    ("share_of_gdp", "milex_share_gdp", "fraction of GDP"),
    (
        "per_capita_current_usd",
        "milex_per_capita_usd",
        "current USD per person",
    ),
    (
        "share_of_govt_spending",
        "milex_share_govt",
        "fraction of general government expenditure",
    ),
];

impl Adapter for SipriMilex {
    fn name(&self) -> &'static str {
        "sipri-milex"
    }
    fn indicators(&self) -> Vec<&'static str> {
        MEASURES.iter().map(|m| m.1).collect()
    }
    fn summary(&self) -> &'static str {
        "SIPRI military expenditure, long CSV (country, year, measure, value, status, sipri_flag)"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "sipri_milex",
            "SIPRI Military Expenditure Database",
            "Stockholm International Peace Research Institute",
            "2024 release (1948-2023, constant 2022 USD)",
            "use with attribution as generally understood (not verified); show 'Source: SIPRI Military Expenditure Database'",
            "Stockholm International Peace Research Institute, SIPRI Military Expenditure Database 2024, https://www.sipri.org/databases/milex.",
            "@misc{sipri_milex_2024,\n  author = {{Stockholm International Peace Research Institute}},\n  title = {SIPRI Military Expenditure Database},\n  year = {2024},\n  url = {https://www.sipri.org/databases/milex}\n}",
            &["country_year"],
            &[
                "USSR (SUN) and Russia (RUS) are separate rows: USSR has constant-dollar values for 1988-1990 only; Russia starts in 1992.",
                "Every Chinese value is a SIPRI estimate; constant 2022 USD cannot be mixed with later releases.",
            ],
        )
    }
    fn read(
        &self,
        inputs: &[Input],
        ctx: &Ctx<'_>,
        sink: &mut dyn TableSink,
    ) -> Result<Stats, SourceError> {
        let mut stats = Stats::default();
        let mut out = Batcher::<CountryYear>::new(None);
        for input in inputs {
            let mut csv = Csv::open(
                input,
                b',',
                0,
                &[
                    "country",
                    "year",
                    "measure",
                    "value",
                    "status",
                    "sipri_flag",
                ],
                "SIPRI milex (long)",
            )?;
            let mut seen = HashSet::new();
            while let Some(r) = csv.next_row() {
                let r = r?;
                let name = r.str("country");
                let country = ctx
                    .countries
                    .by_name(name)
                    .map(|c| c.iso3.clone())
                    .ok_or_else(|| {
                        r.err(
                            "country",
                            "is not a country pivot knows; see pivot country NAME",
                        )
                    })?;
                let year = r.year("year")?;
                let m = r.str("measure");
                let (_, indicator, unit) = MEASURES
                    .iter()
                    .find(|x| x.0 == m)
                    .ok_or_else(|| r.err("measure", "is not a SIPRI milex measure pivot knows"))?;
                if !seen.insert((country.clone(), year, *indicator)) {
                    return Err(duplicate(&r, "year", &format!("{country} {year} {m}")));
                }
                let value = r.opt_f64("value")?;
                let status = r.opt_str("status");
                if value.is_none() && status.is_none() {
                    return Err(r.err("value", "is empty without a status"));
                }
                if value.is_some_and(|v| v < 0.0) {
                    return Err(r.err("value", "is negative"));
                }
                stats.year(year);
                out.push(
                    CountryYear {
                        country,
                        year,
                        indicator: indicator.to_string(),
                        value,
                        unit: unit.to_string(),
                        flag: status.or(r.opt_str("sipri_flag")).map(str::to_string),
                        source: "sipri_milex".into(),
                    },
                    sink,
                )?;
            }
        }
        out.flush(sink)?;
        stats.add("country_year", out.total);
        Ok(stats)
    }
}
