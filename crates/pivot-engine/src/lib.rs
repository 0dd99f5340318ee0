//! The engine: the one façade the CLI and the server call. It opens the store (loading the
//! bundled data on first use), registers the canonical tables in Apache DataFusion for SQL, and
//! runs measures, gravity models, scenarios, claims and the report. No measure is computed
//! outside this crate's calls into `pivot-measures` and `pivot-gravity`.
//!
//! Every result is a [`ResultTable`]: Arrow batches plus the [`Provenance`] (datasets with
//! versions and checksums, method, parameters, notes) that the CLI prints under tables and
//! includes in JSON.

mod bounds;
mod catalog;
pub mod claims;
pub mod cluster;
mod error;
mod functions;
pub mod gravity;
pub mod info;
mod ingest;
mod interrupt;
pub mod measure;
mod memory;
pub use measure::Answer;
pub mod report;
pub mod result_cache;
mod result_io;
mod rollup;
pub mod service;
mod stall;
mod trade_notes;
mod trade_series;
mod verified;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use catalog::cores;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::prelude::SessionContext;
pub use error::{EngineError, ErrorKind};
pub use ingest::IngestOutcome;
use pivot_store::Store;
pub use pivot_store::{DatasetEntry, Manifest};
pub use pivot_vocab::{Countries, Provenance, Verdict};

/// A result: a table (Arrow batches) and where it came from.
#[derive(Debug, Clone)]
pub struct ResultTable {
    /// Schema of the batches.
    pub schema: SchemaRef,
    /// The rows.
    pub batches: Vec<RecordBatch>,
    /// Datasets, method, parameters, notes.
    pub provenance: Provenance,
}

impl ResultTable {
    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }
}

/// Limits on SQL (the server uses tight ones; the CLI none).
#[derive(Debug, Clone, Copy)]
pub struct SqlLimits {
    /// Maximum rows returned.
    pub max_rows: Option<usize>,
    /// Maximum wall time.
    pub timeout: Option<std::time::Duration>,
    /// Maximum size of the answer's values in bytes (read-only SQL only).
    pub max_bytes: Option<usize>,
}

impl SqlLimits {
    /// No limits.
    pub const NONE: SqlLimits = SqlLimits {
        max_rows: None,
        timeout: None,
        max_bytes: None,
    };
}

/// The engine over one store.
pub struct Engine {
    store: Store,
    ctx: SessionContext,
    /// The Ballista cluster SQL runs on, if any (see [`cluster`]).
    cluster: Option<cluster::Cluster>,
    /// The store's files checked against the manifest (the local session reads through it).
    verified: Arc<verified::VerifiedFs>,
    rt: QueryRuntime,
    /// Measure results by request (cleared by every ingest).
    measure_cache: std::sync::Mutex<
        std::collections::HashMap<String, (ResultTable, Option<pivot_measures::Rows>)>,
    >,
    /// Claims verdicts by (label, claims text) (cleared by every ingest).
    claims_cache: std::sync::Mutex<std::collections::HashMap<(String, String), ResultTable>>,
    /// Years of each trade source, once asked (cleared by every ingest).
    source_years: std::sync::Mutex<std::collections::HashMap<String, Vec<i32>>>,
    /// All-years trade flows touching given states, by source (cleared by every ingest).
    trade_cache:
        std::sync::Mutex<std::collections::HashMap<String, Arc<Vec<trade_series::SourcedFlow>>>>,
    /// Whether SQL answers aggregates over BACI's rows from the roll-ups ([`rollup`]).
    rollups: bool,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("store", &self.store.root())
            .finish()
    }
}

/// What [`Engine::remove`] did.
#[derive(Debug, Clone)]
pub struct Removed {
    /// The dataset as the manifest recorded it before removal.
    pub entry: DatasetEntry,
    /// Whether it is bundled with pivot and was loaded again from pivot's own copy.
    pub reloaded: bool,
}

