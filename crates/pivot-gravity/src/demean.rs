//! Weighted demeaning by any number of fixed effects: alternating projections
//! accelerated by Irons–Tuck extrapolation (the method of fixest, Bergé 2018).
//!
//! For a column `x`, weights `w` and fixed effects `q = 1..Q` with codes
//! `c_q(i)`, we look for coefficients `α_q` minimising
//! `Σ_i w_i (x_i − Σ_q α_q[c_q(i)])²`. One Gauss–Seidel sweep `F(α)` updates
//! each `α_q` in turn to the weighted group mean of the current partial
//! residual. The fixed point of `F` is the least-squares solution, and
//! `x̃ = x − Σ_q α_q[c_q(i)]` is the demeaned column. Every two sweeps the
//! Irons–Tuck step `α ← F²α − (⟨ΔFα, Δ²α⟩/⟨Δ²α, Δ²α⟩) ΔFα` extrapolates along the
//! direction of convergence. Iteration stops when no coefficient moves by more
//! than `tol · max(1, 0.1 + |α|)` in a sweep (fixest's `continue_crit`: both
//! the absolute and the relative change exceed `tol` to go on).
//!
//! Each column keeps its coefficients between calls (warm start), which makes
//! the repeated demeaning inside IRLS cheap once the weights settle.
//! Columns are demeaned in parallel when the caller gives a thread pool.
//!
//! Layout ([`FeLayout`]): the sweep works in coefficient space, as fixest
//! does. The weighted group sums `Σ_{i∈g} w_i x_i` are computed once per call;
//! a sweep then never reads `x` or a residual. The observations are visited
//! in the order of the dimension with the most levels, the *lead* (a counting
//! sort done once per fit), so its levels are contiguous segments. The lead
//! is updated first: for each of its levels, `α_L[g]` follows from the other
//! dimensions' current coefficients over the segment, and, in the same pass,
//! the new `α_L[g]` is scattered into the sums `Σ_{i∈h} w_i α_L[c_L(i)]` that
//! every other dimension needs. The other dimensions are then updated in
//! formula order from those sums and from the weighted cross-tabulations
//! between them (fixest's 2-FE trick: a sparse matrix with at most one cell
//! per distinct pair of levels, usually far fewer than observations). So one
//! sweep is one pass over the observations whatever the number of fixed
//! effects, plus small sparse products. The Gauss–Seidel order is thus lead
//! first, then the others in formula order; the fixed point is the same.

use rayon::prelude::*;

/// Fixed effects prepared for estimation: dense codes per dimension.
#[derive(Debug, Clone)]
pub struct FixedEffects {
    /// One entry per fixed-effect dimension.
    pub dims: Vec<FeDim>,
    /// Number of observations.
    pub n: usize,
}

/// One fixed-effect dimension.
#[derive(Debug, Clone)]
pub struct FeDim {
    /// Term name as written in the formula (`exp^year`).
    pub name: String,
    /// Dense codes, one per observation.
    pub codes: Vec<u32>,
    /// Level names (index = code).
    pub levels: Vec<String>,
}

impl FeDim {
    /// Number of levels.
    pub fn n_levels(&self) -> usize {
        self.levels.len()
    }
}

impl FixedEffects {
    /// Total number of fixed-effect coefficients over all dimensions.
    pub fn total_levels(&self) -> usize {
        self.dims.iter().map(FeDim::n_levels).sum()
    }

    fn offsets(&self) -> Vec<usize> {
        let mut off = Vec::with_capacity(self.dims.len() + 1);
        let mut s = 0;
        off.push(0);
        for d in &self.dims {
            s += d.n_levels();
            off.push(s);
        }
        off
    }
}

/// Irons–Tuck steps between the iterates fixest's grand acceleration
/// extrapolates across (fixest's `iter_grandAcc` is 4; 2 needs fewer sweeps here:
/// AGTPA RTA model 522 -> 394, 1M-row 3-FE panel 186 -> 167).
const GRAND_EVERY: usize = 2;

/// Tolerances for the demeaning.
#[derive(Debug, Clone, Copy)]
pub struct DemeanControl {
    /// Relative tolerance on coefficient changes.
    pub tol: f64,
    /// Maximum Gauss–Seidel sweeps per column.
    pub max_iter: usize,
}

