//! What the front doors share beyond measures: results encoded as CSV, JSON rows or Parquet
//! with the provenance in its metadata; read-only SQL with a row cap and a time limit (what a
//! server may offer: no DDL, no DML, no statements, so no `COPY`, no `CREATE EXTERNAL TABLE`,
//! no file access); country search for type-ahead; claims checked from TOML text; the shipped
//! gravity scenarios by name. No wire types here: the server converts.

use datafusion::execution::context::SQLOptions;
use pivot_vocab::{Countries, CountryKind, Provenance};

use crate::claims::parse_claims;
use crate::gravity::ScenarioOutput;
use crate::{Engine, EngineError, ResultTable, SqlLimits};

pub use crate::result_io::{PROVENANCE_KEY, csv_bytes, json_rows, parquet_bytes};

/// The bytes of a batch's values as sent: the buffers its rows use (a slice counts its own
/// rows, not the batch it was cut from).
fn answer_bytes(b: &datafusion::arrow::array::RecordBatch) -> usize {
    b.columns()
        .iter()
        .map(|c| {
            c.to_data()
                .get_slice_memory_size()
                .unwrap_or_else(|_| c.get_array_memory_size())
        })
        .sum()
}

/// A read-only query's answer: the rows (at most the cap) and whether the cap cut it.
#[derive(Debug, Clone)]
pub struct CappedTable {
    /// The rows, with the provenance (query, datasets, the limits as applied).
    pub table: ResultTable,
    /// Whether the query had more rows than the cap.
    pub truncated: bool,
}

impl Engine {
    /// SQL that can only read: DDL (`CREATE EXTERNAL TABLE`, `CREATE VIEW`, `DROP` …), DML
    /// (`COPY … TO`, `INSERT`) and statements (`SET`, transactions) are refused by DataFusion's
    /// planner before anything runs, and no table function or URL table reads a file. At most
    /// `limits.max_rows` rows come back (`truncated` says whether there were more); past
    /// `limits.timeout` the query is cancelled ([`EngineError::Timeout`]).
    pub fn sql_read_only(
        &self,
        query: &str,
        limits: SqlLimits,
    ) -> Result<CappedTable, EngineError> {
        let options = SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        // Planned and run on the engine's runtime, aborted past the time limit (or the
        // request's budget): see `Engine::run_query`.
        let (schema, mut batches, read) = self.run_query(query, Some(options), limits, false)?;
        let mut truncated = false;
        if let Some(cap) = limits.max_rows {
            let mut kept = 0usize;
            let mut out = Vec::with_capacity(batches.len());
            for b in batches {
                if kept + b.num_rows() > cap {
                    truncated = true;
                    let take = cap - kept;
                    if take > 0 {
                        out.push(b.slice(0, take));
                    }
                    break;
                }
                kept += b.num_rows();
                out.push(b);
            }
            batches = out;
        }
        if let Some(cap) = limits.max_bytes {
            let size: usize = batches.iter().map(answer_bytes).sum();
            if size > cap {
                return Err(EngineError::Input(format!(
                    "the answer holds {size} bytes, more than the cap of {cap} bytes: select fewer columns or rows, or aggregate"
                )));
            }
        }
        let mut prov = Provenance::new("sql").param("query", query);
        if let Some(n) = limits.max_rows {
            prov = prov.param("max_rows", n);
        }
        if let Some(t) = limits.timeout {
            prov = prov.param("timeout_ms", t.as_millis());
        }
        if let Some(b) = limits.max_bytes {
            prov = prov.param("max_bytes", b);
        }
        if truncated {
            prov = prov.note(format!(
                "The answer was cut at the row cap of {} rows; add LIMIT/OFFSET or aggregate to see the rest.",
                limits.max_rows.unwrap_or_default()
            ));
        }
        for d in read.datasets {
            prov = prov.dataset(d);
        }
        for t in read.rollups {
            prov = prov.note(crate::rollup::note(&t));
        }
        for note in self.unknown_source_notes(query) {
            prov = prov.note(note);
        }
        Ok(CappedTable {
            table: ResultTable {
                schema,
                batches,
                provenance: prov,
            },
            truncated,
        })
    }

    /// Check claims given as TOML text (`label` names where it came from in the provenance).
    pub fn check_claims_toml(&self, text: &str, label: &str) -> Result<ResultTable, EngineError> {
        // The same file over the same store gives the same verdicts: checked once per engine.
        let key = (label.to_string(), text.to_string());
        if let Some(t) = self
            .claims_cache
            .lock()
            .expect("no poisoned lock")
            .get(&key)
        {
            return Ok(t.clone());
        }
        let t = self.check_claims_toml_uncached(text, label)?;
        let mut cache = self.claims_cache.lock().expect("no poisoned lock");
        if cache.len() >= 32 {
            cache.clear();
        }
        cache.insert(key, t.clone());
        Ok(t)
    }

    fn check_claims_toml_uncached(
        &self,
        text: &str,
        label: &str,
    ) -> Result<ResultTable, EngineError> {
        let file = parse_claims(text).map_err(|e| EngineError::Input(format!("{label}: {e}")))?;
        self.verdict_table(&file, label)
    }

