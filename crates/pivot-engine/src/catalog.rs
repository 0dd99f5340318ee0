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
use crate::verified::{Expected, VerifiedFs};

/// The canonical schema of a table.
pub(crate) fn table_schema(name: &str) -> Option<SchemaRef> {
    Table::parse(name).map(Table::schema)
}

/// A session with every canonical table registered.
pub(crate) fn context(store: &Store) -> Result<SessionContext, EngineError> {
    // DataFusion options can be tuned with DATAFUSION_* environment variables
    // (e.g. DATAFUSION_EXECUTION_TARGET_PARTITIONS=8).
    let mut config = SessionConfig::from_env()
        .map_err(|e| EngineError::Input(format!("DataFusion settings from the environment: {e}")))?
        .with_information_schema(true);
    if std::env::var_os("DATAFUSION_EXECUTION_TARGET_PARTITIONS").is_none() {
        config = config.with_target_partitions(2);
    }
    let ctx = SessionContext::new_with_config(config);
    // Every file: URL goes through the manifest check (a damaged file fails the query).
    let fs = VerifiedFs::new(store.checksums().into_iter().map(|(p, d, sha)| {
        (
            p,
            Expected {
                dataset: d.to_string(),
                sha256: sha.to_string(),
            },
        )
    }));
    ctx.runtime_env().register_object_store(
        datafusion::execution::object_store::ObjectStoreUrl::local_filesystem().as_ref(),
        fs.into_arc(),
    );
    for table in Table::ALL {
        let name = table.name();
        let schema = table.schema();
        let files = store.files_of(name);
        if files.is_empty() {
            let t = MemTable::try_new(schema, vec![vec![]])
                .map_err(|e| EngineError::Bug(e.to_string()))?;
            ctx.register_table(name, Arc::new(t))
                .map_err(|e| EngineError::Bug(e.to_string()))?;
            continue;
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
    Ok(ctx)
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