/// Weighted cross-tabulation structure of two non-lead dimensions `a < b`:
/// the distinct pairs of levels (cells) and each observation's cell.
#[derive(Debug, Clone)]
struct PairTab {
    a: usize,
    b: usize,
    ca: Vec<u32>,
    cb: Vec<u32>,
    /// Cell of each observation, in layout order.
    cell: Vec<u32>,
}

impl PairTab {
    fn new(a: usize, b: usize, ca_obs: &[u32], cb_obs: &[u32], la: usize, lb: usize) -> Self {
        let n = ca_obs.len();
        let lb64 = lb as u64;
        let key = |j: usize| u64::from(ca_obs[j]) * lb64 + u64::from(cb_obs[j]);
        let n_cells = la as u64 * lb64;
        let mut cell = vec![0u32; n];
        let mut ca = Vec::new();
        let mut cb = Vec::new();
        if n_cells <= (4 * n as u64).max(1 << 20) {
            // Dense index over all level pairs.
            const UNSEEN: u32 = u32::MAX;
            let mut id = vec![UNSEEN; n_cells as usize];
            for j in 0..n {
                id[key(j) as usize] = 0;
            }
            let mut next = 0u32;
            for (k, v) in id.iter_mut().enumerate() {
                if *v != UNSEEN {
                    *v = next;
                    next += 1;
                    ca.push((k / lb) as u32);
                    cb.push((k % lb) as u32);
                }
            }
            for (j, c) in cell.iter_mut().enumerate() {
                *c = id[key(j) as usize];
            }
        } else {
            let mut keys: Vec<u64> = (0..n).map(key).collect();
            keys.sort_unstable();
            keys.dedup();
            for k in &keys {
                ca.push((k / lb64) as u32);
                cb.push((k % lb64) as u32);
            }
            for (j, c) in cell.iter_mut().enumerate() {
                *c = keys.binary_search(&key(j)).unwrap_or(0) as u32;
            }
        }
        PairTab { a, b, ca, cb, cell }
    }
}

/// Observation order and codes prepared once per set of fixed effects: the
/// observations sorted by the codes of the lead dimension (the one with the
/// most levels), its levels as contiguous segments, the codes of the other
/// dimensions in that order, and the cross-tabulations between them.
#[derive(Debug, Clone)]
pub(crate) struct FeLayout {
    /// Index of the lead dimension.
    lead: usize,
    /// The other dimensions, in formula order.
    others: Vec<usize>,
    /// Segment starts of the lead dimension's levels (`n_levels + 1` entries).
    seg: Vec<usize>,
    /// Sorted position -> observation index.
    perm: Vec<u32>,
    /// Codes of every dimension in layout order (empty for the lead one).
    codes: Vec<Vec<u32>>,
    /// Cross-tabulations of every pair of non-lead dimensions.
    pairs: Vec<PairTab>,
    /// Offsets of each dimension's coefficients in the flattened vector.
    offsets: Vec<usize>,
}

impl FeLayout {
    /// Builds the layout (a counting sort by the lead dimension's codes).
    pub(crate) fn new(fe: &FixedEffects) -> Self {
        let offsets = fe.offsets();
        let n = fe.n;
        if fe.dims.is_empty() {
            return FeLayout {
                lead: 0,
                others: vec![],
                seg: vec![],
                perm: vec![],
                codes: vec![],
                pairs: vec![],
                offsets,
            };
        }
        let lead = (0..fe.dims.len())
            .max_by_key(|&q| (fe.dims[q].n_levels(), std::cmp::Reverse(q)))
            .unwrap_or(0);
        let others: Vec<usize> = (0..fe.dims.len()).filter(|&q| q != lead).collect();
        let lc = &fe.dims[lead].codes;
        let nl = fe.dims[lead].n_levels();
        let mut seg = vec![0usize; nl + 1];
        for c in lc {
            seg[*c as usize + 1] += 1;
        }
        for g in 0..nl {
            seg[g + 1] += seg[g];
        }
        let mut next = seg.clone();
        let mut perm = vec![0u32; n];
        for (i, c) in lc.iter().enumerate() {
            let slot = &mut next[*c as usize];
            perm[*slot] = i as u32;
            *slot += 1;
        }
        let codes: Vec<Vec<u32>> = fe
            .dims
            .iter()
            .enumerate()
            .map(|(q, d)| {
                if q == lead {
                    vec![]
                } else {
                    perm.iter().map(|&i| d.codes[i as usize]).collect()
                }
            })
            .collect();
        let mut pairs = Vec::new();
        for (k, &a) in others.iter().enumerate() {
            for &b in &others[k + 1..] {
                pairs.push(PairTab::new(
                    a,
                    b,
                    &codes[a],
                    &codes[b],
                    fe.dims[a].n_levels(),
                    fe.dims[b].n_levels(),
                ));
            }
        }
        FeLayout {
            lead,
            others,
            seg,
            perm,
            codes,
            pairs,
            offsets,
        }
    }
}

