//! Gravity models and scenarios over store tables, SQL queries or CSV files. The estimator and
//! the GE-PPML procedure live in `pivot-gravity`; this module only assembles panels.
//!
//! Panels the engine provides to scenario files (`data = "table:NAME"`):
//! - `agtpa` — the AGTPA book's panel (`agtpa_gravity`), with domestic flows.
//! - `table:cow_gravity` — a panel built from the bundled COW dyadic trade (1995–2014, current
//!   million USD) with covariates from world-countries: centroid great-circle distance
//!   (`dist`, km; centroids are approximate, not population-weighted, so distances for large
//!   countries differ from CEPII's), contiguity (`cntg`, shared land border) and common
//!   official language (`lang`). COW has no domestic flows, so only conditional effects are
//!   identified.
//! - `table:trade_gravity` — the same covariates on the spliced trade series (product-level
//!   BACI where ingested, then BACI totals 2012–2023, IMF DOTS, COW), so a panel reaches 2023;
//!   no domestic flows either, and pairs with no report in the source are absent, not zero.

use std::collections::HashMap;
use std::path::Path;

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Schema};
use pivot_gravity::{
    Formula, Panel, Ppml, ScenarioSpec, Separation, VcovSpec, etable, run_scenario,
};
use pivot_vocab::{Countries, Provenance};
use serde::Serialize;

use crate::{Engine, EngineError, ResultTable, SqlLimits, table_from_rows};

/// A `pivot gravity fit` request.
#[derive(Debug, Clone)]
pub struct FitRequest {
    /// Store table, `SELECT …` query, or CSV path.
    pub data: String,
    /// One or more formulas (a multi-model table when several).
    pub formulas: Vec<String>,
    /// `iid`, `hetero`, `cluster(var)` or `cluster(a, b)`.
    pub vcov: String,
    /// SQL WHERE condition.
    pub filter: Option<String>,
    /// `ppml` or `ols`.
    pub estimator: String,
    /// PPML separation checks: `fe,simplex,relu,mu` (any subset), `none`,
    /// `default` (ppmlhdfe's `fe,simplex,relu`) or `all`.
    pub separation: String,
    /// Give the estimates of a model that did not converge (marked `converged = false`)
    /// instead of refusing it.
    pub keep_unconverged: bool,
}

/// Fitted models: the fixest-like text and tidy coefficients.
#[derive(Debug)]
pub struct FitOutput {
    /// Human table (one model) or multi-model table.
    pub text: String,
    /// Tidy rows: model, term, estimate, std_error, z, p, nobs, dropped, iterations, converged.
    pub table: ResultTable,
    /// The fitted models themselves, in the order of `table`'s `model` column, each with the
    /// variance asked for: what a front door needs beyond the tidy rows (the variance matrix,
    /// fitted values), so that R's `vcov()` and `fitted()` read the engine's numbers.
    pub fits: Vec<pivot_gravity::Fit>,
}

#[derive(Serialize)]
struct CoefOut {
    model: usize,
    formula: String,
    term: String,
    estimate: f64,
    std_error: f64,
    z: f64,
    p: f64,
    nobs: usize,
    dropped: usize,
    iterations: usize,
    converged: bool,
    deviance: f64,
    pseudo_r2: f64,
    /// Observations dropped by the separation checks (fe included).
    separated: usize,
}

/// Scenario output.
#[derive(Debug)]
pub struct ScenarioOutput {
    /// Per-country % changes.
    pub countries: ResultTable,
    /// Per-pair changes.
    pub pairs: ResultTable,
    /// Notes (identification, convergence).
    pub notes: Vec<String>,
}

#[derive(Serialize)]
struct CountryOut {
    country: String,
    exports_cdl_pct: f64,
    exports_full_pct: Option<f64>,
    price_full_pct: Option<f64>,
    real_gdp_full_pct: Option<f64>,
    omr_cdl_pct: f64,
    omr_full_pct: Option<f64>,
    imr_cdl_pct: f64,
    imr_full_pct: Option<f64>,
}

