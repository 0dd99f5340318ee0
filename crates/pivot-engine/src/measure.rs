//! Measures over the store: find the measure in the registry, let it parse its parameters
//! (typed, refusing what it does not know), serve it the rows it asks for through
//! [`pivot_measures::Data`] (SQL over the store), and return its rows with provenance: the
//! datasets it actually read, the parameters as applied, its notes.
//!
//! No measure logic lives here: only loading rows and wiring.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use datafusion::arrow::datatypes::{Float64Type, Int32Type};
use pivot_measures::{self as m, Data, DynMeasure, MeasureError, TradeQuery, TradeSource, Years};
use pivot_vocab::{Provenance, YearRange};

use crate::trade_series::{SPLICE_ORDER, SourcedFlow, quote};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::{Engine, EngineError, ResultTable, table_from_serialize};

/// Measure results kept by one engine before the cache starts over (slow ones are also kept in
/// the store between runs: [`crate::result_cache`]).
const MEASURE_CACHE_ENTRIES: usize = 256;

/// A measure to compute: its name and raw parameters, as every front door receives them
/// (strings from the command line or a URL, JSON values from a request body or Python).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeasureRequest {
    /// Registry name (`partner-share`, `un-alignment` …).
    pub name: String,
    /// Parameters by name (`focal`, `partners`, `years`, `top` …).
    pub params: Map<String, Value>,
}

impl MeasureRequest {
    /// A request with no parameters.
    pub fn new(name: impl Into<String>) -> MeasureRequest {
        MeasureRequest {
            name: name.into(),
            params: Map::new(),
        }
    }

    /// Add a parameter.
    pub fn param(mut self, k: impl Into<String>, v: impl Into<Value>) -> MeasureRequest {
        self.params.insert(k.into(), v.into());
        self
    }
}

/// The registered measure called `name`, or an error with the closest name.
pub fn find_measure(name: &str) -> Result<&'static dyn DynMeasure, EngineError> {
    m::registry::find(name).ok_or_else(|| EngineError::UnknownMeasure {
        name: name.to_string(),
        suggestion: m::registry::closest(name).map(String::from),
    })
}

/// A measure's answer: its rows in the measure's own row type, and where they came from.
#[derive(Debug, Clone)]
pub struct Answer<R> {
    /// The rows.
    pub rows: Vec<R>,
    /// Datasets read, parameters as applied, notes.
    pub provenance: Provenance,
}

/// Rows of a result table as their row type (for answers read back from the store's cache).
fn typed_rows<R: serde::de::DeserializeOwned>(t: &ResultTable) -> Result<Vec<R>, EngineError> {
    let mut out = Vec::with_capacity(t.num_rows());
    for b in &t.batches {
        let rows: Vec<R> = serde_arrow::from_record_batch(b)
            .map_err(|e| EngineError::Bug(format!("reading a kept answer as its rows: {e}")))?;
        out.extend(rows);
    }
    Ok(out)
}

fn in_list(v: &[String]) -> String {
    if v.is_empty() {
        return "NULL".into();
    }
    v.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")
}

impl Engine {
    /// Compute a measure by name from raw parameters, as every front door receives them. The
    /// registry's entry parses the parameters into the measure's own type and runs the same
    /// path as [`Engine::run`]. Results are remembered for the life of the engine (until the
    /// next ingest), so the report's charts and its claims check compute each measure once;
    /// answers that took long are also kept in the store for later runs
    /// ([`crate::result_cache`]).
    pub fn measure(&self, req: &MeasureRequest) -> Result<ResultTable, EngineError> {
        let measure = find_measure(&req.name)?;
        let applied = measure.check(&req.params).map_err(EngineError::Param)?;
        let (t, _) = self.compute(measure.name(), &applied, |data| {
            measure.run(&req.params, data)
        })?;
        Ok(t)
    }

    /// Where the answer to `req` is (or would be) kept in this store.
    pub fn result_cache_path(
        &self,
        req: &MeasureRequest,
    ) -> Result<std::path::PathBuf, EngineError> {
        let measure = find_measure(&req.name)?;
        let applied = measure.check(&req.params).map_err(EngineError::Param)?;
        let key = self.result_key(&req.name, &format!("{applied:?}"));
        Ok(self.result_dir().join(format!("{key}.parquet")))
    }

    /// Compute a measure from its own parameter type and answer in its own row type, with the
    /// provenance of the rows: the datasets the measure read, the parameters as applied and
    /// its notes. The report and claims read measures this way; nothing reads a field by name.
    pub fn run<M: m::Measure>(&self, params: &M::Params) -> Result<Answer<M::Row>, EngineError> {
        use pivot_measures::params::Validate;
        params.validate().map_err(|mut e| {
            e.measure = M::NAME.to_string();
            EngineError::Param(e)
        })?;
        let applied = m::params::applied(params);
        let (table, rows) = self.compute(M::NAME, &applied, |data| {
            Ok(m::Computed {
                output: M::compute(params, data)?.into(),
                params: applied.clone(),
            })
        })?;
        let rows = match rows.as_ref().and_then(|r| r.typed::<M::Row>()) {
            Some(r) => r.clone(),
            // An answer kept in the store from an earlier run: read back through its schema.
            None => typed_rows::<M::Row>(&table)?,
        };
        Ok(Answer {
            rows,
            provenance: table.provenance,
        })
    }

