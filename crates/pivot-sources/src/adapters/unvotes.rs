//! UN General Assembly roll-call votes: the `unvotes` CSVs (votes, roll calls, issues; each file
//! recognised by its header), and Voeten's raw coding (1 yes, 2 abstain, 3 no, 8 absent,
//! 9 non-member; absent and non-member are not votes and are skipped).

use std::collections::HashSet;

use super::{Adapter, Ctx, Stats, duplicate, info};
use crate::canonical::{Batcher, UnIssue, UnRollCall, UnVote};
use crate::input::{Csv, Row};
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// The unvotes adapter.
pub struct UnVotes;
/// Voeten's raw voting data (`rcid, ccode, vote` with numeric codes).
pub struct VoetenRaw;

fn dataset() -> DatasetInfo {
    info(
        "un_votes",
        "United Nations General Assembly Voting Data",
        "Erik Voeten (Harvard Dataverse), packaged by David Robinson (unvotes)",
        "unvotes 0.2.0.9000 (sessions 1-74, 1946-2019)",
        "MIT (unvotes package); Voeten's Dataverse terms not verified (generally described as CC0)",
        "Erik Voeten, Data and Analyses of Voting in the UN General Assembly, in Routledge Handbook of International Organization (ed. B. Reinalda, 2013); data hdl:1902.1/12379. R packaging: David Robinson, unvotes.",
        "@incollection{voeten2013,\n  author = {Voeten, Erik},\n  title = {Data and Analyses of Voting in the United Nations General Assembly},\n  booktitle = {Routledge Handbook of International Organization},\n  editor = {Reinalda, Bob},\n  year = {2013},\n  publisher = {Routledge}\n}",
        &["un_votes", "un_roll_calls", "un_issues"],
        &[
            "Soviet Union votes (1946-1991) are recorded as Russia (RUS).",
            "Absences and non-members were removed upstream; no data after session 74.",
        ],
    )
}

/// The voter: by ISO2 code, or by name where the code is empty (Yemen Arab Republic, Federal
/// Republic of Germany). A code that is given but unknown is an error, not a cue to guess.
fn vote_country(ctx: &Ctx<'_>, r: &Row<'_>) -> Result<String, SourceError> {
    let code = r.str("country_code");
    let c = if code.is_empty() {
        ctx.countries
            .by_name(r.str("country"))
            .ok_or_else(|| r.err("country", "is not a country pivot knows"))?
    } else {
        ctx.countries
            .by_iso2(code)
            .ok_or_else(|| r.err("country_code", "is not an ISO2 code pivot knows"))?
    };
    Ok(c.iso3.clone())
}

/// A roll-call id or session number: a whole number of at least 1.
fn positive(r: &Row<'_>, col: &str) -> Result<i64, SourceError> {
    match r.i64(col)? {
        v if v >= 1 => Ok(v),
        _ => Err(r.err(col, "must be 1 or more")),
    }
}

