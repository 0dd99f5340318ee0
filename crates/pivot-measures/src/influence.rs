//! Bilateral influence capacity per directed dyad-year: bandwidth and dependence in economic, security, political and finance ties, weighted into one index (in the spirit of FBIC).
//!
//! # What it measures
//! How much capacity state i has to influence state j in a year, from how much the two
//! interact (*bandwidth*) and how much j relies on i (*dependence*), in the spirit of the
//! Pardee Center's Formal Bilateral Influence Capacity (FBIC) index, whose method is not
//! published in full: this is an open index built only from the bundled (or ingested) data,
//! with every component shown beside the total. Rows are directed: "i → j" is i's capacity
//! over j, and "j → i" is a different row.
//!
//! # Formula
//! For a year t and the directed dyad i → j (all parts lie in [0, 1]):
//!
//! **Economic** (trade, current USD, the spliced trade series): T_ij = exports i→j + exports
//! j→i, TT_k = Σ_m T_km a state's total trade. Dependence e_dep = T_ij / TT_j (i's share of
//! j's trade); bandwidth e_bw = √((T_ij/TT_i)(T_ij/TT_j)) (Barbieri's salience of the dyad).
//!
//! **Security**: arms and alliances, each half. Arms over the trailing window t−w+1…t (w =
//! `window_years`; deliveries are lumpy), SIPRI TIV: A_ij delivered by i to j, M_j = Σ_k A_kj
//! j's arms imports, AT_k = exports + imports of arms of state k. Arms dependence = A_ij / M_j
//! (i's share of j's arms imports); arms bandwidth = √((B_ij/AT_i)(B_ij/AT_j)) with B_ij =
//! A_ij + A_ji. Alliances in year t (ATOP): bandwidth = the share of ATOP's five obligation
//! types (defence, offence, neutrality, non-aggression, consultation) the dyad holds;
//! dependence = 1/D_j when i and j have a defence pact, D_j being the number of j's defence
//! partners (i's share of j's defence guarantees), else 0. s_bw and s_dep are the means of
//! the arms and alliance parts over those with data in year t (arms: 2000–2023 in the bundled
//! data; alliances: to 2018).
//!
//! **Political** (UNGA votes of year t): bandwidth p_bw = max(0, (A*_ij − Ā_t)/(1 − Ā_t)),
//! with A_ij the Voeten agreement of the pair over its n joint votes (see `un-alignment`),
//! Ā_t the mean agreement of all pairs that year, and A*_ij = (n A_ij + k Ā_t)/(n + k) the
//! agreement shrunk towards the mean by k = `agreement_prior_votes` pseudo-votes (a pair
//! that voted together on three roll calls has no real record) — agreement beyond the
//! Assembly's usual, near 1 for identical votes on many roll calls.
//! FBIC's political dependence comes from IGO co-membership and diplomatic ties, which are
//! not in the bundled data: there is no political dependence, and the political score is
//! its bandwidth.
//!
//! **Finance**: the only finance data is AidData's Chinese official finance (commitments by
//! recipient, constant 2021 USD), so the dimension exists only for CHN → j: F_j = China's
//! commitments to j over the trailing window, dependence f_dep = min(1, F_j / GDP_j) with
//! GDP_j j's GDP (current USD, World Bank) summed over the same years, bandwidth f_bw = F_j /
//! Σ_k F_k (j's share of China's official finance). For every other dyad finance is not
//! measured (null) and counts 0 in the total: other lenders' finance is missing, not zero.
//!
//! Dimension score = (bandwidth + dependence)/2 (political: bandwidth). Total = Σ_d w_d
//! score_d / Σ_d w_d over the four dimensions, a missing part counting 0. Default weights:
//! economic, security and political 1 each — equal weights over the three dimensions FBIC
//! covers, so that no dimension dominates by assumption; finance 0, because with one lender
//! measured a positive weight raises China's score over every recipient on a dimension no
//! other state is measured on (set `weight_finance` to study China's finance leverage, and
//! compare China's rows with each other, not with other senders'). Raising a dimension's
//! weight moves up the partners strong in that dimension. With Russia as target in the
//! bundled data, the default ranking is led by its CSTO neighbours (BLR, KAZ, UZB, KGZ, TJK:
//! alliance, arms and voting ties); economic only (`weight_security=0`,
//! `weight_political=0`) brings its large trade partners up (2014: BLR, CHN, DEU); security
//! only (`weight_economic=0`, `weight_political=0`) ranks its arms partners (2014: UKR, KAZ;
//! Russia over IND and VNM).
//!
//! # Reading it
//! A total of 0.3 for CHN → RUS means that, averaged over the weighted dimensions, China
//! interacts with Russia and Russia relies on China about 30 % as much as the most exclusive
//! relationship possible (a state whose entire trade, arms imports, alliance and votes are
//! tied to one partner would score 1). Compare rows within one year and one target (who can
//! influence Russia most) or one influencer (whom Russia can influence); the total depends
//! on the weights and on which data cover the year (trade to 2014 and 2019–2020, arms from
//! 2000, alliances to 2018, votes to 2019), so the notes list the dimensions absent in a
//! year — read the components, not only the total. Influence capacity is not influence
//! exercised: it says where leverage could come from.
//!
//! # Data it needs
//! `trade_flows` (spliced series: COW to 2011, BACI totals 2012–2023), `arms_dyad_year` (SIPRI
//! TIV by supplier, recipient and year), `alliances` (ATOP dyad-years), `un_votes` and
//! `un_roll_calls`, `finance_flows` (AidData GCDF) and `country_year` (`gdp_usd`) for finance.
//! Every state's totals are needed for the shares, so every row in the years asked for (and
//! the window before them) is read, whatever the focal state.
//!
//! # Reference
//! Moyer, J. D., Sweijs, T., Burrows, M. J. and Van Manen, H. (2018), *Power and Influence in
//! a Globalized World*, Atlantic Council and The Hague Centre for Strategic Studies (the FBIC
//! index, Frederick S. Pardee Center for International Futures); Barbieri, K. (1996),
//! "Economic Interdependence: A Path to Peace or a Source of Interstate Conflict?", *Journal
//! of Peace Research* 33(1): 29–49; Leeds, B. A. et al. (2002), "Alliance Treaty Obligations
//! and Provisions, 1815–1944", *International Interactions* 28(3): 237–260 (ATOP); Voeten, E.
//! (2013) for UN agreement; Custer, S. et al. (2023), AidData GCDF 3.0.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::alliances::AllianceRecord;
use crate::arms::ArmsTransfer;
use crate::common::IndicatorValue;
use crate::error::{MeasureError, Result};
use crate::finance::FinanceFlow;
use crate::influence_dims::{
    AllianceYear, ArmsYear, FinanceYear, Pairs, PoliticalYear, economic, mean,
};
use crate::trade::TradeFlow;
use crate::un_alignment::{RollCall, Vote};

