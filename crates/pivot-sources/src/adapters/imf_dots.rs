//! IMF Direction of Trade Statistics (DOTS), "Exports, FOB to Partner Countries", in the wide
//! layout of the bundled download: an unnamed running index, `from` (the reporting exporter),
//! `to` (the partner importer), then one column per year (`2019`, `2020`) in million current
//! USD → `trade_flows`, one exporter-reported all-goods row (`product = TOTAL`) per country pair
//! and year column.
//!
//! Codes are ISO 3166 alpha-2 (Namibia is the string `NA`, never a missing value), resolved
//! through pivot-vocab; a code that is not a country is an error, except IMF's aggregate codes
//! ([`IMF_AGGREGATES`]: World, EU, euro area, regional and analytical groups) and its
//! "countries and areas not specified" partner ([`IMF_NOT_SPECIFIED`]), whose rows are dropped
//! and counted. Every year cell must be a number of at least zero: the DOTS download has no
//! blanks (a reporter that did not report a year has no rows for it), so an empty cell is an
//! error, not a zero. Zeros are kept as written (DOTS rounds to US$ 0.1 million).

use std::collections::HashSet;

use super::{Adapter, Ctx, Stats, duplicate, info};
use crate::canonical::{Batcher, TradeFlow};
use crate::input::{Csv, Row};
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// The IMF DOTS adapter.
pub struct ImfDots;

const COLS: &[&str] = &["from", "to"];

/// IMF DOTS aggregate codes (areas, not countries), as listed in `data/SOURCES.md` §13: `W00`
/// World, `B0` EU, `U2` euro area, and regional and analytical groups. Five of them are two
/// characters long with a digit, so they can never be taken for an ISO alpha-2 code.
pub const IMF_AGGREGATES: &[&str] = &[
    "W00", "B0", "U2", "E1", "F1", "F6", "1C_080", "1C_092", "1C_440", "1C_903", "A10", "A109",
    "E19", "F19", "F97", "F979", "R14", "S19", "X88", "XR29", "XR43", "XR99", "XS25", "XS5",
];

/// IMF's partner code for "countries and areas not specified": a residual, not a country.
pub const IMF_NOT_SPECIFIED: &str = "_X";

/// What a `from` or `to` code names.
enum Code {
    Country(String),
    Aggregate,
    NotSpecified,
}

fn code(ctx: &Ctx<'_>, r: &Row<'_>, col: &str) -> Result<Code, SourceError> {
    let s = r.str(col);
    if IMF_AGGREGATES.contains(&s) {
        return Ok(Code::Aggregate);
    }
    if s == IMF_NOT_SPECIFIED {
        return Ok(Code::NotSpecified);
    }
    if s.len() != 2 || !s.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(r.err(
            col,
            if s.is_empty() {
                "is empty (Namibia is written NA, not left blank)"
            } else {
                "is neither an ISO alpha-2 country code nor an IMF aggregate code"
            },
        ));
    }
    ctx.countries
        .by_iso2(s)
        .filter(|c| c.kind != pivot_vocab::CountryKind::Area)
        .map(|c| Code::Country(c.iso3.clone()))
        .ok_or_else(|| {
            r.err(
                col,
                "is not an ISO alpha-2 country code pivot knows (see pivot country iso2:CODE)",
            )
        })
}

/// A year cell: a number of at least zero, never empty.
fn value(r: &Row<'_>, col: &str) -> Result<f64, SourceError> {
    let s = r.str(col);
    if s.is_empty() {
        return Err(r.err(
            col,
            "is empty (the DOTS download has no blanks: a reporter that did not report a year has no rows for it)",
        ));
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Ok(v) if v < 0.0 => Err(r.err(col, "is negative (exports cannot be)")),
        _ => Err(r.err(col, "is not a number (million current US$)")),
    }
}

