//! Trade: the focal state's partner shares over time, its top partners in the last year, and
//! Asia's share of its trade.

use std::collections::BTreeSet;

use pivot_measures::partner_share::{PartnerShare, PartnerShareRow};
use pivot_measures::region_share::RegionShare;
use pivot_report::{Annotation, Block, Cell, Point, Section, Series, Table};

use super::ctx::{Ctx, line_chart, name, with_gaps};

/// First year drawn: Russia as a state (COW's 365 is the USSR before).
const FROM: i32 = 1992;

pub(super) fn section(c: &mut Ctx) -> Section {
    Section {
        id: "trade".into(),
        heading: "Trade".into(),
        blocks: blocks(c),
    }
}

fn blocks(c: &mut Ctx) -> Vec<Block> {
    let p = c.params::<PartnerShare>(&c.focal, &[]);
    let who = c.fname.clone();
    let shares = match c.run::<PartnerShare>("partner-share", &who, p) {
        Ok(a) => a,
        Err(note) => return vec![note.into()],
    };
    let rows = &shares.rows;
    let src = c.source(&[&shares.provenance]);
    let last = rows.iter().map(|r| r.year).max().unwrap_or(0);
    let mut top: Vec<&PartnerShareRow> = rows.iter().filter(|r| r.year == last).collect();
    top.sort_by_key(|r| r.rank);
    let mut shown: Vec<String> = c.partners.clone();
    for r in top.iter().take(5) {
        if !shown.contains(&r.partner) {
            shown.push(r.partner.clone());
        }
    }
    let series: Vec<Series> = shown
        .iter()
        .map(|p| Series {
            name: name(p),
            points: with_gaps(
                rows.iter()
                    .filter(|r| &r.partner == p && r.year >= FROM)
                    .map(|r| Point::num(r.year as f64, 100.0 * r.share))
                    .collect(),
            ),
            highlight: *p == c.highlight,
        })
        .filter(|s| s.points.iter().any(|p| p.y.is_finite()))
        .collect();
    // Where the series changes source or stops: from the answer's own years and datasets.
    let years_with: BTreeSet<i32> = rows.iter().map(|r| r.year).filter(|y| *y >= FROM).collect();
    let gap_years: Vec<i32> = match (years_with.first(), years_with.last()) {
        (Some(&a), Some(&b)) => (a..=b).filter(|y| !years_with.contains(y)).collect(),
        _ => vec![],
    };
    // Where the series changes source, and how large the step is there (measured on the
    // years both sources hold).
    let manifest = c.e.manifest();
    let title = |id: &str| crate::trade_notes::title(manifest, id);
    let year_src: std::collections::BTreeMap<i32, String> =
        c.e.year_sources(&c.focal)
            .unwrap_or_default()
            .into_iter()
            .filter(|(y, _)| years_with.contains(y))
            .collect();
    let joins: Vec<(i32, String)> = year_src
        .iter()
        .zip(year_src.iter().skip(1))
        .filter(|((_, a), (_, b))| a != b)
        .map(|(_, (y, b))| (*y, title(b)))
        .collect();
    let marks: Vec<Annotation> = joins
        .iter()
        .map(|(y, t)| Annotation {
            x: *y as f64,
            label: format!("{t} from here"),
        })
        .collect();
    let breaks =
        c.e.level_breaks(&year_src, std::slice::from_ref(&c.focal), &title)
            .unwrap_or_default();
    let mut text = format!(
        "Shares of {}'s total trade (exports plus imports) by partner, from {FROM}. {} is highlighted. In {last}, {}'s largest partner was {} ({:.1}% of its reported trade).",
        c.fname,
        name(&c.highlight),
        c.fname,
        top.first().map(|r| name(&r.partner)).unwrap_or_default(),
        top.first().map(|r| 100.0 * r.share).unwrap_or(f64::NAN)
    );
    if !gap_years.is_empty() {
        text.push_str(&format!(
            " There is no trade data for {} (the lines break there; nothing is interpolated): ingest BACI for those years (pivot data ingest baci PATH) and the report uses it.",
            pivot_vocab::year_runs(gap_years)
        ));
    }
    for b in &breaks {
        text.push(' ');
        text.push_str(b);
    }
    // Which source gave which years, as the measure reported it.
    let splice = shares
        .provenance
        .notes
        .iter()
        .find_map(|n| n.strip_prefix("Trade spliced: "))
        .and_then(|n| n.split(';').next())
        .and_then(|n| n.split(". ").next())
        .map(|n| format!(" Sources by year: {n}."))
        .unwrap_or_default();
    // Whole millions for large traders; a decimal where the largest partner is under 100.
    let value_decimals = if top.first().is_some_and(|r| r.value < 100e6) {
        1
    } else {
        0
    };
    let mut blocks = vec![Block::Paragraph(text)];
    let mut chart = line_chart(
        "trade-shares",
        format!("{}'s trade partner shares", c.fname),
        "Share of total trade",
        "%",
        series,
        src.clone(),
        &format!(
            "partner-share: (exports + imports with partner) / total trade, current USD.{}{splice}",
            // COW codes the USSR and Russia alike (365): Russia's series before 1992 is the USSR's.
            if c.focal == "RUS" {
                " COW 365 covers the USSR before 1992."
            } else {
                ""
            }
        ),
    );
    chart.annotations = marks.clone();
    blocks.push(Block::Chart(chart));
    // The ranking from the last year alone, so its source line names only the datasets that
    // gave that year.
    let p_last = c.params::<PartnerShare>(&c.focal, &[]).map(|mut p| {
        p.years = pivot_measures::Years(pivot_vocab::YearRange::new(last, last));
        p
    });
    let (top, src_last) =
        match c.run::<PartnerShare>(&format!("partner-share years={last}"), &who, p_last) {
            Ok(a) => {
                let src = c.source(&[&a.provenance]);
                let mut rows = a.rows;
                rows.sort_by_key(|r| r.rank);
                (rows, src)
            }
            Err(note) => {
                blocks.push(note.into());
                return blocks;
            }
        };
    blocks.push(Block::Table(Table {
        id: "trade-ranking".into(),
        title: format!("{}'s top trade partners, {last}", c.fname),
        columns: vec![
            "Rank".into(),
            "Partner".into(),
            "Trade (million USD)".into(),
            "Share (%)".into(),
        ],
        rows: top
            .iter()
            .take(10)
            .map(|r| {
                vec![
                    Cell::num(r.rank as f64, 0),
                    Cell::text(name(&r.partner)),
                    Cell::num(r.value / 1e6, value_decimals),
                    Cell::num(100.0 * r.share, 1),
                ]
            })
            .collect(),
        source: src_last,
        method: "partner-share, direction total, current USD".into(),
    }));
    // Shares are of the reported total: the partners that vanished from the data in the last
    // year, said beside the ranking.
    if let Ok(Some(v)) = c.e.vanished_in(&c.focal, last)
        && v.named()
    {
        let first = top.first();
        blocks.push(Block::Paragraph(format!(
            "Shares in {last} are of {f}'s reported trade. {} partners that traded with {f} in the {} years before have no flows in {last} in {}: {}. Together they had {} in their last year, against {} reported for {f} in {last}. No report of these flows reached the source, so they are absent from the data, not zero: {f}'s {last} total is understated, and {}'s {:.1}% is of the reported total, higher than its share of {f}'s true trade.",
            v.partners.len(),
            crate::trade_notes::VANISHED_WINDOW,
            title(&v.src),
            v.list(),
            crate::trade_notes::usd(v.lost),
            crate::trade_notes::usd(v.total),
            first.map(|r| name(&r.partner)).unwrap_or_default(),
            first.map(|r| 100.0 * r.share).unwrap_or(f64::NAN),
            f = c.fname,
        )));
    }
    blocks.push(asia_share(c, marks));
    blocks
}

