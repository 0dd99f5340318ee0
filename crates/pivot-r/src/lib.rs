//! The R package `pivot` (`r/`): the engine as an extendr static library that `R CMD INSTALL r`
//! builds with cargo and links into `pivot.so` (`r/src/Makevars`, `r/src/entrypoint.c`).
//!
//! Glue only, like the CLI and the Python module (`crates/pivot-py`, whose calls into the engine
//! this file mirrors): R values become the engine's requests (a measure's arguments become its
//! raw parameters, which the measure's typed `Params` check), and answers come back as plain R
//! values the R code in `r/R/` dresses as data frames. A result is a list of its columns (each
//! Arrow column as one R vector: integers as integer — double past R's integer range —,
//! floating point and decimals as double, text as character, booleans as logical, dates as
//! `Date`, nulls as `NA`) with its row count and its provenance (method, parameters as applied,
//! datasets, notes, and the engine's own text of it). R data frames given to `pivot_gravity`
//! go the other way, column by column, into Arrow arrays the engine queries as an in-memory
//! table, as pandas frames do from Python.
//!
//! Errors never unwind through R: a function that fails returns a list of class
//! `pivot_native_error` (the R condition class, the message, and for a refused parameter its
//! name, value, problem and what is accepted) and `r/R/native.R` signals it as an R condition
//! of that class. A Rust panic is caught by extendr's wrapper and becomes an R error.

// The closures handed to `read`/`write` return the engine's own `EngineError` (large, and not
// this crate's to box); it becomes a `Failure` right after.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, Int32Array, RecordBatch, StringArray,
};
use datafusion::arrow::compute::{cast, concat_batches};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Int32Type, Schema, SchemaRef};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use extendr_api::prelude::*;
use pivot_engine::gravity::FitRequest;
use pivot_engine::measure::MeasureRequest;
use pivot_engine::report::ReportOptions;
use pivot_engine::{Engine, EngineError, ErrorKind, Provenance, ResultTable, SqlLimits};
use serde_json::{Map, Value};

/// A failed call, as the R condition `r/R/native.R` signals.
struct Failure {
    /// The most specific R condition class (`pivot_parameter_error`, …; see `r/R/native.R`).
    class: &'static str,
    message: String,
    /// Extra fields of the condition (parameter, value, problem, accepted …).
    fields: Vec<(&'static str, Option<String>)>,
}

impl Failure {
    fn input(message: impl Into<String>) -> Failure {
        Failure {
            class: "pivot_input_error",
            message: message.into(),
            fields: vec![],
        }
    }

    /// A value R handed over that is not a parameter value (a list, `NA`, an empty vector).
    fn param(name: &str, value: Option<String>, problem: &str) -> Failure {
        let shown = value.clone().map(|v| format!(" '{v}'")).unwrap_or_default();
        Failure {
            class: "pivot_parameter_error",
            message: format!("parameter `{name}`{shown}: {problem}"),
            fields: vec![
                ("param", Some(name.to_string())),
                ("value", value),
                ("problem", Some(problem.to_string())),
            ],
        }
    }

