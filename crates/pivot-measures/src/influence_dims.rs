//! The dimensions of the `influence` measure, one year at a time: each is built from its rows
//! for the year (trade, arms transfers in the window, alliance obligations, UN votes, Chinese
//! official finance in the window) and answers bandwidth and dependence for a directed pair.
//! `influence.rs` combines them into the index and ranks it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::records::{AllianceRecord, ArmsTransfer, FinanceFlow};

/// An unordered pair of states, in code order.
pub(crate) type Dyad = (String, String);

/// The pair `(a, b)` in code order.
pub(crate) fn key(a: &str, b: &str) -> Dyad {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

/// Undirected amounts per pair and each state's total.
#[derive(Default)]
pub(crate) struct Pairs {
    pair: HashMap<Dyad, f64>,
    pub(crate) total: HashMap<String, f64>,
}

impl Pairs {
    pub(crate) fn add(&mut self, a: &str, b: &str, v: f64) {
        if a == b || v <= 0.0 {
            return;
        }
        *self.pair.entry(key(a, b)).or_default() += v;
        *self.total.entry(a.to_string()).or_default() += v;
        *self.total.entry(b.to_string()).or_default() += v;
    }
    fn get(&self, a: &str, b: &str) -> f64 {
        self.pair.get(&key(a, b)).copied().unwrap_or(0.0)
    }
    /// The pair's amount.
    pub(crate) fn amount(&self, a: &str, b: &str) -> f64 {
        self.get(a, b)
    }
    /// The largest pair's amount (the world reference of a bandwidth), 0 when empty. Pairs are
    /// compared, never summed, so the order they are held in does not matter.
    pub(crate) fn largest(&self) -> f64 {
        self.pair.values().copied().fold(0.0, f64::max)
    }
}

/// The mean of the parts present.
pub(crate) fn mean(parts: &[Option<f64>]) -> Option<f64> {
    let v: Vec<f64> = parts.iter().flatten().copied().collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Economic (none: no trade data that year): bandwidth T_ij / T* (T* the year's largest
/// dyad), dependence min(1, T_ij / GDP_j) (none without j's GDP).
pub(crate) fn economic(
    trade: Option<&Pairs>,
    gdp_j: Option<f64>,
    i: &str,
    j: &str,
) -> (Option<f64>, Option<f64>) {
    let Some(tp) = trade else {
        return (None, None);
    };
    let (t, top) = (tp.amount(i, j), tp.largest());
    let bw = if top > 0.0 { t / top } else { 0.0 };
    let dep = gdp_j.filter(|g| *g > 0.0).map(|g| (t / g).min(1.0));
    (Some(bw), dep)
}

/// Arms transfers delivered in the window ending in a year.
pub(crate) struct ArmsYear {
    /// Whether any transfer lies in the window (else the dimension is missing).
    pub(crate) any: bool,
    pub(crate) pairs: Pairs,
    dir: HashMap<Dyad, f64>,
}

impl ArmsYear {
    /// The transfers with `y - win < year <= y` (rows in canonical order).
    pub(crate) fn new(rows: &[&ArmsTransfer], y: i32, win: i32) -> ArmsYear {
        let mut out = ArmsYear {
            any: false,
            pairs: Pairs::default(),
            dir: HashMap::new(),
        };
        for a in rows.iter().filter(|a| a.year > y - win && a.year <= y) {
            out.any = true;
            if a.supplier == a.recipient || a.tiv <= 0.0 {
                continue;
            }
            out.pairs.add(&a.supplier, &a.recipient, a.tiv);
            *out.dir
                .entry((a.supplier.clone(), a.recipient.clone()))
                .or_default() += a.tiv;
        }
        out
    }

    /// (bandwidth B_ij / B*, the pair's arms trade both ways against the window's largest
    /// pair; dependence min(1, A_ij / MILEX_j), i's deliveries to j against j's military
    /// expenditure over the window — none without it).
    pub(crate) fn parts(
        &self,
        i: &str,
        j: &str,
        milex_j: Option<f64>,
    ) -> (Option<f64>, Option<f64>) {
        if !self.any {
            return (None, None);
        }
        let top = self.pairs.largest();
        let bw = if top > 0.0 {
            self.pairs.amount(i, j) / top
        } else {
            0.0
        };
        let a_ij = self
            .dir
            .get(&(i.to_string(), j.to_string()))
            .copied()
            .unwrap_or(0.0);
        let dep = milex_j.filter(|m| *m > 0.0).map(|m| (a_ij / m).min(1.0));
        (Some(bw), dep)
    }
}

/// Alliance obligations in force in a year.
pub(crate) struct AllianceYear {
    /// Whether the year has alliance data (else the dimension is missing).
    pub(crate) any: bool,
    /// Per pair: defence, offence, neutrality, non-aggression, consultation.
    pub(crate) obligations: HashMap<Dyad, [bool; 5]>,
    /// Each state's number of defence partners.
    defence_partners: HashMap<String, usize>,
}

impl AllianceYear {
    /// Alliance rows of year `y`.
    pub(crate) fn new(rows: &[AllianceRecord], y: i32) -> AllianceYear {
        let mut obligations: HashMap<Dyad, [bool; 5]> = HashMap::new();
        let mut any = false;
        for a in rows.iter().filter(|a| a.year == y) {
            any = true;
            if a.state_a == a.state_b {
                continue;
            }
            let o = obligations.entry(key(&a.state_a, &a.state_b)).or_default();
            for (k, flag) in [a.defense, a.offense, a.neutral, a.nonagg, a.consul]
                .into_iter()
                .enumerate()
            {
                o[k] |= flag;
            }
        }
        let mut defence_partners: HashMap<String, usize> = HashMap::new();
        for ((a, b), o) in &obligations {
            if o[0] {
                *defence_partners.entry(a.clone()).or_default() += 1;
                *defence_partners.entry(b.clone()).or_default() += 1;
            }
        }
        AllianceYear {
            any,
            obligations,
            defence_partners,
        }
    }

    /// (share of the five obligation kinds the pair has; with a defence pact, 1 / j's defence
    /// partners times `weight` = min(1, GDP_i / GDP_j), the guarantee counting with the
    /// guarantor's weight — none without it).
    pub(crate) fn parts(
        &self,
        i: &str,
        j: &str,
        weight: Option<f64>,
    ) -> (Option<f64>, Option<f64>) {
        if !self.any {
            return (None, None);
        }
        match self.obligations.get(&key(i, j)) {
            Some(o) => {
                let n = o.iter().filter(|x| **x).count() as f64;
                let dep = if o[0] {
                    weight.map(|w| {
                        w / self.defence_partners.get(j).copied().unwrap_or(1).max(1) as f64
                    })
                } else {
                    Some(0.0)
                };
                (Some(n / 5.0), dep)
            }
            None => (Some(0.0), Some(0.0)),
        }
    }
}

/// UN General Assembly agreement of every pair in a year, and the year's mean.
pub(crate) struct PoliticalYear<'a> {
    /// The states that voted (none: no votes that year, the dimension is missing).
    pub(crate) voters: Option<Vec<&'a str>>,
    /// Ordered, so the year's mean sums the pairs in one order: (agreement, joint votes).
    agreement: BTreeMap<Dyad, (f64, f64)>,
    mean: f64,
}

impl<'a> PoliticalYear<'a> {
    /// From each state's votes in the year (roll call → ordinal vote).
    pub(crate) fn new(votes: Option<&BTreeMap<&'a str, HashMap<i64, u8>>>) -> PoliticalYear<'a> {
        let mut agreement: BTreeMap<Dyad, (f64, f64)> = BTreeMap::new();
        if let Some(vy) = votes {
            // Dense vote vectors (0: no vote) over the year's roll calls.
            let rcids: BTreeSet<i64> = vy.values().flat_map(|m| m.keys().copied()).collect();
            let col: HashMap<i64, usize> = rcids.iter().enumerate().map(|(k, r)| (*r, k)).collect();
            let dense: Vec<(&str, Vec<u8>)> = vy
                .iter()
                .map(|(s, m)| {
                    let mut v = vec![0u8; col.len()];
                    for (r, o) in m {
                        v[col[r]] = *o;
                    }
                    (*s, v)
                })
                .collect();
            for (ia, (a, va)) in dense.iter().enumerate() {
                for (b, vb) in &dense[ia + 1..] {
                    let (mut n, mut d) = (0u32, 0u32);
                    for (x, z) in va.iter().zip(vb) {
                        if *x > 0 && *z > 0 {
                            n += 1;
                            d += u32::from(x.abs_diff(*z));
                        }
                    }
                    if n > 0 {
                        let a_ij = 1.0 - f64::from(d) / (2.0 * f64::from(n));
                        agreement.insert(key(a, b), (a_ij, f64::from(n)));
                    }
                }
            }
        }
        let mean = if agreement.is_empty() {
            0.0
        } else {
            agreement.values().map(|(a, _)| a).sum::<f64>() / agreement.len() as f64
        };
        PoliticalYear {
            voters: votes.map(|vy| vy.keys().copied().collect()),
            agreement,
            mean,
        }
    }

    /// Agreement beyond the year's mean, shrunk towards it by `prior_votes` pseudo-votes, as a
    /// share of the room above the mean (0 below it); none when the year has no votes.
    pub(crate) fn score(&self, i: &str, j: &str, prior_votes: u32) -> Option<f64> {
        self.voters.as_ref().map(|_| {
            self.agreement
                .get(&key(i, j))
                .map(|(a, n)| {
                    if self.mean < 1.0 {
                        let k = f64::from(prior_votes);
                        let shrunk = (n * a + k * self.mean) / (n + k);
                        ((shrunk - self.mean) / (1.0 - self.mean)).max(0.0)
                    } else {
                        0.0
                    }
                })
                .unwrap_or(0.0)
        })
    }
}

/// Chinese official finance committed in the window ending in a year.
pub(crate) struct FinanceYear<'a> {
    /// Whether any finance year lies in the window (else the dimension is missing).
    pub(crate) covered: bool,
    /// Per recipient: amount in the window.
    pub(crate) by_recipient: BTreeMap<&'a str, f64>,
    /// Per recipient: GDP summed over the window.
    gdp: BTreeMap<&'a str, f64>,
    total: f64,
}

impl<'a> FinanceYear<'a> {
    /// The finance rows (canonical order) with `y - win < year <= y`; `years` are the years
    /// the finance data cover; `gdp` by (country, year).
    pub(crate) fn new(
        rows: &[&'a FinanceFlow],
        years: &BTreeSet<i32>,
        gdp: &HashMap<(&str, i32), f64>,
        y: i32,
        win: i32,
    ) -> FinanceYear<'a> {
        let mut by_recipient: BTreeMap<&str, f64> = BTreeMap::new();
        let mut by_gdp: BTreeMap<&str, f64> = BTreeMap::new();
        let covered = years.iter().any(|fy| *fy > y - win && *fy <= y);
        for f in rows.iter().filter(|f| f.year > y - win && f.year <= y) {
            *by_recipient.entry(f.recipient.as_str()).or_default() += f.amount;
        }
        for r in by_recipient.keys() {
            let g: f64 = (y - win + 1..=y).filter_map(|yy| gdp.get(&(*r, yy))).sum();
            by_gdp.insert(r, g);
        }
        let total: f64 = by_recipient.values().sum();
        FinanceYear {
            covered,
            by_recipient,
            gdp: by_gdp,
            total,
        }
    }

    /// (j's share of all finance in the window, finance over j's GDP capped at 1) for China as
    /// the lender `i`; none otherwise.
    pub(crate) fn parts(&self, i: &str, j: &str) -> (Option<f64>, Option<f64>) {
        if i != "CHN" || !self.covered {
            return (None, None);
        }
        let f = self.by_recipient.get(j).copied().unwrap_or(0.0);
        let g = self.gdp.get(j).copied().unwrap_or(0.0);
        (
            Some(if self.total > 0.0 {
                f / self.total
            } else {
                0.0
            }),
            Some(if g > 0.0 { (f / g).min(1.0) } else { 0.0 }),
        )
    }
}
