//! Measure parameters as types: the value types every measure shares (a state, a partner set,
//! years, periods), and the one parser that turns what a user typed — `-p top=5` on the command
//! line, `?top=5` in a URL, `top=5` as a Python keyword, `{"top": 5}` in JSON — into a measure's
//! `Params` struct.
//!
//! The parser reads the JSON Schema derived from the struct (schemars), so names, types,
//! defaults, allowed values and ranges are declared once, on the struct, and every front door
//! refuses the same things with the same message: an unknown parameter (with "did you mean"), a
//! value of the wrong type, a value outside its enum or range.

use std::collections::BTreeMap;
use std::fmt;

use pivot_vocab::Countries;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

pub use crate::error::ParamError;

/// Cross-field checks a `Params` type makes after parsing (ranges and enums are checked from the
/// schema before it).
pub trait Validate {
    /// Refuse combinations the schema cannot express.
    fn validate(&self) -> Result<(), ParamError> {
        Ok(())
    }
}

fn countries() -> &'static Countries {
    Countries::bundled()
}

/// A state, given as any name or code (`Russia`, `RUS`, `RU`, `643`, `cow:365`) and held as its
/// ISO3 code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country(pub String);

impl Country {
    /// Resolve a query.
    pub fn resolve(q: &str) -> Result<Country, pivot_vocab::ResolveError> {
        Ok(Country(countries().resolve(q)?.country.iso3.clone()))
    }

    /// The ISO3 code.
    pub fn code(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let q = String::deserialize(d)?;
        Country::resolve(&q).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Country {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Country".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "a state: name in a common spelling, ISO3, ISO2, M49 number, cow:NNN or gw:NNN",
            "examples": ["RUS", "Viet Nam", "cow:365"]
        })
    }
}

/// Partners: states and named sets (`asia`, `eu27`, `g7` …), held as ISO3 codes in the order
/// given, sets expanded, duplicates removed. Empty means "every partner in the data" unless the
/// measure says otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Partners(pub Vec<String>);

impl Partners {
    /// Resolve a list of states and named sets.
    pub fn resolve<S: AsRef<str>>(items: &[S]) -> Result<Partners, pivot_vocab::ResolveError> {
        if let [one] = items
            && one.as_ref().trim().eq_ignore_ascii_case("all")
        {
            return Ok(Partners::default());
        }
        // `--partners ,,,` names no state: refused, not read as every partner.
        if !items.is_empty() && items.iter().all(|i| i.as_ref().trim().is_empty()) {
            return Err(pivot_vocab::ResolveError::Empty);
        }
        let mut out: Vec<String> = Vec::new();
        for it in items {
            let it = it.as_ref().trim();
            if it.is_empty() {
                continue;
            }
            match pivot_vocab::regions::members(countries(), it) {
                Some(m) => out.extend(m),
                None => out.push(Country::resolve(it)?.0),
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|x| seen.insert(x.clone()));
        Ok(Partners(out))
    }

    /// The codes.
    pub fn codes(&self) -> &[String] {
        &self.0
    }

    /// Whether none was given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As the measures' selection: empty is every partner.
    pub fn selection(&self) -> crate::PartnerSelection {
        if self.0.is_empty() {
            crate::PartnerSelection::All
        } else {
            crate::PartnerSelection::Only(self.0.clone())
        }
    }
}

impl Serialize for Partners {
    /// Every partner (none given) is written `all`, which reads back as every partner.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_empty() {
            s.serialize_str("all")
        } else {
            self.0.serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for Partners {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        let items = match Raw::deserialize(d)? {
            Raw::One(s) => s.split(',').map(str::to_string).collect(),
            Raw::Many(v) => v,
        };
        Partners::resolve(&items).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Partners {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Partners".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": ["array", "string"],
            "items": { "type": "string" },
            "description": "states (any name or code) and named sets (asia, eastern-asia, east-south-asia, eu27, g7, nafta, brics …), as a list or one comma-separated string; all: every partner",
            "examples": [["CHN", "IND", "JPN"], ["asia"]]
        })
    }
}

/// Years: `2014`, `1992-2014`, `2000-` or `-1991`; all years when not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Years(pub pivot_vocab::YearRange);

impl Years {
    /// Every year.
    pub const ALL: Years = Years(pivot_vocab::YearRange::ALL);

    /// The range.
    pub fn range(&self) -> &pivot_vocab::YearRange {
        &self.0
    }

    /// Whether a year is in it.
    pub fn contains(&self, y: i32) -> bool {
        self.0.contains(y)
    }
}