/// Per-weights precomputation: weights in layout order, inverse weight sums
/// per level and the weights of the cross-tabulation cells.
pub struct Demeaner<'a> {
    fe: &'a FixedEffects,
    layout: std::borrow::Cow<'a, FeLayout>,
    /// Weights in the original order (`None` = 1).
    weights: Option<&'a [f64]>,
    /// Weights in layout order (ones when unweighted).
    w: Vec<f64>,
    inv_wsum: Vec<f64>,
    /// Summed weights of each cell of each pair table.
    pair_w: Vec<Vec<f64>>,
    ctl: DemeanControl,
}

/// Warm-start state and scratch for one column.
#[derive(Debug, Clone, Default)]
pub struct ColumnState {
    alpha: Vec<f64>,
    gx: Vec<f64>,
    ggx: Vec<f64>,
    gsum: Vec<f64>,
    sx: Vec<f64>,
    /// Sweeps used in the last call.
    pub last_iterations: usize,
    /// Whether the last call converged.
    pub last_converged: bool,
}

impl ColumnState {
    /// The fixed-effect coefficients of the last call, flattened by dimension.
    pub fn alpha(&self) -> &[f64] {
        &self.alpha
    }
}

/// Splits a flattened coefficient vector into one slice per dimension.
fn split_dims<'s>(v: &'s mut [f64], offsets: &[usize]) -> Vec<&'s mut [f64]> {
    let mut out = Vec::with_capacity(offsets.len().saturating_sub(1));
    let mut rest = v;
    for q in 0..offsets.len().saturating_sub(1) {
        let (h, t) = std::mem::take(&mut rest).split_at_mut(offsets[q + 1] - offsets[q]);
        out.push(h);
        rest = t;
    }
    out
}

impl<'a> Demeaner<'a> {
    /// The tolerance of [`Demeaner::demean`].
    pub fn tol(&self) -> f64 {
        self.ctl.tol
    }

    /// Prepares demeaning with the given observation weights (`None` = 1).
    pub fn new(fe: &'a FixedEffects, weights: Option<&'a [f64]>, ctl: DemeanControl) -> Self {
        Self::build(fe, std::borrow::Cow::Owned(FeLayout::new(fe)), weights, ctl)
    }

    /// Like [`Demeaner::new`] with a layout prepared once for `fe` (IRLS
    /// builds one demeaner per iteration on the same fixed effects).
    pub(crate) fn with_layout(
        fe: &'a FixedEffects,
        layout: &'a FeLayout,
        weights: Option<&'a [f64]>,
        ctl: DemeanControl,
    ) -> Self {
        Self::build(fe, std::borrow::Cow::Borrowed(layout), weights, ctl)
    }

    fn build(
        fe: &'a FixedEffects,
        layout: std::borrow::Cow<'a, FeLayout>,
        weights: Option<&'a [f64]>,
        ctl: DemeanControl,
    ) -> Self {
        let w: Vec<f64> = match weights {
            Some(w) => layout.perm.iter().map(|&i| w[i as usize]).collect(),
            None => vec![1.0; layout.perm.len()],
        };
        let mut wsum = vec![0.0; fe.total_levels()];
        if !fe.dims.is_empty() {
            let off = &layout.offsets;
            for q in 0..fe.dims.len() {
                let ws = &mut wsum[off[q]..off[q + 1]];
                if q == layout.lead {
                    for (g, s) in ws.iter_mut().enumerate() {
                        *s = w[layout.seg[g]..layout.seg[g + 1]].iter().sum();
                    }
                } else {
                    for (c, wi) in layout.codes[q].iter().zip(&w) {
                        ws[*c as usize] += wi;
                    }
                }
            }
        }
        let inv_wsum = wsum
            .into_iter()
            .map(|s| if s > 0.0 { 1.0 / s } else { 0.0 })
            .collect();
        let pair_w = layout
            .pairs
            .iter()
            .map(|p| {
                let mut v = vec![0.0; p.ca.len()];
                for (c, wi) in p.cell.iter().zip(&w) {
                    v[*c as usize] += wi;
                }
                v
            })
            .collect();
        Demeaner {
            fe,
            layout,
            weights,
            w,
            inv_wsum,
            pair_w,
            ctl,
        }
    }