    fn bug(message: impl Into<String>) -> Failure {
        Failure {
            class: "pivot_internal_error",
            message: format!(
                "{} (this is a bug in pivot, please report it)",
                message.into()
            ),
            fields: vec![],
        }
    }
}

/// An engine error as the condition an R user expects: a refused or unknown measure parameter
/// `pivot_parameter_error`, an unknown measure `pivot_unknown_measure_error`, data the store
/// lacks or a malformed file `pivot_data_error` (all three `pivot_input_error`s); the
/// environment (store, disk, lock) `pivot_store_error`; a bug `pivot_internal_error`.
impl From<EngineError> for Failure {
    fn from(e: EngineError) -> Failure {
        let message = e.to_string();
        let (class, fields) = match &e {
            EngineError::Param(p) => (
                "pivot_parameter_error",
                vec![
                    ("measure", Some(p.measure.clone())),
                    ("param", Some(p.param.clone())),
                    ("value", p.value.clone()),
                    ("problem", Some(p.problem.clone())),
                    ("accepted", p.accepted.clone()),
                ],
            ),
            EngineError::UnknownMeasure { name, suggestion } => (
                "pivot_unknown_measure_error",
                vec![
                    ("name", Some(name.clone())),
                    ("suggestion", suggestion.clone()),
                ],
            ),
            EngineError::MissingData { .. } | EngineError::Source(_) => {
                ("pivot_data_error", vec![])
            }
            _ => match e.kind() {
                ErrorKind::Input => ("pivot_input_error", vec![]),
                ErrorKind::Environment => ("pivot_store_error", vec![]),
                ErrorKind::Bug => ("pivot_internal_error", vec![]),
            },
        };
        Failure {
            class,
            message,
            fields,
        }
    }
}

type Answer = std::result::Result<Robj, Failure>;

/// The value handed back to R: the answer, or the failure as a `pivot_native_error` list.
fn answer(f: impl FnOnce() -> Answer) -> Robj {
    match f() {
        Ok(r) => r,
        Err(e) => {
            let mut names = vec!["class", "message"];
            let mut values: Vec<Robj> = vec![e.class.into(), e.message.into()];
            for (k, v) in e.fields {
                names.push(k);
                values.push(match v {
                    Some(v) => v.into(),
                    None => ().into(),
                });
            }
            let mut out: Robj = List::from_names_and_values(names, values)
                .map(Robj::from)
                .unwrap_or_else(|_| Robj::from(()));
            let _ = out.set_class(["pivot_native_error"]);
            out
        }
    }
}

// --- R values in ---------------------------------------------------------------------------

/// A single string argument (`NULL` → `None`); anything else is refused naming the argument.
fn opt_string(v: &Robj, what: &str) -> std::result::Result<Option<String>, Failure> {
    if v.is_null() {
        return Ok(None);
    }
    match v.as_str_iter() {
        Some(mut it) if v.len() == 1 && !v.is_factor() => {
            let s = it.next().unwrap_or_default();
            if s.is_na() {
                Err(Failure::input(format!("`{what}` is NA; give a string")))
            } else {
                Ok(Some(s.to_string()))
            }
        }
        _ => Err(Failure::input(format!(
            "`{what}` must be a single string, not {}",
            describe(v)
        ))),
    }
}

fn string(v: &Robj, what: &str) -> std::result::Result<String, Failure> {
    opt_string(v, what)?.ok_or_else(|| Failure::input(format!("`{what}` must be given")))
}

/// A character vector (`NULL` → `None`), no `NA`s.
fn opt_strings(v: &Robj, what: &str) -> std::result::Result<Option<Vec<String>>, Failure> {
    if v.is_null() {
        return Ok(None);
    }
    let Some(it) = v.as_str_iter() else {
        return Err(Failure::input(format!(
            "`{what}` must be a character vector, not {}",
            describe(v)
        )));
    };
    let mut out = Vec::new();
    for s in it {
        if s.is_na() {
            return Err(Failure::input(format!("`{what}` contains NA")));
        }
        out.push(s.to_string());
    }
    Ok(Some(out))
}

fn flag(v: &Robj, what: &str) -> std::result::Result<bool, Failure> {
    match v.as_logical_slice() {
        Some([b]) if !b.is_na() => Ok(b.is_true()),
        _ => Err(Failure::input(format!(
            "`{what}` must be TRUE or FALSE, not {}",
            describe(v)
        ))),
    }
}

/// How a value looks to an R user, for messages.
fn describe(v: &Robj) -> String {
    let kind = if v.is_factor() {
        "factor"
    } else {
        match v.rtype() {
            Rtype::Null => return "NULL".into(),
            Rtype::Logicals => "logical",
            Rtype::Integers => "integer",
            Rtype::Doubles => "numeric",
            Rtype::Strings => "character",
            Rtype::List => "list",
            Rtype::Function => return "a function".into(),
            Rtype::Environment => return "an environment".into(),
            _ => return format!("an R object of type {:?}", v.rtype()),
        }
    };
    format!("a {kind} vector of length {}", v.len())
}

/// One measure argument as a raw parameter value (the measure's typed `Params` decide the
/// rest): logical, integer, numeric, character or factor; length one as a scalar, longer as a
/// list (`partners = c("CHN", "IND")`). `NULL` means not given. `NA`, empty vectors and lists
/// are refused naming the parameter.
fn param_value(name: &str, v: &Robj) -> std::result::Result<Option<Value>, Failure> {
    if v.is_null() {
        return Ok(None);
    }
    if v.is_empty() {
        return Err(Failure::param(name, None, "an empty vector is not a value"));
    }
    let na = || {
        Failure::param(
            name,
            Some("NA".into()),
            "NA is not a value; leave the argument out for its default",
        )
    };
    let mut vals: Vec<Value> = Vec::with_capacity(v.len());
    if v.is_factor() || v.rtype() == Rtype::Strings {
        for s in v.as_str_iter().into_iter().flatten() {
            if s.is_na() {
                return Err(na());
            }
            vals.push(Value::String(s.to_string()));
        }
    } else if let Some(xs) = v.as_logical_slice() {
        for b in xs {
            if b.is_na() {
                return Err(na());
            }
            vals.push(Value::Bool(b.is_true()));
        }
    } else if let Some(xs) = v.as_integer_slice() {
        for &x in xs {
            if x == i32::MIN {
                return Err(na());
            }
            vals.push(Value::from(x));
        }
    } else if let Some(xs) = v.as_real_slice() {
        for &x in xs {
            if x.is_nan() {
                return Err(na());
            }
            // A whole number is an integer (R's `2014` is a double); others stay numbers, and
            // infinities go as text for the parameter's type to refuse.
            vals.push(if x.fract() == 0.0 && x.abs() < 9.0e15 {
                Value::from(x as i64)
            } else {
                serde_json::Number::from_f64(x)
                    .map(Value::Number)
                    .unwrap_or_else(|| Value::String(x.to_string()))
            });
        }
    } else {
        return Err(Failure::param(
            name,
            None,
            &format!(
                "{} is not a parameter value (use a string, number, logical or a vector of those)",
                describe(v)
            ),
        ));
    }
    Ok(Some(if vals.len() == 1 {
        vals.remove(0)
    } else {
        Value::Array(vals)
    }))
}

/// A data frame (a named list of equal-length columns) as one Arrow batch: numeric → Float64,
/// integer → Int32, logical → Boolean, character and factor → Utf8; `NA` → null.
fn frame_to_batch(data: &Robj) -> std::result::Result<RecordBatch, Failure> {
    let Some(list) = data.as_list() else {
        return Err(Failure::input(format!(
            "`data` must be a data frame, a store table's name, a SELECT query or a CSV/Parquet path, not {}",
            describe(data)
        )));
    };
    let names: Vec<String> = data
        .names()
        .map(|n| n.map(str::to_string).collect())
        .unwrap_or_default();
    if list.is_empty() || names.len() != list.len() {
        return Err(Failure::input(
            "`data` has no named columns; give a data frame",
        ));
    }
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    let mut rows: Option<usize> = None;
    for (name, col) in names.iter().zip(list.values()) {
        if name.is_empty() {
            return Err(Failure::input("`data` has a column without a name"));
        }
        let (ty, arr): (DataType, ArrayRef) = if col.is_factor() || col.rtype() == Rtype::Strings {
            let it = col.as_str_iter().into_iter().flatten();
            let v: Vec<Option<String>> = it.map(|s| (!s.is_na()).then(|| s.to_string())).collect();
            (DataType::Utf8, Arc::new(StringArray::from(v)))
        } else if let Some(xs) = col.as_logical_slice() {
            let v: Vec<Option<bool>> = xs
                .iter()
                .map(|b| (!b.is_na()).then(|| b.is_true()))
                .collect();
            (DataType::Boolean, Arc::new(BooleanArray::from(v)))
        } else if let Some(xs) = col.as_integer_slice() {
            let v: Vec<Option<i32>> = xs.iter().map(|&x| (x != i32::MIN).then_some(x)).collect();
            (DataType::Int32, Arc::new(Int32Array::from(v)))
        } else if let Some(xs) = col.as_real_slice() {
            let v: Vec<Option<f64>> = xs.iter().map(|&x| (!x.is_nan()).then_some(x)).collect();
            (DataType::Float64, Arc::new(Float64Array::from(v)))
        } else {
            return Err(Failure::input(format!(
                "`data` column '{name}' is {}; pivot_gravity takes numeric, integer, logical, character or factor columns",
                describe(&col)
            )));
        };
        match rows {
            Some(n) if n != arr.len() => {
                return Err(Failure::input(format!(
                    "`data` column '{name}' has {} rows, the first column {n}",
                    arr.len()
                )));
            }
            _ => rows = Some(arr.len()),
        }
        fields.push(Field::new(name, ty, true));
        arrays.push(arr);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .map_err(|e| Failure::input(format!("`data`: {e}")))
}

// --- answers out ---------------------------------------------------------------------------

/// One Arrow column as one R vector.
fn column_to_robj(a: &ArrayRef) -> std::result::Result<Robj, Failure> {
    let to = |t: &DataType| cast(a, t).map_err(|e| Failure::bug(format!("column as {t}: {e}")));
    let doubles = |a: &ArrayRef| -> Robj {
        let f = a.as_primitive::<Float64Type>();
        let v: Vec<Option<f64>> = (0..f.len())
            .map(|i| f.is_valid(i).then(|| f.value(i)))
            .collect();
        Robj::from(v)
    };
    Ok(match a.data_type() {
        DataType::Boolean => {
            let b = a.as_boolean();
            let v: Vec<Option<bool>> = (0..b.len())
                .map(|i| b.is_valid(i).then(|| b.value(i)))
                .collect();
            Robj::from(v)
        }
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::UInt8 | DataType::UInt16 => {
            let c = to(&DataType::Int32)?;
            let x = c.as_primitive::<Int32Type>();
            let v: Vec<Option<i32>> = (0..x.len())
                .map(|i| x.is_valid(i).then(|| x.value(i)))
                .collect();
            Robj::from(v)
        }
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => {
            // R's integers end at ±2^31−1 (−2^31 is NA): a column past that is double.
            let c = to(&DataType::Float64)?;
            let f = c.as_primitive::<Float64Type>();
            let fits =
                (0..f.len()).all(|i| f.is_null(i) || f.value(i).abs() <= f64::from(i32::MAX));
            if fits {
                let v: Vec<Option<i32>> = (0..f.len())
                    .map(|i| f.is_valid(i).then(|| f.value(i) as i32))
                    .collect();
                Robj::from(v)
            } else {
                doubles(&c)
            }
        }
        DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(_, _)
        | DataType::Decimal256(_, _) => doubles(&to(&DataType::Float64)?),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(_, _) => {
            let c = to(&DataType::Utf8)?;
            let s = c.as_string::<i32>();
            let v: Vec<Option<&str>> = (0..s.len())
                .map(|i| s.is_valid(i).then(|| s.value(i)))
                .collect();
            Robj::from(v)
        }
        DataType::Date32 => {
            let c = to(&DataType::Int32)?;
            let x = c.as_primitive::<Int32Type>();
            let v: Vec<Option<f64>> = (0..x.len())
                .map(|i| x.is_valid(i).then(|| f64::from(x.value(i))))
                .collect();
            let mut r = Robj::from(v);
            r.set_class(["Date"])
                .map_err(|e| Failure::bug(format!("Date class: {e}")))?;
            r
        }
        _ => {
            // Timestamps, lists, structs: as the CLI prints them.
            let f = ArrayFormatter::try_new(a.as_ref(), &FormatOptions::default())
                .map_err(|e| Failure::bug(format!("formatting a {} column: {e}", a.data_type())))?;
            let v: Vec<Option<String>> = (0..a.len())
                .map(|i| a.is_valid(i).then(|| f.value(i).to_string()))
                .collect();
            Robj::from(v)
        }
    })
}

/// A JSON value as an R value: objects as named lists, arrays of strings or numbers as
/// vectors, other arrays as lists.
fn json_to_robj(v: &Value) -> Robj {
    match v {
        Value::Null => ().into(),
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN).into(),
        Value::String(s) => s.as_str().into(),
        Value::Array(a) if a.iter().all(Value::is_string) => {
            Robj::from(a.iter().filter_map(Value::as_str).collect::<Vec<&str>>())
        }
        Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_number) => Robj::from(
            a.iter()
                .map(|x| x.as_f64().unwrap_or(f64::NAN))
                .collect::<Vec<f64>>(),
        ),
        Value::Array(a) => List::from_values(a.iter().map(json_to_robj)).into(),
        Value::Object(o) => List::from_names_and_values(o.keys(), o.values().map(json_to_robj))
            .map(Robj::from)
            .unwrap_or_else(|_| ().into()),
    }
}

