//! What a trade answer must say beside its numbers: where the spliced series changes source and
//! how large the step is there (measured on the years both sources hold), and which partners
//! vanished from a source's reported flows against the years before (a pair with no report in the
//! source is absent, not zero, so a total is understated and every share is of the reported
//! total).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Deserialize;

pub(crate) use crate::trade_series::title;
use crate::trade_series::{SPLICE_ORDER, SourcedFlow, quote};
use crate::{Engine, EngineError};

/// How many years before a year a partner's flows are looked for ("had flows before").
pub(crate) const VANISHED_WINDOW: i32 = 3;
/// Vanished partners named one by one (largest last value first); the rest are counted.
const VANISHED_NAMED: usize = 8;
/// A year's vanished partners are named when their last values add up to at least this share
/// of the state's reported total that year; smaller losses (a microstate's few millions) are
/// only counted, so a long series does not bury the years that matter.
const VANISHED_MIN_SHARE: f64 = 0.005;
/// Overlap years shown for a level break (those nearest the join).
const BREAK_YEARS: usize = 3;

/// A value in current USD, as a reader of a briefing writes it.
pub(crate) fn usd(v: f64) -> String {
    if v >= 1e9 {
        format!("{:.1} bn USD", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.0} m USD", v / 1e6)
    } else {
        format!("{:.2} m USD", v / 1e6)
    }
}

/// A partner as a note names it, with its last value: `Belarus (BLR, 2021: 36.5 bn USD)`.
fn named(iso3: &str, year: i32, v: f64) -> String {
    let value = format!("{iso3}, {year}: {}", usd(v));
    match pivot_vocab::Countries::bundled().by_iso3(iso3) {
        Some(c) => format!("{} ({value})", c.name),
        None => format!("({value})"),
    }
}

/// Whether a state had ceased to exist by `year` (the GDR in 1992): not a missing partner.
fn ended_before(iso3: &str, year: i32) -> bool {
    pivot_vocab::Countries::bundled()
        .by_iso3(iso3)
        .and_then(|c| c.end_year)
        .is_some_and(|e| e < year)
}

/// Partners of a state that vanished from a source's reported flows in one year.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Vanished {
    /// The year and the source that gave it.
    pub year: i32,
    pub src: String,
    /// Partners with flows (> 0) in the same source in the [`VANISHED_WINDOW`] years before
    /// but none in the year: ISO3, last year with flows, that year's value (both
    /// directions, current USD); largest first.
    pub partners: Vec<(String, i32, f64)>,
    /// Their last values together, and the state's reported total in the year.
    pub lost: f64,
    pub total: f64,
}

impl Vanished {
    /// Whether the loss is large enough to name the partners ([`VANISHED_MIN_SHARE`]).
    pub fn named(&self) -> bool {
        self.lost >= VANISHED_MIN_SHARE * self.total
    }

    /// `83 partners, together 75.9 bn USD in their last year against 601.8 bn USD reported in
    /// 2023: Belarus (BLR, 2021: 36.5 bn USD), …`
    pub fn describe(&self) -> String {
        format!(
            "{} partners, together {} in their last year against {} reported in {}: {}",
            self.partners.len(),
            usd(self.lost),
            usd(self.total),
            self.year,
            self.list()
        )
    }

    /// The partners, largest first: `Belarus (BLR, 2021: 36.5 bn USD), …, and 75 more (…)`.
    pub fn list(&self) -> String {
        let mut listed: Vec<String> = self
            .partners
            .iter()
            .take(VANISHED_NAMED)
            .map(|(p, ly, v)| named(p, *ly, *v))
            .collect();
        if self.partners.len() > VANISHED_NAMED {
            let rest = &self.partners[VANISHED_NAMED..];
            listed.push(format!(
                "and {} more (together {} in their last year)",
                rest.len(),
                usd(rest.iter().map(|(_, _, v)| v).sum())
            ));
        }
        listed.join(", ")
    }
}

