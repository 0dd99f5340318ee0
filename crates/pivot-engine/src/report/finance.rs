//! Finance: Chinese official finance to the focal state by year, and its rank among recipients.

use pivot_measures::finance::OfficialFinance;
use pivot_report::{Block, Cell, Chart, ChartKind, Point, Section, Series, Table};

use super::ctx::Ctx;

pub(super) fn section(c: &mut Ctx) -> Section {
    Section {
        id: "finance".into(),
        heading: "Finance".into(),
        blocks: blocks(c),
    }
}

fn blocks(c: &mut Ctx) -> Vec<Block> {
    let p = c.params::<OfficialFinance>(&c.focal, &[]);
    let who = c.fname.clone();
    let a = match c.run::<OfficialFinance>("official-finance", &who, p) {
        Ok(a) => a,
        Err(note) => return vec![note.into()],
    };
    let src = c.source(&[&a.provenance]);
    let basis = a.rows.first().map(|r| r.basis).unwrap_or_default().as_str();
    // What the figures show, from the answer: the total, the largest year, the best rank.
    let total: f64 = a.rows.iter().map(|r| r.amount).sum();
    let years = pivot_vocab::year_runs(a.rows.iter().map(|r| r.year_start));
    let peak = a.rows.iter().max_by(|x, y| x.amount.total_cmp(&y.amount));
    let best = a
        .rows
        .iter()
        .filter_map(|r| Some((r.rank?, r.year_start)))
        .min();
    let mut text = format!(
        "Chinese official finance committed to {} ({}): {:.1} billion constant 2021 USD in {years}",
        c.fname,
        basis,
        total / 1e9
    );
    if let Some(p) = peak {
        text.push_str(&format!(
            ", the most in {} ({:.1} billion)",
            p.year_start,
            p.amount / 1e9
        ));
    }
    if let Some((rank, year)) = best {
        text.push_str(&format!(
            "; its best rank among recipients was {rank} ({year})"
        ));
    }
    text.push_str(". Commitments, not disbursements, and not investment.");
    vec![
        Block::Paragraph(text),
        Block::Chart(Chart {
            id: "finance-chart".into(),
            title: format!("Chinese official finance to {} by year", c.fname),
            kind: ChartKind::StackedBar,
            x_label: "Commitment year".into(),
            y_label: format!("Commitments ({basis})"),
            y_unit: "billion constant 2021 USD".into(),
            series: vec![Series {
                name: "Official finance".into(),
                points: a
                    .rows
                    .iter()
                    .map(|r| Point::cat(r.year_start.to_string(), r.amount / 1e9))
                    .collect(),
                highlight: true,
            }],
            annotations: vec![],
            y_range: None,
            source: src.clone(),
            method: format!(
                "official-finance: AidData {basis} amounts; rank among all recipients per year in the table."
            ),
        }),
        Block::Table(Table {
            id: "finance-rank".into(),
            title: format!(
                "{}'s rank among recipients of Chinese official finance",
                c.fname
            ),
            columns: vec![
                "Year".into(),
                "Amount (billion USD 2021)".into(),
                "Share of all recipients (%)".into(),
                "Rank".into(),
                "Recipients".into(),
            ],
            rows: a
                .rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::text(r.year_start.to_string()),
                        Cell::num(r.amount / 1e9, 2),
                        Cell::num(100.0 * r.share, 1),
                        r.rank
                            .map(|x| Cell::num(x as f64, 0))
                            .unwrap_or(Cell::Empty),
                        Cell::num(r.n_recipients as f64, 0),
                    ]
                })
                .collect(),
            source: src,
            method: format!("official-finance, {basis} amounts"),
        }),
    ]
}
