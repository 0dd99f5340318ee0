//! COW National Material Capabilities v7.0 (`ccode, year, milex, milper, irst, pec, tpop, upop,
//! cinc`) → `country_year`, one row per indicator. −9 and empty cells are missing; negative values
//! and a CINC above 1 are errors.

use std::collections::HashMap;

use super::{Adapter, Ctx, Stats, duplicate, info};
use crate::canonical::{Batcher, CountryYear};
use crate::input::Csv;
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// The COW NMC adapter.
pub struct CowNmc;

const IND: &[(&str, &str, &str)] = &[
    ("milex", "milex_cow", "thousand current USD"),
    ("milper", "milper", "thousand persons"),
    ("irst", "irst", "thousand tons"),
    ("pec", "pec", "thousand coal-ton equivalents"),
    ("tpop", "tpop", "thousand persons"),
    ("upop", "upop", "thousand persons"),
    ("cinc", "cinc", "share of system total (0-1)"),
];

impl Adapter for CowNmc {
    fn name(&self) -> &'static str {
        "cow-nmc"
    }
    fn indicators(&self) -> Vec<&'static str> {
        IND.iter().map(|m| m.1).collect()
    }
    fn summary(&self) -> &'static str {
        "COW National Material Capabilities CSV (ccode, year, milex, milper, irst, pec, tpop, upop, cinc)"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "cow_nmc",
            "Correlates of War National Material Capabilities",
            "Correlates of War Project (via peacesciencer 1.2.9)",
            "v7.0 (1816-2022)",
            "free for use with citation (not verified as a formal licence)",
            "Singer, J. David, Stuart Bremer and John Stuckey (1972), Capability Distribution, Uncertainty, and Major Power War, 1820-1965, in Bruce Russett (ed.), Peace, War, and Numbers, Sage, 19-48. Singer, J. David (1987), Reconstructing the Correlates of War Dataset on Material Capabilities of States, 1816-1985, International Interactions 14: 115-32. NMC v7.0.",
            "@article{singer1987,\n  author = {Singer, J. David},\n  title = {Reconstructing the Correlates of War Dataset on Material Capabilities of States, 1816-1985},\n  journal = {International Interactions},\n  volume = {14},\n  pages = {115--132},\n  year = {1987}\n}",
            &["country_year"],
            &[
                "COW 365 is Russia for all years (USSR 1922-1991).",
                "milex in thousands of current USD; pre-1914 values converted by COW.",
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
        let cols: Vec<&str> = ["ccode", "year"]
            .into_iter()
            .chain(IND.iter().map(|x| x.0))
            .collect();
        for input in inputs {
            let mut csv = Csv::open(input, b',', 0, &cols, "COW NMC")?;
            let mut rows: Vec<(CountryYear, bool)> = Vec::new();
            let mut seen: HashMap<(String, i32), bool> = HashMap::new();
            let mut overlap = 0;
            while let Some(r) = csv.next_row() {
                let r = r?;
                let (country, alias) = ctx.cow(&r, "ccode")?;
                let year = r.year("year")?;
                match seen.get(&(country.clone(), year)).copied() {
                    None => {
                        seen.insert((country.clone(), year), alias);
                    }
                    Some(prev) if prev != alias => {
                        overlap += 1;
                        if alias {
                            continue;
                        }
                        rows.retain(|(x, _)| !(x.country == country && x.year == year));
                        seen.insert((country.clone(), year), alias);
                    }
                    Some(_) => return Err(duplicate(&r, "year", &format!("{country} {year}"))),
                }
                stats.year(year);
                for (col, ind, unit) in IND {
                    let v = r.opt_f64(col)?;
                    match v {
                        Some(-9.0) => continue,
                        Some(x) if x < 0.0 => return Err(r.err(col, "is negative")),
                        Some(x) if *col == "cinc" && x > 1.0 => {
                            return Err(r.err(col, "is a share of the system total: at most 1"));
                        }
                        None => continue,
                        _ => {}
                    }
                    rows.push((
                        CountryYear {
                            country: country.clone(),
                            year,
                            indicator: ind.to_string(),
                            value: v,
                            unit: unit.to_string(),
                            flag: None,
                            source: "cow_nmc".into(),
                        },
                        alias,
                    ));
                }
            }
            stats.drop_note(overlap, "state-years of COW 260 (German Federal Republic) dropped where unified Germany (COW 255) has the same year (1990)");
            for (row, _) in rows {
                out.push(row, sink)?;
            }
        }
        out.flush(sink)?;
        stats.add("country_year", out.total);
        Ok(stats)
    }
}
