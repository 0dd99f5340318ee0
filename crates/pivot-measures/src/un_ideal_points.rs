//! One-dimensional UNGA ideal points per state and year: a dynamic ordinal item-response model (yes/abstain/no), estimated deterministically.
//!
//! # What it measures
//! Where each state stands, year by year, on the one dimension that best explains how states
//! vote in the UN General Assembly — in the data since 1990 roughly the division between the
//! United States and its allies and the states that vote against them most often (Bailey,
//! Strezhnev & Voeten 2017). Agreement scores compare two states; an ideal point places every
//! state on one scale, so movements (Russia moving away from the West after 2000, say) are read
//! off one line. Every state that voted in the years asked for enters the estimate; `focal` and
//! `partners` only choose which rows are printed.
//!
//! # Formula
//! Ordered probit item response. State i in year t has position x_it; roll call j (held in year
//! t(j)) has a discrimination β_j and ordered cutpoints γ_j1 < γ_j2. The latent utility is
//! y* = β_j x_it + ε, ε ~ N(0, 1); the vote is no if y* < γ_j1, abstain if γ_j1 ≤ y* < γ_j2,
//! yes otherwise, so P(no) = Φ(γ_j1 − β_j x), P(abstain) = Φ(γ_j2 − β_j x) − Φ(γ_j1 − β_j x),
//! P(yes) = 1 − Φ(γ_j2 − β_j x). A roll call on which only two of the three choices were cast
//! has one cutpoint; a unanimous roll call carries no information and is dropped.
//!
//! Years are linked by a random-walk prior on each state's path: x_i,t0 ~ N(0, 1) in its
//! first year in range and x_it ~ N(x_i,t−1, σ²) for each later calendar year up to its last
//! (σ² = `drift_variance`; a year in which the state cast no vote is bridged by the prior).
//! Roll calls are not matched across years (no bridging votes: the roll-call table has no
//! identifiers that say two resolutions are the same text), so comparability over time rests
//! on the random walk. Item parameters have priors β_j, γ_jk ~ N(0, `item_prior_variance`).
//!
//! Estimator: the posterior mode (MAP), by block coordinate ascent. The log-posterior is
//! concave in each block (ordered-probit log-likelihoods are concave in the linear predictor
//! and in the cutpoints; Pratt 1981): each iteration takes one Newton step per roll call on
//! (γ_j, β_j) given the positions, then one Newton step per state on its whole path x_i·
//! given the roll calls (the Hessian is tridiagonal: solved by the Thomas algorithm), each
//! step halved until the block's log-posterior does not fall. Identification: the likelihood
//! of a year's votes is unchanged by any affine map of that year's positions (with its roll
//! calls' parameters mapped back), and without bridging votes only the prior ties the years'
//! scales together — a direction in which coordinate ascent crawls. So after each iteration
//! the positions of each year are standardised to mean 0 and standard deviation 1 over the
//! states that voted that year (that year's roll calls transformed so that the likelihood is
//! unchanged), and at the end the sign is chosen so that the USA's mean position is positive
//! (without the USA in the data, the state with the most votes). Starting values:
//! each state's score on the first principal component of the state × roll-call matrix (yes
//! = 1, abstain = 0, no = −1, centred per roll call, absences 0), by power iteration from each
//! state's mean centred vote — no random numbers, so a rerun gives identical results.
//! Convergence: the largest change of any standardised position between two iterations falls
//! below `tolerance`; the loop stops at `max_iterations` in any case, and the notes say which.
//!
//! Standard errors: from the curvature of the log-posterior in the state's own path at the
//! mode, with the roll calls' parameters held at their estimates (the diagonal of the inverse
//! of the tridiagonal negative Hessian). They ignore the uncertainty of the roll calls'
//! parameters and of the scale, so they understate the total uncertainty; intervals are
//! x ± 1.96 se.
//!
//! # Reading it
//! Positive positions vote with the USA, negative against; each year's positions have mean
//! 0 and standard deviation 1 over the states voting that year, so a value says where a
//! state stands relative to that year's Assembly: a path that moves is a state moving
//! relative to the others, while a drift of the whole Assembly (or a widening of its
//! spread) is not measured. Values depend on the states and years estimated together —
//! compare positions within one run, not across runs with different `years`. A gap between
//! two states of 0.5 is half the spread of the Assembly that year. Changes within a state's path smaller than about two standard errors are within
//! the noise. Yes, abstain and no are treated as ordered; absences are not votes (they are
//! missing, not a middle position). With a smaller `drift_variance` positions move less from
//! year to year (more smoothing); a larger one lets each year speak for itself.
//!
//! # Data it needs
//! `un_votes` (roll call, state, vote) for every state and `un_roll_calls` (roll call → year)
//! in `years`. Soviet votes (to 1991) are Russia's. A vote on a roll call missing from the
//! roll-call table, or two votes of one state on one roll call, is an error.
//!
//! # Reference
//! Bailey, M. A., Strezhnev, A. and Voeten, E. (2017), "Estimating Dynamic State Preferences
//! from United Nations Voting Data", *Journal of Conflict Resolution* 61(2): 430–456; Imai, K.,
//! Lo, J. and Olmsted, J. (2016), "Fast Estimation of Ideal Points with Massive Data",
//! *American Political Science Review* 110(4): 631–656 (emIRT's ordIRT and dynIRT); Martin, A.
//! D. and Quinn, K. M. (2002), "Dynamic Ideal Point Estimation via Markov Chain Monte Carlo for
//! the U.S. Supreme Court", *Political Analysis* 10(2): 134–153 (the random-walk prior); Pratt,
//! J. W. (1981), "Concavity of the Log Likelihood", *JASA* 76(373): 103–106.

