//! # pivot-gravity: PPML with high-dimensional fixed effects and GE-PPML scenarios
//!
//! Structural gravity for pivot: estimate how trade (or any flow) between
//! states depends on distance, borders and agreements, and simulate what
//! happens in general equilibrium when trade costs change.
//!
//! ## Estimation
//!
//! [`Ppml`] fits `E[y | x, FE] = exp(xβ + Σ_q α_q + offset)` by Poisson
//! pseudo-maximum likelihood; [`Ols`] fits the linear model with the same
//! fixed-effect machinery. Models are written in fixest syntax
//! (`trade ~ ln_dist + cntg + rta | exp^year + imp^year + pair`, see
//! [`Formula`]) over a columnar [`Panel`].
//!
//! The method is that of ppmlhdfe (Correia, Guimarães & Zylkin 2020, "Fast
//! Poisson estimation with high-dimensional fixed effects", *Stata Journal*
//! 20(1)) and fixest's `fepois` (Bergé 2018, "Efficient estimation of maximum
//! likelihood models with multiple fixed-effects: the R package FENmlm"):
//!
//! 1. IRLS: with `μ` the current mean, weights `w = ω μ` and working outcome
//!    `z = η − offset + (y − μ)/μ`.
//! 2. Demean `z` and every regressor by all fixed effects with weights `w`
//!    (alternating projections with Irons–Tuck acceleration, warm-started
//!    from the previous iteration; see the `demean` module), then solve the
//!    weighted least squares of `z̃` on `X̃`. The new linear predictor is
//!    `η = offset + z − (z̃ − X̃β)`.
//! 3. Stop when `|dev − dev_old| / (0.1 + |dev|) < tol` (default `1e-8`,
//!    fixest's `glm.tol`), halving the step if the deviance is not finite or
//!    increases (fixest's rule). IRLS starts from fixest's `μ = y + 0.1`.
//!
//! Before fitting, PPML drops separated observations as ppmlhdfe does
//! (Correia, Guimarães & Zylkin 2021; see [`Separation`]): by default the
//! `fe` (all-zero fixed-effect groups, iteratively), `simplex` (linear
//! programming on the regressors) and `relu` (iterated rectifier regression
//! with the fixed effects) methods; `mu` (vanishing means during IRLS) on
//! request. [`Fit::separation`] says how many observations each method
//! dropped, which rows, and which regressors became collinear because of it.
//! Regressors collinear with each other or absorbed by the fixed effects are
//! dropped and listed ([`Fit::collinear`]). Every dropped observation is
//! reported with its reason and panel row ([`Fit::dropped`]).
//!
//! Every loop has a cap: IRLS (`max_iter`, 100), step-halving (30 per
//! iteration), the demeaning (`fe_max_iter`, 10,000 sweeps per column and
//! call), each separation method and the GE fixed point;
//! [`Fit::convergence`] reports the last criterion and which caps were hit.
//!
//! Estimated fixed effects ([`Fit::fixed_effects`], normalisation stated on
//! [`FeEstimates`]) and predictions on new data ([`Fit::predict`]) come with
//! every fit.
//!
//! ## Variance and small-sample corrections
//!
//! The variance is chosen after fitting, without refitting
//! ([`Fit::vcov`]): `iid`, `hetero`, or clustered on one or two columns
//! ([`VcovSpec`]). The default correction ([`Ssc::fixest`]) is fixest's
//! `ssc(adj = TRUE, fixef.K = "nested", cluster.adj = TRUE)`:
//!
//! * `V · (n − 1)/(n − K)` with `K = p + K_fe`, where `K_fe` counts the
//!   fixed-effect levels (one reference per extra dimension) except those of
//!   dimensions nested in a cluster variable;
//! * times `G/(G − 1)` for one-way clustering, `min(G)/(min(G) − 1)` for
//!   two-way, and `n/(n − 1)` for `hetero`.
//!
//! [`Ssc::cluster_only`] gives just the `G/(G−1)` (or `n/(n−1)`) factor: this
//! reproduces capybara's clustered SEs and Stata `ppml`'s robust SEs (both
//! checked against published output in the tests). p-values use the normal
//! distribution (z statistics), as fixest does for GLMs.
//!
//! Reported: N, dropped observations by reason, iterations, convergence,
//! deviance, null deviance (intercept-only model), Poisson log-likelihood
//! `Σ ω (y ln μ − μ − ln Γ(y+1))`, and McFadden's pseudo-R² `1 − ℓ/ℓ₀`
//! ([`Fit::pseudo_r2`], what fixest reports as `pr2`); the deviance ratio
//! `1 − dev/dev₀` is [`Fit::deviance_r2`].
//!
//! ## General equilibrium (GE-PPML)
//!
//! [`ge`] implements Anderson, Larch & Yotov (2018), "GEPPML: General
//! equilibrium analysis with PPML", *The World Economy* 41(10), following the
//! Stata code of Yotov, Piermartini, Monteiro & Larch (2016), *An Advanced
//! Guide to Trade Policy Analysis*, WTO/UNCTAD, chapter 2. [`scenario`] reads
//! TOML scenario files and runs them on a panel ([`run_scenario`]).
//!
//! ## Example
//!
//! ```
//! use pivot_gravity::{Formula, Panel, Ppml, VcovSpec};
//! let mut p = Panel::new();
//! p.add_categorical("exp", &["A", "A", "B", "B", "C", "C"]).unwrap();
//! p.add_categorical("imp", &["B", "C", "A", "C", "A", "B"]).unwrap();
//! p.add_numeric("x", vec![0.1, 0.7, 0.3, 0.2, 0.9, 0.4]).unwrap();
//! p.add_numeric("y", vec![1.0, 3.0, 2.0, 0.0, 5.0, 2.0]).unwrap();
//! let f = Formula::parse("y ~ x | exp + imp").unwrap();
//! let fit = Ppml::params().tol(1e-10).check().unwrap().fit(&f, &p).unwrap();
//! let fit = fit.vcov(VcovSpec::Hetero, &p).unwrap();
//! assert!(fit.converged());
//! println!("{fit}");
//! ```

// Numeric kernels index several parallel arrays in one loop; iterator
// chains over four or five slices read worse than the index.
#![allow(clippy::needless_range_loop)]

mod demean;
mod design;
mod error;
mod estimate;
mod fit;
mod formula;
pub mod ge;
mod linalg;
mod panel;
pub mod scenario;
mod separation;
mod separation_method;
mod stats;
mod vcov;
mod vcov_spec;

pub use demean::{DemeanControl, FeDim, FixedEffects};
pub use design::{DropReason, Dropped};
pub use error::{GravityError, Result};
pub use estimate::{Ols, OlsParams, OlsParamsBuilder, Par, Ppml, PpmlParams, PpmlParamsBuilder};
pub use fit::{CoefRow, Convergence, Estimator, FeEstimates, Fit, StopReason, etable};
pub use formula::{Expr, FeTerm, Formula, Func, Op, Term};
pub use panel::{Categorical, Column, Panel};
pub use scenario::{ScenarioResult, ScenarioSpec, run_scenario};
pub use separation::{Separation, SeparationMethod, SeparationReport};
pub use stats::{ln_gamma, normal_two_sided_p};
pub use vcov::{FixefK, Ssc, VcovSpec};