#[derive(Serialize)]
struct PairOut {
    exporter: String,
    importer: String,
    trade_baseline: f64,
    trade_cdl: f64,
    trade_cdl_pct: f64,
    trade_full: Option<f64>,
    trade_full_pct: Option<f64>,
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Parse a vcov string.
pub fn parse_vcov(s: &str) -> Result<VcovSpec, EngineError> {
    let t = s.trim();
    match t {
        "iid" => return Ok(VcovSpec::Iid),
        "hetero" | "hc1" | "robust" => return Ok(VcovSpec::Hetero),
        _ => {}
    }
    if let Some(inner) = t.strip_prefix("cluster(").and_then(|x| x.strip_suffix(')')) {
        let v: Vec<&str> = inner
            .split([',', '+'])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .collect();
        return match v.as_slice() {
            [a] => Ok(VcovSpec::cluster(a)),
            [a, b] => Ok(VcovSpec::cluster2(a, b)),
            _ => Err(EngineError::Input(format!(
                "vcov '{s}': cluster takes one or two variables"
            ))),
        };
    }
    Err(EngineError::Input(format!(
        "vcov '{s}' must be iid, hetero or cluster(var)"
    )))
}

/// Convert record batches into a panel: numeric columns as f64, text as categorical.
pub fn batches_to_panel(batches: &[RecordBatch]) -> Result<Panel, EngineError> {
    let mut panel = Panel::new();
    let Some(first) = batches.first() else {
        return Err(EngineError::Input("the data has no rows".into()));
    };
    for (i, field) in first.schema().fields().iter().enumerate() {
        match field.data_type() {
            DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Dictionary(_, _) => {
                let mut vals: Vec<String> = Vec::new();
                for b in batches {
                    let a = datafusion::arrow::compute::cast(b.column(i), &DataType::Utf8)
                        .map_err(|e| EngineError::Bug(e.to_string()))?;
                    let s = a.as_string::<i32>();
                    vals.extend((0..s.len()).map(|k| {
                        if s.is_null(k) {
                            String::new()
                        } else {
                            s.value(k).to_string()
                        }
                    }));
                }
                panel.add_categorical(field.name(), &vals)?;
            }
            DataType::Boolean
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Float32
            | DataType::Float64 => {
                let mut vals: Vec<f64> = Vec::new();
                for b in batches {
                    let a = datafusion::arrow::compute::cast(b.column(i), &DataType::Float64)
                        .map_err(|e| EngineError::Bug(e.to_string()))?;
                    let f = a.as_primitive::<Float64Type>();
                    vals.extend(
                        (0..f.len()).map(|k| if f.is_null(k) { f64::NAN } else { f.value(k) }),
                    );
                }
                panel.add_numeric(field.name(), vals)?;
            }
            _ => {}
        }
    }
    Ok(panel)
}

/// Add `ln_X` / `log_X` columns the formula uses when `X` exists.
fn add_logs(panel: &mut Panel, formula: &str) -> Result<(), EngineError> {
    let words: Vec<String> = formula
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect();
    for w in words {
        if panel.has_column(&w) {
            continue;
        }
        let base = w.strip_prefix("ln_").or_else(|| w.strip_prefix("log_"));
        if let Some(Ok(v)) = base.map(|b| panel.numeric(b)) {
            let logs: Vec<f64> = v.iter().map(|x| x.ln()).collect();
            panel.add_numeric(&w, logs)?;
        }
    }
    Ok(())
}

/// Spellings of a missing value in CSV files written by R (`NA`), Stata
/// (`.`) and others (empty, `NaN`).
fn is_missing(v: &str) -> bool {
    matches!(v.trim(), "" | "NA" | "." | "NaN" | "nan" | "NULL")
}

/// Reads a CSV file (`.gz` gunzipped) into one record batch. Types are decided
/// over the whole file, not its first rows: a column is Float64 when every
/// non-missing value parses as a number (`1e+05`, `-.5`, `Inf`), else text.
/// An empty header (R's row-name column) is named `rownames`.
pub fn read_delimited_file(path: &Path) -> Result<RecordBatch, EngineError> {
    let shown = path.display();
    let file = std::fs::File::open(path)
        .map_err(|e| EngineError::Input(format!("cannot read {shown}: {e}")))?;
    let name = path.to_string_lossy().to_ascii_lowercase();
    let reader: Box<dyn std::io::Read> = if name.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
            file,
        )))
    } else {
        Box::new(std::io::BufReader::new(file))
    };
    let delim = if name.trim_end_matches(".gz").ends_with(".tsv") {
        b'\t'
    } else {
        b','
    };
    read_delimited(reader, delim, &shown.to_string())
}