use serde::Serialize;

use crate::error::{MeasureError, Result};
use crate::ideal_point_model::{
    ItemPar, Problem, path_diag, path_terms, standardise, start_values, update_items, update_paths,
};
use crate::numerics::tridiag_inverse_diag;
use crate::un_alignment::{RollCall, Vote};

/// One state's position in one year.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct IdealPointRow {
    /// State (ISO3).
    pub country: String,
    /// Calendar year.
    pub year: i32,
    /// Ideal point (standardised: mean 0, sd 1 over the states voting that year; USA positive).
    pub ideal_point: f64,
    /// Standard error (conditional on the roll calls' parameters).
    pub std_error: f64,
    /// ideal_point − 1.96 se.
    pub lower_95: f64,
    /// ideal_point + 1.96 se.
    pub upper_95: f64,
    /// Votes cast that year on the roll calls estimated.
    pub n_votes: usize,
}

/// An estimate: every state-year with votes, and how the estimation went.
#[derive(Debug, Clone, PartialEq)]
pub struct IdealFit {
    /// Rows sorted by country, year.
    pub rows: Vec<IdealPointRow>,
    /// Iterations run.
    pub iterations: u32,
    /// The largest change of a position in the last iteration.
    pub last_change: f64,
    /// Whether `last_change` fell below the tolerance.
    pub converged: bool,
    /// States estimated.
    pub n_states: usize,
    /// Roll calls estimated (not unanimous).
    pub n_roll_calls: usize,
    /// Unanimous roll calls dropped.
    pub n_unanimous: usize,
    /// Votes on the roll calls estimated.
    pub n_votes: usize,
    /// The state whose mean position is positive.
    pub sign_anchor: String,
    /// Log-posterior at the estimate.
    pub log_posterior: f64,
}

// ---------------------------------------------------------------------------------------------
// The standard normal distribution (std has no erfc).