/// The provenance as an R list of class `pivot_provenance`: method, parameters (a named
/// character vector, as applied), datasets (one named list each: id, version, source, licence,
/// citation, checksum), notes, pivot_version, and `text`, the engine's own rendering of it.
fn provenance_robj(p: &Provenance) -> std::result::Result<Robj, Failure> {
    let mut params = Robj::from(
        p.parameters
            .values()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    params
        .set_names(p.parameters.keys().map(String::as_str).collect::<Vec<_>>())
        .map_err(|e| Failure::bug(format!("provenance names: {e}")))?;
    let datasets = serde_json::to_value(&p.datasets)
        .map_err(|e| Failure::bug(format!("provenance datasets: {e}")))?;
    let datasets: Robj = match &datasets {
        Value::Array(a) => List::from_values(a.iter().map(json_to_robj)).into(),
        other => json_to_robj(other),
    };
    let mut out: Robj = List::from_names_and_values(
        [
            "method",
            "parameters",
            "datasets",
            "notes",
            "pivot_version",
            "text",
        ],
        [
            Robj::from(p.method.as_str()),
            params,
            datasets,
            Robj::from(p.notes.iter().map(String::as_str).collect::<Vec<_>>()),
            Robj::from(p.pivot_version.as_str()),
            Robj::from(p.to_string()),
        ],
    )
    .map_err(|e| Failure::bug(format!("provenance: {e}")))?
    .into();
    out.set_class(["pivot_provenance"])
        .map_err(|e| Failure::bug(format!("provenance class: {e}")))?;
    Ok(out)
}

/// A result table as `list(columns = <named list of vectors>, nrow, provenance)`.
fn table_robj(t: &ResultTable) -> Answer {
    let schema: SchemaRef = t.schema.clone();
    let batch = concat_batches(&schema, &t.batches)
        .map_err(|e| Failure::bug(format!("joining result batches: {e}")))?;
    let mut cols = Vec::with_capacity(batch.num_columns());
    for c in batch.columns() {
        cols.push(column_to_robj(c)?);
    }
    let columns =
        List::from_names_and_values(schema.fields().iter().map(|f| f.name().as_str()), cols)
            .map_err(|e| Failure::bug(format!("result columns: {e}")))?;
    let out = List::from_names_and_values(
        ["columns", "nrow", "provenance"],
        [
            Robj::from(columns),
            Robj::from(batch.num_rows() as f64),
            provenance_robj(&t.provenance)?,
        ],
    )
    .map_err(|e| Failure::bug(format!("result: {e}")))?;
    Ok(out.into())
}

fn named(pairs: Vec<(&str, Robj)>) -> Answer {
    let (names, values): (Vec<&str>, Vec<Robj>) = pairs.into_iter().unzip();
    List::from_names_and_values(names, values)
        .map(Robj::from)
        .map_err(|e| Failure::bug(format!("answer list: {e}")))
}

// --- the engine ----------------------------------------------------------------------------

/// Engines opened in this R session, by store root: a store is opened (and the bundled data
/// loaded) once per session, as by one `pivot.Engine` in Python.
fn engines() -> &'static Mutex<HashMap<PathBuf, Arc<RwLock<Engine>>>> {
    static ENGINES: OnceLock<Mutex<HashMap<PathBuf, Arc<RwLock<Engine>>>>> = OnceLock::new();
    ENGINES.get_or_init(Default::default)
}