/// [`read_delimited_file`] on any reader; `what` names the input in errors.
pub fn read_delimited(
    reader: impl std::io::Read,
    delimiter: u8,
    what: &str,
) -> Result<RecordBatch, EngineError> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(reader);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| EngineError::Input(format!("cannot read {what}: {e}")))?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = h.trim();
            if h.is_empty() {
                if i == 0 {
                    "rownames".to_string()
                } else {
                    format!("column_{}", i + 1)
                }
            } else {
                h.to_string()
            }
        })
        .collect();
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); headers.len()];
    for (line, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| {
            EngineError::Input(format!("cannot read {what} line {}: {e}", line + 2))
        })?;
        for (j, v) in rec.iter().enumerate() {
            cols[j].push(v.to_string());
        }
    }
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (h, c) in headers.iter().zip(cols) {
        let parsed: Option<Vec<Option<f64>>> = c
            .iter()
            .map(|v| {
                if is_missing(v) {
                    Some(None)
                } else {
                    v.trim().parse::<f64>().ok().map(Some)
                }
            })
            .collect();
        match parsed {
            Some(v) if c.iter().any(|x| !is_missing(x)) => {
                fields.push(Field::new(h, DataType::Float64, true));
                arrays.push(Arc::new(Float64Array::from(v)));
            }
            _ => {
                let v: Vec<Option<&str>> = c
                    .iter()
                    .map(|x| (!is_missing(x)).then_some(x.as_str()))
                    .collect();
                fields.push(Field::new(h, DataType::Utf8, true));
                arrays.push(Arc::new(StringArray::from(v)));
            }
        }
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .map_err(|e| EngineError::Input(format!("cannot read {what}: {e}")))
}

fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

impl Engine {
    fn gravity_data(
        &self,
        data: &str,
        filter: Option<&str>,
    ) -> Result<Vec<RecordBatch>, EngineError> {
        let cond = filter.map(|f| format!(" WHERE {f}")).unwrap_or_default();
        let q = if data.trim_start().to_ascii_uppercase().starts_with("SELECT") {
            match filter {
                Some(f) => format!("SELECT * FROM ({data}) AS d WHERE {f}"),
                None => data.to_string(),
            }
        } else if Path::new(data).is_file() {
            let _ = self.ctx.deregister_table("user_data");
            let lower = data.to_ascii_lowercase();
            if lower.ends_with(".parquet") || lower.ends_with(".pq") {
                self.rt
                    .block_on(self.ctx.register_parquet(
                        "user_data",
                        data,
                        datafusion::prelude::ParquetReadOptions::default(),
                    ))
                    .map_err(|e| EngineError::Input(format!("cannot read Parquet {data}: {e}")))?;
            } else {
                let batch = read_delimited_file(Path::new(data))?;
                self.ctx
                    .register_batch("user_data", batch)
                    .map_err(|e| EngineError::Bug(e.to_string()))?;
            }
            format!("SELECT * FROM user_data{cond}")
        } else if crate::catalog::table_schema(data).is_some() {
            format!("SELECT * FROM {data}{cond}")
        } else {
            return Err(EngineError::Input(format!(
                "--data '{data}' is neither a store table, a SELECT query nor a CSV file"
            )));
        };
        Ok(self.sql(&q, SqlLimits::NONE)?.batches)
    }

