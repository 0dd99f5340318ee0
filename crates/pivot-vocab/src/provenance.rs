//! Provenance: the datasets (with versions and citations), the method and the parameters behind
//! a number. Every result pivot prints carries one, and can print it as a citation.

use std::collections::BTreeMap;
use std::fmt;

/// A dataset as recorded in the store's manifest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DatasetRef {
    /// Stable id, e.g. `cow_trade`.
    pub id: String,
    /// Version or release of the source, e.g. `v4.0`.
    pub version: String,
    /// Who publishes it.
    pub source: String,
    /// Licence as understood (with "not verified" where the publisher's terms were not checked).
    pub licence: String,
    /// Full citation in plain text.
    pub citation: String,
    /// SHA-256 of the stored Parquet files (hex, combined), so a result names exact data.
    #[serde(default)]
    pub checksum: String,
}

/// Where a result came from.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Provenance {
    /// The measure or procedure (registry name, e.g. `partner-share`).
    pub method: String,
    /// Parameters as given (focal, partners, years, thresholds …), sorted by name.
    pub parameters: BTreeMap<String, String>,
    /// Datasets read.
    pub datasets: Vec<DatasetRef>,
    /// Caveats a reader must know (units, coverage, continuity).
    pub notes: Vec<String>,
    /// pivot version that computed it.
    pub pivot_version: String,
}

impl Provenance {
    /// A provenance for `method` with no datasets yet.
    pub fn new(method: impl Into<String>) -> Provenance {
        Provenance {
            method: method.into(),
            pivot_version: env!("CARGO_PKG_VERSION").to_string(),
            ..Default::default()
        }
    }

    /// Add a parameter.
    pub fn param(mut self, k: impl Into<String>, v: impl ToString) -> Provenance {
        self.parameters.insert(k.into(), v.to_string());
        self
    }

    /// Add a dataset (once).
    pub fn dataset(mut self, d: DatasetRef) -> Provenance {
        if !self.datasets.iter().any(|x| x.id == d.id) {
            self.datasets.push(d);
        }
        self
    }

    /// Add a note.
    pub fn note(mut self, n: impl Into<String>) -> Provenance {
        self.notes.push(n.into());
        self
    }

    /// Merge another provenance's datasets and notes into this one.
    pub fn merge(&mut self, other: &Provenance) {
        for d in &other.datasets {
            if !self.datasets.iter().any(|x| x.id == d.id) {
                self.datasets.push(d.clone());
            }
        }
        for n in &other.notes {
            if !self.notes.contains(n) {
                self.notes.push(n.clone());
            }
        }
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Method: {} (pivot {})", self.method, self.pivot_version)?;
        if !self.parameters.is_empty() {
            let p: Vec<String> = self
                .parameters
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            write!(f, "; parameters: {}", p.join(", "))?;
        }
        for d in &self.datasets {
            write!(
                f,
                "\nSource: {} {} — {} [{}]",
                d.id, d.version, d.citation, d.licence
            )?;
        }
        for n in &self.notes {
            write!(f, "\nNote: {n}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_method_params_sources_and_notes() {
        let p = Provenance::new("partner-share")
            .param("focal", "RUS")
            .dataset(DatasetRef {
                id: "cow_trade".into(),
                version: "v4.0".into(),
                source: "COW".into(),
                licence: "free with citation".into(),
                citation: "Barbieri and Keshk 2016".into(),
                checksum: String::new(),
            })
            .note("million current USD");
        let s = p.to_string();
        assert!(s.starts_with("Method: partner-share"));
        assert!(s.contains("focal=RUS"));
        assert!(s.contains("Source: cow_trade v4.0 — Barbieri and Keshk 2016"));
        assert!(s.ends_with("Note: million current USD"));
    }
}
