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

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::common::check_code;
use crate::error::{MeasureError, Result};
use crate::un_alignment::{RollCall, Vote, VoteChoice};

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

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
const SQRT_2: f64 = std::f64::consts::SQRT_2;

/// ln erfc(x) for x ≥ 0: Chebyshev fit of Numerical Recipes (2nd ed., §6.2, `erfcc`),
/// fractional error below 1.2e-7 everywhere, written as a logarithm so that the tail never
/// underflows.
fn ln_erfc_nonneg(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.5 * x);
    let poly = -1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    t.ln() - x * x + poly
}

/// ln Φ(z).
fn ln_cdf(z: f64) -> f64 {
    if z < 0.0 {
        ln_erfc_nonneg(-z / SQRT_2) - std::f64::consts::LN_2
    } else {
        (-0.5 * ln_erfc_nonneg(z / SQRT_2).exp()).ln_1p()
    }
}

/// ln φ(z).
fn ln_pdf(z: f64) -> f64 {
    -0.5 * z * z - LN_SQRT_2PI
}

/// ln(1 − e^d) for d ≤ 0.
fn ln_1m_exp(d: f64) -> f64 {
    if d > -std::f64::consts::LN_2 {
        (-d.exp_m1()).ln()
    } else {
        (-d.exp()).ln_1p()
    }
}

/// The log-probability of an ordered category with standardised bounds (zl, zu) = (lower
/// cutpoint − η, upper cutpoint − η), None for ±∞, and its derivatives in zl and zu.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Cat {
    logp: f64,
    /// ∂ log p / ∂ zl = −φ(zl)/p.
    gl: f64,
    /// ∂ log p / ∂ zu = φ(zu)/p.
    gu: f64,
    hll: f64,
    huu: f64,
    hlu: f64,
}

fn ln_prob(zl: Option<f64>, zu: Option<f64>) -> f64 {
    match (zl, zu) {
        (None, None) => 0.0,
        (None, Some(u)) => ln_cdf(u),
        (Some(l), None) => ln_cdf(-l),
        (Some(l), Some(u)) => {
            if l >= u {
                f64::NEG_INFINITY
            } else if u <= 0.0 {
                let lu = ln_cdf(u);
                lu + ln_1m_exp(ln_cdf(l) - lu)
            } else if l >= 0.0 {
                let ql = ln_cdf(-l);
                ql + ln_1m_exp(ln_cdf(-u) - ql)
            } else {
                (ln_cdf(u).exp() - ln_cdf(l).exp()).ln()
            }
        }
    }
}

fn cat(zl: Option<f64>, zu: Option<f64>) -> Cat {
    let logp = ln_prob(zl, zu);
    if !logp.is_finite() {
        return Cat {
            logp,
            ..Cat::default()
        };
    }
    let mut c = Cat {
        logp,
        ..Cat::default()
    };
    if let Some(l) = zl {
        let r = (ln_pdf(l) - logp).exp();
        c.gl = -r;
        c.hll = l * r - r * r;
    }
    if let Some(u) = zu {
        let r = (ln_pdf(u) - logp).exp();
        c.gu = r;
        c.huu = -u * r - r * r;
    }
    c.hlu = -c.gl * c.gu;
    c
}

// ---------------------------------------------------------------------------------------------
// The problem in flat arrays.

/// Vote codes: no 0, abstain 1, yes 2 (the latent scale rises towards yes).
fn code(v: VoteChoice) -> u8 {
    match v {
        VoteChoice::No => 0,
        VoteChoice::Abstain => 1,
        VoteChoice::Yes => 2,
    }
}

struct Problem {
    states: Vec<String>,
    /// First calendar year of each state's path.
    year0: Vec<i32>,
    /// Path of state s: positions chain[s]..chain[s + 1].
    chain: Vec<usize>,
    /// Votes per position.
    n_votes: Vec<usize>,
    /// Observations of roll call j: item_obs[item_off[j]..item_off[j + 1]] = (position, category).
    item_off: Vec<usize>,
    item_obs: Vec<(u32, u8)>,
    /// Categories of roll call j (2 or 3).
    ncat: Vec<u8>,
    /// Year of roll call j.
    item_year: Vec<i32>,
    /// Year of position p.
    pos_year: Vec<i32>,
    /// Observations at position p: (roll call, category).
    pos_off: Vec<usize>,
    pos_obs: Vec<(u32, u8)>,
    n_unanimous: usize,
}