/// Asia's share of the focal state's total trade (the region-share measure).
fn asia_share(c: &mut Ctx, marks: Vec<Annotation>) -> Block {
    let mut p = c.params::<RegionShare>(&c.focal, &[]);
    if let Ok(p) = &mut p {
        p.regions = vec!["asia".into(), "east-south-asia".into()];
    }
    let who = c.fname.clone();
    let regions = match c.run::<RegionShare>("region-share regions=asia,east-south-asia", &who, p) {
        Ok(a) => a,
        Err(note) => return note.into(),
    };
    let pts = |region: &str| {
        with_gaps(
            regions
                .rows
                .iter()
                .filter(|r| r.region == region && r.year >= FROM)
                .map(|r| Point::num(r.year as f64, 100.0 * r.share))
                .collect(),
        )
    };
    let mut chart = line_chart(
        "asia-share",
        format!("Asia's share of {}'s total trade", c.fname),
        "Share of total trade",
        "%",
        vec![
            Series {
                name: "Asia (UN M49)".into(),
                points: pts("asia"),
                highlight: true,
            },
            Series {
                name: "East, South-East and South Asia".into(),
                points: pts("east-south-asia"),
                highlight: false,
            },
        ],
        c.source(&[&regions.provenance]),
        "region-share: sum of partner shares over each set's members (UN M49 geoscheme via world-countries).",
    );
    chart.annotations = marks;
    Block::Chart(chart)
}
