//! Registering the store's Parquet files as DataFusion tables, one per canonical table (an
//! empty table with the canonical schema when no dataset fills it, so SQL never fails on a
//! missing table name).

use std::sync::Arc;

use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::datasource::MemTable;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::prelude::{SessionConfig, SessionContext};
use pivot_sources::canonical::{self, CanonicalRow};
use pivot_store::Store;

use crate::EngineError;

fn schema<T: CanonicalRow>() -> SchemaRef {
    Arc::new(Schema::new(canonical::fields::<T>()))
}

/// The canonical schema of a table.
pub(crate) fn table_schema(name: &str) -> Option<SchemaRef> {
    use canonical::*;
    Some(match name {
        "trade_flows" => schema::<TradeFlow>(),
        "trade_dyad_year" => schema::<TradeDyadYear>(),
        "trade_dyad_hs2" => schema::<TradeDyadHs2>(),
        "energy_flows" => schema::<EnergyFlow>(),
        "arms_transfers" => schema::<ArmsTransfer>(),
        "arms_dyad_year" => schema::<ArmsDyadYear>(),
        "un_votes" => schema::<UnVote>(),
        "un_roll_calls" => schema::<UnRollCall>(),
        "un_issues" => schema::<UnIssue>(),
        "alliances" => schema::<Alliance>(),
        "finance_flows" => schema::<FinanceFlow>(),
        "country_year" => schema::<CountryYear>(),
        "events" => schema::<Event>(),
        "agtpa_gravity" => schema::<AgtpaRow>(),
        "countries" => schema::<CountryRow>(),
        "products" => schema::<Product>(),
        _ => return None,
    })
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
    for (name, _) in canonical::TABLES {
        let schema =
            table_schema(name).ok_or_else(|| EngineError::Bug(format!("no schema for {name}")))?;
        let files = store.files_of(name);
        if files.is_empty() {
            let t = MemTable::try_new(schema, vec![vec![]])
                .map_err(|e| EngineError::Bug(e.to_string()))?;
            ctx.register_table(*name, Arc::new(t))
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
        ctx.register_table(*name, Arc::new(t))
            .map_err(|e| EngineError::Bug(e.to_string()))?;
    }
    Ok(ctx)
}

/// Canonical table names mentioned in a query (for provenance).
pub(crate) fn tables_in(query: &str) -> Vec<&'static str> {
    let q = query.to_ascii_lowercase();
    canonical::TABLES
        .iter()
        .map(|(n, _)| *n)
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