impl Problem {
    fn build(votes: &[Vote], calls: &[RollCall]) -> Result<Problem> {
        let mut year_of: HashMap<i64, i32> = HashMap::new();
        for rc in calls {
            if year_of.insert(rc.rcid, rc.year).is_some() {
                return Err(MeasureError::Duplicate {
                    what: "roll call in the roll-call table",
                    key: rc.rcid.to_string(),
                });
            }
        }
        // rcid → state → code, sorted, so that the input order never matters.
        let mut by_call: BTreeMap<i64, BTreeMap<&str, u8>> = BTreeMap::new();
        for v in votes {
            check_code("country", &v.country, || format!("roll call {}", v.rcid))?;
            if !year_of.contains_key(&v.rcid) {
                return Err(MeasureError::UnknownRollCall { rcid: v.rcid });
            }
            if by_call
                .entry(v.rcid)
                .or_default()
                .insert(v.country.as_str(), code(v.vote))
                .is_some()
            {
                return Err(MeasureError::Duplicate {
                    what: "vote for country and roll call",
                    key: format!("{} rcid {}", v.country, v.rcid),
                });
            }
        }
        let mut n_unanimous = 0;
        by_call.retain(|_, vs| {
            let cats: BTreeSet<u8> = vs.values().copied().collect();
            let keep = cats.len() >= 2;
            n_unanimous += usize::from(!keep);
            keep
        });
        if by_call.is_empty() {
            return Err(MeasureError::Empty {
                what: "set of contested roll calls (every roll call in range is unanimous or there are none)",
            });
        }
        // Each state's span of years.
        let mut span: BTreeMap<&str, (i32, i32)> = BTreeMap::new();
        for (rcid, vs) in &by_call {
            let y = year_of[rcid];
            for s in vs.keys() {
                let e = span.entry(s).or_insert((y, y));
                e.0 = e.0.min(y);
                e.1 = e.1.max(y);
            }
        }
        let states: Vec<String> = span.keys().map(|s| s.to_string()).collect();
        let index: HashMap<&str, usize> = span.keys().enumerate().map(|(i, s)| (*s, i)).collect();
        let mut chain = vec![0usize];
        let mut year0 = Vec::with_capacity(states.len());
        for (a, b) in span.values() {
            year0.push(*a);
            chain.push(chain.last().copied().unwrap_or(0) + (b - a + 1) as usize);
        }
        let n_pos = *chain.last().unwrap_or(&0);
        let mut item_off = vec![0usize];
        let mut item_obs = Vec::new();
        let mut ncat = Vec::new();
        let mut item_year = Vec::new();
        let mut n_votes = vec![0usize; n_pos];
        for (rcid, vs) in &by_call {
            let y = year_of[rcid];
            let cats: Vec<u8> = vs
                .values()
                .copied()
                .collect::<BTreeSet<u8>>()
                .into_iter()
                .collect();
            ncat.push(cats.len() as u8);
            item_year.push(y);
            for (s, c) in vs {
                let si = index[s];
                let p = chain[si] + (y - year0[si]) as usize;
                let rank = cats.iter().position(|k| k == c).unwrap_or(0) as u8;
                item_obs.push((p as u32, rank));
                n_votes[p] += 1;
            }
            item_off.push(item_obs.len());
        }
        let mut pos_off = vec![0usize; n_pos + 1];
        for (p, n) in n_votes.iter().enumerate() {
            pos_off[p + 1] = pos_off[p] + n;
        }
        let mut fill = pos_off.clone();
        let mut pos_obs = vec![(0u32, 0u8); item_obs.len()];
        for j in 0..ncat.len() {
            for &(p, c) in &item_obs[item_off[j]..item_off[j + 1]] {
                pos_obs[fill[p as usize]] = (j as u32, c);
                fill[p as usize] += 1;
            }
        }
        let mut pos_year = Vec::with_capacity(n_pos);
        for s in 0..states.len() {
            pos_year.extend((0..chain[s + 1] - chain[s]).map(|k| year0[s] + k as i32));
        }
        Ok(Problem {
            item_year,
            pos_year,
            states,
            year0,
            chain,
            n_votes,
            item_off,
            item_obs,
            ncat,
            pos_off,
            pos_obs,
            n_unanimous,
        })
    }

