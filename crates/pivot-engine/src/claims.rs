//! Claims files: statements about the data (e.g. Mankoff 2015 on Russia's pivot to Asia), each
//! with the measure(s) that test it, a rule, and a rationale. `pivot claims check FILE` and the
//! report give each claim a verdict — supported, not supported, mixed, or not testable with the
//! data loaded — with the evidence numbers.
//!
//! # Format (TOML)
//! ```toml
//! title = "…"
//! source = "citation of the text the claims come from"
//!
//! [[claim]]
//! id = "C1"
//! text = "China has become Russia's largest trading partner"
//! rationale = "why these checks test the claim"
//! needs = "what data would test it when the bundled data cannot"   # optional
//! charts = ["trade-shares"]                                          # optional report anchors
//!
//! [[claim.check]]
//! label = "China ranks first by total trade in the last year"
//! measure = "partner-share"            # any `pivot measures` name
//! focal = "RUS"
//! partners = ["CHN"]                   # optional; names, codes or sets (asia, eu27)
//! years = "1992-2014"                  # optional
//! params = { direction = "total" }     # optional: any parameter of `pivot measure NAME --help`
//! where = { partner = "CHN" }          # rows to use; a list or a set name matches any member
//! column = "rank"                      # the value tested
//! period = "year"                      # the column that orders rows in time (default "year")
//! aggregate = "sum"                    # optional: sum the selected rows per period
//! test = "value"                       # value | change | compare
//! at = "last"                          # value: last | first | a year
//! op = "<="                            # <, <=, >, >=, ==, !=
//! value = 1
//! ```
//! `focal`, `partners`, `years` and `by` are shorthand for the measure's parameters of those
//! names; a parameter the measure does not have is an error, not a silent default.
//! Windows (`at`, `from`, `to`, `over`) are `last`, `first`, `all`, a year, or a range `1992-1999`.
//! - `test = "value"`: the column at `at` compared with `value`.
//! - `test = "change"`: the mean over `to` (a year range, or `last`) compared by `op` with the
//!   mean over `from` (default op `>`: it rose).
//! - `test = "compare"`: the mean over `over` (range or `last`) of the rows matching `where`
//!   compared by `op` with those matching `versus`.
//!
//! A claim is supported when every check that could be evaluated passes, not supported when
//! none passes, mixed otherwise, and not testable when no check could be evaluated (the
//! measure's data are missing, or the years asked for are not in the data).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::measure::MeasureRequest;
use crate::{Engine, EngineError, ResultTable, table_from_rows};
use pivot_vocab::{Provenance, Verdict, YearRange};

/// A claims file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimsFile {
    /// Title.
    pub title: String,
    /// The text the claims come from.
    #[serde(default)]
    pub source: String,
    /// Claims.
    #[serde(rename = "claim")]
    pub claims: Vec<Claim>,
}

/// One claim.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// Id (C1 …).
    pub id: String,
    /// The claim, paraphrased.
    pub text: String,
    /// Why the checks test it.
    #[serde(default)]
    pub rationale: String,
    /// What data would test it when the loaded data cannot.
    #[serde(default)]
    pub needs: String,
    /// Report anchor(s) of supporting charts.
    #[serde(default)]
    pub charts: Vec<String>,
    /// The checks.
    #[serde(rename = "check")]
    pub checks: Vec<Check>,
}

/// One check of a claim.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// What the check says in words.
    pub label: String,
    /// Measure name.
    pub measure: String,
    /// Focal state.
    #[serde(default)]
    pub focal: Option<String>,
    /// Partners.
    #[serde(default)]
    pub partners: Vec<String>,
    /// Years.
    #[serde(default)]
    pub years: Option<String>,
    /// Breakdown.
    #[serde(default)]
    pub by: Option<String>,
    /// Measure parameters (any of the measure's, as `pivot measure NAME --help` lists them).
    #[serde(default)]
    pub params: serde_json::Map<String, Value>,
    /// Row filter.
    #[serde(default, rename = "where")]
    pub filter: BTreeMap<String, Value>,
    /// Second row filter for `compare`.
    #[serde(default)]
    pub versus: BTreeMap<String, Value>,
    /// Column tested.
    pub column: String,
    /// Time column.
    #[serde(default = "default_period")]
    pub period: String,
    /// `sum` to add the selected rows per period.
    #[serde(default)]
    pub aggregate: Option<String>,
    /// value | change | compare.
    pub test: String,
    /// For `value`.
    #[serde(default)]
    pub at: Option<Value>,
    /// For `change`.
    #[serde(default)]
    pub from: Option<Value>,
    /// For `change`.
    #[serde(default)]
    pub to: Option<Value>,
    /// For `compare`.
    #[serde(default)]
    pub over: Option<Value>,
    /// Comparison operator.
    #[serde(default = "default_op")]
    pub op: String,
    /// Threshold for `value`.
    #[serde(default)]
    pub value: Option<f64>,
}