    /// The one path every measure takes: the engine's cache, the store's cache of slow
    /// answers, or `run` over the store's rows; provenance from what was read.
    fn compute(
        &self,
        name: &str,
        applied: &BTreeMap<String, String>,
        run: impl FnOnce(&dyn Data) -> Result<m::Computed, MeasureError>,
    ) -> Result<(ResultTable, Option<m::Rows>), EngineError> {
        // Every measure call spends the caller's budget, a remembered answer too: a report
        // built from remembered answers still stops at its time limit.
        crate::bounds::check()?;
        let key = format!("{name}|{applied:?}");
        if let Some(hit) = self
            .measure_cache
            .lock()
            .expect("no poisoned lock")
            .get(&key)
        {
            return Ok(hit.clone());
        }
        let disk_key = self.result_key(name, &format!("{applied:?}"));
        if let Some(t) = self.cached_result(&disk_key) {
            self.remember(key, &t, None);
            return Ok((t, None));
        }
        let started = std::time::Instant::now();
        let data = StoreData {
            e: self,
            used: RefCell::default(),
            notes: RefCell::default(),
            error: RefCell::default(),
        };
        let computed = match run(&data) {
            Ok(c) => c,
            Err(err) => return Err(data.error.take().unwrap_or_else(|| err.into())),
        };
        let mut prov = Provenance::new(name);
        for (k, v) in &computed.params {
            prov = prov.param(k, v);
        }
        for (table, source) in data.used.borrow().iter() {
            for d in self.datasets_for(&[table.as_str()], source.as_deref()) {
                prov = prov.dataset(d);
            }
        }
        for n in data.notes.take().into_iter().chain(computed.output.notes) {
            if !prov.notes.contains(&n) {
                prov = prov.note(n);
            }
        }
        if let Some(c) = self.cluster() {
            prov = prov.note(c.note());
        }
        let rows = computed.output.rows;
        // No rows: the columns of the measure's row type, so an empty answer still says what
        // it would hold.
        let t = match rows.fields() {
            Some(fields) if rows.is_empty() => crate::empty_table(fields, prov),
            _ => table_from_serialize(&rows, rows.is_empty(), prov)?,
        };
        if started.elapsed() >= crate::result_cache::MIN_COMPUTE {
            self.keep_result(&disk_key, &t);
        }
        self.remember(key, &t, Some(rows.clone()));
        Ok((t, Some(rows)))
    }

    fn remember(&self, key: String, t: &ResultTable, rows: Option<m::Rows>) {
        let mut cache = self.measure_cache.lock().expect("no poisoned lock");
        if cache.len() >= MEASURE_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(key, (t.clone(), rows));
    }

    /// Years of a trade source in the store (asked once per engine; an ingest resets it).
    pub(crate) fn source_years(&self, id: &str) -> Result<Vec<i32>, EngineError> {
        #[derive(Deserialize)]
        struct Y {
            year: i32,
        }
        if let Some(y) = self.source_years.lock().expect("no poisoned lock").get(id) {
            return Ok(y.clone());
        }
        let (table, product) = crate::trade_series::all_goods(id);
        let years: Vec<i32> = self
            .rows::<Y>(&format!(
                "SELECT DISTINCT year FROM {table} WHERE source = {} AND {product} ORDER BY year",
                quote(id)
            ))?
            .into_iter()
            .map(|y| y.year)
            .collect();
        self.source_years
            .lock()
            .expect("no poisoned lock")
            .insert(id.to_string(), years.clone());
        Ok(years)
    }

    /// The datasets a trade source reads, each with the years it must leave to the sources
    /// before it in [`SPLICE_ORDER`].
    pub(crate) fn trade_plan(
        &self,
        source: TradeSource,
    ) -> Result<Vec<(&'static str, Vec<i32>)>, EngineError> {
        if source != TradeSource::Spliced {
            let id = source.as_str();
            if !self.has_dataset(id) {
                return Err(EngineError::MissingData {
                    what: format!("trade source '{id}'"),
                    hint: "see pivot data list; pivot data ingest baci PATH adds BACI".into(),
                });
            }
            return Ok(vec![(id, vec![])]);
        }
        let mut plan = vec![];
        let mut taken: Vec<i32> = vec![];
        for id in SPLICE_ORDER {
            if self.has_dataset(id) {
                plan.push((id, taken.clone()));
                taken.extend(self.source_years(id)?);
            }
        }
        if plan.is_empty() {
            return Err(EngineError::MissingData {
                what: "trade data".into(),
                hint: "no trade dataset is loaded (see pivot data list)".into(),
            });
        }
        Ok(plan)
    }

