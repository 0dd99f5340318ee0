//! QuadClass counts, mean Goldstein and cooperation share per dyad-month from event data.
//!
//! # What it measures
//! The tone of reported interactions between two states each month, from machine-coded event
//! data (GDELT, ICEWS): how many events fall in each CAMEO QuadClass, their mean Goldstein
//! score, and the share that is cooperative.
//!
//! # Formula
//! For dyad (a, b) and month m, with events e weighted w_e (1, or the number of mentions):
//! q_k = number of events with QuadClass k (1 verbal cooperation, 2 material cooperation,
//! 3 verbal conflict, 4 material conflict);
//! mean Goldstein = Σ w_e g_e / Σ w_e; cooperation share = Σ_{Q ∈ {1,2}} w_e / Σ w_e
//! (with unit weights: (q1 + q2) / (q1 + q2 + q3 + q4)). The most common CAMEO root code (first
//! two digits; ties: smallest) is reported for orientation.
//!
//! # Reading it
//! A RUS–CHN cooperation share of 0.85 and mean Goldstein of +3 in a month means most reported
//! interactions were cooperative and mildly so. Event counts follow media attention, not
//! diplomacy alone: compare shares and means, not raw counts, across time; mention weighting
//! stresses prominent events. Undirected dyads pool a→b and b→a.
//!
//! # Data it needs
//! `events` rows (user-supplied GDELT 1.0/2.0 or ICEWS): year and month of the event, actor 1
//! and actor 2 country (ISO3), CAMEO event code, QuadClass 1–4, Goldstein score in [−10, 10],
//! number of mentions. Rows with the same actor on both sides (domestic events) are dropped.
//!
//! # Reference
//! Goldstein, J. S. (1992), "A Conflict-Cooperation Scale for WEIS Events Data", *Journal of
//! Conflict Resolution* 36(2): 369–385; Schrodt, P. A. (2012), *CAMEO Conflict and Mediation
//! Event Observations Codebook* v1.1b3; Leetaru, K. and Schrodt, P. A. (2013), "GDELT: Global
//! Data on Events, Location and Tone, 1979–2012", ISA Annual Convention.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::common::check_code;
use crate::error::{MeasureError, Result};

pub use crate::records::EventRecord;

/// Directed (a → b and b → a apart) or undirected dyads.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DyadOrientation {
    /// actor1 → actor2 as given.
    Directed,
    /// {a, b}, a < b: both directions pooled.
    #[default]
    Undirected,
}

/// How events are weighted in the mean and the share.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Default, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EventWeighting {
    /// Each event counts 1.
    #[default]
    Events,
    /// Each event counts its number of mentions.
    Mentions,
}

/// One dyad-month.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct EventDyadMonthRow {
    /// Year.
    pub year: i32,
    /// Month 1–12.
    pub month: u32,
    /// Actor 1 (undirected: the smaller code).
    pub actor1: String,
    /// Actor 2.
    pub actor2: String,
    /// Number of events.
    pub n_events: u64,
    /// Total mentions.
    pub n_mentions: u64,
    /// QuadClass 1 (verbal cooperation) events.
    pub q1_verbal_coop: u64,
    /// QuadClass 2 (material cooperation) events.
    pub q2_material_coop: u64,
    /// QuadClass 3 (verbal conflict) events.
    pub q3_verbal_conflict: u64,
    /// QuadClass 4 (material conflict) events.
    pub q4_material_conflict: u64,
    /// Weighting used.
    pub weighting: EventWeighting,
    /// Weighted mean Goldstein; None when the total weight is 0.
    pub mean_goldstein: Option<f64>,
    /// Weighted (Q1 + Q2) share; None when the total weight is 0.
    pub cooperation_share: Option<f64>,
    /// Most common CAMEO root code (two digits).
    pub top_cameo_root: String,
}

#[derive(Default)]
struct Acc {
    n: u64,
    mentions: u64,
    q: [u64; 4],
    w: f64,
    wg: f64,
    wcoop: f64,
    roots: BTreeMap<String, u64>,
}

fn validate(e: &EventRecord) -> Result<()> {
    let ctx = || {
        format!(
            "event {}-{:02} {}->{} {}",
            e.year, e.month, e.actor1, e.actor2, e.cameo
        )
    };
    check_code("actor1", &e.actor1, ctx)?;
    check_code("actor2", &e.actor2, ctx)?;
    let field = |field, value: String, reason| {
        Err(MeasureError::InvalidField {
            field,
            value,
            context: ctx(),
            reason,
        })
    };
    if !(1..=12).contains(&e.month) {
        return field("month", e.month.to_string(), "a month lies in 1..=12");
    }
    if !(1..=4).contains(&e.quad_class) {
        return field(
            "quad_class",
            e.quad_class.to_string(),
            "QuadClass lies in 1..=4",
        );
    }
    if !(e.goldstein.is_finite() && (-10.0..=10.0).contains(&e.goldstein)) {
        return field(
            "goldstein",
            e.goldstein.to_string(),
            "the Goldstein scale lies in [-10, 10]",
        );
    }
    if e.cameo.len() < 2 || !e.cameo.bytes().all(|b| b.is_ascii_digit()) {
        return field("cameo", e.cameo.clone(), "a CAMEO code is 2 to 4 digits");
    }
    Ok(())
}

