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

impl Format {
    /// The name as given on the command line (and a file extension).
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Parquet => "parquet",
        }
    }
}

pub fn print(t: &ResultTable, f: Format) -> anyhow::Result<()> {
    write_stdout(&encode(t, f)?)
}

/// A result in format `f`, as the bytes `print` writes.
pub fn encode(t: &ResultTable, f: Format) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    match f {
        Format::Table => {
            if t.num_rows() == 0 {
                writeln!(out, "(no rows)")?;
            } else {
                writeln!(out, "{}", pretty_format_batches(&t.batches)?)?;
            }
            writeln!(out, "\n{}", t.provenance)?;
        }
        Format::Csv => out = pivot_engine::service::csv_bytes(t)?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &json_value(t)?)?;
            writeln!(out)?;
        }
        Format::Parquet => out = parquet_bytes(t)?,
    }
    Ok(out)
}

/// A result as one JSON value: `{"rows": [...], "provenance": {...}}`.
pub fn json_value(t: &ResultTable) -> anyhow::Result<serde_json::Value> {
    let mut rows: Vec<serde_json::Value> = Vec::new();
    for b in &t.batches {
        let r: Vec<serde_json::Value> = serde_arrow::from_record_batch(b)?;
        rows.extend(r);
    }
    Ok(serde_json::json!({ "rows": rows, "provenance": t.provenance }))
}

/// Write all of `bytes` to stdout and flush: a failed write (a full disk, a closed file) is
/// the environment's error (exit 3), never lost in a buffer at exit; a closed pipe ends
/// pivot quietly (`main`).
pub fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|source| pivot_engine::EngineError::Io {
            context: "writing the output".into(),
            source,
        })?;
    Ok(())
}

/// A result as a Parquet file whose metadata carries the provenance (the engine's writer, the
/// same bytes `pivot serve` and the Python module give).
pub fn parquet_bytes(t: &ResultTable) -> anyhow::Result<Vec<u8>> {
    Ok(pivot_engine::service::parquet_bytes(t)?)
}

/// Pretty JSON to stdout.
pub fn print_json(v: &serde_json::Value) -> anyhow::Result<()> {
    let mut out = serde_json::to_vec_pretty(v)?;
    out.push(b'\n');
    write_stdout(&out)
}

pub fn print_provenance(p: &Provenance) -> anyhow::Result<()> {
    write_stdout(format!("\n{p}\n").as_bytes())
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