    /// Weighted group sums `Σ_{i∈g} w_i x_i` of every dimension, flattened.
    fn group_sums(&self, x: &[f64], sx: &mut [f64]) {
        let off = &self.layout.offsets;
        sx.iter_mut().for_each(|v| *v = 0.0);
        for (q, d) in self.fe.dims.iter().enumerate() {
            let s = &mut sx[off[q]..off[q + 1]];
            match self.weights {
                Some(w) => {
                    for ((xi, wi), c) in x.iter().zip(w).zip(&d.codes) {
                        s[*c as usize] += wi * xi;
                    }
                }
                None => {
                    for (xi, c) in x.iter().zip(&d.codes) {
                        s[*c as usize] += xi;
                    }
                }
            }
        }
    }

    /// One Gauss–Seidel sweep `alpha_out = F(alpha_in)` in coefficient space
    /// (lead dimension first, then the others in formula order); `sx` holds
    /// the weighted group sums of the column, `scratch` has `m` entries.
    fn sweep(&self, sx: &[f64], alpha_in: &[f64], alpha_out: &mut [f64], scratch: &mut [f64]) {
        let l = &*self.layout;
        let off = &l.offsets;
        let lead = l.lead;
        let w = &self.w;
        let seg = &l.seg;
        let nl = seg.len() - 1;
        alpha_out.copy_from_slice(alpha_in);
        scratch.iter_mut().for_each(|v| *v = 0.0);
        let mut aout = split_dims(alpha_out, off);
        let mut t = split_dims(scratch, off);
        let sxl = &sx[off[lead]..off[lead + 1]];
        let invl = &self.inv_wsum[off[lead]..off[lead + 1]];
        let old = |q: usize| &alpha_in[off[q]..off[q + 1]];
        // Pass over the observations: the lead's update, and its scatter into
        // the sums `t_o[h] = Σ_{i∈h} w_i α_L[c_L(i)]` of the other dimensions.
        let mut fused: Option<(usize, usize)> = None;
        {
            let al = std::mem::take(&mut aout[lead]);
            match l.others.as_slice() {
                [] => {
                    for ((a, s), iv) in al.iter_mut().zip(sxl).zip(invl) {
                        *a = s * iv;
                    }
                }
                &[b] => {
                    let tb = std::mem::take(&mut t[b]);
                    let (cb, ab) = (&l.codes[b], old(b));
                    for g in 0..nl {
                        let (lo, hi) = (seg[g], seg[g + 1]);
                        let (wg, cg) = (&w[lo..hi], &cb[lo..hi]);
                        let mut s = 0.0;
                        for (wj, c) in wg.iter().zip(cg) {
                            s += wj * ab[*c as usize];
                        }
                        let a = (sxl[g] - s) * invl[g];
                        al[g] = a;
                        for (wj, c) in wg.iter().zip(cg) {
                            tb[*c as usize] += wj * a;
                        }
                    }
                    t[b] = tb;
                }
                &[b, c] => {
                    let tb = std::mem::take(&mut t[b]);
                    let tc = std::mem::take(&mut t[c]);
                    let (cb, ab) = (&l.codes[b], old(b));
                    let (cc, ac) = (&l.codes[c], old(c));
                    for g in 0..nl {
                        let (lo, hi) = (seg[g], seg[g + 1]);
                        let (wg, bg, cg) = (&w[lo..hi], &cb[lo..hi], &cc[lo..hi]);
                        let mut s = 0.0;
                        for ((wj, j1), j2) in wg.iter().zip(bg).zip(cg) {
                            s += wj * (ab[*j1 as usize] + ac[*j2 as usize]);
                        }
                        let a = (sxl[g] - s) * invl[g];
                        al[g] = a;
                        // b's update (next) needs Σ w (α_L + α_c) with c's
                        // old values: gathered here, so b skips its
                        // cross-tabulation pass.
                        for ((wj, j1), j2) in wg.iter().zip(bg).zip(cg) {
                            let v = wj * a;
                            tb[*j1 as usize] += v + wj * ac[*j2 as usize];
                            tc[*j2 as usize] += v;
                        }
                    }
                    t[b] = tb;
                    t[c] = tc;
                    fused = Some((b, c));
                }
                os => {
                    for g in 0..nl {
                        let (lo, hi) = (seg[g], seg[g + 1]);
                        let mut s = 0.0;
                        for j in lo..hi {
                            let mut v = 0.0;
                            for &o in os {
                                v += old(o)[l.codes[o][j] as usize];
                            }
                            s += w[j] * v;
                        }
                        let a = (sxl[g] - s) * invl[g];
                        al[g] = a;
                        for j in lo..hi {
                            let v = w[j] * a;
                            for &o in os {
                                t[o][l.codes[o][j] as usize] += v;
                            }
                        }
                    }
                }
            }
            aout[lead] = al;
        }
        // The other dimensions in order, from `t` and the cross-tabulations.
        for &o in &l.others {
            let g = std::mem::take(&mut t[o]);
            for (p, pw) in l.pairs.iter().zip(&self.pair_w) {
                if fused.is_some_and(|(fb, fc)| {
                    (p.a == fb && p.b == fc || p.a == fc && p.b == fb) && o == fb
                }) {
                    continue;
                }
                if p.a == o {
                    let ab = &aout[p.b];
                    for ((i, j), v) in p.ca.iter().zip(&p.cb).zip(pw) {
                        g[*i as usize] += v * ab[*j as usize];
                    }
                } else if p.b == o {
                    let aa = &aout[p.a];
                    for ((i, j), v) in p.ca.iter().zip(&p.cb).zip(pw) {
                        g[*j as usize] += v * aa[*i as usize];
                    }
                }
            }
            let (lo, hi) = (off[o], off[o + 1]);
            for (((a, gv), s), iv) in aout[o]
                .iter_mut()
                .zip(g.iter())
                .zip(&sx[lo..hi])
                .zip(&self.inv_wsum[lo..hi])
            {
                *a = (s - gv) * iv;
            }
        }
    }