/// QuadClass counts, mean Goldstein and cooperation share per dyad-month (sorted by dyad, then
/// month). `focal` and `years` are not read here: they choose the events the measure reads.
pub fn event_profile(
    events: &[EventRecord],
    p: &EventProfileParams,
) -> Result<Vec<EventDyadMonthRow>> {
    let mut acc: BTreeMap<(String, String, i32, u32), Acc> = BTreeMap::new();
    for e in events {
        validate(e)?;
        if e.actor1 == e.actor2 {
            continue;
        }
        let (a, b) = match p.orientation {
            DyadOrientation::Directed => (e.actor1.clone(), e.actor2.clone()),
            DyadOrientation::Undirected if e.actor2 < e.actor1 => {
                (e.actor2.clone(), e.actor1.clone())
            }
            DyadOrientation::Undirected => (e.actor1.clone(), e.actor2.clone()),
        };
        let s = acc.entry((a, b, e.year, e.month)).or_default();
        let w = match p.weighting {
            EventWeighting::Events => 1.0,
            EventWeighting::Mentions => f64::from(e.num_mentions),
        };
        s.n += 1;
        s.mentions += u64::from(e.num_mentions);
        s.q[usize::from(e.quad_class - 1)] += 1;
        s.w += w;
        s.wg += w * e.goldstein;
        if e.quad_class <= 2 {
            s.wcoop += w;
        }
        *s.roots.entry(e.cameo[..2].to_string()).or_insert(0) += 1;
    }
    Ok(acc
        .into_iter()
        .map(|((actor1, actor2, year, month), s)| {
            let top = s.roots.iter().fold(("", 0u64), |best, (k, c)| {
                if *c > best.1 { (k.as_str(), *c) } else { best }
            });
            EventDyadMonthRow {
                year,
                month,
                actor1,
                actor2,
                n_events: s.n,
                n_mentions: s.mentions,
                q1_verbal_coop: s.q[0],
                q2_material_coop: s.q[1],
                q3_verbal_conflict: s.q[2],
                q4_material_conflict: s.q[3],
                weighting: p.weighting,
                mean_goldstein: (s.w > 0.0).then(|| s.wg / s.w),
                cooperation_share: (s.w > 0.0).then(|| s.wcoop / s.w),
                top_cameo_root: top.0.to_string(),
            }
        })
        .collect())
}

/// Parameters of `pivot measure event-profile`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventProfileParams {
    /// Only events with this state as an actor; none: every dyad.
    #[serde(default)]
    pub focal: Option<crate::params::Country>,
    /// Years.
    #[serde(default)]
    pub years: crate::params::Years,
    /// Directed (a → b and b → a apart) or undirected dyads.
    #[serde(default)]
    pub orientation: DyadOrientation,
    /// Each event counts 1, or its number of mentions.
    #[serde(default)]
    pub weighting: EventWeighting,
}

impl crate::params::Validate for EventProfileParams {}

/// The `event-profile` measure.
pub struct EventProfile;