/// The rows [`influence`] reads.
#[derive(Debug, Clone, Default)]
pub struct InfluenceInputs {
    /// Trade flows (any years; those in `years` are used).
    pub trade: Vec<TradeFlow>,
    /// Arms transfers (the window before each year is used).
    pub arms: Vec<ArmsTransfer>,
    /// Alliance records.
    pub alliances: Vec<AllianceRecord>,
    /// UN votes.
    pub votes: Vec<Vote>,
    /// Roll calls.
    pub calls: Vec<RollCall>,
    /// Chinese official finance.
    pub finance: Vec<FinanceFlow>,
    /// GDP (current USD) of finance recipients.
    pub gdp: Vec<IndicatorValue>,
}

/// One directed dyad-year.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct InfluenceRow {
    /// Year.
    pub year: i32,
    /// The state whose capacity is measured (i).
    pub influencer: String,
    /// The state it could influence (j).
    pub target: String,
    /// Rank of the total within the year and group (the focal state's role, or the target).
    pub rank: u32,
    /// Weighted total in [0, 1].
    pub total: f64,
    /// Economic score (bandwidth + dependence)/2.
    pub economic: Option<f64>,
    /// Trade salience √(s_i s_j).
    pub economic_bandwidth: Option<f64>,
    /// i's share of j's trade.
    pub economic_dependence: Option<f64>,
    /// Security score.
    pub security: Option<f64>,
    /// Mean of arms and alliance bandwidth.
    pub security_bandwidth: Option<f64>,
    /// Mean of arms and alliance dependence.
    pub security_dependence: Option<f64>,
    /// Political score (= bandwidth: agreement beyond the Assembly's mean).
    pub political: Option<f64>,
    /// Finance score (CHN → j only).
    pub finance: Option<f64>,
    /// j's share of China's official finance.
    pub finance_bandwidth: Option<f64>,
    /// China's commitments / j's GDP over the window, capped at 1.
    pub finance_dependence: Option<f64>,
}

/// What dimensions had data in each year (for the notes).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InfluenceResult {
    /// Rows sorted by year, group, rank.
    pub rows: Vec<InfluenceRow>,
    /// Years reported without trade data.
    pub no_trade: Vec<i32>,
    /// Years without arms data in the window.
    pub no_arms: Vec<i32>,
    /// Years without alliance data.
    pub no_alliances: Vec<i32>,
    /// Years without UN votes.
    pub no_votes: Vec<i32>,
}

