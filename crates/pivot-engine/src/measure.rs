//! Measures over the store: load the canonical rows a measure needs (through SQL), convert them
//! to `pivot-measures` inputs, run the pure function, return a table with provenance.

use std::collections::{BTreeMap, HashMap};

use pivot_measures as m;
use pivot_measures::registry::Dimension;
use pivot_store::Manifest;
use pivot_vocab::{Countries, Provenance, YearRange};
use serde::{Deserialize, Serialize};

use crate::{Engine, EngineError, ResultTable, table_from_rows};

/// The default trade source when both are loaded: BACI for its years, COW for the others.
pub const SPLICED: &str = "cow_trade+baci";

/// Measure results kept by one engine before the cache starts over.
const MEASURE_CACHE_ENTRIES: usize = 256;

/// A measure to compute, as the CLI and the server receive it.
#[derive(Debug, Clone, Default)]
pub struct MeasureRequest {
    /// Registry name (`partner-share`, `un-alignment` …).
    pub name: String,
    /// Focal state (any name or code).
    pub focal: Option<String>,
    /// Partners or named sets.
    pub partners: Vec<String>,
    /// Years (`1992-2014`).
    pub years: Option<String>,
    /// Breakdown (`issue`, `category`).
    pub by: Option<String>,
    /// Other parameters (`direction`, `indicator`, `periods`, `source`, `carrier` …).
    pub params: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct MeasureListRow {
    name: &'static str,
    dimension: &'static str,
    summary: &'static str,
    data: String,
}

/// `pivot measures`: every measure with its one-line description.
pub fn list_measures() -> Result<ResultTable, EngineError> {
    let rows: Vec<MeasureListRow> = m::registry::measures()
        .iter()
        .map(|i| MeasureListRow {
            name: i.name,
            dimension: i.dimension.as_str(),
            summary: i.summary,
            data: i.data.join(", "),
        })
        .collect();
    table_from_rows(&rows, Provenance::new("measures"))
}

#[derive(Serialize)]
struct CountryOut {
    query: String,
    matched_as: String,
    iso3: String,
    iso2: Option<String>,
    m49: Option<u16>,
    cow: String,
    gw: String,
    name: String,
    official_name: String,
    kind: String,
    region: String,
    subregion: String,
    note: String,
}

/// `pivot country QUERY`: every code of the match.
pub fn country_table(query: &str) -> Result<ResultTable, EngineError> {
    let r = Countries::bundled().resolve(query)?;
    let c = r.country;
    let join = |v: &[u16]| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut note = c.note.clone();
    if let Some(n) = &r.note {
        note = if note.is_empty() {
            n.clone()
        } else {
            format!("{n} {note}")
        };
    }
    let row = CountryOut {
        query: query.to_string(),
        matched_as: r.scheme.as_str().into(),
        iso3: c.iso3.clone(),
        iso2: c.iso2.clone(),
        m49: c.m49,
        cow: join(&c.cow),
        gw: join(&c.gw),
        name: c.name.clone(),
        official_name: c.official_name.clone(),
        kind: c.kind.as_str().into(),
        region: c.region.clone(),
        subregion: c.subregion.clone(),
        note,
    };
    table_from_rows(&[row], Provenance::new("country").param("query", query).note("Country identity from world-countries 5.1.0 (mledoze/countries, ODbL 1.0), COW and Gleditsch-Ward state lists, BACI V202201 codes and pivot's concordances."))
}

#[derive(Serialize)]
struct DatasetRow {
    id: String,
    title: String,
    rows: u64,
    years: String,
    tables: String,
    version: String,
    source: String,
    licence: String,
    bundled: bool,
}

/// `pivot data list`.
pub fn dataset_table(manifest: &Manifest) -> Result<ResultTable, EngineError> {
    let rows: Vec<DatasetRow> = manifest
        .datasets
        .values()
        .map(|d| DatasetRow {
            id: d.id.clone(),
            title: d.title.clone(),
            rows: if d.records > 0 {
                d.records
            } else {
                d.total_rows()
            },
            years: d.years.map(|(a, b)| format!("{a}-{b}")).unwrap_or_default(),
            tables: d
                .rows
                .iter()
                .map(|(t, n)| format!("{t}:{n}"))
                .collect::<Vec<_>>()
                .join(" "),
            version: d.version.clone(),
            source: d.source.clone(),
            licence: d.licence.clone(),
            bundled: d.bundled,
        })
        .collect();
    table_from_rows(&rows, Provenance::new("data-list"))
}

#[derive(Deserialize)]
struct FlowRow {
    year: i32,
    exporter: String,
    importer: String,
    value: f64,
}

#[derive(Deserialize)]
struct IndRow {
    country: String,
    year: i32,
    value: Option<f64>,
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn in_list(v: &[String]) -> String {
    v.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")
}

/// Parse `2000-2011;2012-2023` into ranges.
pub fn parse_periods(s: &str) -> Result<Vec<m::common::YearRange>, EngineError> {
    s.split([';', ' '])
        .filter(|x| !x.is_empty())
        .map(|p| {
            let r: YearRange = p
                .parse()
                .map_err(|e: pivot_vocab::YearRangeError| EngineError::User(e.to_string()))?;
            let (a, b) = (r.from.unwrap_or(1000), r.to.unwrap_or(2999));
            Ok(m::common::YearRange::new(a, b)?)
        })
        .collect()
}

impl Engine {
    fn focal(&self, req: &MeasureRequest) -> Result<String, EngineError> {
        let f = req
            .focal
            .as_deref()
            .ok_or_else(|| EngineError::User(format!("measure {} needs --focal", req.name)))?;
        self.iso3(f)
    }

