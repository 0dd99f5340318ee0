//! The registry: one [`MeasureInfo`] per measure module, from which `pivot measures` and the
//! measure documentation are generated.
//!
//! Every measure file (`src/<module>.rs`) has exactly one entry here whose `module` is the
//! file's name; a test enforces this and that no section is empty.

use serde::Serialize;

use crate::error::{MeasureError, Result};

/// The dimension of interstate dependence a measure belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Trade in goods.
    Trade,
    /// Energy trade (oil, gas, coal).
    Energy,
    /// Arms transfers.
    Arms,
    /// Diplomacy (UN voting).
    Diplomacy,
    /// Material power (GDP, CINC, military expenditure).
    Power,
    /// Official finance and investment.
    Finance,
    /// Alliance obligations.
    Alliances,
    /// Event data (GDELT, ICEWS).
    Events,
    /// Hedging: the cross-dimension view.
    Hedging,
}

impl Dimension {
    /// Every dimension, in order.
    pub const ALL: [Dimension; 9] = [
        Self::Trade,
        Self::Energy,
        Self::Arms,
        Self::Diplomacy,
        Self::Power,
        Self::Finance,
        Self::Alliances,
        Self::Events,
        Self::Hedging,
    ];

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trade => "trade",
            Self::Energy => "energy",
            Self::Arms => "arms",
            Self::Diplomacy => "diplomacy",
            Self::Power => "power",
            Self::Finance => "finance",
            Self::Alliances => "alliances",
            Self::Events => "events",
            Self::Hedging => "hedging",
        }
    }

    /// Parse a lower-case name.
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s).ok_or_else(|| MeasureError::InvalidField {
            field: "dimension",
            value: s.to_string(),
            context: "dimension name".into(),
            reason: "expected trade, energy, arms, diplomacy, power, finance, alliances, events or hedging",
        })
    }
}

/// A parameter of a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ParamInfo {
    /// Name, as in the measure's config struct.
    pub name: &'static str,
    /// What it does.
    pub description: &'static str,
    /// Default value, as text ("required" when there is none).
    pub default: &'static str,
}

/// Documentation of one measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MeasureInfo {
    /// Kebab-case name (`pivot measure NAME`).
    pub name: &'static str,
    /// The Rust module (`src/<module>.rs`) that implements it.
    pub module: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Dimension.
    pub dimension: Dimension,
    /// The formula, as text.
    pub formula: &'static str,
    /// How to read the numbers.
    pub reading: &'static str,
    /// Canonical tables needed.
    pub data: &'static [&'static str],
    /// Citation(s).
    pub reference: &'static str,
    /// Parameters.
    pub parameters: &'static [ParamInfo],
}

const FOCAL: ParamInfo = ParamInfo {
    name: "focal",
    description: "the focal state (ISO3)",
    default: "required",
};
const PARTNERS: ParamInfo = ParamInfo {
    name: "partners",
    description: "partners to report (ISO3 list) or all partners in the data",
    default: "all",
};