/// The ideal points of every state in every year with votes, with the variances, tolerance and
/// iteration cap of `params`. `focal`, `partners` and `years` are not read here: every state
/// voting in the rows enters the estimate.
#[allow(clippy::needless_range_loop)] // parallel arrays indexed by position
pub fn ideal_points(
    votes: &[Vote],
    calls: &[RollCall],
    params: &UnIdealPointsParams,
) -> Result<IdealFit> {
    for (name, v) in [
        ("drift_variance", params.drift_variance),
        ("item_prior_variance", params.item_prior_variance),
        ("tolerance", params.tolerance),
    ] {
        if !(v.is_finite() && v > 0.0) {
            return Err(MeasureError::InvalidParameter {
                name,
                value: v.to_string(),
                reason: "must be finite and > 0",
            });
        }
    }
    let prob = Problem::build(votes, calls)?;
    let mut x = start_values(&prob);
    let mut items = vec![
        ItemPar {
            cut: [-0.5, 0.5],
            beta: 0.0,
        };
        prob.n_items()
    ];
    for it in items.iter_mut().zip(&prob.ncat) {
        if *it.1 == 2 {
            it.0.cut = [0.0, 0.0];
        }
    }
    let mut dummy = items.clone();
    standardise(&prob, &mut x, &mut dummy);
    for _ in 0..5 {
        update_items(&prob, &mut items, &x, params.item_prior_variance);
    }
    let mut iterations = 0;
    let mut last_change = f64::INFINITY;
    let mut converged = false;
    while iterations < params.max_iterations {
        iterations += 1;
        let before = x.clone();
        update_items(&prob, &mut items, &x, params.item_prior_variance);
        update_paths(&prob, &items, &mut x, params.drift_variance);
        standardise(&prob, &mut x, &mut items);
        last_change = x
            .iter()
            .zip(&before)
            .enumerate()
            .filter(|(p, _)| prob.n_votes[*p] > 0)
            .map(|(_, (a, b))| (a - b).abs())
            .fold(0.0, f64::max);
        if last_change < params.tolerance {
            converged = true;
            break;
        }
    }
    // Sign: the USA (or the state with the most votes) positive.
    let ns = prob.states.len();
    let votes_of =
        |s: usize| -> usize { prob.n_votes[prob.chain[s]..prob.chain[s + 1]].iter().sum() };
    let anchor = prob
        .states
        .iter()
        .position(|s| s == "USA")
        .unwrap_or_else(|| {
            (0..ns)
                .max_by_key(|s| (votes_of(*s), std::cmp::Reverse(*s)))
                .unwrap_or(0)
        });
    let (a0, a1) = (prob.chain[anchor], prob.chain[anchor + 1]);
    let anchor_mean: f64 = (a0..a1)
        .filter(|p| prob.n_votes[*p] > 0)
        .map(|p| x[p])
        .sum::<f64>();
    if anchor_mean < 0.0 {
        x.iter_mut().for_each(|v| *v = -*v);
        items.iter_mut().for_each(|it| it.beta = -it.beta);
    }
    let mut rows = Vec::new();
    let mut log_posterior = 0.0;
    for (j, it) in items.iter().enumerate() {
        let ncut = usize::from(prob.ncat[j]) - 1;
        log_posterior -= (it.cut[..ncut].iter().map(|g| g * g).sum::<f64>() + it.beta * it.beta)
            / (2.0 * params.item_prior_variance);
    }
    for s in 0..ns {
        let (p0, p1) = (prob.chain[s], prob.chain[s + 1]);
        let t = path_terms(&prob, &items, p0, &x[p0..p1], params.drift_variance, true);
        log_posterior += t.f;
        let var = tridiag_inverse_diag(
            &path_diag(&t.curv, params.drift_variance),
            params.drift_variance,
        );
        for k in 0..p1 - p0 {
            let p = p0 + k;
            if prob.n_votes[p] == 0 {
                continue;
            }
            let se = var[k].max(0.0).sqrt();
            rows.push(IdealPointRow {
                country: prob.states[s].clone(),
                year: prob.year0[s] + k as i32,
                ideal_point: x[p],
                std_error: se,
                lower_95: x[p] - 1.96 * se,
                upper_95: x[p] + 1.96 * se,
                n_votes: prob.n_votes[p],
            });
        }
    }
    Ok(IdealFit {
        rows,
        iterations,
        last_change,
        converged,
        n_states: ns,
        n_roll_calls: prob.n_items(),
        n_unanimous: prob.n_unanimous,
        n_votes: prob.item_obs.len(),
        sign_anchor: prob.states[anchor].clone(),
        log_posterior,
    })
}