/// Influence capacity of every directed dyad-year in `years` (or those touching the focal
/// state, with its partners), ranked per year and group and cut at `top`. Each dimension is
/// one type in `influence_dims.rs`, built per year.
pub fn influence(inp: &InfluenceInputs, p: &InfluenceParams) -> Result<InfluenceResult> {
    let wsum = check_weights(p)?;
    let win = p.window_years as i32;
    let focal = p.focal.as_ref().map(|c| c.0.as_str());
    let partners = &p.partners.0;
    // Years reported: those in range that any dimension covers.
    let mut years: BTreeSet<i32> = BTreeSet::new();
    years.extend(inp.trade.iter().map(|f| f.year));
    years.extend(inp.arms.iter().map(|a| a.year));
    years.extend(inp.alliances.iter().map(|a| a.year));
    years.extend(inp.calls.iter().map(|c| c.year));
    years.extend(inp.finance.iter().map(|f| f.year));
    years.retain(|y| p.years.contains(*y));

    // Sums of floating-point values depend on the order of their terms: rows are taken in one
    // canonical order, so the answer does not depend on the order a query returned them in
    // (one machine or a cluster, one run or the next).
    let mut trade_rows: Vec<&TradeFlow> = inp.trade.iter().collect();
    trade_rows.sort_by(|a, b| {
        (a.year, &a.exporter, &a.importer)
            .cmp(&(b.year, &b.exporter, &b.importer))
            .then(a.value.total_cmp(&b.value))
    });
    let mut arms_rows: Vec<&ArmsTransfer> = inp.arms.iter().collect();
    arms_rows.sort_by(|a, b| {
        (a.year, &a.supplier, &a.recipient)
            .cmp(&(b.year, &b.supplier, &b.recipient))
            .then(a.tiv.total_cmp(&b.tiv))
    });
    let mut finance_rows: Vec<&FinanceFlow> = inp.finance.iter().collect();
    finance_rows.sort_by(|a, b| {
        (a.year, &a.recipient)
            .cmp(&(b.year, &b.recipient))
            .then(a.amount.total_cmp(&b.amount))
    });
    let mut trade: BTreeMap<i32, Pairs> = BTreeMap::new();
    for f in trade_rows {
        if p.years.contains(f.year) {
            trade
                .entry(f.year)
                .or_default()
                .add(&f.exporter, &f.importer, f.value);
        }
    }
    // UN: year → state → rcid → ordinal.
    let year_of: HashMap<i64, i32> = inp.calls.iter().map(|c| (c.rcid, c.year)).collect();
    let mut votes: BTreeMap<i32, BTreeMap<&str, HashMap<i64, u8>>> = BTreeMap::new();
    for v in &inp.votes {
        let Some(y) = year_of.get(&v.rcid) else {
            return Err(MeasureError::UnknownRollCall { rcid: v.rcid });
        };
        if p.years.contains(*y) {
            votes
                .entry(*y)
                .or_default()
                .entry(v.country.as_str())
                .or_default()
                .insert(v.rcid, v.vote.ordinal());
        }
    }
    let finance_years: BTreeSet<i32> = inp.finance.iter().map(|f| f.year).collect();
    let gdp: HashMap<(&str, i32), f64> = inp
        .gdp
        .iter()
        .map(|g| ((g.country.as_str(), g.year), g.value))
        .collect();

    let mut out = InfluenceResult::default();
    let mut rows = Vec::new();
    for &y in &years {
        let tp = trade.get(&y);
        let arms = ArmsYear::new(&arms_rows, y, win);
        let alliances = AllianceYear::new(&inp.alliances, y);
        let political = PoliticalYear::new(votes.get(&y));
        let finance = FinanceYear::new(&finance_rows, &finance_years, &gdp, y, win);
        for (missing, list) in [
            (tp.is_none(), &mut out.no_trade),
            (!arms.any, &mut out.no_arms),
            (!alliances.any, &mut out.no_alliances),
            (political.voters.is_none(), &mut out.no_votes),
        ] {
            if missing {
                list.push(y);
            }
        }
        // Every state seen in year y.
        let mut states: BTreeSet<&str> = BTreeSet::new();
        if let Some(tp) = tp {
            states.extend(tp.total.keys().map(String::as_str));
        }
        states.extend(arms.pairs.total.keys().map(String::as_str));
        for (a, b) in alliances.obligations.keys() {
            states.insert(a);
            states.insert(b);
        }
        if let Some(voters) = &political.voters {
            states.extend(voters.iter().copied());
        }
        if finance.covered {
            states.extend(finance.by_recipient.keys().copied());
            states.insert("CHN");
        }
        for (i, j) in directed_pairs(&states, focal, partners) {
            let (e_bw, e_dep) = economic(tp, i, j);
            let (arms_bw, arms_dep) = arms.parts(i, j);
            let (al_bw, al_dep) = alliances.parts(i, j);
            let s_bw = mean(&[arms_bw, al_bw]);
            let s_dep = mean(&[arms_dep, al_dep]);
            let pol = political.score(i, j, p.agreement_prior_votes);
            let (f_bw, f_dep) = finance.parts(i, j);
            let score = |b: Option<f64>, d: Option<f64>| b.zip(d).map(|(b, d)| (b + d) / 2.0);
            let economic = score(e_bw, e_dep);
            let security = score(s_bw, s_dep);
            let fin = score(f_bw, f_dep);
            let total = (p.weight_economic * economic.unwrap_or(0.0)
                + p.weight_security * security.unwrap_or(0.0)
                + p.weight_political * pol.unwrap_or(0.0)
                + p.weight_finance * fin.unwrap_or(0.0))
                / wsum;
            if total <= 0.0 {
                continue;
            }
            rows.push(InfluenceRow {
                year: y,
                influencer: i.to_string(),
                target: j.to_string(),
                rank: 0,
                total,
                economic,
                economic_bandwidth: e_bw,
                economic_dependence: e_dep,
                security,
                security_bandwidth: s_bw,
                security_dependence: s_dep,
                political: pol,
                finance: fin,
                finance_bandwidth: f_bw,
                finance_dependence: f_dep,
            });
        }
    }
    out.rows = rank(rows, focal, p.top);
    Ok(out)
}

