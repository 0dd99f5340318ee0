//! World Bank WDI indicators → `country_year`, in two layouts:
//! - long (datahub packages): `country_name, iso3, year, <value column>` where the value column
//!   is `gdp_current_usd` or `population` (or `value` with the indicator from the file name);
//! - the WDI download (`API_*.csv`): four preamble lines, then `Country Name, Country Code,
//!   Indicator Name, Indicator Code, 1960, 1961, …`.
//!
//! World Bank aggregates (WLD, EUU, income groups …) are dropped and counted, and so are the
//! World Bank's own codes for places with no ISO3 of their own ([`WB_NON_ISO`]: CHI, the Channel
//! Islands, which ISO splits into Jersey and Guernsey); any other code that is not a country is
//! an error.

use std::collections::HashSet;

use super::{Adapter, Ctx, Stats, duplicate, info};
use crate::canonical::{Batcher, CountryYear};
use crate::input::Csv;
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// The World Bank adapter.
pub struct WorldBank;

/// World Bank aggregate codes (regions, income and lending groups, demographic groups).
pub const WB_AGGREGATES: &[&str] = &[
    "AFE", "AFW", "ARB", "CEB", "CSS", "EAP", "EAR", "EAS", "ECA", "ECS", "EMU", "EUU", "FCS",
    "HIC", "HPC", "IBD", "IBT", "IDA", "IDB", "IDX", "INX", "LAC", "LCN", "LDC", "LIC", "LMC",
    "LMY", "LTE", "MEA", "MIC", "MNA", "NAC", "OED", "OSS", "PRE", "PSS", "PST", "SAS", "SSA",
    "SSF", "SST", "TEA", "TEC", "TLA", "TMN", "TSA", "TSS", "UMC", "WLD",
];

/// World Bank economy codes that are neither aggregates nor ISO3 countries.
pub const WB_NON_ISO: &[&str] = &["CHI"];

fn indicator_of(code: &str) -> Option<(&'static str, &'static str)> {
    match code {
        "gdp_current_usd" | "NY.GDP.MKTP.CD" => Some(("gdp_usd", "current USD")),
        "population" | "SP.POP.TOTL" => Some(("population", "persons")),
        "NY.GDP.PCAP.CD" => Some(("gdp_per_capita_usd", "current USD per person")),
        "NY.GDP.MKTP.PP.CD" => Some(("gdp_ppp_usd", "current international USD (PPP)")),
        "NE.TRD.GNFS.ZS" => Some(("trade_share_gdp_pct", "percent of GDP")),
        _ => None,
    }
}

impl Adapter for WorldBank {
    fn name(&self) -> &'static str {
        "worldbank"
    }
    fn indicators(&self) -> Vec<&'static str> {
        [
            "gdp_current_usd",
            "population",
            "NY.GDP.PCAP.CD",
            "NY.GDP.MKTP.PP.CD",
            "NE.TRD.GNFS.ZS",
        ]
        .iter()
        .filter_map(|c| indicator_of(c).map(|i| i.0))
        .collect()
    }
    fn summary(&self) -> &'static str {
        "World Bank WDI: API_*.csv download (wide) or long CSV (country_name, iso3, year, gdp_current_usd|population)"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "wb_wdi",
            "World Development Indicators: GDP (current US$) and population",
            "World Bank (via datahub.io data packages)",
            "datasets/gdp @822019c, datasets/population @425fc44 (GDP 1960-2023, population 1960-2024)",
            "ODC-PDDL-1.0 (data packages); World Bank publishes WDI under CC BY 4.0 (not verified)",
            "World Bank, World Development Indicators, series NY.GDP.MKTP.CD and SP.POP.TOTL, https://data.worldbank.org.",
            "@misc{wb_wdi,\n  author = {{World Bank}},\n  title = {World Development Indicators},\n  url = {https://data.worldbank.org}\n}",
            &["country_year"],
            &["GDP in current US dollars; World Bank aggregates dropped. No GDP at PPP bundled."],
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
        let mut aggregates = 0;
        let mut non_iso = 0;
        let mut seen = HashSet::new();
        for input in inputs {
            let text = input.read_all()?;
            let wide = text.starts_with(b"\"Data Source\"")
                || text.starts_with(b"\xef\xbb\xbf\"Data Source\"");
            let mut csv = if wide {
                Csv::open(
                    input,
                    b',',
                    4,
                    &["Country Code", "Indicator Code"],
                    "World Bank WDI download",
                )?
            } else {
                Csv::open(input, b',', 0, &["iso3", "year"], "World Bank long CSV")?
            };
            // Every indicator column of a long file is read (a file with GDP and population
            // lost its population when only the first was); `value` only when neither is there.
            let mut value_cols: Vec<&str> = ["gdp_current_usd", "population"]
                .into_iter()
                .filter(|c| csv.has(c))
                .collect();
            if value_cols.is_empty() && csv.has("value") {
                value_cols.push("value");
            }
            let header = csv.header().to_vec();
            while let Some(r) = csv.next_row() {
                let r = r?;
                let code_col = if wide { "Country Code" } else { "iso3" };
                let code = r.str(code_col);
                if WB_AGGREGATES.contains(&code) {
                    aggregates += 1;
                    continue;
                }
                if WB_NON_ISO.contains(&code) {
                    non_iso += 1;
                    continue;
                }
                let country = ctx
                    .countries
                    .by_iso3(code)
                    .map(|c| c.iso3.clone())
                    .ok_or_else(|| {
                        r.err(
                            code_col,
                            "is neither a country nor a known World Bank aggregate",
                        )
                    })?;
                let mut emit = |year: i32,
                                col: &str,
                                ind: &str,
                                unit: &str,
                                v: Option<f64>|
                 -> Result<(), SourceError> {
                    if !seen.insert((country.clone(), year, ind.to_string())) {
                        return Err(duplicate(&r, code_col, &format!("{country} {year} {ind}")));
                    }
                    let Some(v) = v else { return Ok(()) };
                    if v < 0.0 {
                        return Err(r.err(col, format!("{ind} {year} is negative")));
                    }
                    stats.year(year);
                    out.push(
                        CountryYear {
                            country: country.clone(),
                            year,
                            indicator: ind.to_string(),
                            value: Some(v),
                            unit: unit.to_string(),
                            flag: None,
                            source: "wb_wdi".into(),
                        },
                        sink,
                    )?;
                    Ok(())
                };
                if wide {
                    let code = r.str("Indicator Code").to_string();
                    let (ind, unit) = indicator_of(&code)
                        .ok_or_else(|| r.err("Indicator Code", "is not an indicator pivot maps"))?;
                    for h in &header {
                        if let Ok(year) = h.parse::<i32>() {
                            let v = r.opt_f64(h)?;
                            emit(year, h, ind, unit, v)?;
                        }
                    }
                } else {
                    if value_cols.is_empty() {
                        return Err(r.err(
                            "iso3",
                            "no value column (gdp_current_usd, population or value)",
                        ));
                    }
                    let year = r.year("year")?;
                    for col in &value_cols {
                        let (ind, unit) = indicator_of(col).unwrap_or(("value", "as published"));
                        let v = r.opt_f64(col)?;
                        emit(year, col, ind, unit, v)?;
                    }
                }
            }
        }
        out.flush(sink)?;
        stats.add("country_year", out.total);
        stats.drop_note(
            aggregates,
            "World Bank aggregate rows (WLD, EUU, income groups …) dropped",
        );
        stats.drop_note(
            non_iso,
            "rows of World Bank codes with no ISO3 country (CHI, Channel Islands) dropped",
        );
        Ok(stats)
    }
}