/// For `state` and each year of `year_src` (the source that gave the year), the partners that
/// vanished ([`Vanished`]); `all` holds every year of the state's flows, not only those asked.
pub(crate) fn vanished(
    state: &str,
    all: &[SourcedFlow],
    year_src: &BTreeMap<i32, String>,
) -> Vec<Vanished> {
    // (source, year) → partner → both directions' value.
    let mut by: HashMap<(&str, i32), HashMap<&str, f64>> = HashMap::new();
    for f in all.iter().filter(|f| f.value > 0.0) {
        let p = if f.exporter == state {
            &f.importer
        } else if f.importer == state {
            &f.exporter
        } else {
            continue;
        };
        *by.entry((f.src.as_str(), f.year))
            .or_default()
            .entry(p.as_str())
            .or_default() += f.value;
    }
    let mut out = vec![];
    for (&y, src) in year_src {
        // A year in which the state has no flow at all is not a coverage gap of partners.
        let Some(now) = by.get(&(src.as_str(), y)) else {
            continue;
        };
        let mut gone: BTreeMap<&str, (i32, f64)> = BTreeMap::new();
        for back in y - VANISHED_WINDOW..y {
            for (p, v) in by.get(&(src.as_str(), back)).into_iter().flatten() {
                if !now.contains_key(p) && !ended_before(p, y) {
                    gone.insert(p, (back, *v));
                }
            }
        }
        if gone.is_empty() {
            continue;
        }
        let mut partners: Vec<(String, i32, f64)> = gone
            .into_iter()
            .map(|(p, (ly, v))| (p.to_string(), ly, v))
            .collect();
        partners.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        out.push(Vanished {
            year: y,
            src: src.clone(),
            lost: partners.iter().map(|p| p.2).sum(),
            total: now.values().sum(),
            partners,
        });
    }
    out
}

/// The provenance note on `state`'s vanished partners: the years with a loss worth naming
/// one by one, the others in one clause. `None` when no partner vanished.
pub(crate) fn vanished_note(
    state: &str,
    years: &[Vanished],
    title: &dyn Fn(&str) -> String,
) -> Option<String> {
    let (big, small): (Vec<&Vanished>, Vec<&Vanished>) = years.iter().partition(|v| v.named());
    let small = (!small.is_empty()).then(|| {
        format!(
            "in {} a few partners with flows in the same source in the {VANISHED_WINDOW} years before had none, together under {}% of the year's reported total",
            pivot_vocab::year_runs(small.iter().map(|v| v.year)),
            VANISHED_MIN_SHARE * 100.0
        )
    });
    if big.is_empty() {
        return small.map(|small| {
            format!(
                "Partners missing from {state}'s reported trade: {small} (absent, not zero; shares are of the reported total)."
            )
        });
    }
    let mut n = format!(
        "Partners missing from {state}'s reported trade, absent from the source, not zero (no report of those flows reached it): partners with flows in the same source in the {VANISHED_WINDOW} years before but none in the year, with their last value. {}. So {state}'s total in those years is understated, and every share is of the reported total (higher than of {state}'s true trade).",
        big.iter()
            .map(|v| format!("{} ({}: {})", v.year, title(&v.src), v.describe()))
            .collect::<Vec<_>>()
            .join("; ")
    );
    if let Some(small) = small {
        n.push_str(&format!(" Besides, {small}."));
    }
    Some(n)
}

impl Engine {
    /// The source of each year of `state`'s spliced trade series.
    pub(crate) fn year_sources(&self, state: &str) -> Result<BTreeMap<i32, String>, EngineError> {
        let all = self.sourced_flows(
            pivot_measures::TradeSource::Spliced,
            &pivot_vocab::YearRange::ALL,
            Some(&[state.to_string()]),
        )?;
        Ok(all.iter().map(|f| (f.year, f.src.clone())).collect())
    }

    /// The partners that vanished from `state`'s spliced trade series in `year`.
    pub(crate) fn vanished_in(
        &self,
        state: &str,
        year: i32,
    ) -> Result<Option<Vanished>, EngineError> {
        let all = self.sourced_flows(
            pivot_measures::TradeSource::Spliced,
            &pivot_vocab::YearRange::ALL,
            Some(&[state.to_string()]),
        )?;
        let year_src: BTreeMap<i32, String> = all
            .iter()
            .filter(|f| f.year == year)
            .map(|f| (f.year, f.src.clone()))
            .collect();
        Ok(vanished(state, &all, &year_src).pop())
    }

