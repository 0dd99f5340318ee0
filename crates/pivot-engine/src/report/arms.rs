//! Arms: the focal state's deliveries by recipient in two periods.

use std::collections::{BTreeSet, HashMap};

use pivot_measures::arms::ArmsShares;
use pivot_measures::params::Periods;
use pivot_report::{Block, Cell, Chart, ChartKind, Point, Section, Series, Table};

use super::ctx::{Ctx, name};

/// The periods compared: before and since the 2012 turn the article discusses.
const PERIODS: &str = "2000-2011;2012-2023";
/// Recipients drawn and listed per period.
const KEEP: usize = 8;

pub(super) fn section(c: &mut Ctx) -> Section {
    Section {
        id: "arms".into(),
        heading: "Arms".into(),
        blocks: blocks(c),
    }
}

fn blocks(c: &mut Ctx) -> Vec<Block> {
    let p = c.params::<ArmsShares>(&c.focal, &[]).and_then(|mut p| {
        p.periods = Periods::parse(PERIODS)?;
        Ok(p)
    });
    let who = c.fname.clone();
    let a = match c.run::<ArmsShares>(&format!("arms-shares periods={PERIODS}"), &who, p) {
        Ok(a) => a,
        Err(note) => return vec![note.into()],
    };
    let src = c.source(&[&a.provenance]);
    let rows = &a.rows;
    let mut tot: HashMap<&str, f64> = HashMap::new();
    for r in rows {
        *tot.entry(r.recipient.as_str()).or_default() += r.tiv;
    }
    let mut rec: Vec<(&str, f64)> = tot.into_iter().collect();
    rec.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let keep: Vec<&str> = rec.iter().take(KEEP).map(|x| x.0).collect();
    let periods: BTreeSet<(i32, i32)> = rows
        .iter()
        .map(|r| (r.period_start, r.period_end))
        .collect();
    let series: Vec<Series> = periods
        .iter()
        .map(|(from, to)| Series {
            name: format!("{from}–{to}"),
            points: keep
                .iter()
                .map(|k| {
                    Point::cat(
                        name(k),
                        rows.iter()
                            .find(|r| r.recipient == *k && r.period_start == *from)
                            .map(|r| 100.0 * r.share)
                            .unwrap_or(0.0),
                    )
                })
                .collect(),
            highlight: false,
        })
        .collect();
    // What the figure shows, from the answer: the first three recipients of each period.
    let said: Vec<String> = periods
        .iter()
        .map(|(from, to)| {
            let mut top: Vec<_> = rows.iter().filter(|r| r.period_start == *from).collect();
            top.sort_by_key(|r| r.rank);
            format!(
                "in {from}-{to}, {}",
                top.iter()
                    .take(3)
                    .map(|r| format!("{} {:.1}%", name(&r.recipient), 100.0 * r.share))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    vec![
        Block::Paragraph(format!(
            "The largest recipients of {}'s arms deliveries (shares of the TIV it delivered): {}.",
            c.fname,
            said.join("; ")
        )),
        Block::Chart(Chart {
            id: "arms-recipients".into(),
            title: format!("{}'s arms deliveries by recipient and period", c.fname),
            kind: ChartKind::GroupedBar,
            x_label: "Recipient".into(),
            y_label: "Share of TIV delivered".into(),
            y_unit: "%".into(),
            series,
            annotations: vec![],
            y_range: None,
            source: src.clone(),
            method: "arms-shares: recipient shares of the supplier's TIV per period; TIV is a volume index, not money.".into(),
        }),
        Block::Table(Table {
            id: "arms-table".into(),
            title: format!("{}'s main arms recipients by period", c.fname),
            columns: vec![
                "Period".into(),
                "Rank".into(),
                "Recipient".into(),
                "TIV (millions)".into(),
                "Share (%)".into(),
            ],
            rows: rows
                .iter()
                .filter(|r| r.rank as usize <= KEEP)
                .map(|r| {
                    vec![
                        Cell::text(format!("{}–{}", r.period_start, r.period_end)),
                        Cell::num(r.rank as f64, 0),
                        Cell::text(name(&r.recipient)),
                        Cell::num(r.tiv, 0),
                        Cell::num(100.0 * r.share, 1),
                    ]
                })
                .collect(),
            source: src,
            method: "arms-shares".into(),
        }),
    ]
}