/// Default store location (see `pivot_store::default_location`).
pub fn default_store() -> PathBuf {
    pivot_store::default_location()
}

impl Engine {
    /// Open the store at `root`, loading any bundled dataset it lacks (no network).
    pub fn open(root: &Path) -> Result<Engine, EngineError> {
        Self::open_with(root, &|_| {})
    }

    /// Like [`Engine::open`], reporting bundled-ingest progress (dataset ids) to `progress`.
    pub fn open_with(root: &Path, progress: &(dyn Fn(&str) + Sync)) -> Result<Engine, EngineError> {
        Self::open_on(root, None, progress)
    }

    /// Like [`Engine::open_with`], running every query on the Ballista `cluster` when given
    /// (the store is still opened, and bundled data loaded, locally; see [`cluster`]).
    pub fn open_on(
        root: &Path,
        cluster: Option<cluster::Cluster>,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<Engine, EngineError> {
        let mut store = Store::open(root)?;
        ingest::ensure_bundled(&mut store, progress)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(catalog::cores())
            .thread_stack_size(bounds::QUERY_THREAD_STACK)
            .enable_all()
            .build()
            .map_err(|source| EngineError::Io {
                context: "starting the query runtime".into(),
                source,
            })?;
        let rt = QueryRuntime(Some(rt));
        let (ctx, verified) = catalog::context(&store, cluster.as_ref(), true)?;
        Ok(Engine {
            store,
            ctx,
            cluster,
            verified,
            rt,
            measure_cache: Default::default(),
            claims_cache: Default::default(),
            source_years: Default::default(),
            trade_cache: Default::default(),
            rollups: true,
        })
    }

    /// Whether SQL may answer an aggregate over BACI's `trade_flows` rows from the roll-ups
    /// the same ingest wrote (`trade_dyad_year`, `trade_dyad_hs2`) where the answer is the same
    /// (on by default; `pivot sql --no-rollups` turns it off for comparison). The session
    /// option `pivot.rollups`, as `SELECT * FROM information_schema.df_settings` shows it.
    pub fn set_rollups(&mut self, on: bool) {
        self.rollups = on;
        let state = self.ctx.state_ref();
        let mut state = state.write();
        if let Some(o) = state
            .config_mut()
            .options_mut()
            .extensions
            .get_mut::<rollup::PivotOptions>()
        {
            o.rollups = on;
        }
    }

    /// The store's manifest.
    pub fn manifest(&self) -> &Manifest {
        self.store.manifest()
    }

    /// The Ballista cluster this engine's SQL runs on, if any.
    pub fn cluster(&self) -> Option<&cluster::Cluster> {
        self.cluster.as_ref()
    }

    /// Store root.
    pub fn root(&self) -> &Path {
        self.store.root()
    }

    /// The store's folder for derived answers kept between runs.
    pub(crate) fn store_cache_dir(&self) -> PathBuf {
        self.store.cache_dir()
    }

    /// Ingest a user's files with the adapter `source` (see `pivot data ingest --help`).
    pub fn ingest(
        &mut self,
        source: &str,
        paths: &[PathBuf],
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<IngestOutcome, EngineError> {
        self.ingest_labelled(source, paths, None, progress)
    }

    /// Like [`Engine::ingest`], with the user's `label` for the release (`--label`), written
    /// before what pivot reads from the files (their names, years and the day of ingest) in
    /// the dataset's version and citation.
    pub fn ingest_labelled(
        &mut self,
        source: &str,
        paths: &[PathBuf],
        label: Option<&str>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<IngestOutcome, EngineError> {
        let out = ingest::ingest_user(&mut self.store, source, paths, label, progress);
        // Rebuilt even when the ingest failed: `begin` re-read the manifest another writer may
        // have changed, and files only the old one referenced may be gone.
        self.refresh()?;
        out
    }

    /// Remove dataset `id` from the store (`pivot data remove`); its files are deleted once no
    /// other open store reads them. A dataset bundled with pivot is loaded again at once from
    /// pivot's own copy — the way to replace a damaged bundled file —, and `reloaded` says so.
    /// An unknown id is refused and the store left as it was.
    pub fn remove(&mut self, id: &str) -> Result<Removed, EngineError> {
        let out = self.store.remove(id);
        let reloaded = match out {
            Ok(_) => {
                ingest::ensure_bundled(&mut self.store, &|_| {})?;
                self.store.manifest().datasets.contains_key(id)
            }
            Err(_) => false,
        };
        self.refresh()?;
        Ok(Removed {
            entry: out?,
            reloaded,
        })
    }

    /// After the store changed: the catalogue rebuilt from the manifest, derived answers dropped.
    fn refresh(&mut self) -> Result<(), EngineError> {
        (self.ctx, self.verified) =
            catalog::context(&self.store, self.cluster.as_ref(), self.rollups)?;
        self.measure_cache.lock().expect("no poisoned lock").clear();
        self.claims_cache.lock().expect("no poisoned lock").clear();
        self.source_years.lock().expect("no poisoned lock").clear();
        self.trade_cache.lock().expect("no poisoned lock").clear();
        Ok(())
    }

    /// Recompute every checksum.
    pub fn verify(&self) -> Result<usize, EngineError> {
        Ok(self.store.verify()?)
    }

    /// Run SQL over the canonical tables.
    pub fn sql(&self, query: &str, limits: SqlLimits) -> Result<ResultTable, EngineError> {
        self.run_sql(query, limits, false)
    }

    /// Run SQL; with `total_order`, a query without its own ORDER BY returns its rows sorted
    /// by every column (a query with one must order totally itself), so that what is computed
    /// from them in row order (sums of floating-point values) does not depend on how the plan
    /// was cut into parallel parts, here or on a cluster.
    fn run_sql(
        &self,
        query: &str,
        limits: SqlLimits,
        total_order: bool,
    ) -> Result<ResultTable, EngineError> {
        let (schema, batches, read) = self.run_query(query, None, limits, total_order)?;
        let mut prov = Provenance::new("sql").param("query", query);
        if !self.rollups {
            prov = prov.param("rollups", "off");
        }
        for d in read.datasets {
            prov = prov.dataset(d);
        }
        for t in read.rollups {
            prov = prov.note(rollup::note(&t));
        }
        for note in self.unknown_source_notes(query) {
            prov = prov.note(note);
        }
        if let Some(c) = &self.cluster {
            prov = prov.note(c.note());
        }
        Ok(ResultTable {
            schema,
            batches,
            provenance: prov,
        })
    }

    /// Notes for a query that compares `source` with a dataset this store does not hold: its
    /// filter matches no rows, and the answer says so instead of looking like a normal empty
    /// (or all-null) answer.
    pub(crate) fn unknown_source_notes(&self, query: &str) -> Vec<String> {
        let ids: Vec<&str> = self
            .manifest()
            .datasets
            .keys()
            .map(String::as_str)
            .collect();
        catalog::unknown_sources(query, &ids)
            .into_iter()
            .map(|id| {
                let how = if id == "baci" {
                    " BACI's product-level rows come from `pivot data ingest baci DIR` (CEPII's yearly files; `pivot data synth baci --out DIR` writes SYNTHETIC ones for testing)."
                } else {
                    " `pivot data list` shows the datasets; `pivot data ingest SOURCE FILES` adds one."
                };
                format!(
                    "this store holds no dataset '{id}', so `source = '{id}'` matches no rows (datasets: {}).{how}",
                    ids.join(", ")
                )
            })
            .collect()
    }

    /// Check, plan and run one query on the engine's runtime under `limits` and this thread's
    /// budget ([`bounds::bounded`]): the text and the parsed statement are checked first
    /// ([`bounds`]); `options` (read-only SQL) are verified on the plan; with `max_rows` at
    /// most that many rows plus one come back (the caller cuts and says so). Returns the
    /// batches and the datasets the optimized plan reads.
    pub(crate) fn run_query(
        &self,
        query: &str,
        options: Option<datafusion::execution::context::SQLOptions>,
        limits: SqlLimits,
        total_order: bool,
    ) -> Result<(SchemaRef, Vec<RecordBatch>, Read), EngineError> {
        bounds::check_query_text(query)?;
        let budget = bounds::current().with_limit(limits.timeout);
        // Set when the budget is spent: the plan's joins check it inside long polls.
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let ctx = self.ctx.clone();
        let q = query.to_string();
        let stop2 = stop.clone();
        let planned = self.on_runtime(&budget, &stop, async move {
            let df = plan_sql(&ctx, &q, options).await?;
            let df = if total_order && !sorted_at_top(df.logical_plan()) {
                let order: Vec<_> = df
                    .schema()
                    .columns()
                    .into_iter()
                    .map(|c| datafusion::prelude::col(c).sort(true, true))
                    .collect();
                df.sort(order).map_err(|e| EngineError::sql(&q, e))?
            } else {
                df
            };
            let df = match limits.max_rows {
                Some(n) => df
                    .limit(0, Some(n.saturating_add(1)))
                    .map_err(|e| EngineError::sql(&q, e))?,
                None => df,
            };
            let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
            let planned = Planned::new(df, &stop2)
                .await
                .map_err(|e| EngineError::sql(&q, e))?;
            Ok::<_, EngineError>((schema, planned))
        });
        let (schema, planned) = planned?;
        let read = Read {
            datasets: self.datasets_read(&planned.logical),
            rollups: rollup::rollups_used(&planned.logical),
        };
        if self.cluster.is_some() {
            // The executors read the files by path, not through the checking object
            // store: the files of the tables the plan reads are checked here first.
            self.check_files_read(&planned.logical)?;
        }
        // Under a memory limit, a query that was refused memory and then stopped using CPU
        // has stalled inside DataFusion: it ends with the memory error (`stall.rs`).
        let pool = self.ctx.runtime_env().memory_pool.clone();
        let q = query.to_string();
        let cluster_url = self.cluster.as_ref().map(|c| c.url());
        let batches = self.on_runtime(&budget, &stop, async move {
            let run = async {
                planned
                    .collect()
                    .await
                    .map_err(|e| query_error(cluster_url.as_deref(), &q, e))
            };
            match pool.as_ref().downcast_ref::<stall::CountingPool>() {
                Some(p) => {
                    let start = p.refused();
                    tokio::select! {
                        r = run => r,
                        e = stall::watch(p, start, stall::QUIET) => Err(e),
                    }
                }
                None => run.await,
            }
        })?;
        let (schema, batches) = catalog::plain_strings(schema, batches)?;
        Ok((schema, batches, read))
    }

    /// Run `fut` as a task on the engine's runtime (whose threads have a stack for deep
    /// plans) and wait for it from this thread within `budget`: once the budget is spent the
    /// task is aborted — DataFusion's operators yield between batches and its spawned parts
    /// are dropped with it, so the work stops — and the error says why. (A timer inside the
    /// runtime could not be relied on: a CPU-bound plan keeps its workers busy.)
    fn on_runtime<T: Send + 'static>(
        &self,
        budget: &bounds::Budget,
        stop: &Arc<std::sync::atomic::AtomicBool>,
        fut: impl std::future::Future<Output = Result<T, EngineError>> + Send + 'static,
    ) -> Result<T, EngineError> {
        budget.check()?;
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let task = self.rt.spawn(async move {
            let _ = tx.send(fut.await);
        });
        // Aborted however this function ends (an error, a panic of the caller).
        struct AbortOnDrop(tokio::task::JoinHandle<()>);
        impl Drop for AbortOnDrop {
            fn drop(&mut self) {
                self.0.abort();
            }
        }
        let _task = AbortOnDrop(task);
        let slice = std::time::Duration::from_millis(50);
        loop {
            let wait = match budget.deadline {
                Some((d, _)) => d
                    .saturating_duration_since(std::time::Instant::now())
                    .min(slice),
                None => slice,
            };
            match rx.recv_timeout(wait) {
                Ok(answer) => return answer,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    if let Err(e) = budget.check() {
                        // Joins stop inside their polls; the task is aborted on return.
                        stop.store(true, std::sync::atomic::Ordering::SeqCst);
                        return Err(e);
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(EngineError::Bug(
                        "a query task ended without an answer (it panicked)".into(),
                    ));
                }
            }
        }
    }

    /// Decode the rows of a query into `T`: in the query's own order if it has an ORDER BY,
    /// else sorted by every column (see [`Engine::run_sql`]).
    pub(crate) fn rows<T: serde::de::DeserializeOwned>(
        &self,
        query: &str,
    ) -> Result<Vec<T>, EngineError> {
        let t = self.run_sql(query, SqlLimits::NONE, true)?;
        let mut out = Vec::new();
        for b in &t.batches {
            let rows: Vec<T> = serde_arrow::from_record_batch(b)
                .map_err(|e| EngineError::Bug(format!("decoding '{query}': {e}")))?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// The datasets a query reads, for its provenance, from its plan as optimized to run
    /// ([`Planned::logical`]): a `source` filter, which removes the other datasets' scans,
    /// leaves only the datasets the answer comes from; a table read whole cites every dataset
    /// with files in it.
    pub(crate) fn datasets_read(
        &self,
        optimized: &datafusion::logical_expr::LogicalPlan,
    ) -> Vec<pivot_vocab::DatasetRef> {
        let (whole, parts) = catalog::tables_read(optimized);
        self.manifest()
            .datasets
            .values()
            .filter(|d| {
                d.files.iter().any(|f| {
                    whole.contains(&f.table.as_str())
                        || parts.iter().any(|(t, id)| *t == f.table && *id == d.id)
                })
            })
            .map(dataset_ref)
            .collect()
    }

    /// Check the checksums of every file an optimized plan reads (see [`Engine::datasets_read`]
    /// for what it reads), for readers that do not go through the checking object store.
    fn check_files_read(
        &self,
        optimized: &datafusion::logical_expr::LogicalPlan,
    ) -> Result<(), EngineError> {
        let (whole, parts) = catalog::tables_read(optimized);
        let mut files = Vec::new();
        for table in whole {
            files.extend(self.store.files_of(table));
        }
        for (table, id) in &parts {
            for (d, f) in self.store.files_by_dataset(table) {
                if d == id {
                    files.extend(f);
                }
            }
        }
        for f in files {
            self.verified
                .check_file(&f)
                .map_err(|d| EngineError::Damaged {
                    path: d.path,
                    dataset: d.dataset,
                    detail: d.detail,
                })?;
        }
        Ok(())
    }

    /// Dataset references for the given tables (optionally only rows of the `source` ids,
    /// joined by `+` for a spliced source).
    pub fn datasets_for(
        &self,
        tables: &[&str],
        source: Option<&str>,
    ) -> Vec<pivot_vocab::DatasetRef> {
        self.manifest()
            .datasets
            .values()
            .filter(|d| d.files.iter().any(|f| tables.contains(&f.table.as_str())))
            .filter(|d| source.is_none_or(|s| s.split('+').any(|id| id == d.id)))
            .map(dataset_ref)
            .collect()
    }

    /// Make rows a front door holds in memory (a Python DataFrame) queryable as the SQL table
    /// `name` until [`Engine::drop_memory_table`] or the next ingest. A canonical table's name
    /// is refused; an existing memory table of that name is replaced.
    pub fn register_memory_table(
        &self,
        name: &str,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) -> Result<(), EngineError> {
        if catalog::table_schema(name).is_some() {
            return Err(EngineError::Input(format!(
                "'{name}' is a store table; choose another name for in-memory data"
            )));
        }
        if let Some(c) = &self.cluster {
            return Err(EngineError::Input(format!(
                "in-memory table '{name}': rows held in this process cannot be sent to the cluster at {}; write them to Parquet and query the file, or use an engine without a cluster",
                c.url()
            )));
        }
        let table = datafusion::datasource::MemTable::try_new(schema, vec![batches])
            .map_err(|e| EngineError::Input(format!("in-memory table '{name}': {e}")))?;
        let _ = self.ctx.deregister_table(name);
        self.ctx
            .register_table(name, Arc::new(table))
            .map_err(|e| EngineError::Bug(format!("registering '{name}': {e}")))?;
        Ok(())
    }

    /// Forget a table registered by [`Engine::register_memory_table`] (a store table's name
    /// is left alone).
    pub fn drop_memory_table(&self, name: &str) {
        if catalog::table_schema(name).is_none() {
            let _ = self.ctx.deregister_table(name);
        }
    }

    /// Whether a dataset id is loaded.
    pub fn has_dataset(&self, id: &str) -> bool {
        self.manifest().datasets.contains_key(id)
    }

    /// The country table.
    pub fn countries(&self) -> &'static Countries {
        Countries::bundled()
    }

    /// Resolve a country query to its ISO3 code (user error with suggestions when unknown).
    pub fn iso3(&self, query: &str) -> Result<String, EngineError> {
        Ok(self.countries().resolve(query)?.country.iso3.clone())
    }

    /// Resolve a list of country queries and named sets (`asia`, `eu27` …) to ISO3 codes.
    pub fn resolve_set(&self, items: &[String]) -> Result<Vec<String>, EngineError> {
        let mut out = Vec::new();
        for it in items {
            if let Some(m) = pivot_vocab::regions::members(self.countries(), it) {
                out.extend(m);
            } else {
                out.push(self.iso3(it)?);
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|x| seen.insert(x.clone()));
        Ok(out)
    }

    /// Citations of every dataset in the store (or of `ids`): (id, plain text, BibTeX).
    pub fn citations(&self, ids: &[String]) -> Vec<(String, String, String)> {
        self.manifest()
            .datasets
            .values()
            .filter(|d| ids.is_empty() || ids.contains(&d.id))
            .map(|d| (d.id.clone(), d.citation.clone(), d.bibtex.clone()))
            .collect()
    }
}

pub use bounds::{Cancel, MAX_QUERY_BYTES, bounded};

/// Convert serializable result rows into a [`ResultTable`].
pub fn table_from_rows<T: serde::Serialize>(
    rows: &[T],
    provenance: Provenance,
) -> Result<ResultTable, EngineError> {
    table_from_serialize(&rows, rows.is_empty(), provenance)
}

/// Convert a serializable sequence of flat records (`empty` when it has none) into a
/// [`ResultTable`].
pub fn table_from_serialize<S: serde::Serialize>(
    rows: &S,
    empty: bool,
    provenance: Provenance,
) -> Result<ResultTable, EngineError> {
    use datafusion::arrow::datatypes::{FieldRef, Schema};
    use serde_arrow::schema::{SchemaLike, TracingOptions};
    let opts = TracingOptions::default()
        .allow_null_fields(true)
        .enums_without_data_as_strings(true);
    let fields: Vec<FieldRef> = if empty {
        vec![]
    } else {
        Vec::<FieldRef>::from_samples(rows, opts)
            .map_err(|e| EngineError::Bug(format!("tracing rows: {e}")))?
    };
    let fields = plain_fields(fields);
    let schema = Arc::new(Schema::new(fields.clone()));
    let batches = if empty {
        vec![]
    } else {
        vec![
            serde_arrow::to_record_batch(&fields, rows)
                .map_err(|e| EngineError::Bug(format!("building rows: {e}")))?,
        ]
    };
    Ok(ResultTable {
        schema,
        batches,
        provenance,
    })
}

/// An answer with no rows and these columns (a measure's row type's).
pub(crate) fn empty_table(
    fields: Vec<datafusion::arrow::datatypes::FieldRef>,
    provenance: Provenance,
) -> ResultTable {
    ResultTable {
        schema: Arc::new(datafusion::arrow::datatypes::Schema::new(plain_fields(
            fields,
        ))),
        batches: vec![],
        provenance,
    }
}

/// Text as Utf8; unit enum variants (direction, carrier …) as their names; a column with no
/// value in any row as nullable text.
fn plain_fields(
    fields: Vec<datafusion::arrow::datatypes::FieldRef>,
) -> Vec<datafusion::arrow::datatypes::FieldRef> {
    use datafusion::arrow::datatypes::{DataType, Field};
    fields
        .into_iter()
        .map(|f| match f.data_type() {
            DataType::LargeUtf8 | DataType::Utf8View | DataType::Union(_, _) => {
                Arc::new(Field::new(f.name(), DataType::Utf8, f.is_nullable()))
            }
            DataType::Dictionary(_, v) if v.is_string() => {
                Arc::new(Field::new(f.name(), DataType::Utf8, f.is_nullable()))
            }
            DataType::Null => Arc::new(Field::new(f.name(), DataType::Utf8, true)),
            _ => f,
        })
        .collect()
}

/// A query planned once: the logical plan as optimized to run — what the provenance cites
/// ([`Engine::datasets_read`]) and, on a cluster, whose files are checked — and the physical
/// plan made from it. (`DataFrame::collect` would optimize the plan a second time.)
pub(crate) struct Planned {
    pub logical: datafusion::logical_expr::LogicalPlan,
    physical: Arc<dyn datafusion::physical_plan::ExecutionPlan>,
    task: Arc<datafusion::execution::TaskContext>,
}

impl Planned {
    /// Plan `df` to run; its joins stop when `stop` is set ([`interrupt`]).
    pub(crate) async fn new(
        df: datafusion::dataframe::DataFrame,
        stop: &Arc<std::sync::atomic::AtomicBool>,
    ) -> datafusion::error::Result<Planned> {
        let (state, plan) = df.into_parts();
        let logical = state.optimize(&plan)?;
        interrupt::check_constants(&logical)?;
        let physical = state
            .query_planner()
            .create_physical_plan(&logical, &state)
            .await?;
        let physical = interrupt::interruptible(physical, stop)?;
        Ok(Planned {
            logical,
            physical,
            task: state.task_ctx(),
        })
    }

    /// Run the physical plan to the end.
    pub(crate) async fn collect(self) -> datafusion::error::Result<Vec<RecordBatch>> {
        datafusion::physical_plan::collect(self.physical, self.task).await
    }
}

/// A failed query's error: the cluster's transport failures are the environment's (exit 3),
/// not a fault in the SQL.
fn query_error(
    cluster_url: Option<&str>,
    query: &str,
    e: datafusion::error::DataFusionError,
) -> EngineError {
    if let Some(url) = cluster_url {
        let msg = e.to_string();
        if msg.contains("tonic::transport") || msg.contains("ConnectError") {
            let detail = if msg.contains("ConnectionRefused") {
                "connection refused".to_string()
            } else {
                msg
            };
            return EngineError::Cluster {
                url: url.to_string(),
                detail,
            };
        }
    }
    EngineError::sql(query, e)
}

/// Parse `query`, check the statement's shape ([`bounds::check_statement`]), plan it and, for
/// read-only SQL, verify the plan against `options` (no DDL, DML or statements).
pub(crate) async fn plan_sql(
    ctx: &SessionContext,
    query: &str,
    options: Option<datafusion::execution::context::SQLOptions>,
) -> Result<datafusion::dataframe::DataFrame, EngineError> {
    let state = ctx.state();
    let dialect = state.config().options().sql_parser.dialect;
    let stmt = state
        .sql_to_statement(query, &dialect)
        .map_err(|e| EngineError::sql(query, e))?;
    bounds::check_statement(&stmt)?;
    let plan = state
        .statement_to_plan(stmt)
        .await
        .map_err(|e| EngineError::sql(query, e))?;
    if let Some(o) = options {
        o.verify_plan(&plan)
            .map_err(|e| EngineError::sql(query, e))?;
    }
    ctx.execute_logical_plan(plan)
        .await
        .map_err(|e| EngineError::sql(query, e))
}

/// What a query's optimized plan read: the datasets (for the provenance) and the roll-ups it
/// was answered from ([`rollup`]).
pub(crate) struct Read {
    pub(crate) datasets: Vec<pivot_vocab::DatasetRef>,
    pub(crate) rollups: Vec<String>,
}

/// The engine's query runtime. Dropped without waiting for its tasks: a task aborted past its
/// time limit may still be inside one call that does not yield, and must not hold up the end
/// of the engine (or of the process).
struct QueryRuntime(Option<tokio::runtime::Runtime>);

impl std::ops::Deref for QueryRuntime {
    type Target = tokio::runtime::Runtime;
    fn deref(&self) -> &tokio::runtime::Runtime {
        self.0
            .as_ref()
            .expect("the runtime lives as long as the engine")
    }
}

impl Drop for QueryRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// A dataset as provenance cites it.
fn dataset_ref(d: &DatasetEntry) -> pivot_vocab::DatasetRef {
    pivot_vocab::DatasetRef {
        id: d.id.clone(),
        version: d.version.clone(),
        source: d.source.clone(),
        licence: d.licence.clone(),
        citation: d.citation.clone(),
        checksum: d.checksum.clone(),
    }
}

/// Whether a query's rows come out in its own order: its plan ends in an ORDER BY, under at
/// most projections and limits (an ORDER BY inside a subquery or a window orders nothing).
fn sorted_at_top(plan: &datafusion::logical_expr::LogicalPlan) -> bool {
    use datafusion::logical_expr::LogicalPlan;
    match plan {
        LogicalPlan::Sort(_) => true,
        LogicalPlan::Projection(p) => sorted_at_top(&p.input),
        LogicalPlan::Limit(l) => sorted_at_top(&l.input),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    /// A loader's own ORDER BY is kept only where it orders the rows that come out.
    #[test]
    fn only_an_outer_order_by_counts() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let ctx = datafusion::prelude::SessionContext::new();
        let plan =
            |q: &str| rt.block_on(async { ctx.sql(q).await.unwrap().logical_plan().clone() });
        let t = "(VALUES (1, 'b'), (2, 'a')) AS t(y, c)";
        assert!(super::sorted_at_top(&plan(&format!(
            "SELECT y, c FROM {t} ORDER BY y"
        ))));
        assert!(super::sorted_at_top(&plan(&format!(
            "SELECT c FROM {t} ORDER BY y LIMIT 1"
        ))));
        assert!(super::sorted_at_top(&plan(&format!(
            "SELECT DISTINCT y FROM {t} ORDER BY y"
        ))));
        assert!(!super::sorted_at_top(&plan(&format!(
            "SELECT y, c FROM {t}"
        ))));
        assert!(!super::sorted_at_top(&plan(&format!(
            "SELECT y FROM (SELECT y FROM {t} ORDER BY y LIMIT 2) GROUP BY y"
        ))));
        assert!(!super::sorted_at_top(&plan(&format!(
            "SELECT y, ROW_NUMBER() OVER (ORDER BY c) AS r FROM {t}"
        ))));
    }
}
