//! COW Dyadic Trade v4.0 (non-directed dyads `ccode1 < ccode2`; `flow1` = imports of `ccode1`
//! from `ccode2`, `flow2` = imports of `ccode2` from `ccode1`; million current USD; −9/NA
//! missing) → `trade_flows`, one directed row per non-missing flow.

use std::collections::HashMap;

use super::{Adapter, Ctx, Stats, duplicate, info};
use crate::canonical::{Batcher, TradeFlow};
use crate::input::Csv;
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// The COW dyadic trade adapter.
pub struct CowTrade;

const COLS: &[&str] = &["ccode1", "ccode2", "year", "flow1", "flow2"];

impl Adapter for CowTrade {
    fn name(&self) -> &'static str {
        "cow-trade"
    }
    fn summary(&self) -> &'static str {
        "COW Dyadic Trade v4 CSV (ccode1, ccode2, year, flow1, flow2; million USD)"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "cow_trade",
            "Correlates of War Dyadic Trade",
            "Correlates of War Project",
            "v4.0",
            "free for use with citation (not verified as a formal licence)",
            "Barbieri, Katherine and Omar M. G. Keshk. 2016. Correlates of War Project Trade Data Set Codebook, Version 4.0. https://correlatesofwar.org. Barbieri, K., Keshk, O. M. G. and Pollins, B. (2009), Trading Data: Evaluating our Assumptions and Coding Rules, Conflict Management and Peace Science 26(5): 471-491.",
            "@misc{cow_trade_v4,\n  author = {Barbieri, Katherine and Keshk, Omar M. G.},\n  title = {Correlates of War Project Trade Data Set Codebook, Version 4.0},\n  year = {2016},\n  url = {https://correlatesofwar.org}\n}",
            &["trade_flows"],
            &[
                "Values in million current USD, rounded to whole millions (peacesciencer); COW blends IMF DOTS and other sources with imputation.",
                "Dyads whose flows are all missing are absent, not zero. Ends in 2014.",
                "COW 365 is mapped to RUS for all years (USSR before 1992).",
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
        for input in inputs {
            let mut csv = Csv::open(input, b',', 0, COLS, "COW dyadic trade")?;
            // Key -> whether the row came through a continuity alias (COW 260 -> DEU). Rows of
            // primary codes are pushed at once; alias rows wait until the end, in case the
            // primary code reports the same dyad-year (1990).
            let mut seen: HashMap<(i32, [u8; 3], [u8; 3]), bool> = HashMap::new();
            let mut held: Vec<TradeFlow> = Vec::new();
            let mut overlap_dropped = 0u64;
            let mut n = 0u64;
            while let Some(r) = csv.next_row() {
                let r = r?;
                let c1 = r.i64("ccode1")?;
                let c2 = r.i64("ccode2")?;
                if c1 >= c2 {
                    return Err(r.err(
                        "ccode2",
                        format!("must be greater than ccode1 ({c1}) in a non-directed dyad"),
                    ));
                }
                let (a, alias_a) = ctx.cow(&r, "ccode1")?;
                let (b, alias_b) = ctx.cow(&r, "ccode2")?;
                let year = r.year("year")?;
                stats.year(year);
                let alias = alias_a || alias_b;
                // flow1: imports of ccode1 from ccode2 => exporter ccode2, importer ccode1.
                for (col, exporter, importer) in [("flow1", &b, &a), ("flow2", &a, &b)] {
                    let v = match r.opt_f64(col)? {
                        None => continue,
                        Some(-9.0) => continue,
                        Some(v) if v < 0.0 => {
                            return Err(r.err(col, "is negative (COW codes missing as -9)"));
                        }
                        Some(v) => r.flow_usd_m(col, v)?,
                    };
                    let key = (year, code3(exporter), code3(importer));
                    let row = TradeFlow {
                        year,
                        exporter: exporter.clone(),
                        importer: importer.clone(),
                        product: "TOTAL".into(),
                        value_usd_m: v,
                        quantity_t: None,
                        source: "cow_trade".into(),
                        basis: "cow-blend".into(),
                    };
                    match seen.get(&key).copied() {
                        None if alias => {
                            seen.insert(key, true);
                            held.push(row);
                        }
                        None => {
                            seen.insert(key, false);
                            out.push(row, sink)?;
                        }
                        Some(prev_alias) if prev_alias != alias => {
                            overlap_dropped += 1;
                            if prev_alias {
                                seen.insert(key, false);
                                out.push(row, sink)?;
                            }
                        }
                        Some(_) => {
                            return Err(duplicate(
                                &r,
                                "year",
                                &format!("{year} {exporter}->{importer}"),
                            ));
                        }
                    }
                }
                n += 1;
                if n.is_multiple_of(65_536) {
                    (ctx.progress)(65_536);
                }
            }
            for row in held {
                if seen.get(&(row.year, code3(&row.exporter), code3(&row.importer))) == Some(&true)
                {
                    out.push(row, sink)?;
                }
            }
            stats.drop_note(
                overlap_dropped,
                "flows of COW 260 (German Federal Republic) in 1990 dropped where unified Germany (COW 255) reports the same dyad",
            );
        }
        out.flush(sink)?;
        stats.add("trade_flows", out.total);
        Ok(stats)
    }
}

fn code3(s: &str) -> [u8; 3] {
    let b = s.as_bytes();
    [
        b[0],
        b.get(1).copied().unwrap_or(0),
        b.get(2).copied().unwrap_or(0),
    ]
}
