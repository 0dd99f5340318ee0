//! `pivot._native`: the engine as a Python extension module (pyo3, abi3 for CPython ≥ 3.9).
//!
//! Glue only, like the CLI: Python values become the engine's requests (keyword arguments
//! become a measure's raw parameters, which the measure's typed `Params` check), results come
//! back as `pyarrow.Table`s through the Arrow PyCapsule interface (no copy) with the provenance
//! as JSON under the schema metadata key `pivot.provenance`, and [`EngineError`]s become the
//! exception classes of `pivot.errors`. Every call into the engine releases the GIL. The Python
//! API users see (`pivot.Engine`, results, docs) is `python/pivot/__init__.py`.

// The closures handed to `Python::detach` return the engine's own `EngineError` (large, and
// not this crate's to box); it is converted to a Python exception right after.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use arrow_array::RecordBatch;
use arrow_schema::{Schema, SchemaRef};
use pivot_engine::gravity::FitRequest;
use pivot_engine::measure::MeasureRequest;
use pivot_engine::report::ReportOptions;
use pivot_engine::{Engine, EngineError, ErrorKind, ResultTable, SqlLimits};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PySet, PyString, PyTuple};
use pyo3_arrow::PyTable;
use pyo3_arrow::input::AnyRecordBatch;
use serde_json::{Map, Value};

/// Key of the provenance (JSON) in a result's Arrow schema metadata: the same key the CLI
/// writes into Parquet files.
const PROVENANCE_KEY: &str = "pivot.provenance";

/// The engine, shared by Python threads: reads in parallel, `ingest` alone.
#[pyclass(frozen, name = "_Engine", module = "pivot._native")]
struct PyEngine {
    inner: RwLock<Engine>,
}

/// Builds an exception of `pivot.errors` (falls back to RuntimeError when that module cannot be
/// imported, e.g. `_native` loaded outside its package).
fn pivot_error(py: Python<'_>, class: &str, message: String, attrs: &[(&str, Value)]) -> PyErr {
    let made = (|| -> PyResult<PyErr> {
        let cls = py.import("pivot.errors")?.getattr(class)?;
        let exc = cls.call1((message.clone(),))?;
        for (k, v) in attrs {
            exc.setattr(*k, json_to_py(py, v)?)?;
        }
        Ok(PyErr::from_value(exc))
    })();
    made.unwrap_or_else(|_| PyRuntimeError::new_err(message))
}

/// An engine error as the exception a Python user expects: an unknown or missing keyword is a
/// `TypeError` (as for any Python function), a refused value a `ValueError`, both
/// `pivot.InputError`s; data the store lacks or a malformed file `pivot.DataError`; the
/// environment `pivot.StoreError` (an `OSError`); a bug `pivot.InternalError`.
fn to_py_err(py: Python<'_>, e: EngineError) -> PyErr {
    let message = e.to_string();
    match &e {
        EngineError::Param(p) => {
            let class = if p.problem.starts_with("unknown parameter")
                || p.problem.starts_with("required but not given")
            {
                "UnknownParameterError"
            } else {
                "ParameterError"
            };
            let opt = |v: &Option<String>| v.clone().map(Value::String).unwrap_or(Value::Null);
            pivot_error(
                py,
                class,
                message,
                &[
                    ("measure", Value::String(p.measure.clone())),
                    ("param", Value::String(p.param.clone())),
                    ("value", opt(&p.value)),
                    ("problem", Value::String(p.problem.clone())),
                    ("accepted", opt(&p.accepted)),
                ],
            )
        }
        EngineError::UnknownMeasure { name, suggestion } => pivot_error(
            py,
            "UnknownMeasureError",
            message,
            &[
                ("name", Value::String(name.clone())),
                (
                    "suggestion",
                    suggestion.clone().map(Value::String).unwrap_or(Value::Null),
                ),
            ],
        ),
        EngineError::MissingData { .. } | EngineError::Source(_) => {
            pivot_error(py, "DataError", message, &[])
        }
        _ => {
            let class = match e.kind() {
                ErrorKind::Input => "InputError",
                ErrorKind::Environment => "StoreError",
                ErrorKind::Bug => "InternalError",
            };
            pivot_error(py, class, message, &[])
        }
    }
}

