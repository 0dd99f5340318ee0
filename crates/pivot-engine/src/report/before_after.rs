//! Before and after 2014 and 2022: one row per dimension (trade shares, energy to Asia, arms
//! recipients, ideal-point distance, Chinese official finance), one column per window, each
//! cell the mean (or sum) over the years of the window that have data, naming those years and
//! the source; "no data" where there is none — never an interpolation.

use std::collections::BTreeSet;

use pivot_measures::arms::ArmsShares;
use pivot_measures::energy::Carrier;
use pivot_measures::energy_asia::EnergyAsiaShare;
use pivot_measures::finance::OfficialFinance;
use pivot_measures::ideal_point_distance::{IdealPointDistance, IdealSeries};
use pivot_measures::partner_share::PartnerShare;
use pivot_report::{Block, Cell, Section, Table};
use pivot_vocab::Provenance;

use super::ctx::{Ctx, name};

/// The windows: before the 2014 sanctions, between 2014 and 2022, from 2022.
const WINDOWS: [(i32, i32, &str); 3] = [
    (2011, 2013, "Before 2014 (2011-2013)"),
    (2014, 2021, "2014-2021"),
    (2022, 2024, "From 2022"),
];

pub(super) fn section(c: &mut Ctx) -> Section {
    Section {
        id: "before-after".into(),
        heading: "Before and after 2014 and 2022".into(),
        blocks: blocks(c),
    }
}

/// A dataset as a cell names it.
fn short(id: &str) -> &str {
    match id {
        "cow_trade" => "COW",
        "baci_totals" => "BACI totals",
        "baci" => "BACI",
        "imf_dots" => "IMF DOTS",
        "comtrade" => "UN Comtrade",
        "ei_energy" => "Energy Institute",
        "sipri_arms" => "SIPRI",
        "un_ideal_points" => "BSV ideal points",
        "aiddata_gcdf" => "AidData",
        other => other,
    }
}

/// One cell: the value formatted, the years that gave it and their sources; "no data" when no
/// year of the window has one.
fn cell(values: &[(i32, f64)], sources: &str, fmt: &dyn Fn(f64) -> String, sum: bool) -> Cell {
    if values.is_empty() {
        return Cell::text("no data");
    }
    let total: f64 = values.iter().map(|(_, v)| v).sum();
    let v = if sum {
        total
    } else {
        total / values.len() as f64
    };
    Cell::text(format!(
        "{} ({}; {sources})",
        fmt(v),
        pivot_vocab::year_runs(values.iter().map(|(y, _)| *y))
    ))
}

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