impl Serialize for Years {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self.0.from, self.0.to) {
            (None, None) => s.serialize_str("all"),
            _ => s.serialize_str(&self.0.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for Years {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Year(i64),
            Other(Value),
        }
        let s = match Raw::deserialize(d)? {
            Raw::Text(s) => s,
            Raw::Year(y) => y.to_string(),
            // A list of years (`years = 2010:2014` from R) or another type: say what is taken.
            Raw::Other(v) => {
                return Err(serde::de::Error::custom(format!(
                    "{v} is not a year range (write one range: 2014, 1992-2014, 2000- or -1991)"
                )));
            }
        };
        if s.trim().eq_ignore_ascii_case("all") {
            return Ok(Years::ALL);
        }
        s.parse().map(Years).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Years {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Years".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^(all|\\d{4}|\\d{4}?\\s*(-|\\.\\.|:|–)\\s*\\d{4}?)$",
            "description": "years: 2014, 1992-2014, 2000- (open end), -1991 (open start) or all",
            "examples": ["2014", "1992-2014"]
        })
    }
}

/// Periods: closed year ranges separated by `;` (`2000-2011;2012-2023`), or a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Periods(pub Vec<crate::common::YearRange>);

impl Periods {
    /// Parse `2000-2011;2012-2023`.
    pub fn parse(s: &str) -> Result<Periods, String> {
        let mut out = Vec::new();
        for p in s.split([';', ' ']).filter(|x| !x.trim().is_empty()) {
            let r: pivot_vocab::YearRange = p.parse().map_err(|e| format!("{e}"))?;
            match (r.from, r.to) {
                (Some(a), Some(b)) => out.push(crate::common::YearRange { start: a, end: b }),
                _ => return Err(format!("period '{p}' must be closed (e.g. 2000-2011)")),
            }
        }
        if out.is_empty() {
            return Err("no period given".into());
        }
        Ok(Periods(out))
    }
}

impl Serialize for Periods {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t: Vec<String> = self
            .0
            .iter()
            .map(|r| format!("{}-{}", r.start, r.end))
            .collect();
        s.serialize_str(&t.join(";"))
    }
}

impl<'de> Deserialize<'de> for Periods {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        let s = match Raw::deserialize(d)? {
            Raw::One(s) => s,
            Raw::Many(v) => v.join(";"),
        };
        Periods::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Periods {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Periods".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "closed year ranges separated by ';', e.g. 2000-2011;2012-2023",
            "examples": ["2000-2011;2012-2023"]
        })
    }
}

/// One parameter of a measure, as documented (from the schema).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamDoc {
    /// Name.
    pub name: String,
    /// JSON type (`string`, `integer`, `number`, `boolean`, `array`).
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether it must be given.
    pub required: bool,
    /// Default as JSON, when it has one.
    pub default: Option<Value>,
    /// Allowed values, for an enumeration.
    pub allowed: Option<Vec<String>>,
    /// Inclusive range, for a number.
    pub minimum: Option<f64>,
    /// Inclusive upper bound.
    pub maximum: Option<f64>,
    /// What it does.
    pub description: String,
}

/// The schema of a `Params` type, as a JSON value (draft 2020-12, what OpenAPI 3.1 embeds).
pub fn schema_of<P: JsonSchema>() -> Value {
    schemars::SchemaGenerator::default()
        .into_root_schema_for::<P>()
        .to_value()
}

/// Follow `$ref` into `$defs`, and take the non-null branch of an `anyOf`/`oneOf` (what an
/// `Option<T>` becomes).
fn resolve<'a>(root: &'a Value, mut s: &'a Value) -> &'a Value {
    for _ in 0..8 {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let name = r.rsplit('/').next().unwrap_or_default();
            match root.get("$defs").and_then(|d| d.get(name)) {
                Some(t) => {
                    s = t;
                    continue;
                }
                None => return s,
            }
        }
        // An `Option<T>`: two branches, one of them null.
        for k in ["anyOf", "oneOf"] {
            if let Some(branches) = s.get(k).and_then(Value::as_array)
                && branches.len() == 2
                && branches
                    .iter()
                    .any(|b| b.get("type").and_then(Value::as_str) == Some("null"))
                && let Some(b) = branches
                    .iter()
                    .find(|b| b.get("type").and_then(Value::as_str) != Some("null"))
            {
                s = b;
                break;
            }
        }
        if s.get("$ref").is_none() {
            return s;
        }
    }
    s
}

fn type_of(s: &Value) -> String {
    match s.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("string")
            .to_string(),
        _ if s.get("enum").is_some() || s.get("oneOf").is_some() => "string".into(),
        _ => "string".into(),
    }
}

