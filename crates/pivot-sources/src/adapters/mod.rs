//! The adapters, one file per source format, and the list of bundled datasets.

use std::collections::BTreeMap;

use pivot_vocab::Countries;

use crate::input::Row;
use crate::{DatasetInfo, Input, SourceError, TableSink};

mod aei;
mod agtpa;
mod aiddata;
mod atop;
mod baci;
mod baci_totals;
mod comtrade;
mod countries;
mod cow_trade;
mod energy;
mod events;
mod ideal_points;
mod imf_dots;
mod milex;
mod nmc;
mod sipri;
mod unvotes;
mod worldbank;

pub use baci::{BaciAdapter, parse_baci_line};
pub use imf_dots::{IMF_AGGREGATES, IMF_NOT_SPECIFIED};

/// What an adapter needs besides its input: the country table and a progress callback.
pub struct Ctx<'a> {
    /// Country identity for code resolution.
    pub countries: &'a Countries,
    /// Called with the number of rows just read (for progress bars).
    pub progress: &'a (dyn Fn(u64) + Sync),
}

impl Ctx<'_> {
    /// Resolve a COW code in `col`; returns the ISO3 and whether it went through a continuity
    /// alias (e.g. COW 260 → DEU).
    pub fn cow(&self, row: &Row<'_>, col: &str) -> Result<(String, bool), SourceError> {
        let code = row.i64(col)?;
        let c = u16::try_from(code)
            .ok()
            .and_then(|c| self.countries.by_cow(c));
        match c {
            Some((c, note)) => Ok((c.iso3.clone(), note.is_some() && code != 365)),
            None => Err(row.err(
                col,
                "is not a known COW state code (see pivot country cow:CODE)",
            )),
        }
    }

    /// ISO3 of a name, if it names a country (not an area).
    pub fn name_iso3(&self, name: &str) -> Option<String> {
        self.countries
            .by_name(name)
            .filter(|c| c.kind != pivot_vocab::CountryKind::Area)
            .map(|c| c.iso3.clone())
    }
}

/// What an ingest produced.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    /// Rows per canonical table.
    pub rows: BTreeMap<String, u64>,
    /// Rows deliberately not loaded, with the reason and count ("12 World Bank aggregate rows").
    pub dropped: Vec<String>,
    /// First and last year seen.
    pub years: Option<(i32, i32)>,
    /// Data records read from the inputs (set by the caller with `input::records_read`).
    #[serde(default)]
    pub records: u64,
}

impl Stats {
    /// Record a year.
    pub fn year(&mut self, y: i32) {
        self.years = Some(match self.years {
            None => (y, y),
            Some((a, b)) => (a.min(y), b.max(y)),
        });
    }

    /// Record rows for a table.
    pub fn add(&mut self, table: &str, n: u64) {
        *self.rows.entry(table.to_string()).or_default() += n;
    }

    /// Record dropped rows (only when n > 0).
    pub fn drop_note(&mut self, n: u64, why: &str) {
        if n > 0 {
            self.dropped.push(format!("{n} {why}"));
        }
    }
}

/// A source format.
pub trait Adapter: Send + Sync {
    /// Name used on the command line (`pivot data ingest NAME PATH`).
    fn name(&self) -> &'static str;
    /// One line on the format.
    fn summary(&self) -> &'static str;
    /// The dataset the inputs make (id, citation, licence …).
    fn dataset(&self, inputs: &[Input]) -> DatasetInfo;
    /// Whether users may ingest files with it (`pivot data ingest NAME`). The country table is
    /// pivot's own reference, built from its bundled copy whatever file is given: not.
    fn user_ingest(&self) -> bool {
        true
    }
    /// The `country_year` indicators it writes (so a measure that reads one indicator cites
    /// the dataset it came from, not every dataset with country-year rows).
    fn indicators(&self) -> Vec<&'static str> {
        vec![]
    }
    /// Whether [`Adapter::dataset`] describes the given files themselves (their release read
    /// from their names, as BACI's), rather than the copy bundled with pivot.
    fn describes_inputs(&self) -> bool {
        false
    }
    /// Parse and validate `inputs`, pushing canonical batches into `sink`.
    fn read(
        &self,
        inputs: &[Input],
        ctx: &Ctx<'_>,
        sink: &mut dyn TableSink,
    ) -> Result<Stats, SourceError>;
}