/// The weights checked (finite, >= 0, not all 0) and the window (>= 1 year); their sum.
fn check_weights(p: &InfluenceParams) -> Result<f64> {
    for (name, v) in [
        ("weight_economic", p.weight_economic),
        ("weight_security", p.weight_security),
        ("weight_political", p.weight_political),
        ("weight_finance", p.weight_finance),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(MeasureError::InvalidParameter {
                name,
                value: v.to_string(),
                reason: "weights must be finite and >= 0",
            });
        }
    }
    let wsum = p.weight_economic + p.weight_security + p.weight_political + p.weight_finance;
    if wsum <= 0.0 {
        return Err(MeasureError::InvalidParameter {
            name: "weights",
            value: "0".into(),
            reason: "at least one weight must be > 0",
        });
    }
    if p.window_years == 0 {
        return Err(MeasureError::InvalidParameter {
            name: "window_years",
            value: "0".into(),
            reason: "the window must be at least one year",
        });
    }
    Ok(wsum)
}

/// The directed pairs of a year: with a focal state, both directions between it and each other
/// state (its partners only, when given); else every ordered pair of states.
fn directed_pairs<'a>(
    states: &BTreeSet<&'a str>,
    focal: Option<&'a str>,
    partners: &[String],
) -> Vec<(&'a str, &'a str)> {
    match focal {
        Some(f) => states
            .iter()
            .filter(|s| **s != f)
            .filter(|s| partners.is_empty() || partners.iter().any(|q| q == *s))
            .flat_map(|s| [(f, *s), (*s, f)])
            .collect(),
        None => states
            .iter()
            .flat_map(|a| {
                states
                    .iter()
                    .filter(move |b| *b != a)
                    .map(move |b| (*a, *b))
            })
            .collect(),
    }
}

/// Rank rows per year and group — with a focal state, its role (over it / by it); else the
/// target — by total, and keep the first `top` of each (0: all).
fn rank(mut rows: Vec<InfluenceRow>, focal: Option<&str>, top: u32) -> Vec<InfluenceRow> {
    let group = |r: &InfluenceRow| -> (i32, u8, String) {
        match focal {
            Some(f) if r.target == f => (r.year, 0, String::new()),
            Some(_) => (r.year, 1, String::new()),
            None => (r.year, 0, r.target.clone()),
        }
    };
    rows.sort_by(|a, b| {
        group(a)
            .cmp(&group(b))
            .then(b.total.total_cmp(&a.total))
            .then_with(|| a.influencer.cmp(&b.influencer))
            .then_with(|| a.target.cmp(&b.target))
    });
    let mut last = None;
    let mut rank = 0;
    rows.retain_mut(|r| {
        let g = group(r);
        if last.as_ref() != Some(&g) {
            last = Some(g);
            rank = 0;
        }
        rank += 1;
        r.rank = rank;
        top == 0 || rank <= top
    });
    rows
}

fn one() -> f64 {
    1.0
}
fn zero() -> f64 {
    0.0
}
fn window() -> u32 {
    5
}
fn top() -> u32 {
    10
}
fn prior_votes() -> u32 {
    20
}

