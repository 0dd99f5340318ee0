//! UNGA voting agreement, S-score, Scott's π and Cohen's κ per session or year, optionally by issue.
//!
//! # What it measures
//! How often two states vote alike in the UN General Assembly, per session or year and
//! optionally per issue, with four indices: a simple agreement rate, a distance-based
//! similarity, and two chance-corrected agreement coefficients.
//!
//! # Formula
//! Over the n roll calls on which both states voted (absences and non-membership are not in
//! the rows), votes coded yes = 1, abstain = 2, no = 3, d = |x − y|:
//! Voeten agreement A = (1/n) Σ a, with a = 1 for the same vote, ½ when one abstains and the
//! other votes yes or no, 0 for yes against no (equivalently A = 1 − Σd / (2n));
//! Signorino–Ritter S = 1 − 2·Σd / (n·d_max) with d_max = 2 (the range of the 1–3 scale), so
//! S = 2A − 1;
//! observed agreement p_o = share of roll calls with identical votes;
//! Scott's π = (p_o − p_e)/(1 − p_e) with **pooled** marginals: p_e = Σ_k ((n_ak + n_bk)/(2n))²;
//! Cohen's κ = (p_o − p_e)/(1 − p_e) with **separate** marginals: p_e = Σ_k (n_ak/n)(n_bk/n),
//! k over {yes, abstain, no}. Both are None when p_e = 1 (both states used one and the same
//! category throughout: chance explains all agreement).
//!
//! # Reading it
//! A = 0.9 means the pair voted the same way, counting half for abstentions, 90 % of the time
//! (claim C5: RUS–CHN against RUS–USA). S runs from −1 (always opposite) to 1 (identical).
//! Because most UNGA votes are lopsided "yes", A and S are high for almost every pair; π and κ
//! discount the agreement expected by chance and separate pairs better (Häge 2011). κ treats
//! each state's own voting propensity as given; π assumes one common propensity.
//!
//! # Data it needs
//! `un_votes` rows (roll-call id, country, vote yes/abstain/no) and the roll-call table
//! (rcid → session and year); for the issue view, the rcid → issue tags (a roll call with
//! several tags counts under each). A vote on a roll call missing from the roll-call table is
//! an error; two votes of one country on one roll call are an error. Periods (and issues) with
//! no joint vote produce no rows.
//!
//! # Reference
//! Voeten, E. (2013), "Data and Analyses of Voting in the UN General Assembly", in B. Reinalda
//! (ed.), *Routledge Handbook of International Organization*; Lijphart, A. (1963), "The
//! Analysis of Bloc Voting in the General Assembly", *American Political Science Review* 57(4):
//! 902–917; Signorino, C. S. and Ritter, J. M. (1999), "Tau-b or Not Tau-b: Measuring the
//! Similarity of Foreign Policy Positions", *International Studies Quarterly* 43(1): 115–144;
//! Scott, W. A. (1955), *Public Opinion Quarterly* 19(3): 321–325; Cohen, J. (1960),
//! *Educational and Psychological Measurement* 20(1): 37–46; Häge, F. M. (2011), "Choice or
//! Circumstance? Adjusting Measures of Foreign Policy Similarity for Chance Agreement",
//! *Political Analysis* 19(3): 287–305.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::common::{check_code, check_focal};
use crate::error::{MeasureError, Result};

pub use crate::records::{RollCall, RollCallIssue, Vote, VoteChoice};

/// Grouping of roll calls in time.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Default, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AlignmentPeriod {
    /// By UNGA session.
    #[default]
    Session,
    /// By calendar year.
    Year,
}

/// The four indices over one set of joint votes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AlignmentStats {
    /// n: roll calls on which both voted.
    pub n_joint: usize,
    /// Voeten agreement A in [0, 1].
    pub agreement: f64,
    /// Signorino–Ritter S in [−1, 1].
    pub s_score: f64,
    /// Share of identical votes p_o.
    pub observed_agreement: f64,
    /// Scott's π (pooled marginals); None when expected agreement is 1.
    pub scott_pi: Option<f64>,
    /// Cohen's κ (separate marginals); None when expected agreement is 1.
    pub cohen_kappa: Option<f64>,
}