/// A Python value as a raw JSON parameter: `None`, bool, int, float, str, path-like, lists,
/// tuples and sets of those, dicts with str keys.
fn py_to_json(name: &str, v: &Bound<'_, PyAny>) -> PyResult<Value> {
    if v.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if v.cast::<PyInt>().is_ok() || (v.cast::<PyFloat>().is_err() && v.hasattr("__index__")?) {
        return match v.extract::<i64>() {
            Ok(i) => Ok(Value::from(i)),
            Err(_) => Ok(Value::String(v.str()?.to_string())),
        };
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        let x = f.value();
        return Ok(serde_json::Number::from_f64(x)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(x.to_string())));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(Value::String(s.extract::<String>()?));
    }
    if v.cast::<PyList>().is_ok() || v.cast::<PyTuple>().is_ok() || v.cast::<PySet>().is_ok() {
        let mut out = Vec::new();
        for x in v.try_iter()? {
            out.push(py_to_json(name, &x?)?);
        }
        return Ok(Value::Array(out));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut out = Map::new();
        for (k, x) in d.iter() {
            out.insert(k.str()?.to_string(), py_to_json(name, &x)?);
        }
        return Ok(Value::Object(out));
    }
    if v.hasattr("__fspath__")? {
        let p = v.call_method0("__fspath__")?;
        return Ok(Value::String(p.str()?.to_string()));
    }
    Err(PyTypeError::new_err(format!(
        "parameter `{name}`: a {} is not a parameter value (use str, int, float, bool or a list)",
        v.get_type().name()?
    )))
}

/// A JSON value as a Python object.
fn json_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into_pyobject(py)?.into_any(),
            None => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let l = PyList::empty(py);
            for x in a {
                l.append(json_to_py(py, x)?)?;
            }
            l.into_any()
        }
        Value::Object(o) => {
            let d = PyDict::new(py);
            for (k, x) in o {
                d.set_item(k, json_to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// A result as a `pyarrow.Table` (through the PyCapsule stream interface, no copy) whose schema
/// metadata carries the provenance as JSON.
fn to_pyarrow<'py>(py: Python<'py>, t: ResultTable) -> PyResult<Bound<'py, PyAny>> {
    let prov = serde_json::to_string(&t.provenance)
        .map_err(|e| PyRuntimeError::new_err(format!("provenance as JSON: {e}")))?;
    let mut meta: HashMap<String, String> = t.schema.metadata().clone();
    meta.insert(PROVENANCE_KEY.into(), prov);
    meta.insert("pivot.method".into(), t.provenance.method.clone());
    let schema: SchemaRef = Arc::new(Schema::new_with_metadata(t.schema.fields().clone(), meta));
    let batches = t
        .batches
        .into_iter()
        .map(|b| b.with_schema(schema.clone()))
        .collect::<Result<Vec<RecordBatch>, _>>()
        .map_err(|e| PyRuntimeError::new_err(format!("result schema: {e}")))?;
    PyTable::try_new(batches, schema)?.into_pyarrow(py)
}

/// Progress on stderr, at most a few lines a second (data goes to the caller, never to stdout).
struct Progress {
    what: String,
    rows: AtomicU64,
    last: Mutex<Instant>,
}

impl Progress {
    fn new(what: String) -> Progress {
        Progress {
            what,
            rows: AtomicU64::new(0),
            last: Mutex::new(Instant::now()),
        }
    }

    fn add(&self, n: u64) {
        let total = self.rows.fetch_add(n, Ordering::Relaxed) + n;
        if let Ok(mut last) = self.last.try_lock()
            && last.elapsed() >= Duration::from_millis(500)
        {
            *last = Instant::now();
            let mut e = std::io::stderr().lock();
            let _ = write!(e, "\r{}: {total} rows", self.what);
            let _ = e.flush();
        }
    }

    fn done(&self) {
        let total = self.rows.load(Ordering::Relaxed);
        eprintln!("\r{}: {total} rows, done", self.what);
    }
}

impl PyEngine {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Engine> {
        // A panic while holding the lock cannot leave the engine half-changed (ingest swaps
        // whole values), so a poisoned lock is still usable.
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the engine with the GIL released; maps its error.
    fn call<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Engine) -> Result<T, EngineError> + Send,
    ) -> PyResult<T> {
        py.detach(|| f(&self.read())).map_err(|e| to_py_err(py, e))
    }

    fn table<'py>(
        &self,
        py: Python<'py>,
        f: impl FnOnce(&Engine) -> Result<ResultTable, EngineError> + Send,
    ) -> PyResult<Bound<'py, PyAny>> {
        let t = self.call(py, f)?;
        to_pyarrow(py, t)
    }
}

