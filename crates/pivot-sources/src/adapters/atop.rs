//! ATOP v5.0 alliance obligations as directed dyad-years (`ccode1, ccode2, year, atop_defense,
//! atop_offense, atop_neutral, atop_nonagg, atop_consul`; each pair in both orders) →
//! `alliances`, one undirected row per dyad-year (`ccode1 < ccode2`). Obligations can be
//! asymmetric (ATOP 5.0 has 650 dyad-years where the two directions differ, e.g. a defence
//! promise one way only): the undirected row carries an obligation when either direction has it,
//! and such dyad-years are counted in the ingest notes.

use std::collections::HashMap;

use super::{Adapter, Ctx, Stats, duplicate, info};
use crate::canonical::{Alliance, Batcher};
use crate::input::Csv;
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// One undirected dyad-year being assembled: (flags, seen low-first, seen high-first, ISO3 of
/// the low code, ISO3 of the high code).
type Pair = ([bool; 5], bool, bool, String, String);

/// The ATOP adapter.
pub struct Atop;

const FLAGS: [&str; 5] = [
    "atop_defense",
    "atop_offense",
    "atop_neutral",
    "atop_nonagg",
    "atop_consul",
];

impl Adapter for Atop {
    fn name(&self) -> &'static str {
        "atop"
    }
    fn summary(&self) -> &'static str {
        "ATOP alliance dyad-years (ccode1, ccode2, year, atop_defense … atop_consul)"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "atop",
            "Alliance Treaty Obligations and Provisions (dyad-year)",
            "ATOP project (via peacesciencer 1.2.9)",
            "v5.0 (1815-2018)",
            "free for use with citation (not verified as a formal licence)",
            "Leeds, Brett Ashley, Jeffrey M. Ritter, Sara McLaughlin Mitchell and Andrew G. Long (2002), Alliance Treaty Obligations and Provisions, 1815-1944, International Interactions 28: 237-260. ATOP v5.0.",
            "@article{leeds2002,\n  author = {Leeds, Brett Ashley and Ritter, Jeffrey M. and Mitchell, Sara McLaughlin and Long, Andrew G.},\n  title = {Alliance Treaty Obligations and Provisions, 1815-1944},\n  journal = {International Interactions},\n  volume = {28},\n  pages = {237--260},\n  year = {2002}\n}",
            &["alliances"],
            &["Dyads with no obligation in a year are absent (no alliance)."],
        )
    }
    fn read(
        &self,
        inputs: &[Input],
        ctx: &Ctx<'_>,
        sink: &mut dyn TableSink,
    ) -> Result<Stats, SourceError> {
        let mut stats = Stats::default();
        let mut out = Batcher::<Alliance>::new(None);
        let cols: Vec<&str> = ["ccode1", "ccode2", "year"]
            .into_iter()
            .chain(FLAGS)
            .collect();
        for input in inputs {
            let mut csv = Csv::open(input, b',', 0, &cols, "ATOP dyad-year")?;
            let mut asymmetric = 0u64;
            let mut pairs: HashMap<(i64, i64, i32), Pair> = HashMap::new();
            while let Some(r) = csv.next_row() {
                let r = r?;
                let c1 = r.i64("ccode1")?;
                let c2 = r.i64("ccode2")?;
                let (i1, _) = ctx.cow(&r, "ccode1")?;
                let (i2, _) = ctx.cow(&r, "ccode2")?;
                let year = r.year("year")?;
                let mut f = [false; 5];
                for (k, col) in FLAGS.iter().enumerate() {
                    f[k] = r.flag(col)?;
                }
                let (lo, hi, a, b, forward) = if c1 < c2 {
                    (c1, c2, i1, i2, true)
                } else {
                    (c2, c1, i2, i1, false)
                };
                let e = pairs
                    .entry((lo, hi, year))
                    .or_insert((f, false, false, a, b));
                if (forward && e.1) || (!forward && e.2) {
                    return Err(duplicate(&r, "year", &format!("{c1}-{c2} {year}")));
                }
                if e.0 != f {
                    asymmetric += 1;
                    for (a, b) in e.0.iter_mut().zip(f) {
                        *a |= b;
                    }
                }
                if forward {
                    e.1 = true
                } else {
                    e.2 = true
                }
                stats.year(year);
            }
            stats.drop_note(
                asymmetric,
                "dyad-years whose two directed rows carry different obligations (asymmetric treaties): merged, an obligation counts if either direction has it",
            );
            let mut keys: Vec<_> = pairs.into_iter().collect();
            keys.sort_by_key(|(k, _)| *k);
            for ((lo, hi, year), (f, _, _, a, b)) in keys {
                out.push(
                    Alliance {
                        year,
                        state_a: a,
                        state_b: b,
                        cow_a: lo as i32,
                        cow_b: hi as i32,
                        defense: f[0],
                        offense: f[1],
                        neutral: f[2],
                        nonagg: f[3],
                        consul: f[4],
                    },
                    sink,
                )?;
            }
        }
        out.flush(sink)?;
        stats.add("alliances", out.total);
        Ok(stats)
    }
}