    fn n_items(&self) -> usize {
        self.ncat.len()
    }
}

/// A roll call's parameters: cutpoints (one or two) and discrimination.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ItemPar {
    cut: [f64; 2],
    beta: f64,
}

/// Standardised bounds of category `c` of a roll call with `k` categories at η = βx.
fn bounds(par: &ItemPar, k: u8, c: u8, eta: f64) -> (Option<f64>, Option<f64>) {
    let lo = (c > 0).then(|| par.cut[usize::from(c) - 1] - eta);
    let hi = (c + 1 < k).then(|| par.cut[usize::from(c)] - eta);
    (lo, hi)
}

fn item_log_post(par: &ItemPar, k: u8, obs: &[(u32, u8)], x: &[f64], prior_var: f64) -> f64 {
    let mut f = 0.0;
    for &(p, c) in obs {
        let (l, u) = bounds(par, k, c, par.beta * x[p as usize]);
        f += ln_prob(l, u);
    }
    let ncut = usize::from(k) - 1;
    let ss: f64 = par.cut[..ncut].iter().map(|g| g * g).sum::<f64>() + par.beta * par.beta;
    f - ss / (2.0 * prior_var)
}

/// Solve the symmetric positive definite system a·d = g (n ≤ 3) by Cholesky; None if not SPD.
#[allow(clippy::needless_range_loop)] // index arithmetic of a 3 × 3 factorisation
fn solve_spd(a: &mut [[f64; 3]; 3], g: &[f64; 3], n: usize) -> Option<[f64; 3]> {
    for j in 0..n {
        let mut s = a[j][j];
        for k in 0..j {
            s -= a[j][k] * a[j][k];
        }
        if s.is_nan() || s <= 0.0 {
            return None;
        }
        a[j][j] = s.sqrt();
        for i in j + 1..n {
            let mut t = a[i][j];
            for k in 0..j {
                t -= a[i][k] * a[j][k];
            }
            a[i][j] = t / a[j][j];
        }
    }
    let mut y = [0.0; 3];
    for i in 0..n {
        let mut t = g[i];
        for k in 0..i {
            t -= a[i][k] * y[k];
        }
        y[i] = t / a[i][i];
    }
    let mut d = [0.0; 3];
    for i in (0..n).rev() {
        let mut t = y[i];
        for k in i + 1..n {
            t -= a[k][i] * d[k];
        }
        d[i] = t / a[i][i];
    }
    Some(d)
}

/// One Newton step (halved until the log-posterior does not fall) on a roll call's parameters.
fn item_step(par: &mut ItemPar, k: u8, obs: &[(u32, u8)], x: &[f64], prior_var: f64) {
    let ncut = usize::from(k) - 1;
    let n = ncut + 1;
    let ib = ncut;
    let mut g = [0.0; 3];
    let mut h = [[0.0; 3]; 3];
    let mut f0 = 0.0;
    for &(p, c) in obs {
        let xv = x[p as usize];
        let (l, u) = bounds(par, k, c, par.beta * xv);
        let t = cat(l, u);
        f0 += t.logp;
        let ci = usize::from(c);
        if l.is_some() {
            let ia = ci - 1;
            g[ia] += t.gl;
            h[ia][ia] += t.hll;
            h[ia][ib] += -xv * (t.hll + t.hlu);
        }
        if u.is_some() {
            let iu = ci;
            g[iu] += t.gu;
            h[iu][iu] += t.huu;
            h[iu][ib] += -xv * (t.hlu + t.huu);
        }
        if l.is_some() && u.is_some() {
            h[ci - 1][ci] += t.hlu;
        }
        g[ib] += -xv * (t.gl + t.gu);
        h[ib][ib] += xv * xv * (t.hll + 2.0 * t.hlu + t.huu);
    }
    let theta = [par.cut[0], par.cut[1], par.beta];
    let th = |i: usize| if i == ib { theta[2] } else { theta[i] };
    let mut a = [[0.0; 3]; 3];
    let mut grad = [0.0; 3];
    for i in 0..n {
        grad[i] = g[i] - th(i) / prior_var;
        for j in 0..n {
            let hij = if i <= j { h[i][j] } else { h[j][i] };
            a[i][j] = -hij + if i == j { 1.0 / prior_var } else { 0.0 };
        }
    }
    if !f0.is_finite() {
        return;
    }
    let ncut_ss: f64 = par.cut[..ncut].iter().map(|v| v * v).sum::<f64>() + par.beta * par.beta;
    let f0 = f0 - ncut_ss / (2.0 * prior_var);
    let Some(d) = solve_spd(&mut a, &grad, n) else {
        return;
    };
    let mut step = 1.0;
    for _ in 0..30 {
        let mut cand = *par;
        for (i, c) in cand.cut.iter_mut().enumerate().take(ncut) {
            *c += step * d[i];
        }
        cand.beta += step * d[ib];
        if ncut < 2 || cand.cut[0] < cand.cut[1] {
            let f1 = item_log_post(&cand, k, obs, x, prior_var);
            if f1 >= f0 {
                *par = cand;
                return;
            }
        }
        step *= 0.5;
    }
}