/// The engine over `store` (`NULL`: `$PIVOT_STORE`, else the XDG data directory — the CLI's
/// and Python's default).
fn engine(store: &Robj) -> std::result::Result<Arc<RwLock<Engine>>, Failure> {
    let root = match opt_string(store, "store")? {
        Some(s) => PathBuf::from(s),
        None => pivot_engine::default_store(),
    };
    let key = std::path::absolute(&root).unwrap_or_else(|_| root.clone());
    let mut map = engines().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(e) = map.get(&key) {
        return Ok(e.clone());
    }
    if !root.join("manifest.json").exists() {
        eprintln!(
            "pivot: loading the bundled data into {} (first use, no network)…",
            root.display()
        );
    }
    let e = Arc::new(RwLock::new(Engine::open_with(&root, &|_| {})?));
    map.insert(key, e.clone());
    Ok(e)
}

fn read<T>(
    store: &Robj,
    f: impl FnOnce(&Engine) -> std::result::Result<T, EngineError>,
) -> std::result::Result<T, Failure> {
    let e = engine(store)?;
    // A panic while holding the lock cannot leave the engine half-changed (ingest swaps whole
    // values), so a poisoned lock is still usable.
    let g = e.read().unwrap_or_else(|p| p.into_inner());
    Ok(f(&g)?)
}

