//! The report's "Limits": what the data loaded cannot say, from the store's manifest (titles,
//! versions and years as ingested) and the sections' own failures — never from text written
//! for the bundled copies.

use pivot_store::Manifest;

use super::ctx::Ctx;

/// Trade datasets: described together, by how they are spliced.
const TRADE: [&str; 5] = ["baci", "baci_totals", "imf_dots", "cow_trade", "comtrade"];

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
    let loaded: Vec<String> = crate::trade_series::SPLICE_ORDER
        .iter()
        .filter_map(|id| {
            m.datasets.get(*id).map(|d| {
                format!(
                    "{} ({}; rows dated {})",
                    crate::trade_notes::title(m, id),
                    d.version,
                    years(m, id)
                )
            })
        })
        .collect();
    if loaded.is_empty() {
        return "Dyadic trade: no trade dataset is loaded (pivot data ingest baci PATH adds BACI)."
            .into();
    }
    let mut s = format!(
        "Dyadic trade is spliced from {}, the first winning where they overlap. They differ in method (COW blends importer- and exporter-reported figures, mostly CIF; IMF DOTS is exporter-reported FOB; BACI reconciles both, FOB), so expect level breaks where one meets the next: the trade section measures each on the years both sources hold (a measure with source=cow_trade, imf_dots, baci_totals or baci uses one source only). Years no source covers are missing, never interpolated; pivot data ingest baci PATH adds BACI's years.",
        loaded.join(", then ")
    );
    if m.datasets.contains_key("baci_totals") {
        s.push_str(" BACI totals leave out the pairs with no report in the release: totals of those years are understated and shares are of the reported total; the trade section and each answer's provenance name the partners that vanish against the years before.");
    }
    if m.datasets
        .get("baci")
        .is_some_and(|b| b.title.contains("SYNTHETIC"))
    {
        s.push_str(" THE LOADED BACI DATA ARE SYNTHETIC (generated for tests and benchmarks): these trade numbers are not real.");
    }
    s
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