/// A state's path: the log-posterior, and its gradient and (negative) Hessian diagonal.
struct PathTerms {
    f: f64,
    grad: Vec<f64>,
    /// −∂² of the log-likelihood part (≥ 0).
    curv: Vec<f64>,
}

fn path_terms(
    prob: &Problem,
    items: &[ItemPar],
    p0: usize,
    xs: &[f64],
    drift: f64,
    with_derivs: bool,
) -> PathTerms {
    let t = xs.len();
    let mut out = PathTerms {
        f: 0.0,
        grad: vec![0.0; if with_derivs { t } else { 0 }],
        curv: vec![0.0; if with_derivs { t } else { 0 }],
    };
    for (k, xv) in xs.iter().enumerate() {
        let p = p0 + k;
        for &(j, c) in &prob.pos_obs[prob.pos_off[p]..prob.pos_off[p + 1]] {
            let par = &items[j as usize];
            let (l, u) = bounds(par, prob.ncat[j as usize], c, par.beta * xv);
            if with_derivs {
                let q = cat(l, u);
                out.f += q.logp;
                // d log p / dη = −(gl + gu); d² / dη² = hll + 2 hlu + huu.
                out.grad[k] += -par.beta * (q.gl + q.gu);
                out.curv[k] -= par.beta * par.beta * (q.hll + 2.0 * q.hlu + q.huu);
            } else {
                out.f += ln_prob(l, u);
            }
        }
    }
    // Priors: x_0 ~ N(0, 1), x_t − x_{t−1} ~ N(0, drift).
    out.f -= xs[0] * xs[0] / 2.0;
    if with_derivs {
        out.grad[0] -= xs[0];
    }
    for k in 1..t {
        let d = xs[k] - xs[k - 1];
        out.f -= d * d / (2.0 * drift);
        if with_derivs {
            out.grad[k] -= d / drift;
            out.grad[k - 1] += d / drift;
        }
    }
    out
}

/// The diagonal of the negative Hessian of a path's log-posterior (its off-diagonal is −1/drift).
fn path_diag(curv: &[f64], drift: f64) -> Vec<f64> {
    let t = curv.len();
    (0..t)
        .map(|k| {
            let nb = usize::from(k > 0) + usize::from(k + 1 < t);
            curv[k].max(0.0) + nb as f64 / drift + if k == 0 { 1.0 } else { 0.0 }
        })
        .collect()
}

/// Solve the tridiagonal system (diag, off-diagonal −1/drift everywhere) · d = g.
fn thomas(diag: &[f64], drift: f64, g: &[f64]) -> Vec<f64> {
    let t = diag.len();
    let off = -1.0 / drift;
    let mut c = vec![0.0; t];
    let mut d = vec![0.0; t];
    let mut m = diag[0];
    c[0] = off / m;
    d[0] = g[0] / m;
    for k in 1..t {
        m = diag[k] - off * c[k - 1];
        c[k] = off / m;
        d[k] = (g[k] - off * d[k - 1]) / m;
    }
    for k in (0..t.saturating_sub(1)).rev() {
        d[k] -= c[k] * d[k + 1];
    }
    d
}