fn write<T>(
    store: &Robj,
    f: impl FnOnce(&mut Engine) -> std::result::Result<T, EngineError>,
) -> std::result::Result<T, Failure> {
    let e = engine(store)?;
    let mut g = e.write().unwrap_or_else(|p| p.into_inner());
    Ok(f(&mut g)?)
}

// --- the functions R calls (r/R/*.R wraps each) ----------------------------------------------

/// The functions R calls (`r/R/*.R` wraps each as `.Call(wrap__NAME, …)`), in a private module:
/// the `extern "C"` wrappers extendr generates are exported from the library by their symbol
/// names, not as Rust items.
mod entry {
    use super::*;

    /// The store's root directory.
    #[extendr]
    fn pivot_native_store(store: Robj) -> Robj {
        answer(|| {
            let e = engine(&store)?;
            let g = e.read().unwrap_or_else(|p| p.into_inner());
            Ok(g.root().display().to_string().into())
        })
    }

    /// Compute measure `name` with raw parameters `params` (a named list), checked by the
    /// measure's typed `Params` exactly as on the command line.
    #[extendr]
    fn pivot_native_measure(store: Robj, name: Robj, params: Robj) -> Robj {
        answer(|| {
            let name = string(&name, "name")?;
            let mut raw = Map::new();
            if let Some(list) = params.as_list() {
                let names: Vec<String> = params
                    .names()
                    .map(|n| n.map(str::to_string).collect())
                    .unwrap_or_default();
                for (i, v) in list.values().enumerate() {
                    let k = names.get(i).cloned().unwrap_or_default();
                    if k.is_empty() || k == "NA" {
                        return Err(Failure::input(format!(
                            "measure '{name}': argument {} has no name; give parameters as name = value",
                            i + 2
                        )));
                    }
                    if let Some(v) = param_value(&k, &v)? {
                        raw.insert(k, v);
                    }
                }
            }
            let req = MeasureRequest { name, params: raw };
            let t = read(&store, |e| e.measure(&req))?;
            table_robj(&t)
        })
    }

