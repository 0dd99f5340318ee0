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

/// A result as a Parquet file whose metadata carries the provenance (the engine's writer, the
/// same bytes `pivot serve` and the Python module give).
pub fn parquet_bytes(t: &ResultTable) -> anyhow::Result<Vec<u8>> {
    Ok(pivot_engine::service::parquet_bytes(t)?)
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