    /// Trade flows (all goods, current USD) of a source for all years, only rows touching
    /// `touching` countries when given. A few states' flows (what the measures ask for) are
    /// read once and kept until the next ingest.
    pub(crate) fn sourced_flows(
        &self,
        source: TradeSource,
        years: &YearRange,
        touching: Option<&[String]>,
    ) -> Result<Arc<Vec<SourcedFlow>>, EngineError> {
        let Some(touching) = touching else {
            return Ok(Arc::new(self.sourced_flows_sql(source, years, None)?));
        };
        let key = format!("{source:?}|{touching:?}");
        if let Some(all) = self.trade_cache.lock().expect("no poisoned lock").get(&key) {
            return Ok(all.clone());
        }
        let all = Arc::new(self.sourced_flows_sql(source, &YearRange::ALL, Some(touching))?);
        self.trade_cache
            .lock()
            .expect("no poisoned lock")
            .insert(key, all.clone());
        Ok(all)
    }

    fn sourced_flows_sql(
        &self,
        source: TradeSource,
        years: &YearRange,
        touching: Option<&[String]>,
    ) -> Result<Vec<SourcedFlow>, EngineError> {
        let touch = match touching {
            Some(c) => format!(
                "AND (exporter IN ({l}) OR importer IN ({l}))",
                l = in_list(c)
            ),
            None => String::new(),
        };
        // Product-level sources (BACI) are read from the dyad-year roll-up made at ingest;
        // aggregate sources (COW, IMF DOTS) from their all-goods rows.
        let parts: Vec<String> = self
            .trade_plan(source)?
            .into_iter()
            .map(|(id, skip)| {
                let (table, product) = crate::trade_series::all_goods(id);
                let skip = if skip.is_empty() {
                    String::new()
                } else {
                    format!(
                        "AND year NOT IN ({})",
                        skip.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
                    )
                };
                format!(
                    "SELECT year, exporter, importer, SUM(value_usd_m) * 1e6 AS value, {src} AS src \
                     FROM {table} WHERE source = {src} AND {} AND {product} {skip} {touch} \
                     GROUP BY year, exporter, importer",
                    years.sql("year"),
                    src = quote(id)
                )
            })
            .collect();
        // One query per source, not one UNION ALL: a union of three grouped scans never
        // finished on a Ballista cluster (DataFusion 55 / Ballista 55), and the sources'
        // years are disjoint by construction, so the concatenation is the same answer.
        let mut out = Vec::new();
        for part in &parts {
            out.extend(self.rows::<SourcedFlow>(part)?);
        }
        // One canonical order, whatever order the query engine returned the rows in (on one
        // machine or a cluster): the measures' floating-point sums then do not depend on it.
        out.sort_by(|a, b| {
            (a.year, &a.exporter, &a.importer, &a.src).cmp(&(
                b.year,
                &b.exporter,
                &b.importer,
                &b.src,
            ))
        });
        Ok(out)
    }

    /// Country-year indicator values.
    fn indicator_rows(
        &self,
        indicator: &str,
        countries: &[String],
        years: &YearRange,
    ) -> Result<Vec<m::IndicatorValue>, EngineError> {
        #[derive(Deserialize)]
        struct IndRow {
            country: String,
            year: i32,
            value: Option<f64>,
        }
        let q = format!(
            "SELECT country, year, value FROM country_year WHERE indicator = {} AND country IN ({}) AND {} AND value IS NOT NULL ORDER BY year, country, value",
            quote(indicator),
            in_list(countries),
            years.sql("year")
        );
        Ok(self
            .rows::<IndRow>(&q)?
            .into_iter()
            .filter_map(|r| {
                r.value.map(|v| m::IndicatorValue {
                    country: r.country,
                    year: r.year,
                    value: v,
                })
            })
            .collect())
    }
}

/// The store as a measure's [`Data`]: each loader runs SQL, records which tables and datasets
/// it read (for the provenance) and keeps the engine's own error, so its kind (bad SQL, store
/// I/O, a bug) survives the trip through the measure.
struct StoreData<'a> {
    e: &'a Engine,
    used: RefCell<Vec<(String, Option<String>)>>,
    notes: RefCell<Vec<String>>,
    error: RefCell<Option<EngineError>>,
}