/// Every measure, in documentation order.
pub static MEASURES: &[MeasureInfo] = &[
    MeasureInfo {
        name: "partner-share",
        module: "partner_share",
        summary: "Each partner's share of a state's exports, imports or total trade, and its rank, per year",
        dimension: Dimension::Trade,
        formula: "share_ij = v_ij / Σ_k v_ik, v = exports x_ij, imports x_ji or total T_ij = x_ij + x_ji; competition rank by v_ij",
        reading: "Share 0.18 and rank 1 for CHN in RUS's total trade: China is Russia's largest partner with 18 % of its trade. Shares of one state, direction and year sum to 1.",
        data: &["trade_flows"],
        reference: "Hirschman (1945), National Power and the Structure of Foreign Trade; WITS/UNCTAD trade indicators",
        parameters: &[
            FOCAL,
            ParamInfo {
                name: "direction",
                description: "exports, imports or total",
                default: "total",
            },
        ],
    },
    MeasureInfo {
        name: "product-composition",
        module: "product_composition",
        summary: "A state's exports or imports by HS chapter, with each chapter's share and rank, per year and partner",
        dimension: Dimension::Trade,
        formula: "v_c = Σ flows of HS chapter c between focal i and partner group g (one partner, or all as WLD); share_c = v_c / Σ_c v_c; competition rank by v_c",
        reading: "Share 0.71 and rank 1 for chapter 27 in RUS's exports to CHN: mineral fuels were 71 % of what Russia sold to China that year. Shares of one group, direction and year sum to 1.",
        data: &["trade_dyad_hs2 (BACI)"],
        reference: "World Customs Organization, Harmonized System (chapters 01-97); OEC and WITS product breakdowns",
        parameters: &[
            FOCAL,
            ParamInfo {
                name: "partners",
                description: "partners reported one by one (ISO3 list), or all partners pooled as WLD",
                default: "all (WLD)",
            },
            ParamInfo {
                name: "direction",
                description: "exports, imports or total",
                default: "exports",
            },
            ParamInfo {
                name: "top",
                description: "keep chapters ranked top N or better",
                default: "all",
            },
        ],
    },
    MeasureInfo {
        name: "gdp-dependence",
        module: "gdp_dependence",
        summary: "Trade with a partner relative to the focal state's GDP (Oneal–Russett), per year",
        dimension: Dimension::Trade,
        formula: "D_ij = T_ij / GDP_i, trade and GDP both in current USD; D_ji = T_ij / GDP_j where GDP_j is given",
        reading: "D = 0.02: trade with that partner equals 2 % of the focal state's GDP. Grows when trade outpaces the economy.",
        data: &["trade_flows", "country_year (gdp_usd)"],
        reference: "Oneal and Russett (1997), International Studies Quarterly 41(2): 267–293",
        parameters: &[FOCAL, PARTNERS],
    },
    MeasureInfo {
        name: "barbieri-interdependence",
        module: "barbieri",
        summary: "Barbieri's salience, symmetry, interdependence and signed asymmetry of a dyad, per year",
        dimension: Dimension::Trade,
        formula: "S_i = T_ij/T_i, S_j = T_ij/T_j; salience = √(S_i·S_j); symmetry = 1 − |S_i − S_j|; interdependence = salience × symmetry; asymmetry = S_i − S_j",
        reading: "Salience, symmetry and interdependence lie in [0, 1]; asymmetry > 0 means the focal state depends more on the partner than the partner on it.",
        data: &["trade_flows"],
        reference: "Barbieri (1996), Journal of Peace Research 33(1): 29–49",
        parameters: &[FOCAL, PARTNERS],
    },
    MeasureInfo {
        name: "trade-intensity",
        module: "trade_intensity",
        summary: "Trade intensity index of an exporter towards each importer, per year",
        dimension: Dimension::Trade,
        formula: "TII_ij = (x_ij / X_i) / (m_j / (M_w − m_i))",
        reading: "TII > 1: i exports more to j than j's weight in the rest of the world's imports predicts; < 1: less. Directional.",
        data: &["trade_flows (whole world)"],
        reference: "Kojima (1964), Hitotsubashi Journal of Economics 5(1): 16–36; Brown (1949), Applied Economics",
        parameters: &[
            ParamInfo {
                name: "exporter",
                description: "the exporter i (ISO3)",
                default: "required",
            },
            PARTNERS,
        ],
    },
    MeasureInfo {
        name: "concentration",
        module: "concentration",
        summary: "HHI, normalised HHI, effective number and Theil index over partners or products, per year",
        dimension: Dimension::Trade,
        formula: "HHI = Σ s_k²; HHI* = (HHI − 1/N)/(1 − 1/N) (1 when N = 1); effective number = 1/HHI; Theil T = (1/N) Σ (x_k/μ) ln(x_k/μ), 0·ln 0 = 0",
        reading: "HHI 0.25 is as concentrated as four equal partners; HHI* is 0 when even and 1 when all in one unit; Theil is 0 when even and ln N at most.",
        data: &[
            "trade_flows",
            "or any keyed values (products, recipients, destinations)",
        ],
        reference: "Hirschman (1945); Herfindahl (1950); Theil (1967), Economics and Information Theory",
        parameters: &[
            FOCAL,
            ParamInfo {
                name: "direction",
                description: "exports, imports or total (partner version)",
                default: "total",
            },
            ParamInfo {
                name: "partners",
                description: "partner set; selected partners without trade count as zeros",
                default: "all",
            },
        ],
    },
    MeasureInfo {
        name: "geodep",
        module: "geodep",
        summary: "CEPII GeoDep product-level strategic dependence on HS6 trade, with a 2-of-3-years stability rule",
        dimension: Dimension::Trade,
        formula: "C1: HHI of the importer's suppliers > 0.4; C2: HHI of world exporters > 0.4; C3: imports/exports > 1; flagged in window t−2…t when C1–C3 all hold in ≥ 2 of the 3 years (missing years fail)",
        reading: "A flagged product is a persistent dependence on few suppliers that the importer cannot cover itself; the leading supplier (over the window's summed imports) says on whom.",
        data: &["trade_flows (HS6, all exporters and importers of each product)"],
        reference: "Vicard and Wibaux (2023), CEPII Policy Brief 41; Jaravel and Méjean (2021), Notes du CAE 64",
        parameters: &[
            ParamInfo {
                name: "importer_hhi_threshold",
                description: "C1 threshold θ1 (strictly above)",
                default: "0.4",
            },
            ParamInfo {
                name: "world_hhi_threshold",
                description: "C2 threshold θ2 (strictly above)",
                default: "0.4",
            },
            ParamInfo {
                name: "import_export_ratio_threshold",
                description: "C3 threshold θ3 (strictly above)",
                default: "1",
            },
            ParamInfo {
                name: "window_years",
                description: "window length w in years",
                default: "3",
            },
            ParamInfo {
                name: "min_years_passing",
                description: "passing years needed in a window",
                default: "2",
            },
            ParamInfo {
                name: "importers",
                description: "importers to assess",
                default: "all",
            },
        ],
    },
    MeasureInfo {
        name: "energy-destinations",
        module: "energy",
        summary: "An exporter's energy volumes and shares by destination and carrier, and Asia's share",
        dimension: Dimension::Energy,
        formula: "share_d = v_d / Σ v; Asia share = Σ_{d ∈ Asia} v_d / Σ v, per year and carrier (never across carriers)",
        reading: "A crude Asia share of 0.8: destinations listed as Asia took 80 % of the crude exported. Destinations mix countries and areas.",
        data: &["energy_flows (subtotal rows dropped)"],
        reference: "Energy Institute (2024), Statistical Review of World Energy; bp Statistical Review (2020–2022)",
        parameters: &[
            ParamInfo {
                name: "exporter",
                description: "the exporter",
                default: "required",
            },
            ParamInfo {
                name: "asia",
                description: "importer labels counted as Asia",
                default: "required",
            },
        ],
    },
    MeasureInfo {
        name: "arms-shares",
        module: "arms",
        summary: "Recipient shares of a supplier's TIV and supplier shares of a recipient's TIV, by period and category",
        dimension: Dimension::Arms,
        formula: "share_r = TIV_sr(P) / Σ_r' TIV_sr'(P) (recipient side), share_s = TIV_sr(P) / Σ_s' TIV_s'r(P) (supplier side); TIV is a volume index, never money",
        reading: "India 0.35 of Russian TIV in 2010–2014: India took 35 % of the volume of major arms Russia delivered. Compare periods, not single years.",
        data: &["arms_transfers"],
        reference: "SIPRI Arms Transfers Database; Holtom, Bromley and Simmel (2012), Measuring International Arms Transfers",
        parameters: &[
            ParamInfo {
                name: "supplier / recipient",
                description: "the focal state (ISO3)",
                default: "required",
            },
            ParamInfo {
                name: "periods",
                description: "inclusive year ranges",
                default: "required",
            },
            ParamInfo {
                name: "categories",
                description: "pooled or by weapon category",
                default: "pooled",
            },
        ],
    },
    MeasureInfo {
        name: "un-alignment",
        module: "un_alignment",
        summary: "UNGA voting agreement, S-score, Scott's π and Cohen's κ per session or year, optionally by issue",
        dimension: Dimension::Diplomacy,
        formula: "A = mean of 1 (same), ½ (one abstains), 0 (opposite); S = 1 − 2Σ|x−y|/(n·d_max), yes=1 abstain=2 no=3, d_max=2; π, κ = (p_o − p_e)/(1 − p_e) with pooled (π) or separate (κ) marginals; None when p_e = 1",
        reading: "A = 0.9: the pair voted alike (abstentions half) 90 % of the time. π and κ discount chance agreement from lopsided yes votes and separate pairs better.",
        data: &[
            "un_votes",
            "roll calls (rcid → session, year)",
            "roll-call issues",
        ],
        reference: "Voeten (2013); Lijphart (1963) APSR 57(4); Signorino and Ritter (1999) ISQ 43(1); Scott (1955); Cohen (1960); Häge (2011) Political Analysis 19(3)",
        parameters: &[
            FOCAL,
            ParamInfo {
                name: "partners",
                description: "states compared with the focal state",
                default: "required",
            },
            ParamInfo {
                name: "period",
                description: "session or year",
                default: "session",
            },
            ParamInfo {
                name: "issues",
                description: "pooled or by issue",
                default: "pooled",
            },
        ],
    },
    MeasureInfo {
        name: "alliance-flags",
        module: "alliances",
        summary: "ATOP obligation flags (defense, offense, neutral, nonagg, consul, any) per undirected dyad-year",
        dimension: Dimension::Alliances,
        formula: "flag_ijt = flag(i, j, t) ∨ flag(j, i, t); any = defense ∨ offense ∨ neutral ∨ nonagg ∨ consul",
        reading: "consul = true with defense = false: a consultation pact short of a mutual-defence alliance. Missing dyad-years mean no alliance only within ATOP's coverage.",
        data: &["alliances"],
        reference: "Leeds et al. (2002), International Interactions 28(3): 237–260; ATOP v5.0",
        parameters: &[
            FOCAL,
            PARTNERS,
            ParamInfo {
                name: "fill_years",
                description: "year range written out with all-false rows where ATOP has none",
                default: "none",
            },
        ],
    },
    MeasureInfo {
        name: "power-ratio",
        module: "power_ratio",
        summary: "Ratio A/B and each side's share of the dyad for an indicator (GDP, CINC, milex), per year",
        dimension: Dimension::Power,
        formula: "ratio = a/b (None when b = 0); share_A = a/(a + b), share_B = b/(a + b); years where both exist",
        reading: "A CHN/RUS GDP ratio rising with China's dyadic share rising towards 1 is a growing disparity. Compare like with like (same prices, same release).",
        data: &["country_year (gdp_usd, cinc, milex …)"],
        reference: "Singer, Bremer and Stuckey (1972); Organski and Kugler (1980), The War Ledger",
        parameters: &[
            ParamInfo {
                name: "a",
                description: "state A, the numerator (ISO3)",
                default: "required",
            },
            ParamInfo {
                name: "b",
                description: "state B, the denominator (ISO3)",
                default: "required",
            },
        ],
    },
    MeasureInfo {
        name: "official-finance",
        module: "finance",
        summary: "Chinese official finance to a recipient by year and class, with its rank and share among all recipients",
        dimension: Dimension::Finance,
        formula: "share_rt = a_rt / Σ_r' a_r't per year, and cumulated from the first data year; competition rank among recipients with a positive amount",
        reading: "Rank 1 and share 0.12 cumulatively: the largest recipient with 12 % of commitments. Use adjusted amounts for cumulative totals; never add to investment amounts.",
        data: &["finance_flows"],
        reference: "Custer et al. (2023), AidData TUFF 3.0; Dreher et al. (2022), Banking on Beijing",
        parameters: &[
            ParamInfo {
                name: "recipient",
                description: "the recipient (ISO3)",
                default: "required",
            },
            ParamInfo {
                name: "basis",
                description: "committed or adjusted amounts for ranks and shares",
                default: "adjusted",
            },
        ],
    },
    MeasureInfo {
        name: "hedging-view",
        module: "hedging",
        summary: "Per dimension: dominant partner and share, HHI*, effective number; across dimensions: same dominant partner, hedging index",
        dimension: Dimension::Hedging,
        formula: "s_pd = v_pd / Σ_p v_pd over the partner set; HHI*_d as in concentration; H = Σ_d w_d (1 − HHI*_d) / Σ_d w_d over dimensions with data",
        reading: "A different dominant partner per dimension is hedging; H near 1 means ties spread evenly over the partners, near 0 one partner everywhere. Report the partner set and weights with H.",
        data: &[
            "trade_flows",
            "energy_flows",
            "arms_transfers",
            "un_votes (via the other measures)",
        ],
        reference: "Kuik (2008), Contemporary Southeast Asia 30(2): 159–185; Mankoff (2015), Asia Policy 19: 65–87",
        parameters: &[
            FOCAL,
            ParamInfo {
                name: "partners",
                description: "the partner set",
                default: "required",
            },
            ParamInfo {
                name: "weights",
                description: "weights w_d of the hedging index per dimension",
                default: "trade=1, energy=1, arms=1, diplomacy=1",
            },
        ],
    },
    MeasureInfo {
        name: "event-profile",
        module: "events",
        summary: "QuadClass counts, mean Goldstein and cooperation share per dyad-month from event data",
        dimension: Dimension::Events,
        formula: "q_k = events in QuadClass k; mean Goldstein = Σ w g / Σ w; cooperation share = Σ_{Q1,Q2} w / Σ w, w = 1 or mentions",
        reading: "A cooperation share of 0.85 and mean Goldstein +3: mostly, mildly cooperative reported interactions. Compare shares and means, not raw counts.",
        data: &["events"],
        reference: "Goldstein (1992), JCR 36(2): 369–385; Schrodt (2012), CAMEO codebook; Leetaru and Schrodt (2013), GDELT",
        parameters: &[
            ParamInfo {
                name: "orientation",
                description: "directed or undirected dyads",
                default: "undirected",
            },
            ParamInfo {
                name: "weighting",
                description: "events or mentions",
                default: "events",
            },
        ],
    },
];