/// Parameters of `pivot measure influence`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InfluenceParams {
    /// Only dyads with this state on either side (who can influence it, whom it can influence); none: every directed dyad.
    #[serde(default)]
    pub focal: Option<crate::params::Country>,
    /// With a focal state, only these partners; all: every partner.
    #[serde(default)]
    pub partners: crate::params::Partners,
    /// Years reported (arms and finance also read the window before each).
    #[serde(default)]
    pub years: crate::params::Years,
    /// Weight of the economic dimension (trade); default 1, equal with security and political.
    #[serde(default = "one")]
    #[schemars(range(min = 0.0, max = 1000000.0))]
    pub weight_economic: f64,
    /// Weight of the security dimension (arms transfers and alliances); default 1.
    #[serde(default = "one")]
    #[schemars(range(min = 0.0, max = 1000000.0))]
    pub weight_security: f64,
    /// Weight of the political dimension (UN agreement beyond the Assembly's mean); default 1.
    #[serde(default = "one")]
    #[schemars(range(min = 0.0, max = 1000000.0))]
    pub weight_political: f64,
    /// Weight of finance (Chinese official finance only: it can only raise China's scores); default 0.
    #[serde(default = "zero")]
    #[schemars(range(min = 0.0, max = 1000000.0))]
    pub weight_finance: f64,
    /// Trailing window in years for arms deliveries and finance commitments (lumpy flows).
    #[serde(default = "window")]
    #[schemars(range(min = 1, max = 30))]
    pub window_years: u32,
    /// Pseudo-votes at the Assembly's mean agreement added to each pair's joint votes in the political part (shrinks the agreement of pairs with few joint votes; 0: none).
    #[serde(default = "prior_votes")]
    #[schemars(range(min = 0, max = 1000))]
    pub agreement_prior_votes: u32,
    /// Rows kept per year and group (with a focal state: who can influence it, whom it can influence; without: per target), by total; 0: all.
    #[serde(default = "top")]
    #[schemars(range(min = 0, max = 100000))]
    pub top: u32,
}

impl Default for InfluenceParams {
    /// Every parameter at its default: every directed dyad in every year.
    fn default() -> Self {
        Self {
            focal: None,
            partners: crate::params::Partners::default(),
            years: crate::params::Years::ALL,
            weight_economic: one(),
            weight_security: one(),
            weight_political: one(),
            weight_finance: zero(),
            window_years: window(),
            agreement_prior_votes: prior_votes(),
            top: top(),
        }
    }
}

impl crate::params::Validate for InfluenceParams {
    fn validate(&self) -> std::result::Result<(), crate::params::ParamError> {
        let sum = self.weight_economic
            + self.weight_security
            + self.weight_political
            + self.weight_finance;
        if sum <= 0.0 {
            return Err(crate::params::ParamError::new(
                "weight_economic",
                Some(self.weight_economic.to_string()),
                "every weight is 0: at least one must be > 0",
            ));
        }
        Ok(())
    }
}

/// The `influence` measure.
pub struct Influence;

