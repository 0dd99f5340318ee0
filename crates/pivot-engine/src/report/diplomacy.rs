//! Diplomacy: UN General Assembly vote agreement with the partners, and ideal points.

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
        blocks: vec![agreement(c), ideal_points(c)],
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