impl Check {
    /// The measure request this check runs: its parameters plus `focal`, `partners`, `years`
    /// and `by` where given.
    pub fn request(&self) -> MeasureRequest {
        let mut req = MeasureRequest {
            name: self.measure.clone(),
            params: self.params.clone(),
        };
        if let Some(f) = &self.focal {
            req = req.param("focal", f.as_str());
        }
        if !self.partners.is_empty() {
            req = req.param("partners", self.partners.clone());
        }
        if let Some(y) = &self.years {
            req = req.param("years", y.as_str());
        }
        if let Some(b) = &self.by {
            req = req.param("by", b.as_str());
        }
        req
    }
}

/// A check that could not be evaluated, and why.
fn not_evaluated(c: &Check, why: String) -> CheckOutcome {
    CheckOutcome {
        label: c.label.clone(),
        pass: None,
        evidence: why,
        datasets: vec![],
        windows: vec![],
    }
}

fn default_period() -> String {
    "year".into()
}
fn default_op() -> String {
    ">".into()
}

/// The outcome of one check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckOutcome {
    /// Label.
    pub label: String,
    /// Some(pass) or None when it could not be evaluated.
    pub pass: Option<bool>,
    /// Evidence or the reason it could not be evaluated.
    pub evidence: String,
    /// The datasets the check's measure read (none when it could not run).
    #[serde(skip)]
    pub datasets: Vec<pivot_vocab::DatasetRef>,
    /// The time windows the test read (for the coverage said beside trade evidence).
    #[serde(skip)]
    pub windows: Vec<(i64, i64)>,
}

/// A verdict on a claim.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimVerdict {
    /// Id.
    pub id: String,
    /// Claim text.
    pub claim: String,
    /// The verdict (on the wire: supported, not supported, mixed or not testable).
    pub verdict: Verdict,
    /// Evidence, one sentence per check.
    pub evidence: String,
    /// Checks passed.
    pub passed: usize,
    /// Checks evaluated.
    pub evaluated: usize,
    /// Chart anchors.
    #[serde(skip)]
    pub charts: Vec<String>,
    /// Per-check outcomes.
    #[serde(skip)]
    pub checks: Vec<CheckOutcome>,
}

