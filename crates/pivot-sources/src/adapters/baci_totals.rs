//! BACI trade totals per exporter, importer and year (`year,exporter,importer,trade_value_usd`:
//! BACI country codes, the sum of BACI's `v` over HS6 products in **thousand** current USD
//! despite the column's name) → `trade_flows`, one all-goods row (`product = TOTAL`, basis
//! `reconciled`) per pair and year, in million USD (÷ 1,000).
//!
//! Codes resolve through BACI's country table (ISO 3166 numeric with BACI's own: 699 India, 251
//! France, 757 Switzerland, 842 USA, 490 Taiwan); an unknown code, a self-flow, a repeated
//! (year, exporter, importer) — also when two codes name the same state — and an empty,
//! negative or non-finite value are errors naming file, line and field. A pair with no report in
//! the release is simply absent: the engine lists partners that vanish against earlier years.

use std::collections::HashSet;

use super::{Adapter, Ctx, Stats, duplicate, info};
use crate::canonical::{Batcher, TradeFlow};
use crate::input::{Csv, Row};
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// The BACI totals adapter.
pub struct BaciTotals;

const COLS: &[&str] = &["year", "exporter", "importer", "trade_value_usd"];

fn code(ctx: &Ctx<'_>, r: &Row<'_>, col: &str) -> Result<String, SourceError> {
    let c = r.i64(col)?;
    u16::try_from(c)
        .ok()
        .filter(|c| *c <= 999)
        .and_then(|c| ctx.countries.by_m49(c))
        .map(|c| c.iso3.clone())
        .ok_or_else(|| {
            r.err(
                col,
                "is not a BACI country code pivot knows (ISO 3166 numeric or BACI's own, e.g. 699 India; see pivot country m49:CODE)",
            )
        })
}

impl Adapter for BaciTotals {
    fn name(&self) -> &'static str {
        "baci-totals"
    }
    fn summary(&self) -> &'static str {
        "BACI totals per pair and year (year, exporter, importer, trade_value_usd in thousand USD; BACI country codes)"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "baci_totals",
            "BACI: trade totals per exporter, importer and year (sum over HS6 products)",
            "CEPII (aggregated by tomasdata/Trade-Finance)",
            "V202501 (HS92), totals 2012–2023",
            "Etalab Open Licence 2.0 (\"Source: CEPII, BACI\"; not verified against CEPII's page)",
            "Gaulier, G. and Zignago, S. (2010), BACI: International Trade Database at the Product-Level. The 1994-2007 Version, CEPII Working Paper 2010-23. Release V202501 (HS92), summed over products per exporter, importer and year by github.com/tomasdata/Trade-Finance (commit 5a723ec), years 2012-2023.",
            "@techreport{gaulier2010,\n  author = {Gaulier, Guillaume and Zignago, Soledad},\n  title = {BACI: International Trade Database at the Product-Level. The 1994-2007 Version},\n  institution = {CEPII},\n  type = {Working Paper},\n  number = {2010-23},\n  year = {2010},\n  note = {Release V202501 (HS92), totals per exporter, importer and year 2012--2023}\n}",
            &["trade_flows"],
            &[
                "Values in thousand current USD stored as million USD; FOB, reconciled from exporter and importer reports (BACI), summed over HS6 products.",
                "A pair with no report in the release is absent, not zero (where neither side's report reached it): Russia-Belarus from 2022; in 2023 Russia's flows with South Korea, Viet Nam, Iran, Mongolia and others, and South Korea-Viet Nam. Totals and shares of those years are of the reported flows only.",
                "Level break against COW (mostly importer-reported, CIF) and IMF DOTS (exporter-reported FOB); the 2012-2014 overlap with COW measures it.",
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
        // (year, exporter, importer) over all inputs, after codes become ISO3: two codes of
        // one state (a release's old and new code) would otherwise count its trade twice.
        let mut seen: HashSet<(i32, String, String)> = HashSet::new();
        for input in inputs {
            let mut csv = Csv::open(input, b',', 0, COLS, "BACI totals")?;
            let mut n = 0u64;
            while let Some(r) = csv.next_row() {
                let r = r?;
                n += 1;
                if n.is_multiple_of(8_192) {
                    (ctx.progress)(8_192);
                }
                let year = r.year("year")?;
                let exporter = code(ctx, &r, "exporter")?;
                let importer = code(ctx, &r, "importer")?;
                if exporter == importer {
                    return Err(r.err(
                        "importer",
                        format!("is the exporter itself ({exporter}): BACI has no own-trade rows"),
                    ));
                }
                let s = r.str("trade_value_usd");
                let thousand = match s.parse::<f64>() {
                    _ if s.is_empty() => {
                        return Err(r.err(
                            "trade_value_usd",
                            "is empty (a pair with no trade has no row)",
                        ));
                    }
                    Ok(v) if v.is_finite() && v >= 0.0 => v,
                    Ok(v) if v < 0.0 => {
                        return Err(r.err("trade_value_usd", "is negative (trade cannot be)"));
                    }
                    _ => {
                        return Err(
                            r.err("trade_value_usd", "is not a number (thousand current US$)")
                        );
                    }
                };
                let v = r.flow_usd_m("trade_value_usd", thousand / 1_000.0)?;
                if !seen.insert((year, exporter.clone(), importer.clone())) {
                    return Err(duplicate(
                        &r,
                        "importer",
                        &format!("{year} {exporter}->{importer}"),
                    ));
                }
                stats.year(year);
                out.push(
                    TradeFlow {
                        year,
                        exporter,
                        importer,
                        product: "TOTAL".into(),
                        value_usd_m: v,
                        quantity_t: None,
                        source: "baci_totals".into(),
                        basis: "reconciled".into(),
                    },
                    sink,
                )?;
            }
            (ctx.progress)(n % 8_192);
        }
        out.flush(sink)?;
        stats.add("trade_flows", out.total);
        Ok(stats)
    }
}
