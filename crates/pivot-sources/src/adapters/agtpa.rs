//! The AGTPA gravity panel (`exporter, importer, pair_id, year, trade, dist, cntg, lang, clny,
//! rta, rta_lag3 … rta_lead4`) → `agtpa_gravity`, kept in the book's own codes (ROM is Romania)
//! so that estimates reproduce the book.

use std::collections::HashSet;

use super::{Adapter, Ctx, Stats, duplicate, info};
use crate::canonical::{AgtpaRow, Batcher};
use crate::input::{Csv, Row};
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// The AGTPA adapter.
pub struct Agtpa;

const INTS: [&str; 11] = [
    "cntg",
    "lang",
    "clny",
    "rta",
    "rta_lag3",
    "rta_lag4",
    "rta_lag6",
    "rta_lag8",
    "rta_lag9",
    "rta_lag12",
    "rta_lead4",
];

fn dummy(r: &Row<'_>, c: &str) -> Result<i32, SourceError> {
    match r.i64(c)? {
        v @ (0 | 1) => Ok(v as i32),
        _ => Err(r.err(c, "must be 0 or 1")),
    }
}

impl Adapter for Agtpa {
    fn name(&self) -> &'static str {
        "agtpa"
    }
    fn summary(&self) -> &'static str {
        "AGTPA gravity panel (tradepolicy agtpa_applications)"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "agtpa",
            "An Advanced Guide to Trade Policy Analysis: gravity panel",
            "WTO/UNCTAD (Yotov, Piermartini, Monteiro, Larch 2016), via tradepolicy 0.7.0",
            "tradepolicy @342a655 (69 countries, 1986-2006)",
            "CC BY 4.0 (checked)",
            "Yotov, Y. V., Piermartini, R., Monteiro, J.-A. and Larch, M. (2016), An Advanced Guide to Trade Policy Analysis: The Structural Gravity Model, WTO/UNCTAD, ISBN 978-92-870-4367-2. R replication: M. Vargas Sepulveda, tradepolicy, doi:10.5281/zenodo.4277741.",
            "@book{yotov2016,\n  author = {Yotov, Yoto V. and Piermartini, Roberta and Monteiro, Jos\\'e-Antonio and Larch, Mario},\n  title = {An Advanced Guide to Trade Policy Analysis: The Structural Gravity Model},\n  publisher = {WTO/UNCTAD},\n  year = {2016},\n  isbn = {978-92-870-4367-2}\n}",
            &["agtpa_gravity"],
            &[
                "trade in million current USD; distance population-weighted km; domestic flows where exporter = importer. Russia is not among the 69 countries.",
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
        let mut out = Batcher::<AgtpaRow>::new(None);
        let cols: Vec<&str> = ["exporter", "importer", "pair_id", "year", "trade", "dist"]
            .into_iter()
            .chain(INTS)
            .collect();
        for input in inputs {
            let mut csv = Csv::open(input, b',', 0, &cols, "AGTPA gravity panel")?;
            let mut seen = HashSet::new();
            while let Some(r) = csv.next_row() {
                let r = r?;
                for c in ["exporter", "importer"] {
                    if ctx.countries.by_iso3(r.str(c)).is_none() {
                        return Err(r.err(c, "is not an ISO3 code pivot knows"));
                    }
                }
                let year = r.year("year")?;
                let (e, i) = (r.str("exporter").to_string(), r.str("importer").to_string());
                if !seen.insert((e.clone(), i.clone(), year)) {
                    return Err(duplicate(&r, "year", &format!("{e}->{i} {year}")));
                }
                stats.year(year);
                let d = |c| dummy(&r, c);
                out.push(
                    AgtpaRow {
                        exporter: e,
                        importer: i,
                        pair_id: r.i64("pair_id")?,
                        year,
                        trade: r.nonneg("trade")?,
                        dist: r.nonneg("dist")?,
                        cntg: d("cntg")?,
                        lang: d("lang")?,
                        clny: d("clny")?,
                        rta: d("rta")?,
                        rta_lag3: d("rta_lag3")?,
                        rta_lag4: d("rta_lag4")?,
                        rta_lag6: d("rta_lag6")?,
                        rta_lag8: d("rta_lag8")?,
                        rta_lag9: d("rta_lag9")?,
                        rta_lag12: d("rta_lag12")?,
                        rta_lead4: d("rta_lead4")?,
                    },
                    sink,
                )?;
            }
        }
        out.flush(sink)?;
        stats.add("agtpa_gravity", out.total);
        Ok(stats)
    }
}