    /// Every measure with its one-line summary (`pivot measures`).
    #[extendr]
    fn pivot_native_measures() -> Robj {
        answer(|| table_robj(&pivot_engine::info::list_measures()?))
    }

    /// Every measure and parameter as JSON (`pivot measures --format json`).
    #[extendr]
    fn pivot_native_measure_catalog() -> Robj {
        answer(|| Ok(json_to_robj(&pivot_engine::info::measure_catalog())))
    }

    /// One measure's documentation (`pivot measure NAME --help`).
    #[extendr]
    fn pivot_native_measure_help(name: Robj) -> Robj {
        answer(|| {
            let name = string(&name, "name")?;
            Ok(pivot_engine::info::measure_help(&name)?.into())
        })
    }

    /// SQL over the canonical tables.
    #[extendr]
    fn pivot_native_sql(store: Robj, query: Robj) -> Robj {
        answer(|| {
            let q = string(&query, "query")?;
            table_robj(&read(&store, |e| e.sql(&q, SqlLimits::NONE))?)
        })
    }

    /// One country's codes and names (`pivot country QUERY`).
    #[extendr]
    fn pivot_native_country(query: Robj) -> Robj {
        answer(|| {
            let q = string(&query, "query")?;
            table_robj(&pivot_engine::info::country_table(&q)?)
        })
    }

    /// The datasets in the store (`pivot data list`).
    #[extendr]
    fn pivot_native_datasets(store: Robj) -> Robj {
        answer(|| {
            table_robj(&read(&store, |e| {
                pivot_engine::info::dataset_table(e.manifest())
            })?)
        })
    }

