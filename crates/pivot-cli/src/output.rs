//! Printing results: human tables (with provenance underneath), CSV, JSON (rows plus
//! provenance), Parquet. Data goes to stdout; progress and notes to stderr.

use std::io::Write;

use datafusion::arrow::util::pretty::pretty_format_batches;
use indicatif::{ProgressBar, ProgressStyle};
use pivot_engine::{Provenance, ResultTable};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned table for people, provenance underneath.
    Table,
    /// CSV with a header row.
    Csv,
    /// JSON: {"rows": [...], "provenance": {...}}.
    Json,
    /// Parquet (binary, to stdout).
    Parquet,
}

pub fn print(t: &ResultTable, f: Format) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match f {
        Format::Table => {
            if t.num_rows() == 0 {
                writeln!(out, "(no rows)")?;
            } else {
                writeln!(out, "{}", pretty_format_batches(&t.batches)?)?;
            }
            drop(out);
            print_provenance(&t.provenance)?;
        }
        Format::Csv => {
            if !t.batches.is_empty() {
                let mut w = datafusion::arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .build(&mut out);
                for b in &t.batches {
                    w.write(b)?;
                }
            } else {
                let names: Vec<String> =
                    t.schema.fields().iter().map(|f| f.name().clone()).collect();
                writeln!(out, "{}", names.join(","))?;
            }
        }
        Format::Json => {
            let mut rows: Vec<serde_json::Value> = Vec::new();
            for b in &t.batches {
                let r: Vec<serde_json::Value> = serde_arrow::from_record_batch(b)?;
                rows.extend(r);
            }
            let v = serde_json::json!({ "rows": rows, "provenance": t.provenance });
            serde_json::to_writer_pretty(&mut out, &v)?;
            writeln!(out)?;
        }
        Format::Parquet => out.write_all(&parquet_bytes(t)?)?,
    }
    Ok(())
}

/// Key of the provenance (JSON) in a Parquet file's key-value metadata and in its Arrow schema
/// metadata (what pyarrow shows as `schema.metadata`, R's arrow as `$metadata`).
pub const PROVENANCE_KEY: &str = "pivot.provenance";

/// A result as a Parquet file whose metadata carries the provenance.
pub fn parquet_bytes(t: &ResultTable) -> anyhow::Result<Vec<u8>> {
    use datafusion::arrow::datatypes::Schema;
    use parquet::file::metadata::KeyValue;
    use parquet::file::properties::WriterProperties;
    let prov = serde_json::to_string(&t.provenance)?;
    let mut meta = t.schema.metadata().clone();
    meta.insert(PROVENANCE_KEY.into(), prov.clone());
    let schema = std::sync::Arc::new(Schema::new_with_metadata(t.schema.fields().clone(), meta));
    let props = WriterProperties::builder()
        .set_key_value_metadata(Some(vec![
            KeyValue::new(PROVENANCE_KEY.into(), prov),
            KeyValue::new("pivot.method".into(), t.provenance.method.clone()),
        ]))
        .build();
    let mut buf = Vec::new();
    let mut w = parquet::arrow::ArrowWriter::try_new(&mut buf, schema.clone(), Some(props))?;
    for b in &t.batches {
        w.write(&b.clone().with_schema(schema.clone())?)?;
    }
    w.close()?;
    Ok(buf)
}

/// Pretty JSON to stdout.
pub fn print_json(v: &serde_json::Value) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

pub fn print_provenance(p: &Provenance) -> anyhow::Result<()> {
    let mut e = std::io::stdout().lock();
    writeln!(e, "\n{p}")?;
    Ok(())
}

pub fn spinner(msg: &str) -> ProgressBar {
    let b = ProgressBar::new_spinner();
    b.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("valid template"),
    );
    b.set_message(msg.to_string());
    b.enable_steady_tick(std::time::Duration::from_millis(120));
    b
}

pub fn counter(msg: &str) -> ProgressBar {
    let b = ProgressBar::new_spinner();
    b.set_style(
        ProgressStyle::with_template("{spinner} {msg}: {human_pos} rows ({per_sec}, {elapsed})")
            .expect("valid template"),
    );
    b.set_message(msg.to_string());
    b.enable_steady_tick(std::time::Duration::from_millis(200));
    b
}
