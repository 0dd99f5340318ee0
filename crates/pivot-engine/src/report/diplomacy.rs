//! Diplomacy: UN General Assembly vote agreement with the partners, and ideal points.

use pivot_measures::ideal_point_distance::{
    IdealPointDistance, IdealPointDistanceRow, IdealSeries,
};
use pivot_measures::un_alignment::UnAlignment;
use pivot_measures::un_ideal_points::UnIdealPoints;
use pivot_report::{Annotation, Block, Point, Section, Series};

use super::ctx::{Ctx, line_chart, name, with_gaps};

/// First year of the ideal points drawn when no years are asked for.
const IDEAL_POINTS_FROM: i32 = 1990;

pub(super) fn section(c: &mut Ctx) -> Section {
    Section {
        id: "diplomacy".into(),
        heading: "Diplomacy".into(),
        blocks: [
            vec![agreement(c)],
            published_ideal_points(c),
            vec![ideal_points(c)],
        ]
        .concat(),
    }
}

fn agreement(c: &mut Ctx) -> Block {
    let p = c.params::<UnAlignment>(&c.focal, &c.partners);
    let who = c.fname.clone();
    let a = match c.run::<UnAlignment>("un-alignment", &who, p) {
        Ok(a) => a,
        Err(note) => return note.into(),
    };
    let series: Vec<Series> = c
        .partners
        .iter()
        .map(|p| Series {
            name: name(p),
            points: a
                .rows
                .iter()
                .filter(|r| &r.partner == p)
                .map(|r| Point::num(r.period as f64, r.agreement))
                .collect(),
            highlight: *p == c.highlight,
        })
        .filter(|s| !s.points.is_empty())
        .collect();
    let mut ch = line_chart(
        "un-agreement",
        format!("UN General Assembly vote agreement with {}", c.fname),
        "Agreement (Voeten)",
        "0-1",
        series,
        c.source(&[&a.provenance]),
        "un-alignment: 1 same vote, 0.5 one abstains, 0 opposite; mean over roll calls both voted on; per session. Soviet votes are Russia's.",
    );
    ch.x_label = "UNGA session".into();
    ch.y_range = Some((0.0, 1.0));
    Block::Chart(ch)
}

