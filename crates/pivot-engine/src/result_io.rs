//! A result table as its front doors send it: JSON rows, CSV, or Parquet with the provenance in
//! its metadata. A leaf module: the server, the CLI, claims and the store's cache of answers all
//! encode through it.

use std::sync::Arc;

use datafusion::arrow::datatypes::{Schema, SchemaRef};
use serde_json::Value;

use crate::{EngineError, ResultTable};

/// Key of the provenance (JSON) in a Parquet file's key-value metadata and in its Arrow schema
/// metadata (what pyarrow shows as `schema.metadata`).
pub const PROVENANCE_KEY: &str = "pivot.provenance";

/// A result as CSV with a header row (the header alone when there are no rows).
pub fn csv_bytes(t: &ResultTable) -> Result<Vec<u8>, EngineError> {
    let mut out = Vec::new();
    if t.batches.is_empty() {
        let names: Vec<String> = t.schema.fields().iter().map(|f| f.name().clone()).collect();
        out.extend_from_slice(names.join(",").as_bytes());
        out.push(b'\n');
        return Ok(out);
    }
    {
        let mut w = datafusion::arrow::csv::WriterBuilder::new()
            .with_header(true)
            .build(&mut out);
        for b in &t.batches {
            w.write(b)
                .map_err(|e| EngineError::Bug(format!("writing CSV: {e}")))?;
        }
    }
    Ok(out)
}

/// A result's rows as JSON objects (column name to value).
pub fn json_rows(t: &ResultTable) -> Result<Vec<Value>, EngineError> {
    table_rows(t)
}

/// A result as a Parquet file whose metadata carries the provenance (key
/// [`PROVENANCE_KEY`], in the file's key-value metadata and its Arrow schema metadata).
pub fn parquet_bytes(t: &ResultTable) -> Result<Vec<u8>, EngineError> {
    use datafusion::parquet::arrow::ArrowWriter;
    use datafusion::parquet::file::metadata::KeyValue;
    use datafusion::parquet::file::properties::WriterProperties;
    let bug = |e: &dyn std::fmt::Display| EngineError::Bug(format!("writing Parquet: {e}"));
    let prov = serde_json::to_string(&t.provenance).map_err(|e| bug(&e))?;
    let mut meta = t.schema.metadata().clone();
    meta.insert(PROVENANCE_KEY.into(), prov.clone());
    let schema: SchemaRef = Arc::new(Schema::new_with_metadata(t.schema.fields().clone(), meta));
    let props = WriterProperties::builder()
        .set_key_value_metadata(Some(vec![
            KeyValue::new(PROVENANCE_KEY.into(), prov),
            KeyValue::new("pivot.method".into(), t.provenance.method.clone()),
        ]))
        .build();
    let mut buf = Vec::new();
    let mut w = ArrowWriter::try_new(&mut buf, schema.clone(), Some(props)).map_err(|e| bug(&e))?;
    for b in &t.batches {
        let b = b.clone().with_schema(schema.clone()).map_err(|e| bug(&e))?;
        w.write(&b).map_err(|e| bug(&e))?;
    }
    w.close().map_err(|e| bug(&e))?;
    Ok(buf)
}

/// Rows of a result table as JSON values.
pub fn table_rows(t: &ResultTable) -> Result<Vec<Value>, EngineError> {
    let mut rows = Vec::new();
    for b in &t.batches {
        let r: Vec<Value> = serde_arrow::from_record_batch(b)
            .map_err(|e| EngineError::Bug(format!("rows as JSON: {e}")))?;
        rows.extend(r);
    }
    Ok(rows)
}
