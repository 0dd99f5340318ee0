//! What a dataset is: id, publisher, version, licence, citation — recorded in the store's
//! manifest and printed by `pivot data list` and `pivot data cite`.

use pivot_vocab::DatasetRef;

/// Static description of a dataset an adapter produces.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DatasetInfo {
    /// Stable id (`cow_trade`, `un_votes`, `baci`, …).
    pub id: String,
    /// Human title.
    pub title: String,
    /// Publisher.
    pub source: String,
    /// Version or release.
    pub version: String,
    /// Licence as understood (marked "not verified" where the publisher's terms were not checked).
    pub licence: String,
    /// Plain-text citation.
    pub citation: String,
    /// BibTeX entry.
    pub bibtex: String,
    /// Canonical tables it fills.
    pub tables: Vec<String>,
    /// Units and caveats a reader must know.
    pub notes: Vec<String>,
}

impl DatasetInfo {
    /// The reference carried in provenance.
    pub fn to_ref(&self, checksum: &str) -> DatasetRef {
        DatasetRef {
            id: self.id.clone(),
            version: self.version.clone(),
            source: self.source.clone(),
            licence: self.licence.clone(),
            citation: self.citation.clone(),
            checksum: checksum.to_string(),
        }
    }
}
