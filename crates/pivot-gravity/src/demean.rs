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
//! than `tol · (0.1 + |α|)` in a sweep (fixest's criterion).
//!
//! Each column keeps its coefficients between calls (warm start), which makes
//! the repeated demeaning inside IRLS cheap once the weights settle.
//! Columns are demeaned in parallel when the caller gives a thread pool.

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

/// Tolerances for the demeaning.
#[derive(Debug, Clone, Copy)]
pub struct DemeanControl {
    /// Relative tolerance on coefficient changes.
    pub tol: f64,
    /// Maximum Gauss–Seidel sweeps per column.
    pub max_iter: usize,
}

/// Per-weights precomputation: inverse weight sums per level.
pub struct Demeaner<'a> {
    fe: &'a FixedEffects,
    weights: Option<&'a [f64]>,
    inv_wsum: Vec<f64>,
    offsets: Vec<usize>,
    ctl: DemeanControl,
}

/// Warm-start state and scratch for one column.
#[derive(Debug, Clone, Default)]
pub struct ColumnState {
    alpha: Vec<f64>,
    gx: Vec<f64>,
    ggx: Vec<f64>,
    gsum: Vec<f64>,
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

impl<'a> Demeaner<'a> {
    /// Prepares demeaning with the given observation weights (`None` = 1).
    pub fn new(fe: &'a FixedEffects, weights: Option<&'a [f64]>, ctl: DemeanControl) -> Self {
        let offsets = fe.offsets();
        let mut wsum = vec![0.0; fe.total_levels()];
        for (q, d) in fe.dims.iter().enumerate() {
            let base = offsets[q];
            match weights {
                Some(w) => {
                    for (c, wi) in d.codes.iter().zip(w) {
                        wsum[base + *c as usize] += wi;
                    }
                }
                None => {
                    for c in &d.codes {
                        wsum[base + *c as usize] += 1.0;
                    }
                }
            }
        }
        let inv_wsum = wsum
            .into_iter()
            .map(|s| if s > 0.0 { 1.0 / s } else { 0.0 })
            .collect();
        Demeaner {
            fe,
            weights,
            inv_wsum,
            offsets,
            ctl,
        }
    }

    /// One Gauss–Seidel sweep: from `alpha_in` compute `alpha_out`, leaving the
    /// residual `x − Σ α_out` in `r`.
    fn sweep(
        &self,
        x: &[f64],
        alpha_in: &[f64],
        alpha_out: &mut [f64],
        r: &mut [f64],
        gsum: &mut [f64],
    ) {
        // r = x - Σ_q α_in[q][c]
        r.copy_from_slice(x);
        for (q, d) in self.fe.dims.iter().enumerate() {
            let a = &alpha_in[self.offsets[q]..self.offsets[q + 1]];
            for (ri, c) in r.iter_mut().zip(&d.codes) {
                *ri -= a[*c as usize];
            }
        }
        alpha_out.copy_from_slice(alpha_in);
        for (q, d) in self.fe.dims.iter().enumerate() {
            let lo = self.offsets[q];
            let hi = self.offsets[q + 1];
            let g = &mut gsum[..hi - lo];
            g.iter_mut().for_each(|v| *v = 0.0);
            match self.weights {
                Some(w) => {
                    for ((ri, c), wi) in r.iter().zip(&d.codes).zip(w) {
                        g[*c as usize] += wi * ri;
                    }
                }
                None => {
                    for (ri, c) in r.iter().zip(&d.codes) {
                        g[*c as usize] += ri;
                    }
                }
            }
            let inv = &self.inv_wsum[lo..hi];
            for (gv, iv) in g.iter_mut().zip(inv) {
                *gv *= iv;
            }
            for (a, gv) in alpha_out[lo..hi].iter_mut().zip(g.iter()) {
                *a += gv;
            }
            for (ri, c) in r.iter_mut().zip(&d.codes) {
                *ri -= g[*c as usize];
            }
        }
    }

    fn converged(&self, a: &[f64], b: &[f64]) -> bool {
        let tol = self.ctl.tol;
        a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= tol * (0.1 + x.abs()))
    }

    /// Demeans `x` into `out` (which may not alias `x`), warm-starting from
    /// `state`. Returns the number of sweeps.
    pub fn demean(&self, x: &[f64], out: &mut [f64], state: &mut ColumnState) -> usize {
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
        let max_levels = self.fe.dims.iter().map(FeDim::n_levels).max().unwrap_or(0);
        state.gsum.resize(max_levels, 0.0);
        let ColumnState {
            alpha,
            gx,
            ggx,
            gsum,
            ..
        } = state;
        let mut iters = 0usize;
        let mut converged = false;
        // A single FE is solved exactly by one sweep.
        let single = self.fe.dims.len() == 1;
        while iters < self.ctl.max_iter {
            self.sweep(x, alpha, gx, out, gsum);
            iters += 1;
            if single || self.converged(gx, alpha) {
                alpha.copy_from_slice(gx);
                converged = true;
                break;
            }
            self.sweep(x, gx, ggx, out, gsum);
            iters += 1;
            if self.converged(ggx, gx) {
                alpha.copy_from_slice(ggx);
                converged = true;
                break;
            }
            // Irons–Tuck extrapolation.
            let mut vprod = 0.0;
            let mut ssq = 0.0;
            for ((a, g1), g2) in alpha.iter().zip(gx.iter()).zip(ggx.iter()) {
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
        }
        if !converged {
            // Leave `out` consistent with the final alpha.
            self.sweep(x, alpha, gx, out, gsum);
            alpha.copy_from_slice(gx);
        }
        state.last_iterations = iters;
        state.last_converged = converged;
        iters
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
}
