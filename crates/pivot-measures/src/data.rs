//! What a measure may ask for: the rows of the canonical tables, as plain types, through one
//! trait. The engine implements it over the store (SQL); [`MemoryData`] implements it over
//! vectors, so a measure's whole logic — which rows, which partners, which years — is tested
//! here without a store.
//!
//! A loader returns rows or a [`MeasureError`]; data the store does not hold is
//! [`MeasureError::MissingData`], naming the dataset to ingest.

use crate::common::{IndicatorValue, PartnerSelection};
use crate::error::{MeasureError, Result};
use crate::params::Years;
use crate::records::{
    AllianceRecord, ArmsTransfer, ChapterFlow, EnergyFlow, EventRecord, FinanceFlow,
    IdealPointRecord, ProductFlow, ProductPanel, RollCall, RollCallIssue, Vote,
};
use crate::trade::TradeFlow;

/// Which trade series a trade measure reads.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TradeSource {
    /// One series across sources: product-level BACI for the years a user ingested, then BACI's
    /// totals per pair (2012–2023 bundled), then IMF DOTS, then COW (the provenance says which
    /// source gave which years and the level breaks where they meet).
    #[default]
    Spliced,
    /// COW Dyadic Trade only.
    CowTrade,
    /// IMF DOTS exports only (exporter-reported).
    ImfDots,
    /// BACI only, product level (when ingested).
    Baci,
    /// BACI's totals per exporter, importer and year only (bundled, 2012–2023).
    BaciTotals,
    /// UN Comtrade only (when ingested).
    Comtrade,
}

impl TradeSource {
    /// The dataset id (`spliced` for the spliced series): the one mapping from a trade source
    /// to its dataset.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spliced => "spliced",
            Self::CowTrade => "cow_trade",
            Self::ImfDots => "imf_dots",
            Self::Baci => "baci",
            Self::BaciTotals => "baci_totals",
            Self::Comtrade => "comtrade",
        }
    }
}

/// A request for trade flows (all goods, current USD).
#[derive(Debug, Clone, PartialEq)]
pub struct TradeQuery {
    /// Which series.
    pub source: TradeSource,
    /// Which years.
    pub years: Years,
    /// Only flows with one of these states as exporter or importer; `None` for every flow.
    pub touching: Option<Vec<String>>,
}

/// An energy export with the importer's ISO3 code where the publisher's label is a country.
#[derive(Debug, Clone, PartialEq)]
pub struct EnergyExport {
    /// The flow (importer is the publisher's label: a country or an area).
    pub flow: EnergyFlow,
    /// ISO3 of the importer, `None` for areas ("Other Asia Pacific").
    pub importer_iso3: Option<String>,
}

/// Which side of an arms transfer the focal state is on.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ArmsRole {
    /// The focal state supplies: shares of its recipients.
    #[default]
    Supplier,
    /// The focal state receives: shares of its suppliers.
    Recipient,
}

/// UN General Assembly votes of some states with their roll calls.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnVotes {
    /// Votes of the states asked for.
    pub votes: Vec<Vote>,
    /// Roll calls in the years asked for.
    pub calls: Vec<RollCall>,
    /// Issue codes of roll calls (empty unless asked for).
    pub issues: Vec<RollCallIssue>,
}

