//! The canonical tables (PRODUCT.md §3): tidy, long, one row type each. Their Arrow schemas are
//! derived from the row types, so a table's columns are documented once, here.
//!
//! Units are in the column names where they matter: `value_usd_m` is million current US dollars
//! whatever the source (COW is already in millions; BACI's thousand USD are divided by 1,000).

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, FieldRef};
use arrow::record_batch::RecordBatch;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_arrow::schema::{SchemaLike, TracingOptions};

use crate::{SinkError, TableSink};

/// A row of a canonical table.
pub trait CanonicalRow: Serialize + DeserializeOwned {
    /// Table name, as in SQL.
    const TABLE: &'static str;
}

/// Arrow fields of a canonical row type (strings as `Utf8`).
pub fn fields<T: CanonicalRow>() -> Vec<FieldRef> {
    let traced = Vec::<FieldRef>::from_type::<T>(TracingOptions::default())
        .expect("canonical row types are traceable; this is a bug");
    traced
        .into_iter()
        .map(|f| match f.data_type() {
            DataType::LargeUtf8 => Arc::new(Field::new(f.name(), DataType::Utf8, f.is_nullable())),
            _ => f,
        })
        .collect()
}

/// Collects rows and pushes them to a sink in batches.
pub struct Batcher<T: CanonicalRow> {
    rows: Vec<T>,
    fields: Vec<FieldRef>,
    part: Option<String>,
    /// Rows pushed so far.
    pub total: u64,
}

const BATCH: usize = 65_536;

impl<T: CanonicalRow> Batcher<T> {
    /// A batcher for `T`'s table, optionally for a partition.
    pub fn new(part: Option<String>) -> Self {
        Batcher {
            rows: Vec::with_capacity(BATCH),
            fields: fields::<T>(),
            part,
            total: 0,
        }
    }

    /// Add a row, flushing a full batch.
    pub fn push(&mut self, row: T, sink: &mut dyn TableSink) -> Result<(), SinkError> {
        self.rows.push(row);
        if self.rows.len() >= BATCH {
            self.flush(sink)?;
        }
        Ok(())
    }

    /// Push what is buffered.
    pub fn flush(&mut self, sink: &mut dyn TableSink) -> Result<(), SinkError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let batch = to_batch(&self.fields, &self.rows)?;
        self.total += self.rows.len() as u64;
        self.rows.clear();
        sink.push(T::TABLE, self.part.as_deref(), batch)
    }
}

/// Convert rows to a record batch.
pub fn to_batch<T: CanonicalRow>(
    fields: &[FieldRef],
    rows: &[T],
) -> Result<RecordBatch, SinkError> {
    serde_arrow::to_record_batch(fields, &rows).map_err(|e| SinkError::Bug {
        table: T::TABLE.to_string(),
        message: e.to_string(),
    })
}

/// Rows of a record batch as `T`.
pub fn from_batch<T: CanonicalRow>(batch: &RecordBatch) -> Result<Vec<T>, String> {
    serde_arrow::from_record_batch(batch).map_err(|e| e.to_string())
}