fn enum_values(s: &Value) -> Option<Vec<String>> {
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        return Some(
            e.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
        );
    }
    // schemars writes documented unit variants as oneOf [{const, description}].
    let branches = s.get("oneOf").and_then(Value::as_array)?;
    let v: Vec<String> = branches
        .iter()
        .filter_map(|b| {
            b.get("const")
                .and_then(Value::as_str)
                .map(String::from)
                .or_else(|| {
                    b.get("enum")
                        .and_then(Value::as_array)
                        .and_then(|e| e.first())
                        .and_then(Value::as_str)
                        .map(String::from)
                })
        })
        .collect();
    (!v.is_empty() && v.len() == branches.len()).then_some(v)
}

/// The documented parameters of a `Params` schema, in declaration order.
pub fn param_docs(schema: &Value) -> Vec<ParamDoc> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return vec![];
    };
    props
        .iter()
        .map(|(name, p)| {
            let t = resolve(schema, p);
            let description = p
                .get("description")
                .or_else(|| t.get("description"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            ParamDoc {
                name: name.clone(),
                ty: type_of(t),
                required: required.contains(&name.as_str()),
                default: p.get("default").cloned(),
                allowed: enum_values(t),
                minimum: t.get("minimum").and_then(Value::as_f64),
                maximum: t.get("maximum").and_then(Value::as_f64),
                description,
            }
        })
        .collect()
}

fn closest<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    names
        .map(|n| (strsim::jaro_winkler(name, n), n))
        .filter(|(s, _)| *s >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Check and coerce raw parameters against a schema: unknown names are refused (with "did you
/// mean"); strings are read as the declared type (`top=5` → 5, `partners=CHN,IND` → a list);
/// enumerations and ranges are checked. Returns the object to deserialize.
pub fn coerce(schema: &Value, raw: &Map<String, Value>) -> Result<Map<String, Value>, ParamError> {
    let props = schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut out = Map::new();
    for (k, v) in raw {
        let Some(p) = props.get(k) else {
            let names: Vec<&str> = props.keys().map(String::as_str).collect();
            let mut e = ParamError::new(k, Some(text(v)), "unknown parameter");
            if let Some(c) = closest(k, names.iter().copied()) {
                e.problem = format!("unknown parameter; did you mean `{c}`?");
            }
            return Err(e.accepting(if names.is_empty() {
                "no parameters".to_string()
            } else {
                names.join(", ")
            }));
        };
        let t = resolve(schema, p);
        let ty = type_of(t);
        let bad = |what: &str| ParamError::new(k, Some(text(v)), what.to_string());
        let v = match (ty.as_str(), v) {
            ("integer", Value::String(s)) => s
                .trim()
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| bad("not an integer"))?,
            ("integer", Value::Number(n)) if n.as_i64().is_none() => {
                return Err(bad("not an integer"));
            }
            ("number", Value::String(s)) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Value::from)
                .ok_or_else(|| bad("not a number"))?,
            ("boolean", Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => Value::Bool(true),
                "false" | "no" | "0" => Value::Bool(false),
                _ => return Err(bad("not true or false")),
            },
            ("array", Value::String(s)) => Value::Array(
                s.split(',')
                    .map(|x| Value::String(x.trim().to_string()))
                    .collect(),
            ),
            ("string", Value::Number(n)) => Value::String(n.to_string()),
            // A value of another JSON type (`top=True` from Python, `top = TRUE` from R) is
            // refused here, naming the parameter, rather than by serde without its name.
            ("integer", Value::Bool(_) | Value::Array(_) | Value::Object(_)) => {
                return Err(bad("not an integer"));
            }
            ("number", Value::Bool(_) | Value::Array(_) | Value::Object(_)) => {
                return Err(bad("not a number"));
            }
            ("boolean", Value::Number(_) | Value::Array(_) | Value::Object(_)) => {
                return Err(bad("not true or false"));
            }
            (_, v) => v.clone(),
        };
        if let Some(allowed) = enum_values(t)
            && let Value::String(s) = &v
            && !allowed.contains(s)
        {
            let mut e = bad("not an allowed value");
            if let Some(c) = closest(s, allowed.iter().map(String::as_str)) {
                e.problem = format!("not an allowed value; did you mean '{c}'?");
            }
            return Err(e.accepting(allowed.join(", ")));
        }
        if let Some(x) = v.as_f64() {
            let min = t.get("minimum").and_then(Value::as_f64);
            let max = t.get("maximum").and_then(Value::as_f64);
            if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
                let range = match (min, max) {
                    (Some(a), Some(b)) => format!("{a} to {b}"),
                    (Some(a), None) => format!("{a} or more"),
                    (None, Some(b)) => format!("{b} or less"),
                    _ => unreachable!("one bound is set"),
                };
                return Err(bad("out of range").accepting(range));
            }
        }
        out.insert(k.clone(), v);
    }
    Ok(out)
}

