//! The [`Measure`] trait: one implementation per measure file, the way DataFusion has one struct
//! per aggregate implementing `AggregateUDFImpl` and ruff one type per rule.
//!
//! A measure declares its name, dimension, the tables it reads, a `Params` type (serde +
//! JSON Schema: names, types, defaults, allowed values and ranges are written once, on the
//! struct) and a pure [`Measure::compute`] over a [`Data`] source. Its documentation is the
//! `//!` block of its own file, in the fixed sections (What it measures · Formula · Reading it ·
//! Data it needs · Reference), read from the file's text at compile time — written once.
//!
//! The registry ([`crate::registry::REGISTRY`]) lists the types as [`DynMeasure`] objects;
//! every front door (CLI, server, Python) goes through [`DynMeasure::run`] with raw parameters
//! and gets typed rows, notes and the parameters as applied.

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::data::Data;
use crate::dimension::Dimension;
use crate::error::{MeasureError, Result};
use crate::params::{self, ParamDoc, ParamError, Validate};

/// A measure.
pub trait Measure: Send + Sync + 'static {
    /// Its parameters: `#[serde(deny_unknown_fields)]`, doc comments as descriptions,
    /// `#[serde(default …)]` for defaults, `#[schemars(range(…))]` for ranges.
    type Params: serde::de::DeserializeOwned + Serialize + schemars::JsonSchema + Validate;
    /// One row of its answer: every front door's columns (CLI tables, Arrow, JSON, Python
    /// and R data frames) are this struct's fields, and typed callers (the report, claims)
    /// read its fields, never names in text. A measure whose parameters would change the
    /// shape of its answer is two measures.
    type Row: Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static;
    /// Kebab-case name (`pivot measure NAME`).
    const NAME: &'static str;
    /// Dimension.
    const DIMENSION: Dimension;
    /// The canonical tables it reads (every one it may read: the spliced trade series reads
    /// BACI's roll-up `trade_dyad_year` where BACI is loaded).
    const TABLES: &'static [crate::Table];
    /// The text of the measure's file (`include_str!("this_file.rs")`): its `//!` block is the
    /// documentation.
    const SOURCE: &'static str;
    /// Compute from the rows `data` serves.
    fn compute(params: &Self::Params, data: &dyn Data) -> Result<Output<Self::Row>>;
}

/// Rows of any serialisable row type, type-erased (each measure has its own row struct).
#[derive(Clone)]
pub struct Rows {
    inner: Arc<dyn ErasedRows>,
    len: usize,
    /// The Arrow fields of the row type, traced from the type itself (so an answer with no
    /// rows keeps its columns); none where the type is not known to deserialize.
    fields: fn() -> Option<Vec<arrow::datatypes::FieldRef>>,
}

/// The Arrow fields of a row type, from its serde description: text as (large) UTF-8, unit
/// enum variants as their names, optional values nullable.
fn fields_of<T: serde::de::DeserializeOwned>() -> Option<Vec<arrow::datatypes::FieldRef>> {
    use serde_arrow::schema::{SchemaLike, TracingOptions};
    let opts = TracingOptions::default()
        .allow_null_fields(true)
        .enums_without_data_as_strings(true);
    Vec::<arrow::datatypes::FieldRef>::from_type::<T>(opts).ok()
}

trait ErasedRows: erased_serde::Serialize + Send + Sync {
    fn as_any(&self) -> &dyn std::any::Any;
}
impl<T: Serialize + Send + Sync + 'static> ErasedRows for Vec<T> {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
erased_serde::serialize_trait_object!(ErasedRows);

impl Rows {
    /// Wrap typed rows.
    pub fn new<T: Serialize + Send + Sync + 'static>(rows: Vec<T>) -> Rows {
        let len = rows.len();
        Rows {
            inner: Arc::new(rows),
            len,
            fields: || None,
        }
    }

    /// Wrap rows of a measure's row type, whose columns are known even when there are none.
    pub fn of_row_type<T>(rows: Vec<T>) -> Rows
    where
        T: Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    {
        let len = rows.len();
        Rows {
            inner: Arc::new(rows),
            len,
            fields: fields_of::<T>,
        }
    }

    /// The row type's Arrow fields, where known.
    pub fn fields(&self) -> Option<Vec<arrow::datatypes::FieldRef>> {
        (self.fields)()
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The rows as their own type, when they are of type `T`.
    pub fn typed<T: 'static>(&self) -> Option<&Vec<T>> {
        self.inner.as_any().downcast_ref::<Vec<T>>()
    }

    /// As JSON records (for tests and small outputs).
    pub fn to_json(&self) -> Vec<Value> {
        match serde_json::to_value(self) {
            Ok(Value::Array(a)) => a,
            _ => vec![],
        }
    }
}

impl Serialize for Rows {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        erased_serde::serialize(&*self.inner, s)
    }
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rows({})", self.len)
    }
}

/// What a measure returns: its rows, of its own row type, and notes.
#[derive(Debug, Clone)]
pub struct Output<R> {
    /// Result rows.
    pub rows: Vec<R>,
    /// Caveats a reader must know (units, coverage, what was counted how).
    pub notes: Vec<String>,
}

impl<R> Output<R> {
    /// Rows without notes.
    pub fn rows(rows: Vec<R>) -> Output<R> {
        Output {
            rows,
            notes: vec![],
        }
    }

    /// Add a note.
    pub fn note(mut self, n: impl Into<String>) -> Output<R> {
        self.notes.push(n.into());
        self
    }
}

/// A measure's output with its row type erased (the registry's view).
#[derive(Debug, Clone)]
pub struct ErasedOutput {
    /// Result rows.
    pub rows: Rows,
    /// Caveats a reader must know.
    pub notes: Vec<String>,
}

