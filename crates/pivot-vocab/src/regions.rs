//! Named partner sets (`asia`, `eastern-asia`, `eu27`, `g7` …) resolved to ISO3 member lists.
//!
//! Geographic sets follow the UN M49 geoscheme regions and subregions as carried by
//! world-countries (mledoze/countries 5.1.0), restricted to states and territories (historical
//! entities and areas are excluded). Political sets are fixed lists with their date:
//! - `eu27`: the 27 EU member states after the United Kingdom's exit (1 February 2020), source:
//!   european-union.europa.eu, "Country profiles".
//! - `g7`: Canada, France, Germany, Italy, Japan, United Kingdom, United States (the EU attends
//!   but is not a member).
//! - `nafta`: Canada, Mexico, United States (NAFTA 1994, USMCA 2020).
//! - `brics`: Brazil, Russia, India, China, South Africa (members before the 2024 enlargement).

use crate::country::{Countries, CountryKind};

/// A named set: its name, description and members.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Region {
    /// Name as users type it.
    pub name: &'static str,
    /// One line on what it is and where its membership comes from.
    pub description: &'static str,
    /// ISO3 codes of members, sorted.
    pub members: Vec<String>,
}

const EU27: &[&str] = &[
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE",
];
const G7: &[&str] = &["CAN", "FRA", "DEU", "ITA", "JPN", "GBR", "USA"];
const NAFTA: &[&str] = &["CAN", "MEX", "USA"];
const BRICS: &[&str] = &["BRA", "RUS", "IND", "CHN", "ZAF"];

/// (name, description, UN region, UN subregions)
const GEO: &[(&str, &str, &str, &[&str])] = &[
    (
        "asia",
        "UN M49 region Asia (Eastern, South-Eastern, Southern, Central and Western Asia)",
        "Asia",
        &[],
    ),
    (
        "eastern-asia",
        "UN M49 subregion Eastern Asia",
        "Asia",
        &["Eastern Asia"],
    ),
    (
        "south-eastern-asia",
        "UN M49 subregion South-Eastern Asia",
        "Asia",
        &["South-Eastern Asia"],
    ),
    (
        "southern-asia",
        "UN M49 subregion Southern Asia",
        "Asia",
        &["Southern Asia"],
    ),
    (
        "central-asia",
        "UN M49 subregion Central Asia",
        "Asia",
        &["Central Asia"],
    ),
    (
        "western-asia",
        "UN M49 subregion Western Asia",
        "Asia",
        &["Western Asia"],
    ),
    (
        "east-south-asia",
        "UN M49 Eastern, South-Eastern and Southern Asia (Asia without Central and Western Asia)",
        "Asia",
        &["Eastern Asia", "South-Eastern Asia", "Southern Asia"],
    ),
    ("europe", "UN M49 region Europe", "Europe", &[]),
    ("africa", "UN M49 region Africa", "Africa", &[]),
    ("americas", "UN M49 region Americas", "Americas", &[]),
    ("oceania", "UN M49 region Oceania", "Oceania", &[]),
];

/// Every named set pivot knows, in a fixed order.
pub fn all(countries: &Countries) -> Vec<Region> {
    let mut out: Vec<Region> = GEO
        .iter()
        .map(|(name, description, region, subs)| {
            let mut members: Vec<String> = countries
                .all()
                .iter()
                .filter(|c| matches!(c.kind, CountryKind::State | CountryKind::Territory))
                .filter(|c| {
                    c.region == *region && (subs.is_empty() || subs.contains(&c.subregion.as_str()))
                })
                .map(|c| c.iso3.clone())
                .collect();
            members.sort();
            Region {
                name,
                description,
                members,
            }
        })
        .collect();
    for (name, description, list) in [
        (
            "eu27",
            "The 27 EU member states since 1 February 2020",
            EU27,
        ),
        (
            "g7",
            "Group of Seven: CAN, FRA, DEU, ITA, JPN, GBR, USA",
            G7,
        ),
        ("nafta", "NAFTA/USMCA: CAN, MEX, USA", NAFTA),
        (
            "brics",
            "BRICS before the 2024 enlargement: BRA, RUS, IND, CHN, ZAF",
            BRICS,
        ),
    ] {
        let mut members: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        members.sort();
        out.push(Region {
            name,
            description,
            members,
        });
    }
    out
}

/// The members of a named set, if `name` is one (case-insensitive; `_` and `-` are the same).
pub fn members(countries: &Countries, name: &str) -> Option<Vec<String>> {
    let n = name.trim().to_ascii_lowercase().replace('_', "-");
    let find = |regions: &[Region]| {
        regions
            .iter()
            .find(|r| r.name == n)
            .map(|r| r.members.clone())
    };
    // The bundled country table never changes: build its sets once.
    if std::ptr::eq(countries, Countries::bundled()) {
        static BUNDLED: std::sync::OnceLock<Vec<Region>> = std::sync::OnceLock::new();
        find(BUNDLED.get_or_init(|| all(Countries::bundled())))
    } else {
        find(&all(countries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_have_the_expected_members() {
        let c = Countries::bundled();
        let ea = members(c, "eastern-asia").unwrap();
        for m in ["CHN", "JPN", "KOR", "PRK", "MNG", "TWN"] {
            assert!(ea.contains(&m.to_string()), "{m}");
        }
        assert!(!ea.contains(&"RUS".to_string()));
        assert!(members(c, "asia").unwrap().contains(&"VNM".to_string()));
        assert!(members(c, "asia").unwrap().contains(&"IND".to_string()));
        assert_eq!(members(c, "eu27").unwrap().len(), 27);
        assert_eq!(members(c, "G7").unwrap().len(), 7);
        assert!(members(c, "atlantis").is_none());
        // Every member of a political set is a known ISO3 code.
        for r in all(c) {
            for m in &r.members {
                assert!(c.by_iso3(m).is_some(), "{} in {}", m, r.name);
            }
        }
    }
}