/// Parse raw parameters into `P`: [`coerce`] against `P`'s schema, deserialize, validate.
pub fn parse<P>(raw: &Map<String, Value>) -> Result<P, ParamError>
where
    P: JsonSchema + serde::de::DeserializeOwned + Validate,
{
    let schema = schema_of::<P>();
    let obj = coerce(&schema, raw)?;
    let p: P = serde_json::from_value(Value::Object(obj.clone())).map_err(|e| {
        // serde names the field for missing ones; for a value it rejects, find which.
        let msg = e.to_string();
        if let Some(f) = msg
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            return ParamError::new(f, None, "required but not given");
        }
        for (k, v) in &obj {
            if let Some(problem) = field_error(&schema, k, v) {
                return ParamError::new(k, Some(text(v)), problem);
            }
        }
        ParamError::new("", None, msg)
    })?;
    p.validate()?;
    Ok(p)
}

/// The error a single field's value causes on its own, found by deserializing the value alone
/// into the field's schema type where it is one of the shared value types.
fn field_error(schema: &Value, k: &str, v: &Value) -> Option<String> {
    let p = schema.get("properties")?.get(k)?;
    let t = resolve(schema, p);
    let title = p
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .unwrap_or_else(|| t.get("title").and_then(Value::as_str).unwrap_or_default());
    let r = match title {
        "Country" => serde_json::from_value::<Country>(v.clone()).err(),
        "Partners" => serde_json::from_value::<Partners>(v.clone()).err(),
        "Years" => serde_json::from_value::<Years>(v.clone()).err(),
        "Periods" => serde_json::from_value::<Periods>(v.clone()).err(),
        _ => None,
    };
    r.map(|e| e.to_string()).or_else(|| {
        // A Country inside an Option has its $ref in anyOf.
        let any = p.get("anyOf").and_then(Value::as_array)?;
        any.iter().find_map(|b| {
            let n = b.get("$ref")?.as_str()?.rsplit('/').next()?;
            match n {
                "Country" => serde_json::from_value::<Country>(v.clone())
                    .err()
                    .map(|e| e.to_string()),
                "Years" => serde_json::from_value::<Years>(v.clone())
                    .err()
                    .map(|e| e.to_string()),
                _ => None,
            }
        })
    })
}