impl StoreData<'_> {
    fn read(&self, table: &str, source: Option<&str>) {
        let k = (table.to_string(), source.map(String::from));
        let mut u = self.used.borrow_mut();
        if !u.contains(&k) {
            u.push(k);
        }
    }

    fn wrap<T>(&self, r: Result<T, EngineError>) -> m::Result<T> {
        r.map_err(|e| match e {
            EngineError::MissingData { what, hint } => MeasureError::MissingData { what, hint },
            e => {
                let msg = e.to_string();
                *self.error.borrow_mut() = Some(e);
                MeasureError::Source(Arc::new(std::io::Error::other(msg)))
            }
        })
    }

    fn need(&self, id: &str, what: &str) -> m::Result<()> {
        if self.e.has_dataset(id) {
            Ok(())
        } else {
            Err(MeasureError::MissingData {
                what: what.into(),
                hint: format!("ingest {id} first (pivot data ingest {id} PATH)"),
            })
        }
    }

    /// The note on a trade answer with no rows: which years the store's trade sources cover,
    /// so a reader knows the years asked lie outside them (or in a gap), not that trade was 0.
    fn no_trade_note(&self, q: &TradeQuery) {
        let ids: Vec<&str> = match q.source {
            TradeSource::Spliced => SPLICE_ORDER.to_vec(),
            s => vec![s.as_str()],
        };
        let covered: Vec<String> = ids
            .iter()
            .filter(|id| self.e.has_dataset(id))
            .filter_map(|id| {
                let years = self.e.source_years(id).ok()?;
                (!years.is_empty())
                    .then(|| format!("{id} {}", pivot_vocab::year_runs(years.iter().copied())))
            })
            .collect();
        let of = match &q.touching {
            Some(states) if !states.is_empty() => format!(" of {}", states.join(", ")),
            _ => String::new(),
        };
        self.notes.borrow_mut().push(format!(
            "No trade rows{of} in the years asked ({}); the trade data in the store cover {} (never interpolated; pivot data ingest baci PATH adds BACI's years).",
            q.years.range(),
            if covered.is_empty() {
                "no years".to_string()
            } else {
                covered.join(", ")
            }
        ));
    }

    /// Notes on a trade series: which source gave which years, the gaps, the level breaks
    /// where sources meet, and the partners missing from a state's reported flows. `all` holds
    /// every year of the asked states' flows (for the years before those asked).
    fn trade_notes(
        &self,
        q: &TradeQuery,
        flows: &[&SourcedFlow],
        all: &[SourcedFlow],
    ) -> Result<(), EngineError> {
        if flows.is_empty() {
            self.no_trade_note(q);
            return Ok(());
        }
        let mut by: BTreeMap<&str, BTreeSet<i32>> = BTreeMap::new();
        let mut year_src: BTreeMap<i32, String> = BTreeMap::new();
        for f in flows {
            by.entry(f.src.as_str()).or_default().insert(f.year);
            year_src.insert(f.year, f.src.clone());
        }
        for id in by.keys() {
            self.read("trade_flows", Some(id));
        }
        let manifest = self.e.manifest();
        let title = |id: &str| crate::trade_notes::title(manifest, id);
        let all_years: BTreeSet<i32> = by.values().flatten().copied().collect();
        let gaps: BTreeSet<i32> = match (all_years.first(), all_years.last()) {
            (Some(&a), Some(&b)) => (a..=b).filter(|y| !all_years.contains(y)).collect(),
            _ => BTreeSet::new(),
        };
        let states: Vec<String> = q.touching.clone().unwrap_or_default();
        let mut notes = vec![];
        if by.len() > 1 || (q.source == TradeSource::Spliced && !gaps.is_empty()) {
            let parts: Vec<String> = SPLICE_ORDER
                .iter()
                .rev()
                .filter_map(|id| {
                    by.get(id).map(|y| {
                        format!(
                            "{} for {}",
                            title(id),
                            pivot_vocab::year_runs(y.iter().copied())
                        )
                    })
                })
                .collect();
            let mut n = format!("Trade spliced: {}", parts.join(", "));
            if !gaps.is_empty() {
                n.push_str(&format!(
                    "; no trade data for {} (never interpolated; pivot data ingest baci PATH fills them)",
                    pivot_vocab::year_runs(gaps.iter().copied())
                ));
            }
            n.push_str(&format!(
                ". Where sources overlap the first of {} wins. COW blends importer- and \
                 exporter-reported figures (mostly importer-based, CIF), IMF DOTS is exporter-reported \
                 FOB, BACI reconciles both (FOB). Add source=cow_trade, imf_dots, baci_totals or baci \
                 for one source only.",
                crate::trade_notes::splice_order_text(&title)
            ));
            notes.push(n);
            notes.extend(self.e.level_breaks(&year_src, &states, &title)?);
        }
        if by.contains_key("imf_dots") {
            notes.push(
                "IMF DOTS is exporter-reported FOB: a state's imports are its partners' reported \
                 exports, and economies that do not report to the IMF (Taiwan) have no exports in \
                 the data (missing, not zero); no mirror flows were filled in."
                    .into(),
            );
        }
        if (1..=3).contains(&states.len()) {
            for s in &states {
                let v = crate::trade_notes::vanished(s, all, &year_src);
                notes.extend(crate::trade_notes::vanished_note(s, &v, &title));
            }
        }
        self.notes.borrow_mut().extend(notes);
        Ok(())
    }
}