/// Diagonal of the inverse of the tridiagonal matrix (diag, off −1/drift): 1 / (D_k + E_k − a_k)
/// with D the forward and E the backward pivots.
fn tridiag_inverse_diag(diag: &[f64], drift: f64) -> Vec<f64> {
    let t = diag.len();
    let b2 = 1.0 / (drift * drift);
    let mut fwd = vec![0.0; t];
    let mut bwd = vec![0.0; t];
    fwd[0] = diag[0];
    for k in 1..t {
        fwd[k] = diag[k] - b2 / fwd[k - 1];
    }
    bwd[t - 1] = diag[t - 1];
    for k in (0..t - 1).rev() {
        bwd[k] = diag[k] - b2 / bwd[k + 1];
    }
    (0..t).map(|k| 1.0 / (fwd[k] + bwd[k] - diag[k])).collect()
}

/// One Newton step on state s's path (halved until its log-posterior does not fall).
fn path_step(prob: &Problem, items: &[ItemPar], s: usize, xs: &mut [f64], drift: f64) {
    let p0 = prob.chain[s];
    let t0 = path_terms(prob, items, p0, xs, drift, true);
    if !t0.f.is_finite() {
        return;
    }
    let diag = path_diag(&t0.curv, drift);
    let d = thomas(&diag, drift, &t0.grad);
    let mut step = 1.0;
    let mut cand = xs.to_vec();
    for _ in 0..30 {
        for k in 0..xs.len() {
            cand[k] = xs[k] + step * d[k];
        }
        let f1 = path_terms(prob, items, p0, &cand, drift, false).f;
        if f1 >= t0.f {
            xs.copy_from_slice(&cand);
            return;
        }
        step *= 0.5;
    }
}

/// Run `f` over `0..n` split into contiguous chunks on the available cores.
fn threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(16)
}

fn update_items(prob: &Problem, items: &mut [ItemPar], x: &[f64], prior_var: f64) {
    let n = items.len();
    let chunk = n.div_ceil(threads()).max(64);
    std::thread::scope(|sc| {
        for (ci, part) in items.chunks_mut(chunk).enumerate() {
            sc.spawn(move || {
                for (k, par) in part.iter_mut().enumerate() {
                    let j = ci * chunk + k;
                    let obs = &prob.item_obs[prob.item_off[j]..prob.item_off[j + 1]];
                    item_step(par, prob.ncat[j], obs, x, prior_var);
                }
            });
        }
    });
}

fn update_paths(prob: &Problem, items: &[ItemPar], x: &mut [f64], drift: f64) {
    let ns = prob.states.len();
    let per = ns.div_ceil(threads()).max(8);
    // Split x at state boundaries.
    let mut rest: &mut [f64] = x;
    let mut parts = Vec::new();
    let mut s = 0;
    while s < ns {
        let e = (s + per).min(ns);
        let len = prob.chain[e] - prob.chain[s];
        let (head, tail) = rest.split_at_mut(len);
        parts.push((s, e, head));
        rest = tail;
        s = e;
    }
    std::thread::scope(|sc| {
        for (s0, s1, part) in parts {
            sc.spawn(move || {
                let base = prob.chain[s0];
                for st in s0..s1 {
                    let (a, b) = (prob.chain[st] - base, prob.chain[st + 1] - base);
                    path_step(prob, items, st, &mut part[a..b], drift);
                }
            });
        }
    });
}

