//! The vocabulary every other pivot crate speaks: who a country is ([`Countries`], resolved once
//! from names or any code), named partner sets ([`regions`]), year ranges ([`YearRange`]) and
//! the provenance that travels with every number ([`Provenance`]).
//!
//! Nothing here does I/O beyond reading the bytes embedded by `pivot-bundled`.

pub mod country;
pub mod provenance;
pub mod regions;
pub mod verdict;
pub mod years;

pub use country::{Countries, Country, CountryKind, ResolveError, Resolved, Scheme};
pub use provenance::{DatasetRef, Provenance};
pub use verdict::Verdict;
pub use years::{YearRange, YearRangeError, year_runs};