    fn years(req: &MeasureRequest) -> Result<YearRange, EngineError> {
        match &req.years {
            None => Ok(YearRange::ALL),
            Some(y) => y
                .parse()
                .map_err(|e: pivot_vocab::YearRangeError| EngineError::User(e.to_string())),
        }
    }

    /// The trade source to use: the `source=` parameter (`cow_trade`, `baci`, `comtrade`, or
    /// `cow_trade+baci`), else COW spliced with BACI when both are loaded (BACI for the years
    /// it covers, COW for the others), else BACI, else COW.
    pub fn trade_source(&self, req_source: Option<&str>) -> Result<String, EngineError> {
        let s = match req_source {
            Some(s) => s.to_string(),
            None if self.has_dataset("baci") && self.has_dataset("cow_trade") => SPLICED.into(),
            None if self.has_dataset("baci") => "baci".into(),
            None => "cow_trade".into(),
        };
        for id in s.split('+') {
            if !self.has_dataset(id) {
                return Err(EngineError::User(format!(
                    "trade source '{id}' is not loaded (see pivot data list; pivot data ingest baci PATH)"
                )));
            }
        }
        Ok(s)
    }

    /// Years with BACI trade in the store (asked once per engine; an ingest resets it).
    fn baci_years(&self) -> Result<Vec<i32>, EngineError> {
        #[derive(Deserialize)]
        struct Y {
            year: i32,
        }
        if let Some(y) = self.baci_years.lock().expect("no poisoned lock").as_ref() {
            return Ok(y.clone());
        }
        let years: Vec<i32> = self
            .rows::<Y>(
                "SELECT DISTINCT year FROM trade_dyad_year WHERE source = 'baci' ORDER BY year",
            )?
            .into_iter()
            .map(|y| y.year)
            .collect();
        *self.baci_years.lock().expect("no poisoned lock") = Some(years.clone());
        Ok(years)
    }

    /// Trade flows (all goods), current USD, for the source and years; only rows touching
    /// `touching` countries when given.
    pub fn trade_flows(
        &self,
        source: &str,
        years: &YearRange,
        touching: Option<&[String]>,
    ) -> Result<Vec<m::trade::TradeFlow>, EngineError> {
        // A few states' flows (what the measures ask for) are read once for all years and kept
        // until the next ingest; each measure then takes its years from them.
        let Some(touching) = touching else {
            return self.trade_flows_sql(source, years, None);
        };
        let key = format!("{source}|{touching:?}");
        let cached = self
            .trade_cache
            .lock()
            .expect("no poisoned lock")
            .get(&key)
            .cloned();
        let all = match cached {
            Some(all) => all,
            None => {
                let all = std::sync::Arc::new(self.trade_flows_sql(
                    source,
                    &YearRange::ALL,
                    Some(touching),
                )?);
                self.trade_cache
                    .lock()
                    .expect("no poisoned lock")
                    .insert(key, all.clone());
                all
            }
        };
        Ok(all
            .iter()
            .filter(|f| years.contains(f.year))
            .cloned()
            .collect())
    }