impl Data for StoreData<'_> {
    fn ideal_points(
        &self,
        countries: &[String],
        years: &Years,
    ) -> m::Result<Vec<m::records::IdealPointRecord>> {
        self.need("un_ideal_points", "published UN ideal points")?;
        #[derive(Deserialize)]
        struct R {
            country: String,
            year: i32,
            series: String,
            estimate: f64,
            q5: Option<f64>,
            q95: Option<f64>,
            n_votes: Option<i64>,
        }
        let q = format!(
            "SELECT country, year, series, estimate, q5, q95, n_votes FROM un_ideal_points WHERE country IN ({}) AND {} ORDER BY year, country, series",
            in_list(countries),
            years.range().sql("year")
        );
        self.read("un_ideal_points", None);
        Ok(self
            .wrap(self.e.rows::<R>(&q))?
            .into_iter()
            .map(|r| m::records::IdealPointRecord {
                country: r.country,
                year: r.year,
                series: r.series,
                estimate: r.estimate,
                q5: r.q5,
                q95: r.q95,
                n_votes: r.n_votes,
            })
            .collect())
    }
    fn trade_flows(&self, q: &TradeQuery) -> m::Result<Vec<m::TradeFlow>> {
        let all = self.wrap(self.e.sourced_flows(
            q.source,
            q.years.range(),
            q.touching.as_deref(),
        ))?;
        let picked: Vec<&SourcedFlow> = all.iter().filter(|f| q.years.contains(f.year)).collect();
        self.wrap(self.trade_notes(q, &picked, &all))?;
        Ok(picked
            .into_iter()
            .map(|f| m::TradeFlow {
                year: f.year,
                exporter: f.exporter.clone(),
                importer: f.importer.clone(),
                value: f.value,
            })
            .collect())
    }

    fn chapter_flows(
        &self,
        focal: &str,
        years: &Years,
    ) -> m::Result<Vec<m::product_composition::ChapterFlow>> {
        self.need("baci", "product-level (HS) trade")?;
        #[derive(Deserialize)]
        struct C {
            year: i32,
            exporter: String,
            importer: String,
            hs2: String,
            value: f64,
        }
        let q = format!(
            "SELECT year, exporter, importer, hs2, value_usd_m * 1e6 AS value FROM trade_dyad_hs2 \
             WHERE source = 'baci' AND {} AND (exporter = {f} OR importer = {f})",
            years.range().sql("year"),
            f = quote(focal)
        );
        self.read("trade_dyad_hs2", Some("baci"));
        Ok(self
            .wrap(self.e.rows::<C>(&q))?
            .into_iter()
            .map(|c| m::product_composition::ChapterFlow {
                year: c.year,
                exporter: c.exporter,
                importer: c.importer,
                hs2: c.hs2,
                value: c.value,
            })
            .collect())
    }

    fn product_panel(
        &self,
        years: &Years,
        importers: &m::PartnerSelection,
    ) -> m::Result<m::geodep::ProductPanel> {
        self.need("baci", "product-level (HS6) trade")?;
        self.read("trade_flows", Some("baci"));
        let range = years.range().sql("year");
        let rows =
            format!("FROM trade_flows WHERE source = 'baci' AND exporter <> importer AND {range}");
        let only = match importers {
            m::PartnerSelection::All => String::new(),
            m::PartnerSelection::Only(v) => format!(" AND importer IN ({})", in_list(v)),
        };
        let mut b = m::geodep::PanelBuilder::new();
        // Years with any row, domestic ones included (they bound the windows): from the
        // dyad-year roll-up written with the rows, not a scan of them.
        let q =
            format!("SELECT DISTINCT year FROM trade_dyad_year WHERE source = 'baci' AND {range}");
        for batch in self.wrap(self.e.sql(&q, crate::SqlLimits::NONE))?.batches {
            let y = self.wrap(column::<Int32Type>(&batch, 0))?;
            y.iter().flatten().for_each(|y| b.year(y));
        }
        // The assessed importers' flows (a few rows per HS6 line of theirs) …
        let q = format!(
            "SELECT year, exporter, importer, product, value_usd_m * 1e6 AS value {rows}{only}"
        );
        for batch in self.wrap(self.e.sql(&q, crate::SqlLimits::NONE))?.batches {
            let (y, e, i, k, v) = self.wrap((|| {
                Ok::<_, EngineError>((
                    column::<Int32Type>(&batch, 0)?,
                    strings(&batch, 1)?,
                    strings(&batch, 2)?,
                    strings(&batch, 3)?,
                    column::<Float64Type>(&batch, 4)?,
                ))
            })())?;
            for r in 0..batch.num_rows() {
                b.import(y.value(r), e.value(r), i.value(r), k.value(r), v.value(r))?;
            }
        }
        // … and world exports per exporter, product and year, summed by the query engine in
        // decimal (BACI's values have at most six decimals in million USD), so the sums are
        // exact and the same whatever order the parallel parts of the plan meet in.
        let q = format!(
            "SELECT year, exporter, product, CAST(SUM(CAST(value_usd_m AS DECIMAL(38, 9))) AS DOUBLE) * 1e6 AS value {rows} GROUP BY year, exporter, product"
        );
        for batch in self.wrap(self.e.sql(&q, crate::SqlLimits::NONE))?.batches {
            let (y, e, k, v) = self.wrap((|| {
                Ok::<_, EngineError>((
                    column::<Int32Type>(&batch, 0)?,
                    strings(&batch, 1)?,
                    strings(&batch, 2)?,
                    column::<Float64Type>(&batch, 3)?,
                ))
            })())?;
            for r in 0..batch.num_rows() {
                b.export(y.value(r), e.value(r), k.value(r), v.value(r))?;
            }
        }
        Ok(b.finish())
    }

    fn indicator(
        &self,
        indicator: &str,
        countries: &[String],
        years: &Years,
    ) -> m::Result<Vec<m::IndicatorValue>> {
        // Cite the datasets whose adapter writes this indicator (all with country-year rows
        // where none says so).
        let ids: Vec<String> = self
            .e
            .manifest()
            .datasets
            .values()
            .filter(|d| {
                pivot_sources::adapter_for(&d.adapter)
                    .is_some_and(|a| a.indicators().contains(&indicator))
            })
            .map(|d| d.id.clone())
            .collect();
        self.read(
            "country_year",
            (!ids.is_empty()).then(|| ids.join("+")).as_deref(),
        );
        self.wrap(self.e.indicator_rows(indicator, countries, years.range()))
    }

    fn energy_exports(
        &self,
        exporter: &str,
        years: &Years,
    ) -> m::Result<Vec<m::data::EnergyExport>> {
        #[derive(Deserialize)]
        struct E {
            year: i32,
            importer: String,
            importer_iso3: Option<String>,
            carrier: String,
            volume: f64,
            unit: String,
        }
        let q = format!(
            "SELECT year, importer, importer_iso3, carrier, volume, unit FROM energy_flows WHERE exporter_iso3 = {} AND {} AND importer <> exporter",
            quote(exporter),
            years.range().sql("year")
        );
        self.read("energy_flows", None);
        self.wrap(self.e.rows::<E>(&q))?
            .into_iter()
            .map(|r| {
                Ok(m::data::EnergyExport {
                    flow: m::energy::EnergyFlow {
                        year: r.year,
                        exporter: exporter.to_string(),
                        importer: r.importer,
                        carrier: m::energy::Carrier::parse(&r.carrier)?,
                        volume: r.volume,
                        unit: r.unit,
                    },
                    importer_iso3: r.importer_iso3,
                })
            })
            .collect()
    }

    fn arms(
        &self,
        focal: &str,
        role: m::data::ArmsRole,
        by_category: bool,
    ) -> m::Result<Vec<m::arms::ArmsTransfer>> {
        #[derive(Deserialize)]
        struct R {
            year: i32,
            supplier: String,
            recipient: String,
            category: Option<String>,
            tiv: f64,
        }
        let col = match role {
            m::data::ArmsRole::Recipient => "recipient_iso3",
            m::data::ArmsRole::Supplier => "supplier_iso3",
        };
        let q = if by_category {
            self.read("arms_transfers", None);
            // Summed in DECIMAL: the same sum whatever order parallel parts meet in.
            format!(
                "SELECT delivery_year AS year, COALESCE(supplier_iso3, supplier) AS supplier, COALESCE(recipient_iso3, recipient) AS recipient, category, CAST(SUM(CAST(COALESCE(tiv_delivered, 0) AS DECIMAL(38, 9))) AS DOUBLE) AS tiv \
                 FROM arms_transfers WHERE {col} = {} AND delivery_year IS NOT NULL GROUP BY 1, 2, 3, 4",
                quote(focal)
            )
        } else {
            self.read("arms_dyad_year", None);
            format!(
                "SELECT year, COALESCE(supplier_iso3, supplier) AS supplier, COALESCE(recipient_iso3, recipient) AS recipient, CAST(NULL AS VARCHAR) AS category, tiv FROM arms_dyad_year WHERE {col} = {}",
                quote(focal)
            )
        };
        Ok(self
            .wrap(self.e.rows::<R>(&q))?
            .into_iter()
            .map(|r| m::arms::ArmsTransfer {
                year: r.year,
                supplier: r.supplier,
                recipient: r.recipient,
                category: r.category,
                tiv: r.tiv,
            })
            .collect())
    }

    fn un_votes(
        &self,
        countries: &[String],
        years: &Years,
        issues: bool,
    ) -> m::Result<m::data::UnVotes> {
        use m::un_alignment::{RollCall, RollCallIssue, Vote, VoteChoice};
        #[derive(Deserialize)]
        struct V {
            rcid: i64,
            country: String,
            vote: String,
        }
        #[derive(Deserialize)]
        struct RC {
            rcid: i64,
            session: i32,
            year: i32,
        }
        #[derive(Deserialize)]
        struct I {
            rcid: i64,
            issue: String,
        }
        let y = years.range();
        self.read("un_votes", None);
        self.read("un_roll_calls", None);
        // An empty list is every country.
        let who = if countries.is_empty() {
            "TRUE".to_string()
        } else {
            format!("v.country IN ({})", in_list(countries))
        };
        let votes = self
            .wrap(self.e.rows::<V>(&format!(
                "SELECT v.rcid, v.country, v.vote FROM un_votes v JOIN un_roll_calls r ON v.rcid = r.rcid WHERE {who} AND {}",
                y.sql("r.year")
            )))?
            .into_iter()
            .map(|v| {
                Ok(Vote {
                    rcid: v.rcid,
                    country: v.country,
                    vote: VoteChoice::parse(&v.vote)?,
                })
            })
            .collect::<m::Result<Vec<_>>>()?;
        let calls = self
            .wrap(self.e.rows::<RC>(&format!(
                "SELECT rcid, session, year FROM un_roll_calls WHERE {}",
                y.sql("year")
            )))?
            .into_iter()
            .map(|r| RollCall {
                rcid: r.rcid,
                session: r.session,
                year: r.year,
            })
            .collect();
        let issues = if issues {
            self.read("un_issues", None);
            self.wrap(self.e.rows::<I>("SELECT rcid, issue FROM un_issues"))?
                .into_iter()
                .map(|i| RollCallIssue {
                    rcid: i.rcid,
                    issue: i.issue,
                })
                .collect()
        } else {
            vec![]
        };
        Ok(m::data::UnVotes {
            votes,
            calls,
            issues,
        })
    }

    fn alliances(
        &self,
        focal: &str,
        years: &Years,
    ) -> m::Result<Vec<m::alliances::AllianceRecord>> {
        #[derive(Deserialize)]
        struct A {
            year: i32,
            state_a: String,
            state_b: String,
            defense: bool,
            offense: bool,
            neutral: bool,
            nonagg: bool,
            consul: bool,
        }
        let q = format!(
            "SELECT year, state_a, state_b, defense, offense, neutral, nonagg, consul FROM alliances WHERE (state_a = {f} OR state_b = {f}) AND {}",
            years.range().sql("year"),
            f = quote(focal)
        );
        self.read("alliances", None);
        Ok(self
            .wrap(self.e.rows::<A>(&q))?
            .into_iter()
            .map(|a| m::alliances::AllianceRecord {
                year: a.year,
                state_a: a.state_a,
                state_b: a.state_b,
                defense: a.defense,
                offense: a.offense,
                neutral: a.neutral,
                nonagg: a.nonagg,
                consul: a.consul,
            })
            .collect())
    }

    fn arms_dyads(&self, years: &Years) -> m::Result<Vec<m::arms::ArmsTransfer>> {
        #[derive(Deserialize)]
        struct R {
            year: i32,
            supplier: String,
            recipient: String,
            tiv: f64,
        }
        let q = format!(
            "SELECT year, COALESCE(supplier_iso3, supplier) AS supplier, COALESCE(recipient_iso3, recipient) AS recipient, tiv FROM arms_dyad_year WHERE {}",
            years.range().sql("year")
        );
        self.read("arms_dyad_year", None);
        Ok(self
            .wrap(self.e.rows::<R>(&q))?
            .into_iter()
            .map(|r| m::arms::ArmsTransfer {
                year: r.year,
                supplier: r.supplier,
                recipient: r.recipient,
                category: None,
                tiv: r.tiv,
            })
            .collect())
    }

    fn alliance_dyads(&self, years: &Years) -> m::Result<Vec<m::alliances::AllianceRecord>> {
        #[derive(Deserialize)]
        struct A {
            year: i32,
            state_a: String,
            state_b: String,
            defense: bool,
            offense: bool,
            neutral: bool,
            nonagg: bool,
            consul: bool,
        }
        let q = format!(
            "SELECT year, state_a, state_b, defense, offense, neutral, nonagg, consul FROM alliances WHERE {}",
            years.range().sql("year")
        );
        self.read("alliances", None);
        Ok(self
            .wrap(self.e.rows::<A>(&q))?
            .into_iter()
            .map(|a| m::alliances::AllianceRecord {
                year: a.year,
                state_a: a.state_a,
                state_b: a.state_b,
                defense: a.defense,
                offense: a.offense,
                neutral: a.neutral,
                nonagg: a.nonagg,
                consul: a.consul,
            })
            .collect())
    }

    fn finance(&self, years: &Years) -> m::Result<Vec<m::finance::FinanceFlow>> {
        #[derive(Deserialize)]
        struct F {
            year: i32,
            recipient: String,
            flow_class: String,
            amount: f64,
            amount_adjusted: Option<f64>,
        }
        let q = format!(
            "SELECT year, recipient, flow_class, amount, amount_adjusted FROM finance_flows WHERE source = 'aiddata_gcdf' AND {}",
            years.range().sql("year")
        );
        self.read("finance_flows", Some("aiddata_gcdf"));
        self.wrap(self.e.rows::<F>(&q))?
            .into_iter()
            .map(|f| {
                let class = match f.flow_class.as_str() {
                    "oof_like" => m::finance::FinanceClass::OofLike,
                    "oda_like" => m::finance::FinanceClass::OdaLike,
                    "vague" => m::finance::FinanceClass::Vague,
                    "investment" => m::finance::FinanceClass::Investment,
                    other => {
                        return Err(MeasureError::InvalidField {
                            field: "flow_class",
                            value: other.to_string(),
                            context: format!("finance_flows {} {}", f.year, f.recipient),
                            reason: "expected oof_like, oda_like, vague or investment",
                        });
                    }
                };
                Ok(m::finance::FinanceFlow {
                    year: f.year,
                    recipient: f.recipient,
                    class,
                    amount: f.amount,
                    adjusted_amount: f.amount_adjusted,
                })
            })
            .collect()
    }

    fn events(&self, focal: Option<&str>, years: &Years) -> m::Result<Vec<m::events::EventRecord>> {
        let filter = match focal {
            Some(f) => format!("AND (actor1 = {q} OR actor2 = {q})", q = quote(f)),
            None => String::new(),
        };
        let q = format!(
            "SELECT * FROM events WHERE actor1 IS NOT NULL AND actor2 IS NOT NULL {filter}"
        );
        self.read("events", None);
        Ok(self
            .wrap(self.e.rows::<pivot_sources::canonical::Event>(&q))?
            .into_iter()
            .filter_map(|e| {
                let year: i32 = e.date.get(..4)?.parse().ok()?;
                let month: u32 = e.date.get(5..7)?.parse().ok()?;
                years.contains(year).then_some(m::events::EventRecord {
                    year,
                    month,
                    actor1: e.actor1?,
                    actor2: e.actor2?,
                    cameo: e.cameo,
                    quad_class: e.quad_class as u8,
                    goldstein: e.goldstein.unwrap_or(0.0),
                    num_mentions: e.mentions.unwrap_or(1).max(0) as u32,
                })
            })
            .collect())
    }

    fn note(&self, note: String) {
        self.notes.borrow_mut().push(note);
    }
}

