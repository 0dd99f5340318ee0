//! Registering the store's Parquet files as DataFusion tables, one per canonical table (an
//! empty table with the canonical schema when no dataset fills it, so SQL never fails on a
//! missing table name).

use std::sync::Arc;

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
) -> Result<(SessionContext, Arc<VerifiedFs>), EngineError> {
    // DataFusion options can be tuned with DATAFUSION_* environment variables
    // (e.g. DATAFUSION_EXECUTION_TARGET_PARTITIONS=8).
    let mut config = SessionConfig::from_env()
        .map_err(|e| EngineError::Input(format!("DataFusion settings from the environment: {e}")))?
        .with_information_schema(true);
    if std::env::var_os("DATAFUSION_EXECUTION_TARGET_PARTITIONS").is_none() {
        config = config.with_target_partitions(2);
    }
    let fs = Arc::new(VerifiedFs::new(store.checksums().into_iter().map(
        |(p, d, sha)| {
            (
                p,
                Expected {
                    dataset: d.to_string(),
                    sha256: sha.to_string(),
                },
            )
        },
    )));
    let Some(cluster) = cluster else {
        let ctx = SessionContext::new_with_config(config);
        // Every file: URL goes through the manifest check (a damaged file fails the query).
        ctx.register_object_store(
            datafusion::execution::object_store::ObjectStoreUrl::local_filesystem().as_ref(),
            fs.clone(),
        );
        register_tables(&ctx, store, None)?;
        return Ok((ctx, fs));
    };
    let ctx = cluster.context(config)?;
    register_tables(&ctx, store, Some(cluster))?;
    Ok((ctx, fs))
}

/// Register every canonical table: the store's files, or an empty table where no dataset
/// fills it (on a cluster an empty Parquet file, since an in-memory table cannot be sent).
fn register_tables(
    ctx: &SessionContext,
    store: &Store,
    cluster: Option<&Cluster>,
) -> Result<(), EngineError> {
    for table in Table::ALL {
        let name = table.name();
        let schema = table.schema();
        let mut files = store.files_of(name);
        if files.is_empty() {
            if cluster.is_none() {
                let t = MemTable::try_new(schema, vec![vec![]])
                    .map_err(|e| EngineError::Bug(e.to_string()))?;
                ctx.register_table(name, Arc::new(t))
                    .map_err(|e| EngineError::Bug(e.to_string()))?;
                continue;
            }
            files.push(empty_file(store, *table)?);
        }
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
        let t = ListingTable::try_new(cfg).map_err(|e| EngineError::Bug(e.to_string()))?;
        ctx.register_table(name, Arc::new(t))
            .map_err(|e| EngineError::Bug(e.to_string()))?;
    }
    Ok(())
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