    fn converged(&self, a: &[f64], b: &[f64], tol: f64) -> bool {
        a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= tol * (0.1 + x.abs()).max(1.0))
    }

    /// `out = x − Σ_q α_q[c_q(i)]`, in the original observation order.
    fn residual(&self, x: &[f64], alpha: &[f64], out: &mut [f64]) {
        out.copy_from_slice(x);
        for (q, d) in self.fe.dims.iter().enumerate() {
            let a = &alpha[self.layout.offsets[q]..self.layout.offsets[q + 1]];
            for (o, c) in out.iter_mut().zip(&d.codes) {
                *o -= a[*c as usize];
            }
        }
    }

    /// Demeans `x` into `out` (which may not alias `x`), warm-starting from
    /// `state`. Returns the number of sweeps.
    pub fn demean(&self, x: &[f64], out: &mut [f64], state: &mut ColumnState) -> usize {
        self.demean_tol(x, out, state, self.ctl.tol)
    }

    /// Like [`Demeaner::demean`] with another tolerance for this call.
    pub fn demean_tol(
        &self,
        x: &[f64],
        out: &mut [f64],
        state: &mut ColumnState,
        tol: f64,
    ) -> usize {
        let m = self.fe.total_levels();
        if self.fe.dims.is_empty() {
            out.copy_from_slice(x);
            state.last_iterations = 0;
            state.last_converged = true;
            return 0;
        }
        if state.alpha.len() != m {
            state.alpha = vec![0.0; m];
        }
        state.gx.resize(m, 0.0);
        state.ggx.resize(m, 0.0);
        state.sx.resize(m, 0.0);
        state.gsum.resize(m, 0.0);
        let ColumnState {
            alpha,
            gx,
            ggx,
            gsum,
            sx,
            ..
        } = state;
        self.group_sums(x, sx);
        let mut iters = 0usize;
        let mut converged = false;
        // A single FE is solved exactly by one sweep.
        let single = self.fe.dims.len() == 1;
        // A sweep reads only the non-lead coefficients (the lead's follow
        // from them), so convergence and the Irons–Tuck step are taken on
        // those (fixest likewise leaves out the dimension it derives).
        let (ls, le) = (
            self.layout.offsets[self.layout.lead],
            self.layout.offsets[self.layout.lead + 1],
        );
        let conv_free = |a: &[f64], b: &[f64]| {
            self.converged(&a[..ls], &b[..ls], tol) && self.converged(&a[le..], &b[le..], tol)
        };
        // fixest's "grand acceleration": every GRAND_EVERY Irons–Tuck steps
        // keep the iterate; with three kept, extrapolate across them too.
        let mut grand: Vec<Vec<f64>> = Vec::new();
        let mut it_steps = 0usize;
        while iters < self.ctl.max_iter {
            self.sweep(sx, alpha, gx, gsum);
            iters += 1;
            if single || conv_free(gx, alpha) {
                alpha.copy_from_slice(gx);
                converged = true;
                break;
            }
            self.sweep(sx, gx, ggx, gsum);
            iters += 1;
            if conv_free(ggx, gx) {
                alpha.copy_from_slice(ggx);
                converged = true;
                break;
            }
            // Irons–Tuck extrapolation on the free coefficients.
            let mut vprod = 0.0;
            let mut ssq = 0.0;
            for i in (0..ls).chain(le..m) {
                let (a, g1, g2) = (alpha[i], gx[i], ggx[i]);
                let d_g = g2 - g1;
                let d2 = g2 - 2.0 * g1 + a;
                vprod += d_g * d2;
                ssq += d2 * d2;
            }
            if ssq > 0.0 && vprod.is_finite() {
                let coef = vprod / ssq;
                for ((a, g1), g2) in alpha.iter_mut().zip(gx.iter()).zip(ggx.iter()) {
                    *a = g2 - coef * (g2 - g1);
                }
            } else {
                alpha.copy_from_slice(ggx);
            }
            it_steps += 1;
            if it_steps.is_multiple_of(GRAND_EVERY) {
                grand.push(ggx.clone());
                if grand.len() == 3 {
                    let (y, gy, ggy) = (&grand[0], &grand[1], &grand[2]);
                    let mut vprod = 0.0;
                    let mut ssq = 0.0;
                    for i in (0..ls).chain(le..m) {
                        let d_g = ggy[i] - gy[i];
                        let d2 = ggy[i] - 2.0 * gy[i] + y[i];
                        vprod += d_g * d2;
                        ssq += d2 * d2;
                    }
                    if ssq > 0.0 && vprod.is_finite() {
                        let coef = vprod / ssq;
                        for i in 0..m {
                            alpha[i] = ggy[i] - coef * (ggy[i] - gy[i]);
                        }
                    }
                    grand.clear();
                }
            }
        }
        if !converged {
            // Finish with a plain sweep, as a converged call does.
            self.sweep(sx, alpha, gx, gsum);
            alpha.copy_from_slice(gx);
        }
        self.residual(x, alpha, out);
        state.last_iterations = iters;
        state.last_converged = converged;
        iters
    }
}