    fn trade_flows_sql(
        &self,
        source: &str,
        years: &YearRange,
        touching: Option<&[String]>,
    ) -> Result<Vec<m::trade::TradeFlow>, EngineError> {
        let touch = match touching {
            Some(c) => format!(
                "AND (exporter IN ({l}) OR importer IN ({l}))",
                l = in_list(c)
            ),
            None => String::new(),
        };
        // Product-level sources (BACI) are read from the dyad-year roll-up made at ingest;
        // aggregate sources (COW) from their all-goods rows.
        let select = |source: &str, extra: &str| {
            let (table, product) = if source == "baci" {
                ("trade_dyad_year", "TRUE")
            } else {
                ("trade_flows", "product = 'TOTAL'")
            };
            format!(
                "SELECT year, exporter, importer, SUM(value_usd_m) * 1e6 AS value FROM {table} \
                 WHERE source = {} AND {} AND {product} {extra} {touch} GROUP BY year, exporter, importer",
                quote(source),
                years.sql("year")
            )
        };
        let q = if source == SPLICED {
            let baci = self.baci_years()?;
            let not_baci = if baci.is_empty() {
                String::new()
            } else {
                format!(
                    "AND year NOT IN ({})",
                    baci.iter()
                        .map(i32::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                )
            };
            format!(
                "{} UNION ALL {}",
                select("baci", ""),
                select("cow_trade", &not_baci)
            )
        } else {
            select(source, "")
        };
        Ok(self
            .rows::<FlowRow>(&q)?
            .into_iter()
            .map(|r| m::trade::TradeFlow {
                year: r.year,
                exporter: r.exporter,
                importer: r.importer,
                value: r.value,
            })
            .collect())
    }

    /// Country-year indicator values.
    pub fn indicator(
        &self,
        indicator: &str,
        countries: &[String],
        years: &YearRange,
    ) -> Result<Vec<m::common::IndicatorValue>, EngineError> {
        let q = format!(
            "SELECT country, year, value FROM country_year WHERE indicator = {} AND country IN ({}) AND {} AND value IS NOT NULL ORDER BY year",
            quote(indicator),
            in_list(countries),
            years.sql("year")
        );
        Ok(self
            .rows::<IndRow>(&q)?
            .into_iter()
            .filter_map(|r| {
                r.value.map(|v| m::common::IndicatorValue {
                    country: r.country,
                    year: r.year,
                    value: v,
                })
            })
            .collect())
    }

    fn prov(&self, req: &MeasureRequest, tables: &[&str], source: Option<&str>) -> Provenance {
        let mut p = Provenance::new(req.name.clone());
        if let Some(f) = &req.focal {
            p = p.param("focal", f);
        }
        if !req.partners.is_empty() {
            p = p.param("partners", req.partners.join(","));
        }
        if let Some(y) = &req.years {
            p = p.param("years", y);
        }
        if let Some(b) = &req.by {
            p = p.param("by", b);
        }
        for (k, v) in &req.params {
            p = p.param(k, v);
        }
        for d in self.datasets_for(tables, source) {
            p = p.dataset(d);
        }
        if source == Some(SPLICED) {
            let years = self.baci_years().unwrap_or_default();
            p = p.param("source", SPLICED).note(format!(
                "Trade spliced: BACI for {}, COW v4.0 for the other years. The two differ in \
                 method (BACI reconciles exporter and importer reports; COW blends IMF DOTS \
                 figures), so expect a level break where they meet; add source=cow_trade or \
                 source=baci for one source only.",
                match (years.first(), years.last()) {
                    (Some(a), Some(b)) if a == b => a.to_string(),
                    (Some(a), Some(b)) => format!("{a}-{b} ({} years)", years.len()),
                    _ => "no year".to_string(),
                }
            ));
        }
        p
    }

    fn partners_sel(
        &self,
        req: &MeasureRequest,
    ) -> Result<m::common::PartnerSelection, EngineError> {
        Ok(if req.partners.is_empty() {
            m::common::PartnerSelection::All
        } else {
            m::common::PartnerSelection::Only(self.resolve_set(&req.partners)?)
        })
    }

    /// Compute a measure. Results are remembered for the life of the engine (until the next
    /// ingest), so the report's charts and its claims check compute each measure once.
    pub fn measure(&self, req: &MeasureRequest) -> Result<ResultTable, EngineError> {
        let key = format!("{req:?}");
        if let Some(t) = self
            .measure_cache
            .lock()
            .expect("no poisoned lock")
            .get(&key)
        {
            return Ok(t.clone());
        }
        let t = self.measure_uncached(req)?;
        let mut cache = self.measure_cache.lock().expect("no poisoned lock");
        if cache.len() >= MEASURE_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(key, t.clone());
        Ok(t)
    }

    fn measure_uncached(&self, req: &MeasureRequest) -> Result<ResultTable, EngineError> {
        let info = m::registry::find(&req.name).ok_or_else(|| {
            let names: Vec<&str> = m::registry::measures().iter().map(|i| i.name).collect();
            EngineError::User(format!(
                "unknown measure '{}'; measures: {}",
                req.name,
                names.join(", ")
            ))
        })?;
        let years = Self::years(req)?;
        let p = |k: &str| req.params.get(k).map(String::as_str);
        let direction = match p("direction").unwrap_or("total") {
            "total" => m::trade::FlowDirection::Total,
            "exports" => m::trade::FlowDirection::Exports,
            "imports" => m::trade::FlowDirection::Imports,
            d => {
                return Err(EngineError::User(format!(
                    "direction '{d}' must be total, exports or imports"
                )));
            }
        };
        let usd_note =
            "Trade values in current USD (COW million USD × 10⁶; BACI thousand USD × 10³).";
        match info.name {
            "partner-share" => {
                let focal = self.focal(req)?;
                let src = self.trade_source(p("source"))?;
                let flows = self.trade_flows(&src, &years, Some(std::slice::from_ref(&focal)))?;
                let mut rows = m::partner_share::partner_shares(
                    &flows,
                    &m::partner_share::PartnerShareConfig { focal, direction },
                )?;
                if let m::common::PartnerSelection::Only(list) = self.partners_sel(req)? {
                    rows.retain(|r| list.contains(&r.partner));
                }
                if let Some(top) = p("top").and_then(|t| t.parse::<u32>().ok()) {
                    rows.retain(|r| r.rank <= top);
                }
                table_from_rows(
                    &rows,
                    self.prov(req, &["trade_flows"], Some(&src)).note(usd_note),
                )
            }
            "product-composition" => {
                if !self.has_dataset("baci") {
                    return Err(EngineError::User("product-composition needs product-level trade: ingest BACI first (pivot data ingest baci PATH)".into()));
                }
                let focal = self.focal(req)?;
                // Exports unless asked otherwise: "what does the state sell".
                let direction = match p("direction") {
                    None => m::trade::FlowDirection::Exports,
                    Some(_) => direction,
                };
                let partners = match self.partners_sel(req)? {
                    m::common::PartnerSelection::Only(list) => list,
                    m::common::PartnerSelection::All => vec![],
                };
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
                    years.sql("year"),
                    f = quote(&focal)
                );
                let flows: Vec<m::product_composition::ChapterFlow> = self
                    .rows::<C>(&q)?
                    .into_iter()
                    .map(|c| m::product_composition::ChapterFlow {
                        year: c.year,
                        exporter: c.exporter,
                        importer: c.importer,
                        hs2: c.hs2,
                        value: c.value,
                    })
                    .collect();
                let mut rows = m::product_composition::product_composition(
                    &flows,
                    &m::product_composition::ProductCompositionConfig {
                        focal,
                        direction,
                        partners,
                    },
                )?;
                if let Some(top) = p("top").and_then(|t| t.parse::<u32>().ok()) {
                    rows.retain(|r| r.rank <= top);
                }
                table_from_rows(
                    &rows,
                    self.prov(req, &["trade_dyad_hs2"], Some("baci"))
                        .note(usd_note),
                )
            }
            "gdp-dependence" => {
                let focal = self.focal(req)?;
                let src = self.trade_source(p("source"))?;
                let partners = self.partners_sel(req)?;
                let mut who = vec![focal.clone()];
                if let m::common::PartnerSelection::Only(l) = &partners {
                    who.extend(l.iter().cloned());
                }
                let flows = self.trade_flows(&src, &years, Some(std::slice::from_ref(&focal)))?;
                let gdp = self.indicator("gdp_usd", &who, &years)?;
                let rows = m::gdp_dependence::gdp_dependence(
                    &flows,
                    &gdp,
                    &m::gdp_dependence::GdpDependenceConfig { focal, partners },
                )?;
                table_from_rows(
                    &rows,
                    self.prov(req, &["trade_flows", "country_year"], None)
                        .note(usd_note)
                        .note("GDP: World Bank WDI, current USD."),
                )
            }
            "barbieri-interdependence" => {
                let focal = self.focal(req)?;
                let src = self.trade_source(p("source"))?;
                let partners = self.partners_sel(req)?;
                let touching = match &partners {
                    m::common::PartnerSelection::Only(l) => {
                        Some([vec![focal.clone()], l.clone()].concat())
                    }
                    m::common::PartnerSelection::All => None,
                };
                let flows = self.trade_flows(&src, &years, touching.as_deref())?;
                let rows = m::barbieri::barbieri(
                    &flows,
                    &m::barbieri::BarbieriConfig { focal, partners },
                )?;
                table_from_rows(
                    &rows,
                    self.prov(req, &["trade_flows"], Some(&src)).note(usd_note),
                )
            }
            "trade-intensity" => {
                let focal = self.focal(req)?;
                let src = self.trade_source(p("source"))?;
                let flows = self.trade_flows(&src, &years, None)?;
                let rows = m::trade_intensity::trade_intensity(
                    &flows,
                    &m::trade_intensity::TradeIntensityConfig {
                        exporter: focal,
                        partners: self.partners_sel(req)?,
                    },
                )?;
                table_from_rows(
                    &rows,
                    self.prov(req, &["trade_flows"], Some(&src)).note(usd_note),
                )
            }
            "concentration" => {
                let focal = self.focal(req)?;
                let src = self.trade_source(p("source"))?;
                let flows = self.trade_flows(&src, &years, Some(std::slice::from_ref(&focal)))?;
                let rows = m::concentration::partner_concentration(
                    &flows,
                    &m::concentration::PartnerConcentrationConfig {
                        focal,
                        direction,
                        partners: self.partners_sel(req)?,
                    },
                )?;
                table_from_rows(
                    &rows,
                    self.prov(req, &["trade_flows"], Some(&src)).note(usd_note),
                )
            }
            "geodep" => {
                if !self.has_dataset("baci") {
                    return Err(EngineError::User("geodep needs product-level (HS6) trade: ingest BACI first (pivot data ingest baci PATH)".into()));
                }
                #[derive(Deserialize)]
                struct P {
                    year: i32,
                    exporter: String,
                    importer: String,
                    product: String,
                    value: f64,
                }
                let q = format!(
                    "SELECT year, exporter, importer, product, value_usd_m * 1e6 AS value FROM trade_flows WHERE source = 'baci' AND {}",
                    years.sql("year")
                );
                let flows: Vec<m::geodep::ProductFlow> = self
                    .rows::<P>(&q)?
                    .into_iter()
                    .map(|r| {
                        m::geodep::ProductFlow::new(
                            r.year,
                            &r.exporter,
                            &r.importer,
                            &r.product,
                            r.value,
                        )
                    })
                    .collect();
                let importers = match &req.focal {
                    Some(f) => m::common::PartnerSelection::Only(vec![self.iso3(f)?]),
                    None => m::common::PartnerSelection::All,
                };
                let cfg = m::geodep::GeoDepConfig {
                    importers,
                    ..Default::default()
                };
                let res = m::geodep::geodep(&flows, &cfg)?;
                table_from_rows(&res.windows, self.prov(req, &["trade_flows"], Some("baci")))
            }
            "energy-destinations" => {
                let focal = self.focal(req)?;
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
                    quote(&focal),
                    years.sql("year")
                );
                let rows = self.rows::<E>(&q)?;
                let asia_codes =
                    pivot_vocab::regions::members(self.countries(), "asia").unwrap_or_default();
                let mut asia: Vec<String> = Vec::new();
                let mut flows = Vec::new();
                for r in rows {
                    let name_is_asian = r.importer.contains("Asia")
                        || r.importer_iso3
                            .as_ref()
                            .is_some_and(|c| asia_codes.contains(c));
                    if name_is_asian && !asia.contains(&r.importer) {
                        asia.push(r.importer.clone());
                    }
                    flows.push(m::energy::EnergyFlow {
                        year: r.year,
                        exporter: focal.clone(),
                        importer: r.importer,
                        carrier: m::energy::Carrier::parse(&r.carrier)?,
                        volume: r.volume,
                        unit: r.unit,
                    });
                }
                if let Some(c) = p("carrier") {
                    let c = m::energy::Carrier::parse(c)?;
                    flows.retain(|f| f.carrier == c);
                }
                asia.sort();
                let res = m::energy::energy_destinations(
                    &flows,
                    &m::energy::EnergyConfig {
                        exporter: focal,
                        asia: asia.clone(),
                    },
                )?;
                let prov = self
                    .prov(req, &["energy_flows"], None)
                    .note(format!("Asia = importers in UN M49 Asia or named '…Asia…' by the publisher: {}.", asia.join(", ")))
                    .note("Volumes: oil in million tonnes, gas in billion cubic metres, coal in exajoules; 2022 missing.");
                if req.by.as_deref() == Some("destination") {
                    table_from_rows(&res.destinations, prov)
                } else {
                    table_from_rows(&res.asia, prov)
                }
            }
            "arms-shares" => {
                let focal = self.focal(req)?;
                let role = p("role").unwrap_or("supplier");
                let periods = parse_periods(p("periods").unwrap_or("2000-2011;2012-2023"))?;
                let by_cat = req.by.as_deref() == Some("category");
                let rows = self.arms_rows(&focal, role, by_cat)?;
                let cfg = m::arms::ArmsShareConfig {
                    periods,
                    categories: if by_cat {
                        m::arms::CategoryBreakdown::ByCategory
                    } else {
                        m::arms::CategoryBreakdown::Pooled
                    },
                };
                let mut out = if role == "recipient" {
                    m::arms::supplier_shares(&rows, &focal, &cfg)?
                } else {
                    m::arms::recipient_shares(&rows, &focal, &cfg)?
                };
                if let m::common::PartnerSelection::Only(list) = self.partners_sel(req)? {
                    out.retain(|r| {
                        list.contains(&r.recipient)
                            || list.contains(&r.supplier) && role == "recipient"
                    });
                }
                table_from_rows(
                    &out,
                    self.prov(
                        req,
                        &["arms_dyad_year", "arms_transfers"],
                        Some("sipri_arms"),
                    )
                    .note("TIV is SIPRI's volume index (millions), not money."),
                )
            }
            "un-alignment" => {
                let focal = self.focal(req)?;
                let partners = self.resolve_set(&req.partners)?;
                if partners.is_empty() {
                    return Err(EngineError::User("un-alignment needs --partners".into()));
                }
                let rows = self.un_alignment(
                    &focal,
                    &partners,
                    &years,
                    req.by.as_deref() == Some("issue"),
                    p("period") == Some("year"),
                )?;
                table_from_rows(
                    &rows,
                    self.prov(
                        req,
                        &["un_votes", "un_roll_calls", "un_issues"],
                        Some("un_votes"),
                    )
                    .note("Soviet votes (1946-1991) are Russia's."),
                )
            }
            "alliance-flags" => {
                let focal = self.focal(req)?;
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
                    years.sql("year"),
                    f = quote(&focal)
                );
                let recs: Vec<m::alliances::AllianceRecord> = self
                    .rows::<A>(&q)?
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
                    .collect();
                let fill = match (years.from, years.to) {
                    (Some(a), Some(b)) => Some(m::common::YearRange::new(a, b)?),
                    _ => None,
                };
                let rows = m::alliances::alliance_flags(
                    &recs,
                    &m::alliances::AllianceConfig {
                        focal,
                        partners: self.partners_sel(req)?,
                        fill_years: fill,
                    },
                )?;
                table_from_rows(&rows, self.prov(req, &["alliances"], Some("atop")))
            }
            "power-ratio" => {
                let a = self.focal(req)?;
                let b = self
                    .resolve_set(&req.partners)?
                    .into_iter()
                    .next()
                    .ok_or_else(|| EngineError::User("power-ratio needs --partner".into()))?;
                let ind = p("indicator").unwrap_or("gdp_usd");
                let vals = self.indicator(ind, &[a.clone(), b.clone()], &years)?;
                if vals.is_empty() {
                    return Err(EngineError::User(format!(
                        "no '{ind}' values for {a} or {b}; indicators: gdp_usd, population, cinc, milex_cow, milex_const2022_usd_m, milex_current_usd_m, milex_share_gdp"
                    )));
                }
                let rows =
                    m::power_ratio::power_ratio(&vals, &m::power_ratio::PowerRatioConfig { a, b })?;
                table_from_rows(
                    &rows,
                    self.prov(req, &["country_year"], None)
                        .note(format!("indicator: {ind}")),
                )
            }
            "official-finance" => {
                let focal = self.focal(req)?;
                let rows = self.finance_rows(&years)?;
                let basis = if p("basis") == Some("committed") {
                    m::finance::AmountBasis::Committed
                } else {
                    m::finance::AmountBasis::Adjusted
                };
                let res = m::finance::official_finance(
                    &rows,
                    &m::finance::FinanceConfig {
                        recipient: focal,
                        basis,
                    },
                )?;
                let prov = self
                    .prov(req, &["finance_flows"], Some("aiddata_gcdf"))
                    .note("Constant 2021 USD; commitments.");
                match req.by.as_deref() {
                    Some("class") => table_from_rows(&res.by_class, prov),
                    Some("cumulative") => table_from_rows(&res.cumulative, prov),
                    _ => table_from_rows(&res.annual, prov),
                }
            }
            "hedging-view" => {
                let focal = self.focal(req)?;
                let partners = if req.partners.is_empty() {
                    vec!["CHN", "IND", "JPN", "KOR", "VNM"]
                        .into_iter()
                        .map(String::from)
                        .collect()
                } else {
                    self.resolve_set(&req.partners)?
                };
                let (view, notes) = self.hedging(&focal, &partners, &years)?;
                let mut prov = self.prov(
                    req,
                    &["trade_flows", "energy_flows", "arms_dyad_year", "un_votes"],
                    None,
                );
                for n in notes {
                    prov = prov.note(n);
                }
                prov = prov.note(format!(
                    "Summary: dominant partners {}; same everywhere: {}; hedging index {}",
                    view.summary.dominant_partners.join("/"),
                    view.summary.same_dominant,
                    view.summary
                        .hedging_index
                        .map(|h| format!("{h:.3}"))
                        .unwrap_or_else(|| "n/a".into())
                ));
                table_from_rows(&view.dimensions, prov)
            }
            "event-profile" => {
                let filter = match &req.focal {
                    Some(f) => {
                        let f = self.iso3(f)?;
                        format!("AND (actor1 = {q} OR actor2 = {q})", q = quote(&f))
                    }
                    None => String::new(),
                };
                let q = format!(
                    "SELECT * FROM events WHERE actor1 IS NOT NULL AND actor2 IS NOT NULL {filter}"
                );
                let recs: Vec<m::events::EventRecord> = self
                    .rows::<pivot_sources::canonical::Event>(&q)?
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
                    .collect();
                if recs.is_empty() {
                    return Err(EngineError::User("no events loaded for this selection: ingest GDELT or ICEWS files first (pivot data ingest gdelt PATH)".into()));
                }
                let rows = m::events::event_profile(&recs, &m::events::EventConfig::default())?;
                table_from_rows(&rows, self.prov(req, &["events"], None))
            }
            other => Err(EngineError::Bug(format!(
                "measure {other} is registered but not wired in the engine"
            ))),
        }
    }