/// The published ideal points (Bailey, Strezhnev & Voeten) of the focal state, its partners and
/// the USA: the series `all` to its last year (2023), and the series `fp` for the last two years
/// it has (2023-2024) drawn as separate lines, since fp has another level; a paragraph says
/// what they show, from the answers.
fn published_ideal_points(c: &mut Ctx) -> Vec<Block> {
    let mut states = c.partners.clone();
    if !states.iter().any(|p| p == "USA") && c.focal != "USA" {
        states.push("USA".into());
    }
    let params = |c: &Ctx, series: IdealSeries| {
        c.params::<IdealPointDistance>(&c.focal, &states)
            .map(|mut p| {
                p.series = series;
                if c.years.is_none() {
                    p.years = pivot_measures::Years(pivot_vocab::YearRange {
                        from: Some(IDEAL_POINTS_FROM),
                        to: None,
                    });
                }
                p
            })
    };
    let who = c.fname.clone();
    let all_p = params(c, IdealSeries::All);
    let all = match c.run::<IdealPointDistance>("ideal-point-distance series=all", &who, all_p) {
        Ok(a) => a,
        Err(note) => return vec![note.into()],
    };
    let last_all = all.rows.iter().map(|r| r.year).max().unwrap_or(0);
    // fp for the last year of `all` and after: the years `all` lacks, with one year both have.
    let fp = params(c, IdealSeries::Fp).map(|mut p| {
        let from = p.years.0.from.map_or(last_all, |f| f.max(last_all));
        p.years = pivot_measures::Years(pivot_vocab::YearRange {
            from: Some(from),
            to: p.years.0.to,
        });
        p
    });
    let fp = c
        .run::<IdealPointDistance>("ideal-point-distance series=fp", &who, fp)
        .ok();
    let point = |rows: &[IdealPointDistanceRow], state: &str, y: i32| {
        rows.iter().find(|r| r.year == y).and_then(|r| {
            if r.focal == state {
                Some(r.focal_point)
            } else {
                rows.iter()
                    .find(|q| q.year == y && q.partner == state)
                    .map(|q| q.partner_point)
            }
        })
    };
    let line = |rows: &[IdealPointDistanceRow], state: &str| -> Vec<Point> {
        let years: std::collections::BTreeSet<i32> = rows.iter().map(|r| r.year).collect();
        years
            .into_iter()
            .filter_map(|y| point(rows, state, y).map(|v| Point::num(y as f64, v)))
            .collect()
    };
    let mut drawn = vec![c.focal.clone()];
    drawn.extend(states.iter().cloned());
    let mut series: Vec<Series> = drawn
        .iter()
        .map(|s| Series {
            name: name(s),
            points: with_gaps(line(&all.rows, s)),
            highlight: *s == c.focal || *s == c.highlight,
        })
        .filter(|s| s.points.iter().any(|p| p.y.is_finite()))
        .collect();
    let mut annotations = vec![Annotation {
        x: 2014.0,
        label: "2014".into(),
    }];
    let mut sources = vec![&all.provenance];
    let fp_last = fp
        .as_ref()
        .and_then(|f| f.rows.iter().map(|r| r.year).max())
        .filter(|y| *y > last_all);
    if let (Some(f), Some(y)) = (&fp, fp_last) {
        for s in [&c.focal, &c.highlight] {
            let pts = line(&f.rows, s);
            if pts.len() > 1 {
                series.push(Series {
                    name: format!("{} (fp series)", name(s)),
                    points: pts,
                    highlight: false,
                });
            }
        }
        annotations.push(Annotation {
            x: y as f64,
            label: format!("{y}: fp"),
        });
        sources.push(&f.provenance);
    }
    let src = c.source(&sources);
    let mut ch = line_chart(
        "un-ideal-points-bsv",
        format!(
            "Published UN General Assembly ideal points: {} and its partners",
            c.fname
        ),
        "Ideal point",
        "BSV scale, USA high",
        series,
        src,
        &format!(
            "ideal-point-distance (the two states' points): Bailey, Strezhnev & Voeten's estimate, series all to {last_all}{}. The fp series rests on fewer roll calls and has another level: its lines compare its own years only.",
            fp_last
                .map(|y| format!("; {last_all}-{y} also in the series fp (its own lines, marked)"))
                .unwrap_or_default()
        ),
    );
    ch.annotations = annotations;
    let mut text = String::new();
    let dist = |y: i32, partner: &str| {
        all.rows
            .iter()
            .find(|r| r.year == y && r.partner == partner)
            .map(|r| r.distance)
    };
    let focal_at = |y: i32| point(&all.rows, &c.focal, y);
    if let Some(v) = focal_at(last_all) {
        text.push_str(&format!(
            "In the published ideal points (Bailey, Strezhnev & Voeten, series all, to {last_all}), {} stood at {v:.2} in {last_all}",
            c.fname
        ));
        if let Some(d) = dist(last_all, &c.highlight) {
            text.push_str(&format!(
                ", {d:.2} from {} ({:.2})",
                name(&c.highlight),
                point(&all.rows, &c.highlight, last_all).unwrap_or(f64::NAN)
            ));
        }
        if c.highlight != "USA"
            && let Some(d) = dist(last_all, "USA")
        {
            text.push_str(&format!(" and {d:.2} from the United States"));
        }
        text.push('.');
        // The change since the years before 2022, where both ends have data.
        let before: Vec<f64> = (2017..=2019)
            .filter_map(|y| dist(y, &c.highlight))
            .collect();
        if before.len() == 3 && c.focal != c.highlight {
            let b = before.iter().sum::<f64>() / 3.0;
            let now = dist(last_all, &c.highlight).unwrap_or(f64::NAN);
            text.push_str(&format!(
                " Its distance to {} went from {b:.2} on average in 2017-2019 to {now:.2} in {last_all} ({}).",
                name(&c.highlight),
                if now < b { "closer" } else { "further apart" }
            ));
        }
        if let Some(y) = fp_last {
            text.push_str(&format!(
                " {y} is only in the series fp, drawn as its own lines from {last_all}."
            ));
        }
    }
    let mut out = vec![];
    if !text.is_empty() {
        out.push(Block::Paragraph(text));
    }
    out.push(Block::Chart(ch));
    out
}

/// Where the focal state, its partners and the USA stand on the Assembly's main dimension,
/// from 1990 unless years are asked for (every state enters the estimate; only these are
/// drawn).
fn ideal_points(c: &mut Ctx) -> Block {
    let mut states = c.partners.clone();
    if !states.iter().any(|p| p == "USA") && c.focal != "USA" {
        states.push("USA".into());
    }
    let mut p = c.params::<UnIdealPoints>(&c.focal, &states);
    if let (Ok(p), None) = (&mut p, c.years) {
        p.years = pivot_measures::Years(pivot_vocab::YearRange {
            from: Some(IDEAL_POINTS_FROM),
            to: None,
        });
    }
    let who = c.fname.clone();
    let a = match c.run::<UnIdealPoints>("un-ideal-points", &who, p) {
        Ok(a) => a,
        Err(note) => return note.into(),
    };
    let mut drawn = vec![c.focal.clone()];
    drawn.extend(states);
    let series: Vec<Series> = drawn
        .iter()
        .map(|p| Series {
            name: name(p),
            points: with_gaps(
                a.rows
                    .iter()
                    .filter(|r| &r.country == p)
                    .map(|r| Point::num(r.year as f64, r.ideal_point))
                    .collect(),
            ),
            highlight: *p == c.focal || *p == c.highlight,
        })
        .filter(|s| s.points.iter().any(|p| p.y.is_finite()))
        .collect();
    let mut ch = line_chart(
        "un-ideal-points",
        format!(
            "UN General Assembly ideal points: {} and its partners",
            c.fname
        ),
        "Ideal point",
        "sd of the year's states, USA > 0",
        series,
        c.source(&[&a.provenance]),
        "un-ideal-points: dynamic ordered-probit item-response model of yes/abstain/no votes (every state and roll call enters), random-walk prior linking the years, posterior mode; each year's positions standardised (mean 0, sd 1), sign so that the USA is positive. Standard errors and 95% intervals: pivot measure un-ideal-points.",
    );
    ch.annotations = vec![Annotation {
        x: 2014.0,
        label: "2014".into(),
    }];
    Block::Chart(ch)
}