impl crate::measure::Measure for Influence {
    type Params = InfluenceParams;
    type Row = InfluenceRow;
    const NAME: &'static str = "influence";
    const DIMENSION: crate::Dimension = crate::Dimension::Hedging;
    const TABLES: &'static [crate::Table] = &[
        crate::Table::TradeFlows,
        crate::Table::TradeDyadYear,
        crate::Table::ArmsDyadYear,
        crate::Table::Alliances,
        crate::Table::UnVotes,
        crate::Table::UnRollCalls,
        crate::Table::FinanceFlows,
        crate::Table::CountryYear,
    ];
    const SOURCE: &'static str = include_str!("influence.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let win = p.window_years as i32;
        // The window before the first year too.
        let wide = match p.years.0.from {
            Some(a) => crate::params::Years(pivot_vocab::YearRange {
                from: Some(a - win + 1),
                to: p.years.0.to,
            }),
            None => p.years,
        };
        let trade = data.trade_flows(&crate::data::TradeQuery {
            source: crate::data::TradeSource::Spliced,
            years: p.years,
            touching: None,
        })?;
        let arms = data.arms_dyads(&wide)?;
        let alliances = data.alliance_dyads(&p.years)?;
        let v = data.un_votes(&[], &p.years, false)?;
        let finance = data.finance(&wide)?;
        let recipients: Vec<String> = finance
            .iter()
            .map(|x| x.recipient.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let gdp = if recipients.is_empty() {
            vec![]
        } else {
            data.indicator("gdp_usd", &recipients, &wide)?
        };
        let inputs = InfluenceInputs {
            trade,
            arms,
            alliances,
            votes: v.votes,
            calls: v.calls,
            finance,
            gdp,
        };
        let res = influence(&inputs, p)?;
        let mut out = crate::measure::Output::rows(res.rows).note(format!(
            "Weights: economic {}, security {}, political {}, finance {}; arms and finance over a {}-year trailing window.",
            p.weight_economic, p.weight_security, p.weight_political, p.weight_finance, p.window_years
        ));
        for (what, ys) in [
            ("trade", &res.no_trade),
            ("arms transfers", &res.no_arms),
            ("alliances", &res.no_alliances),
            ("UN votes", &res.no_votes),
        ] {
            if !ys.is_empty() {
                out = out.note(format!(
                    "No {what} data in {}: that part is missing (null) and counts 0 in the total.",
                    pivot_vocab::year_runs(ys.iter().copied())
                ));
            }
        }
        Ok(out.note(
            "Finance is Chinese official finance only (AidData): measured for CHN -> recipient, null for every other dyad. Political dependence (IGO co-membership, diplomatic ties) is not in the data.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::assert_close;
    use crate::un_alignment::VoteChoice::{No as N, Yes as Y};

    /// Four states in 2010 (and one arms delivery in 2008).
    /// Trade (both directions): RUS–CHN 60, RUS–DEU 40, RUS–BLR 20, CHN–DEU 200; totals RUS
    /// 120, CHN 260, DEU 240, BLR 20. Arms 2010: RUS→BLR 10, RUS→CHN 30 (2008: DEU→RUS 20).
    /// ATOP 2010: RUS–BLR defence + consultation. UN 2010, two roll calls: RUS Y N, CHN Y N,
    /// BLR Y Y, DEU N Y — agreement RUS–CHN 1, RUS–BLR ½, RUS–DEU 0, CHN–BLR ½, CHN–DEU 0,
    /// BLR–DEU ½; mean Ā = 2.5/6. China lends BLR 5e8 in 2010 (BLR GDP 5e10).
    pub(super) fn inputs() -> InfluenceInputs {
        let t = |a: &str, b: &str, v| TradeFlow::new(2010, a, b, v);
        let arms = |y, s: &str, r: &str, tiv| ArmsTransfer {
            year: y,
            supplier: s.into(),
            recipient: r.into(),
            category: None,
            tiv,
        };
        let vote = |rcid, c: &str, v| Vote {
            rcid,
            country: c.into(),
            vote: v,
        };
        InfluenceInputs {
            trade: vec![
                t("RUS", "CHN", 30.0),
                t("CHN", "RUS", 30.0),
                t("RUS", "DEU", 20.0),
                t("DEU", "RUS", 20.0),
                t("RUS", "BLR", 10.0),
                t("BLR", "RUS", 10.0),
                t("CHN", "DEU", 100.0),
                t("DEU", "CHN", 100.0),
            ],
            arms: vec![
                arms(2010, "RUS", "BLR", 10.0),
                arms(2010, "RUS", "CHN", 30.0),
                arms(2008, "DEU", "RUS", 20.0),
            ],
            alliances: vec![AllianceRecord {
                year: 2010,
                state_a: "BLR".into(),
                state_b: "RUS".into(),
                defense: true,
                offense: false,
                neutral: false,
                nonagg: false,
                consul: true,
            }],
            votes: vec![
                vote(1, "RUS", Y),
                vote(1, "CHN", Y),
                vote(1, "BLR", Y),
                vote(1, "DEU", N),
                vote(2, "RUS", N),
                vote(2, "CHN", N),
                vote(2, "BLR", Y),
                vote(2, "DEU", Y),
            ],
            calls: vec![
                RollCall {
                    rcid: 1,
                    session: 65,
                    year: 2010,
                },
                RollCall {
                    rcid: 2,
                    session: 65,
                    year: 2010,
                },
            ],
            finance: vec![FinanceFlow {
                year: 2010,
                recipient: "BLR".into(),
                class: crate::finance::FinanceClass::OofLike,
                amount: 5e8,
                adjusted_amount: None,
            }],
            gdp: vec![IndicatorValue {
                country: "BLR".into(),
                year: 2010,
                value: 5e10,
            }],
        }
    }

    /// RUS's dyads in 2010 over a `window`, all rows, no pseudo-votes, weights at their defaults.
    fn cfg(window: u32) -> InfluenceParams {
        InfluenceParams {
            years: "2010".parse().map(crate::params::Years).unwrap(),
            focal: Some(crate::params::Country("RUS".into())),
            window_years: window,
            top: 0,
            agreement_prior_votes: 0,
            ..InfluenceParams::default()
        }
    }

    /// `cfg` with the weights of the four dimensions (economic, security, political, finance).
    fn weighted(window: u32, [e, s, p, f]: [f64; 4]) -> InfluenceParams {
        InfluenceParams {
            weight_economic: e,
            weight_security: s,
            weight_political: p,
            weight_finance: f,
            ..cfg(window)
        }
    }

    fn row<'a>(r: &'a InfluenceResult, i: &str, j: &str) -> &'a InfluenceRow {
        r.rows
            .iter()
            .find(|x| x.influencer == i && x.target == j)
            .unwrap_or_else(|| panic!("no row {i} -> {j}"))
    }

    #[test]
    fn components_hand_computed() {
        let r = influence(&inputs(), &cfg(1)).unwrap();
        // CHN → RUS. Economic: dep 60/120 = 0.5, bw √(60/260 · 60/120) = 0.339683 → 0.419842.
        // Security: arms bw √(30/30 · 30/40) = 0.866025, arms dep 0 (RUS imports nothing in
        // 2010), alliance 0, 0 → bw 0.433013, dep 0 → 0.216506. Political (1 − Ā)/(1 − Ā) = 1.
        // Total (0.419842 + 0.216506 + 1)/3 = 0.545449.
        let c = row(&r, "CHN", "RUS");
        assert_close(c.economic_dependence.unwrap(), 0.5);
        assert_close(
            c.economic_bandwidth.unwrap(),
            (60.0f64 / 260.0 * 0.5).sqrt(),
        );
        assert_close(c.security_bandwidth.unwrap(), 0.75f64.sqrt() / 2.0);
        assert_close(c.security_dependence.unwrap(), 0.0);
        assert_close(c.political.unwrap(), 1.0);
        // China lent nothing to RUS: finance measured, 0; BLR is no lender: not measured.
        assert_eq!(c.finance, Some(0.0));
        let e = ((60.0f64 / 260.0 * 0.5).sqrt() + 0.5) / 2.0;
        assert_close(c.total, (e + 0.75f64.sqrt() / 4.0 + 1.0) / 3.0);
        // BLR → RUS. Economic: dep 20/120, bw √(20/20 · 20/120) → 0.287457. Security: arms bw
        // √(10/40 · 10/10) = 0.5, dep 0; alliance bw 2/5, dep 1/1 → bw 0.45, dep 0.5 → 0.475.
        // Political (0.5 − 2.5/6)/(1 − 2.5/6) = 1/7. Total 0.301771.
        let b = row(&r, "BLR", "RUS");
        assert_eq!(b.finance, None);
        assert_close(b.security_bandwidth.unwrap(), 0.45);
        assert_close(b.security_dependence.unwrap(), 0.5);
        assert_close(b.political.unwrap(), 1.0 / 7.0);
        let e = ((1.0f64 / 6.0).sqrt() + 1.0 / 6.0) / 2.0;
        assert_close(b.total, (e + 0.475 + 1.0 / 7.0) / 3.0);
        // RUS → BLR: BLR depends on RUS for all its trade and arms: economic (0.408248 + 1)/2,
        // security (0.45 + 1)/2 = 0.725.
        let rb = row(&r, "RUS", "BLR");
        assert_close(rb.economic_dependence.unwrap(), 1.0);
        assert_close(rb.security.unwrap(), 0.725);
        // Ranks: over RUS: CHN 0.5454, BLR 0.3018, DEU 0.0948; by RUS: CHN 0.5839, BLR 0.5240, DEU.
        let over: Vec<(&str, u32)> = r
            .rows
            .iter()
            .filter(|x| x.target == "RUS")
            .map(|x| (x.influencer.as_str(), x.rank))
            .collect();
        assert_eq!(over, [("CHN", 1), ("BLR", 2), ("DEU", 3)]);
        let by: Vec<&str> = r
            .rows
            .iter()
            .filter(|x| x.influencer == "RUS")
            .map(|x| x.target.as_str())
            .collect();
        assert_eq!(by, ["CHN", "BLR", "DEU"]);
        // RUS → CHN: economic (0.339683 + 60/260)/2, security (0.433013 + ½)/2, political 1.
        let e = ((60.0f64 / 260.0 * 0.5).sqrt() + 60.0 / 260.0) / 2.0;
        let s = (0.75f64.sqrt() / 2.0 + 0.5) / 2.0;
        assert_close(row(&r, "RUS", "CHN").total, (e + s + 1.0) / 3.0);
        assert!((row(&r, "RUS", "CHN").total - 0.583911).abs() < 1e-6);
    }

    #[test]
    fn the_answer_does_not_depend_on_the_order_of_the_rows() {
        // 0.1 + 0.2 + 0.7 = 1.0000000000000000 but 0.7 + 0.2 + 0.1 = 0.9999999999999999 in
        // f64: rows must be summed in one order whatever order a query returned them in.
        let mut a = inputs();
        a.trade.push(TradeFlow::new(2010, "CHN", "KAZ", 0.3));
        for v in [0.1, 0.2, 0.7] {
            a.trade.push(TradeFlow::new(2010, "RUS", "KAZ", v));
            a.arms.push(ArmsTransfer {
                year: 2010,
                supplier: "RUS".into(),
                recipient: "BLR".into(),
                category: None,
                tiv: v,
            });
        }
        let mut b = a.clone();
        b.trade.reverse();
        b.arms.reverse();
        b.votes.reverse();
        b.calls.reverse();
        b.alliances.reverse();
        b.finance.reverse();
        let c = cfg(1);
        assert_eq!(
            0.1f64 + 0.2 + 0.7,
            1.0,
            "the premise: this order sums to exactly 1"
        );
        assert_ne!(0.7f64 + 0.2 + 0.1, 1.0, "and this one does not");
        assert_eq!(influence(&a, &c).unwrap(), influence(&b, &c).unwrap());
    }

    #[test]
    fn weights_change_the_ranking() {
        // Security only: CHN → RUS 0.216506 < BLR → RUS 0.475, so BLR leads.
        let r = influence(&inputs(), &weighted(1, [0.0, 3.0, 0.0, 0.0])).unwrap();
        let over: Vec<&str> = r
            .rows
            .iter()
            .filter(|x| x.target == "RUS")
            .map(|x| x.influencer.as_str())
            .collect();
        assert_eq!(over, ["BLR", "CHN"]);
        assert_close(row(&r, "BLR", "RUS").total, 0.475);
    }

    #[test]
    fn window_and_finance() {
        // With a 5-year window the 2008 DEU → RUS delivery is RUS's only arms import: arms
        // dependence of RUS on DEU = 1 (security dependence ½ with the alliance part 0).
        let r = influence(&inputs(), &cfg(5)).unwrap();
        assert_close(row(&r, "DEU", "RUS").security_dependence.unwrap(), 0.5);
        let r1 = influence(&inputs(), &cfg(1)).unwrap();
        assert_close(row(&r1, "DEU", "RUS").security_dependence.unwrap(), 0.0);
        // Finance: CHN → BLR only; bw 1 (BLR gets all of China's finance), dep 5e8/5e10.
        let all = InfluenceParams {
            focal: None,
            ..cfg(1)
        };
        let r = influence(&inputs(), &all).unwrap();
        let f = row(&r, "CHN", "BLR");
        assert_close(f.finance_bandwidth.unwrap(), 1.0);
        assert_close(f.finance_dependence.unwrap(), 0.01);
        assert_close(f.finance.unwrap(), 0.505);
        assert_eq!(row(&r, "RUS", "BLR").finance, None);
        // Finance weight 1 raises CHN → BLR by 0.505/4 of the rescaled total.
        let wf = InfluenceParams {
            weight_finance: 1.0,
            ..all.clone()
        };
        let rf = influence(&inputs(), &wf).unwrap();
        assert_close(
            row(&rf, "CHN", "BLR").total,
            (row(&r, "CHN", "BLR").total * 3.0 + 0.505) / 4.0,
        );
        // Every directed pair with a positive total (BLR–DEU trade is 0 but they vote alike).
        assert!(
            r.rows
                .iter()
                .any(|x| x.influencer == "DEU" && x.target == "BLR")
        );
        // top = 1 keeps one row per target.
        let t1 = influence(&inputs(), &InfluenceParams { top: 1, ..all }).unwrap();
        assert_eq!(t1.rows.len(), 4);
        assert!(t1.rows.iter().all(|x| x.rank == 1));
    }

    #[test]
    fn agreement_is_shrunk_by_pseudo_votes() {
        // k = 20 pseudo-votes at the mean: a pair's part is multiplied by n/(n + k) = 2/22.
        let k20 = InfluenceParams {
            agreement_prior_votes: 20,
            ..cfg(1)
        };
        let r = influence(&inputs(), &k20).unwrap();
        assert_close(row(&r, "CHN", "RUS").political.unwrap(), 1.0 / 11.0);
        assert_close(row(&r, "BLR", "RUS").political.unwrap(), 1.0 / 77.0);
    }

    #[test]
    fn bad_weights_are_refused() {
        let zero = weighted(1, [0.0, 0.0, 0.0, 0.0]);
        assert!(influence(&inputs(), &zero).is_err());
        let neg = InfluenceParams {
            weight_economic: -1.0,
            ..cfg(1)
        };
        assert!(influence(&inputs(), &neg).is_err());
        assert!(influence(&inputs(), &cfg(0)).is_err());
    }

    /// Issue 27: weights of 1e308 summed to infinity and gave 0 rows with exit 0; a weight
    /// past 1e6 is refused by the parameter's range, naming it.
    #[test]
    fn influence_weights_that_overflow_are_refused() {
        let mut raw = serde_json::Map::new();
        raw.insert("focal".into(), "RUS".into());
        raw.insert("weight_economic".into(), "1e308".into());
        let e = crate::params::parse::<InfluenceParams>(&raw).unwrap_err();
        let m = e.to_string();
        assert!(m.contains("weight_economic") && m.contains("1e308"), "{m}");
        raw.insert("weight_economic".into(), "1000000".into());
        crate::params::parse::<InfluenceParams>(&raw).unwrap();
    }
}