    /// Like [`Engine::gravity_fit`] on rows a front door holds in memory (an R or pandas data
    /// frame): they are a table for the length of the fit, `req.data` is replaced by a query
    /// of it (the filter applies as to a store table), and the provenance's `data` says
    /// `described` (e.g. "in-memory R data frame (28482 rows, 12 columns)").
    pub fn gravity_fit_rows(
        &self,
        mut req: FitRequest,
        schema: datafusion::arrow::datatypes::SchemaRef,
        batches: Vec<datafusion::arrow::array::RecordBatch>,
        described: &str,
    ) -> Result<FitOutput, EngineError> {
        static TABLES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let name = format!(
            "frame_data_{}",
            TABLES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        req.data = format!("SELECT * FROM {name}");
        self.register_memory_table(&name, schema, batches)?;
        let out = self.gravity_fit(&req);
        self.drop_memory_table(&name);
        let mut out = out?;
        out.table
            .provenance
            .parameters
            .insert("data".into(), described.to_string());
        Ok(out)
    }

    /// Fit one or more gravity models.
    pub fn gravity_fit(&self, req: &FitRequest) -> Result<FitOutput, EngineError> {
        let batches = self.gravity_data(&req.data, req.filter.as_deref())?;
        let mut panel = batches_to_panel(&batches)?;
        let vcov = parse_vcov(&req.vcov)?;
        let separation: Separation = req.separation.parse()?;
        let mut fits = Vec::new();
        let mut rows = Vec::new();
        let mut prov_sep: Vec<(String, String)> = Vec::new();
        // sw()/csw() stepwise formulas expand into several models.
        let mut formulas: Vec<(String, Formula)> = Vec::new();
        for f in &req.formulas {
            add_logs(&mut panel, f)?;
            for g in Formula::expand(f)? {
                formulas.push((g.to_string(), g));
            }
        }
        for (k, (f, formula)) in formulas.iter().enumerate() {
            let fit = match req.estimator.as_str() {
                "ppml" => Ppml::params()
                    .separation(separation)
                    .check()?
                    .fit(formula, &panel)?,
                "ols" => pivot_gravity::Ols::params().check()?.fit(formula, &panel)?,
                e => {
                    return Err(EngineError::Input(format!(
                        "estimator '{e}' must be ppml or ols"
                    )));
                }
            };
            if !fit.converged() && !req.keep_unconverged {
                return Err(EngineError::Input(format!(
                    "model {} ({f}) did not converge in {} iterations, so its estimates are not an answer: rescale the outcome or regressors, look for extreme values or separated rows, or keep the unconverged estimates (marked as such) with --keep-unconverged",
                    k + 1,
                    fit.iterations()
                )));
            }
            let fit = fit.vcov(vcov.clone(), &panel)?;
            let sep = fit.separation();
            if !sep.methods.is_empty() {
                let counts: Vec<String> = sep
                    .dropped
                    .iter()
                    .map(|(m, c)| format!("{m} {c}"))
                    .collect();
                prov_sep.push((
                    format!("model_{}.separation_dropped", k + 1),
                    counts.join(", "),
                ));
                let rows_txt: Vec<String> = sep.rows.iter().map(usize::to_string).collect();
                prov_sep.push((
                    format!("model_{}.separated_rows", k + 1),
                    rows_txt.join(","),
                ));
                if !sep.collinear.is_empty() {
                    prov_sep.push((
                        format!("model_{}.collinear_after_separation", k + 1),
                        sep.collinear.join(", "),
                    ));
                }
            }
            for c in fit.tidy() {
                rows.push(CoefOut {
                    model: k + 1,
                    formula: f.clone(),
                    term: c.term,
                    estimate: c.estimate,
                    std_error: c.std_error,
                    z: c.z,
                    p: c.p,
                    nobs: fit.nobs(),
                    dropped: fit.n_dropped(),
                    iterations: fit.iterations(),
                    converged: fit.converged(),
                    deviance: fit.deviance(),
                    pseudo_r2: fit.pseudo_r2().unwrap_or(f64::NAN),
                    separated: fit.separation().rows.len(),
                });
            }
            fits.push(fit);
        }
        let text = if fits.len() == 1 {
            fits[0].to_table()
        } else {
            etable(&fits.iter().collect::<Vec<_>>())
        };
        let mut prov = Provenance::new(format!("gravity-{}", req.estimator))
            .param("data", &req.data)
            .param("formula", req.formulas.join(" ; "))
            .param("vcov", &req.vcov);
        if req.estimator == "ppml" {
            prov = prov.param("separation", separation.to_string());
            for (k, v) in prov_sep {
                prov = prov.param(k, v);
            }
        }
        if let Some(f) = &req.filter {
            prov = prov.param("filter", f);
        }
        for d in self.datasets_for(&crate::catalog::tables_in(&req.data), None) {
            prov = prov.dataset(d);
        }
        prov = prov.note("PPML with high-dimensional fixed effects (IRLS with alternating projections; Correia, Guimarães & Zylkin 2020); small-sample corrections as fixest's defaults.");
        Ok(FitOutput {
            text,
            table: table_from_rows(&rows, prov)?,
            fits,
        })
    }

    /// The COW gravity panel (see the module doc) for `years`.
    pub fn cow_gravity_panel(&self, years: &[i32]) -> Result<(Panel, Vec<String>), EngineError> {
        let (p, n, _) = self.trade_gravity_panel(pivot_measures::TradeSource::CowTrade, years)?;
        Ok((p, n))
    }

    /// A gravity panel (see the module doc) on a trade series for `years`, with the notes and
    /// the trade datasets that gave its rows.
    pub fn trade_gravity_panel(
        &self,
        source: pivot_measures::TradeSource,
        years: &[i32],
    ) -> Result<(Panel, Vec<String>, Vec<String>), EngineError> {
        #[derive(serde::Deserialize)]
        struct R {
            exporter: String,
            importer: String,
            year: i32,
            trade: f64,
        }
        let (Some(&lo), Some(&hi)) = (years.iter().min(), years.iter().max()) else {
            return Err(EngineError::Input(
                "a gravity panel needs at least one year".into(),
            ));
        };
        // Each source of the series for the years it gives, in million USD as stored (a sum of
        // one row is that row: COW's panel is the same to the last bit as before the splice).
        #[derive(serde::Deserialize)]
        struct S {
            exporter: String,
            importer: String,
            year: i32,
            trade: f64,
            src: String,
        }
        let ylist = years
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let parts: Vec<String> = self
            .trade_plan(source)?
            .into_iter()
            .map(|(id, skip)| {
                let (table, product) = crate::trade_series::all_goods(id);
                let skip = skip
                    .iter()
                    .filter(|y| (lo..=hi).contains(*y))
                    .map(i32::to_string)
                    .collect::<Vec<_>>();
                let skip = if skip.is_empty() {
                    String::new()
                } else {
                    format!("AND year NOT IN ({})", skip.join(","))
                };
                format!(
                    "SELECT exporter, importer, year, SUM(value_usd_m) AS trade, '{id}' AS src FROM {table} \
                     WHERE source = '{id}' AND {product} AND exporter <> importer AND year IN ({ylist}) {skip} \
                     GROUP BY exporter, importer, year"
                )
            })
            .collect();
        let mut by_src: std::collections::BTreeMap<String, Vec<i32>> = Default::default();
        // One query per source (a UNION ALL of three grouped scans never finished on a Ballista
        // cluster); sorted below.
        let mut fetched: Vec<S> = Vec::new();
        for part in &parts {
            fetched.extend(self.rows::<S>(part)?);
        }
        let mut rows: Vec<R> = fetched
            .into_iter()
            .map(|f| {
                let ys = by_src.entry(f.src).or_default();
                if !ys.contains(&f.year) {
                    ys.push(f.year);
                }
                R {
                    exporter: f.exporter,
                    importer: f.importer,
                    year: f.year,
                    trade: f.trade,
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            (a.year, &a.exporter, &a.importer).cmp(&(b.year, &b.exporter, &b.importer))
        });
        let missing: Vec<i32> = years
            .iter()
            .copied()
            .filter(|y| !by_src.values().flatten().any(|x| x == y))
            .collect();
        if !missing.is_empty() {
            return Err(EngineError::Input(format!(
                "the trade series ({}) has no flows for {}: choose years the store's trade data cover (pivot data list)",
                source.as_str(),
                pivot_vocab::year_runs(missing)
            )));
        }
        let manifest = self.manifest();
        let mut notes = vec![];
        if source == pivot_measures::TradeSource::Spliced || by_src.len() > 1 {
            notes.push(format!(
                "Trade from the spliced series: {}. A change of source that scales a year's flows alike is absorbed by the exporter-year and importer-year fixed effects; pairs with no report in the source are absent from the panel, not zeros.",
                by_src
                    .iter()
                    .map(|(id, ys)| format!(
                        "{} for {}",
                        crate::trade_notes::title(manifest, id),
                        pivot_vocab::year_runs(ys.iter().copied())
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let used: Vec<String> = by_src.into_keys().collect();
        let c = Countries::bundled();
        notes.push(format!(
            "{} (million current USD) has no domestic flows: only conditional effects are identified.",
            if used == ["cow_trade"] { "COW dyadic trade" } else { "The trade series" }
        ));
        notes.push("Distances are great-circle distances between approximate centroids (world-countries), not population-weighted.".to_string());
        let mut cache: HashMap<(String, String), Option<(f64, f64, f64)>> = HashMap::new();
        let (mut ex, mut im, mut yr, mut tr, mut di, mut cn, mut la, mut pair) = (
            vec![],
            vec![],
            vec![],
            vec![],
            vec![],
            vec![],
            vec![],
            vec![],
        );
        let mut skipped = 0;
        for r in rows {
            let key = (r.exporter.clone(), r.importer.clone());
            let cov = *cache.entry(key).or_insert_with(|| {
                let a = c.by_iso3(&r.exporter)?;
                let b = c.by_iso3(&r.importer)?;
                let d = haversine_km(a.latlng?, b.latlng?).max(1.0);
                let contig = f64::from(u8::from(a.borders.contains(&b.iso3)));
                let lang = f64::from(u8::from(
                    a.languages.iter().any(|l| b.languages.contains(l)),
                ));
                Some((d, contig, lang))
            });
            let Some((d, contig, lang)) = cov else {
                skipped += 1;
                continue;
            };
            let p = if r.exporter < r.importer {
                format!("{}_{}", r.exporter, r.importer)
            } else {
                format!("{}_{}", r.importer, r.exporter)
            };
            ex.push(r.exporter);
            im.push(r.importer);
            yr.push(f64::from(r.year));
            tr.push(r.trade);
            di.push(d);
            cn.push(contig);
            la.push(lang);
            pair.push(p);
        }
        if skipped > 0 {
            notes.push(format!(
                "{skipped} flows of entities without a centroid (historical states) left out."
            ));
        }
        let mut panel = Panel::new();
        panel.add_categorical("exporter", &ex)?;
        panel.add_categorical("importer", &im)?;
        panel.add_numeric("year", yr)?;
        panel.add_numeric("trade", tr)?;
        panel.add_numeric("dist", di)?;
        panel.add_numeric("cntg", cn)?;
        panel.add_numeric("lang", la)?;
        panel.add_categorical("pair_id", &pair)?;
        Ok((panel, notes, used))
    }

    /// Run a scenario file.
    pub fn run_scenario_file(
        &self,
        file: &Path,
        all_pairs: bool,
    ) -> Result<ScenarioOutput, EngineError> {
        let text = crate::bounds::read_spec(file, "scenario file")?;
        let mut spec = ScenarioSpec::from_toml_str(&text)
            .map_err(|e| EngineError::Input(format!("{}: {e}", file.display())))?;
        self.expand_groups(&mut spec)?;
        self.run_scenario(&spec, all_pairs, &file.display().to_string())
    }

    /// Run a parsed scenario; `focus` pairs are those involving a shocked country unless
    /// `all_pairs`.
    pub fn run_scenario(
        &self,
        spec: &ScenarioSpec,
        all_pairs: bool,
        file: &str,
    ) -> Result<ScenarioOutput, EngineError> {
        let mut notes = Vec::new();
        let (panel, datasets): (Panel, Vec<pivot_vocab::DatasetRef>) = match spec.data.as_str() {
            "agtpa" => (
                batches_to_panel(
                    &self
                        .sql("SELECT * FROM agtpa_gravity", SqlLimits::NONE)?
                        .batches,
                )?,
                self.datasets_for(&["agtpa_gravity"], None),
            ),
            data @ ("table:cow_gravity" | "table:trade_gravity") => {
                let (source, default) = if data == "table:cow_gravity" {
                    (pivot_measures::TradeSource::CowTrade, 1995..=2014)
                } else {
                    (pivot_measures::TradeSource::Spliced, 2012..=2021)
                };
                let years: Vec<i32> = spec
                    .baseline
                    .years
                    .as_ref()
                    .map(|v| v.iter().map(|&y| y as i32).collect())
                    .unwrap_or_else(|| default.collect());
                let (p, n, used) = self.trade_gravity_panel(source, &years)?;
                notes.extend(n);
                let mut d = self.datasets_for(&["trade_flows"], Some(&used.join("+")));
                d.extend(self.datasets_for(&["countries"], None));
                (p, d)
            }
            other => {
                return Err(EngineError::Input(format!(
                    "scenario data '{other}' unknown: use agtpa, table:cow_gravity or table:trade_gravity"
                )));
            }
        };
        let res = run_scenario(spec, &panel)?;
        notes.extend(res.notes.iter().cloned());
        let full = res.full_identified;
        let countries: Vec<CountryOut> = res
            .countries
            .iter()
            .map(|c| CountryOut {
                country: c.country.clone(),
                exports_cdl_pct: c.exports_cdl_pct,
                exports_full_pct: finite(c.exports_full_pct).filter(|_| full),
                price_full_pct: finite(c.price_full_pct).filter(|_| full),
                real_gdp_full_pct: finite(c.real_gdp_full_pct).filter(|_| full),
                omr_cdl_pct: c.omr_cdl_pct,
                omr_full_pct: finite(c.omr_full_pct).filter(|_| full),
                imr_cdl_pct: c.imr_cdl_pct,
                imr_full_pct: finite(c.imr_full_pct).filter(|_| full),
            })
            .collect();
        let focus = focus_countries(spec);
        let pairs: Vec<PairOut> = res
            .pairs
            .iter()
            .filter(|p| p.exporter != p.importer)
            .filter(|p| {
                all_pairs
                    || focus.is_empty()
                    || focus.contains(&p.exporter)
                    || focus.contains(&p.importer)
            })
            .map(|p| PairOut {
                exporter: p.exporter.clone(),
                importer: p.importer.clone(),
                trade_baseline: p.trade_baseline,
                trade_cdl: p.trade_cdl,
                trade_cdl_pct: 100.0 * (p.trade_cdl / p.trade_baseline - 1.0),
                trade_full: finite(p.trade_full).filter(|_| full),
                trade_full_pct: finite(100.0 * (p.trade_full / p.trade_baseline - 1.0))
                    .filter(|_| full),
            })
            .collect();
        let mut prov = Provenance::new("ge-ppml")
            .param("scenario", file)
            .param("name", &spec.name)
            .param("sigma", spec.baseline.sigma);
        for d in datasets {
            prov = prov.dataset(d);
        }
        for n in &notes {
            prov = prov.note(n.clone());
        }
        prov = prov.note("GE-PPML (Anderson, Larch & Yotov 2018; Yotov et al. 2016 ch. 2); % changes from baseline to counterfactual.");
        Ok(ScenarioOutput {
            countries: table_from_rows(&countries, prov.clone())?,
            pairs: table_from_rows(&pairs, prov)?,
            notes,
        })
    }
}

/// The smallest non-empty country group a shock names: the pairs worth printing.
fn focus_countries(spec: &ScenarioSpec) -> Vec<String> {
    use pivot_gravity::scenario::Shock;
    let mut best: Option<&Vec<String>> = None;
    for s in &spec.shocks {
        let groups: Vec<&Vec<String>> = match s {
            Shock::SetCovariate {
                among, from, to, ..
            }
            | Shock::ScaleTradeCosts {
                among, from, to, ..
            } => vec![among, from, to],
            Shock::RemoveBorders { .. } => vec![],
        };
        for g in groups.into_iter().filter(|g| !g.is_empty()) {
            if best.is_none_or(|b| g.len() < b.len()) {
                best = Some(g);
            }
        }
    }
    best.cloned().unwrap_or_default()
}

impl Engine {
    /// Replace named sets (`eu27`, `g7`, `asia` …) and country names in shocks by ISO3 codes.
    fn expand_groups(&self, spec: &mut ScenarioSpec) -> Result<(), EngineError> {
        use pivot_gravity::scenario::Shock;
        for s in &mut spec.shocks {
            if let Shock::SetCovariate {
                among, from, to, ..
            }
            | Shock::ScaleTradeCosts {
                among, from, to, ..
            } = s
            {
                for g in [among, from, to] {
                    if !g.is_empty() {
                        *g = self.resolve_set(g)?;
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_types_over_the_whole_file_with_r_and_stata_missing_values() {
        // R's write.csv: a quoted row-name column with an empty header, and a
        // number spelled 1e+05 after integers; Stata's "." and R's NA missing.
        let text =
            "\"\",\"o\",\"v\",\"w\"\n\"1\",\"A\",3,NA\n\"2\",\"B\",1e+05,.\n\"3\",\"C\",,2.5\n";
        let b = read_delimited(text.as_bytes(), b',', "test").unwrap();
        let schema = b.schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["rownames", "o", "v", "w"]);
        assert_eq!(schema.field(1).data_type(), &DataType::Utf8);
        assert_eq!(schema.field(2).data_type(), &DataType::Float64);
        let v = b.column(2).as_primitive::<Float64Type>();
        assert_eq!(v.value(1), 100_000.0);
        assert!(v.is_null(2));
        let w = b.column(3).as_primitive::<Float64Type>();
        assert!(w.is_null(0) && w.is_null(1));
        assert_eq!(w.value(2), 2.5);
    }

    #[test]
    fn fixest_trade_data_as_write_csv_writes_it() {
        // Issue 11: fixest's `trade` data written by R's write.csv (GPL-3
        // fixture in pivot-gravity's tests) loads, and fixest's walkthrough
        // model gives fixest's −1.527874 (SE 0.115678, clustered by Origin).
        let path = Path::new(
            &std::env::var_os("CARGO_MANIFEST_DIR")
                .expect("CARGO_MANIFEST_DIR: run by cargo or nextest"),
        )
        .join("../pivot-gravity/tests/data/fixest_trade/trade.csv.gz");
        let batch = read_delimited_file(&path).unwrap();
        assert_eq!(batch.num_rows(), 38_325);
        let panel = batches_to_panel(&[batch]).unwrap();
        let f =
            Formula::parse("Euros ~ log(dist_km) | Origin + Destination + Product + Year").unwrap();
        let fit = Ppml::params()
            .check()
            .unwrap()
            .fit(&f, &panel)
            .unwrap()
            .vcov(parse_vcov("cluster(Origin)").unwrap(), &panel)
            .unwrap();
        let b = fit.coef("log(dist_km)").unwrap();
        let se = fit.se("log(dist_km)").unwrap();
        assert_eq!(format!("{b:.6} ({se:.6})"), "-1.527874 (0.115678)");
    }
}
