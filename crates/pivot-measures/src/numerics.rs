//! General numerics the estimators use, apart from any one model: logs of the normal CDF and
//! density that stay finite far in the tails, a small SPD solve, the tridiagonal (Thomas)
//! solve and the diagonal of a tridiagonal inverse, and how many threads to split work over.

pub(crate) const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

pub(crate) const SQRT_2: f64 = std::f64::consts::SQRT_2;

/// ln erfc(x) for x ≥ 0: Chebyshev fit of Numerical Recipes (2nd ed., §6.2, `erfcc`),
/// fractional error below 1.2e-7 everywhere, written as a logarithm so that the tail never
/// underflows.
pub(crate) fn ln_erfc_nonneg(x: f64) -> f64 {
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
pub(crate) fn ln_cdf(z: f64) -> f64 {
    if z < 0.0 {
        ln_erfc_nonneg(-z / SQRT_2) - std::f64::consts::LN_2
    } else {
        (-0.5 * ln_erfc_nonneg(z / SQRT_2).exp()).ln_1p()
    }
}

/// ln φ(z).
pub(crate) fn ln_pdf(z: f64) -> f64 {
    -0.5 * z * z - LN_SQRT_2PI
}

/// ln(1 − e^d) for d ≤ 0.
pub(crate) fn ln_1m_exp(d: f64) -> f64 {
    if d > -std::f64::consts::LN_2 {
        (-d.exp_m1()).ln()
    } else {
        (-d.exp()).ln_1p()
    }
}

/// Solve the symmetric positive definite system a·d = g (n ≤ 3) by Cholesky; None if not SPD.
#[allow(clippy::needless_range_loop)] // index arithmetic of a 3 × 3 factorisation
pub(crate) fn solve_spd(a: &mut [[f64; 3]; 3], g: &[f64; 3], n: usize) -> Option<[f64; 3]> {
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

/// Solve the tridiagonal system (diag, off-diagonal −1/drift everywhere) · d = g.
pub(crate) fn thomas(diag: &[f64], drift: f64, g: &[f64]) -> Vec<f64> {
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
pub(crate) fn tridiag_inverse_diag(diag: &[f64], drift: f64) -> Vec<f64> {
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

/// Run `f` over `0..n` split into contiguous chunks on the available cores.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(16)
}
