//! Which variance a fit reports and its small-sample correction: the types a fit carries (the
//! computation is `vcov.rs`, which reads the fit).

/// Which variance to compute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VcovSpec {
    /// Classical (model-based) variance.
    Iid,
    /// Heteroskedasticity-robust (White/HC).
    Hetero,
    /// Cluster-robust on one or two panel columns.
    Cluster(Vec<String>),
}

impl VcovSpec {
    /// One-way clustering on `column`.
    pub fn cluster(column: &str) -> Self {
        VcovSpec::Cluster(vec![column.to_string()])
    }
    /// Two-way clustering on `a` and `b`.
    pub fn cluster2(a: &str, b: &str) -> Self {
        VcovSpec::Cluster(vec![a.to_string(), b.to_string()])
    }
}

impl std::fmt::Display for VcovSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VcovSpec::Iid => write!(f, "IID"),
            VcovSpec::Hetero => write!(f, "Heteroskedasticity-robust"),
            VcovSpec::Cluster(c) => write!(f, "Clustered ({})", c.join(" & ")),
        }
    }
}

/// How fixed-effect coefficients count in `K` for the `(n−1)/(n−K)` factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixefK {
    /// Not counted.
    None,
    /// All counted (minus one reference per extra dimension).
    Full,
    /// Counted except those nested in a cluster variable (fixest default).
    Nested,
}

/// Small-sample correction (see module docs for the formulas).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ssc {
    /// Apply `(n − 1)/(n − K)`.
    pub adj: bool,
    /// How fixed effects enter `K`.
    pub fixef_k: FixefK,
    /// Apply `G/(G − 1)` (clusters) or `n/(n − 1)` (hetero).
    pub cluster_adj: bool,
}

impl Ssc {
    /// fixest's default `ssc(adj = TRUE, fixef.K = "nested", cluster.adj = TRUE)`.
    pub fn fixest() -> Self {
        Ssc {
            adj: true,
            fixef_k: FixefK::Nested,
            cluster_adj: true,
        }
    }
    /// Only the cluster factor `G/(G−1)` (or `n/(n−1)` for hetero): what
    /// capybara uses for clusters and Stata's `ppml` for robust SEs.
    pub fn cluster_only() -> Self {
        Ssc {
            adj: false,
            fixef_k: FixefK::None,
            cluster_adj: true,
        }
    }
    /// No correction at all.
    pub fn none() -> Self {
        Ssc {
            adj: false,
            fixef_k: FixefK::None,
            cluster_adj: false,
        }
    }
}

impl Default for Ssc {
    fn default() -> Self {
        Ssc::fixest()
    }
}