    /// Run a shipped scenario ([`SCENARIOS`]) by name.
    pub fn run_shipped_scenario(
        &self,
        name: &str,
        all_pairs: bool,
    ) -> Result<ScenarioOutput, EngineError> {
        let s = shipped_scenario(name)?;
        let mut spec = pivot_gravity::ScenarioSpec::from_toml_str(s.toml)
            .map_err(|e| EngineError::Bug(format!("shipped scenario {name}: {e}")))?;
        // Named sets and country names in shocks become ISO3 codes (as `pivot scenario run`).
        use pivot_gravity::scenario::Shock;
        for shock in &mut spec.shocks {
            if let Shock::SetCovariate {
                among, from, to, ..
            }
            | Shock::ScaleTradeCosts {
                among, from, to, ..
            } = shock
            {
                for g in [among, from, to] {
                    if !g.is_empty() {
                        *g = self.resolve_set(g)?;
                    }
                }
            }
        }
        self.run_scenario(&spec, all_pairs, &format!("scenarios/{}.toml", s.name))
    }
}

/// A gravity scenario shipped with pivot (the files in `scenarios/`).
#[derive(Debug, Clone, Copy)]
pub struct ShippedScenario {
    /// Its name (the file name without `.toml`).
    pub name: &'static str,
    /// The TOML text.
    pub toml: &'static str,
}

impl ShippedScenario {
    /// The scenario's `description`.
    pub fn description(&self) -> String {
        pivot_gravity::ScenarioSpec::from_toml_str(self.toml)
            .map(|s| s.description)
            .unwrap_or_default()
    }
}

/// The shipped scenarios, embedded so a server offers them by name and never reads a path.
pub const SCENARIOS: &[ShippedScenario] = &[
    ShippedScenario {
        name: "agtpa-borders-2006",
        toml: include_str!("../../../scenarios/agtpa-borders-2006.toml"),
    },
    ShippedScenario {
        name: "agtpa-nafta",
        toml: include_str!("../../../scenarios/agtpa-nafta.toml"),
    },
    ShippedScenario {
        name: "russia-west-costs",
        toml: include_str!("../../../scenarios/russia-west-costs.toml"),
    },
];

/// The shipped scenario called `name`, or an input error listing them.
pub fn shipped_scenario(name: &str) -> Result<&'static ShippedScenario, EngineError> {
    SCENARIOS.iter().find(|s| s.name == name).ok_or_else(|| {
        EngineError::Input(format!(
            "no shipped scenario '{name}'; there are {}",
            SCENARIOS
                .iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// One answer of a country search.
#[derive(Debug, Clone, PartialEq)]
pub struct CountryHit {
    /// ISO3 code (or the set's name, for a named set).
    pub code: String,
    /// Common name (or the set's description).
    pub name: String,
    /// `state`, `territory`, `historical`, `area`, or `set` for a named set.
    pub kind: String,
    /// UN region (empty for a set).
    pub region: String,
}

/// Countries (and named sets such as `asia`) whose code or a name starts with, or contains,
/// `query` (folded: accents, case and punctuation ignored); best first: exact codes, then
/// name prefixes, word prefixes, substrings; at most `limit`.
pub fn search_countries(query: &str, limit: usize) -> Vec<CountryHit> {
    let q = pivot_vocab::country::fold_name(query);
    if q.is_empty() || limit == 0 {
        return vec![];
    }
    let countries = Countries::bundled();
    let rank_name = |name: &str| -> Option<u8> {
        let f = pivot_vocab::country::fold_name(name);
        if f == q {
            Some(1)
        } else if f.starts_with(&q) {
            Some(2)
        } else if name
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| pivot_vocab::country::fold_name(w).starts_with(&q))
        {
            Some(3)
        } else if f.contains(&q) {
            Some(4)
        } else {
            None
        }
    };
    let mut hits: Vec<(u8, u8, CountryHit)> = Vec::new();
    for c in countries.all() {
        let code_rank = (c.iso3.eq_ignore_ascii_case(&q)
            || c.iso2
                .as_deref()
                .is_some_and(|i| i.eq_ignore_ascii_case(&q)))
        .then_some(0);
        let name_rank = std::iter::once(&c.name)
            .chain(std::iter::once(&c.official_name))
            .chain(c.alt_names.iter())
            .filter_map(|n| rank_name(n))
            .min();
        let Some(rank) = code_rank.into_iter().chain(name_rank).min() else {
            continue;
        };
        // States first among equals.
        let kind_rank = match c.kind {
            CountryKind::State => 0,
            _ => 1,
        };
        hits.push((
            rank,
            kind_rank,
            CountryHit {
                code: c.iso3.clone(),
                name: c.name.clone(),
                kind: c.kind.as_str().into(),
                region: c.region.clone(),
            },
        ));
    }
    for r in pivot_vocab::regions::all(countries) {
        if let Some(rank) = rank_name(r.name) {
            hits.push((
                rank,
                2,
                CountryHit {
                    code: r.name.into(),
                    name: r.description.into(),
                    kind: "set".into(),
                    region: String::new(),
                },
            ));
        }
    }
    hits.sort_by(|a, b| (a.0, a.1, &a.2.name).cmp(&(b.0, b.1, &b.2.name)));
    hits.into_iter().take(limit).map(|h| h.2).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_puts_codes_and_prefixes_first() {
        let h = search_countries("vie", 5);
        assert_eq!(h[0].code, "VNM", "{h:?}");
        let h = search_countries("RUS", 3);
        assert_eq!(h[0].code, "RUS", "{h:?}");
        let h = search_countries("asi", 10);
        assert!(
            h.iter().any(|x| x.kind == "set" && x.code == "asia"),
            "{h:?}"
        );
        assert!(search_countries("", 5).is_empty());
        assert!(search_countries("zzzzqq", 5).is_empty());
    }

    #[test]
    fn every_shipped_scenario_parses_and_has_a_description() {
        for s in SCENARIOS {
            assert!(!s.description().is_empty(), "{}", s.name);
        }
        assert!(shipped_scenario("../etc/passwd").is_err());
    }
}