fn all_adapters() -> Vec<Box<dyn Adapter>> {
    vec![
        Box::new(cow_trade::CowTrade),
        Box::new(energy::EiEnergy),
        Box::new(sipri::Sipri),
        Box::new(unvotes::UnVotes),
        Box::new(unvotes::VoetenRaw),
        Box::new(ideal_points::IdealPoints),
        Box::new(nmc::CowNmc),
        Box::new(milex::SipriMilex),
        Box::new(worldbank::WorldBank),
        Box::new(aiddata::AidData),
        Box::new(atop::Atop),
        Box::new(agtpa::Agtpa),
        Box::new(countries::CountriesTable),
        Box::new(BaciAdapter),
        Box::new(baci_totals::BaciTotals),
        Box::new(comtrade::Comtrade),
        Box::new(imf_dots::ImfDots),
        Box::new(aei::AeiTracker),
        Box::new(events::Gdelt),
        Box::new(events::Icews),
    ]
}

/// The adapter for a source name (as `pivot data ingest` takes it).
pub fn adapter_for(name: &str) -> Option<Box<dyn Adapter>> {
    all_adapters().into_iter().find(|a| a.name() == name)
}

/// Every source users can ingest: (name, summary).
pub fn user_sources() -> Vec<(&'static str, &'static str)> {
    all_adapters()
        .iter()
        .filter(|a| a.user_ingest())
        .map(|a| (a.name(), a.summary()))
        .collect()
}

/// The bundled default datasets: adapter name and embedded inputs.
pub fn bundled_datasets() -> Vec<(&'static str, Vec<Input>)> {
    use pivot_bundled as b;
    let i = Input::bundled;
    vec![
        ("countries", vec![]),
        ("cow-trade", vec![i(b::COW_TRADE)]),
        ("ei-energy", vec![i(b::EI_TRADE)]),
        ("sipri", vec![i(b::SIPRI_DELIVERIES), i(b::SIPRI_DYAD_YEAR)]),
        (
            "unvotes",
            vec![i(b::UN_VOTES), i(b::UN_ROLL_CALLS), i(b::UN_ISSUES)],
        ),
        ("cow-nmc", vec![i(b::COW_NMC)]),
        ("sipri-milex", vec![i(b::SIPRI_MILEX)]),
        ("worldbank", vec![i(b::WB_GDP), i(b::WB_POPULATION)]),
        ("aiddata", vec![i(b::AIDDATA_GCDF)]),
        ("atop", vec![i(b::ATOP)]),
        ("agtpa", vec![i(b::AGTPA)]),
        ("imf-dots", vec![i(b::IMF_DOTS)]),
        ("baci-totals", vec![i(b::BACI_TOTALS)]),
        ("bsv-ideal-points", vec![i(b::UNGA_IDEAL_POINTS)]),
    ]
}

/// Helper for dataset descriptions.
#[allow(clippy::too_many_arguments)]
pub(crate) fn info(
    id: &str,
    title: &str,
    source: &str,
    version: &str,
    licence: &str,
    citation: &str,
    bibtex: &str,
    tables: &[&str],
    notes: &[&str],
) -> DatasetInfo {
    DatasetInfo {
        id: id.into(),
        title: title.into(),
        source: source.into(),
        version: version.into(),
        licence: licence.into(),
        citation: citation.into(),
        bibtex: bibtex.into(),
        tables: tables.iter().map(|s| s.to_string()).collect(),
        notes: notes.iter().map(|s| s.to_string()).collect(),
    }
}

/// Error for duplicate keys.
pub(crate) fn duplicate(row: &Row<'_>, col: &str, key: &str) -> SourceError {
    row.err(
        col,
        format!("duplicate key {key}: this row repeats an earlier one"),
    )
}