impl<R: Serialize + serde::de::DeserializeOwned + Send + Sync + 'static> From<Output<R>>
    for ErasedOutput
{
    fn from(o: Output<R>) -> ErasedOutput {
        ErasedOutput {
            rows: Rows::of_row_type(o.rows),
            notes: o.notes,
        }
    }
}

/// A computed measure: rows, notes, and the parameters as applied (defaults resolved).
#[derive(Debug, Clone)]
pub struct Computed {
    /// Rows and notes.
    pub output: ErasedOutput,
    /// Every parameter as applied, as text.
    pub params: BTreeMap<String, String>,
}

/// The documentation of a measure, read from its file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureDoc {
    /// One line (the first paragraph of the file's doc block).
    pub summary: String,
    /// "What it measures".
    pub what: String,
    /// "Formula".
    pub formula: String,
    /// "Reading it".
    pub reading: String,
    /// "Data it needs".
    pub data: String,
    /// "Reference".
    pub reference: String,
}

/// The fixed section headings of a measure's doc block, in order.
pub const SECTIONS: [&str; 5] = [
    "What it measures",
    "Formula",
    "Reading it",
    "Data it needs",
    "Reference",
];

impl MeasureDoc {
    /// Parse the `//!` block of a measure file.
    pub fn parse(source: &str) -> MeasureDoc {
        let lines: Vec<&str> = source
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| {
                l.trim_start_matches("//!")
                    .strip_prefix(' ')
                    .unwrap_or(l.trim_start_matches("//!"))
            })
            .collect();
        let mut summary = String::new();
        let mut sections: Vec<(String, String)> = vec![];
        for l in lines {
            if let Some(h) = l.strip_prefix("# ") {
                sections.push((h.trim().to_string(), String::new()));
            } else if let Some((_, body)) = sections.last_mut() {
                join_line(body, l);
            } else {
                join_line(&mut summary, l);
            }
        }
        let get = |name: &str| {
            sections
                .iter()
                .find(|(h, _)| h == name)
                .map(|(_, b)| b.trim().to_string())
                .unwrap_or_default()
        };
        MeasureDoc {
            summary: summary.trim().trim_end_matches('.').to_string(),
            what: get(SECTIONS[0]),
            formula: get(SECTIONS[1]),
            reading: get(SECTIONS[2]),
            data: get(SECTIONS[3]),
            reference: get(SECTIONS[4]),
        }
    }
}

/// Markdown paragraphs joined: lines of a paragraph with a space, paragraphs with a blank line.
fn join_line(body: &mut String, l: &str) {
    if l.trim().is_empty() {
        if !body.ends_with("\n\n") && !body.is_empty() {
            body.push_str("\n\n");
        }
    } else {
        if !body.is_empty() && !body.ends_with('\n') {
            body.push(' ');
        }
        body.push_str(l.trim());
    }
}

/// A measure as the registry holds it (object-safe).
pub trait DynMeasure: Send + Sync {
    /// Kebab-case name.
    fn name(&self) -> &'static str;
    /// Dimension.
    fn dimension(&self) -> Dimension;
    /// Canonical tables read.
    fn tables(&self) -> &'static [crate::Table];
    /// Their names in SQL and in the store.
    fn table_names(&self) -> Vec<&'static str> {
        self.tables().iter().map(|t| t.name()).collect()
    }
    /// Documentation.
    fn doc(&self) -> MeasureDoc;
    /// The JSON Schema of its parameters.
    fn params_schema(&self) -> Value;
    /// Its parameters, documented.
    fn params(&self) -> Vec<ParamDoc> {
        params::param_docs(&self.params_schema())
    }
    /// Parse raw parameters (refusing unknown ones, wrong types, values out of range) and give
    /// them back as applied, defaults resolved.
    fn check(
        &self,
        raw: &Map<String, Value>,
    ) -> std::result::Result<BTreeMap<String, String>, ParamError>;
    /// Parse the parameters and compute.
    fn run(&self, raw: &Map<String, Value>, data: &dyn Data) -> Result<Computed>;
}

/// The registry's wrapper of a [`Measure`] type.
pub struct Registered<M>(PhantomData<fn() -> M>);

impl<M> Registered<M> {
    /// The registry entry of `M`.
    pub const NEW: Registered<M> = Registered(PhantomData);
}

impl<M: Measure> Registered<M> {
    fn parse(&self, raw: &Map<String, Value>) -> std::result::Result<M::Params, ParamError> {
        params::parse::<M::Params>(raw).map_err(|mut e| {
            e.measure = M::NAME.to_string();
            e
        })
    }
}

impl<M: Measure> DynMeasure for Registered<M> {
    fn name(&self) -> &'static str {
        M::NAME
    }
    fn dimension(&self) -> Dimension {
        M::DIMENSION
    }
    fn tables(&self) -> &'static [crate::Table] {
        M::TABLES
    }
    fn doc(&self) -> MeasureDoc {
        MeasureDoc::parse(M::SOURCE)
    }
    fn params_schema(&self) -> Value {
        params::schema_of::<M::Params>()
    }
    fn check(
        &self,
        raw: &Map<String, Value>,
    ) -> std::result::Result<BTreeMap<String, String>, ParamError> {
        Ok(params::applied(&self.parse(raw)?))
    }
    fn run(&self, raw: &Map<String, Value>, data: &dyn Data) -> Result<Computed> {
        let p = self.parse(raw).map_err(MeasureError::Param)?;
        let output = M::compute(&p, data)?;
        Ok(Computed {
            output: output.into(),
            params: params::applied(&p),
        })
    }
}
