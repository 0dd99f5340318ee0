//! The trade series' own vocabulary, shared by the measures' data layer, the notes on trade
//! answers, gravity panels and the report: which sources are spliced in which order, a flow
//! with the source it came from, and how a source is named.

use serde::Deserialize;

/// Where sources overlap in the spliced series, the first wins: BACI (reconciled exporter and
/// importer reports, product detail, when a user ingested it), then BACI's totals per pair
/// (the same reconciliation, bundled for 2012–2023), then IMF DOTS (exporter-reported, newer
/// than COW), then COW. BACI totals winning 2012–2014 over COW keeps the years around the 2014
/// sanctions in one source: the step from COW to BACI falls at 2011/2012, not at 2014/2015.
pub(crate) const SPLICE_ORDER: [&str; 4] = ["baci", "baci_totals", "imf_dots", "cow_trade"];

/// A trade flow with the dataset it came from.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SourcedFlow {
    pub(crate) year: i32,
    pub(crate) exporter: String,
    pub(crate) importer: String,
    pub(crate) value: f64,
    pub(crate) src: String,
}

/// Where a trade source's all-goods flows are: product-level sources (BACI) in the dyad-year
/// roll-up made at ingest, aggregate sources (COW, IMF DOTS, BACI totals) in their `TOTAL`
/// rows of `trade_flows`. (table, condition on the product).
pub(crate) fn all_goods(id: &str) -> (&'static str, &'static str) {
    if id == "baci" {
        ("trade_dyad_year", "TRUE")
    } else {
        ("trade_flows", "product = 'TOTAL'")
    }
}

/// A SQL string literal.
pub(crate) fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A trade source as notes and the report name it; COW with the version the store holds (a
/// user's COW file is not v4.0).
pub(crate) fn title(manifest: &pivot_store::Manifest, id: &str) -> String {
    match id {
        "cow_trade" => match manifest.datasets.get(id) {
            Some(d) if d.bundled => format!("COW {}", d.version),
            _ => "COW".to_string(),
        },
        "imf_dots" => "IMF DOTS".into(),
        "baci" => "BACI".into(),
        "baci_totals" => "BACI totals".into(),
        "comtrade" => "UN Comtrade".into(),
        _ => "another source".into(),
    }
}
