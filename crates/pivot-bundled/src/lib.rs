//! The bundled default data of pivot, embedded in the binary so that `pivot` works offline on a
//! fresh machine with no data directory.
//!
//! Every file here is a byte-for-byte gzip of a file in the repository's `data/` folder, itself
//! copied from the project's shared data with its provenance in `data/SOURCES.md`. This crate only
//! holds bytes: parsing lives in `pivot-sources`, country identity in `pivot-vocab`.
//!
//! Keeping the bytes in their own crate means that editing any other crate never re-embeds them.

/// One embedded file: its path under the repository's `data/` folder and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct BundledFile {
    /// Path relative to the repository's `data/` folder, e.g. `un_votes/un_votes.csv.gz`.
    pub path: &'static str,
    /// The file's bytes exactly as committed (gzip where the path ends in `.gz`).
    pub bytes: &'static [u8],
}

macro_rules! bundled {
    ($($name:ident => $path:literal),* $(,)?) => {
        $(
            #[doc = concat!("`data/", $path, "`")]
            pub const $name: BundledFile = BundledFile {
                path: $path,
                bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/", $path)),
            };
        )*
        /// Every embedded file, in a fixed order.
        pub const ALL: &[BundledFile] = &[$($name),*];
    };
}

bundled! {
    WORLD_COUNTRIES => "world_countries/countries.json.gz",
    COW_STATES => "peacesciencer_cow/cow_states.csv.gz",
    GW_STATES => "peacesciencer_cow/gw_states.csv.gz",
    BACI_COUNTRY_CODES => "concordances/baci_country_codes_v202201.csv.gz",
    HS17_PRODUCT_CODES => "concordances/hs17_product_codes_baci_v202201_with_bec.csv.gz",
    PIVOT_ENTITIES => "concordances/pivot_entities.csv",
    PIVOT_ALIASES => "concordances/pivot_aliases.csv",
    COW_TRADE => "cow_dyadic_trade/cow_trade_ndy_v4.csv.gz",
    EI_TRADE => "energy_institute_trade_movements/energy_trade_movements_2019_2021_2023.csv.gz",
    SIPRI_DELIVERIES => "sipri_arms_transfers/sipri_transfers_deliveries_2000_2023.csv.gz",
    SIPRI_DYAD_YEAR => "sipri_arms_transfers/sipri_tiv_dyad_year_2000_2023.csv.gz",
    SIPRI_RAW => "sipri_arms_transfers/raw/sipri_trade_register_download_2025-01-03.csv.gz",
    SIPRI_MILEX => "sipri_milex/sipri_milex_1948_2023_long.csv.gz",
    UN_VOTES => "un_votes/un_votes.csv.gz",
    UN_ROLL_CALLS => "un_votes/un_roll_calls.csv.gz",
    UN_ISSUES => "un_votes/un_roll_call_issues.csv.gz",
    COW_NMC => "peacesciencer_cow/cow_nmc.csv.gz",
    ATOP => "peacesciencer_cow/atop_alliance.csv.gz",
    WB_GDP => "worldbank_gdp_population/gdp_current_usd.csv.gz",
    WB_POPULATION => "worldbank_gdp_population/population.csv.gz",
    AIDDATA_GCDF => "aiddata_gcdf/gcdf3_country_year_cow.csv.gz",
    AGTPA => "agtpa_gravity/agtpa_applications.csv.gz",
    IMF_DOTS => "imf_dots/imf_dots_exports_2019_2020.csv.gz",
    BACI_TOTALS => "baci_dyad_totals/baci_dyad_totals_2012_2023.csv.gz",
    UNGA_IDEAL_POINTS => "unga_ideal_points/bsv_idealpoints_july2025.csv.gz",
}

/// Look up an embedded file by its path under `data/`.
pub fn get(path: &str) -> Option<BundledFile> {
    ALL.iter().copied().find(|f| f.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gz_file_starts_with_the_gzip_magic() {
        for f in ALL {
            if f.path.ends_with(".gz") {
                assert_eq!(&f.bytes[..2], &[0x1f, 0x8b], "{} is not gzip", f.path);
            }
        }
    }

    #[test]
    fn lookup_by_path() {
        assert_eq!(get("un_votes/un_votes.csv.gz").unwrap().path, UN_VOTES.path);
        assert!(get("nope.csv").is_none());
    }
}