fn cmp(a: f64, op: &str, b: f64) -> Result<bool, EngineError> {
    Ok(match op {
        "<" => a < b,
        "<=" => a <= b,
        ">" => a > b,
        ">=" => a >= b,
        "==" => (a - b).abs() < 1e-12,
        "!=" => (a - b).abs() >= 1e-12,
        _ => {
            return Err(EngineError::Input(format!(
                "claims: operator '{op}' must be <, <=, >, >=, == or !="
            )));
        }
    })
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

fn fmt(x: f64) -> String {
    if x.abs() >= 1000.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

/// Columns read as shares (0-1): written as percentages.
fn is_share(column: &str) -> bool {
    column == "share"
        || column.ends_with("_share")
        || column.starts_with("share_")
        || column == "agreement"
}

/// A value as a reader writes it: a rank as an ordinal (1st, 6th), a share as a percentage, a
/// ratio with ×, anything else with the digits its size needs.
fn reader(column: &str, x: f64) -> String {
    if column == "rank" && x.fract() == 0.0 && x >= 1.0 {
        let n = x as u64;
        let suffix = match (n % 10, n % 100) {
            (_, 11..=13) => "th",
            (1, _) => "st",
            (2, _) => "nd",
            (3, _) => "rd",
            _ => "th",
        };
        format!("{n}{suffix}")
    } else if column == "rank" {
        format!("{x:.1} on average")
    } else if is_share(column) {
        format!("{:.1}%", 100.0 * x)
    } else if column == "ratio" {
        format!("{}×", fmt(x))
    } else {
        fmt(x)
    }
}

/// How a change from `a` to `b` reads: points for shares, a ratio for the rest.
fn change_words(column: &str, a: f64, b: f64) -> String {
    let dir = if b > a {
        "up"
    } else if b < a {
        "down"
    } else {
        return "unchanged".into();
    };
    if column == "rank" {
        // A smaller rank is higher.
        let d = (a - b).abs();
        let n = if d.fract() == 0.0 {
            format!("{d:.0}")
        } else {
            format!("{d:.1}")
        };
        return format!("{} {n} places", if b < a { "up" } else { "down" });
    }
    if is_share(column) {
        return format!("{dir} {:.1} points", 100.0 * (b - a).abs());
    }
    if a != 0.0 {
        format!("{dir} {:.0}%", 100.0 * ((b - a) / a).abs())
    } else {
        dir.to_string()
    }
}

/// The operator as a reader writes it.
fn op_words(op: &str) -> &'static str {
    match op {
        "<" => "below",
        "<=" => "at most",
        ">" => "above",
        ">=" => "at least",
        "==" => "equal to",
        _ => "not equal to",
    }
}

/// "China's " before a column, from the check's `where`; nothing without one.
fn prefix(filter: &BTreeMap<String, Value>) -> String {
    let w = who(filter);
    if w.is_empty() {
        String::new()
    } else {
        format!("{w}: ")
    }
}

/// Who a check's rows are: the values of its `where` (or `versus`) filter, names for codes.
fn who(filter: &BTreeMap<String, Value>) -> String {
    filter
        .values()
        .map(|v| match v {
            Value::String(s) => pivot_vocab::Countries::bundled()
                .by_iso3(s)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| s.clone()),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A time window: `last`, `first`, a year, or a range "1992-1999".
fn window(v: Option<&Value>, periods: &[i64]) -> Result<Option<(i64, i64)>, EngineError> {
    let (Some(first), Some(last)) = (periods.first().copied(), periods.last().copied()) else {
        return Ok(None);
    };
    Ok(match v {
        None => Some((last, last)),
        Some(Value::String(s)) if s == "last" => Some((last, last)),
        Some(Value::String(s)) if s == "first" => Some((first, first)),
        Some(Value::String(s)) if s == "all" => Some((first, last)),
        Some(Value::String(s)) => {
            let r: YearRange = s.parse().map_err(|e: pivot_vocab::YearRangeError| {
                EngineError::Input(format!("claims: {e}"))
            })?;
            Some((
                i64::from(r.from.unwrap_or(first as i32)),
                i64::from(r.to.unwrap_or(last as i32)),
            ))
        }
        Some(v) => {
            let y = num(v).ok_or_else(|| {
                EngineError::Input(format!("claims: '{v}' is not a year or range"))
            })? as i64;
            Some((y, y))
        }
    })
}

impl Engine {
    /// A filter with named sets (`asia`, `eu27` …) expanded once into their members: a string
    /// value matches itself or, when it names a set, any member.
    fn expand_filter(&self, filter: &BTreeMap<String, Value>) -> Vec<(String, Vec<Value>)> {
        filter
            .iter()
            .map(|(k, want)| {
                let mut accept = match want {
                    Value::Array(list) => list.clone(),
                    w => vec![w.clone()],
                };
                if let Value::String(s) = want
                    && let Some(m) = pivot_vocab::regions::members(self.countries(), s)
                {
                    accept.extend(m.into_iter().map(Value::String));
                }
                (k.clone(), accept)
            })
            .collect()
    }

    fn matches(row: &Value, filter: &[(String, Vec<Value>)]) -> bool {
        filter
            .iter()
            .all(|(k, accept)| accept.iter().any(|w| *w == row[k]))
    }

    /// Series (period → value) of rows matching `filter`.
    fn series(
        &self,
        rows: &[Value],
        c: &Check,
        filter: &BTreeMap<String, Value>,
    ) -> BTreeMap<i64, f64> {
        let mut s: BTreeMap<i64, f64> = BTreeMap::new();
        let filter = self.expand_filter(filter);
        for r in rows.iter().filter(|r| Self::matches(r, &filter)) {
            let (Some(p), Some(v)) = (num(&r[&c.period]), num(&r[&c.column])) else {
                continue;
            };
            let e = s.entry(p as i64).or_insert(0.0);
            if c.aggregate.as_deref() == Some("sum") {
                *e += v;
            } else {
                *e = v;
            }
        }
        s
    }

    /// Refuse a check that could only give a normal-looking wrong answer: a threshold that
    /// is not a finite number, an unknown operator or test.
    fn validate(c: &Check) -> Result<(), EngineError> {
        let bad = |what: String| EngineError::Input(format!("claims: check '{}': {what}", c.label));
        if let Some(v) = c.value
            && !v.is_finite()
        {
            return Err(bad(format!("value {v} is not a finite number")));
        }
        if !["<", "<=", ">", ">=", "==", "!="].contains(&c.op.as_str()) {
            return Err(bad(format!(
                "operator '{}' must be <, <=, >, >=, == or !=",
                c.op
            )));
        }
        if !["value", "change", "compare"].contains(&c.test.as_str()) {
            return Err(bad(format!(
                "test '{}' must be value, change or compare",
                c.test
            )));
        }
        if let Some(a) = &c.aggregate
            && a != "sum"
        {
            return Err(bad(format!("aggregate '{a}' must be sum (or left out)")));
        }
        Ok(())
    }

    /// Refuse a check that names a column the measure's answer does not have (`column`,
    /// `period`, or a key of `where`/`versus`): a misspelt name would match no row and make
    /// the claim "not testable" instead of an error.
    fn check_columns(c: &Check, table: &ResultTable) -> Result<(), EngineError> {
        let names: Vec<&str> = table
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        // An empty answer without columns says nothing about names.
        if names.is_empty() {
            return Ok(());
        }
        let mut named: Vec<(&str, &str)> = vec![("column", &c.column), ("period", &c.period)];
        named.extend(c.filter.keys().map(|k| ("where", k.as_str())));
        named.extend(c.versus.keys().map(|k| ("versus", k.as_str())));
        for (field, name) in named {
            if !names.contains(&name) {
                return Err(EngineError::Input(format!(
                    "claims: check '{}': {field} names '{name}', which is not a column of {}'s answer (its columns: {})",
                    c.label,
                    c.measure,
                    names.join(", ")
                )));
            }
        }
        Ok(())
    }

    fn check(&self, c: &Check) -> Result<CheckOutcome, EngineError> {
        Self::validate(c)?;
        crate::bounds::check()?;
        let req = c.request();
        let table = match self.measure(&req) {
            Ok(t) => t,
            Err(e) if e.is_missing_data() => {
                return Ok(not_evaluated(c, format!("not testable: {e}")));
            }
            // A time limit, a cancellation, the store or a bug is not the claims file's fault.
            Err(e)
                if e.kind() != crate::ErrorKind::Input
                    || matches!(e, EngineError::Timeout(_) | EngineError::Cancelled) =>
            {
                return Err(e);
            }
            Err(e) => {
                return Err(EngineError::Input(format!(
                    "claims: check '{}': {e}",
                    c.label
                )));
            }
        };
        Self::check_columns(c, &table)?;
        let rows = table_rows(&table)?;
        let mut out = self.evaluate(c, &rows)?;
        out.datasets = table.provenance.datasets.clone();
        self.say_coverage(c, &mut out);
        Ok(out)
    }

    /// Beside evidence from the spliced trade series: the single years the test read in which
    /// partners of the focal state vanished from the data (no report in the source), so a share
    /// of that year is of the reported total.
    fn say_coverage(&self, c: &Check, out: &mut CheckOutcome) {
        let spliced = c
            .params
            .get("source")
            .is_none_or(|s| s.as_str() == Some("spliced"));
        let trade = out
            .datasets
            .iter()
            .any(|d| crate::trade_series::SPLICE_ORDER.contains(&d.id.as_str()));
        let Some(focal) = c
            .focal
            .as_deref()
            .and_then(|f| self.countries().resolve(f).ok())
            .map(|r| r.country.iso3.clone())
        else {
            return;
        };
        if !spliced || !trade || out.pass.is_none() {
            return;
        }
        // Single years only: a value read in one year is what a vanished partner distorts; a
        // mean over a range is said to be of reported totals by the measure's provenance.
        let years: std::collections::BTreeSet<i64> = out
            .windows
            .iter()
            .filter(|(a, b)| a == b)
            .map(|&(a, _)| a)
            .collect();
        let mut said = vec![];
        for y in years {
            let Ok(y) = i32::try_from(y) else { continue };
            if let Ok(Some(v)) = self.vanished_in(&focal, y)
                && v.named()
            {
                said.push(format!(
                    "{y}: {} partners of {focal} with flows in the {} years before have none ({}), among them {}; shares are of the reported total",
                    v.partners.len(),
                    crate::trade_notes::VANISHED_WINDOW,
                    crate::trade_notes::title(self.manifest(), &v.src),
                    v.partners
                        .iter()
                        .take(3)
                        .map(|(p, ly, val)| format!("{p} ({ly}: {})", crate::trade_notes::usd(*val)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        if !said.is_empty() {
            out.evidence
                .push_str(&format!(" (coverage: {})", said.join("; ")));
        }
    }

    /// A check's outcome over the rows of its measure's answer.
    fn evaluate(&self, c: &Check, rows: &[Value]) -> Result<CheckOutcome, EngineError> {
        let na = |why: String| Ok(not_evaluated(c, why));
        let mean = |s: &BTreeMap<i64, f64>, w: (i64, i64)| -> Option<f64> {
            let v: Vec<f64> = s.range(w.0..=w.1).map(|(_, v)| *v).collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        };
        let span = |w: (i64, i64)| {
            if w.0 == w.1 {
                w.0.to_string()
            } else {
                format!("{}-{}", w.0, w.1)
            }
        };
        match c.test.as_str() {
            "value" => {
                let s = self.series(rows, c, &c.filter);
                let periods: Vec<i64> = s.keys().copied().collect();
                let Some(w) = window(c.at.as_ref(), &periods)? else {
                    return na("not testable: no rows match".into());
                };
                let Some(v) = mean(&s, w) else {
                    return na(format!("not testable: no data for {}", span(w)));
                };
                let t = c.value.ok_or_else(|| {
                    EngineError::Input(format!("claims: check '{}' needs value", c.label))
                })?;
                let pass = cmp(v, &c.op, t)?;
                Ok(CheckOutcome {
                    label: c.label.clone(),
                    pass: Some(pass),
                    datasets: vec![],
                    windows: vec![w],
                    evidence: format!(
                        "{}{} in {}: {} ({}: {} {})",
                        prefix(&c.filter),
                        c.column,
                        span(w),
                        reader(&c.column, v),
                        if pass { "met" } else { "not met" },
                        op_words(&c.op),
                        reader(&c.column, t)
                    ),
                })
            }
            "change" => {
                let s = self.series(rows, c, &c.filter);
                let periods: Vec<i64> = s.keys().copied().collect();
                let from = c.from.clone().unwrap_or(Value::String("first".into()));
                let (Some(wf), Some(wt)) = (
                    window(Some(&from), &periods)?,
                    window(c.to.as_ref(), &periods)?,
                ) else {
                    return na("not testable: no rows match".into());
                };
                let (Some(a), Some(b)) = (mean(&s, wf), mean(&s, wt)) else {
                    return na(format!(
                        "not testable: the data do not cover {} and {}",
                        span(wf),
                        span(wt)
                    ));
                };
                let pass = cmp(b, &c.op, a)?;
                Ok(CheckOutcome {
                    label: c.label.clone(),
                    pass: Some(pass),
                    datasets: vec![],
                    windows: vec![wf, wt],
                    evidence: format!(
                        "{}{} {} in {} → {} in {} ({})",
                        prefix(&c.filter),
                        c.column,
                        reader(&c.column, a),
                        span(wf),
                        reader(&c.column, b),
                        span(wt),
                        change_words(&c.column, a, b)
                    ),
                })
            }
            "compare" => {
                let sa = self.series(rows, c, &c.filter);
                let sb = self.series(rows, c, &c.versus);
                let periods: Vec<i64> = sa.keys().copied().collect();
                let Some(w) = window(c.over.as_ref(), &periods)? else {
                    return na("not testable: no rows match".into());
                };
                let (Some(a), Some(b)) = (mean(&sa, w), mean(&sb, w)) else {
                    return na(format!("not testable: no data for {}", span(w)));
                };
                let pass = cmp(a, &c.op, b)?;
                Ok(CheckOutcome {
                    label: c.label.clone(),
                    pass: Some(pass),
                    datasets: vec![],
                    windows: vec![w],
                    evidence: format!(
                        "{} in {}: {} {} against {} {}",
                        c.column,
                        span(w),
                        who(&c.filter),
                        reader(&c.column, a),
                        who(&c.versus),
                        reader(&c.column, b)
                    ),
                })
            }
            t => Err(EngineError::Input(format!(
                "claims: test '{t}' must be value, change or compare"
            ))),
        }
    }

    /// Evaluate every claim of a file.
    pub fn check_claims(&self, file: &ClaimsFile) -> Result<Vec<ClaimVerdict>, EngineError> {
        let mut out = Vec::new();
        for cl in &file.claims {
            crate::bounds::check()?;
            let mut checks = Vec::new();
            for c in &cl.checks {
                checks.push(self.check(c)?);
            }
            let evaluated = checks.iter().filter(|c| c.pass.is_some()).count();
            let passed = checks.iter().filter(|c| c.pass == Some(true)).count();
            let verdict = Verdict::of(passed, evaluated);
            let mut evidence: Vec<String> = checks
                .iter()
                .map(|c| {
                    format!(
                        "{} [{}]: {}",
                        c.label,
                        match c.pass {
                            Some(true) => "yes",
                            Some(false) => "no",
                            None => "n/a",
                        },
                        c.evidence
                    )
                })
                .collect();
            if evaluated == 0 && !cl.needs.is_empty() {
                evidence.push(format!("Would be tested by: {}", cl.needs));
            }
            out.push(ClaimVerdict {
                id: cl.id.clone(),
                claim: cl.text.clone(),
                verdict,
                evidence: evidence.join("; "),
                passed,
                evaluated,
                charts: cl.charts.clone(),
                checks,
            });
        }
        Ok(out)
    }

    /// `pivot claims check FILE`.
    pub fn check_claims_file(&self, path: &Path) -> Result<ResultTable, EngineError> {
        let file = load_claims(path)?;
        self.verdict_table(&file, &path.display().to_string())
    }

    /// The verdicts of a claims file as a table, with the provenance of a claims check.
    pub(crate) fn verdict_table(
        &self,
        file: &ClaimsFile,
        label: &str,
    ) -> Result<ResultTable, EngineError> {
        let v = self.check_claims(file)?;
        let mut prov = Provenance::new("claims-check")
            .param("file", label)
            .note(format!("{} — {}", file.title, file.source));
        // The datasets the checks' measures read, not every dataset in the store.
        let read: BTreeMap<&str, &pivot_vocab::DatasetRef> = v
            .iter()
            .flat_map(|c| &c.checks)
            .flat_map(|c| &c.datasets)
            .map(|d| (d.id.as_str(), d))
            .collect();
        for d in read.into_values() {
            prov = prov.dataset(d.clone());
        }
        table_from_rows(&v, prov)
    }
}

/// Read and parse a claims file.
pub fn load_claims(path: &Path) -> Result<ClaimsFile, EngineError> {
    let text = crate::bounds::read_spec(path, "claims file")?;
    parse_claims(&text).map_err(|e| EngineError::Input(format!("{}: {e}", path.display())))
}

/// Parse claims TOML.
pub fn parse_claims(text: &str) -> Result<ClaimsFile, String> {
    toml::from_str(text).map_err(|e| e.to_string())
}

pub use crate::result_io::table_rows;

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 30: evidence in a reader's words — ordinals, percentages, points.
    #[test]
    fn values_read_as_a_reader_writes_them() {
        assert_eq!(reader("rank", 1.0), "1st");
        assert_eq!(reader("rank", 2.0), "2nd");
        assert_eq!(reader("rank", 3.0), "3rd");
        assert_eq!(reader("rank", 11.0), "11th");
        assert_eq!(reader("rank", 22.0), "22nd");
        assert_eq!(reader("rank", 2.5), "2.5 on average");
        assert_eq!(reader("share", 0.397177), "39.7%");
        assert_eq!(reader("asia_share", 0.79), "79.0%");
        assert_eq!(reader("ratio", 8.639), "8.639×");
        assert_eq!(reader("distance", 0.0375), "0.037");
        // 0.110 → 0.186: up 7.6 points; rank 6 → 1: up 5 places; 0.313 → 0.038: down 88 %.
        assert_eq!(change_words("share", 0.110, 0.186), "up 7.6 points");
        assert_eq!(change_words("rank", 6.0, 1.0), "up 5 places");
        assert_eq!(change_words("distance", 0.313, 0.038), "down 88%");
        assert_eq!(change_words("share", 0.2, 0.2), "unchanged");
    }
}