/// The rows a measure can ask for. Every method filters as its arguments say; none resolves
/// country names (codes are ISO3 already).
pub trait Data {
    /// Trade flows, all goods, current USD.
    fn trade_flows(&self, q: &TradeQuery) -> Result<Vec<TradeFlow>>;
    /// HS-chapter trade of a state (BACI roll-up), current USD.
    fn chapter_flows(&self, focal: &str, years: &Years) -> Result<Vec<ChapterFlow>>;
    /// HS6 trade (BACI), current USD, as GeoDep reads it: the flows into the selected
    /// importers, and every exporter's exports of each product to all other states (for world
    /// shares and the importer's own exports).
    fn product_panel(&self, years: &Years, importers: &PartnerSelection) -> Result<ProductPanel>;
    /// A country-year indicator (`gdp_usd`, `cinc`, `milex_const2022_usd_m` …).
    fn indicator(
        &self,
        indicator: &str,
        countries: &[String],
        years: &Years,
    ) -> Result<Vec<IndicatorValue>>;
    /// Energy exports of a state to every destination (domestic rows excluded).
    fn energy_exports(&self, exporter: &str, years: &Years) -> Result<Vec<EnergyExport>>;
    /// Arms transfers with the focal state on one side, TIV; per weapon category when asked.
    fn arms(&self, focal: &str, role: ArmsRole, by_category: bool) -> Result<Vec<ArmsTransfer>>;
    /// UN votes of `countries` on roll calls in `years`, with issues when asked; an empty
    /// `countries` means every country (the ideal-point estimate reads every state's votes).
    fn un_votes(&self, countries: &[String], years: &Years, issues: bool) -> Result<UnVotes>;
    /// ATOP alliance records with the focal state on one side.
    fn alliances(&self, focal: &str, years: &Years) -> Result<Vec<AllianceRecord>>;
    /// Every arms transfer dyad-year in `years` (SIPRI TIV delivered, categories pooled), for
    /// measures that need each state's total arms trade.
    fn arms_dyads(&self, years: &Years) -> Result<Vec<ArmsTransfer>>;
    /// Every ATOP alliance record in `years`, for measures that need each state's allies.
    fn alliance_dyads(&self, years: &Years) -> Result<Vec<AllianceRecord>>;
    /// Chinese official finance to every recipient (AidData GCDF).
    fn finance(&self, years: &Years) -> Result<Vec<FinanceFlow>>;
    /// Event records (GDELT, ICEWS), those with the focal state as an actor when given.
    fn events(&self, focal: Option<&str>, years: &Years) -> Result<Vec<EventRecord>>;
    /// Published UNGA ideal points (Bailey, Strezhnev & Voeten) of `countries` in `years`,
    /// every series.
    fn ideal_points(&self, countries: &[String], years: &Years) -> Result<Vec<IdealPointRecord>>;
    /// Record a caveat about the rows served (the engine adds it to the provenance).
    fn note(&self, _note: String) {}
}

/// [`Data`] over vectors: for tests and for callers that hold rows already.
#[derive(Debug, Clone, Default)]
pub struct MemoryData {
    /// Trade flows (any source: the query's source is ignored).
    pub trade: Vec<TradeFlow>,
    /// HS-chapter flows.
    pub chapters: Vec<ChapterFlow>,
    /// HS6 flows.
    pub products: Vec<ProductFlow>,
    /// Indicator values by indicator name.
    pub indicators: Vec<(String, IndicatorValue)>,
    /// Energy exports.
    pub energy: Vec<EnergyExport>,
    /// Arms transfers (pooled; `category` is kept for by-category requests).
    pub arms: Vec<ArmsTransfer>,
    /// UN votes.
    pub votes: UnVotes,
    /// Alliance records.
    pub alliances: Vec<AllianceRecord>,
    /// Finance flows.
    pub finance: Vec<FinanceFlow>,
    /// Events.
    pub events: Vec<EventRecord>,
    /// Published ideal points.
    pub ideal_points: Vec<IdealPointRecord>,
}

