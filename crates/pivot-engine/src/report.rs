//! The report on a focal state's pivot (default: Russia's pivot to Asia, with the claims of
//! Mankoff 2015 checked against the data). Every number comes from the measures; this module
//! only chooses what to show and lays it out in `pivot-report`'s document model.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use pivot_report::{
    Block, Cell, Chart, ChartKind, ClaimRow, ClaimsTable, Point, Report, Section, Series, Table,
    Verdict,
};
use serde_json::Value;

use crate::claims::{ClaimVerdict, parse_claims, table_rows};
use crate::measure::MeasureRequest;
use crate::{Engine, EngineError};

/// The Mankoff 2015 claims, embedded so the report works from any folder.
pub const MANKOFF_CLAIMS: &str = include_str!("../../../claims/mankoff-2015.toml");

/// Options of `pivot report`.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Focal state.
    pub focal: String,
    /// Partners (the first is highlighted).
    pub partners: Vec<String>,
    /// Years.
    pub years: Option<String>,
    /// Claims file (default: Mankoff 2015 when the focal state is Russia).
    pub claims: Option<PathBuf>,
    /// Contrast partners: shown in the trade and UN charts, left out of the hedging view (which
    /// asks how the focal state spreads its ties among the others).
    pub contrasts: Vec<String>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            focal: "RUS".into(),
            partners: ["CHN", "IND", "JPN", "KOR", "VNM", "DEU", "USA"]
                .map(String::from)
                .to_vec(),
            years: None,
            claims: None,
            contrasts: ["DEU", "USA"].map(String::from).to_vec(),
        }
    }
}

fn name(code: &str) -> String {
    pivot_vocab::Countries::bundled()
        .by_iso3(code)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| code.to_string())
}

fn f(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or(f64::NAN)
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

fn i(v: &Value, k: &str) -> i64 {
    v[k].as_i64().unwrap_or(0)
}

struct Ctx<'a> {
    e: &'a Engine,
    focal: String,
    fname: String,
    partners: Vec<String>,
    years: Option<String>,
    used: BTreeSet<String>,
    missing: Vec<String>,
    /// Datasets behind the measures run since the last [`Ctx::source`] call.
    last: BTreeSet<String>,
}

impl Ctx<'_> {
    fn run(
        &mut self,
        name: &str,
        partners: &[String],
        by: Option<&str>,
        params: &[(&str, &str)],
    ) -> Option<Vec<Value>> {
        let focal = self.focal.clone();
        self.run_as(&focal, name, partners, by, params)
    }

    /// Run a measure with another state as its focal state; problems go to the report's
    /// "Not shown" list.
    fn run_as(
        &mut self,
        focal: &str,
        measure: &str,
        partners: &[String],
        by: Option<&str>,
        params: &[(&str, &str)],
    ) -> Option<Vec<Value>> {
        let mut req = MeasureRequest::new(measure).param("focal", focal);
        if !partners.is_empty() {
            req = req.param("partners", partners.to_vec());
        }
        if let Some(y) = &self.years
            && !params.iter().any(|(k, _)| *k == "years")
        {
            req = req.param("years", y.as_str());
        }
        if let Some(b) = by {
            req = req.param("by", b);
        }
        for (k, v) in params {
            req = req.param(*k, *v);
        }
        let label = params
            .iter()
            .fold(measure.to_string(), |l, (k, v)| format!("{l} {k}={v}"));
        let mut ids = vec![];
        match self.e.measure(&req).and_then(|t| {
            ids = t.provenance.datasets.iter().map(|d| d.id.clone()).collect();
            table_rows(&t)
        }) {
            Ok(r) if !r.is_empty() => {
                self.used.extend(ids.iter().cloned());
                self.last.extend(ids);
                Some(r)
            }
            Ok(_) => {
                self.missing
                    .push(format!("{label}: no rows for {}", name(focal)));
                None
            }
            Err(err) => {
                self.missing.push(format!("{label}: {err}"));
                None
            }
        }
    }
}

impl Ctx<'_> {
    /// The source line of a chart or table: the title and version of every dataset behind the
    /// measures run since the last call, from the store's manifest (so a chart drawn from BACI
    /// or a newer SIPRI release names it). Clears the list.
    fn source(&mut self) -> String {
        let m = self.e.manifest();
        let parts: Vec<String> = std::mem::take(&mut self.last)
            .iter()
            .filter(|id| id.as_str() != "reference")
            .filter_map(|id| m.datasets.get(id))
            .map(|d| format!("{}, {}", d.title, d.version))
            .collect();
        format!(
            "Source{}: {}",
            if parts.len() > 1 { "s" } else { "" },
            parts.join("; ")
        )
    }
}

