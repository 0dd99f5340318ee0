//! Time the BACI adapter on a folder, writing each year to Parquet as pivot's store staging does
//! (Snappy, 1M-row row groups): `cargo run --release -p pivot-sources --example
//! baci_ingest_bench -- DIR OUT_DIR`. A stand-in for `pivot data ingest baci` without the engine
//! (no manifest, no checksums) when the CLI is not built.

use std::collections::HashMap;
use std::fs::File;

use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use pivot_sources::adapters::Ctx;
use pivot_sources::{Input, SourceError, TableSink};

struct ParquetSink {
    dir: std::path::PathBuf,
    writers: HashMap<String, ArrowWriter<File>>,
}

impl TableSink for ParquetSink {
    fn push(
        &mut self,
        table: &str,
        part: Option<&str>,
        batch: RecordBatch,
    ) -> Result<(), SourceError> {
        let name = format!("{table}-{}.parquet", part.unwrap_or("all"));
        let err = |e: String| SourceError::Sink {
            table: table.into(),
            message: e,
        };
        if !self.writers.contains_key(&name) {
            let f = File::create(self.dir.join(&name)).map_err(|e| err(e.to_string()))?;
            let props = WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_max_row_group_row_count(Some(1 << 20))
                .build();
            let w = ArrowWriter::try_new(f, batch.schema(), Some(props))
                .map_err(|e| err(e.to_string()))?;
            self.writers.insert(name.clone(), w);
        }
        self.writers
            .get_mut(&name)
            .expect("inserted")
            .write(&batch)
            .map_err(|e| err(e.to_string()))
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, out) = (&args[0], std::path::PathBuf::from(&args[1]));
    std::fs::create_dir_all(&out).expect("out dir");
    let mut inputs: Vec<Input> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(Input::File)
        .collect();
    inputs.sort_by_key(Input::name);
    let ctx = Ctx {
        countries: pivot_vocab::Countries::bundled(),
        progress: &|_| {},
    };
    let mut sink = ParquetSink {
        dir: out,
        writers: HashMap::new(),
    };
    let t = std::time::Instant::now();
    let adapter = pivot_sources::adapter_for("baci").expect("baci");
    let stats = adapter
        .read(&inputs, &ctx, &mut sink)
        .unwrap_or_else(|e| panic!("{e}"));
    for (_, w) in sink.writers.drain() {
        w.close().expect("close");
    }
    let rows = stats.rows.get("trade_flows").copied().unwrap_or(0);
    let s = t.elapsed().as_secs_f64();
    println!(
        "{rows} rows in {s:.2}s = {:.2}M rows/s",
        rows as f64 / s / 1e6
    );
}