    /// Citations of every dataset, or of `ids`: `list(id, text, bibtex)` of character vectors.
    #[extendr]
    fn pivot_native_citations(store: Robj, ids: Robj) -> Robj {
        answer(|| {
            let ids = opt_strings(&ids, "datasets")?.unwrap_or_default();
            let cites = read(&store, |e| Ok(e.citations(&ids)))?;
            if let Some(missing) = ids.iter().find(|i| !cites.iter().any(|c| &c.0 == *i)) {
                return Err(Failure::input(format!(
                    "dataset '{missing}' is not in the store; pivot_datasets() lists them"
                )));
            }
            named(vec![
                (
                    "id",
                    cites
                        .iter()
                        .map(|c| c.0.as_str())
                        .collect::<Vec<_>>()
                        .into(),
                ),
                (
                    "text",
                    cites
                        .iter()
                        .map(|c| c.1.as_str())
                        .collect::<Vec<_>>()
                        .into(),
                ),
                (
                    "bibtex",
                    cites
                        .iter()
                        .map(|c| c.2.as_str())
                        .collect::<Vec<_>>()
                        .into(),
                ),
            ])
        })
    }

    /// Check a claims file; `NULL` checks the bundled Mankoff (2015) claims.
    #[extendr]
    fn pivot_native_claims(store: Robj, path: Robj) -> Robj {
        answer(|| {
            let path = opt_string(&path, "path")?;
            table_robj(&read(&store, |e| match path {
                Some(p) => e.check_claims_file(std::path::Path::new(&p)),
                None => e.check_claims_toml(
                    pivot_engine::report::MANKOFF_CLAIMS,
                    "claims/mankoff-2015.toml (bundled)",
                ),
            })?)
        })
    }

    /// Write the report into `out`; returns the files written.
    #[extendr]
    fn pivot_native_report(
        store: Robj,
        out: Robj,
        focal: Robj,
        partners: Robj,
        years: Robj,
        claims: Robj,
        contrasts: Robj,
    ) -> Robj {
        answer(|| {
            let out = PathBuf::from(string(&out, "out")?);
            let d = ReportOptions::default();
            let opts = ReportOptions {
                focal: opt_string(&focal, "focal")?.unwrap_or(d.focal),
                partners: opt_strings(&partners, "partners")?.unwrap_or(d.partners),
                years: opt_string(&years, "years")?.or(d.years),
                claims: opt_string(&claims, "claims")?
                    .map(PathBuf::from)
                    .or(d.claims),
                contrasts: opt_strings(&contrasts, "contrasts")?.unwrap_or(d.contrasts),
            };
            let files = read(&store, |e| e.write_report(&opts, &out))?;
            Ok(files
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .into())
        })
    }

    /// Fit gravity models. `data` is a store table's name, a `SELECT` query, a CSV/Parquet path or
    /// a data frame. Returns `list(text, table, fits)`: the fixest-like text, the tidy table, and
    /// per model its terms, coefficients, variance matrix (row-major), fitted values and counts.
    #[extendr]
    #[allow(clippy::too_many_arguments)]
    fn pivot_native_gravity(
        store: Robj,
        data: Robj,
        formulas: Robj,
        vcov: Robj,
        filter: Robj,
        estimator: Robj,
        separation: Robj,
        keep_unconverged: Robj,
    ) -> Robj {
        answer(|| {
            let formulas = opt_strings(&formulas, "formula")?.unwrap_or_default();
            if formulas.is_empty() {
                return Err(Failure::input("`formula` must be given"));
            }
            let mut req = FitRequest {
                data: String::new(),
                formulas,
                vcov: string(&vcov, "vcov")?,
                filter: opt_string(&filter, "filter")?,
                estimator: string(&estimator, "estimator")?,
                separation: string(&separation, "separation")?,
                keep_unconverged: flag(&keep_unconverged, "keep_unconverged")?,
            };
            let out = if data.rtype() == Rtype::Strings && !data.is_factor() {
                req.data = string(&data, "data")?;
                read(&store, |e| e.gravity_fit(&req))?
            } else {
                let batch = frame_to_batch(&data)?;
                let what = format!(
                    "in-memory R data frame ({} rows, {} columns)",
                    batch.num_rows(),
                    batch.num_columns()
                );
                read(&store, |e| {
                    e.gravity_fit_rows(req.clone(), batch.schema(), vec![batch.clone()], &what)
                })?
            };
            let mut fits = Vec::with_capacity(out.fits.len());
            for f in &out.fits {
                let tidy = f.tidy();
                fits.push(named(vec![
                    ("formula", f.formula().to_string().into()),
                    (
                        "terms",
                        f.coef_names()
                            .iter()
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .into(),
                    ),
                    ("coefficients", f.coefficients().to_vec().into()),
                    (
                        "std_error",
                        tidy.iter().map(|c| c.std_error).collect::<Vec<_>>().into(),
                    ),
                    ("z", tidy.iter().map(|c| c.z).collect::<Vec<_>>().into()),
                    ("p", tidy.iter().map(|c| c.p).collect::<Vec<_>>().into()),
                    ("vcov", f.vcov_matrix().to_vec().into()),
                    ("vcov_type", f.vcov_spec().to_string().into()),
                    ("fitted", f.fitted().to_vec().into()),
                    ("nobs", (f.nobs() as f64).into()),
                    ("n_original", (f.n_original() as f64).into()),
                    ("converged", f.converged().into()),
                    ("iterations", (f.iterations() as f64).into()),
                    ("deviance", f.deviance().into()),
                    ("null_deviance", f.null_deviance().into()),
                    ("pseudo_r2", f.pseudo_r2().unwrap_or(f64::NAN).into()),
                    ("loglik", f.loglik().unwrap_or(f64::NAN).into()),
                    (
                        "collinear",
                        f.collinear()
                            .iter()
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .into(),
                    ),
                ])?);
            }
            named(vec![
                ("text", out.text.as_str().into()),
                ("table", table_robj(&out.table)?),
                ("fits", List::from_values(fits).into()),
            ])
        })
    }

