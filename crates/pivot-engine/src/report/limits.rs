//! The report's "Limits": what the data loaded cannot say, from the store's manifest (titles,
//! versions and years as ingested) and the sections' own failures — never from text written
//! for the bundled copies.

use pivot_store::Manifest;

use super::ctx::Ctx;

/// Trade datasets: described together, by how they are spliced.
const TRADE: [&str; 4] = ["baci", "imf_dots", "cow_trade", "comtrade"];

/// What a reader must know of a dataset beyond its version and years: how it counts.
fn caveat(id: &str) -> Option<&'static str> {
    Some(match id {
        "ei_energy" => "oil and coal destinations are the publisher's areas, not countries",
        "sipri_arms" => "TIV is a volume index, not money",
        "un_votes" => "Soviet votes are recorded as Russia's",
        "sipri_milex" => "USSR and Russia are separate series; Chinese values are SIPRI estimates",
        "aiddata_gcdf" => "commitments of Chinese official finance, not disbursements and not FDI",
        "cow_nmc" => "CINC is a state's share of world material capabilities",
        "wb_wdi" => "GDP in current USD",
        "atop" => "alliance obligations as signed, not their use",
        _ => return None,
    })
}

fn years(m: &Manifest, id: &str) -> String {
    m.datasets
        .get(id)
        .and_then(|d| d.years)
        .map(|(a, b)| format!("{a}-{b}"))
        .unwrap_or_else(|| "no years".into())
}

/// How trade is spliced from what the store holds.
fn trade(m: &Manifest) -> String {
    let cow = m.datasets.get("cow_trade").map(|d| {
        format!(
            "COW {} ({})",
            d.version,
            d.years.map(|(a, b)| format!("{a}-{b}")).unwrap_or_default()
        )
    });
    let cow = cow.unwrap_or_else(|| "no COW trade data".into());
    if let Some(b) = m.datasets.get("baci") {
        return format!(
            "Trade charts and the trade measures use the ingested BACI data ({}, {}) for the years it covers and {cow} for the others: the two differ in method, so expect a level break where they meet (a measure with source=cow_trade or source=baci uses one source only).{}",
            b.version,
            years(m, "baci"),
            if b.title.contains("SYNTHETIC") {
                " THE LOADED BACI DATA ARE SYNTHETIC (generated for tests and benchmarks): these trade numbers are not real."
            } else {
                ""
            }
        );
    }
    if let Some(d) = m.datasets.get("imf_dots") {
        return format!(
            "Dyadic trade: {cow}, then IMF DOTS exports FOB ({}, {}): exporter-reported, so a state's imports are its partners' reported exports, and a level break against COW's importer-based blend. Years in neither are missing; BACI fills them: pivot data ingest baci PATH, and pivot report then uses BACI for the years it covers.",
            d.version,
            years(m, "imf_dots")
        );
    }
    format!(
        "Dyadic trade: {cow} only: shares after its last year need BACI or Comtrade (pivot data ingest baci PATH; pivot report then uses BACI for the years it covers)."
    )
}

/// The lines of "Limits": trade's splice, then each other dataset the report drew on (title,
/// version as ingested, years, how it counts), then what could not be shown and why.
pub(super) fn limits(c: &Ctx) -> Vec<String> {
    let m = c.e.manifest();
    let mut out = vec![trade(m)];
    for id in &c.used {
        if TRADE.contains(&id.as_str()) {
            continue;
        }
        let Some(d) = m.datasets.get(id) else {
            continue;
        };
        let mut line = format!(
            "{}: {}; rows in the store dated {}",
            d.title,
            d.version,
            years(m, id)
        );
        if let Some(c) = caveat(id) {
            line.push_str(&format!("; {c}"));
        }
        line.push('.');
        out.push(line);
    }
    for why in &c.missing {
        out.push(format!("Not shown: {why}"));
    }
    out
}