impl Adapter for ImfDots {
    fn name(&self) -> &'static str {
        "imf-dots"
    }
    fn summary(&self) -> &'static str {
        "IMF DOTS exports FOB by partner, wide CSV (index, from, to, one column per year; million USD, ISO alpha-2)"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "imf_dots",
            "IMF Direction of Trade Statistics: exports FOB to partner countries",
            "International Monetary Fund",
            "DOTS 2019–2020 (retrieved 2022)",
            "IMF terms of use: redistribution with attribution (\"Source: IMF Direction of Trade Statistics\"); not verified",
            "International Monetary Fund, Direction of Trade Statistics (DOTS), exports FOB to partner countries, annual, 2019–2020 (retrieved 2022). https://data.imf.org.",
            "@misc{imf_dots,\n  author = {{International Monetary Fund}},\n  title = {Direction of Trade Statistics (DOTS): Exports, FOB to Partner Countries, annual, 2019--2020},\n  year = {2022},\n  note = {Retrieved 2022},\n  url = {https://data.imf.org}\n}",
            &["trade_flows"],
            &[
                "Values in million current USD, rounded to 0.1 million; exports FOB as reported by the exporter (basis exporter-reported). A dyad's total trade is X_ij + X_ji, from two reporters.",
                "Level break against COW trade (mostly importer-reported, CIF): say so where the two series meet, and never interpolate 2015–2018.",
                "Reporters that did not report a year are absent for it, not zero; Taiwan appears as a partner only; AN (Netherlands Antilles, dissolved 2010) is kept as ANT. IMF aggregates (W00 World, B0 EU …) and the partner _X (not specified) are dropped.",
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
        let mut out = Batcher::<TradeFlow>::new(None);
        let (mut aggregates, mut not_specified) = (0u64, 0u64);
        // (year, exporter, importer) over all inputs: two files may carry different years.
        let mut seen: HashSet<(i32, String, String)> = HashSet::new();
        for input in inputs {
            let mut csv = Csv::open(input, b',', 0, COLS, "IMF DOTS exports")?;
            let years: Vec<(String, i32)> = csv
                .header()
                .iter()
                .filter(|h| h.len() == 4 && h.bytes().all(|b| b.is_ascii_digit()))
                .filter_map(|h| Some((h.clone(), h.parse::<i32>().ok()?)))
                .filter(|(_, y)| (1000..=2999).contains(y))
                .collect();
            if years.is_empty() {
                return Err(SourceError::Header {
                    file: input.name(),
                    line: 1,
                    missing: "a year column (2019, 2020 …)".into(),
                    found: csv.header().join(", "),
                    format: "IMF DOTS exports".into(),
                });
            }
            // A column that is neither the index, from, to nor a year would be dropped
            // unread: refused, so a renamed or misspelt year never goes missing quietly.
            if let Some(h) = csv.header().iter().find(|h| {
                let h = h.trim();
                !(h.is_empty()
                    || h == "index"
                    || COLS.contains(&h)
                    || years.iter().any(|(y, _)| y.as_str() == h))
            }) {
                return Err(SourceError::Row {
                    file: input.name(),
                    line: 1,
                    problem: format!(
                        "column '{h}' is neither the index, from, to nor a year (four digits, 1000-2999); an IMF DOTS exports file has only those"
                    ),
                });
            }
            for (_, y) in &years {
                stats.year(*y);
            }
            let mut n = 0u64;
            while let Some(r) = csv.next_row() {
                let r = r?;
                n += 1;
                if n.is_multiple_of(8_192) {
                    (ctx.progress)(8_192);
                }
                let from = code(ctx, &r, "from")?;
                let to = code(ctx, &r, "to")?;
                let (exporter, importer) = match (from, to) {
                    (Code::Country(e), Code::Country(i)) => (e, i),
                    (Code::Aggregate, _) | (_, Code::Aggregate) => {
                        aggregates += 1;
                        continue;
                    }
                    _ => {
                        not_specified += 1;
                        continue;
                    }
                };
                if exporter == importer {
                    return Err(r.err("to", "is the reporter itself (DOTS has no own-trade rows)"));
                }
                for (col, year) in &years {
                    let v = r.flow_usd_m(col, value(&r, col)?)?;
                    if !seen.insert((*year, exporter.clone(), importer.clone())) {
                        return Err(duplicate(
                            &r,
                            "to",
                            &format!("{year} {exporter}->{importer}"),
                        ));
                    }
                    out.push(
                        TradeFlow {
                            year: *year,
                            exporter: exporter.clone(),
                            importer: importer.clone(),
                            product: "TOTAL".into(),
                            value_usd_m: v,
                            quantity_t: None,
                            source: "imf_dots".into(),
                            basis: "exporter-reported".into(),
                        },
                        sink,
                    )?;
                }
            }
            (ctx.progress)(n % 8_192);
        }
        out.flush(sink)?;
        stats.add("trade_flows", out.total);
        stats.drop_note(
            aggregates,
            "rows with an IMF aggregate (W00 World, B0 EU, U2 euro area, regional groups) as reporter or partner dropped",
        );
        stats.drop_note(
            not_specified,
            "rows with partner _X (IMF: countries and areas not specified) dropped",
        );
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_imf_code_is_taken_for_a_country() {
        // The adapter checks the IMF codes before ISO alpha-2; this keeps the two lists apart
        // in pivot's vocabulary too, so that the order could never matter.
        let c = pivot_vocab::Countries::bundled();
        for code in IMF_AGGREGATES.iter().chain([&IMF_NOT_SPECIFIED]) {
            assert!(c.by_iso2(code).is_none(), "{code} resolves as ISO2");
        }
    }

    #[test]
    fn namibia_is_na() {
        let c = pivot_vocab::Countries::bundled();
        assert_eq!(c.by_iso2("NA").map(|c| c.iso3.as_str()), Some("NAM"));
    }
}
