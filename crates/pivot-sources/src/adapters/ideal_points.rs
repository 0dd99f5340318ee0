//! UN General Assembly ideal points of Bailey, Strezhnev & Voeten (the Dataverse release's
//! `IdealpointsJuly2025` written as CSV: `ccode`, `iso3c`, `countryname`, `year`, then per series
//! `idealpoint{all,fp,legacy}`, `nvotes{all,fp,Legacy}` and the quantiles `q5`, `q50`, `q95` of
//! `all` and `fp`) → `un_ideal_points`, one row per state, year and series with an estimate.
//!
//! States resolve through the COW code (`ccode`; the file's `iso3c` has errors: 680, the Yemen
//! People's Republic, is labelled YAR). A series left empty in a row (2024 has only `fp`) gives
//! no row; an estimate or quantile that is not a finite number, quantiles out of order
//! (q5 ≤ q50 ≤ q95), a negative vote count or a repeated (state, year) are errors naming file,
//! line and field. Where a continuity alias and the state's own code give the same state-year
//! (COW 260, the German Federal Republic, and 255, Germany, both in 1990), the state's own code
//! wins and the alias row is dropped and counted.

use std::collections::HashMap;

use super::{Adapter, Ctx, Stats, duplicate, info};
use crate::canonical::{Batcher, IdealPoint};
use crate::input::{Csv, Row};
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// The BSV ideal points adapter.
pub struct IdealPoints;

const COLS: &[&str] = &[
    "ccode",
    "year",
    "idealpointall",
    "idealpointfp",
    "idealpointlegacy",
    "q5all",
    "q50all",
    "q95all",
    "q5fp",
    "q50fp",
    "q95fp",
    "nvotesall",
    "nvotesfp",
    "nvotesLegacy",
];

/// The series of the release: name in pivot, estimate column, quantile columns (none for
/// legacy), vote-count column.
const SERIES: [(&str, &str, Option<[&str; 3]>, &str); 3] = [
    (
        "all",
        "idealpointall",
        Some(["q5all", "q50all", "q95all"]),
        "nvotesall",
    ),
    (
        "fp",
        "idealpointfp",
        Some(["q5fp", "q50fp", "q95fp"]),
        "nvotesfp",
    ),
    ("legacy", "idealpointlegacy", None, "nvotesLegacy"),
];

fn finite(r: &Row<'_>, col: &str) -> Result<f64, SourceError> {
    let v = r.f64(col)?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(r.err(col, "is not a finite number"))
    }
}

/// The rows of one CSV line: one per series with an estimate.
fn series_rows(r: &Row<'_>, country: &str, year: i32) -> Result<Vec<IdealPoint>, SourceError> {
    let mut out = vec![];
    for (name, est, quantiles, votes) in SERIES {
        if r.str(est).is_empty() {
            continue;
        }
        let estimate = finite(r, est)?;
        let (q5, q50, q95) = match quantiles {
            Some([a, b, c]) => {
                let (a_v, b_v, c_v) = (finite(r, a)?, finite(r, b)?, finite(r, c)?);
                if !(a_v <= b_v && b_v <= c_v) {
                    return Err(r.err(
                        b,
                        format!("quantiles out of order: {a} {a_v} ≤ {b} {b_v} ≤ {c} {c_v} does not hold"),
                    ));
                }
                (Some(a_v), Some(b_v), Some(c_v))
            }
            None => (None, None, None),
        };
        let n_votes = match r.str(votes) {
            "" => None,
            _ => {
                let n = r.i64(votes)?;
                if n < 0 {
                    return Err(r.err(votes, "is negative (a count of roll calls)"));
                }
                Some(n)
            }
        };
        out.push(IdealPoint {
            country: country.to_string(),
            year,
            series: name.to_string(),
            estimate,
            q5,
            q50,
            q95,
            n_votes,
            source: "un_ideal_points".into(),
        });
    }
    Ok(out)
}

impl Adapter for IdealPoints {
    fn name(&self) -> &'static str {
        "bsv-ideal-points"
    }
    fn summary(&self) -> &'static str {
        "UNGA ideal points of Bailey, Strezhnev & Voeten (Dataverse release as CSV: ccode, year, idealpointall/fp/legacy, quantiles, nvotes)"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "un_ideal_points",
            "UN General Assembly ideal points (Bailey, Strezhnev & Voeten)",
            "Erik Voeten (Harvard Dataverse)",
            "July 2025 release (all 1946-2023, fp 1946-2024)",
            "CC0 1.0 (Dataverse terms as quoted by unvotes; not verified)",
            "Bailey, Michael A., Anton Strezhnev and Erik Voeten (2017), Estimating Dynamic State Preferences from United Nations Voting Data, Journal of Conflict Resolution 61(2): 430-456. Data: Erik Voeten, United Nations General Assembly Voting Data, Harvard Dataverse, hdl:1902.1/12379, ideal points July 2025.",
            "@article{bailey2017,\n  author = {Bailey, Michael A. and Strezhnev, Anton and Voeten, Erik},\n  title = {Estimating Dynamic State Preferences from United Nations Voting Data},\n  journal = {Journal of Conflict Resolution},\n  volume = {61},\n  number = {2},\n  pages = {430--456},\n  year = {2017},\n  note = {Ideal points, July 2025 release, Harvard Dataverse hdl:1902.1/12379}\n}",
            &["un_ideal_points"],
            &[
                "A published estimate, not votes: one dimension (the US-led liberal order at the high end), comparable across years by construction (bridging resolutions). |θ_i − θ_j| is the usual dyadic measure of alignment.",
                "Series all (every roll call; 1946-2023), fp (the release's second series, fewer roll calls, another level; the only one with 2024) and legacy (the first release's method). Quantiles 5/50/95 % of the posterior for all and fp.",
                "COW 365 is Russia for every year (the Soviet Union before 1992), as in the UN votes.",
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
        let mut out = Batcher::<IdealPoint>::new(None);
        // (state, year) → whether it came through a continuity alias; alias rows wait until
        // the end, in case the state's own code has the same year.
        let mut seen: HashMap<(String, i32), bool> = HashMap::new();
        let mut held: Vec<(String, i32, Vec<IdealPoint>)> = vec![];
        for input in inputs {
            let mut csv = Csv::open(input, b',', 0, COLS, "BSV ideal points")?;
            let mut n = 0u64;
            while let Some(r) = csv.next_row() {
                let r = r?;
                n += 1;
                if n.is_multiple_of(8_192) {
                    (ctx.progress)(8_192);
                }
                let (country, alias) = ctx.cow(&r, "ccode")?;
                let year = r.year("year")?;
                let rows = series_rows(&r, &country, year)?;
                if alias {
                    held.push((country, year, rows));
                    continue;
                }
                if seen.insert((country.clone(), year), false).is_some() {
                    return Err(duplicate(&r, "year", &format!("{country} {year}")));
                }
                stats.year(year);
                for row in rows {
                    out.push(row, sink)?;
                }
            }
            (ctx.progress)(n % 8_192);
        }
        let mut dropped = 0u64;
        for (country, year, rows) in held {
            if seen.contains_key(&(country.clone(), year)) {
                dropped += 1;
                continue;
            }
            seen.insert((country, year), true);
            stats.year(year);
            for row in rows {
                out.push(row, sink)?;
            }
        }
        out.flush(sink)?;
        stats.add("un_ideal_points", out.total);
        stats.drop_note(
            dropped,
            "state-years given both by a continuity alias (COW 260 German Federal Republic) and the state's own code: the own code's row kept",
        );
        Ok(stats)
    }
}