impl Adapter for UnVotes {
    fn name(&self) -> &'static str {
        "unvotes"
    }
    fn summary(&self) -> &'static str {
        "UNGA votes: unvotes CSVs (un_votes, un_roll_calls, un_roll_call_issues), any of the three"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        dataset()
    }
    fn read(
        &self,
        inputs: &[Input],
        ctx: &Ctx<'_>,
        sink: &mut dyn TableSink,
    ) -> Result<Stats, SourceError> {
        let mut stats = Stats::default();
        let mut votes = Batcher::<UnVote>::new(None);
        let mut calls = Batcher::<UnRollCall>::new(None);
        let mut issues = Batcher::<UnIssue>::new(None);
        for input in inputs {
            let mut csv = Csv::open(input, b',', 0, &["rcid"], "unvotes")?;
            if csv.has("vote") {
                csv.require(&["country", "country_code"], "unvotes un_votes.csv")?;
                let mut seen = HashSet::new();
                let mut n = 0u64;
                while let Some(r) = csv.next_row() {
                    let r = r?;
                    let rcid = positive(&r, "rcid")?;
                    let country = vote_country(ctx, &r)?;
                    let vote = r.str("vote").to_string();
                    if !matches!(vote.as_str(), "yes" | "no" | "abstain") {
                        return Err(r.err("vote", "must be yes, no or abstain"));
                    }
                    if !seen.insert((rcid, country.clone())) {
                        return Err(duplicate(&r, "country", &format!("rcid {rcid} {country}")));
                    }
                    votes.push(
                        UnVote {
                            rcid,
                            country,
                            country_name: r.str("country").to_string(),
                            vote,
                        },
                        sink,
                    )?;
                    n += 1;
                    if n.is_multiple_of(65_536) {
                        (ctx.progress)(65_536);
                    }
                }
            } else if csv.has("session") {
                csv.require(
                    &[
                        "date",
                        "importantvote",
                        "unres",
                        "amend",
                        "para",
                        "short",
                        "descr",
                    ],
                    "unvotes un_roll_calls.csv",
                )?;
                let mut seen = HashSet::new();
                while let Some(r) = csv.next_row() {
                    let r = r?;
                    let rcid = positive(&r, "rcid")?;
                    if !seen.insert(rcid) {
                        return Err(duplicate(&r, "rcid", &rcid.to_string()));
                    }
                    let date = r.str("date").to_string();
                    let year: i32 = date
                        .get(..4)
                        .and_then(|y| y.parse().ok())
                        .ok_or_else(|| r.err("date", "is not a YYYY-MM-DD date"))?;
                    stats.year(year);
                    calls.push(
                        UnRollCall {
                            rcid,
                            session: positive(&r, "session")? as i32,
                            year,
                            date,
                            important: r.flag("importantvote")?,
                            unres: r.str("unres").to_string(),
                            amend: r.flag("amend")?,
                            para: r.flag("para")?,
                            short: r.str("short").to_string(),
                            descr: r.str("descr").to_string(),
                        },
                        sink,
                    )?;
                }
            } else if csv.has("short_name") {
                csv.require(&["issue"], "unvotes un_roll_call_issues.csv")?;
                let mut seen = HashSet::new();
                while let Some(r) = csv.next_row() {
                    let r = r?;
                    let rcid = positive(&r, "rcid")?;
                    let short_name = r.str("short_name").to_string();
                    if !seen.insert((rcid, short_name.clone())) {
                        return Err(duplicate(
                            &r,
                            "short_name",
                            &format!("rcid {rcid} {short_name}"),
                        ));
                    }
                    issues.push(
                        UnIssue {
                            rcid,
                            short_name,
                            issue: r.str("issue").to_string(),
                        },
                        sink,
                    )?;
                }
            } else {
                return Err(SourceError::Header {
                    file: input.name(),
                    line: 1,
                    missing: "vote, session or short_name".into(),
                    found: csv.header().join(", "),
                    format: "unvotes".into(),
                });
            }
        }
        votes.flush(sink)?;
        calls.flush(sink)?;
        issues.flush(sink)?;
        stats.add("un_votes", votes.total);
        stats.add("un_roll_calls", calls.total);
        stats.add("un_issues", issues.total);
        Ok(stats)
    }
}

impl Adapter for VoetenRaw {
    fn name(&self) -> &'static str {
        "voeten-raw"
    }
    fn summary(&self) -> &'static str {
        "Voeten raw UNGA voting data (rcid, ccode, vote coded 1 yes/2 abstain/3 no/8 absent/9 non-member; tab or comma)"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        dataset()
    }
    fn read(
        &self,
        inputs: &[Input],
        ctx: &Ctx<'_>,
        sink: &mut dyn TableSink,
    ) -> Result<Stats, SourceError> {
        let mut stats = Stats::default();
        let mut votes = Batcher::<UnVote>::new(None);
        let mut skipped = 0;
        for input in inputs {
            let delim = if input.first_line()?.contains('\t') {
                b'\t'
            } else {
                b','
            };
            let mut csv = Csv::open(
                input,
                delim,
                0,
                &["rcid", "ccode", "vote"],
                "Voeten raw votes",
            )?;
            let mut seen = HashSet::new();
            while let Some(r) = csv.next_row() {
                let r = r?;
                let rcid = positive(&r, "rcid")?;
                let vote = match r.i64("vote")? {
                    1 => "yes",
                    2 => "abstain",
                    3 => "no",
                    8 | 9 => {
                        skipped += 1;
                        continue;
                    }
                    _ => return Err(r.err("vote", "must be 1, 2, 3, 8 or 9 (Voeten coding)")),
                };
                let (country, _) = ctx.cow(&r, "ccode")?;
                if !seen.insert((rcid, country.clone())) {
                    return Err(duplicate(&r, "ccode", &format!("rcid {rcid} {country}")));
                }
                let name = r
                    .opt_str("Countryname")
                    .or(r.opt_str("Country"))
                    .unwrap_or(&country)
                    .to_string();
                votes.push(
                    UnVote {
                        rcid,
                        country,
                        country_name: name,
                        vote: vote.into(),
                    },
                    sink,
                )?;
            }
        }
        votes.flush(sink)?;
        stats.add("un_votes", votes.total);
        stats.drop_note(skipped, "absent (8) or non-member (9) codes skipped");
        Ok(stats)
    }
}