/// Parameters as applied, defaults resolved, as text for provenance: lists joined by `,`,
/// absent options as `none`.
pub fn applied<P: Serialize>(p: &P) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(Value::Object(m)) = serde_json::to_value(p) {
        for (k, v) in m {
            let t = match v {
                Value::Null => "none".to_string(),
                Value::String(s) => s,
                Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(","),
                Value::Object(o) => o
                    .iter()
                    .map(|(a, b)| format!("{a}={}", text(b)))
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            out.insert(k, t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parameter struct with one field of each kind.
    #[derive(Debug, Deserialize, Serialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    struct P {
        /// The state.
        focal: Country,
        /// Others.
        #[serde(default)]
        partners: Partners,
        /// Years.
        #[serde(default)]
        years: Years,
        /// Keep the top N.
        #[schemars(range(min = 1))]
        top: Option<u32>,
        /// A share.
        #[serde(default = "half")]
        #[schemars(range(min = 0.0, max = 1.0))]
        cut: f64,
        /// Which way.
        #[serde(default)]
        direction: crate::FlowDirection,
    }
    fn half() -> f64 {
        0.5
    }
    impl Validate for P {}

    /// Issue 32: values of another JSON type, as R and Python hand them over (`top = TRUE`,
    /// `years = 2010:2014`), are refused naming the parameter.
    #[test]
    fn wrong_json_types_name_the_parameter() {
        let mut r = Map::new();
        r.insert("focal".into(), Value::String("RUS".into()));
        r.insert("top".into(), Value::Bool(true));
        let e = parse::<P>(&r).unwrap_err();
        assert_eq!(
            (e.param.as_str(), e.problem.as_str()),
            ("top", "not an integer")
        );
        r.remove("top");
        r.insert("cut".into(), serde_json::json!([0.1, 0.2]));
        let e = parse::<P>(&r).unwrap_err();
        assert_eq!(
            (e.param.as_str(), e.problem.as_str()),
            ("cut", "not a number")
        );
        r.remove("cut");
        r.insert("years".into(), serde_json::json!([2010, 2011]));
        let e = parse::<P>(&r).unwrap_err();
        assert_eq!(e.param, "years");
        assert!(e.problem.contains("is not a year range"), "{}", e.problem);
    }

    fn raw(kv: &[(&str, &str)]) -> Map<String, Value> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect()
    }

    #[test]
    fn strings_become_typed_values_and_defaults_are_applied() {
        let p: P = parse(&raw(&[
            ("focal", "Russian Federation"),
            ("partners", "CHN, asia"),
            ("years", "1992-2014"),
            ("top", "5"),
        ]))
        .unwrap();
        assert_eq!(p.focal.0, "RUS");
        assert_eq!(p.partners.0[0], "CHN");
        assert!(p.partners.0.len() > 40, "asia expands to its members");
        assert_eq!(p.top, Some(5));
        assert_eq!(p.cut, 0.5);
        let a = applied(&p);
        assert_eq!(a["years"], "1992-2014");
        assert_eq!(a["direction"], "total");
        assert_eq!(a["cut"], "0.5");
        assert_eq!(a["focal"], "RUS");
    }

    #[test]
    fn refusals_name_the_parameter_and_what_is_accepted() {
        let e = parse::<P>(&raw(&[("focal", "RUS"), ("bogus", "1")])).unwrap_err();
        assert_eq!(e.param, "bogus");
        assert!(e.accepted.as_deref().unwrap().contains("top"), "{e}");
        let e = parse::<P>(&raw(&[("focal", "RUS"), ("topp", "1")])).unwrap_err();
        assert!(e.problem.contains("did you mean `top`"), "{e}");
        let e = parse::<P>(&raw(&[("focal", "RUS"), ("top", "abc")])).unwrap_err();
        assert_eq!(
            (e.param.as_str(), e.problem.as_str()),
            ("top", "not an integer")
        );
        let e = parse::<P>(&raw(&[("focal", "RUS"), ("top", "0")])).unwrap_err();
        assert_eq!(e.problem, "out of range");
        assert_eq!(e.accepted.as_deref(), Some("1 or more"));
        let e = parse::<P>(&raw(&[("focal", "RUS"), ("cut", "1.5")])).unwrap_err();
        assert_eq!(e.accepted.as_deref(), Some("0 to 1"));
        let e = parse::<P>(&raw(&[("focal", "RUS"), ("direction", "export")])).unwrap_err();
        assert!(e.problem.contains("did you mean 'exports'"), "{e}");
        assert_eq!(e.accepted.as_deref(), Some("exports, imports, total"));
        let e = parse::<P>(&raw(&[])).unwrap_err();
        assert_eq!(
            (e.param.as_str(), e.problem.as_str()),
            ("focal", "required but not given")
        );
        let e = parse::<P>(&raw(&[("focal", "Atlantis")])).unwrap_err();
        assert_eq!(e.param, "focal");
        assert!(e.problem.contains("unknown country 'Atlantis'"), "{e}");
        let e = parse::<P>(&raw(&[("focal", "RUS"), ("years", "2014-1990")])).unwrap_err();
        assert_eq!(e.param, "years");
    }

    #[test]
    fn docs_come_from_the_schema() {
        let d = param_docs(&schema_of::<P>());
        let by = |n: &str| d.iter().find(|p| p.name == n).unwrap().clone();
        assert!(by("focal").required);
        assert_eq!(by("top").ty, "integer");
        assert_eq!(by("top").minimum, Some(1.0));
        assert_eq!(by("cut").default, Some(Value::from(0.5)));
        assert_eq!(
            by("direction").allowed.unwrap(),
            ["exports", "imports", "total"]
        );
        assert_eq!(by("direction").default, Some(Value::from("total")));
        assert_eq!(by("top").description, "Keep the top N.");
        assert_eq!(by("partners").ty, "array");
        assert_eq!(by("partners").default, Some(Value::from("all")));
    }

    /// Issue 27: `--partners ,,,` was read as every partner; a list naming no state is
    /// refused, while an empty item beside real ones is skipped and `all` means every partner.
    #[test]
    fn partners_naming_no_state_are_refused() {
        let e = Partners::resolve(&["", " ", "", ""]).unwrap_err();
        assert!(e.to_string().starts_with("empty country query"), "{e}");
        assert_eq!(
            Partners::resolve(&["CHN", "", "IND"]).unwrap().codes(),
            ["CHN", "IND"]
        );
        assert!(Partners::resolve(&["all"]).unwrap().is_empty());
    }
}