/// The indices over joint votes `(a's vote, b's vote)`.
pub fn alignment_stats(pairs: &[(VoteChoice, VoteChoice)]) -> Result<AlignmentStats> {
    if pairs.is_empty() {
        return Err(MeasureError::Empty {
            what: "set of joint votes",
        });
    }
    let n = pairs.len() as f64;
    let mut dist = 0u64;
    let mut same = 0u64;
    let mut ma = [0u64; 3];
    let mut mb = [0u64; 3];
    for (a, b) in pairs {
        dist += u64::from(a.ordinal().abs_diff(b.ordinal()));
        same += u64::from(a == b);
        ma[a.index()] += 1;
        mb[b.index()] += 1;
    }
    let d = dist as f64;
    let d_max = 2.0;
    let agreement = 1.0 - d / (2.0 * n);
    let s_score = 1.0 - 2.0 * d / (n * d_max);
    let p_o = same as f64 / n;
    let pe_pi: f64 = (0..3)
        .map(|k| ((ma[k] + mb[k]) as f64 / (2.0 * n)).powi(2))
        .sum();
    let pe_kappa: f64 = (0..3)
        .map(|k| (ma[k] as f64 / n) * (mb[k] as f64 / n))
        .sum();
    let chance = |pe: f64| (pe < 1.0).then(|| (p_o - pe) / (1.0 - pe));
    Ok(AlignmentStats {
        n_joint: pairs.len(),
        agreement,
        s_score,
        observed_agreement: p_o,
        scott_pi: chance(pe_pi),
        cohen_kappa: chance(pe_kappa),
    })
}

/// The focal state's and the partner's vote on one roll call.
type JointVote = (VoteChoice, VoteChoice);

/// Alignment of the focal state with one partner in one period (and issue).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct AlignmentRow {
    /// Session or year.
    pub period_kind: AlignmentPeriod,
    /// The session number or the year.
    pub period: i32,
    /// Issue (None when pooled).
    pub issue: Option<String>,
    /// Focal state.
    pub focal: String,
    /// Partner.
    pub partner: String,
    /// n: roll calls on which both voted.
    pub n_joint: usize,
    /// Voeten agreement A in [0, 1].
    pub agreement: f64,
    /// Signorino–Ritter S in [−1, 1].
    pub s_score: f64,
    /// Share of identical votes p_o.
    pub observed_agreement: f64,
    /// Scott's π (pooled marginals); None when expected agreement is 1.
    pub scott_pi: Option<f64>,
    /// Cohen's κ (separate marginals); None when expected agreement is 1.
    pub cohen_kappa: Option<f64>,
}