#[pymethods]
impl PyEngine {
    /// Open the store at `store` (default: `$PIVOT_STORE`, else the XDG data directory),
    /// loading any bundled dataset it lacks (no network; progress on stderr).
    #[new]
    #[pyo3(signature = (store=None))]
    fn new(py: Python<'_>, store: Option<PathBuf>) -> PyResult<PyEngine> {
        let root = store.unwrap_or_else(pivot_engine::default_store);
        let first = !root.join("manifest.json").exists();
        let engine = py
            .detach(|| {
                if first {
                    eprintln!(
                        "pivot: loading the bundled data into {} (first use, no network)…",
                        root.display()
                    );
                }
                Engine::open_with(&root, &|_| {})
            })
            .map_err(|e| to_py_err(py, e))?;
        Ok(PyEngine {
            inner: RwLock::new(engine),
        })
    }

    /// The store's root directory.
    fn store(&self) -> String {
        self.read().root().display().to_string()
    }

    /// The datasets in the store (`pivot data list`).
    fn datasets<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.table(py, |e| pivot_engine::info::dataset_table(e.manifest()))
    }

    /// (id, plain-text citation, BibTeX) of every dataset, or of `ids`.
    #[pyo3(signature = (ids=None))]
    fn citations(&self, ids: Option<Vec<String>>) -> Vec<(String, String, String)> {
        self.read().citations(&ids.unwrap_or_default())
    }

    /// One country's codes and names (`pivot country QUERY`).
    fn country<'py>(&self, py: Python<'py>, query: String) -> PyResult<Bound<'py, PyAny>> {
        self.table(py, move |_| pivot_engine::info::country_table(&query))
    }

    /// SQL over the canonical tables.
    fn sql<'py>(&self, py: Python<'py>, query: String) -> PyResult<Bound<'py, PyAny>> {
        self.table(py, move |e| e.sql(&query, SqlLimits::NONE))
    }

    /// Every measure with its one-line summary (`pivot measures`).
    #[staticmethod]
    fn measures<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let t = pivot_engine::info::list_measures().map_err(|e| to_py_err(py, e))?;
        to_pyarrow(py, t)
    }

    /// Every measure and parameter (type, default, allowed values, range) as JSON.
    #[staticmethod]
    fn measure_catalog() -> String {
        pivot_engine::info::measure_catalog().to_string()
    }

    /// One measure's documentation (`pivot measure NAME --help`).
    #[staticmethod]
    fn measure_help(py: Python<'_>, name: &str) -> PyResult<String> {
        pivot_engine::info::measure_help(name).map_err(|e| to_py_err(py, e))
    }

    /// Compute measure `name` with raw parameters `params` (checked by the measure's typed
    /// `Params`, exactly as on the command line).
    fn measure<'py>(
        &self,
        py: Python<'py>,
        name: String,
        params: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut raw = Map::new();
        for (k, v) in params.iter() {
            let k = k.str()?.to_string();
            let v = py_to_json(&k, &v)?;
            raw.insert(k, v);
        }
        let req = MeasureRequest { name, params: raw };
        self.table(py, move |e| e.measure(&req))
    }

    /// Check a claims file; `None` checks the bundled Mankoff (2015) claims.
    #[pyo3(signature = (path=None))]
    fn claims<'py>(&self, py: Python<'py>, path: Option<PathBuf>) -> PyResult<Bound<'py, PyAny>> {
        self.table(py, move |e| match path {
            Some(p) => e.check_claims_file(&p),
            // The provenance cites the datasets the checks read (the engine's claims check).
            None => e.check_claims_toml(
                pivot_engine::report::MANKOFF_CLAIMS,
                "claims/mankoff-2015.toml (bundled)",
            ),
        })
    }

    /// Write the report into `out`; returns the files written.
    #[pyo3(signature = (out, focal=None, partners=None, years=None, claims=None, contrasts=None))]
    #[allow(clippy::too_many_arguments)]
    fn report(
        &self,
        py: Python<'_>,
        out: PathBuf,
        focal: Option<String>,
        partners: Option<Vec<String>>,
        years: Option<String>,
        claims: Option<PathBuf>,
        contrasts: Option<Vec<String>>,
    ) -> PyResult<Vec<String>> {
        let d = ReportOptions::default();
        let opts = ReportOptions {
            focal: focal.unwrap_or(d.focal),
            partners: partners.unwrap_or(d.partners),
            years: years.or(d.years),
            claims: claims.or(d.claims),
            contrasts: contrasts.unwrap_or(d.contrasts),
        };
        let files = self.call(py, move |e| e.write_report(&opts, &out))?;
        Ok(files.iter().map(|p| p.display().to_string()).collect())
    }

    /// Fit gravity models. `data` is a store table name, a `SELECT` query, a CSV/Parquet path,
    /// or any object with `__arrow_c_stream__` / `__arrow_c_array__` (pyarrow, Polars, pandas
    /// ≥ 2.2). Returns (fixest-like text, tidy coefficients table).
    #[pyo3(signature = (data, formulas, vcov, filter=None, estimator="ppml".to_string(), separation="default".to_string(), keep_unconverged=false))]
    #[allow(clippy::too_many_arguments)]
    fn gravity_fit<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        formulas: Vec<String>,
        vcov: String,
        filter: Option<String>,
        estimator: String,
        separation: String,
        keep_unconverged: bool,
    ) -> PyResult<(String, Bound<'py, PyAny>)> {
        let mut req = FitRequest {
            data: String::new(),
            formulas,
            vcov,
            filter,
            estimator,
            separation,
            keep_unconverged,
        };
        let out = if let Ok(s) = data.cast::<PyString>() {
            req.data = s.extract::<String>()?;
            self.call(py, move |e| e.gravity_fit(&req))?
        } else {
            let frame: AnyRecordBatch = data.extract()?;
            let (batches, schema) = frame.into_table()?.into_inner();
            let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
            let what = format!(
                "in-memory {} ({rows} rows)",
                data.get_type().fully_qualified_name()?
            );
            self.call(py, move |e| e.gravity_fit_rows(req, schema, batches, &what))?
        };
        Ok((out.text, to_pyarrow(py, out.table)?))
    }

    /// Run a scenario file: (countries table, pairs table, notes).
    #[pyo3(signature = (path, all_pairs=false))]
    fn scenario<'py>(
        &self,
        py: Python<'py>,
        path: PathBuf,
        all_pairs: bool,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>, Vec<String>)> {
        let out = self.call(py, move |e| e.run_scenario_file(&path, all_pairs))?;
        Ok((
            to_pyarrow(py, out.countries)?,
            to_pyarrow(py, out.pairs)?,
            out.notes,
        ))
    }

    /// Ingest files with adapter `source` (progress on stderr); returns the dataset entry as
    /// JSON and whether it replaced an earlier one.
    fn ingest(
        &self,
        py: Python<'_>,
        source: String,
        paths: Vec<PathBuf>,
    ) -> PyResult<(String, u64, bool)> {
        let progress = Progress::new(format!("pivot: ingesting {source}"));
        let out = py.detach(|| {
            let mut e = self.inner.write().unwrap_or_else(|p| p.into_inner());
            let r = e.ingest(&source, &paths, &|n| progress.add(n));
            progress.done();
            r
        });
        let out = out.map_err(|e| to_py_err(py, e))?;
        Ok((out.entry.id.clone(), out.entry.total_rows(), out.replaced))
    }

    /// Remove dataset `id`; returns the rows it had and whether it is bundled with pivot and
    /// was loaded again from pivot's own copy.
    fn remove(&self, py: Python<'_>, id: String) -> PyResult<(u64, bool)> {
        let out = py.detach(|| {
            let mut e = self.inner.write().unwrap_or_else(|p| p.into_inner());
            e.remove(&id)
        });
        let r = out.map_err(|e| to_py_err(py, e))?;
        Ok((r.entry.total_rows(), r.reloaded))
    }

    /// Recompute every checksum of the store; returns the number of files checked.
    fn verify(&self, py: Python<'_>) -> PyResult<usize> {
        self.call(py, |e| e.verify())
    }
}

/// The module: `_Engine`, the provenance metadata key and the engine's version.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEngine>()?;
    m.add("PROVENANCE_KEY", PROVENANCE_KEY)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
