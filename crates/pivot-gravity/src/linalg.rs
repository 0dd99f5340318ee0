//! Dense linear algebra the estimators share: a Cholesky factorisation that reports the first
//! (near-)zero pivot, and the solve with it. A leaf module.

/// Cholesky of a symmetric p×p matrix with detection of (near-)zero pivots.
/// Returns `Err(j)` with the first column whose pivot is ≤ `tol · a_jj`.
pub(crate) fn cholesky(a: &[f64], p: usize, tol: f64) -> std::result::Result<Vec<f64>, usize> {
    let mut l = vec![0.0; p * p];
    for j in 0..p {
        let mut d = a[j * p + j];
        for k in 0..j {
            d -= l[j * p + k] * l[j * p + k];
        }
        if d <= tol * a[j * p + j].abs() || d <= 0.0 || !d.is_finite() {
            return Err(j);
        }
        let dj = d.sqrt();
        l[j * p + j] = dj;
        for i in j + 1..p {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= l[i * p + k] * l[j * p + k];
            }
            l[i * p + j] = s / dj;
        }
    }
    Ok(l)
}

pub(crate) fn chol_solve(l: &[f64], p: usize, b: &[f64]) -> Vec<f64> {
    let mut y = b.to_vec();
    for i in 0..p {
        let mut s = y[i];
        for k in 0..i {
            s -= l[i * p + k] * y[k];
        }
        y[i] = s / l[i * p + i];
    }
    for i in (0..p).rev() {
        let mut s = y[i];
        for k in i + 1..p {
            s -= l[k * p + i] * y[k];
        }
        y[i] = s / l[i * p + i];
    }
    y
}