/// Alignment of the focal state (ISO3) with each partner, per session or year, over all roll
/// calls or (`by` issue) only the issue-tagged ones, one row per issue; rows sorted by partner,
/// issue, period.
pub fn un_alignment(
    votes: &[Vote],
    roll_calls: &[RollCall],
    issues: &[RollCallIssue],
    focal: &str,
    partners: &[String],
    period: AlignmentPeriod,
    by: AlignmentBy,
) -> Result<Vec<AlignmentRow>> {
    check_focal("focal", focal)?;
    if partners.is_empty() {
        return Err(MeasureError::Empty {
            what: "partner set",
        });
    }
    let mut rc_period: HashMap<i64, i32> = HashMap::new();
    for rc in roll_calls {
        let p = match period {
            AlignmentPeriod::Session => rc.session,
            AlignmentPeriod::Year => rc.year,
        };
        if rc_period.insert(rc.rcid, p).is_some() {
            return Err(MeasureError::Duplicate {
                what: "roll call in the roll-call table",
                key: rc.rcid.to_string(),
            });
        }
    }
    let mut rc_issues: HashMap<i64, Vec<String>> = HashMap::new();
    if by == AlignmentBy::Issue {
        for i in issues {
            let tags = rc_issues.entry(i.rcid).or_default();
            if !tags.contains(&i.issue) {
                tags.push(i.issue.clone());
            }
        }
    }
    // country → rcid → vote, for the focal state and the partners only.
    let wanted = |c: &str| c == focal || partners.iter().any(|p| p == c);
    let mut by_country: HashMap<&str, HashMap<i64, VoteChoice>> = HashMap::new();
    for v in votes {
        check_code("country", &v.country, || format!("roll call {}", v.rcid))?;
        if !wanted(&v.country) {
            continue;
        }
        if !rc_period.contains_key(&v.rcid) {
            return Err(MeasureError::UnknownRollCall { rcid: v.rcid });
        }
        if by_country
            .entry(v.country.as_str())
            .or_default()
            .insert(v.rcid, v.vote)
            .is_some()
        {
            return Err(MeasureError::Duplicate {
                what: "vote for country and roll call",
                key: format!("{} rcid {}", v.country, v.rcid),
            });
        }
    }
    let empty = HashMap::new();
    let focal_votes = by_country.get(focal).unwrap_or(&empty);
    let mut partners = partners.to_vec();
    partners.sort();
    partners.dedup();
    let mut out = Vec::new();
    for partner in partners.iter().filter(|p| **p != focal) {
        let pv = by_country.get(partner.as_str()).unwrap_or(&empty);
        // (issue, period) → joint votes
        let mut groups: BTreeMap<(Option<String>, i32), Vec<JointVote>> = BTreeMap::new();
        for (rcid, a) in focal_votes {
            let Some(b) = pv.get(rcid) else { continue };
            let in_period = rc_period[rcid];
            match by {
                AlignmentBy::Pooled => groups.entry((None, in_period)).or_default().push((*a, *b)),
                AlignmentBy::Issue => {
                    for tag in rc_issues.get(rcid).into_iter().flatten() {
                        groups
                            .entry((Some(tag.clone()), in_period))
                            .or_default()
                            .push((*a, *b));
                    }
                }
            }
        }
        for ((issue, in_period), pairs) in groups {
            let s = alignment_stats(&pairs)?;
            out.push(AlignmentRow {
                period_kind: period,
                period: in_period,
                issue,
                focal: focal.to_string(),
                partner: partner.clone(),
                n_joint: s.n_joint,
                agreement: s.agreement,
                s_score: s.s_score,
                observed_agreement: s.observed_agreement,
                scott_pi: s.scott_pi,
                cohen_kappa: s.cohen_kappa,
            });
        }
    }
    Ok(out)
}

/// How `un-alignment` groups roll calls.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AlignmentBy {
    /// All roll calls of a period together.
    #[default]
    Pooled,
    /// One row per issue code (me, nu, di, hr, co, ec).
    Issue,
}

/// Parameters of `pivot measure un-alignment`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnAlignmentParams {
    /// The focal state.
    pub focal: crate::params::Country,
    /// States compared with the focal state (at least one).
    pub partners: crate::params::Partners,
    /// Years.
    #[serde(default)]
    pub years: crate::params::Years,
    /// Per UNGA session or per calendar year.
    #[serde(default)]
    pub period: AlignmentPeriod,
    /// Pooled or by issue.
    #[serde(default)]
    pub by: AlignmentBy,
}

impl crate::params::Validate for UnAlignmentParams {
    fn validate(&self) -> std::result::Result<(), crate::params::ParamError> {
        if self.partners.is_empty() {
            return Err(crate::params::ParamError::new(
                "partners",
                Some(String::new()),
                "at least one partner is needed",
            ));
        }
        Ok(())
    }
}

/// The `un-alignment` measure.
pub struct UnAlignment;

impl crate::measure::Measure for UnAlignment {
    type Params = UnAlignmentParams;
    type Row = AlignmentRow;
    const NAME: &'static str = "un-alignment";
    const DIMENSION: crate::Dimension = crate::Dimension::Diplomacy;
    const TABLES: &'static [crate::Table] = &[
        crate::Table::UnVotes,
        crate::Table::UnRollCalls,
        crate::Table::UnIssues,
    ];
    const SOURCE: &'static str = include_str!("un_alignment.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let rows = alignment_over(data, &p.focal.0, &p.partners.0, &p.years, p.period, p.by)?;
        Ok(crate::measure::Output::rows(rows).note("Soviet votes (1946-1991) are Russia's."))
    }
}