// ---------------------------------------------------------------------------------------------
// The measure.

fn drift() -> f64 {
    0.1
}

fn item_var() -> f64 {
    25.0
}

fn tol() -> f64 {
    1e-4
}

fn max_iter() -> u32 {
    500
}

/// Parameters of `pivot measure un-ideal-points`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnIdealPointsParams {
    /// A state whose positions are printed (with the partners); none and no partners: every state. The estimate always uses every state.
    #[serde(default)]
    pub focal: Option<crate::params::Country>,
    /// Further states (or named sets) whose positions are printed; all: every state.
    #[serde(default)]
    pub partners: crate::params::Partners,
    /// Years estimated together (linked by the random walk; the scale is standardised within each year).
    #[serde(default)]
    pub years: crate::params::Years,
    /// Variance σ² of the random walk of a state's position from one year to the next, on the standardised scale (smaller: smoother paths).
    #[serde(default = "drift")]
    #[schemars(range(min = 0.0001, max = 10.0))]
    pub drift_variance: f64,
    /// Prior variance of each roll call's cutpoints and discrimination (keeps near-unanimous roll calls finite).
    #[serde(default = "item_var")]
    #[schemars(range(min = 0.01, max = 10000.0))]
    pub item_prior_variance: f64,
    /// Convergence: stop when no standardised position changes by more than this in one iteration.
    #[serde(default = "tol")]
    #[schemars(range(min = 0.0000000001, max = 1.0))]
    pub tolerance: f64,
    /// Iteration cap (the notes say whether the tolerance was reached first).
    #[serde(default = "max_iter")]
    #[schemars(range(min = 1, max = 100000))]
    pub max_iterations: u32,
}

impl Default for UnIdealPointsParams {
    /// Every parameter at its default: every state, every year.
    fn default() -> Self {
        Self {
            focal: None,
            partners: crate::params::Partners::default(),
            years: crate::params::Years::ALL,
            drift_variance: drift(),
            item_prior_variance: item_var(),
            tolerance: tol(),
            max_iterations: max_iter(),
        }
    }
}

impl crate::params::Validate for UnIdealPointsParams {}

/// The `un-ideal-points` measure.
pub struct UnIdealPoints;