macro_rules! table {
    ($(#[$m:meta])* $name:ident = $table:literal { $($(#[$fm:meta])* $f:ident : $t:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct $name { $($(#[$fm])* pub $f: $t),* }
        impl CanonicalRow for $name { const TABLE: &'static str = $table; }
    };
}

table! {
    /// `trade_flows`: one directed flow per year, exporter, importer and product.
    TradeFlow = "trade_flows" {
        /// Calendar year.
        year: i32,
        /// Exporter ISO3.
        exporter: String,
        /// Importer ISO3.
        importer: String,
        /// HS code as text (leading zeros kept) or `TOTAL` for all goods.
        product: String,
        /// Value in million current US dollars.
        value_usd_m: f64,
        /// Quantity in tonnes where known.
        quantity_t: Option<f64>,
        /// Dataset id (`cow_trade`, `baci`, `comtrade`).
        source: String,
        /// `importer-reported`, `exporter-reported`, `reconciled` or `cow-blend`.
        basis: String,
    }
}

table! {
    /// `energy_flows`: volumes by origin, destination and carrier (bp/EI trade movements).
    EnergyFlow = "energy_flows" {
        /// Data year.
        year: i32,
        /// Exporter as the publisher names it.
        exporter: String,
        /// Exporter ISO3 when it is a country.
        exporter_iso3: Option<String>,
        /// Importer as the publisher names it.
        importer: String,
        /// Importer ISO3 when it is a country.
        importer_iso3: Option<String>,
        /// The importer is an area (Europe, Other Asia Pacific …), not a country.
        importer_is_area: bool,
        /// `crude_oil`, `oil_products`, `lng`, `pipeline_gas` or `coal`.
        carrier: String,
        /// Volume in `unit`.
        volume: f64,
        /// `million tonnes`, `billion cubic metres` or `exajoules`.
        unit: String,
        /// Edition the row comes from.
        edition: String,
        /// Dataset id.
        source: String,
    }
}

table! {
    /// `un_ideal_points`: published UNGA ideal points (Bailey, Strezhnev & Voeten), one row per
    /// state, year and series.
    IdealPoint = "un_ideal_points" {
        /// ISO3 of the state.
        country: String,
        /// Calendar year in which the session opens (session + 1945).
        year: i32,
        /// `all` (every roll call), `fp` (the release's second series; the only one with 2024)
        /// or `legacy` (the first release's method).
        series: String,
        /// The ideal point: one dimension, the US-led liberal order at the high end.
        estimate: f64,
        /// 5 % quantile of the posterior (None for `legacy`).
        q5: Option<f64>,
        /// Median of the posterior (None for `legacy`).
        q50: Option<f64>,
        /// 95 % quantile of the posterior (None for `legacy`).
        q95: Option<f64>,
        /// Roll calls the estimate rests on.
        n_votes: Option<i64>,
        /// Dataset id.
        source: String,
    }
}

table! {
    /// `arms_transfers`: SIPRI deals, one row per deal and delivery year (or per deal for the
    /// older register layout, with `delivery_years` as written). TIV is a volume index, not money.
    ArmsTransfer = "arms_transfers" {
        /// SIPRI AT database id, where given.
        deal_id: Option<i64>,
        /// Supplier as SIPRI names it.
        supplier: String,
        /// Supplier ISO3 (None for non-state actors and organisations).
        supplier_iso3: Option<String>,
        /// Recipient as SIPRI names it.
        recipient: String,
        /// Recipient ISO3 (None for non-state actors and organisations).
        recipient_iso3: Option<String>,
        /// Weapon designation.
        designation: String,
        /// Weapon description.
        description: String,
        /// Armament category (Aircraft, Missiles …).
        category: Option<String>,
        /// Year of order.
        order_year: Option<i32>,
        /// Units delivered (in that year, or in total for the register layout).
        n_delivered: Option<f64>,
        /// Delivery year (None for the register layout).
        delivery_year: Option<i32>,
        /// Delivery years as written in the register layout.
        delivery_years: Option<String>,
        /// New / Second hand / …
        status: Option<String>,
        /// TIV per unit, millions.
        tiv_unit: Option<f64>,
        /// TIV delivered, millions.
        tiv_delivered: Option<f64>,
        /// SIPRI marked a value of this row as uncertain (`?`) or estimated.
        uncertain: bool,
        /// Dataset id.
        source: String,
    }
}

table! {
    /// `arms_dyad_year`: TIV delivered per supplier, recipient and year.
    ArmsDyadYear = "arms_dyad_year" {
        /// Supplier as SIPRI names it.
        supplier: String,
        /// Supplier ISO3.
        supplier_iso3: Option<String>,
        /// Recipient as SIPRI names it.
        recipient: String,
        /// Recipient ISO3.
        recipient_iso3: Option<String>,
        /// Delivery year.
        year: i32,
        /// TIV delivered, millions.
        tiv: f64,
        /// Distinct deals.
        n_deals: i64,
        /// Units delivered.
        n_items: f64,
        /// Dataset id.
        source: String,
    }
}

table! {
    /// `un_votes`: one country's vote on one roll call.
    UnVote = "un_votes" {
        /// Roll-call id.
        rcid: i64,
        /// Country ISO3 (RUS for the USSR too).
        country: String,
        /// Country name as in the source.
        country_name: String,
        /// `yes`, `abstain` or `no`.
        vote: String,
    }
}

table! {
    /// `un_roll_calls`: the roll calls.
    UnRollCall = "un_roll_calls" {
        /// Roll-call id.
        rcid: i64,
        /// UNGA session.
        session: i32,
        /// Year of the date (placeholder dates in session 1 included).
        year: i32,
        /// Date, YYYY-MM-DD.
        date: String,
        /// US State Department "important vote".
        important: bool,
        /// Resolution code.
        unres: String,
        /// Vote on an amendment.
        amend: bool,
        /// Vote on a paragraph.
        para: bool,
        /// Short title.
        short: String,
        /// Description.
        descr: String,
    }
}

table! {
    /// `un_issues`: issue tags of roll calls.
    UnIssue = "un_issues" {
        /// Roll-call id.
        rcid: i64,
        /// `me`, `nu`, `di`, `hr`, `co` or `ec`.
        short_name: String,
        /// Issue label.
        issue: String,
    }
}

table! {
    /// `alliances`: ATOP obligations per undirected dyad-year (`state_a` has the lower COW code).
    Alliance = "alliances" {
        /// Year.
        year: i32,
        /// ISO3 of the lower-COW-code member.
        state_a: String,
        /// ISO3 of the other member.
        state_b: String,
        /// COW code of `state_a`.
        cow_a: i32,
        /// COW code of `state_b`.
        cow_b: i32,
        /// Defence pact.
        defense: bool,
        /// Offence pact.
        offense: bool,
        /// Neutrality pact.
        neutral: bool,
        /// Non-aggression pact.
        nonagg: bool,
        /// Consultation pact.
        consul: bool,
    }
}

table! {
    /// `finance_flows`: official finance or investment from a lender to a recipient.
    FinanceFlow = "finance_flows" {
        /// Lender ISO3.
        lender: String,
        /// Recipient ISO3.
        recipient: String,
        /// Commitment year.
        year: i32,
        /// `oof_like`, `oda_like`, `vague` (AidData) or `investment`/`construction` (AEI).
        flow_class: String,
        /// Amount in `unit`.
        amount: f64,
        /// AidData adjusted amount (avoids double counting), where given.
        amount_adjusted: Option<f64>,
        /// `constant 2021 USD` (AidData) or `million current USD` (AEI).
        unit: String,
        /// Sector, where given.
        sector: Option<String>,
        /// Dataset id.
        source: String,
    }
}

table! {
    /// `country_year`: one indicator for one country and year.
    CountryYear = "country_year" {
        /// Country ISO3 (historical codes such as SUN for SIPRI's USSR rows).
        country: String,
        /// Year.
        year: i32,
        /// `gdp_usd`, `population`, `cinc`, `milex_const2022_usd_m` …
        indicator: String,
        /// Value (None where the source marks it unavailable).
        value: Option<f64>,
        /// Unit.
        unit: String,
        /// Source flag: `estimate`, `uncertain`, `unavailable`, `not_independent`.
        flag: Option<String>,
        /// Dataset id.
        source: String,
    }
}

table! {
    /// `events`: GDELT / ICEWS events between states.
    Event = "events" {
        /// Date, YYYY-MM-DD.
        date: String,
        /// Actor 1 country ISO3.
        actor1: Option<String>,
        /// Actor 2 country ISO3.
        actor2: Option<String>,
        /// CAMEO event code (text, leading zeros kept).
        cameo: String,
        /// QuadClass 1–4 (verbal/material cooperation/conflict).
        quad_class: i32,
        /// Goldstein scale.
        goldstein: Option<f64>,
        /// Number of mentions.
        mentions: Option<i64>,
        /// Average tone.
        tone: Option<f64>,
        /// Dataset id.
        source: String,
    }
}

table! {
    /// `agtpa_gravity`: the AGTPA book's gravity panel (69 countries, 1986–2006, domestic flows).
    AgtpaRow = "agtpa_gravity" {
        /// Exporter (AGTPA codes: ROM is Romania).
        exporter: String,
        /// Importer.
        importer: String,
        /// Symmetric pair id.
        pair_id: i64,
        /// Year.
        year: i32,
        /// Trade, million current USD.
        trade: f64,
        /// Population-weighted distance, km.
        dist: f64,
        /// Contiguity.
        cntg: i32,
        /// Common official language.
        lang: i32,
        /// Colonial tie.
        clny: i32,
        /// Regional trade agreement.
        rta: i32,
        /// RTA lagged 3 years.
        rta_lag3: i32,
        /// RTA lagged 4 years.
        rta_lag4: i32,
        /// RTA lagged 6 years.
        rta_lag6: i32,
        /// RTA lagged 8 years.
        rta_lag8: i32,
        /// RTA lagged 9 years.
        rta_lag9: i32,
        /// RTA lagged 12 years.
        rta_lag12: i32,
        /// RTA lead 4 years.
        rta_lead4: i32,
    }
}

table! {
    /// `countries`: pivot's country table with every code.
    CountryRow = "countries" {
        /// ISO3 (or documented historical/pivot code).
        iso3: String,
        /// ISO2.
        iso2: Option<String>,
        /// ISO numeric / M49.
        m49: Option<i32>,
        /// COW codes, comma-separated.
        cow: Option<String>,
        /// Gleditsch–Ward codes, comma-separated.
        gw: Option<String>,
        /// Common name.
        name: String,
        /// Official name.
        official_name: String,
        /// UN region.
        region: String,
        /// UN subregion.
        subregion: String,
        /// state / territory / historical / area.
        kind: String,
        /// First year (historical entities).
        start_year: Option<i32>,
        /// Last year (historical entities).
        end_year: Option<i32>,
        /// Centroid latitude.
        lat: Option<f64>,
        /// Centroid longitude.
        lng: Option<f64>,
    }
}

table! {
    /// `trade_dyad_year`: all-goods trade per year, exporter and importer, rolled up at ingest
    /// from a product-level source (BACI): the sum over HS6 lines of `trade_flows`.
    TradeDyadYear = "trade_dyad_year" {
        /// Calendar year.
        year: i32,
        /// Exporter ISO3.
        exporter: String,
        /// Importer ISO3.
        importer: String,
        /// Value in million current US dollars (sum over products).
        value_usd_m: f64,
        /// Number of product lines summed.
        products: i64,
        /// Dataset id (`baci`).
        source: String,
    }
}

table! {
    /// `trade_dyad_hs2`: trade per year, exporter, importer and HS chapter (first two digits of
    /// the HS6 code), rolled up at ingest from a product-level source (BACI).
    TradeDyadHs2 = "trade_dyad_hs2" {
        /// Calendar year.
        year: i32,
        /// Exporter ISO3.
        exporter: String,
        /// Importer ISO3.
        importer: String,
        /// HS chapter, two digits with the leading zero (`01` … `99`).
        hs2: String,
        /// Value in million current US dollars (sum over the chapter's HS6 lines).
        value_usd_m: f64,
        /// Dataset id (`baci`).
        source: String,
    }
}

table! {
    /// `products`: HS6 product codes with descriptions.
    Product = "products" {
        /// HS6 code as text.
        code: String,
        /// HS chapter (first two digits).
        chapter: String,
        /// Description.
        description: String,
        /// Nomenclature, e.g. `HS2017`.
        nomenclature: String,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_use_utf8_and_nullability_from_option() {
        let f = fields::<TradeFlow>();
        assert_eq!(f[1].name(), "exporter");
        assert_eq!(f[1].data_type(), &DataType::Utf8);
        assert!(!f[1].is_nullable());
        assert_eq!(f[5].name(), "quantity_t");
        assert!(f[5].is_nullable());
        assert_eq!(f[0].data_type(), &DataType::Int32);
    }

    #[test]
    fn rows_round_trip_through_arrow() {
        let rows = vec![TradeFlow {
            year: 2014,
            exporter: "CHN".into(),
            importer: "RUS".into(),
            product: "TOTAL".into(),
            value_usd_m: 51135.0,
            quantity_t: None,
            source: "cow_trade".into(),
            basis: "cow-blend".into(),
        }];
        let b = to_batch(&fields::<TradeFlow>(), &rows).unwrap();
        assert_eq!(from_batch::<TradeFlow>(&b).unwrap(), rows);
    }
}
