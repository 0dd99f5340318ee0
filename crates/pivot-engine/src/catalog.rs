//! Registering the store's Parquet files as DataFusion tables, one per canonical table (an
//! empty table with the canonical schema when no dataset fills it, so SQL never fails on a
//! missing table name).

use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::datasource::MemTable;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::prelude::{SessionConfig, SessionContext};
use pivot_store::Store;
use pivot_tables::Table;

use crate::EngineError;
use crate::cluster::Cluster;
use crate::verified::{Expected, VerifiedFs};

/// The canonical schema of a table.
pub(crate) fn table_schema(name: &str) -> Option<SchemaRef> {
    Table::parse(name).map(Table::schema)
}

/// A session with every canonical table registered; its queries run on `cluster` when given.
/// Also returns the checker of the store's files against the manifest: the local session
/// reads through it; with a cluster (whose executors read the files by path) the engine checks
/// a query's files with it before sending the query.
pub(crate) fn context(
    store: &Store,
    cluster: Option<&Cluster>,
    rollups: bool,
) -> Result<(SessionContext, Arc<VerifiedFs>), EngineError> {
    // DataFusion options can be tuned with DATAFUSION_* environment variables
    // (e.g. DATAFUSION_EXECUTION_TARGET_PARTITIONS=8).
    let mut config = SessionConfig::from_env()
        .map_err(|e| EngineError::Input(format!("DataFusion settings from the environment: {e}")))?
        .with_information_schema(true)
        .with_option_extension(crate::rollup::PivotOptions { rollups });
    // DataFusion 55's aggregate dynamic filters (a running MIN/MAX pushed into the scan) give
    // wrong answers: built from the MIN/MAX of plain columns only, they prune rows that another
    // aggregate of the same node still needs (`MIN(year), MAX(year * 100 + 1)` returned 202001
    // for 202101 about one run in five in pivot's roll-up test; apache/datafusion#24816, fixed
    // after 55), and they race across partitions (apache/datafusion#25147). Off, whatever the
    // environment says: no speed is worth a wrong number.
    config
        .options_mut()
        .optimizer
        .enable_aggregate_dynamic_filter_pushdown = false;
    if std::env::var_os("DATAFUSION_EXECUTION_TARGET_PARTITIONS").is_none() {
        config = config.with_target_partitions(cores());
    }
    let fs = Arc::new(VerifiedFs::new(
        store.checksums().into_iter().map(|(p, d, sha)| {
            (
                p,
                Expected {
                    dataset: d.to_string(),
                    sha256: sha.to_string(),
                },
            )
        }),
        Some(store.cache_dir().join("verified.json")),
    ));
    let Some(cluster) = cluster else {
        let limit = crate::memory::memory_limit().map_err(EngineError::Input)?;
        // A sort keeps this much back for merging what it spilled (DataFusion's default 10 MB);
        // under a small limit that reserve alone would not fit.
        if let Some(l) = limit
            && std::env::var_os("DATAFUSION_EXECUTION_SORT_SPILL_RESERVATION_BYTES").is_none()
        {
            let e = &mut config.options_mut().execution;
            e.sort_spill_reservation_bytes = e.sort_spill_reservation_bytes.min(l / 8);
        }
        let ctx = SessionContext::new_with_config_rt(config, runtime(limit)?);
        // Functions that build a value of a size they are given refuse huge ones.
        crate::functions::register(&ctx);
        // Every file: URL goes through the manifest check (a damaged file fails the query).
        ctx.register_object_store(
            datafusion::execution::object_store::ObjectStoreUrl::local_filesystem().as_ref(),
            fs.clone(),
        );
        register_tables(&ctx, store, None)?;
        add_rollup_rule(&ctx, store)?;
        return Ok((ctx, fs));
    };
    let ctx = cluster.context(config)?;
    register_tables(&ctx, store, Some(cluster))?;
    // Optimized here, on the client, before the plan goes to the scheduler.
    add_rollup_rule(&ctx, store)?;
    Ok((ctx, fs))
}

/// Where BACI's rows are loaded, the rule that answers aggregates over them from the roll-ups
/// listed under the same manifest entry ([`crate::rollup`]).
fn add_rollup_rule(ctx: &SessionContext, store: &Store) -> Result<(), EngineError> {
    let files = |table: &str| {
        store
            .files_by_dataset(table)
            .into_iter()
            .find(|(id, _)| *id == "baci")
            .map(|(_, f)| f)
    };
    if files("trade_flows").is_none() {
        return Ok(());
    }
    let provider = |table: Table| -> Result<_, EngineError> {
        files(table.name())
            .map(|f| listing(&f, table.schema()))
            .transpose()
    };
    let dyad = provider(Table::parse("trade_dyad_year").expect("a canonical table"))?;
    let hs2 = provider(Table::parse("trade_dyad_hs2").expect("a canonical table"))?;
    ctx.add_optimizer_rule(Arc::new(crate::rollup::RollUps { dyad, hs2 }));
    Ok(())
}

