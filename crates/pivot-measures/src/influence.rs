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
//! For a year t and the directed dyad i → j. Every dimension has a *bandwidth* (how large the
//! tie is, measured against the largest tie of its kind in the world, so that a microstate's
//! whole trade is still a thin tie) and a *dependence* (how much j relies on i, measured
//! against j's own capacity, so that a tie counts as much as the dimension weighs for j).
//! r_ij = min(1, GDP_i / GDP_j) is the weight of i relative to j (World Bank GDP, current USD).
//!
//! **Economic** (trade, current USD, the spliced trade series): T_ij = exports i→j + exports
//! j→i. Bandwidth e_bw = T_ij / T*, T* the largest dyad's total trade in the world that year;
//! dependence e_dep = min(1, T_ij / GDP_j): i's share of j's trade times j's openness.
//!
//! **Security**, arms and alliances, each half. Arms over the trailing window t−w+1…t (w =
//! `window_years`; deliveries are lumpy), SIPRI TIV: bandwidth = B_ij / B*, with B_ij = A_ij +
//! A_ji the pair's deliveries both ways and B* the largest pair's in the window; dependence =
//! min(1, A_ij / MILEX_j), i's deliveries to j against j's military expenditure over the
//! window (SIPRI, million constant 2022 USD): TIV is a volume index, not money, so this is a
//! proxy of the weight of imported arms in j's military effort (a supplier of 86 % of Russia's
//! small arms imports weighs nothing against Russia's own spending). Alliances in year t
//! (ATOP): bandwidth = the share of ATOP's five obligation types (defence, offence,
//! neutrality, non-aggression, consultation) the dyad holds; dependence = r_ij / D_j when i
//! and j have a defence pact, D_j being the number of j's defence partners (a guarantee counts
//! with the guarantor's weight), else 0. s_bw and s_dep are the means of the arms and
//! alliance parts with data in year t (arms: 2000–2023 in the bundled data; alliances: to
//! 2018).
//!
//! **Political** (UNGA votes of year t): bandwidth p_bw = r_ij · max(0, (A*_ij − Ā_t)/(1 −
//! Ā_t)), with A_ij the Voeten agreement of the pair over its n joint votes (see
//! `un-alignment`), Ā_t the mean agreement of all pairs that year, and A*_ij = (n A_ij + k
//! Ā_t)/(n + k) the agreement shrunk towards the mean by k = `agreement_prior_votes`
//! pseudo-votes: agreement beyond the Assembly's usual, counting with i's weight (a
//! microstate's votes do not move a great power). FBIC's political dependence comes from IGO
//! co-membership and diplomatic ties, which are not in the data: politics has a bandwidth
//! and no dependence.
//!
//! **Finance**: the only finance data is AidData's Chinese official finance (commitments by
//! recipient, constant 2021 USD), so the dimension exists only for CHN → j: F_j = China's
//! commitments to j over the trailing window, bandwidth f_bw = F_j / Σ_k F_k (j's share of
//! China's official finance), dependence f_dep = min(1, F_j / GDP_j) with GDP_j summed over
//! the same years. For every other dyad finance is not measured (null): other lenders'
//! finance is missing, not zero.
//!
//! **Total**: each material dimension scores √(bw · dep), so that it needs both a large tie
//! and a partner that relies on it (a state whose arms Russia supplies has a large arms tie
//! with Russia but Russia does not rely on it; a microstate wholly tied to Russia relies on
//! Russia through a thin tie). M = Σ_d w_d score_d / Σ_d w_d over economic, security and
//! finance, a missing part counting 0; political alignment multiplies it: total = M (1 + w_p
//! p_bw) / (1 + w_p), from M/(1 + w_p) for a pair that votes no closer than usual to M for
//! the closest. Alignment helps a state use its ties and creates none: a state that votes
//! like Russia but barely trades or arms with it scores near 0. Default weights: economic,
//! security and political 1 each, finance 0 (with one lender measured, a positive weight
//! raises China's score over every recipient on a dimension no other state is measured on).
//!
//! **Against FBIC.** The Pardee Center's Formal Bilateral Influence Capacity index (Moyer et
//! al. 2018) builds bandwidth from the absolute volume of a tie and dependence relative to the
//! target's capacity, as here, but from some twenty series (diplomatic missions, IGO
//! co-membership, aid, FDI, tourism, students …) that are not open data in pivot; its exact
//! scaling and aggregation are not published in full. pivot's index is smaller and open:
//! every component is in the output, the weights are parameters and the formula is this one.
//!
//! # Reading it
//! A total of 0.1 for CHN → RUS is the geometric mean of China's share of the largest ties in
//! the world (bandwidth) and Russia's reliance on China relative to its own economy and
//! military effort (dependence), weighted over the dimensions. Compare rows within one year
//! and one target (who can influence Russia most) or one influencer (whom Russia can
//! influence); the total depends on the weights and on which data cover the year (trade to
//! 2023, arms from 2000, alliances to 2018, votes to 2019), so the notes list the dimensions
//! absent in a year — read the components, not only the total. Influence capacity is not
//! influence exercised: it says where leverage could come from.
//!
//! # Data it needs
//! `trade_flows` (spliced series: COW to 2011, BACI totals 2012–2023), `arms_dyad_year` (SIPRI
//! TIV by supplier, recipient and year), `alliances` (ATOP dyad-years), `un_votes` and
//! `un_roll_calls`, `finance_flows` (AidData GCDF) and `country_year` (`gdp_usd` of every
//! state, `milex_const2022_usd_m` of arms importers).
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
    /// GDP (current USD) of every state.
    pub gdp: Vec<IndicatorValue>,
    /// Military expenditure (SIPRI, million constant 2022 USD) of arms importers.
    pub milex: Vec<IndicatorValue>,
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
    /// material · (1 + w_p · political) / (1 + w_p), in [0, 1].
    pub total: f64,
    /// Weighted mean of the material dimensions' scores (economic, security, finance).
    pub material: f64,
    /// Economic √(bw · dep).
    pub economic: Option<f64>,
    /// T_ij against the world's largest dyad.
    pub economic_bandwidth: Option<f64>,
    /// T_ij against j's GDP (capped at 1).
    pub economic_dependence: Option<f64>,
    /// Security √(bw · dep).
    pub security: Option<f64>,
    /// Mean of arms and alliance bandwidth.
    pub security_bandwidth: Option<f64>,
    /// Mean of arms and alliance dependence.
    pub security_dependence: Option<f64>,
    /// Political bandwidth: agreement beyond the Assembly's mean, times min(1, GDP_i/GDP_j).
    pub political: Option<f64>,
    /// Finance √(bw · dep) (CHN → j only).
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
    let msum = check_weights(p)?;
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
    let milex: HashMap<(&str, i32), f64> = inp
        .milex
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
        let g = |c: &str| gdp.get(&(c, y)).copied().filter(|v| *v > 0.0);
        for (i, j) in directed_pairs(&states, focal, partners) {
            let weight = g(i).zip(g(j)).map(|(gi, gj)| (gi / gj).min(1.0));
            let (e_bw, e_dep) = economic(tp, g(j), i, j);
            let milex_j: Option<f64> = {
                let m: Vec<f64> = (y - win + 1..=y)
                    .filter_map(|yy| milex.get(&(j, yy)).copied())
                    .collect();
                (!m.is_empty()).then(|| m.iter().sum())
            };
            let (arms_bw, arms_dep) = arms.parts(i, j, milex_j);
            let (al_bw, al_dep) = alliances.parts(i, j, weight);
            let s_bw = mean(&[arms_bw, al_bw]);
            let s_dep = mean(&[arms_dep, al_dep]);
            let pol = political
                .score(i, j, p.agreement_prior_votes)
                .and_then(|a| weight.map(|w| a * w));
            let (f_bw, f_dep) = finance.parts(i, j);
            let score = |b: Option<f64>, d: Option<f64>| b.zip(d).map(|(b, d)| (b * d).sqrt());
            let economic = score(e_bw, e_dep);
            let security = score(s_bw, s_dep);
            let fin = score(f_bw, f_dep);
            let z = |v: Option<f64>| v.unwrap_or(0.0);
            let material = (p.weight_economic * z(economic)
                + p.weight_security * z(security)
                + p.weight_finance * z(fin))
                / msum;
            let total = material * (1.0 + p.weight_political * z(pol)) / (1.0 + p.weight_political);
            if total <= 0.0 {
                continue;
            }
            rows.push(InfluenceRow {
                year: y,
                influencer: i.to_string(),
                target: j.to_string(),
                rank: 0,
                total,
                material,
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

/// The weights checked (finite, >= 0, one material weight > 0) and the window (>= 1 year);
/// the sum of the material weights.
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
    let msum = p.weight_economic + p.weight_security + p.weight_finance;
    if msum <= 0.0 {
        return Err(MeasureError::InvalidParameter {
            name: "weights",
            value: "0".into(),
            reason: "a weight of economic, security or finance must be > 0: political alignment multiplies material capacity and has none of its own",
        });
    }
    if p.window_years == 0 {
        return Err(MeasureError::InvalidParameter {
            name: "window_years",
            value: "0".into(),
            reason: "the window must be at least one year",
        });
    }
    Ok(msum)
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
    /// Weight of political alignment (UN agreement beyond the Assembly's mean), which multiplies the material score by (1 + w p)/(1 + w); default 1.
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
        let sum = self.weight_economic + self.weight_security + self.weight_finance;
        if sum <= 0.0 {
            return Err(crate::params::ParamError::new(
                "weight_economic",
                Some(self.weight_economic.to_string()),
                "economic, security and finance weights are all 0: capacity needs a dependence (politics has none in the data)",
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
        // Every state in the rows: GDP weighs each one; military expenditure, the importers.
        let mut states: BTreeSet<String> = BTreeSet::new();
        states.extend(
            trade
                .iter()
                .flat_map(|f| [f.exporter.clone(), f.importer.clone()]),
        );
        states.extend(
            arms.iter()
                .flat_map(|a| [a.supplier.clone(), a.recipient.clone()]),
        );
        states.extend(
            alliances
                .iter()
                .flat_map(|a| [a.state_a.clone(), a.state_b.clone()]),
        );
        states.extend(v.votes.iter().map(|x| x.country.clone()));
        states.extend(finance.iter().map(|x| x.recipient.clone()));
        states.insert("CHN".into());
        let states: Vec<String> = states.into_iter().collect();
        let gdp = data.indicator("gdp_usd", &states, &wide)?;
        let importers: Vec<String> = arms
            .iter()
            .map(|a| a.recipient.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let milex = if importers.is_empty() {
            vec![]
        } else {
            data.indicator("milex_const2022_usd_m", &importers, &wide)?
        };
        let inputs = InfluenceInputs {
            trade,
            arms,
            alliances,
            votes: v.votes,
            calls: v.calls,
            finance,
            gdp,
            milex,
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
            "Finance is Chinese official finance only (AidData): measured for CHN -> recipient, null for every other dyad. Political dependence (IGO co-membership, diplomatic ties) is not in the data. A state without GDP (World Bank) in a year has no economic dependence, alliance dependence or political part as target or weight; a target without SIPRI military expenditure has no arms dependence.",
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
    /// BLR–DEU ½; mean Ā = 2.5/6. GDP 2010 (in trade's units): RUS 1200, CHN 6000, DEU 3600,
    /// BLR 60. Military expenditure: RUS 100 in 2008 and 2010, CHN 200, BLR 10 in 2010.
    /// China lends BLR 0.6 in 2010.
    pub(super) fn inputs() -> InfluenceInputs {
        let iv = |c: &str, year, value| IndicatorValue {
            country: c.into(),
            year,
            value,
        };
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
                amount: 0.6,
                adjusted_amount: None,
            }],
            gdp: [
                ("RUS", 1200.0),
                ("CHN", 6000.0),
                ("DEU", 3600.0),
                ("BLR", 60.0),
            ]
            .into_iter()
            .map(|(c, v)| iv(c, 2010, v))
            .collect(),
            milex: vec![
                iv("RUS", 2008, 100.0),
                iv("RUS", 2010, 100.0),
                iv("CHN", 2010, 200.0),
                iv("BLR", 2010, 10.0),
            ],
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
        // CHN → RUS, weight r = min(1, 6000/1200) = 1. Economic: bw 60/200 (T* = CHN–DEU)
        // = 0.3, dep 60/1200 = 0.05 → √0.015 = 0.122474. Security: arms bw 30/30 = 1, dep
        // 0/100 = 0; alliance 0, 0 → bw ½, dep 0 → 0. Political 1 · 1. Finance: China lent
        // RUS nothing → 0. Material (0.122474 + 0)/2 = 0.061237; total × (1 + 1)/2.
        let c = row(&r, "CHN", "RUS");
        assert_close(c.economic_bandwidth.unwrap(), 0.3);
        assert_close(c.economic_dependence.unwrap(), 0.05);
        assert_close(c.economic.unwrap(), 0.015f64.sqrt());
        assert_close(c.security_bandwidth.unwrap(), 0.5);
        assert_close(c.security_dependence.unwrap(), 0.0);
        assert_close(c.political.unwrap(), 1.0);
        assert_eq!(c.finance, Some(0.0));
        assert_close(c.material, 0.015f64.sqrt() / 2.0);
        assert_close(c.total, 0.015f64.sqrt() / 2.0);
        // BLR → RUS, r = 60/1200 = 0.05. Economic: bw 20/200, dep 20/1200 → 0.040825.
        // Security: arms bw 10/30, dep 0; alliance bw 2/5, dep r/D_RUS = 0.05 → bw 0.366667,
        // dep 0.025 → 0.095743. Political (0.5 − 5/12)/(7/12) · 0.05 = 1/140. Material
        // 0.068284; total × (1 + 1/140)/2 = 0.034386.
        let b = row(&r, "BLR", "RUS");
        assert_eq!(b.finance, None);
        assert_close(b.economic.unwrap(), (0.1f64 / 60.0).sqrt());
        assert_close(b.security_bandwidth.unwrap(), (1.0 / 3.0 + 0.4) / 2.0);
        assert_close(b.security_dependence.unwrap(), 0.025);
        assert_close(b.political.unwrap(), 1.0 / 140.0);
        let m = ((0.1f64 / 60.0).sqrt() + ((1.0 / 3.0 + 0.4) / 2.0 * 0.025f64).sqrt()) / 2.0;
        assert_close(b.total, m * (1.0 + 1.0 / 140.0) / 2.0);
        assert!((b.total - 0.034_386).abs() < 1e-6, "{}", b.total);
        // RUS → BLR, r = 1: Belarus relies on Russia for a third of its GDP in trade and all
        // its arms (10 TIV against 10 of spending) and defence: economic √(0.1 · 1/3),
        // security √(0.366667 · 1), political 1/7; total 0.225172.
        let rb = row(&r, "RUS", "BLR");
        assert_close(rb.economic_dependence.unwrap(), 1.0 / 3.0);
        assert_close(rb.security_dependence.unwrap(), 1.0);
        let m = ((0.1f64 / 3.0).sqrt() + (1.1f64 / 3.0).sqrt()) / 2.0;
        assert_close(rb.total, m * (1.0 + 1.0 / 7.0) / 2.0);
        assert!((rb.total - 0.225_172).abs() < 1e-6, "{}", rb.total);
        // Ranks: over RUS: CHN 0.0612, BLR 0.0344, DEU 0.0204 (√(0.2/30)/2/2); by RUS: BLR
        // 0.2252, CHN 0.0745, DEU 0.0118.
        let over: Vec<(&str, u32)> = r
            .rows
            .iter()
            .filter(|x| x.target == "RUS")
            .map(|x| (x.influencer.as_str(), x.rank))
            .collect();
        assert_eq!(over, [("CHN", 1), ("BLR", 2), ("DEU", 3)]);
        assert_close(row(&r, "DEU", "RUS").total, (0.2f64 / 30.0).sqrt() / 4.0);
        let by: Vec<&str> = r
            .rows
            .iter()
            .filter(|x| x.influencer == "RUS")
            .map(|x| x.target.as_str())
            .collect();
        assert_eq!(by, ["BLR", "CHN", "DEU"]);
        // RUS → CHN, r = 0.2: economic √(0.3 · 0.01), security √(0.5 · 30/200/2), political
        // 0.2; total 0.074526.
        let m = (0.003f64.sqrt() + 0.0375f64.sqrt()) / 2.0;
        assert_close(row(&r, "RUS", "CHN").total, m * 1.2 / 2.0);
        assert!((row(&r, "RUS", "CHN").total - 0.074_526).abs() < 1e-6);
    }

    /// Issue 30: a state with almost no material tie scores almost nothing however closely it
    /// votes with the target, and a large partner outranks a small one with the same shares.
    #[test]
    fn votes_alone_and_small_states_do_not_make_influence() {
        let mut inp = inputs();
        // Gambia votes exactly like Russia and trades 0.1 with it; GDP 1.
        for (rcid, v) in [(1, crate::un_alignment::VoteChoice::Yes), (2, N)] {
            inp.votes.push(Vote {
                rcid,
                country: "GMB".into(),
                vote: v,
            });
        }
        inp.trade.push(TradeFlow::new(2010, "GMB", "RUS", 0.1));
        inp.gdp.push(IndicatorValue {
            country: "GMB".into(),
            year: 2010,
            value: 1.0,
        });
        let r = influence(&inp, &cfg(1)).unwrap();
        let g = row(&r, "GMB", "RUS");
        // Economic √(0.1/200 · 0.1/1200) = 2.04e-4, material half of it, total at most that:
        // 5.1e-5, last of the four (DEU, the smallest of the others, 0.0204).
        assert!(g.total < 1e-4, "{}", g.total);
        assert_eq!(
            r.rows
                .iter()
                .filter(|x| x.target == "RUS")
                .map(|x| x.influencer.as_str())
                .next_back(),
            Some("GMB")
        );
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
        // Security only (political weight 0): CHN → RUS has no security dependence (0), BLR →
        // RUS √(0.366667 · 0.025) = 0.095743: only BLR has a positive total.
        let r = influence(&inputs(), &weighted(1, [0.0, 3.0, 0.0, 0.0])).unwrap();
        let over: Vec<&str> = r
            .rows
            .iter()
            .filter(|x| x.target == "RUS")
            .map(|x| x.influencer.as_str())
            .collect();
        assert_eq!(over, ["BLR"]);
        assert_close(row(&r, "BLR", "RUS").total, (1.1f64 / 3.0 * 0.025).sqrt());
    }

    #[test]
    fn window_and_finance() {
        // With a 5-year window the 2008 DEU → RUS delivery (20) is in: arms bw 20/30, dep 20
        // over Russia's spending in 2006-2010 (200) = 0.1; security dependence 0.05.
        let r = influence(&inputs(), &cfg(5)).unwrap();
        assert_close(row(&r, "DEU", "RUS").security_dependence.unwrap(), 0.05);
        let r1 = influence(&inputs(), &cfg(1)).unwrap();
        assert_close(row(&r1, "DEU", "RUS").security_dependence.unwrap(), 0.0);
        // Finance: CHN → BLR only; bw 1 (BLR gets all of China's finance), dep 0.6/60 → 0.1.
        // With finance weighted 1 it is a third of the material mean (CHN–BLR has no trade or
        // arms): (0.1/3) · (1 + 1/7)/2. At the default weight 0 China has no capacity over BLR
        // (no row).
        let all = InfluenceParams {
            focal: None,
            ..cfg(1)
        };
        let r = influence(&inputs(), &all).unwrap();
        assert!(
            !r.rows
                .iter()
                .any(|x| x.influencer == "CHN" && x.target == "BLR")
        );
        assert_eq!(row(&r, "RUS", "BLR").finance, None);
        let wf = InfluenceParams {
            weight_finance: 1.0,
            ..all.clone()
        };
        let rf = influence(&inputs(), &wf).unwrap();
        let f = row(&rf, "CHN", "BLR");
        assert_close(f.finance_bandwidth.unwrap(), 1.0);
        assert_close(f.finance_dependence.unwrap(), 0.01);
        assert_close(f.finance.unwrap(), 0.1);
        assert_close(f.material, 0.1 / 3.0);
        assert_close(f.total, 0.1 / 3.0 * (1.0 + 1.0 / 7.0) / 2.0);
        // top = 1 keeps one row per target.
        let t1 = influence(&inputs(), &InfluenceParams { top: 1, ..all }).unwrap();
        assert_eq!(t1.rows.len(), 4);
        assert!(t1.rows.iter().all(|x| x.rank == 1));
    }

    #[test]
    fn agreement_is_shrunk_by_pseudo_votes() {
        // k = 20 pseudo-votes at the mean: a pair's part is multiplied by n/(n + k) = 2/22,
        // then by the influencer's weight (CHN 1, BLR 0.05).
        let k20 = InfluenceParams {
            agreement_prior_votes: 20,
            ..cfg(1)
        };
        let r = influence(&inputs(), &k20).unwrap();
        assert_close(row(&r, "CHN", "RUS").political.unwrap(), 1.0 / 11.0);
        assert_close(row(&r, "BLR", "RUS").political.unwrap(), 0.05 / 77.0);
    }

    #[test]
    fn bad_weights_are_refused() {
        let zero = weighted(1, [0.0, 0.0, 0.0, 0.0]);
        assert!(influence(&inputs(), &zero).is_err());
        // Political alignment alone measures no capacity.
        assert!(influence(&inputs(), &weighted(1, [0.0, 0.0, 1.0, 0.0])).is_err());
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