/// Column `i` of a query result as a primitive array of `T` (cast if the engine chose another
/// width).
fn column<T: datafusion::arrow::datatypes::ArrowPrimitiveType>(
    batch: &datafusion::arrow::record_batch::RecordBatch,
    i: usize,
) -> Result<datafusion::arrow::array::PrimitiveArray<T>, EngineError> {
    use datafusion::arrow::array::AsArray;
    let c = datafusion::arrow::compute::cast(batch.column(i), &T::DATA_TYPE)
        .map_err(|e| EngineError::Bug(format!("column {i}: {e}")))?;
    Ok(c.as_primitive::<T>().clone())
}

/// Column `i` of a query result as UTF-8 strings (views and dictionaries are cast).
fn strings(
    batch: &datafusion::arrow::record_batch::RecordBatch,
    i: usize,
) -> Result<datafusion::arrow::array::StringArray, EngineError> {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::DataType;
    let c = datafusion::arrow::compute::cast(batch.column(i), &DataType::Utf8)
        .map_err(|e| EngineError::Bug(format!("column {i}: {e}")))?;
    Ok(c.as_string::<i32>().clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pivot_measures::energy::{Carrier, EnergyDestinationRow};
    use pivot_measures::finance::{AmountBasis, FinanceClass, FinanceClassRow, FinanceRankRow};
    use pivot_measures::un_alignment::{AlignmentPeriod, AlignmentRow};

    fn round_trip<R>(rows: Vec<R>)
    where
        R: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let t = table_from_serialize(&rows, false, Provenance::new("test")).unwrap();
        assert_eq!(typed_rows::<R>(&t).unwrap(), rows);
    }

    /// Issue 28: an answer kept in the store (Arrow, enums as text, missing values as nulls)
    /// reads back as the measure's own rows, equal to those computed — hand-made rows with
    /// each kind of field: unit enums, optional numbers, optional text, counts.
    #[test]
    fn kept_answers_read_back_as_their_row_type() {
        round_trip(vec![
            FinanceRankRow {
                year_start: 2000,
                year_end: 2021,
                recipient: "RUS".into(),
                basis: AmountBasis::Committed,
                amount: 169.6e9,
                all_recipients: 1.3e12,
                share: 0.13,
                rank: Some(1),
                n_recipients: 165,
            },
            FinanceRankRow {
                year_start: 2001,
                year_end: 2001,
                recipient: "RUS".into(),
                basis: AmountBasis::Adjusted,
                amount: 0.0,
                all_recipients: 1.0e9,
                share: 0.0,
                rank: None,
                n_recipients: 40,
            },
        ]);
        round_trip(vec![FinanceClassRow {
            year: 2009,
            recipient: "RUS".into(),
            class: FinanceClass::OofLike,
            amount: 25.0e9,
            adjusted_amount: None,
        }]);
        round_trip(vec![EnergyDestinationRow {
            year: 2023,
            exporter: "RUS".into(),
            carrier: Carrier::PipelineGas,
            importer: "China".into(),
            in_asia: true,
            volume: 22.7,
            unit: "bcm".into(),
            share: 0.25,
        }]);
        round_trip(vec![AlignmentRow {
            period_kind: AlignmentPeriod::Session,
            period: 74,
            issue: Some("human rights".into()),
            focal: "RUS".into(),
            partner: "CHN".into(),
            n_joint: 90,
            agreement: 0.85,
            s_score: 0.7,
            observed_agreement: 0.8,
            scott_pi: None,
            cohen_kappa: Some(0.5),
        }]);
    }
}