/// The cores queries use: this machine's (the query runtime's threads and DataFusion's target
/// partitions; `DATAFUSION_EXECUTION_TARGET_PARTITIONS` overrides the partitions). Also the
/// default number of tasks a `pivot cluster executor` runs at once.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// The local query runtime: the memory limit as a fair spill pool (each spilling operator gets
/// an equal share; errors name the largest consumers) whose refusals are counted, spill files in
/// the system's temporary folder.
fn runtime(
    limit: Option<usize>,
) -> Result<Arc<datafusion::execution::runtime_env::RuntimeEnv>, EngineError> {
    use datafusion::execution::memory_pool::{FairSpillPool, TrackConsumersPool};
    let mut b = datafusion::execution::runtime_env::RuntimeEnvBuilder::new();
    if let Some(limit) = limit {
        // Counting refusals lets a query that stalls after one end instead of hanging
        // (`stall.rs`).
        b = b.with_memory_pool(Arc::new(crate::stall::CountingPool::new(Arc::new(
            TrackConsumersPool::new(
                FairSpillPool::new(limit),
                std::num::NonZeroUsize::new(5).expect("5 > 0"),
            ),
        ))));
    }
    b.build_arc()
        .map_err(|e| EngineError::Bug(format!("query runtime: {e}")))
}

/// Register every canonical table: the store's files, or an empty table where no dataset
/// fills it (on a cluster an empty Parquet file, since an in-memory table cannot be sent).
///
/// A table with a `source` column (the dataset id on every row) is a view: the union of one
/// scan per dataset, each giving `source` as its dataset id, a constant, instead of reading
/// the column. A filter on `source` then drops whole datasets while planning (DataFusion
/// simplifies `'cow_trade' = 'baci'` to false and removes the branch), like a partition column,
/// and no query reads the stored column (measured: no time change, 15-25% less memory for a
/// source-filtered query; bench/baci/RESULTS.md).
/// `crates/pivot-engine/tests/bundled.rs` checks that every dataset's stored `source` is its id.
/// On a cluster the table is one scan of every file, as before.
fn register_tables(
    ctx: &SessionContext,
    store: &Store,
    cluster: Option<&Cluster>,
) -> Result<(), EngineError> {
    use datafusion::logical_expr::{LogicalPlanBuilder, lit};
    for table in Table::ALL {
        let name = table.name();
        let schema = table.schema();
        let mut datasets = store.files_by_dataset(name);
        if datasets.is_empty() {
            if cluster.is_none() {
                let t = MemTable::try_new(schema, vec![vec![]])
                    .map_err(|e| EngineError::Bug(e.to_string()))?;
                ctx.register_table(name, Arc::new(t))
                    .map_err(|e| EngineError::Bug(e.to_string()))?;
                continue;
            }
            datasets.push(("", vec![empty_file(store, *table)?]));
        }
        let bug = |e: datafusion::error::DataFusionError| EngineError::Bug(format!("{name}: {e}"));
        // Not on a cluster: Ballista 55 returned each row of a sorted query over such a union
        // once per branch (1,111 rows for 371 over country_year's three datasets).
        let by_dataset = schema.index_of("source").is_ok() && cluster.is_none();
        if !by_dataset {
            let files = datasets.into_iter().flat_map(|d| d.1).collect::<Vec<_>>();
            ctx.register_table(name, listing(&files, schema)?)
                .map_err(bug)?;
            continue;
        }
        let mut union: Option<LogicalPlanBuilder> = None;
        for (id, files) in &datasets {
            let scan = LogicalPlanBuilder::scan(
                dataset_scan_name(name, id),
                datafusion::datasource::provider_as_source(listing(files, schema.clone())?),
                None,
            )
            .map_err(bug)?;
            let columns = schema.fields().iter().map(|f| {
                if f.name() == "source" {
                    lit(*id).alias("source")
                } else {
                    datafusion::logical_expr::Expr::Column(datafusion::common::Column::from_name(
                        f.name(),
                    ))
                }
            });
            let part = scan.project(columns).map_err(bug)?.build().map_err(bug)?;
            union = Some(match union {
                None => LogicalPlanBuilder::from(part),
                Some(u) => u.union(part).map_err(bug)?,
            });
        }
        let plan = union
            .expect("a table with datasets has a first branch")
            .build()
            .map_err(bug)?;
        let view = datafusion::datasource::ViewTable::new(plan, None);
        ctx.register_table(name, Arc::new(view)).map_err(bug)?;
    }
    Ok(())
}