/// Every measure, in documentation order.
pub fn measures() -> &'static [MeasureInfo] {
    MEASURES
}

/// The measure with this kebab-case name.
pub fn find(name: &str) -> Option<&'static MeasureInfo> {
    MEASURES.iter().find(|m| m.name == name)
}

/// The measures of one dimension.
pub fn by_dimension(dimension: Dimension) -> impl Iterator<Item = &'static MeasureInfo> {
    MEASURES.iter().filter(move |m| m.dimension == dimension)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Files in `src/` that are support code, not measures.
    const SUPPORT: [&str; 5] = ["lib", "registry", "error", "common", "trade"];
    const SECTIONS: [&str; 5] = [
        "# What it measures",
        "# Formula",
        "# Reading it",
        "# Data it needs",
        "# Reference",
    ];

    fn measure_files() -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
            if SUPPORT.contains(&stem.as_str()) {
                continue;
            }
            out.push((stem, std::fs::read_to_string(&path).unwrap()));
        }
        out.sort();
        out
    }

    #[test]
    fn every_measure_module_is_registered_and_vice_versa() {
        let files = measure_files();
        assert!(
            files.len() >= 14,
            "expected the 14 measure files, found {}",
            files.len()
        );
        let modules: BTreeSet<&str> = files.iter().map(|(m, _)| m.as_str()).collect();
        let registered: BTreeSet<&str> = MEASURES.iter().map(|m| m.module).collect();
        assert_eq!(
            modules, registered,
            "src/<module>.rs files and registry entries must match one to one"
        );
        assert_eq!(
            registered.len(),
            MEASURES.len(),
            "one registry entry per module"
        );
        let lib = include_str!("lib.rs");
        for m in &modules {
            assert!(
                lib.contains(&format!("pub mod {m};")),
                "lib.rs must declare `pub mod {m};`"
            );
        }
    }

    #[test]
    fn every_measure_file_has_the_doc_sections_in_order() {
        for (module, text) in measure_files() {
            let doc: String = text
                .lines()
                .take_while(|l| l.starts_with("//!"))
                .collect::<Vec<_>>()
                .join("\n");
            let mut last = 0;
            for s in SECTIONS {
                let needle = format!("//! {s}\n");
                let pos = doc[last..]
                    .find(&needle)
                    .map(|p| p + last)
                    .unwrap_or_else(|| {
                        panic!("{module}.rs: missing or out-of-order section `{s}`")
                    });
                let body_start = pos + needle.len();
                let body_end = doc[body_start..]
                    .find("//! #")
                    .map_or(doc.len(), |p| p + body_start);
                let body = doc[body_start..body_end].replace("//!", "");
                assert!(
                    body.trim().len() > 20,
                    "{module}.rs: section `{s}` is (nearly) empty"
                );
                last = body_start;
            }
        }
    }

    #[test]
    fn every_entry_has_non_empty_sections() {
        let mut names = BTreeSet::new();
        for m in MEASURES {
            assert!(names.insert(m.name), "duplicate name {}", m.name);
            assert!(
                !m.name.is_empty()
                    && m.name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{} is not kebab-case",
                m.name
            );
            assert!(
                !m.name.starts_with('-') && !m.name.ends_with('-') && !m.name.contains("--"),
                "{} is not kebab-case",
                m.name
            );
            for (field, text) in [
                ("summary", m.summary),
                ("formula", m.formula),
                ("reading", m.reading),
                ("reference", m.reference),
            ] {
                assert!(text.trim().len() > 10, "{}: {field} is empty", m.name);
            }
            assert!(
                !m.summary.contains('\n'),
                "{}: summary must be one line",
                m.name
            );
            assert!(
                !m.data.is_empty() && m.data.iter().all(|d| !d.trim().is_empty()),
                "{}: data is empty",
                m.name
            );
            assert!(!m.parameters.is_empty(), "{}: no parameters", m.name);
            for p in m.parameters {
                assert!(
                    !p.name.is_empty() && !p.description.is_empty() && !p.default.is_empty(),
                    "{}: empty parameter field",
                    m.name
                );
            }
        }
        assert_eq!(
            find("partner-share").map(|m| m.module),
            Some("partner_share")
        );
        assert!(find("no-such-measure").is_none());
        // partner-share, product-composition, gdp-dependence, barbieri-interdependence,
        // trade-intensity, concentration, geodep.
        assert_eq!(by_dimension(Dimension::Trade).count(), 7);
    }

    #[test]
    fn dimensions_round_trip() {
        for d in Dimension::ALL {
            assert_eq!(Dimension::parse(d.as_str()).unwrap(), d);
        }
        assert!(Dimension::parse("culture").is_err());
    }
}
