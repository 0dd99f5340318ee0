//! Hedging: how the focal state spreads its ties among the partners, per dimension (contrast
//! partners left out).

use pivot_measures::hedging::HedgingViewMeasure;
use pivot_report::{Block, Cell, Chart, ChartKind, Point, Section, Series, Table};

use super::ctx::{Ctx, name};

pub(super) fn section(c: &mut Ctx, contrasts: &[String]) -> Section {
    Section {
        id: "hedging".into(),
        heading: "Hedging".into(),
        blocks: blocks(c, contrasts),
    }
}

fn blocks(c: &mut Ctx, contrasts: &[String]) -> Vec<Block> {
    let partners: Vec<String> = c
        .partners
        .iter()
        .filter(|p| !contrasts.contains(p))
        .cloned()
        .collect();
    let p = c.params::<HedgingViewMeasure>(&c.focal, &partners);
    let who = c.fname.clone();
    let a = match c.run::<HedgingViewMeasure>("hedging-view", &who, p) {
        Ok(a) => a,
        Err(note) => return vec![note.into()],
    };
    let src = c.source(&[&a.provenance]);
    vec![
        Block::Chart(Chart {
            id: "hedging-chart".into(),
            title: format!(
                "{}'s hedging view across dimensions ({})",
                c.fname,
                partners.join(", ")
            ),
            kind: ChartKind::HorizontalBar,
            x_label: "Dimension".into(),
            y_label: "Share of the dominant partner".into(),
            y_unit: "%".into(),
            series: vec![Series {
                name: "Dominant partner's share".into(),
                points: a
                    .rows
                    .iter()
                    .map(|r| {
                        Point::cat(
                            format!("{} ({})", r.dimension.as_str(), r.dominant_partner),
                            100.0 * r.dominant_share,
                        )
                    })
                    .collect(),
                highlight: true,
            }],
            annotations: vec![],
            y_range: Some((0.0, 100.0)),
            source: src.clone(),
            method: "hedging-view: within the partner set, dominant partner and its share per dimension.".into(),
        }),
        Block::Table(Table {
            id: "hedging-table".into(),
            title: "Concentration of partners by dimension".into(),
            columns: vec![
                "Dimension".into(),
                "Dominant partner".into(),
                "Share (%)".into(),
                "HHI*".into(),
                "Effective partners".into(),
            ],
            rows: a
                .rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::text(r.dimension.as_str()),
                        Cell::text(name(&r.dominant_partner)),
                        Cell::num(100.0 * r.dominant_share, 1),
                        Cell::num(r.hhi_normalized, 3),
                        Cell::num(r.effective_number, 2),
                    ]
                })
                .collect(),
            source: src,
            method: "trade: last trade year; energy: crude oil, last energy year; arms: TIV over all years; diplomacy: mean agreement over the last five sessions.".into(),
        }),
    ]
}