    /// Run a scenario file: `list(countries, pairs, notes)`.
    #[extendr]
    fn pivot_native_scenario(store: Robj, path: Robj, all_pairs: Robj) -> Robj {
        answer(|| {
            let path = PathBuf::from(string(&path, "path")?);
            let all = flag(&all_pairs, "all_pairs")?;
            let out = read(&store, |e| e.run_scenario_file(&path, all))?;
            named(vec![
                ("countries", table_robj(&out.countries)?),
                ("pairs", table_robj(&out.pairs)?),
                (
                    "notes",
                    out.notes
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .into(),
                ),
            ])
        })
    }

    /// Ingest files with adapter `source`: `list(dataset, rows, replaced)`.
    #[extendr]
    fn pivot_native_ingest(store: Robj, source: Robj, paths: Robj) -> Robj {
        answer(|| {
            let source = string(&source, "source")?;
            let paths: Vec<PathBuf> = opt_strings(&paths, "path")?
                .unwrap_or_default()
                .into_iter()
                .map(PathBuf::from)
                .collect();
            if paths.is_empty() {
                return Err(Failure::input(
                    "`path` must name at least one file or folder",
                ));
            }
            let rows = std::sync::atomic::AtomicU64::new(0);
            let out = write(&store, |e| {
                e.ingest(&source, &paths, &|n| {
                    rows.fetch_add(n, Ordering::Relaxed);
                })
            })?;
            eprintln!(
                "pivot: ingested {source}: {} rows",
                rows.load(Ordering::Relaxed)
            );
            named(vec![
                ("dataset", out.entry.id.as_str().into()),
                ("rows", (out.entry.total_rows() as f64).into()),
                ("replaced", out.replaced.into()),
            ])
        })
    }

    /// Remove dataset `id`: `list(dataset, rows, reloaded)`.
    #[extendr]
    fn pivot_native_remove(store: Robj, id: Robj) -> Robj {
        answer(|| {
            let id = string(&id, "dataset")?;
            let r = write(&store, |e| e.remove(&id))?;
            named(vec![
                ("dataset", id.as_str().into()),
                ("rows", (r.entry.total_rows() as f64).into()),
                ("reloaded", r.reloaded.into()),
            ])
        })
    }

    /// Recompute every checksum of the store; the number of files checked.
    #[extendr]
    fn pivot_native_verify(store: Robj) -> Robj {
        answer(|| Ok((read(&store, |e| e.verify())? as f64).into()))
    }

    /// The engine's version.
    #[extendr]
    fn pivot_native_version() -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    extendr_module! {
        mod pivot;
        fn pivot_native_store;
        fn pivot_native_measure;
        fn pivot_native_measures;
        fn pivot_native_measure_catalog;
        fn pivot_native_measure_help;
        fn pivot_native_sql;
        fn pivot_native_country;
        fn pivot_native_datasets;
        fn pivot_native_citations;
        fn pivot_native_claims;
        fn pivot_native_report;
        fn pivot_native_gravity;
        fn pivot_native_scenario;
        fn pivot_native_ingest;
        fn pivot_native_remove;
        fn pivot_native_verify;
        fn pivot_native_version;
    }
}
