//! Event data: GDELT 1.0 (57 or 58 tab-separated columns, no header), GDELT 2.0 (61 columns,
//! tab-separated despite `.CSV`) and ICEWS (tab-separated with a header) → `events`.
//!
//! Actor countries are CAMEO/ISO3 codes (GDELT) or names (ICEWS); codes that are regions or
//! unknown leave the actor empty and are counted. ICEWS QuadClass is derived from the CAMEO root
//! code (01–05 verbal cooperation, 06–08 material cooperation, 09–13 verbal conflict, 14–20
//! material conflict). ICEWS codes that lost their leading zero in a spreadsheet (`36`, `211`)
//! get it back.

use std::io::BufRead;

use super::{Adapter, Ctx, Stats, info};
use crate::canonical::{Batcher, Event};
use crate::input::Csv;
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// GDELT 1.0 / 2.0 events.
pub struct Gdelt;
/// ICEWS coded events.
pub struct Icews;

/// QuadClass from a CAMEO code's two-digit root.
pub fn quad_class(cameo: &str) -> Option<i32> {
    let root: i32 = cameo.get(..2)?.parse().ok()?;
    Some(match root {
        1..=5 => 1,
        6..=8 => 2,
        9..=13 => 3,
        14..=20 => 4,
        _ => return None,
    })
}

/// A CAMEO code whose leading zero was stripped (files that went through a spreadsheet): CAMEO
/// event codes have three or four digits and roots 01–20, so a two-digit code (`36`) or a
/// three-digit code whose first two digits are no root (`211`) lost a leading zero.
fn restore_cameo_zero(code: &str) -> String {
    let digits = !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit());
    let root_ok = code
        .get(..2)
        .and_then(|r| r.parse::<u8>().ok())
        .is_some_and(|r| (1..=20).contains(&r));
    if digits && (code.len() == 2 || (code.len() == 3 && !root_ok)) {
        format!("0{code}")
    } else {
        code.to_string()
    }
}

impl Adapter for Gdelt {
    fn name(&self) -> &'static str {
        "gdelt"
    }
    fn summary(&self) -> &'static str {
        "GDELT 1.0 (57/58 columns) or 2.0 (61 columns) event files, tab-separated, no header"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "gdelt",
            "GDELT Event Database",
            "The GDELT Project",
            "user download",
            "GDELT terms: free use with citation",
            "Leetaru, Kalev and Philip A. Schrodt (2013), GDELT: Global Data on Events, Location and Tone, 1979-2012, ISA Annual Convention.",
            "@inproceedings{leetaru2013,\n  author = {Leetaru, Kalev and Schrodt, Philip A.},\n  title = {GDELT: Global Data on Events, Location and Tone, 1979-2012},\n  booktitle = {ISA Annual Convention},\n  year = {2013}\n}",
            &["events"],
            &["Machine-coded events; counts depend on media coverage."],
        )
    }
    fn read(
        &self,
        inputs: &[Input],
        ctx: &Ctx<'_>,
        sink: &mut dyn TableSink,
    ) -> Result<Stats, SourceError> {
        let mut stats = Stats::default();
        let mut out = Batcher::<Event>::new(None);
        let mut unresolved = 0;
        for input in inputs {
            let name = input.name();
            let r = std::io::BufReader::new(input.open()?);
            for (n, line) in r.lines().enumerate() {
                let lineno = n as u64 + 1;
                let line = line.map_err(|e| SourceError::Io {
                    file: name.clone(),
                    source: e,
                })?;
                if line.trim().is_empty() {
                    continue;
                }
                let f: Vec<&str> = line.split('\t').collect();
                if !matches!(f.len(), 57 | 58 | 61) {
                    return Err(SourceError::Row {
                        file: name.clone(),
                        line: lineno,
                        problem: format!(
                            "expected 57 or 58 (GDELT 1.0) or 61 (GDELT 2.0) tab-separated fields, found {}",
                            f.len()
                        ),
                    });
                }
                let bad = |field: &str, value: &str, problem: &str| SourceError::Field {
                    file: name.clone(),
                    line: lineno,
                    field: field.into(),
                    value: value.into(),
                    problem: problem.into(),
                };
                let d = f[1];
                if d.len() != 8 || !d.chars().all(|c| c.is_ascii_digit()) {
                    return Err(bad("SQLDATE", d, "is not a YYYYMMDD date"));
                }
                let date = format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]);
                let year: i32 = d[..4].parse().unwrap_or(0);
                let mut actor = |code: &str| -> Option<String> {
                    if code.is_empty() {
                        return None;
                    }
                    let c = ctx.countries.by_iso3(code).map(|c| c.iso3.clone());
                    if c.is_none() {
                        unresolved += 1;
                    }
                    c
                };
                let actor1 = actor(f[7]);
                let actor2 = actor(f[17]);
                let cameo = f[26].to_string();
                let quad: i32 = f[29]
                    .parse()
                    .map_err(|_| bad("QuadClass", f[29], "is not 1-4"))?;
                if !(1..=4).contains(&quad) {
                    return Err(bad("QuadClass", f[29], "is not 1-4"));
                }
                let num = |i: usize, field: &str| -> Result<Option<f64>, SourceError> {
                    if f[i].is_empty() {
                        return Ok(None);
                    }
                    f[i].parse::<f64>()
                        .map(Some)
                        .map_err(|_| bad(field, f[i], "is not a number"))
                };
                let goldstein = num(30, "GoldsteinScale")?;
                if goldstein.is_some_and(|g| !(-10.0..=10.0).contains(&g)) {
                    return Err(bad("GoldsteinScale", f[30], "is outside -10..10"));
                }
                let mentions = match num(31, "NumMentions")? {
                    Some(m) if m < 0.0 || m.fract() != 0.0 => {
                        return Err(bad("NumMentions", f[31], "is not a count"));
                    }
                    m => m.map(|x| x as i64),
                };
                stats.year(year);
                crate::input::count_record();
                out.push(
                    Event {
                        date,
                        actor1,
                        actor2,
                        cameo,
                        quad_class: quad,
                        goldstein,
                        mentions,
                        tone: num(34, "AvgTone")?,
                        source: "gdelt".into(),
                    },
                    sink,
                )?;
            }
        }
        out.flush(sink)?;
        stats.add("events", out.total);
        stats.drop_note(
            unresolved,
            "actor country codes that are regions or unknown left empty",
        );
        Ok(stats)
    }
}