    /// Total trade (both directions, current USD) of `state` — of every state when `None` —
    /// per year of `years`, from one source.
    pub(crate) fn source_totals(
        &self,
        id: &str,
        years: &[i32],
        state: Option<&str>,
    ) -> Result<BTreeMap<i32, f64>, EngineError> {
        #[derive(Deserialize)]
        struct T {
            year: i32,
            value: Option<f64>,
        }
        if years.is_empty() {
            return Ok(BTreeMap::new());
        }
        let (table, product) = crate::trade_series::all_goods(id);
        let touch = match state {
            Some(s) => format!("AND (exporter = {s} OR importer = {s})", s = quote(s)),
            None => String::new(),
        };
        let q = format!(
            "SELECT year, SUM(value_usd_m) * 1e6 AS value FROM {table} WHERE source = {} AND {product} \
             AND exporter <> importer AND year IN ({}) {touch} GROUP BY year",
            quote(id),
            years
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        Ok(self
            .rows::<T>(&q)?
            .into_iter()
            .filter_map(|t| Some((t.year, t.value?)))
            .collect())
    }

    /// The level breaks of a spliced answer: at each year where the source changes, the totals
    /// of `states` (of the world when empty; three states at most) from both sources on the
    /// years both hold, nearest the join first.
    pub(crate) fn level_breaks(
        &self,
        year_src: &BTreeMap<i32, String>,
        states: &[String],
        title: &dyn Fn(&str) -> String,
    ) -> Result<Vec<String>, EngineError> {
        let mut out = vec![];
        let joins: Vec<(i32, &str, i32, &str)> = year_src
            .iter()
            .zip(year_src.iter().skip(1))
            .filter(|((_, a), (_, b))| a != b)
            .map(|((ya, a), (yb, b))| (*ya, a.as_str(), *yb, b.as_str()))
            .collect();
        let whose: Vec<Option<&str>> = if states.is_empty() {
            vec![None]
        } else {
            states.iter().take(3).map(|s| Some(s.as_str())).collect()
        };
        for (ya, a, yb, b) in joins {
            let both: BTreeSet<i32> = {
                let ha: HashSet<i32> = self.source_years(a)?.into_iter().collect();
                self.source_years(b)?
                    .into_iter()
                    .filter(|y| ha.contains(y))
                    .collect()
            };
            // Nearest the join: the years of the later source's side first.
            let mut near: Vec<i32> = both.iter().copied().collect();
            near.sort_by_key(|y| ((y - ya).abs().min((y - yb).abs()), *y));
            near.truncate(BREAK_YEARS);
            near.sort_unstable();
            let head = format!("Level break at {ya}/{yb} ({} → {})", title(a), title(b));
            if near.is_empty() {
                out.push(format!(
                    "{head}: the two sources share no year, so the step cannot be measured; read a change across {ya}/{yb} as partly a change of source."
                ));
                continue;
            }
            let mut parts = vec![];
            for w in &whose {
                let ta = self.source_totals(a, &near, *w)?;
                let tb = self.source_totals(b, &near, *w)?;
                let who = w.map_or("world".to_string(), |s| s.to_string());
                let cells: Vec<String> = near
                    .iter()
                    .filter_map(|y| {
                        let (va, vb) = (ta.get(y)?, tb.get(y)?);
                        Some(format!(
                            "{y} {} from {} against {} from {} ({:+.1}%)",
                            usd(*vb),
                            title(b),
                            usd(*va),
                            title(a),
                            (vb / va - 1.0) * 100.0
                        ))
                    })
                    .collect();
                if !cells.is_empty() {
                    parts.push(format!("{who}'s total trade {}", cells.join("; ")));
                }
            }
            if parts.is_empty() {
                out.push(format!(
                    "{head}: no year with flows of these states in both sources, so the step cannot be measured."
                ));
            } else {
                out.push(format!(
                    "{head}, measured on the years both sources hold: {}. Read a change across {ya}/{yb} as partly a change of source.",
                    parts.join(". ")
                ));
            }
        }
        Ok(out)
    }
}

/// The source order of the spliced series, as a note writes it.
pub(crate) fn splice_order_text(title: &dyn Fn(&str) -> String) -> String {
    SPLICE_ORDER
        .iter()
        .map(|id| title(id))
        .collect::<Vec<_>>()
        .join(", then ")
}
