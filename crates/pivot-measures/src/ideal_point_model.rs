//! The dynamic ordered-probit item-response model behind `un-ideal-points`: the vote
//! categories and their likelihood, the estimation problem (votes indexed by state-year and
//! roll call), and the alternating updates of item parameters and ideal-point paths, with the
//! standardisation each iteration ends with. `un_ideal_points.rs` holds the measure and runs the
//! loop; general numerics are in `numerics.rs`.

use crate::common::check_code;
use crate::error::{MeasureError, Result};
use crate::numerics::{ln_1m_exp, ln_cdf, ln_pdf, solve_spd, thomas, threads};
use crate::un_alignment::{RollCall, Vote, VoteChoice};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The log-probability of an ordered category with standardised bounds (zl, zu) = (lower
/// cutpoint − η, upper cutpoint − η), None for ±∞, and its derivatives in zl and zu.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Cat {
    pub(crate) logp: f64,
    /// ∂ log p / ∂ zl = −φ(zl)/p.
    pub(crate) gl: f64,
    /// ∂ log p / ∂ zu = φ(zu)/p.
    pub(crate) gu: f64,
    pub(crate) hll: f64,
    pub(crate) huu: f64,
    pub(crate) hlu: f64,
}

pub(crate) fn ln_prob(zl: Option<f64>, zu: Option<f64>) -> f64 {
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

pub(crate) fn cat(zl: Option<f64>, zu: Option<f64>) -> Cat {
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
pub(crate) fn code(v: VoteChoice) -> u8 {
    match v {
        VoteChoice::No => 0,
        VoteChoice::Abstain => 1,
        VoteChoice::Yes => 2,
    }
}

pub(crate) struct Problem {
    pub(crate) states: Vec<String>,
    /// First calendar year of each state's path.
    pub(crate) year0: Vec<i32>,
    /// Path of state s: positions chain[s]..chain[s + 1].
    pub(crate) chain: Vec<usize>,
    /// Votes per position.
    pub(crate) n_votes: Vec<usize>,
    /// Observations of roll call j: item_obs[item_off[j]..item_off[j + 1]] = (position, category).
    pub(crate) item_off: Vec<usize>,
    pub(crate) item_obs: Vec<(u32, u8)>,
    /// Categories of roll call j (2 or 3).
    pub(crate) ncat: Vec<u8>,
    /// Year of roll call j.
    pub(crate) item_year: Vec<i32>,
    /// Year of position p.
    pub(crate) pos_year: Vec<i32>,
    /// Observations at position p: (roll call, category).
    pub(crate) pos_off: Vec<usize>,
    pub(crate) pos_obs: Vec<(u32, u8)>,
    pub(crate) n_unanimous: usize,
}

impl Problem {
    pub(crate) fn build(votes: &[Vote], calls: &[RollCall]) -> Result<Problem> {
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

    pub(crate) fn n_items(&self) -> usize {
        self.ncat.len()
    }
}

/// A roll call's parameters: cutpoints (one or two) and discrimination.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ItemPar {
    pub(crate) cut: [f64; 2],
    pub(crate) beta: f64,
}

/// Standardised bounds of category `c` of a roll call with `k` categories at η = βx.
pub(crate) fn bounds(par: &ItemPar, k: u8, c: u8, eta: f64) -> (Option<f64>, Option<f64>) {
    let lo = (c > 0).then(|| par.cut[usize::from(c) - 1] - eta);
    let hi = (c + 1 < k).then(|| par.cut[usize::from(c)] - eta);
    (lo, hi)
}

pub(crate) fn item_log_post(
    par: &ItemPar,
    k: u8,
    obs: &[(u32, u8)],
    x: &[f64],
    prior_var: f64,
) -> f64 {
    let mut f = 0.0;
    for &(p, c) in obs {
        let (l, u) = bounds(par, k, c, par.beta * x[p as usize]);
        f += ln_prob(l, u);
    }
    let ncut = usize::from(k) - 1;
    let ss: f64 = par.cut[..ncut].iter().map(|g| g * g).sum::<f64>() + par.beta * par.beta;
    f - ss / (2.0 * prior_var)
}

/// One Newton step (halved until the log-posterior does not fall) on a roll call's parameters.
pub(crate) fn item_step(par: &mut ItemPar, k: u8, obs: &[(u32, u8)], x: &[f64], prior_var: f64) {
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
pub(crate) struct PathTerms {
    pub(crate) f: f64,
    pub(crate) grad: Vec<f64>,
    /// −∂² of the log-likelihood part (≥ 0).
    pub(crate) curv: Vec<f64>,
}

pub(crate) fn path_terms(
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
pub(crate) fn path_diag(curv: &[f64], drift: f64) -> Vec<f64> {
    let t = curv.len();
    (0..t)
        .map(|k| {
            let nb = usize::from(k > 0) + usize::from(k + 1 < t);
            curv[k].max(0.0) + nb as f64 / drift + if k == 0 { 1.0 } else { 0.0 }
        })
        .collect()
}

/// One Newton step on state s's path (halved until its log-posterior does not fall).
pub(crate) fn path_step(prob: &Problem, items: &[ItemPar], s: usize, xs: &mut [f64], drift: f64) {
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

pub(crate) fn update_items(prob: &Problem, items: &mut [ItemPar], x: &[f64], prior_var: f64) {
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

pub(crate) fn update_paths(prob: &Problem, items: &[ItemPar], x: &mut [f64], drift: f64) {
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
pub(crate) fn standardise(prob: &Problem, x: &mut [f64], items: &mut [ItemPar]) {
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
pub(crate) fn start_values(prob: &Problem) -> Vec<f64> {
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