impl Data for MemoryData {
    fn ideal_points(&self, countries: &[String], years: &Years) -> Result<Vec<IdealPointRecord>> {
        if self.ideal_points.is_empty() {
            return Err(MeasureError::MissingData {
                what: "published UN ideal points".into(),
                hint: "ingest them first (pivot data ingest bsv-ideal-points PATH)".into(),
            });
        }
        Ok(self
            .ideal_points
            .iter()
            .filter(|r| years.contains(r.year) && countries.contains(&r.country))
            .cloned()
            .collect())
    }
    fn trade_flows(&self, q: &TradeQuery) -> Result<Vec<TradeFlow>> {
        Ok(self
            .trade
            .iter()
            .filter(|f| q.years.contains(f.year))
            .filter(|f| {
                q.touching
                    .as_ref()
                    .is_none_or(|t| t.iter().any(|c| *c == f.exporter || *c == f.importer))
            })
            .cloned()
            .collect())
    }
    fn chapter_flows(&self, focal: &str, years: &Years) -> Result<Vec<ChapterFlow>> {
        if self.chapters.is_empty() {
            return Err(MeasureError::MissingData {
                what: "product-level trade".into(),
                hint: "ingest BACI first (pivot data ingest baci PATH)".into(),
            });
        }
        Ok(self
            .chapters
            .iter()
            .filter(|c| years.contains(c.year) && (c.exporter == focal || c.importer == focal))
            .cloned()
            .collect())
    }
    fn product_panel(&self, years: &Years, importers: &PartnerSelection) -> Result<ProductPanel> {
        let rows: Vec<ProductFlow> = self
            .products
            .iter()
            .filter(|p| years.contains(p.year))
            .cloned()
            .collect();
        ProductPanel::from_flows(&rows, importers)
    }
    fn indicator(
        &self,
        indicator: &str,
        countries: &[String],
        years: &Years,
    ) -> Result<Vec<IndicatorValue>> {
        Ok(self
            .indicators
            .iter()
            .filter(|(n, v)| {
                n == indicator && countries.contains(&v.country) && years.contains(v.year)
            })
            .map(|(_, v)| v.clone())
            .collect())
    }
    fn energy_exports(&self, exporter: &str, years: &Years) -> Result<Vec<EnergyExport>> {
        Ok(self
            .energy
            .iter()
            .filter(|e| e.flow.exporter == exporter && years.contains(e.flow.year))
            .cloned()
            .collect())
    }
    fn arms(&self, focal: &str, role: ArmsRole, by_category: bool) -> Result<Vec<ArmsTransfer>> {
        Ok(self
            .arms
            .iter()
            .filter(|a| match role {
                ArmsRole::Supplier => a.supplier == focal,
                ArmsRole::Recipient => a.recipient == focal,
            })
            .map(|a| ArmsTransfer {
                category: if by_category {
                    a.category.clone()
                } else {
                    None
                },
                ..a.clone()
            })
            .collect())
    }
    fn un_votes(&self, countries: &[String], years: &Years, issues: bool) -> Result<UnVotes> {
        let calls: Vec<RollCall> = self
            .votes
            .calls
            .iter()
            .filter(|c| years.contains(c.year))
            .cloned()
            .collect();
        let ids: std::collections::HashSet<i64> = calls.iter().map(|c| c.rcid).collect();
        Ok(UnVotes {
            votes: self
                .votes
                .votes
                .iter()
                .filter(|v| {
                    ids.contains(&v.rcid)
                        && (countries.is_empty() || countries.contains(&v.country))
                })
                .cloned()
                .collect(),
            calls,
            issues: if issues {
                self.votes.issues.clone()
            } else {
                vec![]
            },
        })
    }
    fn alliances(&self, focal: &str, years: &Years) -> Result<Vec<AllianceRecord>> {
        Ok(self
            .alliances
            .iter()
            .filter(|a| years.contains(a.year) && (a.state_a == focal || a.state_b == focal))
            .cloned()
            .collect())
    }
    fn arms_dyads(&self, years: &Years) -> Result<Vec<ArmsTransfer>> {
        Ok(self
            .arms
            .iter()
            .filter(|a| years.contains(a.year))
            .map(|a| ArmsTransfer {
                category: None,
                ..a.clone()
            })
            .collect())
    }
    fn alliance_dyads(&self, years: &Years) -> Result<Vec<AllianceRecord>> {
        Ok(self
            .alliances
            .iter()
            .filter(|a| years.contains(a.year))
            .cloned()
            .collect())
    }
    fn finance(&self, years: &Years) -> Result<Vec<FinanceFlow>> {
        Ok(self
            .finance
            .iter()
            .filter(|f| years.contains(f.year))
            .cloned()
            .collect())
    }
    fn events(&self, focal: Option<&str>, years: &Years) -> Result<Vec<EventRecord>> {
        Ok(self
            .events
            .iter()
            .filter(|e| years.contains(e.year))
            .filter(|e| focal.is_none_or(|f| e.actor1 == f || e.actor2 == f))
            .cloned()
            .collect())
    }
}
