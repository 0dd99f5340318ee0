//! Country identity: one row per state, territory, historical entity or area, with every code
//! the sources use, and resolution of a user's query (a name in any common spelling, ISO2, ISO3,
//! ISO numeric / M49 as BACI uses it, COW or Gleditsch–Ward code) to that row.
//!
//! Built from `world_countries` (mledoze/countries 5.1.0, ODbL 1.0), the COW and Gleditsch–Ward
//! state lists, BACI's country codes, and pivot's own concordance files
//! `data/concordances/pivot_entities.csv` (historical entities and areas) and
//! `pivot_aliases.csv` (spellings and code continuities, each with a note).
//!
//! Continuity is explicit: COW 365 and UN votes' `RU` are Russia for every year (USSR included);
//! BACI 810 is the former USSR (`SUN`), a separate entity.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

use serde::Deserialize;

/// What kind of entity a [`Country`] row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CountryKind {
    /// An independent state today.
    State,
    /// A dependent territory (ISO-coded, not independent).
    Territory,
    /// A state that no longer exists (USSR, GDR, Czechoslovakia, pre-1871 German states …).
    Historical,
    /// An aggregate such as the European Union; never a party to a dyad in pivot's measures.
    Area,
}

impl CountryKind {
    /// Lower-case label.
    pub fn as_str(self) -> &'static str {
        match self {
            CountryKind::State => "state",
            CountryKind::Territory => "territory",
            CountryKind::Historical => "historical",
            CountryKind::Area => "area",
        }
    }
}

/// One country (or historical entity, or area) with all its codes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Country {
    /// ISO 3166-1 alpha-3 (or ISO 3166-3 / a documented pivot code for historical entities).
    pub iso3: String,
    /// ISO 3166-1 alpha-2; Namibia's is the string `NA`.
    pub iso2: Option<String>,
    /// ISO numeric / UN M49, the code BACI uses.
    pub m49: Option<u16>,
    /// Correlates of War state codes that map to this row (several where continuity is declared).
    pub cow: Vec<u16>,
    /// Gleditsch–Ward codes.
    pub gw: Vec<u16>,
    /// Common English name.
    pub name: String,
    /// Official name.
    pub official_name: String,
    /// Other spellings this row answers to.
    pub alt_names: Vec<String>,
    /// UN geoscheme region (world-countries `region`).
    pub region: String,
    /// UN geoscheme subregion (world-countries `subregion`).
    pub subregion: String,
    /// State, territory, historical entity or area.
    pub kind: CountryKind,
    /// First year of existence where known (historical entities).
    pub start_year: Option<i32>,
    /// Last year of existence where known (historical entities).
    pub end_year: Option<i32>,
    /// Approximate centroid (latitude, longitude) in degrees; not population-weighted.
    pub latlng: Option<(f64, f64)>,
    /// ISO3 codes of land neighbours.
    pub borders: Vec<String>,
    /// ISO 639-3 codes of official languages.
    pub languages: Vec<String>,
    /// Member of the United Nations today.
    pub un_member: bool,
    /// Notes on continuity or special meaning of codes.
    pub note: String,
}

/// Which code scheme a query was matched in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// ISO 3166-1 alpha-3.
    Iso3,
    /// ISO 3166-1 alpha-2.
    Iso2,
    /// ISO numeric / M49 (BACI's code).
    M49,
    /// Correlates of War.
    Cow,
    /// Gleditsch–Ward.
    Gw,
    /// A name or alternative spelling.
    Name,
}

impl Scheme {
    /// Label used in messages and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Iso3 => "iso3",
            Scheme::Iso2 => "iso2",
            Scheme::M49 => "m49",
            Scheme::Cow => "cow",
            Scheme::Gw => "gw",
            Scheme::Name => "name",
        }
    }

    fn parse(s: &str) -> Option<Scheme> {
        Some(match s.to_ascii_lowercase().as_str() {
            "iso3" | "iso" | "alpha3" => Scheme::Iso3,
            "iso2" | "alpha2" => Scheme::Iso2,
            "m49" | "un" | "isonum" | "numeric" | "baci" => Scheme::M49,
            "cow" | "ccode" => Scheme::Cow,
            "gw" | "gwcode" => Scheme::Gw,
            "name" => Scheme::Name,
            _ => return None,
        })
    }
}