/// Standardise the positions of each year to mean 0, sd 1 over the states that voted that
/// year, transforming that year's roll calls so that every linear predictor is unchanged.
fn standardise(prob: &Problem, x: &mut [f64], items: &mut [ItemPar]) {
    let (y0, y1) = (
        prob.pos_year.iter().copied().min().unwrap_or(0),
        prob.pos_year.iter().copied().max().unwrap_or(0),
    );
    let ny = (y1 - y0 + 1) as usize;
    let mut acc = vec![(0.0f64, 0.0f64, 0.0f64); ny];
    for (p, v) in x.iter().enumerate() {
        if prob.n_votes[p] > 0 {
            let a = &mut acc[(prob.pos_year[p] - y0) as usize];
            a.0 += 1.0;
            a.1 += v;
            a.2 += v * v;
        }
    }
    let tr: Vec<Option<(f64, f64)>> = acc
        .iter()
        .map(|(n, s1, s2)| {
            let m = s1 / n;
            let sd = (s2 / n - m * m).max(0.0).sqrt();
            (*n > 0.0 && sd > 1e-12).then_some((m, sd))
        })
        .collect();
    for (p, v) in x.iter_mut().enumerate() {
        if let Some((m, sd)) = tr[(prob.pos_year[p] - y0) as usize] {
            *v = (*v - m) / sd;
        }
    }
    for (j, it) in items.iter_mut().enumerate() {
        if let Some((m, sd)) = tr[(prob.item_year[j] - y0) as usize] {
            it.cut[0] -= it.beta * m;
            it.cut[1] -= it.beta * m;
            it.beta *= sd;
        }
    }
}

#[allow(clippy::needless_range_loop)] // parallel arrays indexed by roll call
/// Starting positions: first principal component of the centred vote matrix (power iteration
/// from each state's mean centred vote), the same for every year of a state.
fn start_values(prob: &Problem) -> Vec<f64> {
    let ns = prob.states.len();
    let state_of: Vec<usize> = (0..ns)
        .flat_map(|s| std::iter::repeat_n(s, prob.chain[s + 1] - prob.chain[s]))
        .collect();
    // Centred codes y − mean per roll call, yes = 1, abstain = 0, no = −1.
    let mut centred = vec![0.0; prob.item_obs.len()];
    for j in 0..prob.n_items() {
        let r = prob.item_off[j]..prob.item_off[j + 1];
        let k = prob.ncat[j];
        let val = |c: u8| -> f64 {
            // Map the roll call's category rank back to no/abstain/yes: with two categories the
            // ranks are the lower and higher of the two observed, scored −1 and 1.
            if k == 3 {
                f64::from(c) - 1.0
            } else {
                2.0 * f64::from(c) - 1.0
            }
        };
        let mean = prob.item_obs[r.clone()]
            .iter()
            .map(|(_, c)| val(*c))
            .sum::<f64>()
            / r.len() as f64;
        for i in r {
            centred[i] = val(prob.item_obs[i].1) - mean;
        }
    }
    let mut v = vec![0.0; ns];
    let mut cnt = vec![0.0f64; ns];
    for j in 0..prob.n_items() {
        for i in prob.item_off[j]..prob.item_off[j + 1] {
            let s = state_of[prob.item_obs[i].0 as usize];
            v[s] += centred[i];
            cnt[s] += 1.0;
        }
    }
    for s in 0..ns {
        v[s] /= cnt[s].max(1.0);
    }
    let norm = |v: &mut Vec<f64>| {
        let n = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if n > 0.0 {
            v.iter_mut().for_each(|a| *a /= n);
            true
        } else {
            false
        }
    };
    if !norm(&mut v) {
        v = (0..ns).map(|s| s as f64).collect();
        norm(&mut v);
    }
    let mut u = vec![0.0; prob.n_items()];
    for _ in 0..300 {
        for j in 0..prob.n_items() {
            u[j] = (prob.item_off[j]..prob.item_off[j + 1])
                .map(|i| centred[i] * v[state_of[prob.item_obs[i].0 as usize]])
                .sum();
        }
        let mut w = vec![0.0; ns];
        for j in 0..prob.n_items() {
            for i in prob.item_off[j]..prob.item_off[j + 1] {
                w[state_of[prob.item_obs[i].0 as usize]] += centred[i] * u[j];
            }
        }
        if !norm(&mut w) {
            break;
        }
        let diff: f64 = w
            .iter()
            .zip(&v)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        v = w;
        if diff < 1e-10 {
            break;
        }
    }
    state_of.iter().map(|s| v[*s]).collect()
}

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
    use VoteChoice::{Abstain as A, No as N, Yes as Y};

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
