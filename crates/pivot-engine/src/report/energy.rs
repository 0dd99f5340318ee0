//! Energy: where the focal state's crude oil, oil products, pipeline gas and LNG go, and Asia's
//! share of each.

use std::collections::{BTreeSet, HashMap};

use pivot_measures::energy::{Carrier, EnergyDestinationRow, EnergyDestinations};
use pivot_measures::energy_asia::EnergyAsiaShare;
use pivot_report::{Block, Cell, Chart, ChartKind, Point, Section, Series, Table};

use super::ctx::{Ctx, name};

pub(super) fn section(c: &mut Ctx) -> Section {
    let mut blocks = destinations(c);
    blocks.push(asia_table(c));
    Section {
        id: "energy".into(),
        heading: "Energy".into(),
        blocks,
    }
}

/// Years between the first and the last of `years` that are missing.
fn missing_years(years: &BTreeSet<i32>) -> Vec<i32> {
    match (years.first(), years.last()) {
        (Some(&a), Some(&b)) => (a..=b).filter(|y| !years.contains(y)).collect(),
        _ => vec![],
    }
}

fn destinations(c: &mut Ctx) -> Vec<Block> {
    let mut p = c.params::<EnergyDestinations>(&c.focal, &[]);
    if let Ok(p) = &mut p {
        p.top = Some(5);
    }
    let who = c.fname.clone();
    let a = match c.run::<EnergyDestinations>("energy-destinations top=5", &who, p) {
        Ok(a) => a,
        Err(note) => return vec![note.into()],
    };
    let src = c.source(&[&a.provenance]);
    let years: BTreeSet<i32> = a.rows.iter().map(|r| r.year).collect();
    let gaps = missing_years(&years);
    let mut text = format!(
        "{}'s energy exports by destination (volumes). Oil and coal destinations are the publisher's areas (\"Europe\" is one area); LNG and pipeline gas are by country.",
        c.fname
    );
    if !gaps.is_empty() {
        text.push_str(&format!(
            " {} {} missing from the editions loaded.",
            pivot_vocab::year_runs(gaps.iter().copied()),
            if gaps.len() == 1 { "is" } else { "are" }
        ));
    }
    let mut blocks = vec![Block::Paragraph(text)];
    let highlight_name = name(&c.highlight);
    for (carrier, label, unit) in [
        (Carrier::CrudeOil, "crude oil", "Mt"),
        (Carrier::OilProducts, "oil products", "Mt"),
        (Carrier::PipelineGas, "pipeline gas", "bcm"),
        (Carrier::Lng, "LNG", "bcm"),
    ] {
        let rs: Vec<&EnergyDestinationRow> =
            a.rows.iter().filter(|r| r.carrier == carrier).collect();
        if rs.is_empty() {
            continue;
        }
        // The measure kept the five largest destinations and summed the rest as "Other";
        // stack them largest first, Other last.
        let mut tot: HashMap<&str, f64> = HashMap::new();
        for r in &rs {
            *tot.entry(r.importer.as_str()).or_default() += r.volume;
        }
        let mut dests: Vec<(&str, f64)> = tot.into_iter().collect();
        dests.sort_by(|a, b| {
            (a.0 == "Other")
                .cmp(&(b.0 == "Other"))
                .then(b.1.total_cmp(&a.1))
                .then(a.0.cmp(b.0))
        });
        let years: BTreeSet<i32> = rs.iter().map(|r| r.year).collect();
        let series: Vec<Series> = dests
            .iter()
            .map(|(d, _)| Series {
                name: d.to_string(),
                points: years
                    .iter()
                    .map(|y| {
                        Point::cat(
                            y.to_string(),
                            rs.iter()
                                .filter(|r| r.year == *y && r.importer == *d)
                                .map(|r| r.volume)
                                .sum(),
                        )
                    })
                    .collect(),
                highlight: *d == highlight_name,
            })
            .collect();
        blocks.push(Block::Chart(Chart {
            id: format!("energy-{}", carrier.as_str().replace('_', "-")),
            title: format!("{}'s {label} exports by destination", c.fname),
            kind: ChartKind::StackedBar,
            x_label: "Year".into(),
            y_label: "Exports".into(),
            y_unit: unit.into(),
            series,
            annotations: vec![],
            y_range: None,
            source: src.clone(),
            method: "energy-destinations: volumes by destination; subtotal rows dropped; top five destinations, the rest as Other.".into(),
        }));
    }
    blocks
}

fn asia_table(c: &mut Ctx) -> Block {
    let p = c.params::<EnergyAsiaShare>(&c.focal, &[]);
    let who = c.fname.clone();
    let a = match c.run::<EnergyAsiaShare>("energy-asia-share", &who, p) {
        Ok(a) => a,
        Err(note) => return note.into(),
    };
    Block::Table(Table {
        id: "energy-asia".into(),
        title: format!("Asia's share of {}'s energy exports", c.fname),
        columns: vec![
            "Year".into(),
            "Carrier".into(),
            "Total".into(),
            "Unit".into(),
            "Asia share (%)".into(),
        ],
        rows: a
            .rows
            .iter()
            .map(|r| {
                vec![
                    Cell::text(r.year.to_string()),
                    Cell::text(r.carrier.as_str()),
                    Cell::num(r.total, 1),
                    Cell::text(r.unit.clone()),
                    Cell::num(100.0 * r.asia_share, 1),
                ]
            })
            .collect(),
        source: c.source(&[&a.provenance]),
        method: "Asia = destinations in UN M49 Asia, and the publisher's area Other Asia Pacific."
            .into(),
    })
}