impl crate::measure::Measure for EventProfile {
    type Params = EventProfileParams;
    type Row = EventDyadMonthRow;
    const NAME: &'static str = "event-profile";
    const DIMENSION: crate::Dimension = crate::Dimension::Events;
    const TABLES: &'static [crate::Table] = &[crate::Table::Events];
    const SOURCE: &'static str = include_str!("events.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let recs = data.events(p.focal.as_ref().map(|c| c.0.as_str()), &p.years)?;
        if recs.is_empty() {
            return Err(MeasureError::MissingData {
                what: "event data for this selection".into(),
                hint: "ingest GDELT or ICEWS files first (pivot data ingest gdelt PATH)".into(),
            });
        }
        let rows = event_profile(&recs, p)?;
        Ok(crate::measure::Output::rows(rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::assert_close;
    use proptest::prelude::*;

    fn ev(m: u32, a1: &str, a2: &str, cameo: &str, q: u8, g: f64, mentions: u32) -> EventRecord {
        EventRecord {
            year: 2022,
            month: m,
            actor1: a1.into(),
            actor2: a2.into(),
            cameo: cameo.into(),
            quad_class: q,
            goldstein: g,
            num_mentions: mentions,
        }
    }

    fn fixture() -> Vec<EventRecord> {
        vec![
            ev(3, "RUS", "CHN", "042", 1, 1.9, 10),
            ev(3, "CHN", "RUS", "057", 1, 8.0, 2),
            ev(3, "RUS", "CHN", "061", 2, 6.4, 4),
            ev(3, "CHN", "RUS", "112", 3, -2.0, 4),
            ev(3, "RUS", "RUS", "190", 4, -10.0, 99), // domestic: dropped
            ev(4, "RUS", "CHN", "190", 4, -10.0, 1),
        ]
    }

    #[test]
    fn undirected_counts_hand_computed() {
        // March, CHN–RUS pooled: Q1 2, Q2 1, Q3 1, Q4 0 → n = 4, cooperation share = 3/4.
        // Mean Goldstein = (1.9 + 8.0 + 6.4 − 2.0)/4 = 14.3/4 = 3.575. Roots 04, 05, 06, 11 tie → "04".
        let rows = event_profile(&fixture(), &EventProfileParams::default()).unwrap();
        assert_eq!(rows.len(), 2);
        let m = &rows[0];
        assert_eq!(
            (m.actor1.as_str(), m.actor2.as_str(), m.month),
            ("CHN", "RUS", 3)
        );
        assert_eq!(
            (
                m.n_events,
                m.q1_verbal_coop,
                m.q2_material_coop,
                m.q3_verbal_conflict,
                m.q4_material_conflict
            ),
            (4, 2, 1, 1, 0)
        );
        assert_eq!(m.n_mentions, 20);
        assert_close(m.cooperation_share.unwrap(), 0.75);
        assert_close(m.mean_goldstein.unwrap(), 3.575);
        assert_eq!(m.top_cameo_root, "04");
        // April: one material-conflict event → share 0, mean −10.
        assert_close(rows[1].cooperation_share.unwrap(), 0.0);
        assert_close(rows[1].mean_goldstein.unwrap(), -10.0);
    }

    #[test]
    fn directed_and_mention_weighted() {
        // Directed RUS→CHN March: (Q1, 1.9, 10 mentions), (Q2, 6.4, 4).
        // Mention-weighted mean = (10·1.9 + 4·6.4)/14 = (19 + 25.6)/14 = 44.6/14 = 3.1857…; share = 14/14 = 1.
        let cfg = EventProfileParams {
            orientation: DyadOrientation::Directed,
            weighting: EventWeighting::Mentions,
            ..EventProfileParams::default()
        };
        let rows = event_profile(&fixture(), &cfg).unwrap();
        let r = rows
            .iter()
            .find(|r| r.actor1 == "RUS" && r.month == 3)
            .unwrap();
        assert_eq!(r.n_events, 2);
        assert_close(r.mean_goldstein.unwrap(), 44.6 / 14.0);
        assert_close(r.cooperation_share.unwrap(), 1.0);
        // CHN→RUS March: (Q1, 8.0, 2), (Q3, −2.0, 4) → mean (16 − 8)/6 = 4/3, share 2/6 = 1/3.
        let r = rows
            .iter()
            .find(|r| r.actor1 == "CHN" && r.month == 3)
            .unwrap();
        assert_close(r.mean_goldstein.unwrap(), 4.0 / 3.0);
        assert_close(r.cooperation_share.unwrap(), 1.0 / 3.0);
    }

    #[test]
    fn invalid_fields_are_named() {
        let bad = ev(3, "RUS", "CHN", "042", 5, 1.0, 1);
        let e = event_profile(&[bad], &EventProfileParams::default()).unwrap_err();
        assert!(e.to_string().contains("quad_class '5'"), "{e}");
        assert!(
            event_profile(
                &[ev(13, "RUS", "CHN", "042", 1, 1.0, 1)],
                &EventProfileParams::default()
            )
            .is_err()
        );
        assert!(
            event_profile(
                &[ev(1, "RUS", "CHN", "042", 1, 11.0, 1)],
                &EventProfileParams::default()
            )
            .is_err()
        );
        assert!(
            event_profile(
                &[ev(1, "RUS", "CHN", "x4", 1, 1.0, 1)],
                &EventProfileParams::default()
            )
            .is_err()
        );
        // Mention weighting with zero mentions: mean and share undefined.
        let cfg = EventProfileParams {
            orientation: DyadOrientation::Undirected,
            weighting: EventWeighting::Mentions,
            ..EventProfileParams::default()
        };
        let r = event_profile(&[ev(1, "RUS", "CHN", "042", 1, 1.0, 0)], &cfg).unwrap();
        assert_eq!((r[0].mean_goldstein, r[0].cooperation_share), (None, None));
    }

    proptest! {
        #[test]
        fn counts_add_up(v in prop::collection::vec((1u8..=4, -10.0f64..=10.0, 0u32..50, prop::bool::ANY), 1..50)) {
            let events: Vec<_> = v.iter().map(|(q, g, m, dir)| {
                let (a, b) = if *dir { ("RUS", "CHN") } else { ("CHN", "RUS") };
                ev(6, a, b, "042", *q, *g, *m)
            }).collect();
            let rows = event_profile(&events, &EventProfileParams::default()).unwrap();
            prop_assert_eq!(rows.len(), 1);
            let r = &rows[0];
            prop_assert_eq!(r.q1_verbal_coop + r.q2_material_coop + r.q3_verbal_conflict + r.q4_material_conflict, r.n_events);
            let share = r.cooperation_share.unwrap();
            prop_assert!((0.0..=1.0).contains(&share));
            prop_assert!((share - (r.q1_verbal_coop + r.q2_material_coop) as f64 / r.n_events as f64).abs() < 1e-12);
            let g = r.mean_goldstein.unwrap();
            prop_assert!((-10.0 - 1e-9..=10.0 + 1e-9).contains(&g));
        }
    }
}
