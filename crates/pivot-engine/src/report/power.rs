//! Power: the first partner's GDP, capabilities and military spending relative to the focal
//! state's.

use pivot_measures::power_ratio::{PowerIndicator, PowerRatio};
use pivot_report::{Annotation, Block, Point, Section, Series};

use super::ctx::{Ctx, line_chart, name};

/// First year drawn.
const FROM: i32 = 1990;

pub(super) fn section(c: &mut Ctx) -> Section {
    let mut blocks = vec![];
    if !c.highlight.is_empty() {
        blocks = ratios(c);
    }
    Section {
        id: "power".into(),
        heading: "Power".into(),
        blocks,
    }
}

fn ratios(c: &mut Ctx) -> Vec<Block> {
    let highlight = c.highlight.clone();
    let who = format!("{} and {}", name(&highlight), c.fname);
    let mut blocks = vec![];
    let mut series = Vec::new();
    let mut provenance = vec![];
    // What the figure shows, from the answers: each ratio's first and last year drawn.
    let mut said: Vec<String> = vec![];
    for (ind, label) in [
        (PowerIndicator::GdpUsd, "GDP (current USD, World Bank)"),
        (PowerIndicator::Cinc, "CINC (COW NMC)"),
        (
            PowerIndicator::MilexConst2022UsdM,
            "Military expenditure (SIPRI, constant 2022 USD)",
        ),
    ] {
        let mut p = c.params::<PowerRatio>(&highlight, std::slice::from_ref(&c.focal));
        if let Ok(p) = &mut p {
            p.indicator = ind;
        }
        let run_label = format!("power-ratio indicator={}", ind.as_str());
        match c.run::<PowerRatio>(&run_label, &who, p) {
            Ok(a) => {
                let drawn: Vec<(i32, f64)> = a
                    .rows
                    .iter()
                    .filter(|r| r.year >= FROM)
                    .filter_map(|r| Some((r.year, r.ratio?)))
                    .collect();
                if let (Some(f), Some(l)) = (drawn.first(), drawn.last())
                    && f.0 < l.0
                {
                    said.push(format!(
                        "{label}: {:.1}× in {} and {:.1}× in {}",
                        f.1, f.0, l.1, l.0
                    ));
                }
                series.push(Series {
                    name: label.into(),
                    points: a
                        .rows
                        .iter()
                        .filter(|r| r.year >= FROM)
                        .map(|r| Point::num(r.year as f64, r.ratio.unwrap_or(f64::NAN)))
                        .collect(),
                    highlight: ind == PowerIndicator::GdpUsd,
                });
                provenance.push(a.provenance);
            }
            Err(note) => blocks.push(note.into()),
        }
    }
    if series.is_empty() {
        return blocks;
    }
    let mut ch = line_chart(
        "power-ratios",
        format!("{} / {} power ratios", name(&highlight), c.fname),
        "Ratio",
        "×",
        series,
        c.source(&provenance.iter().collect::<Vec<_>>()),
        "power-ratio: value of the first state / value of the second, years where both exist.",
    );
    ch.annotations = vec![Annotation {
        x: 2014.0,
        label: "2014".into(),
    }];
    blocks.insert(0, Block::Chart(ch));
    if !said.is_empty() {
        blocks.insert(
            0,
            Block::Paragraph(format!(
                "{} relative to {} (a ratio above 1: {} is larger). {}.",
                name(&highlight),
                c.fname,
                name(&highlight),
                said.join("; ")
            )),
        );
    }
    blocks
}