impl crate::measure::Measure for UnIdealPoints {
    type Params = UnIdealPointsParams;
    type Row = IdealPointRow;
    const NAME: &'static str = "un-ideal-points";
    const DIMENSION: crate::Dimension = crate::Dimension::Diplomacy;
    const TABLES: &'static [crate::Table] = &[crate::Table::UnVotes, crate::Table::UnRollCalls];
    const SOURCE: &'static str = include_str!("un_ideal_points.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let v = data.un_votes(&[], &p.years, false)?;
        let fit = ideal_points(&v.votes, &v.calls, p)?;
        let mut wanted: Vec<String> = p.partners.0.clone();
        if let Some(f) = &p.focal {
            wanted.insert(0, f.0.clone());
        }
        let rows: Vec<IdealPointRow> = if wanted.is_empty() {
            fit.rows.clone()
        } else {
            fit.rows
                .iter()
                .filter(|r| wanted.contains(&r.country))
                .cloned()
                .collect()
        };
        let status = if fit.converged {
            format!(
                "Converged after {} iterations (largest change of a position in the last: {:.2e} < tolerance {:.0e}).",
                fit.iterations, fit.last_change, p.tolerance
            )
        } else {
            format!(
                "NOT converged: stopped at the iteration cap of {} (largest change of a position in the last: {:.2e}, tolerance {:.0e}); raise max_iterations.",
                fit.iterations, fit.last_change, p.tolerance
            )
        };
        Ok(crate::measure::Output::rows(rows)
            .note(status)
            .note(format!(
                "Estimated from {} votes of {} states on {} contested roll calls ({} unanimous roll calls dropped); log-posterior {:.1}.",
                fit.n_votes, fit.n_states, fit.n_roll_calls, fit.n_unanimous, fit.log_posterior
            ))
            .note(format!(
                "Scale: mean 0, sd 1 over the states voting each year; sign: {} positive. Standard errors are conditional on the roll calls' parameters.",
                fit.sign_anchor
            ))
            .note("Soviet votes (1946-1991) are Russia's."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ideal_point_model::*;
    use crate::numerics::*;
    use crate::records::VoteChoice;
    use VoteChoice::{Abstain as A, No as N, Yes as Y};
    use std::collections::HashMap;

    fn rc(rcid: i64, year: i32) -> RollCall {
        RollCall {
            rcid,
            session: year - 1945,
            year,
        }
    }

    fn v(rcid: i64, c: &str, vote: VoteChoice) -> Vote {
        Vote {
            rcid,
            country: c.into(),
            vote,
        }
    }

    fn at(fit: &IdealFit, c: &str, y: i32) -> f64 {
        fit.rows
            .iter()
            .find(|r| r.country == c && r.year == y)
            .unwrap_or_else(|| panic!("no row {c} {y}"))
            .ideal_point
    }

    #[test]
    fn normal_cdf_matches_reference_values() {
        // Reference values of Φ (scipy.stats.norm.cdf / logcdf, double precision); the
        // approximation's stated fractional error is < 1.2e-7.
        for (z, phi) in [
            (0.0, 0.5),
            (1.0, 0.841_344_746_068_542_9),
            (-1.96, 0.024_997_895_148_220_43),
            (-5.0, 2.866_515_718_791_939e-7),
            (-10.0, 7.619_853_024_160_527e-24),
        ] {
            let got = ln_cdf(z).exp();
            assert!(
                ((got - phi) / phi).abs() < 2e-7,
                "Φ({z}) = {got}, want {phi}"
            );
        }
        // ln Φ(−40) = −804.608 (no underflow).
        assert!((ln_cdf(-40.0) + 804.608_442_013_754_1).abs() < 1e-5);
        assert!((ln_cdf(8.0) + 6.220_960_574_271_785e-16).abs() < 1e-21);
        // P(abstain) of a band around 0: Φ(0.5) − Φ(−0.5) = 0.382924922548026.
        assert!((ln_prob(Some(-0.5), Some(0.5)).exp() - 0.382_924_922_548_026).abs() < 1e-7);
        // Band deep in the upper tail: Φ(−6) − Φ(−7) = 9.8531e-10 − 1.2798e-12.
        let p = ln_prob(Some(6.0), Some(7.0)).exp();
        assert!((p / (9.865_876_450_377e-10 - 1.279_812_543_885_835e-12) - 1.0).abs() < 1e-6);
    }

    /// Three states, four roll calls, one year: USA and GBR vote alike, RUS opposite.
    /// By symmetry USA = GBR = a and RUS = −2a (mean 0); sd 1 over the three gives
    /// (2a² + 4a²)/3 = 1, a = 1/√2 = 0.70711, RUS = −√2 = −1.41421.
    #[test]
    fn two_against_one_hand_checked() {
        let calls: Vec<_> = (1..=4).map(|r| rc(r, 2000)).collect();
        let mut votes = vec![];
        for r in 1..=4 {
            let (west, east) = if r <= 2 { (Y, N) } else { (N, Y) };
            votes.extend([v(r, "USA", west), v(r, "GBR", west), v(r, "RUS", east)]);
        }
        let fit = ideal_points(&votes, &calls, &UnIdealPointsParams::default()).unwrap();
        assert!(fit.converged, "{fit:?}");
        assert!((at(&fit, "USA", 2000) - 0.5f64.sqrt()).abs() < 1e-6);
        assert!((at(&fit, "GBR", 2000) - 0.5f64.sqrt()).abs() < 1e-6);
        assert!((at(&fit, "RUS", 2000) + 2f64.sqrt()).abs() < 1e-6);
        assert_eq!(fit.sign_anchor, "USA");
        assert_eq!((fit.n_roll_calls, fit.n_votes, fit.n_states), (4, 12, 3));
        for r in &fit.rows {
            assert_eq!(r.n_votes, 4);
            assert!(r.std_error > 0.0 && r.std_error.is_finite());
            assert!((r.upper_95 - r.ideal_point - 1.96 * r.std_error).abs() < 1e-12);
        }
    }

    /// USA yes, FRA abstain, RUS no on four roll calls (plus one unanimous roll call, which
    /// is dropped). The problem is symmetric under x → −x with yes ↔ no, so FRA sits at 0 and
    /// USA = −RUS = √(3/2) = 1.22474 (mean 0, sd 1).
    #[test]
    fn abstention_is_the_middle_hand_checked() {
        let calls: Vec<_> = (1..=5).map(|r| rc(r, 1995)).collect();
        let mut votes = vec![];
        for r in 1..=4 {
            votes.extend([v(r, "USA", Y), v(r, "FRA", A), v(r, "RUS", N)]);
        }
        votes.extend([v(5, "USA", Y), v(5, "FRA", Y), v(5, "RUS", Y)]);
        let fit = ideal_points(&votes, &calls, &UnIdealPointsParams::default()).unwrap();
        assert_eq!((fit.n_roll_calls, fit.n_unanimous), (4, 1));
        assert!(at(&fit, "FRA", 1995).abs() < 1e-6);
        assert!((at(&fit, "USA", 1995) - 1.5f64.sqrt()).abs() < 1e-6);
        assert!((at(&fit, "RUS", 1995) + 1.5f64.sqrt()).abs() < 1e-6);
    }

    /// splitmix64 (Steele, Lea & Flood 2014) with Box–Muller normals: the synthetic-data
    /// generator of the recovery test, seeded, so the test is reproducible.
    struct Rng(u64);
    impl Rng {
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn uniform(&mut self) -> f64 {
            ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }
        fn normal(&mut self) -> f64 {
            let (u1, u2) = (self.uniform(), self.uniform());
            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        }
    }

    /// SYNTHETIC data from the model itself: 60 states over 8 years, 40 roll calls a year.
    /// True paths: x_i,0 ~ N(0, 1) (the USA, state 0, starts at +1.5), x_it = x_i,t−1 +
    /// N(0, 0.15²). Roll calls: β ~ ±(1.5 + 0.5 N(0,1)) (random sign), centre c ~ N(0, 0.7),
    /// cutpoints c ∓ 0.4; votes y* = βx + N(0, 1) cut at the cutpoints; each state misses
    /// a roll call with probability 0.1. Seed 18.
    fn synthetic() -> (Vec<Vote>, Vec<RollCall>, HashMap<(String, i32), f64>) {
        let mut g = Rng(18);
        let (ns, ny, nr) = (60, 8, 40);
        let names: Vec<String> = (0..ns)
            .map(|i| {
                if i == 0 {
                    "USA".into()
                } else {
                    format!("S{i:02}")
                }
            })
            .collect();
        let mut truth = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            let mut x = if i == 0 { 1.5 } else { g.normal() };
            for t in 0..ny {
                if t > 0 {
                    x += 0.15 * g.normal();
                }
                truth.insert((n.clone(), 2000 + t), x);
            }
        }
        let (mut votes, mut calls) = (vec![], vec![]);
        let mut rcid = 0;
        for t in 0..ny {
            for _ in 0..nr {
                rcid += 1;
                calls.push(rc(rcid, 2000 + t));
                let sign = if g.uniform() < 0.5 { -1.0 } else { 1.0 };
                let beta = sign * (1.5 + 0.5 * g.normal());
                let c = 0.7 * g.normal();
                for n in &names {
                    if g.uniform() < 0.1 {
                        continue;
                    }
                    let y = beta * truth[&(n.clone(), 2000 + t)] + g.normal();
                    let vote = if y < c - 0.4 {
                        N
                    } else if y < c + 0.4 {
                        A
                    } else {
                        Y
                    };
                    votes.push(v(rcid, n, vote));
                }
            }
        }
        (votes, calls, truth)
    }

    #[test]
    fn recovers_synthetic_positions() {
        let (votes, calls, truth) = synthetic();
        let fit = ideal_points(&votes, &calls, &UnIdealPointsParams::default()).unwrap();
        assert!(fit.converged, "{} iterations", fit.iterations);
        // Compare with the true positions standardised the same way (per year).
        let mut est = vec![];
        let mut tru = vec![];
        let mut covered = 0;
        for y in 2000..2008 {
            let ys: Vec<&IdealPointRow> = fit.rows.iter().filter(|r| r.year == y).collect();
            let t: Vec<f64> = ys.iter().map(|r| truth[&(r.country.clone(), y)]).collect();
            let m = t.iter().sum::<f64>() / t.len() as f64;
            let sd = (t.iter().map(|a| (a - m).powi(2)).sum::<f64>() / t.len() as f64).sqrt();
            for (r, tv) in ys.iter().zip(&t) {
                let z = (tv - m) / sd;
                covered += usize::from((r.lower_95..=r.upper_95).contains(&z));
                est.push(r.ideal_point);
                tru.push(z);
            }
        }
        let n = est.len() as f64;
        let corr = est.iter().zip(&tru).map(|(a, b)| a * b).sum::<f64>() / n;
        let rmse = (est
            .iter()
            .zip(&tru)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            / n)
            .sqrt();
        let coverage = covered as f64 / n;
        eprintln!(
            "synthetic recovery: corr {corr:.4}, rmse {rmse:.4}, 95% coverage {coverage:.3}, {} iterations",
            fit.iterations
        );
        // Both standardised (mean 0, sd 1 per year), so the mean product is the correlation.
        assert!(corr > 0.97, "correlation {corr}");
        assert!(rmse < 0.25, "rmse {rmse}");
        assert!(coverage > 0.75, "coverage {coverage}");
    }

    #[test]
    fn deterministic_and_order_free() {
        let (votes, calls, _) = synthetic();
        let cfg = UnIdealPointsParams {
            max_iterations: 30,
            ..UnIdealPointsParams::default()
        };
        let a = ideal_points(&votes, &calls, &cfg).unwrap();
        let b = ideal_points(&votes, &calls, &cfg).unwrap();
        assert_eq!(a, b);
        let mut shuffled = votes.clone();
        shuffled.reverse();
        shuffled.swap(0, 100);
        let c = ideal_points(&shuffled, &calls, &cfg).unwrap();
        assert_eq!(a.rows, c.rows);
    }

    #[test]
    fn iteration_cap_and_tolerance_are_reported() {
        let (votes, calls, _) = synthetic();
        let capped = ideal_points(
            &votes,
            &calls,
            &UnIdealPointsParams {
                max_iterations: 2,
                ..UnIdealPointsParams::default()
            },
        )
        .unwrap();
        assert_eq!((capped.iterations, capped.converged), (2, false));
        assert!(capped.last_change > 1e-4);
        let loose = ideal_points(
            &votes,
            &calls,
            &UnIdealPointsParams {
                tolerance: 0.05,
                ..UnIdealPointsParams::default()
            },
        )
        .unwrap();
        assert!(loose.converged && loose.last_change < 0.05);
        assert!(loose.iterations > 2);
    }

    #[test]
    fn bad_inputs_are_named() {
        let calls = vec![rc(1, 2000)];
        let e =
            ideal_points(&[v(9, "USA", Y)], &calls, &UnIdealPointsParams::default()).unwrap_err();
        assert_eq!(e, MeasureError::UnknownRollCall { rcid: 9 });
        let e = ideal_points(
            &[v(1, "USA", Y), v(1, "USA", N)],
            &calls,
            &UnIdealPointsParams::default(),
        )
        .unwrap_err();
        assert!(matches!(e, MeasureError::Duplicate { .. }));
        let e = ideal_points(
            &[v(1, "USA", Y), v(1, "RUS", Y)],
            &calls,
            &UnIdealPointsParams::default(),
        )
        .unwrap_err();
        assert!(matches!(e, MeasureError::Empty { .. }));
        let e = ideal_points(
            &[v(1, "USA", Y), v(1, "RUS", N)],
            &calls,
            &UnIdealPointsParams {
                drift_variance: 0.0,
                ..UnIdealPointsParams::default()
            },
        )
        .unwrap_err();
        assert!(matches!(e, MeasureError::InvalidParameter { .. }));
    }
}