/// Points with a missing (NaN) point in every year between the first and the last that has
/// none, so a line chart breaks at a gap in the data instead of drawing across it.
fn with_gaps(mut points: Vec<Point>) -> Vec<Point> {
    let years: BTreeSet<i64> = points
        .iter()
        .filter_map(|p| match p.x {
            pivot_report::XValue::Num(x) => Some(x as i64),
            _ => None,
        })
        .collect();
    if let (Some(&a), Some(&b)) = (years.first(), years.last()) {
        for y in a..=b {
            if !years.contains(&y) {
                points.push(Point::num(y as f64, f64::NAN));
            }
        }
    }
    points.sort_by(|p, q| match (&p.x, &q.x) {
        (pivot_report::XValue::Num(a), pivot_report::XValue::Num(b)) => a.total_cmp(b),
        _ => std::cmp::Ordering::Equal,
    });
    points
}

/// Runs of consecutive years: `1870-2014, 2019-2020`.
fn year_runs(years: &BTreeSet<i64>) -> String {
    let mut runs: Vec<(i64, i64)> = vec![];
    for &y in years {
        match runs.last_mut() {
            Some((_, b)) if *b + 1 == y => *b = y,
            _ => runs.push((y, y)),
        }
    }
    runs.iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn line_chart(
    id: &str,
    title: String,
    y_label: &str,
    unit: &str,
    series: Vec<Series>,
    source: &str,
    method: &str,
) -> Chart {
    Chart {
        id: id.into(),
        title,
        kind: ChartKind::Line,
        x_label: "Year".into(),
        y_label: y_label.into(),
        y_unit: unit.into(),
        series,
        annotations: vec![],
        y_range: None,
        source: source.into(),
        method: method.into(),
    }
}

impl Engine {
    /// Build the report document.
    pub fn build_report(&self, opts: &ReportOptions) -> Result<Report, EngineError> {
        let focal = self.iso3(&opts.focal)?;
        if opts.partners.iter().all(|p| p.trim().is_empty()) {
            return Err(EngineError::Input(
                "the report needs at least one partner (e.g. --partners CHN,IND)".into(),
            ));
        }
        let partners = self.resolve_set(&opts.partners)?;
        // Years that do not parse would fail every section into "Not shown": refused here.
        if let Some(y) = &opts.years {
            y.parse::<pivot_vocab::YearRange>()
                .map_err(|e| EngineError::Input(format!("report years: {e}")))?;
        }
        let mut c = Ctx {
            e: self,
            fname: name(&focal),
            focal: focal.clone(),
            partners: partners.clone(),
            years: opts.years.clone(),
            used: BTreeSet::new(),
            missing: vec![],
            last: BTreeSet::new(),
        };
        let mut sections = Vec::new();
        let highlight = partners.first().cloned().unwrap_or_default();

        // --- Trade partner shares
        let mut trade_blocks = vec![];
        if let Some(rows) = c.run("partner-share", &[], None, &[]) {
            let trade_src = c.source();
            let last = rows.iter().map(|r| i(r, "year")).max().unwrap_or(0);
            let mut shown: Vec<String> = c.partners.clone();
            let mut top: Vec<&Value> = rows.iter().filter(|r| i(r, "year") == last).collect();
            top.sort_by_key(|r| i(r, "rank"));
            for r in top.iter().take(5) {
                let p = s(r, "partner");
                if !shown.contains(&p) {
                    shown.push(p);
                }
            }
            let series: Vec<Series> = shown
                .iter()
                .map(|p| Series {
                    name: name(p),
                    points: with_gaps(
                        rows.iter()
                            .filter(|r| &s(r, "partner") == p && i(r, "year") >= 1992)
                            .map(|r| Point::num(i(r, "year") as f64, 100.0 * f(r, "share")))
                            .collect(),
                    ),
                    highlight: *p == highlight,
                })
                .filter(|s| s.points.iter().any(|p| p.y.is_finite()))
                .collect();
            // Where the series changes source or stops: from the measure's provenance.
            let years_with: BTreeSet<i64> = rows
                .iter()
                .map(|r| i(r, "year"))
                .filter(|y| *y >= 1992)
                .collect();
            let gap_years: BTreeSet<i64> = match (years_with.first(), years_with.last()) {
                (Some(&a), Some(&b)) => (a..=b).filter(|y| !years_with.contains(y)).collect(),
                _ => BTreeSet::new(),
            };
            let imf_from = (self.has_dataset("imf_dots") && !self.has_dataset("baci"))
                .then(|| years_with.iter().copied().find(|y| *y >= 2015))
                .flatten();
            let mut trade_marks = vec![];
            if let Some(y) = imf_from {
                trade_marks.push(pivot_report::Annotation {
                    x: y as f64,
                    label: "IMF DOTS from here".into(),
                });
            }
            let mut text = format!(
                "Shares of {}'s total trade (exports plus imports) by partner, from 1992. {} is highlighted. In {last}, {}'s largest partner was {} ({:.1}% of its trade).",
                c.fname,
                name(&highlight),
                c.fname,
                top.first()
                    .map(|r| name(&s(r, "partner")))
                    .unwrap_or_default(),
                top.first()
                    .map(|r| 100.0 * f(r, "share"))
                    .unwrap_or(f64::NAN)
            );
            if !gap_years.is_empty() {
                text.push_str(&format!(
                    " There is no trade data for {} (the lines break there; nothing is interpolated): ingest BACI for those years (pivot data ingest baci PATH) and the report uses it.",
                    year_runs(&gap_years)
                ));
            }
            if let Some(y) = imf_from {
                text.push_str(&format!(
                    " From {y} the series is IMF DOTS (each direction as its exporter reports it, FOB), not COW's importer-based blend: read the step at the break as partly a change of source."
                ));
            }
            trade_blocks.push(Block::Paragraph(text));
            let mut chart = line_chart(
                "trade-shares",
                format!("{}'s trade partner shares", c.fname),
                "Share of total trade",
                "%",
                series,
                &trade_src,
                "partner-share: (exports + imports with partner) / total trade, current USD; COW 365 covers the USSR before 1992; COW to 2014, IMF DOTS exports from 2019 where BACI is not loaded.",
            );
            chart.annotations = trade_marks.clone();
            trade_blocks.push(Block::Chart(chart));
            trade_blocks.push(Block::Table(Table {
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
                            Cell::num(f(r, "rank"), 0),
                            Cell::text(name(&s(r, "partner"))),
                            Cell::num(f(r, "value") / 1e6, 0),
                            Cell::num(100.0 * f(r, "share"), 1),
                        ]
                    })
                    .collect(),
                source: trade_src.clone(),
                method: "partner-share, direction total, current USD".into(),
            }));
            // Asia's share of total trade (the region-share measure).
            let regions = c
                .run(
                    "region-share",
                    &[],
                    None,
                    &[("regions", "asia,east-south-asia")],
                )
                .unwrap_or_default();
            let pts = |region: &str| {
                with_gaps(
                    regions
                        .iter()
                        .filter(|r| s(r, "region") == region && i(r, "year") >= 1992)
                        .map(|r| Point::num(i(r, "year") as f64, 100.0 * f(r, "share")))
                        .collect(),
                )
            };
            let mut asia_chart = line_chart(
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
                &trade_src,
                "region-share: sum of partner shares over each set's members (UN M49 geoscheme via world-countries).",
            );
            asia_chart.annotations = trade_marks;
            trade_blocks.push(Block::Chart(asia_chart));
        }
        sections.push(Section {
            id: "trade".into(),
            heading: "Trade".into(),
            blocks: trade_blocks,
        });

        // --- Energy
        let mut energy_blocks = vec![];
        if let Some(rows) = c.run(
            "energy-destinations",
            &[],
            Some("destination"),
            &[("top", "5")],
        ) {
            let energy_src = c.source();
            energy_blocks.push(Block::Paragraph(format!(
                "{}'s energy exports by destination (volumes). Oil and coal destinations are the publisher's areas (\"Europe\" is one area); LNG and pipeline gas are by country. 2022 is missing from the bundled editions.",
                c.fname
            )));
            let highlight_name = name(&highlight);
            for (carrier, label, unit) in [
                ("crude_oil", "Crude oil", "Mt"),
                ("oil_products", "Oil products", "Mt"),
                ("pipeline_gas", "Pipeline gas", "bcm"),
                ("lng", "LNG", "bcm"),
            ] {
                let rs: Vec<&Value> = rows.iter().filter(|r| s(r, "carrier") == carrier).collect();
                if rs.is_empty() {
                    continue;
                }
                // The measure kept the five largest destinations and summed the rest as
                // "Other"; stack them largest first, Other last.
                let mut tot: HashMap<String, f64> = HashMap::new();
                for r in &rs {
                    *tot.entry(s(r, "importer")).or_default() += f(r, "volume");
                }
                let mut dests: Vec<(String, f64)> = tot.into_iter().collect();
                dests.sort_by(|a, b| {
                    (a.0 == "Other")
                        .cmp(&(b.0 == "Other"))
                        .then(b.1.total_cmp(&a.1))
                        .then(a.0.cmp(&b.0))
                });
                let years: BTreeSet<i64> = rs.iter().map(|r| i(r, "year")).collect();
                let series: Vec<Series> = dests
                    .iter()
                    .map(|(d, _)| Series {
                        name: d.clone(),
                        points: years
                            .iter()
                            .map(|y| {
                                Point::cat(
                                    y.to_string(),
                                    rs.iter()
                                        .filter(|r| i(r, "year") == *y && &s(r, "importer") == d)
                                        .map(|r| f(r, "volume"))
                                        .sum(),
                                )
                            })
                            .collect(),
                        highlight: *d == highlight_name,
                    })
                    .collect();
                energy_blocks.push(Block::Chart(Chart {
                    id: format!("energy-{}", carrier.replace('_', "-")),
                    title: format!("{}'s {} exports by destination", c.fname, if label == "LNG" { label.to_string() } else { label.to_lowercase() }),
                    kind: ChartKind::StackedBar,
                    x_label: "Year".into(),
                    y_label: "Exports".into(),
                    y_unit: unit.into(),
                    series,
                    annotations: vec![],
                    y_range: None,
                    source: energy_src.clone(),
                    method: "energy-destinations: volumes by destination; subtotal rows dropped; top five destinations, the rest as Other.".into(),
                }));
            }
        }
        if let Some(rows) = c.run("energy-destinations", &[], None, &[]) {
            energy_blocks.push(Block::Table(Table {
                id: "energy-asia".into(),
                title: format!("Asia's share of {}'s energy exports", c.fname),
                columns: vec!["Year".into(), "Carrier".into(), "Total".into(), "Unit".into(), "Asia share (%)".into()],
                rows: rows.iter().map(|r| vec![Cell::text(i(r, "year").to_string()), Cell::text(s(r, "carrier")), Cell::num(f(r, "total"), 1), Cell::text(s(r, "unit")), Cell::num(100.0 * f(r, "asia_share"), 1)]).collect(),
                source: c.source(),
                method: "Asia = destinations in UN M49 Asia, and the publisher's area Other Asia Pacific.".into(),
            }));
        }
        sections.push(Section {
            id: "energy".into(),
            heading: "Energy".into(),
            blocks: energy_blocks,
        });

        // --- Arms
        let mut arms_blocks = vec![];
        if let Some(rows) = c.run(
            "arms-shares",
            &[],
            None,
            &[("periods", "2000-2011;2012-2023")],
        ) {
            let arms_src = c.source();
            let mut tot: HashMap<String, f64> = HashMap::new();
            for r in &rows {
                *tot.entry(s(r, "recipient")).or_default() += f(r, "tiv");
            }
            let mut rec: Vec<(String, f64)> = tot.into_iter().collect();
            rec.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let keep: Vec<String> = rec.iter().take(8).map(|x| x.0.clone()).collect();
            let periods: BTreeSet<(i64, i64)> = rows
                .iter()
                .map(|r| (i(r, "period_start"), i(r, "period_end")))
                .collect();
            let series: Vec<Series> = periods
                .iter()
                .map(|(a, b)| Series {
                    name: format!("{a}–{b}"),
                    points: keep
                        .iter()
                        .map(|k| {
                            Point::cat(
                                name(k),
                                rows.iter()
                                    .find(|r| &s(r, "recipient") == k && i(r, "period_start") == *a)
                                    .map(|r| 100.0 * f(r, "share"))
                                    .unwrap_or(0.0),
                            )
                        })
                        .collect(),
                    highlight: false,
                })
                .collect();
            arms_blocks.push(Block::Chart(Chart {
                id: "arms-recipients".into(),
                title: format!("{}'s arms deliveries by recipient and period", c.fname),
                kind: ChartKind::GroupedBar,
                x_label: "Recipient".into(),
                y_label: "Share of TIV delivered".into(),
                y_unit: "%".into(),
                series,
                annotations: vec![],
                y_range: None,
                source: arms_src.clone(),
                method: "arms-shares: recipient shares of the supplier's TIV per period; TIV is a volume index, not money.".into(),
            }));
            arms_blocks.push(Block::Table(Table {
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
                    .filter(|r| i(r, "rank") <= 8)
                    .map(|r| {
                        vec![
                            Cell::text(format!("{}–{}", i(r, "period_start"), i(r, "period_end"))),
                            Cell::num(f(r, "rank"), 0),
                            Cell::text(name(&s(r, "recipient"))),
                            Cell::num(f(r, "tiv"), 0),
                            Cell::num(100.0 * f(r, "share"), 1),
                        ]
                    })
                    .collect(),
                source: arms_src,
                method: "arms-shares".into(),
            }));
        }
        sections.push(Section {
            id: "arms".into(),
            heading: "Arms".into(),
            blocks: arms_blocks,
        });

        // --- UN alignment
        let mut un_blocks = vec![];
        let un_partners: Vec<String> = c.partners.clone();
        if let Some(rows) = c.run("un-alignment", &un_partners, None, &[]) {
            let series: Vec<Series> = un_partners
                .iter()
                .map(|p| Series {
                    name: name(p),
                    points: rows
                        .iter()
                        .filter(|r| &s(r, "partner") == p)
                        .map(|r| Point::num(f(r, "period"), f(r, "agreement")))
                        .collect(),
                    highlight: *p == highlight,
                })
                .filter(|s| !s.points.is_empty())
                .collect();
            let mut ch = line_chart(
                "un-agreement",
                format!("UN General Assembly vote agreement with {}", c.fname),
                "Agreement (Voeten)",
                "0-1",
                series,
                &c.source(),
                "un-alignment: 1 same vote, 0.5 one abstains, 0 opposite; mean over roll calls both voted on; per session. Soviet votes are Russia's.",
            );
            ch.x_label = "UNGA session".into();
            ch.y_range = Some((0.0, 1.0));
            un_blocks.push(Block::Chart(ch));
        }
        // Ideal points: where the focal state, its partners and the USA stand on the Assembly's
        // main dimension, from 1990 unless years are asked for (every state enters the
        // estimate; only these are drawn).
        let mut ip_states = c.partners.clone();
        if !ip_states.iter().any(|p| p == "USA") && focal != "USA" {
            ip_states.push("USA".into());
        }
        let ip_years = c.years.clone().unwrap_or_else(|| "1990-".into());
        if let Some(rows) = c.run(
            "un-ideal-points",
            &ip_states,
            None,
            &[("years", ip_years.as_str())],
        ) {
            let mut drawn = vec![focal.clone()];
            drawn.extend(ip_states.iter().cloned());
            let series: Vec<Series> = drawn
                .iter()
                .map(|p| Series {
                    name: name(p),
                    points: with_gaps(
                        rows.iter()
                            .filter(|r| &s(r, "country") == p)
                            .map(|r| Point::num(f(r, "year"), f(r, "ideal_point")))
                            .collect(),
                    ),
                    highlight: *p == focal || *p == highlight,
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
                &c.source(),
                "un-ideal-points: dynamic ordered-probit item-response model of yes/abstain/no votes (every state and roll call enters), random-walk prior linking the years, posterior mode; each year's positions standardised (mean 0, sd 1), sign so that the USA is positive. Standard errors and 95% intervals: pivot measure un-ideal-points.",
            );
            ch.annotations = vec![pivot_report::Annotation {
                x: 2014.0,
                label: "2014".into(),
            }];
            un_blocks.push(Block::Chart(ch));
        }
        sections.push(Section {
            id: "diplomacy".into(),
            heading: "Diplomacy".into(),
            blocks: un_blocks,
        });

        // --- Power
        let mut power_blocks = vec![];
        if !highlight.is_empty() {
            let mut series = Vec::new();
            for (ind, label) in [
                ("gdp_usd", "GDP (current USD, World Bank)"),
                ("cinc", "CINC (COW NMC)"),
                (
                    "milex_const2022_usd_m",
                    "Military expenditure (SIPRI, constant 2022 USD)",
                ),
            ] {
                if let Some(rows) = c.run_as(
                    &highlight,
                    "power-ratio",
                    std::slice::from_ref(&focal),
                    None,
                    &[("indicator", ind)],
                ) {
                    series.push(Series {
                        name: label.into(),
                        points: rows
                            .iter()
                            .filter(|r| i(r, "year") >= 1990)
                            .map(|r| Point::num(f(r, "year"), f(r, "ratio")))
                            .collect(),
                        highlight: ind == "gdp_usd",
                    });
                }
            }
            let mut ch = line_chart(
                "power-ratios",
                format!("{} / {} power ratios", name(&highlight), c.fname),
                "Ratio",
                "×",
                series,
                &c.source(),
                "power-ratio: value of the first state / value of the second, years where both exist.",
            );
            ch.annotations = vec![pivot_report::Annotation {
                x: 2014.0,
                label: "2014".into(),
            }];
            power_blocks.push(Block::Chart(ch));
        }
        sections.push(Section {
            id: "power".into(),
            heading: "Power".into(),
            blocks: power_blocks,
        });

        // --- Influence: who can influence the focal state most, and whom it can influence,
        // in years that every default dimension covers (trade and votes), five years apart.
        let mut infl_blocks = vec![];
        if let Some(rows) = c.run("influence", &[], None, &[("top", "5")]) {
            let covered: BTreeSet<i64> = rows
                .iter()
                .filter(|r| r["economic"].is_number() && r["political"].is_number())
                .map(|r| i(r, "year"))
                .collect();
            let mut years = vec![];
            if let (Some(&first), Some(&last)) = (covered.first(), covered.last()) {
                let mut y = last;
                while y >= first && years.len() < 6 {
                    if let Some(&c) = covered.range(..=y).next_back() {
                        if years.last() != Some(&c) {
                            years.push(c);
                        }
                        y = c - 5;
                    } else {
                        break;
                    }
                }
            }
            years.reverse();
            let pick = |year: i64, inbound: bool, rank: i64| {
                rows.iter().find(|r| {
                    i(r, "year") == year
                        && i(r, "rank") == rank
                        && if inbound {
                            s(r, "target") == focal
                        } else {
                            s(r, "influencer") == focal
                        }
                })
            };
            let mut table_rows = vec![];
            for &y in &years {
                for rank in 1..=5 {
                    let a = pick(y, true, rank);
                    let b = pick(y, false, rank);
                    if a.is_none() && b.is_none() {
                        continue;
                    }
                    let cell = |r: Option<&Value>, k: &str| {
                        r.map(|r| Cell::text(name(&s(r, k)))).unwrap_or(Cell::Empty)
                    };
                    let total = |r: Option<&Value>| {
                        r.map(|r| Cell::num(f(r, "total"), 3))
                            .unwrap_or(Cell::Empty)
                    };
                    table_rows.push(vec![
                        Cell::text(y.to_string()),
                        Cell::num(rank as f64, 0),
                        cell(a, "influencer"),
                        total(a),
                        cell(b, "target"),
                        total(b),
                    ]);
                }
            }
            if !table_rows.is_empty() {
                infl_blocks.push(Block::Table(Table {
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
                    rows: table_rows,
                    source: c.source(),
                    method: "influence (FBIC-style, open): per directed dyad-year, bandwidth and dependence in trade, security (arms transfers over 5 years and ATOP alliances) and UN votes (agreement beyond the Assembly's mean), weighted equally; Chinese official finance weighted 0 by default. Index 0-1; components per row in the CSV of `pivot measure influence`. Years shown: those with trade and votes, five years apart.".into(),
                }));
            }
        }
        sections.push(Section {
            id: "influence".into(),
            heading: "Influence".into(),
            blocks: infl_blocks,
        });

        // --- Finance
        let mut fin_blocks = vec![];
        if let Some(rows) = c.run("official-finance", &[], None, &[]) {
            let fin_src = c.source();
            fin_blocks.push(Block::Chart(Chart {
                id: "finance-chart".into(),
                title: format!("Chinese official finance to {} by year", c.fname),
                kind: ChartKind::StackedBar,
                x_label: "Commitment year".into(),
                y_label: "Commitments (adjusted)".into(),
                y_unit: "billion constant 2021 USD".into(),
                series: vec![Series { name: "Official finance".into(), points: rows.iter().map(|r| Point::cat(i(r, "year_start").to_string(), f(r, "amount") / 1e9)).collect(), highlight: true }],
                annotations: vec![],
                y_range: None,
                source: fin_src.clone(),
                method: "official-finance: AidData adjusted amounts; rank among all recipients per year in the table.".into(),
            }));
            fin_blocks.push(Block::Table(Table {
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
                rows: rows
                    .iter()
                    .map(|r| {
                        vec![
                            Cell::text(i(r, "year_start").to_string()),
                            Cell::num(f(r, "amount") / 1e9, 2),
                            Cell::num(100.0 * f(r, "share"), 1),
                            r["rank"]
                                .as_f64()
                                .map(|x| Cell::num(x, 0))
                                .unwrap_or(Cell::Empty),
                            Cell::num(f(r, "n_recipients"), 0),
                        ]
                    })
                    .collect(),
                source: fin_src,
                method: "official-finance, adjusted amounts".into(),
            }));
        }
        sections.push(Section {
            id: "finance".into(),
            heading: "Finance".into(),
            blocks: fin_blocks,
        });

        // --- Hedging
        let mut hedge_blocks = vec![];
        let contrasts = self.resolve_set(&opts.contrasts)?;
        let hedge_partners: Vec<String> = c
            .partners
            .iter()
            .filter(|p| !contrasts.contains(p))
            .cloned()
            .collect();
        if let Some(rows) = c.run("hedging-view", &hedge_partners, None, &[]) {
            let hedge_src = c.source();
            hedge_blocks.push(Block::Chart(Chart {
                id: "hedging-chart".into(),
                title: format!("{}'s hedging view across dimensions ({})", c.fname, hedge_partners.join(", ")),
                kind: ChartKind::HorizontalBar,
                x_label: "Dimension".into(),
                y_label: "Share of the dominant partner".into(),
                y_unit: "%".into(),
                series: vec![Series {
                    name: "Dominant partner's share".into(),
                    points: rows.iter().map(|r| Point::cat(format!("{} ({})", s(r, "dimension"), s(r, "dominant_partner")), 100.0 * f(r, "dominant_share"))).collect(),
                    highlight: true,
                }],
                annotations: vec![],
                y_range: Some((0.0, 100.0)),
                source: hedge_src.clone(),
                method: "hedging-view: within the partner set, dominant partner and its share per dimension.".into(),
            }));
            hedge_blocks.push(Block::Table(Table {
                id: "hedging-table".into(),
                title: "Concentration of partners by dimension".into(),
                columns: vec!["Dimension".into(), "Dominant partner".into(), "Share (%)".into(), "HHI*".into(), "Effective partners".into()],
                rows: rows.iter().map(|r| vec![Cell::text(s(r, "dimension")), Cell::text(name(&s(r, "dominant_partner"))), Cell::num(100.0 * f(r, "dominant_share"), 1), Cell::num(f(r, "hhi_normalized"), 3), Cell::num(f(r, "effective_number"), 2)]).collect(),
                source: hedge_src,
                method: "trade: last trade year; energy: crude oil, last energy year; arms: TIV over all years; diplomacy: mean agreement over the last five sessions.".into(),
            }));
        }
        sections.push(Section {
            id: "hedging".into(),
            heading: "Hedging".into(),
            blocks: hedge_blocks,
        });

        // --- Claims
        let claims_text = match &opts.claims {
            Some(p) => Some(crate::bounds::read_spec(p, "claims file")?),
            None if focal == "RUS" => Some(MANKOFF_CLAIMS.to_string()),
            None => None,
        };
        if let Some(text) = claims_text {
            let file =
                parse_claims(&text).map_err(|e| EngineError::Input(format!("claims: {e}")))?;
            let verdicts = self.check_claims(&file)?;
            let ids: BTreeSet<String> = sections
                .iter()
                .flat_map(|s| s.blocks.iter())
                .filter_map(|b| match b {
                    Block::Chart(ch) => Some(ch.id.clone()),
                    Block::Table(t) => Some(t.id.clone()),
                    _ => None,
                })
                .collect();
            let claims_section = Section {
                id: "claims".into(),
                heading: "Claims checked against the data".into(),
                blocks: vec![
                    Block::Paragraph(format!(
                        "{} — {}. Each claim's checks are in the claims file; a claim is supported when every check that the data can evaluate passes.",
                        file.title, file.source
                    )),
                    Block::Claims(ClaimsTable {
                        id: "claims-table".into(),
                        title: "Verdicts".into(),
                        rows: verdicts.iter().map(|v| claim_row(v, &ids)).collect(),
                    }),
                ],
            };
            sections.insert(0, claims_section);
        }

        let trade_limit = match self.manifest().datasets.get("baci") {
            Some(b) => format!(
                "Trade charts and the trade measures use the ingested BACI data ({}, {}) for the years it covers and the bundled COW series (v4.0, to 2014) for the others: the two differ in method, so expect a level break where they meet (a measure with source=cow_trade or source=baci uses one source only).{}",
                b.version,
                b.years.map(|(lo, hi)| format!("{lo}-{hi}")).unwrap_or_default(),
                if b.title.contains("SYNTHETIC") { " THE LOADED BACI DATA ARE SYNTHETIC (generated for tests and benchmarks): these trade numbers are not real." } else { "" }
            ),
            None if self.has_dataset("imf_dots") => "Bundled dyadic trade: COW v4.0 to 2014, then IMF DOTS exports FOB for 2019-2020 (exporter-reported: a state's imports are its partners' reported exports; a level break against COW's importer-based blend); 2015-2018 and 2021 onwards are missing. BACI fills them: pivot data ingest baci PATH, and pivot report then uses BACI for the years it covers.".into(),
            None => "Bundled dyadic trade (COW v4.0) ends in 2014: shares after the 2014 sanctions and the 2022 invasion need BACI or Comtrade (pivot data ingest baci PATH; pivot report then uses BACI for the years it covers).".into(),
        };
        let mut limits = vec![
            trade_limit,
            "Energy trade movements cover 2019, 2020, 2021 and 2023 (2022 is missing); oil and coal destinations are areas, not countries.".into(),
            "SIPRI arms transfers cover deliveries 2000-2023; TIV is a volume index, not money.".into(),
            "UN votes end with session 74 (2019); Soviet votes are recorded as Russia's.".into(),
            "SIPRI military expenditure: USSR and Russia are separate series; Chinese values are SIPRI estimates.".into(),
            "AidData GCDF 3.0 records commitments of Chinese official finance (2000-2021), not FDI.".into(),
        ];
        for m in &c.missing {
            limits.push(format!("Not shown: {m}"));
        }
        let citations = self
            .manifest()
            .datasets
            .values()
            .filter(|d| c.used.contains(&d.id) || d.id == "reference")
            .map(|d| pivot_report::Citation {
                key: d.id.clone(),
                text: d.citation.clone(),
            })
            .collect();
        Ok(Report {
            title: format!("{}'s pivot: dependence, hedging and alignment", c.fname),
            subtitle: Some(format!(
                "Focal state {} with {}; all numbers recomputed by pivot from the bundled open data",
                c.fname,
                partners
                    .iter()
                    .map(|p| name(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            generated_note: Some(format!(
                "pivot {} — datasets: {}{}",
                env!("CARGO_PKG_VERSION"),
                c.used.iter().cloned().collect::<Vec<_>>().join(", "),
                self.cluster()
                    .map(|cl| format!(" — {}", cl.note()))
                    .unwrap_or_default()
            )),
            sections,
            limits,
            citations,
        })
    }

    /// Build and write the report; returns the files written.
    pub fn write_report(
        &self,
        opts: &ReportOptions,
        out: &Path,
    ) -> Result<Vec<PathBuf>, EngineError> {
        let r = self.build_report(opts)?;
        Ok(pivot_report::write_report(&r, out)?)
    }
}

fn claim_row(v: &ClaimVerdict, ids: &BTreeSet<String>) -> ClaimRow {
    ClaimRow {
        id: v.id.clone(),
        claim: v.claim.clone(),
        verdict: match v.verdict.as_str() {
            "supported" => Verdict::Supported,
            "not supported" => Verdict::NotSupported,
            "mixed" => Verdict::Mixed,
            _ => Verdict::NotTestable,
        },
        evidence: v.evidence.clone(),
        links: v
            .charts
            .iter()
            .filter(|c| ids.contains(*c))
            .cloned()
            .collect(),
    }
}