/// A successful resolution.
#[derive(Debug, Clone)]
pub struct Resolved<'a> {
    /// The matched row.
    pub country: &'a Country,
    /// The scheme the query matched in.
    pub scheme: Scheme,
    /// A note when the match went through a declared continuity or alias (e.g. COW 365).
    pub note: Option<String>,
}

/// Why a query did not resolve.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ResolveError {
    /// Nothing matched; `suggestions` are the closest names.
    #[error("unknown country '{query}'{}", suggest(.suggestions))]
    Unknown {
        /// The query as given.
        query: String,
        /// Closest known names with their ISO3 codes.
        suggestions: Vec<String>,
    },
    /// A code scheme prefix that pivot does not know.
    #[error("unknown code scheme '{0}' (use iso3, iso2, m49, cow, gw or name)")]
    Scheme(String),
    /// The query is empty or only whitespace.
    #[error("empty country query: give a name or code (Russia, RUS, RU, 643, cow:365)")]
    Empty,
    /// The query holds a control character (a pasted escape, a NUL).
    #[error("country query '{0}' contains a control character; give a name or code")]
    Control(String),
    /// The query is longer than any country's name could be.
    #[error(
        "country query of {0} characters is too long (at most {max}); give a name or code",
        max = MAX_QUERY
    )]
    TooLong(usize),
}

/// The longest country query accepted, in characters (the longest official name in the table
/// is under 100).
pub const MAX_QUERY: usize = 200;

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; did you mean: {}?", s.join(", "))
    }
}

/// The country table and its indexes.
#[derive(Debug)]
pub struct Countries {
    rows: Vec<Country>,
    by_iso3: HashMap<String, usize>,
    iso3_alias: HashMap<String, (usize, String)>,
    by_iso2: HashMap<String, usize>,
    by_m49: HashMap<u16, (usize, Option<String>)>,
    by_cow: HashMap<u16, (usize, Option<String>)>,
    by_gw: HashMap<u16, usize>,
    by_name: HashMap<String, (usize, Option<String>)>,
}