impl Adapter for Icews {
    fn name(&self) -> &'static str {
        "icews"
    }
    fn summary(&self) -> &'static str {
        "ICEWS coded event files (tab-separated with header: Event Date, Source Country, CAMEO Code, Intensity, Target Country …)"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "icews",
            "Integrated Crisis Early Warning System (ICEWS) Coded Event Data",
            "Lockheed Martin / Harvard Dataverse",
            "user download",
            "as published on Harvard Dataverse (check the deposit's terms)",
            "Boschee, Elizabeth et al. (2015), ICEWS Coded Event Data, Harvard Dataverse, doi:10.7910/DVN/28075.",
            "@misc{icews,\n  author = {Boschee, Elizabeth and others},\n  title = {ICEWS Coded Event Data},\n  year = {2015},\n  doi = {10.7910/DVN/28075}\n}",
            &["events"],
            &[
                "ICEWS Intensity is stored as the Goldstein value; QuadClass derived from the CAMEO root.",
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
        let mut out = Batcher::<Event>::new(None);
        let mut unresolved = 0;
        for input in inputs {
            let mut csv = Csv::open(
                input,
                b'\t',
                0,
                &[
                    "Event Date",
                    "Source Country",
                    "CAMEO Code",
                    "Intensity",
                    "Target Country",
                ],
                "ICEWS",
            )?;
            while let Some(r) = csv.next_row() {
                let r = r?;
                let date = r.str("Event Date").to_string();
                let ymd = date.len() == 10
                    && date.bytes().enumerate().all(|(i, b)| {
                        if i == 4 || i == 7 {
                            b == b'-'
                        } else {
                            b.is_ascii_digit()
                        }
                    });
                if !ymd {
                    return Err(r.err("Event Date", "is not a YYYY-MM-DD date"));
                }
                let year: i32 = date[..4]
                    .parse()
                    .map_err(|_| r.err("Event Date", "is not a YYYY-MM-DD date"))?;
                let mut actor = |col: &str| -> Option<String> {
                    let n = r.opt_str(col)?;
                    let c = ctx.name_iso3(n);
                    if c.is_none() {
                        unresolved += 1;
                    }
                    c
                };
                let actor1 = actor("Source Country");
                let actor2 = actor("Target Country");
                let cameo = restore_cameo_zero(r.str("CAMEO Code"));
                let quad =
                    quad_class(&cameo).ok_or_else(|| r.err("CAMEO Code", "is not a CAMEO code"))?;
                let g = r.opt_f64("Intensity")?;
                if g.is_some_and(|g| !(-10.0..=10.0).contains(&g)) {
                    return Err(r.err("Intensity", "is outside -10..10"));
                }
                stats.year(year);
                out.push(
                    Event {
                        date,
                        actor1,
                        actor2,
                        cameo,
                        quad_class: quad,
                        goldstein: g,
                        mentions: None,
                        tone: None,
                        source: "icews".into(),
                    },
                    sink,
                )?;
            }
        }
        out.flush(sink)?;
        stats.add("events", out.total);
        stats.drop_note(unresolved, "actor countries that are not states left empty");
        Ok(stats)
    }
}