/// The dataset ids of an answer's provenance, as a cell names them.
fn sources_of(p: &Provenance) -> String {
    p.datasets
        .iter()
        .map(|d| short(&d.id).to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
        .join(", ")
}

fn blocks(c: &mut Ctx) -> Vec<Block> {
    let focal = c.focal.clone();
    let fname = c.fname.clone();
    let other = c
        .partners
        .iter()
        .find(|p| **p != c.highlight)
        .cloned()
        .unwrap_or_default();
    let mut rows: Vec<Vec<Cell>> = vec![];
    let mut provs: Vec<Provenance> = vec![];
    let years = |w: (i32, i32)| w.0..=w.1;

    // Trade shares: the year's own source (the spliced series changes source in 2012).
    let year_src = c.e.year_sources(&focal).unwrap_or_default();
    let manifest = c.e.manifest();
    if let Ok(a) = c.run::<PartnerShare>(
        "partner-share",
        &fname,
        c.params::<PartnerShare>(&focal, &[]),
    ) {
        for p in [c.highlight.clone(), other.clone()]
            .into_iter()
            .filter(|p| !p.is_empty())
        {
            let mut row = vec![
                Cell::text("Trade"),
                Cell::text(format!("{}'s share of {fname}'s trade", name(&p))),
            ];
            for (a0, a1, _) in WINDOWS {
                let vals: Vec<(i32, f64)> = a
                    .rows
                    .iter()
                    .filter(|r| r.partner == p && years((a0, a1)).contains(&r.year))
                    .map(|r| (r.year, r.share))
                    .collect();
                let src: BTreeSet<String> = vals
                    .iter()
                    .filter_map(|(y, _)| year_src.get(y))
                    .map(|id| crate::trade_notes::title(manifest, id))
                    .collect();
                row.push(cell(
                    &vals,
                    &src.into_iter().collect::<Vec<_>>().join(", "),
                    &pct,
                    false,
                ));
            }
            rows.push(row);
        }
        provs.push(a.provenance);
    }

    // Energy: Asia's share of crude and pipeline-gas exports.
    if let Ok(a) = c.run::<EnergyAsiaShare>(
        "energy-asia-share",
        &fname,
        c.params::<EnergyAsiaShare>(&focal, &[]),
    ) {
        let src = sources_of(&a.provenance);
        for (carrier, label) in [
            (Carrier::CrudeOil, "Asia's share of its crude exports"),
            (
                Carrier::PipelineGas,
                "Asia's share of its pipeline-gas exports",
            ),
        ] {
            let mut row = vec![Cell::text("Energy"), Cell::text(label)];
            for (a0, a1, _) in WINDOWS {
                let vals: Vec<(i32, f64)> = a
                    .rows
                    .iter()
                    .filter(|r| r.carrier == carrier && years((a0, a1)).contains(&r.year))
                    .map(|r| (r.year, r.asia_share))
                    .collect();
                row.push(cell(&vals, &src, &pct, false));
            }
            rows.push(row);
        }
        provs.push(a.provenance);
    }

    // Arms: shares of the focal state's deliveries, per window as a SIPRI period.
    let periods = WINDOWS
        .iter()
        .map(|(a, b, _)| format!("{a}-{b}"))
        .collect::<Vec<_>>()
        .join(";");
    let arms_p = c.params::<ArmsShares>(&focal, &[]).and_then(|mut p| {
        p.periods = pivot_measures::params::Periods::parse(&periods)?;
        Ok(p)
    });
    if let Ok(a) = c.run::<ArmsShares>(&format!("arms-shares periods={periods}"), &fname, arms_p) {
        let src = sources_of(&a.provenance);
        // The years of deliveries the store holds (the datasets' years as ingested), so a
        // window names only those.
        let held: BTreeSet<i32> = a
            .provenance
            .datasets
            .iter()
            .filter_map(|d| manifest.datasets.get(&d.id).and_then(|e| e.years))
            .flat_map(|(y0, y1)| y0..=y1)
            .collect();
        for p in [c.highlight.clone(), other.clone()]
            .into_iter()
            .filter(|p| !p.is_empty())
        {
            let mut row = vec![
                Cell::text("Arms"),
                Cell::text(format!(
                    "{}'s share of {fname}'s arms deliveries (TIV)",
                    name(&p)
                )),
            ];
            for (a0, a1, _) in WINDOWS {
                let r = a
                    .rows
                    .iter()
                    .find(|r| r.recipient == p && r.period_start == a0);
                let in_data: Vec<i32> = (a0..=a1).filter(|y| held.contains(y)).collect();
                row.push(match r {
                    Some(r) if !in_data.is_empty() => Cell::text(format!(
                        "{} ({}; {src})",
                        pct(r.share),
                        pivot_vocab::year_runs(in_data)
                    )),
                    _ if !in_data.is_empty() => {
                        Cell::text(format!("0.0% ({}; {src})", pivot_vocab::year_runs(in_data)))
                    }
                    _ => Cell::text("no data"),
                });
            }
            rows.push(row);
        }
        provs.push(a.provenance);
    }

    // Diplomacy: the published ideal-point distance to the highlighted partner.
    let ip = c
        .params::<IdealPointDistance>(&focal, std::slice::from_ref(&c.highlight))
        .map(|mut p| {
            p.series = IdealSeries::All;
            p
        });
    if focal != c.highlight
        && let Ok(a) = c.run::<IdealPointDistance>("ideal-point-distance series=all", &fname, ip)
    {
        let src = sources_of(&a.provenance);
        let mut row = vec![
            Cell::text("Diplomacy"),
            Cell::text(format!(
                "UN ideal-point distance to {} (lower: closer)",
                name(&c.highlight)
            )),
        ];
        for (a0, a1, _) in WINDOWS {
            let vals: Vec<(i32, f64)> = a
                .rows
                .iter()
                .filter(|r| years((a0, a1)).contains(&r.year))
                .map(|r| (r.year, r.distance))
                .collect();
            row.push(cell(&vals, &src, &|v| format!("{v:.2}"), false));
        }
        rows.push(row);
        provs.push(a.provenance);
    }

    // Finance: Chinese official finance committed to the focal state, summed per window.
    if focal != "CHN"
        && let Ok(a) = c.run::<OfficialFinance>(
            "official-finance",
            &fname,
            c.params::<OfficialFinance>(&focal, &[]),
        )
    {
        let src = sources_of(&a.provenance);
        let mut row = vec![
            Cell::text("Finance"),
            Cell::text(format!(
                "Chinese official finance committed to {fname} (sum)"
            )),
        ];
        for (a0, a1, _) in WINDOWS {
            let vals: Vec<(i32, f64)> = a
                .rows
                .iter()
                .filter(|r| r.year_start == r.year_end && years((a0, a1)).contains(&r.year_start))
                .map(|r| (r.year_start, r.amount))
                .collect();
            row.push(cell(
                &vals,
                &src,
                &|v| format!("{:.1} bn constant 2021 USD", v / 1e9),
                true,
            ));
        }
        rows.push(row);
        provs.push(a.provenance);
    }

    if rows.is_empty() {
        return vec![Block::Paragraph(format!(
            "Not shown: no dimension has data for {fname} around 2014 and 2022."
        ))];
    }
    let refs: Vec<&Provenance> = provs.iter().collect();
    let mut columns = vec!["Dimension".to_string(), "Measure".to_string()];
    columns.extend(WINDOWS.iter().map(|w| w.2.to_string()));
    vec![
        Block::Paragraph(format!(
            "Each dimension of {fname}'s ties before the 2014 sanctions, between 2014 and 2022, and from 2022: the mean over the years of each window that have data (finance: the sum), with those years and their source in the cell. Windows the data do not reach say so; nothing is interpolated, and a window spanning two sources says which."
        )),
        Block::Table(Table {
            id: "before-after-table".into(),
            title: format!("{fname} before and after 2014 and 2022"),
            columns,
            rows,
            source: c.source(&refs),
            method: "partner-share, energy-asia-share, arms-shares (SIPRI periods = the windows), ideal-point-distance (series all), official-finance; means over the years with data (finance: sums).".into(),
        }),
    ]
}