/// UN alignment of `focal` with `partners` over the votes `data` serves (shared with the
/// hedging view).
pub fn alignment_over(
    data: &dyn crate::data::Data,
    focal: &str,
    partners: &[String],
    years: &crate::params::Years,
    period: AlignmentPeriod,
    by: AlignmentBy,
) -> Result<Vec<AlignmentRow>> {
    let who = [vec![focal.to_string()], partners.to_vec()].concat();
    let v = data.un_votes(&who, years, by == AlignmentBy::Issue)?;
    un_alignment(&v.votes, &v.calls, &v.issues, focal, partners, period, by)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::assert_close;
    use VoteChoice::{Abstain as A, No as N, Yes as Y};
    use proptest::prelude::*;

    #[test]
    fn indices_hand_computed() {
        // Five joint votes: (Y,Y) (Y,A) (Y,N) (N,N) (A,Y).
        // Voeten points 1, ½, 0, 1, ½ → A = 3/5 = 0.6. Distances 0,1,2,0,1 → Σd = 4,
        // S = 1 − 2·4/(5·2) = 0.2 = 2A − 1.
        // p_o = 2/5 = 0.4. Marginals a: Y 3, A 1, N 1; b: Y 2, A 1, N 2.
        // κ: p_e = (3·2 + 1·1 + 1·2)/25 = 9/25 = 0.36 → κ = (0.4 − 0.36)/0.64 = 0.0625.
        // π: pooled Y 5/10, A 2/10, N 3/10 → p_e = 0.25 + 0.04 + 0.09 = 0.38 →
        //    π = (0.4 − 0.38)/0.62 = 0.02/0.62 = 0.032258064516129…
        let s = alignment_stats(&[(Y, Y), (Y, A), (Y, N), (N, N), (A, Y)]).unwrap();
        assert_eq!(s.n_joint, 5);
        assert_close(s.agreement, 0.6);
        assert_close(s.s_score, 0.2);
        assert_close(s.observed_agreement, 0.4);
        assert_close(s.cohen_kappa.unwrap(), 0.0625);
        assert_close(s.scott_pi.unwrap(), 0.02 / 0.62);
    }

    #[test]
    fn chance_corrected_undefined_when_one_category() {
        // Both always yes: p_o = 1, p_e = 1 → π and κ undefined; A = 1, S = 1.
        let s = alignment_stats(&[(Y, Y), (Y, Y), (Y, Y)]).unwrap();
        assert_eq!((s.scott_pi, s.cohen_kappa), (None, None));
        assert_close(s.agreement, 1.0);
        assert_close(s.s_score, 1.0);
        // Always opposite: A = 0, S = −1.
        let s = alignment_stats(&[(Y, N), (N, Y)]).unwrap();
        assert_close(s.agreement, 0.0);
        assert_close(s.s_score, -1.0);
        assert!(alignment_stats(&[]).is_err());
    }

    fn v(rcid: i64, c: &str, vote: VoteChoice) -> Vote {
        Vote {
            rcid,
            country: c.into(),
            vote,
        }
    }

    #[test]
    fn per_session_and_issue() {
        // Session 70: rcids 1, 2 (rcid 2 tagged "hr"); session 71: rcid 3 (tagged "hr", "nu").
        // RUS/CHN: 1 Y/Y, 2 Y/A, 3 N/N. RUS/USA: 1 Y/N, 3 N/Y; USA absent on 2.
        let votes = vec![
            v(1, "RUS", Y),
            v(1, "CHN", Y),
            v(1, "USA", N),
            v(2, "RUS", Y),
            v(2, "CHN", A),
            v(3, "RUS", N),
            v(3, "CHN", N),
            v(3, "USA", Y),
            v(3, "FRA", Y),
        ];
        let rcs = vec![
            RollCall {
                rcid: 1,
                session: 70,
                year: 2015,
            },
            RollCall {
                rcid: 2,
                session: 70,
                year: 2016,
            },
            RollCall {
                rcid: 3,
                session: 71,
                year: 2016,
            },
        ];
        let issues = vec![
            RollCallIssue {
                rcid: 2,
                issue: "hr".into(),
            },
            RollCallIssue {
                rcid: 3,
                issue: "hr".into(),
            },
            RollCallIssue {
                rcid: 3,
                issue: "nu".into(),
            },
        ];
        let partners: Vec<String> = vec!["USA".into(), "CHN".into()];
        let rows = un_alignment(
            &votes,
            &rcs,
            &issues,
            "RUS",
            &partners,
            AlignmentPeriod::Session,
            AlignmentBy::Pooled,
        )
        .unwrap();
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.partner.as_str(), r.period, r.n_joint, r.agreement))
            .collect();
        // CHN s70: Y/Y 1, Y/A ½ → 0.75; s71: 1. USA s70: Y/N → 0; s71: N/Y → 0.
        assert_eq!(
            got,
            vec![
                ("CHN", 70, 2, 0.75),
                ("CHN", 71, 1, 1.0),
                ("USA", 70, 1, 0.0),
                ("USA", 71, 1, 0.0)
            ]
        );

        let by_issue = un_alignment(
            &votes,
            &rcs,
            &issues,
            "RUS",
            &partners,
            AlignmentPeriod::Year,
            AlignmentBy::Issue,
        )
        .unwrap();
        let got: Vec<_> = by_issue
            .iter()
            .filter(|r| r.partner == "CHN")
            .map(|r| {
                (
                    r.issue.as_deref().unwrap(),
                    r.period,
                    r.n_joint,
                    r.agreement,
                )
            })
            .collect();
        // Year view: rcid 2 and 3 are both 2016. hr: Y/A ½, N/N 1 → 0.75 over 2; nu: N/N → 1.
        assert_eq!(got, vec![("hr", 2016, 2, 0.75), ("nu", 2016, 1, 1.0)]);
    }

    #[test]
    fn bad_inputs_are_named() {
        let rcs = vec![RollCall {
            rcid: 1,
            session: 70,
            year: 2015,
        }];
        let run = |votes: &[Vote], partners: &[String]| {
            un_alignment(
                votes,
                &rcs,
                &[],
                "RUS",
                partners,
                AlignmentPeriod::Session,
                AlignmentBy::Pooled,
            )
        };
        let chn = ["CHN".to_string()];
        let e = run(&[v(9, "RUS", Y)], &chn).unwrap_err();
        assert_eq!(e, MeasureError::UnknownRollCall { rcid: 9 });
        let e = run(&[v(1, "RUS", Y), v(1, "RUS", N)], &chn).unwrap_err();
        assert!(matches!(e, MeasureError::Duplicate { .. }));
        let e = run(&[], &[]).unwrap_err();
        assert!(matches!(e, MeasureError::Empty { .. }));
        assert_eq!(VoteChoice::parse("Abstain").unwrap(), A);
        assert!(VoteChoice::parse("8").is_err());
    }

    fn choice() -> impl Strategy<Value = VoteChoice> {
        prop_oneof![Just(Y), Just(A), Just(N)]
    }

    proptest! {
        #[test]
        fn identical_records_have_pi_and_kappa_one(record in prop::collection::vec(choice(), 2..40)) {
            let distinct = record.iter().collect::<std::collections::BTreeSet<_>>().len();
            let pairs: Vec<_> = record.iter().map(|c| (*c, *c)).collect();
            let s = alignment_stats(&pairs).unwrap();
            prop_assert_eq!(s.agreement, 1.0);
            prop_assert_eq!(s.s_score, 1.0);
            if distinct >= 2 {
                prop_assert!((s.scott_pi.unwrap() - 1.0).abs() < 1e-12);
                prop_assert!((s.cohen_kappa.unwrap() - 1.0).abs() < 1e-12);
            } else {
                prop_assert_eq!(s.cohen_kappa, None);
            }
        }

        #[test]
        fn bounds_and_relation(pairs in prop::collection::vec((choice(), choice()), 1..60)) {
            let s = alignment_stats(&pairs).unwrap();
            prop_assert!((-1.0..=1.0).contains(&s.s_score));
            prop_assert!((0.0..=1.0).contains(&s.agreement));
            prop_assert!((s.s_score - (2.0 * s.agreement - 1.0)).abs() < 1e-12);
            if let Some(k) = s.cohen_kappa { prop_assert!((-1.0..=1.0 + 1e-12).contains(&k)); }
            if let Some(p) = s.scott_pi { prop_assert!(p <= 1.0 + 1e-12); }
            // Swapping the two states changes nothing.
            let swapped: Vec<_> = pairs.iter().map(|(a, b)| (*b, *a)).collect();
            let t = alignment_stats(&swapped).unwrap();
            prop_assert_eq!(s.agreement, t.agreement);
            prop_assert_eq!(s.scott_pi, t.scott_pi);
        }
    }
}
