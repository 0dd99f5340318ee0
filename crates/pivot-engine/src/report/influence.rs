//! Influence: who can influence the focal state most, and whom it can influence, in years that
//! every default dimension covers (trade and votes), five years apart.

use std::collections::BTreeSet;

use pivot_measures::influence::{Influence, InfluenceRow};
use pivot_report::{Block, Cell, Section, Table};

use super::ctx::{Ctx, name};

/// States listed per year and direction.
const TOP: u32 = 5;
/// Years shown at most.
const YEARS: usize = 6;

pub(super) fn section(c: &mut Ctx) -> Section {
    Section {
        id: "influence".into(),
        heading: "Influence".into(),
        blocks: blocks(c),
    }
}

/// The years of the article's question (the sanctions of 2014 and 2022): shown whenever
/// covered.
const LANDMARKS: [i32; 2] = [2014, 2022];

/// The last year covered, then the covered year at or before each five years earlier — a
/// landmark year (2014, 2022) instead when one is covered within six years before.
fn years_shown(covered: &BTreeSet<i32>) -> Vec<i32> {
    let mut years = vec![];
    if let (Some(&first), Some(&last)) = (covered.first(), covered.last()) {
        let mut y = last;
        while y >= first && years.len() < YEARS {
            match covered.range(..=y).next_back() {
                Some(&c) => {
                    if years.last() != Some(&c) {
                        years.push(c);
                    }
                    y = LANDMARKS
                        .into_iter()
                        .find(|l| (c - 6..c).contains(l) && covered.contains(l))
                        .unwrap_or(c - 5);
                }
                None => break,
            }
        }
    }
    years.reverse();
    years
}

fn blocks(c: &mut Ctx) -> Vec<Block> {
    let mut p = c.params::<Influence>(&c.focal, &[]);
    if let Ok(p) = &mut p {
        p.top = TOP;
    }
    let focal = c.focal.clone();
    let fname = c.fname.clone();
    let a = match c.run::<Influence>(&format!("influence top={TOP}"), &fname, p) {
        Ok(a) => a,
        Err(note) => return vec![note.into()],
    };
    let covered: BTreeSet<i32> = a
        .rows
        .iter()
        .filter(|r| r.economic.is_some() && r.political.is_some())
        .map(|r| r.year)
        .collect();
    let pick = |year: i32, inbound: bool, rank: u32| {
        a.rows.iter().find(|r| {
            r.year == year
                && r.rank == rank
                && if inbound {
                    r.target == focal
                } else {
                    r.influencer == focal
                }
        })
    };
    let who = |r: Option<&InfluenceRow>, inbound: bool| {
        r.map(|r| Cell::text(name(if inbound { &r.influencer } else { &r.target })))
            .unwrap_or(Cell::Empty)
    };
    let total = |r: Option<&InfluenceRow>| r.map(|r| Cell::num(r.total, 3)).unwrap_or(Cell::Empty);
    let mut rows = vec![];
    for y in years_shown(&covered) {
        for rank in 1..=TOP {
            let inbound = pick(y, true, rank);
            let outbound = pick(y, false, rank);
            if inbound.is_none() && outbound.is_none() {
                continue;
            }
            rows.push(vec![
                Cell::text(y.to_string()),
                Cell::num(rank as f64, 0),
                who(inbound, true),
                total(inbound),
                who(outbound, false),
                total(outbound),
            ]);
        }
    }
    if rows.is_empty() {
        let why = "influence: no year with both trade and UN votes for these states".to_string();
        c.missing.push(why.clone());
        return vec![Block::Paragraph(format!("Not shown: {why}."))];
    }
    vec![Block::Table(Table {
        id: "influence-table".into(),
        title: format!(
            "Who can influence {0} most, and whom {0} can influence most",
            c.fname
        ),
        columns: vec![
            "Year".into(),
            "Rank".into(),
            format!("Can influence {}", c.fname),
            "Index".into(),
            format!("{} can influence", c.fname),
            "Index".into(),
        ],
        rows,
        source: c.source(&[&a.provenance]),
        method: "influence (FBIC-style, open): per directed dyad-year, trade and security (arms transfers over 5 years, ATOP alliances) each score √(bandwidth × dependence): the tie against the world's largest of its kind, times the target's reliance on it relative to its GDP or military spending; their mean, with equal weights, is multiplied by (1 + UN vote alignment)/2, the alignment weighted by the influencer's GDP relative to the target's; Chinese official finance weighted 0 by default. Index 0-1; components per row in the CSV of `pivot measure influence`. Years shown: those with trade and votes, five years apart.".into(),
    })]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed: covered 1995-2014 and 2019-2020 → 2020, then 2014 (a landmark within
    /// six years), then 2009, 2004, 1999; six years at most. Covered 1950-2020: 2020, 2014,
    /// 2009, 2004, 1999, 1994. Covered to 2023: 2023, 2022 (landmark), 2017, 2014 (landmark),
    /// 2009, 2004.
    #[test]
    fn years_shown_step_back_five_years_from_the_last_through_2014_and_2022() {
        let covered: BTreeSet<i32> = (1995..=2014).chain(2019..=2020).collect();
        assert_eq!(years_shown(&covered), vec![1999, 2004, 2009, 2014, 2020]);
        let long: BTreeSet<i32> = (1950..=2020).collect();
        assert_eq!(years_shown(&long), vec![1994, 1999, 2004, 2009, 2014, 2020]);
        let to2023: BTreeSet<i32> = (1950..=2023).collect();
        assert_eq!(
            years_shown(&to2023),
            vec![2004, 2009, 2014, 2017, 2022, 2023]
        );
        let no_landmark: BTreeSet<i32> = (1950..=2010).collect();
        assert_eq!(
            years_shown(&no_landmark),
            vec![1985, 1990, 1995, 2000, 2005, 2010]
        );
        assert!(years_shown(&BTreeSet::new()).is_empty());
    }
}
