//! ReLU separation check (Correia, Guimarães & Zylkin 2021, "Verifying the
//! existence of maximum likelihood estimates for generalized linear models",
//! as implemented in ppmlhdfe).
//!
//! Let `u_i = 1(y_i = 0)`. Repeatedly regress `u` on the regressors and fixed
//! effects by weighted least squares with weight 1 for `y = 0` and a large
//! weight `K` for `y > 0` (forcing the fit to ≈ 0 there), set tiny fitted
//! values to 0, and stop when every fitted value on `y = 0` observations is
//! ≥ 0: those with a strictly positive fit are separated (a linear
//! combination of regressors and FE that is 0 on `y > 0` and ≥ 0, not
//! identically 0, on `y = 0` exists, so their MLE mean is 0). Otherwise set
//! `u_i = max(fit_i, 0)` on the `y = 0` observations and repeat.

use crate::demean::{ColumnState, DemeanControl, Demeaner};
use crate::design::Design;
use crate::error::Result;
use crate::estimate::{chol_solve, cholesky, demean_columns};

/// Returns a mask of separated observations of `d`.
pub(crate) fn relu_separated(d: &Design, fe_tol: f64, seq: bool) -> Result<Vec<bool>> {
    let n = d.y.len();
    let zeros = d.y.iter().filter(|y| **y == 0.0).count();
    if zeros == 0 {
        return Ok(vec![false; n]);
    }
    let big = 1e6;
    let w: Vec<f64> =
        d.y.iter()
            .map(|y| if *y > 0.0 { big } else { 1.0 })
            .collect();
    let dm = Demeaner::new(
        &d.fe,
        Some(&w),
        DemeanControl {
            tol: fe_tol.min(1e-10),
            max_iter: 100_000,
        },
    );
    let k = d.x.len();
    let mut xt = vec![vec![0.0; n]; k];
    let mut states = vec![ColumnState::default(); k];
    {
        let inputs: Vec<&[f64]> = d.x.iter().map(|c| c.as_slice()).collect();
        demean_columns(&dm, &inputs, &mut xt, &mut states, seq);
    }
    // Cross products of X̃ (drop collinear columns by skipping zero pivots).
    let mut a = vec![0.0; k * k];
    for j in 0..k {
        for l in 0..=j {
            let s: f64 = (0..n).map(|i| xt[j][i] * xt[l][i] * w[i]).sum();
            a[j * k + l] = s;
            a[l * k + j] = s;
        }
    }
    let mut keep: Vec<usize> = (0..k).collect();
    let chol = loop {
        let q = keep.len();
        let mut sub = vec![0.0; q * q];
        for (r, &i) in keep.iter().enumerate() {
            for (c, &j) in keep.iter().enumerate() {
                sub[r * q + c] = a[i * k + j];
            }
        }
        match cholesky(&sub, q, 1e-9) {
            Ok(l) => break l,
            Err(j) => {
                keep.remove(j);
            }
        }
    };
    let mut u: Vec<f64> =
        d.y.iter()
            .map(|y| if *y == 0.0 { 1.0 } else { 0.0 })
            .collect();
    let mut ut = vec![0.0; n];
    let mut ust = ColumnState::default();
    let tol = 1e-6;
    for _ in 0..200 {
        dm.demean(&u, &mut ut, &mut ust);
        let b: Vec<f64> = keep
            .iter()
            .map(|&j| (0..n).map(|i| xt[j][i] * w[i] * ut[i]).sum())
            .collect();
        let beta = chol_solve(&chol, keep.len(), &b);
        // fitted = u − (ũ − X̃β)
        let mut all_nonneg = true;
        let mut fit = vec![0.0; n];
        for i in 0..n {
            let mut r = ut[i];
            for (c, &j) in keep.iter().enumerate() {
                r -= xt[j][i] * beta[c];
            }
            let mut f = u[i] - r;
            if f.abs() < tol {
                f = 0.0;
            }
            fit[i] = f;
            if d.y[i] == 0.0 && f < 0.0 {
                all_nonneg = false;
            }
        }
        if all_nonneg {
            return Ok((0..n).map(|i| d.y[i] == 0.0 && fit[i] > 0.0).collect());
        }
        for i in 0..n {
            u[i] = if d.y[i] == 0.0 { fit[i].max(0.0) } else { 0.0 };
        }
    }
    // No certificate found within the iteration budget: report nothing.
    Ok(vec![false; n])
}