/// Demeans several columns (in parallel unless `seq`).
pub(crate) fn demean_columns(
    dm: &Demeaner<'_>,
    inputs: &[&[f64]],
    outputs: &mut [Vec<f64>],
    states: &mut [ColumnState],
    seq: bool,
) {
    let tols = vec![dm.tol(); inputs.len()];
    demean_columns_tol(dm, inputs, outputs, states, &tols, seq);
}

/// Demeans several columns, each with its own tolerance.
pub(crate) fn demean_columns_tol(
    dm: &Demeaner<'_>,
    inputs: &[&[f64]],
    outputs: &mut [Vec<f64>],
    states: &mut [ColumnState],
    tols: &[f64],
    seq: bool,
) {
    if seq || inputs.len() == 1 {
        for (((x, o), s), t) in inputs
            .iter()
            .zip(outputs.iter_mut())
            .zip(states.iter_mut())
            .zip(tols)
        {
            dm.demean_tol(x, o, s, *t);
        }
    } else {
        inputs
            .par_iter()
            .zip(outputs.par_iter_mut())
            .zip(states.par_iter_mut())
            .zip(tols.par_iter())
            .for_each(|(((x, o), s), t)| {
                dm.demean_tol(x, o, s, *t);
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fe2() -> FixedEffects {
        // 3 x 2 layout with one missing cell
        let a = vec![0, 0, 1, 1, 2, 2, 0];
        let b = vec![0, 1, 0, 1, 0, 1, 1];
        FixedEffects {
            n: 7,
            dims: vec![
                FeDim {
                    name: "a".into(),
                    codes: a,
                    levels: vec!["a0".into(), "a1".into(), "a2".into()],
                },
                FeDim {
                    name: "b".into(),
                    codes: b,
                    levels: vec!["b0".into(), "b1".into()],
                },
            ],
        }
    }

    #[test]
    fn demeaned_column_is_orthogonal_to_every_dummy() {
        let fe = fe2();
        let w = [1.0, 2.0, 0.5, 1.5, 3.0, 1.0, 0.7];
        let x = [1.0, -2.0, 3.5, 0.2, 4.0, 1.0, 9.0];
        let dm = Demeaner::new(
            &fe,
            Some(&w),
            DemeanControl {
                tol: 1e-13,
                max_iter: 10_000,
            },
        );
        let mut out = vec![0.0; 7];
        let mut st = ColumnState::default();
        dm.demean(&x, &mut out, &mut st);
        assert!(st.last_converged);
        for d in &fe.dims {
            for lvl in 0..d.n_levels() {
                let s: f64 = (0..7)
                    .filter(|i| d.codes[*i] as usize == lvl)
                    .map(|i| w[i] * out[i])
                    .sum();
                assert!(s.abs() < 1e-10, "level {lvl} of {}: {s}", d.name);
            }
        }
    }

    /// Deterministic pseudo-random fixed effects with `levels[q]` levels each.
    fn fe_random(n: usize, levels: &[usize]) -> FixedEffects {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let dims = levels
            .iter()
            .enumerate()
            .map(|(q, &l)| {
                // Every level appears at least once.
                let codes: Vec<u32> = (0..n)
                    .map(|i| {
                        if i < l {
                            i as u32
                        } else {
                            (next() % l as u64) as u32
                        }
                    })
                    .collect();
                FeDim {
                    name: format!("f{q}"),
                    codes,
                    levels: (0..l).map(|v| v.to_string()).collect(),
                }
            })
            .collect();
        FixedEffects { dims, n }
    }

    #[test]
    fn three_and_four_dimensions_any_lead_position() {
        // The lead (largest) dimension first, in the middle, and last, with
        // three and four dimensions (the specialised and generic sweeps).
        for levels in [
            vec![40, 7, 3],
            vec![7, 40, 3],
            vec![3, 7, 40],
            vec![5, 40, 9, 4],
        ] {
            let n = 400;
            let fe = fe_random(n, &levels);
            let w: Vec<f64> = (0..n).map(|i| 0.5 + (i % 7) as f64 * 0.3).collect();
            let x: Vec<f64> = (0..n).map(|i| ((i * 37) % 101) as f64 / 10.0).collect();
            let dm = Demeaner::new(
                &fe,
                Some(&w),
                DemeanControl {
                    tol: 1e-13,
                    max_iter: 100_000,
                },
            );
            let mut out = vec![0.0; n];
            let mut st = ColumnState::default();
            dm.demean(&x, &mut out, &mut st);
            assert!(st.last_converged, "{levels:?}");
            for d in &fe.dims {
                for lvl in 0..d.n_levels() {
                    let s: f64 = (0..n)
                        .filter(|i| d.codes[*i] as usize == lvl)
                        .map(|i| w[i] * out[i])
                        .sum();
                    assert!(s.abs() < 1e-8, "{levels:?} level {lvl} of {}: {s}", d.name);
                }
            }
            // x − out is a sum of fixed effects: demeaning it again gives ~0.
            let fit: Vec<f64> = x.iter().zip(&out).map(|(a, b)| a - b).collect();
            let mut out2 = vec![0.0; n];
            let mut st2 = ColumnState::default();
            dm.demean(&fit, &mut out2, &mut st2);
            assert!(out2.iter().all(|v| v.abs() < 1e-8), "{levels:?}");
        }
    }
}