/// Fold a name for matching: ASCII transliteration, lower case, letters and digits only.
pub fn fold_name(s: &str) -> String {
    deunicode::deunicode(s)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[derive(Deserialize)]
struct WcName {
    common: String,
    official: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WcCountry {
    name: WcName,
    cca2: String,
    cca3: String,
    #[serde(default)]
    ccn3: String,
    #[serde(default)]
    independent: Option<bool>,
    #[serde(default)]
    un_member: bool,
    #[serde(default)]
    alt_spellings: Vec<String>,
    #[serde(default)]
    region: String,
    #[serde(default)]
    subregion: String,
    #[serde(default)]
    languages: HashMap<String, String>,
    #[serde(default)]
    latlng: Vec<f64>,
    #[serde(default)]
    borders: Vec<String>,
}

#[derive(Deserialize)]
struct EntityRow {
    iso3: String,
    name: String,
    kind: String,
    iso2: String,
    m49: String,
    cow: String,
    start_year: String,
    end_year: String,
    region: String,
    subregion: String,
    note: String,
}

#[derive(Deserialize)]
struct AliasRow {
    scheme: String,
    key: String,
    iso3: String,
    note: String,
}

#[derive(Deserialize)]
struct CowState {
    ccode: u16,
    statenme: String,
}

#[derive(Deserialize)]
struct GwState {
    gwcode: u16,
    statename: String,
}

#[derive(Deserialize)]
struct BaciCode {
    country_code: u16,
    country_name_full: String,
    iso_3digit_alpha: String,
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("bundled gzip is valid (checked by pivot-bundled's tests); this is a bug");
    out
}

fn csv_rows<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Vec<T> {
    csv::Reader::from_reader(bytes)
        .deserialize()
        .map(|r| r.unwrap_or_else(|e| panic!("bundled {what} is malformed ({e}); this is a bug")))
        .collect()
}

impl Countries {
    /// The table built from the bundled reference data (built once, then shared).
    pub fn bundled() -> &'static Countries {
        static C: OnceLock<Countries> = OnceLock::new();
        C.get_or_init(Countries::build)
    }

    fn build() -> Countries {
        let wc: Vec<WcCountry> =
            serde_json::from_slice(&gunzip(pivot_bundled::WORLD_COUNTRIES.bytes))
                .expect("bundled world_countries JSON is valid; this is a bug");
        let mut rows: Vec<Country> = wc
            .into_iter()
            .map(|c| Country {
                iso2: Some(c.cca2),
                m49: c.ccn3.parse().ok(),
                cow: vec![],
                gw: vec![],
                official_name: c.name.official,
                alt_names: c.alt_spellings,
                region: c.region,
                subregion: c.subregion,
                kind: if c.independent.unwrap_or(false) || c.un_member {
                    CountryKind::State
                } else {
                    CountryKind::Territory
                },
                start_year: None,
                end_year: None,
                latlng: (c.latlng.len() == 2).then(|| (c.latlng[0], c.latlng[1])),
                borders: c.borders,
                languages: {
                    let mut l: Vec<String> = c.languages.into_keys().collect();
                    l.sort();
                    l
                },
                un_member: c.un_member,
                note: String::new(),
                name: c.name.common,
                iso3: c.cca3,
            })
            .collect();
        let entities: Vec<EntityRow> =
            csv_rows(pivot_bundled::PIVOT_ENTITIES.bytes, "pivot_entities.csv");
        for e in entities {
            rows.push(Country {
                iso2: (!e.iso2.is_empty()).then_some(e.iso2),
                m49: e.m49.parse().ok(),
                cow: vec![],
                gw: vec![],
                official_name: e.name.clone(),
                alt_names: vec![],
                region: e.region,
                subregion: e.subregion,
                kind: match e.kind.as_str() {
                    "historical" => CountryKind::Historical,
                    "area" => CountryKind::Area,
                    other => panic!("pivot_entities.csv kind '{other}' unknown; this is a bug"),
                },
                start_year: e.start_year.parse().ok(),
                end_year: e.end_year.parse().ok(),
                latlng: None,
                borders: vec![],
                languages: vec![],
                un_member: false,
                note: e.note,
                name: e.name,
                iso3: e.iso3,
            });
            if let (Some(c), Ok(code)) = (rows.last_mut(), e.cow.parse::<u16>()) {
                c.cow.push(code);
            }
        }
        let mut t = Countries {
            by_iso3: HashMap::new(),
            iso3_alias: HashMap::new(),
            by_iso2: HashMap::new(),
            by_m49: HashMap::new(),
            by_cow: HashMap::new(),
            by_gw: HashMap::new(),
            by_name: HashMap::new(),
            rows,
        };
        for (i, c) in t.rows.iter().enumerate() {
            assert!(
                t.by_iso3.insert(c.iso3.clone(), i).is_none(),
                "duplicate ISO3 {} in bundled countries; this is a bug",
                c.iso3
            );
            if let Some(iso2) = &c.iso2 {
                t.by_iso2.entry(iso2.clone()).or_insert(i);
            }
            if let Some(m) = c.m49 {
                t.by_m49.entry(m).or_insert((i, None));
            }
            for &code in &c.cow {
                t.by_cow.insert(code, (i, None));
            }
        }
        // Names: common and official first, then alternative spellings, so that an alternative
        // spelling never steals another country's common name.
        for (i, c) in t.rows.iter().enumerate() {
            for n in [&c.name, &c.official_name] {
                t.by_name.entry(fold_name(n)).or_insert((i, None));
            }
        }
        for (i, c) in t.rows.iter().enumerate() {
            for n in &c.alt_names {
                if n.chars().count() > 3 {
                    t.by_name.entry(fold_name(n)).or_insert((i, None));
                }
            }
        }
        let aliases: Vec<AliasRow> =
            csv_rows(pivot_bundled::PIVOT_ALIASES.bytes, "pivot_aliases.csv");
        for a in aliases {
            let i = *t
                .by_iso3
                .get(&a.iso3)
                .unwrap_or_else(|| panic!("alias target {} unknown; this is a bug", a.iso3));
            let note = (!a.note.is_empty()).then(|| a.note.clone());
            match a.scheme.as_str() {
                "cow" => {
                    let code: u16 = a.key.parse().expect("numeric COW alias");
                    t.by_cow.insert(code, (i, note));
                    t.rows[i].cow.push(code);
                }
                "m49" => {
                    let code: u16 = a.key.parse().expect("numeric m49 alias");
                    t.by_m49.entry(code).or_insert((i, note));
                }
                "name" => {
                    t.by_name.insert(fold_name(&a.key), (i, note));
                    if !t.rows[i].alt_names.contains(&a.key) {
                        t.rows[i].alt_names.push(a.key);
                    }
                }
                "iso3" => {
                    t.iso3_alias.insert(a.key, (i, a.note));
                }
                other => panic!("alias scheme '{other}' unknown; this is a bug"),
            }
        }
        // COW state list: by name, for every code not already mapped.
        let cow: Vec<CowState> =
            csv_rows(&gunzip(pivot_bundled::COW_STATES.bytes), "cow_states.csv");
        for s in cow {
            if t.by_cow.contains_key(&s.ccode) {
                continue;
            }
            let i = t
                .by_name
                .get(&fold_name(&s.statenme))
                .map(|x| x.0)
                .unwrap_or_else(|| {
                    panic!(
                        "COW state {} '{}' has no country row; this is a bug",
                        s.ccode, s.statenme
                    )
                });
            t.by_cow.insert(s.ccode, (i, None));
            if !t.rows[i].cow.contains(&s.ccode) {
                t.rows[i].cow.push(s.ccode);
            }
            let name = s.statenme;
            t.by_name.entry(fold_name(&name)).or_insert((i, None));
        }
        let gw: Vec<GwState> = csv_rows(&gunzip(pivot_bundled::GW_STATES.bytes), "gw_states.csv");
        for s in gw {
            let i = t
                .by_name
                .get(&fold_name(&s.statename))
                .map(|x| x.0)
                .or_else(|| t.by_cow.get(&s.gwcode).map(|x| x.0));
            if let Some(i) = i {
                t.by_gw.entry(s.gwcode).or_insert(i);
                if !t.rows[i].gw.contains(&s.gwcode) {
                    t.rows[i].gw.push(s.gwcode);
                }
            }
        }
        let baci: Vec<BaciCode> = csv_rows(
            &gunzip(pivot_bundled::BACI_COUNTRY_CODES.bytes),
            "BACI country codes",
        );
        for b in baci {
            if let Some(&i) = t.by_iso3.get(&b.iso_3digit_alpha) {
                t.by_m49.entry(b.country_code).or_insert((
                    i,
                    Some(format!("BACI {} {}", b.country_code, b.country_name_full)),
                ));
            }
        }
        for c in &mut t.rows {
            c.cow.sort_unstable();
            c.gw.sort_unstable();
        }
        t
    }

    /// Every row.
    pub fn all(&self) -> &[Country] {
        &self.rows
    }

    /// The row with this exact ISO3 code (or a declared old code such as `ROM`).
    pub fn by_iso3(&self, iso3: &str) -> Option<&Country> {
        let up = iso3.to_ascii_uppercase();
        self.by_iso3
            .get(&up)
            .or_else(|| self.iso3_alias.get(&up).map(|x| &x.0))
            .map(|&i| &self.rows[i])
    }

    /// The row for an ISO2 code (`NA` is Namibia).
    pub fn by_iso2(&self, iso2: &str) -> Option<&Country> {
        self.by_iso2
            .get(&iso2.to_ascii_uppercase())
            .map(|&i| &self.rows[i])
    }

    /// The row for an ISO numeric / M49 code, including BACI's own codes (842, 699, 810 …).
    pub fn by_m49(&self, code: u16) -> Option<&Country> {
        self.by_m49.get(&code).map(|x| &self.rows[x.0])
    }

    /// The row for a COW code, with the continuity note where one applies (365, 260).
    pub fn by_cow(&self, code: u16) -> Option<(&Country, Option<&str>)> {
        self.by_cow
            .get(&code)
            .map(|(i, n)| (&self.rows[*i], n.as_deref()))
    }

    /// The row for a Gleditsch–Ward code.
    pub fn by_gw(&self, code: u16) -> Option<&Country> {
        self.by_gw.get(&code).map(|&i| &self.rows[i])
    }

    /// The row for a name or alternative spelling (case, accents and punctuation ignored).
    pub fn by_name(&self, name: &str) -> Option<&Country> {
        self.by_name.get(&fold_name(name)).map(|x| &self.rows[x.0])
    }

    /// Resolve a user's query. Accepted forms: a name in any listed spelling, ISO3, ISO2, a
    /// bare number (ISO numeric / M49 first, then COW), or an explicit scheme such as
    /// `cow:816`, `COW 816`, `gw:816`, `m49:704`, `iso2:NA`.
    pub fn resolve(&self, query: &str) -> Result<Resolved<'_>, ResolveError> {
        let q = query.trim();
        if q.is_empty() {
            return Err(ResolveError::Empty);
        }
        let n = q.chars().count();
        if n > MAX_QUERY {
            return Err(ResolveError::TooLong(n));
        }
        if q.chars().any(char::is_control) {
            return Err(ResolveError::Control(q.escape_debug().to_string()));
        }
        let explicit = q.split_once(':').or_else(|| {
            q.split_once(' ')
                .filter(|(s, _)| Scheme::parse(s).is_some())
        });
        if let Some((scheme, rest)) = explicit {
            if let Some(s) = Scheme::parse(scheme.trim()) {
                return self
                    .resolve_in(s, rest.trim())
                    .ok_or_else(|| self.unknown(q));
            } else if q.contains(':') {
                return Err(ResolveError::Scheme(scheme.trim().to_string()));
            }
        }
        let order: &[Scheme] = if !q.is_empty() && q.chars().all(|c| c.is_ascii_digit()) {
            &[Scheme::M49, Scheme::Cow]
        } else if q.len() == 2 && q.chars().all(|c| c.is_ascii_alphabetic()) {
            &[Scheme::Iso2, Scheme::Name]
        } else if q.len() == 3 && q.chars().all(|c| c.is_ascii_alphabetic()) {
            &[Scheme::Iso3, Scheme::Name]
        } else {
            &[Scheme::Name]
        };
        order
            .iter()
            .find_map(|&s| self.resolve_in(s, q))
            .ok_or_else(|| self.unknown(q))
    }

    fn resolve_in(&self, scheme: Scheme, q: &str) -> Option<Resolved<'_>> {
        let num = || q.parse::<u16>().ok();
        let (i, note) = match scheme {
            Scheme::Iso3 => {
                let up = q.to_ascii_uppercase();
                match self.by_iso3.get(&up) {
                    Some(&i) => (i, None),
                    None => {
                        let (i, n) = self.iso3_alias.get(&up)?;
                        (*i, Some(n.clone()))
                    }
                }
            }
            Scheme::Iso2 => (*self.by_iso2.get(&q.to_ascii_uppercase())?, None),
            Scheme::M49 => self.by_m49.get(&num()?).cloned()?,
            Scheme::Cow => self.by_cow.get(&num()?).cloned()?,
            Scheme::Gw => (*self.by_gw.get(&num()?)?, None),
            Scheme::Name => self.by_name.get(&fold_name(q)).cloned()?,
        };
        Some(Resolved {
            country: &self.rows[i],
            scheme,
            note,
        })
    }

    fn unknown(&self, q: &str) -> ResolveError {
        let f = fold_name(q);
        let mut scored: Vec<(f64, &Country)> = self
            .by_name
            .iter()
            .map(|(k, (i, _))| (strsim::jaro_winkler(&f, k), &self.rows[*i]))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut suggestions: Vec<String> = Vec::new();
        // Only close names are suggestions: a query far from every name gets none.
        for (_, c) in scored.into_iter().filter(|(score, _)| *score >= 0.75) {
            let s = format!("{} ({})", c.name, c.iso3);
            if !suggestions.contains(&s) {
                suggestions.push(s);
            }
            if suggestions.len() == 3 {
                break;
            }
        }
        ResolveError::Unknown {
            query: q.to_string(),
            suggestions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso3(q: &str) -> String {
        Countries::bundled()
            .resolve(q)
            .unwrap()
            .country
            .iso3
            .clone()
    }

    /// Issue 17: a control character or an absurdly long query is refused naming why; the
    /// longest official name in the table fits under the cap.
    #[test]
    fn control_characters_and_long_queries_are_refused() {
        let c = Countries::bundled();
        let e = c.resolve("Rus\u{1}sia").unwrap_err();
        assert_eq!(
            e.to_string(),
            "country query 'Rus\\u{1}sia' contains a control character; give a name or code"
        );
        let e = c.resolve(&"a".repeat(100_000)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "country query of 100000 characters is too long (at most 200); give a name or code"
        );
        let longest = c
            .rows
            .iter()
            .map(|r| r.official_name.chars().count().max(r.name.chars().count()))
            .max()
            .unwrap();
        assert!(longest < 100, "{longest}");
        assert_eq!(iso3("\tRussia\n"), "RUS");
    }

    #[test]
    fn vietnam_in_every_scheme() {
        // Issue 2: "Viet Nam", "VNM", "VN", "704" and COW 816 are the same country.
        for q in [
            "Viet Nam", "VNM", "VN", "704", "COW 816", "cow:816", "Vietnam", "vietnam",
        ] {
            assert_eq!(iso3(q), "VNM", "{q}");
        }
    }

    #[test]
    fn namibia_is_the_string_na() {
        assert_eq!(iso3("NA"), "NAM");
        assert_eq!(
            Countries::bundled().by_iso3("NAM").unwrap().iso2.as_deref(),
            Some("NA")
        );
    }

    #[test]
    fn russia_and_its_continuity() {
        assert_eq!(iso3("Russian Federation"), "RUS");
        let r = Countries::bundled().resolve("cow:365").unwrap();
        assert_eq!(r.country.iso3, "RUS");
        assert!(r.note.unwrap().contains("USSR"));
        // A bare 365 is not an M49 code, so it falls through to COW.
        assert_eq!(iso3("365"), "RUS");
        // BACI 810 is the former USSR, a separate entity.
        assert_eq!(iso3("810"), "SUN");
        assert_eq!(iso3("USSR"), "SUN");
    }

    #[test]
    fn sipri_and_cow_spellings() {
        for (q, want) in [
            ("Turkiye", "TUR"),
            ("Türkiye", "TUR"),
            ("Korea, South", "KOR"),
            ("South Korea", "KOR"),
            ("cow:732", "KOR"),
            ("cow:710", "CHN"),
            ("cow:255", "DEU"),
            ("cow:260", "DEU"),
            ("cow:740", "JPN"),
            ("cow:750", "IND"),
            ("UAE", "ARE"),
            ("842", "USA"),
            ("699", "IND"),
            ("ROM", "ROU"),
            ("German Democratic Republic", "DDR"),
            ("Czechoslovakia", "CSK"),
        ] {
            assert_eq!(iso3(q), want, "{q}");
        }
    }

    #[test]
    fn unknown_query_suggests_close_names() {
        let e = Countries::bundled().resolve("Vietnm").unwrap_err();
        let ResolveError::Unknown { suggestions, .. } = &e else {
            panic!("{e:?}")
        };
        assert!(
            suggestions.iter().any(|s| s.contains("VNM")),
            "{suggestions:?}"
        );
        assert!(e.to_string().contains("did you mean"));
    }

    #[test]
    fn every_cow_state_maps_somewhere_and_codes_are_unique() {
        let c = Countries::bundled();
        assert!(c.all().len() > 270);
        assert_eq!(c.by_cow(365).unwrap().0.iso3, "RUS");
        let mut seen = std::collections::HashSet::new();
        for row in c.all() {
            assert!(seen.insert(row.iso3.clone()), "duplicate {}", row.iso3);
        }
    }

    #[test]
    fn bad_scheme_is_an_error() {
        assert_eq!(
            Countries::bundled().resolve("foo:12").unwrap_err(),
            ResolveError::Scheme("foo".into())
        );
    }
}