/// The name of the scan of one dataset's files of `table` inside the table's view (see
/// [`tables_read`]). Table names have no `__`.
fn dataset_scan_name(table: &str, dataset: &str) -> String {
    format!("{table}__{dataset}")
}

/// What an optimized plan reads: canonical tables scanned whole (every dataset of each), and
/// (table, dataset) pairs for the per-dataset scans a view kept — a `source` filter has removed
/// the other datasets' scans by then. The provenance of a query cites these, not every dataset
/// of every table it names.
pub(crate) fn tables_read(
    plan: &datafusion::logical_expr::LogicalPlan,
) -> (Vec<&'static str>, Vec<(&'static str, String)>) {
    use datafusion::common::tree_node::TreeNodeRecursion;
    use datafusion::logical_expr::LogicalPlan;
    let (mut whole, mut parts) = (Vec::new(), Vec::new());
    let _ = plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node {
            let name = scan.table_name.table();
            for t in Table::ALL {
                if name == t.name() {
                    whole.push(t.name());
                } else if let Some(id) = name
                    .strip_prefix(t.name())
                    .and_then(|rest| rest.strip_prefix("__"))
                {
                    parts.push((t.name(), id.to_string()));
                }
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    whole.sort_unstable();
    whole.dedup();
    parts.sort_unstable();
    parts.dedup();
    (whole, parts)
}

/// An answer's string views as plain strings (`Utf8`, `Binary`, also inside lists and
/// structs): tables are read as views ([`listing`]), but what leaves the engine keeps the types
/// users, the measures' decoders and the Parquet/Arrow outputs have always had.
pub(crate) fn plain_strings(
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
) -> Result<(SchemaRef, Vec<RecordBatch>), EngineError> {
    let bug = |e: datafusion::arrow::error::ArrowError| {
        EngineError::Bug(format!("string views to strings: {e}"))
    };
    let batches = batches
        .into_iter()
        .map(|b| {
            let Some(plain) = plain_schema(&b.schema()) else {
                return Ok(b);
            };
            let cols = b
                .columns()
                .iter()
                .zip(plain.fields())
                .map(|(c, f)| {
                    if c.data_type() == f.data_type() {
                        Ok(c.clone())
                    } else {
                        datafusion::arrow::compute::cast(c, f.data_type()).map_err(bug)
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            RecordBatch::try_new(plain, cols).map_err(bug)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((plain_schema(&schema).unwrap_or(schema), batches))
}

/// `schema` with string and binary views as plain strings and binaries; `None` if it has none.
fn plain_schema(schema: &SchemaRef) -> Option<SchemaRef> {
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    fn plain(t: &DataType) -> DataType {
        let field =
            |f: &Arc<Field>| Arc::new(f.as_ref().clone().with_data_type(plain(f.data_type())));
        match t {
            DataType::Utf8View => DataType::Utf8,
            DataType::BinaryView => DataType::Binary,
            DataType::List(f) => DataType::List(field(f)),
            DataType::LargeList(f) => DataType::LargeList(field(f)),
            DataType::FixedSizeList(f, n) => DataType::FixedSizeList(field(f), *n),
            DataType::Struct(fs) => DataType::Struct(fs.iter().map(field).collect()),
            other => other.clone(),
        }
    }
    let fields: Vec<Arc<Field>> = schema
        .fields()
        .iter()
        .map(|f| Arc::new(f.as_ref().clone().with_data_type(plain(f.data_type()))))
        .collect();
    if fields.iter().zip(schema.fields()).all(|(a, b)| a == b) {
        return None;
    }
    Some(Arc::new(Schema::new_with_metadata(
        fields,
        schema.metadata().clone(),
    )))
}

/// A table over Parquet files with the canonical schema, text columns read as Arrow string
/// views (`Utf8View`) rather than offset strings. DataFusion 55 groups and compares views of
/// short strings (an ISO3 code fits in the 16-byte view itself) about twice as fast: the
/// dyad-year GROUP BY over 20 M BACI rows took 0.75-0.80 s with `Utf8` and 0.38-0.51 s with
/// views (bench/baci/RESULTS.md). Answers leave the engine as `Utf8` again
/// ([`plain_strings`]), so no front door sees the difference. The same on a cluster (its
/// executors run the same DataFusion).
fn listing(
    files: &[std::path::PathBuf],
    schema: SchemaRef,
) -> Result<Arc<dyn datafusion::catalog::TableProvider>, EngineError> {
    use datafusion::arrow::datatypes::{DataType, Schema};
    let schema = Arc::new(Schema::new_with_metadata(
        schema
            .fields()
            .iter()
            .map(|f| match f.data_type() {
                DataType::Utf8 => Arc::new(f.as_ref().clone().with_data_type(DataType::Utf8View)),
                _ => f.clone(),
            })
            .collect::<Vec<_>>(),
        schema.metadata().clone(),
    ));
    let urls = files
        .iter()
        .map(|p| ListingTableUrl::parse(p.to_string_lossy().as_ref()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| EngineError::Bug(e.to_string()))?;
    let opts =
        ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
    let cfg = ListingTableConfig::new_with_multi_paths(urls)
        .with_listing_options(opts)
        .with_schema(schema);
    Ok(Arc::new(
        ListingTable::try_new(cfg).map_err(|e| EngineError::Bug(e.to_string()))?,
    ))
}

/// A Parquet file with the table's schema and no rows, in the store's cache folder (derived,
/// outside the manifest; written once, atomically).
fn empty_file(store: &Store, table: Table) -> Result<std::path::PathBuf, EngineError> {
    let dir = store.cache_dir().join("empty-tables");
    let path = dir.join(format!("{}.parquet", table.name()));
    if path.exists() {
        return Ok(path);
    }
    let io = |source| EngineError::Io {
        context: format!("writing {}", path.display()),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let tmp = dir.join(format!(".{}.{}.tmp", table.name(), std::process::id()));
    let file = std::fs::File::create(&tmp).map_err(io)?;
    let mut w = datafusion::parquet::arrow::ArrowWriter::try_new(file, table.schema(), None)
        .map_err(|e| EngineError::Bug(format!("empty {}: {e}", table.name())))?;
    w.finish()
        .map_err(|e| EngineError::Bug(format!("empty {}: {e}", table.name())))?;
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(path)
}

/// Dataset ids a query compares `source` with (`source = 'id'`, either way round, any case
/// for the column name) that the store does not hold: such a filter matches no rows, and the
/// answer says why (see [`crate::Engine::sql`]). A reading of the text, for a note only.
pub(crate) fn unknown_sources(query: &str, known: &[&str]) -> Vec<String> {
    let lower = query.to_ascii_lowercase();
    let bytes = query.as_bytes();
    let mut out: Vec<String> = Vec::new();
    let word = |i: usize| {
        bytes
            .get(i)
            .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_')
    };
    for (i, _) in lower.match_indices("source") {
        if !(i == 0 || word(i - 1) || bytes[i - 1] == b'.') || !word(i + 6) {
            continue;
        }
        let rest = query[i + 6..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(rest) = rest.strip_prefix('\'') else {
            continue;
        };
        let Some(end) = rest.find('\'') else { continue };
        let id = &rest[..end];
        if !id.is_empty() && id.len() <= 64 && !known.contains(&id) && !out.iter().any(|o| o == id)
        {
            out.push(id.to_string());
        }
    }
    out
}

/// Canonical table names mentioned in a query (for provenance).
pub(crate) fn tables_in(query: &str) -> Vec<&'static str> {
    let q = query.to_ascii_lowercase();
    Table::ALL
        .iter()
        .map(|t| t.name())
        .filter(|n| {
            q.match_indices(n).any(|(i, _)| {
                let before = q[..i]
                    .chars()
                    .last()
                    .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_');
                let after = q[i + n.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_');
                before && after
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::memory::parse_size;

    #[test]
    fn sources_the_store_lacks_are_found_in_the_text() {
        let known = ["cow_trade", "baci_totals"];
        assert_eq!(
            super::unknown_sources(
                "SELECT SUM(value_usd_m) FROM trade_flows t WHERE t.source = 'baci' AND source='cow_trade' OR 'x' = source OR SOURCE =  'imf_dots' OR source = 'baci'",
                &known
            ),
            vec!["baci".to_string(), "imf_dots".to_string()]
        );
        // Other columns and words, and ids the store holds, are not.
        assert!(super::unknown_sources("SELECT datasource = 'baci', source_id = 'x', source <> 'y' FROM t WHERE source = 'baci_totals'", &known).is_empty());
        assert!(super::unknown_sources("SELECT 'source = ''", &known).is_empty());
    }

    #[test]
    fn memory_limits_are_read_or_refused() {
        assert_eq!(parse_size("512M"), Ok(Some(512 << 20)));
        assert_eq!(parse_size("4G"), Ok(Some(4 << 30)));
        assert_eq!(parse_size("4GiB"), Ok(Some(4 << 30)));
        assert_eq!(parse_size("2.5g"), Ok(Some(5 << 29)));
        assert_eq!(parse_size("1048576"), Ok(Some(1 << 20)));
        assert_eq!(parse_size(" none "), Ok(None));
        assert_eq!(parse_size("12X"), Err("unknown unit"));
        assert_eq!(parse_size("lots"), Err("unknown unit"));
        assert_eq!(parse_size("G"), Err("not a number"));
        assert_eq!(parse_size("100K"), Err("less than 1M"));
        assert_eq!(parse_size("-3G"), Err("less than 1M"));
    }
}