    fn arms_rows(
        &self,
        focal: &str,
        role: &str,
        by_category: bool,
    ) -> Result<Vec<m::arms::ArmsTransfer>, EngineError> {
        #[derive(Deserialize)]
        struct R {
            year: i32,
            supplier: String,
            recipient: String,
            category: Option<String>,
            tiv: f64,
        }
        let col = if role == "recipient" {
            "recipient_iso3"
        } else {
            "supplier_iso3"
        };
        let q = if by_category {
            format!(
                "SELECT delivery_year AS year, COALESCE(supplier_iso3, supplier) AS supplier, COALESCE(recipient_iso3, recipient) AS recipient, category, SUM(COALESCE(tiv_delivered, 0)) AS tiv \
                 FROM arms_transfers WHERE {col} = {} AND delivery_year IS NOT NULL GROUP BY 1, 2, 3, 4",
                quote(focal)
            )
        } else {
            format!(
                "SELECT year, COALESCE(supplier_iso3, supplier) AS supplier, COALESCE(recipient_iso3, recipient) AS recipient, CAST(NULL AS VARCHAR) AS category, tiv FROM arms_dyad_year WHERE {col} = {}",
                quote(focal)
            )
        };
        Ok(self
            .rows::<R>(&q)?
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

    fn finance_rows(&self, years: &YearRange) -> Result<Vec<m::finance::FinanceFlow>, EngineError> {
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
            years.sql("year")
        );
        self.rows::<F>(&q)?
            .into_iter()
            .map(|f| {
                let class = match f.flow_class.as_str() {
                    "oof_like" => m::finance::FinanceClass::OofLike,
                    "oda_like" => m::finance::FinanceClass::OdaLike,
                    "vague" => m::finance::FinanceClass::Vague,
                    _ => m::finance::FinanceClass::Investment,
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

    /// UN alignment of `focal` with `partners`.
    pub fn un_alignment(
        &self,
        focal: &str,
        partners: &[String],
        years: &YearRange,
        by_issue: bool,
        by_year: bool,
    ) -> Result<Vec<m::un_alignment::AlignmentRow>, EngineError> {
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
        let who = [vec![focal.to_string()], partners.to_vec()].concat();
        let votes: Vec<m::un_alignment::Vote> = self
            .rows::<V>(&format!(
                "SELECT v.rcid, v.country, v.vote FROM un_votes v JOIN un_roll_calls r ON v.rcid = r.rcid WHERE v.country IN ({}) AND {}",
                in_list(&who),
                years.sql("r.year")
            ))?
            .into_iter()
            .map(|v| Ok(m::un_alignment::Vote { rcid: v.rcid, country: v.country, vote: m::un_alignment::VoteChoice::parse(&v.vote)? }))
            .collect::<Result<_, EngineError>>()?;
        let calls: Vec<m::un_alignment::RollCall> = self
            .rows::<RC>(&format!(
                "SELECT rcid, session, year FROM un_roll_calls WHERE {}",
                years.sql("year")
            ))?
            .into_iter()
            .map(|r| m::un_alignment::RollCall {
                rcid: r.rcid,
                session: r.session,
                year: r.year,
            })
            .collect();
        let issues: Vec<m::un_alignment::RollCallIssue> = if by_issue {
            self.rows::<I>("SELECT rcid, issue FROM un_issues")?
                .into_iter()
                .map(|i| m::un_alignment::RollCallIssue {
                    rcid: i.rcid,
                    issue: i.issue,
                })
                .collect()
        } else {
            vec![]
        };
        let cfg = m::un_alignment::AlignmentConfig {
            focal: focal.to_string(),
            partners: partners.to_vec(),
            period: if by_year {
                m::un_alignment::AlignmentPeriod::Year
            } else {
                m::un_alignment::AlignmentPeriod::Session
            },
            issues: if by_issue {
                m::un_alignment::IssueBreakdown::ByIssue
            } else {
                m::un_alignment::IssueBreakdown::Pooled
            },
        };
        Ok(m::un_alignment::un_alignment(
            &votes, &calls, &issues, &cfg,
        )?)
    }

    /// The hedging view: per dimension, the focal state's values with each partner —
    /// trade (total trade, last year of the trade source in range), energy (crude oil exports,
    /// last energy year), arms (TIV delivered over the range), diplomacy (Voeten agreement over
    /// the last five sessions in range).
    pub fn hedging(
        &self,
        focal: &str,
        partners: &[String],
        years: &YearRange,
    ) -> Result<(m::hedging::HedgingView, Vec<String>), EngineError> {
        let mut values = Vec::new();
        let mut notes = Vec::new();
        let src = self.trade_source(None)?;
        let flows = self.trade_flows(&src, years, Some(&[focal.to_string()]))?;
        if let Some(last) = flows.iter().map(|f| f.year).max() {
            let mut by: HashMap<&str, f64> = HashMap::new();
            for f in flows.iter().filter(|f| f.year == last) {
                let other = if f.exporter == focal {
                    f.importer.as_str()
                } else if f.importer == focal {
                    f.exporter.as_str()
                } else {
                    continue;
                };
                *by.entry(other).or_default() += f.value;
            }
            for p in partners {
                values.push(m::hedging::HedgingValue {
                    dimension: Dimension::Trade,
                    partner: p.clone(),
                    value: by.get(p.as_str()).copied().unwrap_or(0.0),
                });
            }
            notes.push(format!(
                "trade: total trade with each partner in {last} ({src})"
            ));
        }
        #[derive(Deserialize)]
        struct E {
            importer_iso3: String,
            volume: f64,
        }
        #[derive(Deserialize)]
        struct Y {
            y: Option<i32>,
        }
        let last_energy = self.rows::<Y>(&format!(
            "SELECT MAX(year) AS y FROM energy_flows WHERE exporter_iso3 = {} AND {}",
            quote(focal),
            years.sql("year")
        ))?;
        if let Some(ly) = last_energy.first().and_then(|y| y.y) {
            let e = self.rows::<E>(&format!(
                "SELECT importer_iso3, SUM(volume) AS volume FROM energy_flows WHERE exporter_iso3 = {} AND year = {ly} AND carrier = 'crude_oil' AND importer_iso3 IS NOT NULL GROUP BY importer_iso3",
                quote(focal)
            ))?;
            for p in partners {
                let v = e
                    .iter()
                    .find(|x| &x.importer_iso3 == p)
                    .map(|x| x.volume)
                    .unwrap_or(0.0);
                values.push(m::hedging::HedgingValue {
                    dimension: Dimension::Energy,
                    partner: p.clone(),
                    value: v,
                });
            }
            notes.push(format!(
                "energy: crude oil exports (Mt) to each partner in {ly} (EI)"
            ));
        }
        #[derive(Deserialize)]
        struct T {
            recipient_iso3: String,
            tiv: f64,
        }
        let t = self.rows::<T>(&format!(
            "SELECT recipient_iso3, SUM(tiv) AS tiv FROM arms_dyad_year WHERE supplier_iso3 = {} AND recipient_iso3 IS NOT NULL AND {} GROUP BY recipient_iso3",
            quote(focal),
            years.sql("year")
        ))?;
        if !t.is_empty() {
            for p in partners {
                let v = t
                    .iter()
                    .find(|x| &x.recipient_iso3 == p)
                    .map(|x| x.tiv)
                    .unwrap_or(0.0);
                values.push(m::hedging::HedgingValue {
                    dimension: Dimension::Arms,
                    partner: p.clone(),
                    value: v,
                });
            }
            notes.push("arms: SIPRI TIV delivered to each partner over the years in range".into());
        }
        let al = self.un_alignment(focal, partners, years, false, false)?;
        if let Some(last) = al.iter().map(|r| r.period).max() {
            for p in partners {
                let rs: Vec<f64> = al
                    .iter()
                    .filter(|r| &r.partner == p && r.period > last - 5)
                    .map(|r| r.agreement)
                    .collect();
                let v = if rs.is_empty() {
                    0.0
                } else {
                    rs.iter().sum::<f64>() / rs.len() as f64
                };
                values.push(m::hedging::HedgingValue {
                    dimension: Dimension::Diplomacy,
                    partner: p.clone(),
                    value: v,
                });
            }
            notes.push(format!(
                "diplomacy: mean Voeten agreement over UNGA sessions {}-{last}",
                last - 4
            ));
        }
        let cfg = m::hedging::HedgingConfig::with_partners(partners.to_vec());
        Ok((m::hedging::hedging_view(focal, &values, &cfg)?, notes))
    }
}
