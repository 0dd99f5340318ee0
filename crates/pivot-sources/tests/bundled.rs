//! Every bundled dataset ingests without error and yields the row counts and spot values of
//! `data/SOURCES.md`.
//!
//! Provenance of the numbers: "SOURCES.md §N" is the data documentation; "counted from the file"
//! means counted independently of pivot with Python's `csv` module over the same file (the
//! counting rule is given beside each number).

mod common;

use common::{by_table, ingest_bundled};
use pivot_sources::canonical::{
    Alliance, ArmsDyadYear, ArmsTransfer, CountryRow, CountryYear, EnergyFlow, FinanceFlow,
    Product, TradeFlow, UnIssue, UnRollCall, UnVote,
};

#[test]
fn the_bundled_list_names_adapters_that_exist() {
    let list = pivot_sources::bundled_datasets();
    // SOURCES.md's table lists these fourteen datasets (countries is pivot's reference table;
    // BACI totals since issue 29, the BSV ideal points since issue 30).
    assert_eq!(list.len(), 14);
    for (name, _) in &list {
        assert!(
            pivot_sources::adapter_for(name).is_some(),
            "no adapter named {name}"
        );
    }
}

#[test]
fn countries_and_products() {
    let (sink, stats) = ingest_bundled("countries");
    let countries: Vec<CountryRow> = sink.decode("countries");
    // One row per entry of pivot-vocab's table: 250 world-countries entries (SOURCES.md §9) plus
    // pivot's historical entities and areas.
    assert_eq!(
        countries.len(),
        pivot_vocab::Countries::bundled().all().len()
    );
    assert!(countries.len() > 250);
    let rus = countries.iter().find(|c| c.iso3 == "RUS").unwrap();
    // COW 365 is Russia (SOURCES.md §4); ISO numeric 643 (SOURCES.md §6, BACI list).
    assert_eq!(rus.m49, Some(643));
    assert!(rus.cow.as_deref().unwrap().split(',').any(|c| c == "365"));
    // Namibia's ISO2 is the string NA (SOURCES.md §1 caveat), not a missing value.
    assert_eq!(
        countries
            .iter()
            .find(|c| c.iso3 == "NAM")
            .unwrap()
            .iso2
            .as_deref(),
        Some("NA")
    );
    let products: Vec<Product> = sink.decode("products");
    // 5,384 HS2017 6-digit codes (SOURCES.md §6).
    assert_eq!(products.len(), 5_384);
    assert!(
        products
            .iter()
            .all(|p| p.code.len() == 6 && p.code.starts_with(&p.chapter))
    );
    // Live horses are 010121 in HS2017: the leading zero is kept.
    assert!(products.iter().any(|p| p.code == "010121"));
    assert_eq!(stats.rows["products"], 5_384);
}

#[test]
fn cow_dyadic_trade_rows_and_spot_checks() {
    let (sink, stats) = ingest_bundled("cow-trade");
    // 673,654 non-directed rows, each giving two directed flows, minus the 22,937 NA in flow1
    // and 27,896 NA in flow2 (all three SOURCES.md §7): 2 × 673,654 − 22,937 − 27,896.
    // (No West/unified Germany overlap in 1990 here: COW 260's partners 211 and 212 have no
    // 255 row that year, counted from the file.)
    assert_eq!(sink.rows("trade_flows"), 1_296_475);
    assert_eq!(stats.rows["trade_flows"], 1_296_475);
    assert_eq!(stats.years, Some((1870, 2014))); // SOURCES.md §7: years 1870–2014
    let flows: Vec<TradeFlow> = sink.decode("trade_flows");
    let v = |e: &str, i: &str, y: i32| {
        let m: Vec<_> = flows
            .iter()
            .filter(|f| f.exporter == e && f.importer == i && f.year == y)
            .collect();
        assert_eq!(m.len(), 1, "{e}->{i} {y}");
        assert_eq!(m[0].product, "TOTAL");
        m[0].value_usd_m
    };
    // SOURCES.md §7 spot checks, row 365,710 (2014): flow1 = 51,135 = Russia's imports from
    // China; flow2 = 42,807 = China's imports from Russia.
    assert_eq!(v("CHN", "RUS", 2014), 51_135.0);
    assert_eq!(v("RUS", "CHN", 2014), 42_807.0);
    // Row 255,365 (2014): flow1 = 47,470 = Germany's imports from Russia; flow2 = 32,961.
    assert_eq!(v("RUS", "DEU", 2014), 47_470.0);
    assert_eq!(v("DEU", "RUS", 2014), 32_961.0);
    // Russia–China 2000: 951 / 6,166 (Russian imports from China / Chinese imports from Russia).
    assert_eq!(v("CHN", "RUS", 2000), 951.0);
    assert_eq!(v("RUS", "CHN", 2000), 6_166.0);
    // COW 365 is RUS in Soviet years too (SOURCES.md §7: one code 1870–2014).
    assert!(flows.iter().any(|f| f.year == 1980 && f.exporter == "RUS"));
    assert!(
        flows
            .iter()
            .all(|f| f.source == "cow_trade" && f.exporter != f.importer)
    );
}

#[test]
fn energy_institute_trade_movements() {
    let (sink, stats) = ingest_bundled("ei-energy");
    // 9,100 rows (SOURCES.md §8) minus the 1,056 with importer_is_subtotal = 1 (counted from the
    // file), which the adapter drops.
    assert_eq!(sink.rows("energy_flows"), 9_100 - 1_056);
    assert!(
        stats.dropped.iter().any(|d| d.starts_with("1056 ")),
        "{:?}",
        stats.dropped
    );
    let rows: Vec<EnergyFlow> = sink.decode("energy_flows");
    let find = |carrier: &str, importer: &str, y: i32| {
        rows.iter()
            .find(|r| {
                r.exporter == "Russian Federation"
                    && r.importer == importer
                    && r.carrier == carrier
                    && r.year == y
            })
            .unwrap_or_else(|| panic!("{carrier} RUS->{importer} {y}"))
    };
    // SOURCES.md §8 Russia table: crude to China 2023 = 107.02 Mt (file: 107.015401469).
    let c = find("crude_oil", "China", 2023);
    assert!((c.volume - 107.02).abs() < 0.005, "{}", c.volume);
    assert_eq!(c.unit, "million tonnes");
    assert_eq!(c.exporter_iso3.as_deref(), Some("RUS"));
    assert_eq!(c.importer_iso3.as_deref(), Some("CHN"));
    assert!(!c.importer_is_area);
    // Crude to India 2023 = 81.81 Mt; LNG to Japan 2019 = 8.72 bcm (same table).
    assert!((find("crude_oil", "India", 2023).volume - 81.81).abs() < 0.005);
    let lng = find("lng", "Japan", 2019);
    assert!((lng.volume - 8.72).abs() < 0.005);
    assert_eq!(lng.unit, "billion cubic metres");
    // "Europe" in the oil matrix is an area (SOURCES.md §8 caveats): crude 2023 = 32.40 Mt.
    let eu = find("crude_oil", "Europe", 2023);
    assert!(eu.importer_is_area && eu.importer_iso3.is_none());
    assert!((eu.volume - 32.40).abs() < 0.005);
    // Russia's crude row sum 2023 = 240.8 Mt (SOURCES.md §8).
    let crude23: f64 = rows
        .iter()
        .filter(|r| {
            r.exporter == "Russian Federation" && r.carrier == "crude_oil" && r.year == 2023
        })
        .map(|r| r.volume)
        .sum();
    assert!((crude23 - 240.8).abs() < 0.05, "{crude23}");
    // Russian LNG 2023 excluding subtotals = 42.7 bcm (SOURCES.md §8).
    let lng23: f64 = rows
        .iter()
        .filter(|r| r.exporter == "Russian Federation" && r.carrier == "lng" && r.year == 2023)
        .map(|r| r.volume)
        .sum();
    assert!((lng23 - 42.7).abs() < 0.05, "{lng23}");
    // No 2022 (SOURCES.md §8 caveat).
    assert!(rows.iter().all(|r| r.year != 2022));
}

#[test]
fn sipri_arms_transfers_cleaned_tables() {
    let (sink, stats) = ingest_bundled("sipri");
    // 20,480 deal × delivery-year rows and 9,657 dyad-years (SOURCES.md §2).
    assert_eq!(sink.rows("arms_transfers"), 20_480);
    assert_eq!(sink.rows("arms_dyad_year"), 9_657);
    assert_eq!(stats.rows["arms_transfers"], 20_480);
    assert_eq!(stats.years, Some((2000, 2023))); // delivery years 2000–2023 (SOURCES.md §2)
    let deals: Vec<ArmsTransfer> = sink.decode("arms_transfers");
    // 103 suppliers and 207 recipients (SOURCES.md §2).
    let n = |f: fn(&ArmsTransfer) -> &str| {
        deals
            .iter()
            .map(f)
            .collect::<std::collections::HashSet<_>>()
            .len()
    };
    assert_eq!(n(|d| &d.supplier), 103);
    assert_eq!(n(|d| &d.recipient), 207);
    // SIPRI's own spellings resolve (SOURCES.md §2 caveat): Viet Nam, Turkiye, UAE.
    for (name, iso3) in [
        ("Viet Nam", "VNM"),
        ("Turkiye", "TUR"),
        ("UAE", "ARE"),
        ("Russia", "RUS"),
    ] {
        let d = deals
            .iter()
            .find(|d| d.recipient == name || d.supplier == name)
            .unwrap();
        let got = if d.recipient == name {
            &d.recipient_iso3
        } else {
            &d.supplier_iso3
        };
        assert_eq!(got.as_deref(), Some(iso3), "{name}");
    }
    // Organisations keep their name without ISO3 ("African Union**", SOURCES.md §2).
    let au = deals
        .iter()
        .find(|d| d.recipient == "African Union**")
        .unwrap();
    assert!(au.recipient_iso3.is_none());
    let dyads: Vec<ArmsDyadYear> = sink.decode("arms_dyad_year");
    let tiv = |r: &str| -> f64 {
        dyads
            .iter()
            .filter(|d| d.supplier == "Russia" && d.recipient == r)
            .map(|d| d.tiv)
            .sum()
    };
    // Largest Russian recipients 2000–2023 (SOURCES.md §2): India 37.9k, China 32.4k, Algeria
    // 12.4k, Viet Nam 6.7k (rounded to 0.1k, hence ±50).
    assert!((tiv("India") - 37_900.0).abs() < 50.0, "{}", tiv("India"));
    assert!((tiv("China") - 32_400.0).abs() < 50.0, "{}", tiv("China"));
    assert!(
        (tiv("Algeria") - 12_400.0).abs() < 50.0,
        "{}",
        tiv("Algeria")
    );
    assert!(
        (tiv("Viet Nam") - 6_700.0).abs() < 50.0,
        "{}",
        tiv("Viet Nam")
    );
    // The dyad-year table is the deliveries summed by supplier, recipient, year (SOURCES.md §2):
    // the two tables carry the same total TIV.
    let total_deals: f64 = deals.iter().filter_map(|d| d.tiv_delivered).sum();
    let total_dyads: f64 = dyads.iter().map(|d| d.tiv).sum();
    assert!(
        (total_deals - total_dyads).abs() < 1e-6 * total_dyads,
        "{total_deals} vs {total_dyads}"
    );
}

#[test]
fn un_votes_roll_calls_and_issues() {
    let (sink, stats) = ingest_bundled("unvotes");
    // 870,109 votes, 6,203 roll calls, 5,745 issue tags (SOURCES.md §1).
    assert_eq!(sink.rows("un_votes"), 870_109);
    assert_eq!(sink.rows("un_roll_calls"), 6_203);
    assert_eq!(sink.rows("un_issues"), 5_745);
    assert_eq!(stats.rows["un_votes"], 870_109);
    // Dates run from 1946-01-01 to 2020-01-14 (SOURCES.md §1).
    assert_eq!(stats.years, Some((1946, 2020)));
    let calls: Vec<UnRollCall> = sink.decode("un_roll_calls");
    let soviet: std::collections::HashSet<i64> = calls
        .iter()
        .filter(|c| c.year <= 1990)
        .map(|c| c.rcid)
        .collect();
    let votes: Vec<UnVote> = sink.decode("un_votes");
    // Soviet Union votes (1946–1991) are recorded as Russia/RU (SOURCES.md §1): they are RUS,
    // and there is no SUN.
    assert!(
        votes
            .iter()
            .any(|v| v.country == "RUS" && soviet.contains(&v.rcid))
    );
    assert!(votes.iter().all(|v| v.country != "SUN"));
    // 200 countries (SOURCES.md §1); names, not codes, since Yemen Arab Republic and the Federal
    // Republic of Germany have no code. West Germany maps to DEU by continuity, so ISO3s are fewer.
    let names: std::collections::HashSet<&str> =
        votes.iter().map(|v| v.country_name.as_str()).collect();
    assert_eq!(names.len(), 200);
    // Namibia's code is the string NA (SOURCES.md §1).
    assert!(votes.iter().any(|v| v.country == "NAM"));
    assert!(
        votes
            .iter()
            .any(|v| v.country == "YAR" && v.country_name == "Yemen Arab Republic")
    );
    let issues: Vec<UnIssue> = sink.decode("un_issues");
    let shorts: std::collections::BTreeSet<&str> =
        issues.iter().map(|i| i.short_name.as_str()).collect();
    // Six issue codes (SOURCES.md §1).
    assert_eq!(
        shorts.into_iter().collect::<Vec<_>>(),
        ["co", "di", "ec", "hr", "me", "nu"]
    );
}

#[test]
fn cow_nmc_has_cinc_for_russia() {
    let (sink, stats) = ingest_bundled("cow-nmc");
    // 17,121 state-years 1816–2022 (SOURCES.md §4); 116,489 non-empty indicator cells (counted
    // from the file; no −9 left), minus the 7 cells of COW 260 (West Germany) in 1990, dropped
    // because unified Germany (255) has the same year.
    assert_eq!(sink.rows("country_year"), 116_489 - 7);
    assert_eq!(stats.years, Some((1816, 2022)));
    assert!(
        stats
            .dropped
            .iter()
            .any(|d| d.starts_with("1 state-years of COW 260")),
        "{:?}",
        stats.dropped
    );
    let rows: Vec<CountryYear> = sink.decode("country_year");
    let cinc = rows
        .iter()
        .find(|r| r.country == "RUS" && r.year == 2014 && r.indicator == "cinc")
        .unwrap();
    // cow_nmc.csv row ccode 365, year 2014: cinc = 0.039199155.
    assert_eq!(cinc.value, Some(0.039199155));
    // COW 365 in 1950 (USSR) is RUS by continuity (SOURCES.md §4 caveat).
    assert!(
        rows.iter()
            .any(|r| r.country == "RUS" && r.year == 1950 && r.indicator == "cinc")
    );
}

#[test]
fn sipri_milex_spot_checks() {
    let (sink, _) = ingest_bundled("sipri-milex");
    // 52,200 rows (SOURCES.md §12); unavailable cells are kept with a flag and no value.
    assert_eq!(sink.rows("country_year"), 52_200);
    let rows: Vec<CountryYear> = sink.decode("country_year");
    let get = |c: &str, y: i32, ind: &str| {
        rows.iter()
            .find(|r| r.country == c && r.year == y && r.indicator == ind)
            .unwrap_or_else(|| panic!("{c} {y} {ind}"))
    };
    // SOURCES.md §12 spot checks (constant 2022 US$ m, rounded): Russia 2014 = 80,482;
    // Russia 2022 = 102,367* (estimate); USSR 1988 = 326,658*; India 2023 = 83,334.
    let r14 = get("RUS", 2014, "milex_const2022_usd_m");
    assert_eq!(r14.value.unwrap().round(), 80_482.0);
    assert!(r14.flag.is_none());
    let r22 = get("RUS", 2022, "milex_const2022_usd_m");
    assert_eq!(r22.value.unwrap().round(), 102_367.0);
    assert_eq!(r22.flag.as_deref(), Some("estimate"));
    let su = get("SUN", 1988, "milex_const2022_usd_m");
    assert_eq!(su.value.unwrap().round(), 326_658.0);
    assert_eq!(
        get("IND", 2023, "milex_const2022_usd_m")
            .value
            .unwrap()
            .round(),
        83_334.0
    );
    // Russia's share of GDP 2014 = 4.11% (a fraction in the file).
    assert!((get("RUS", 2014, "milex_share_gdp").value.unwrap() - 0.0411).abs() < 0.00005);
    // Russia 1991 is missing for both USSR and Russia (SOURCES.md §12): unavailable, no value.
    let r91 = get("RUS", 1991, "milex_const2022_usd_m");
    assert!(r91.value.is_none() && r91.flag.is_some());
}

#[test]
fn world_bank_gdp_and_population() {
    let (sink, stats) = ingest_bundled("worldbank");
    let rows: Vec<CountryYear> = sink.decode("country_year");
    // Counted from the files: GDP has 13,979 rows (SOURCES.md §5) of which 2,833 are aggregates
    // (the adapter's WB_AGGREGATES list) and 11,146 of the rest carry a value, 17 of them the
    // Channel Islands (CHI, no ISO3); population has 17,195 rows, 3,120 aggregates, 14,075
    // values, 65 of them CHI.
    assert_eq!(
        rows.iter().filter(|r| r.indicator == "gdp_usd").count(),
        11_146 - 17
    );
    assert_eq!(
        rows.iter().filter(|r| r.indicator == "population").count(),
        14_075 - 65
    );
    assert!(
        stats
            .dropped
            .iter()
            .any(|d| d.starts_with(&format!("{} ", 2_833 + 3_120))),
        "{:?}",
        stats.dropped
    );
    assert!(
        stats
            .dropped
            .iter()
            .any(|d| d.starts_with(&format!("{} ", 17 + 65))),
        "{:?}",
        stats.dropped
    );
    // gdp_current_usd.csv row RUS 2014: 2059241589895.015; population.csv: 144237223.
    let g = rows
        .iter()
        .find(|r| r.country == "RUS" && r.year == 2014 && r.indicator == "gdp_usd")
        .unwrap();
    assert_eq!(g.value, Some(2_059_241_589_895.015));
    let p = rows
        .iter()
        .find(|r| r.country == "RUS" && r.year == 2014 && r.indicator == "population")
        .unwrap();
    assert_eq!(p.value, Some(144_237_223.0));
    assert!(rows.iter().all(|r| r.country != "WLD"));
}

#[test]
fn aiddata_russia() {
    let (sink, _) = ingest_bundled("aiddata");
    let rows: Vec<FinanceFlow> = sink.decode("finance_flows");
    // 2,458 recipient-years (SOURCES.md §11) give 3,172 (recipient, year, class) rows with a
    // non-zero amount or adjusted amount (counted from the file).
    assert_eq!(rows.len(), 3_172);
    let ru: Vec<&FinanceFlow> = rows.iter().filter(|r| r.recipient == "RUS").collect();
    // Russia: 20 recipient-years (SOURCES.md §11).
    let years: std::collections::BTreeSet<i32> = ru.iter().map(|r| r.year).collect();
    assert_eq!(years.len(), 20);
    // Commitments total US$ 169.6 bn constant 2021 (SOURCES.md §11): OOF-like 167.4 bn, vague
    // 2.2 bn, no ODA-like.
    let sum = |class: Option<&str>| -> f64 {
        ru.iter()
            .filter(|r| class.is_none_or(|c| r.flow_class == c))
            .map(|r| r.amount)
            .sum::<f64>()
            / 1e9
    };
    assert!((sum(None) - 169.6).abs() < 0.05, "{}", sum(None));
    assert!((sum(Some("oof_like")) - 167.4).abs() < 0.05);
    assert!((sum(Some("vague")) - 2.2).abs() < 0.05);
    assert_eq!(sum(Some("oda_like")), 0.0);
    // Adjusted amounts total 169.3 bn (SOURCES.md §11).
    let adj: f64 = ru.iter().filter_map(|r| r.amount_adjusted).sum::<f64>() / 1e9;
    assert!((adj - 169.3).abs() < 0.05, "{adj}");
    // Peak year 2013: US$ 43.3 bn (SOURCES.md §11).
    let y13: f64 = ru
        .iter()
        .filter(|r| r.year == 2013)
        .map(|r| r.amount)
        .sum::<f64>()
        / 1e9;
    assert!((y13 - 43.3).abs() < 0.05, "{y13}");
    assert!(
        rows.iter()
            .all(|r| r.lender == "CHN" && r.unit == "constant 2021 USD")
    );
}

#[test]
fn atop_undirected_dyad_years() {
    let (sink, stats) = ingest_bundled("atop");
    // 273,296 directed rows, each pair in both orders: 136,648 undirected dyad-years
    // (SOURCES.md §4).
    assert_eq!(sink.rows("alliances"), 136_648);
    assert_eq!(stats.years, Some((1815, 2018))); // SOURCES.md §4: 1815 to 2018
    let rows: Vec<Alliance> = sink.decode("alliances");
    assert!(rows.iter().all(|a| a.cow_a < a.cow_b));
    // 650 dyad-years whose two directed rows differ (asymmetric obligations; counted from the
    // file by comparing each row with its mirror) are merged, not refused.
    assert!(
        stats
            .dropped
            .iter()
            .any(|d| d.starts_with("650 dyad-years")),
        "{:?}",
        stats.dropped
    );
    // The US–Japan treaty: counted from the file, 2→740 has atop_defense = 1 in 1960 while
    // 740→2 does not; the undirected row carries the defence obligation.
    let usjp = rows
        .iter()
        .find(|a| a.cow_a == 2 && a.cow_b == 740 && a.year == 1960)
        .unwrap();
    assert!(usjp.defense);
}

#[test]
fn agtpa_panel() {
    let (sink, stats) = ingest_bundled("agtpa");
    // 99,981 rows, 69 countries, 1986–2006 (SOURCES.md §3).
    assert_eq!(sink.rows("agtpa_gravity"), 99_981);
    assert_eq!(stats.years, Some((1986, 2006)));
    let t = by_table(&sink);
    assert_eq!(t, vec!["agtpa_gravity".to_string()]);
    let rows: Vec<pivot_sources::canonical::AgtpaRow> = sink.decode("agtpa_gravity");
    let ex: std::collections::HashSet<&str> = rows.iter().map(|r| r.exporter.as_str()).collect();
    assert_eq!(ex.len(), 69);
    // ROM (not ROU) is Romania, kept in the book's own code (SOURCES.md §3).
    assert!(ex.contains("ROM"));
    // Russia is not among the 69 (SOURCES.md §3).
    assert!(!ex.contains("RUS"));
}

#[test]
fn imf_dots_exports_rows_and_spot_checks() {
    let (_, inputs) = pivot_sources::bundled_datasets()
        .into_iter()
        .find(|(n, _)| *n == "imf-dots")
        .expect("imf-dots is bundled");
    let ((sink, stats), records) =
        pivot_sources::input::records_read(|| common::run("imf-dots", &inputs).unwrap());
    // 32,255 rows (SOURCES.md §13): the manifest's "records" are the publisher's rows.
    assert_eq!(records, 32_255);
    // Counted from the file with Python's csv module (keeping `NA` as text): 8,125 rows have an
    // IMF aggregate (SOURCES.md §13 list) as reporter or partner; 104 more have the partner `_X`
    // ("countries and areas not specified", which SOURCES.md's 24,130 "country pairs" counts as
    // a pair); the other 24,026 rows are country pairs, each giving one flow for 2019 and one for
    // 2020. 8,125 + 104 + 24,026 = 32,255.
    assert_eq!(sink.rows("trade_flows"), 2 * 24_026);
    assert_eq!(stats.rows["trade_flows"], 48_052);
    assert!(
        stats
            .dropped
            .iter()
            .any(|d| d.starts_with("8125 rows with an IMF aggregate")),
        "{:?}",
        stats.dropped
    );
    assert!(
        stats
            .dropped
            .iter()
            .any(|d| d.starts_with("104 rows with partner _X")),
        "{:?}",
        stats.dropped
    );
    assert_eq!(stats.years, Some((2019, 2020)));
    let flows: Vec<TradeFlow> = sink.decode("trade_flows");
    assert!(flows.iter().all(|f| f.product == "TOTAL"
        && f.source == "imf_dots"
        && f.basis == "exporter-reported"
        && f.quantity_t.is_none()
        && f.exporter != f.importer));
    for year in [2019, 2020] {
        let n = flows.iter().filter(|f| f.year == year).count();
        assert_eq!(n, 24_026, "{year}");
        // Zeros are kept as written: 3,922 of the 2019 cells and 4,117 of the 2020 cells of the
        // country pairs are 0.0 (counted from the file).
        let zeros = flows
            .iter()
            .filter(|f| f.year == year && f.value_usd_m == 0.0)
            .count();
        assert_eq!(zeros, if year == 2019 { 3_922 } else { 4_117 }, "{year}");
        // 210 reporting economies (SOURCES.md §13), every one with flows in both years; 211
        // partners (the 210 and Taiwan, which the IMF lists as a partner only; counted from the
        // file).
        let ex: std::collections::HashSet<&str> = flows
            .iter()
            .filter(|f| f.year == year)
            .map(|f| f.exporter.as_str())
            .collect();
        let im: std::collections::HashSet<&str> = flows
            .iter()
            .filter(|f| f.year == year)
            .map(|f| f.importer.as_str())
            .collect();
        assert_eq!(ex.len(), 210, "{year}");
        assert_eq!(im.len(), 211, "{year}");
        assert!(im.contains("TWN") && !ex.contains("TWN"));
    }
    // No aggregate reaches the flows: every code is a pivot country, never an area.
    let countries = pivot_vocab::Countries::bundled();
    for f in &flows {
        for c in [&f.exporter, &f.importer] {
            let row = countries.by_iso3(c).unwrap_or_else(|| panic!("{c}"));
            assert_ne!(row.kind, pivot_vocab::CountryKind::Area, "{c}");
            assert!(!pivot_sources::adapters::IMF_AGGREGATES.contains(&c.as_str()));
        }
    }
    let v = |e: &str, i: &str, y: i32| {
        let m: Vec<_> = flows
            .iter()
            .filter(|f| f.exporter == e && f.importer == i && f.year == y)
            .collect();
        assert_eq!(m.len(), 1, "{e}->{i} {y}");
        m[0].value_usd_m
    };
    // SOURCES.md §13 spot checks, million current US$, exporter-reported.
    assert_eq!(v("RUS", "CHN", 2019), 54_937.5);
    assert_eq!(v("RUS", "CHN", 2020), 49_583.1);
    assert_eq!(v("CHN", "RUS", 2019), 49_484.5);
    assert_eq!(v("CHN", "RUS", 2020), 50_608.4);
    assert_eq!(v("RUS", "DEU", 2019), 27_854.7);
    assert_eq!(v("RUS", "DEU", 2020), 18_638.4);
    assert_eq!(v("RUS", "IND", 2019), 7_237.3);
    assert_eq!(v("RUS", "IND", 2020), 5_958.0);
    // Namibia is the string NA (SOURCES.md §13), not a missing value: file row "7,NA,CN,1499.3,
    // 1910.8" (reporter Namibia) and "54,AO,NA,4.0,1.3" (Angola's exports to Namibia).
    assert_eq!(v("NAM", "CHN", 2019), 1_499.3);
    assert_eq!(v("AGO", "NAM", 2020), 1.3);
    // Russia's exports to the world (W00, dropped) are 419,731.7 in 2019 (SOURCES.md §13); its
    // country pairs sum to 418,945.5 and `_X` is 680.8, leaving 105.4 in no country row
    // (counted from the file).
    let ru19: f64 = flows
        .iter()
        .filter(|f| f.exporter == "RUS" && f.year == 2019)
        .map(|f| f.value_usd_m)
        .sum();
    assert!((ru19 - 418_945.5).abs() < 0.05, "{ru19}");
    // The same file given as a user's download (`pivot data ingest imf-dots PATH`) reads the same.
    let (user, _) = common::run(
        "imf-dots",
        &[common::repo_data(
            "imf_dots/imf_dots_exports_2019_2020.csv.gz",
        )],
    )
    .unwrap();
    assert_eq!(user.rows("trade_flows"), 48_052);
}

#[test]
fn baci_totals_rows_and_spot_checks() {
    let (_, inputs) = pivot_sources::bundled_datasets()
        .into_iter()
        .find(|(n, _)| *n == "baci-totals")
        .expect("baci-totals is bundled");
    let ((sink, stats), records) =
        pivot_sources::input::records_read(|| common::run("baci-totals", &inputs).unwrap());
    // SOURCES.md §15: 383,070 rows, 2012-2023, one flow each (no drops, no self-flows).
    assert_eq!(records, 383_070);
    assert_eq!(stats.rows["trade_flows"], 383_070);
    assert!(stats.dropped.is_empty(), "{:?}", stats.dropped);
    assert_eq!(stats.years, Some((2012, 2023)));
    let flows: Vec<TradeFlow> = sink.decode("trade_flows");
    assert!(flows.iter().all(|f| f.product == "TOTAL"
        && f.source == "baci_totals"
        && f.basis == "reconciled"
        && f.quantity_t.is_none()
        && f.exporter != f.importer));
    // Rows per year and exporters per year, counted from the file with Python's csv module.
    let per_year = |y: i32| flows.iter().filter(|f| f.year == y).count();
    assert_eq!(per_year(2012), 31_365);
    assert_eq!(per_year(2021), 32_569);
    assert_eq!(per_year(2023), 30_856);
    let ex23: std::collections::HashSet<&str> = flows
        .iter()
        .filter(|f| f.year == 2023)
        .map(|f| f.exporter.as_str())
        .collect();
    assert_eq!(ex23.len(), 226);
    let v = |e: &str, i: &str, y: i32| {
        let m: Vec<_> = flows
            .iter()
            .filter(|f| f.exporter == e && f.importer == i && f.year == y)
            .collect();
        assert_eq!(m.len(), 1, "{e}->{i} {y}");
        m[0].value_usd_m
    };
    // File rows (thousand USD) ÷ 1,000: "2023,643,156,129002538.475" (SOURCES.md §15: Russia
    // → China 2023 129.0 bn), "2023,156,643,110013940.831", Russia → India (699, BACI's code)
    // 2021/2022/2023 7.9 / 40.4 / 66.1 bn, Russia ↔ Belarus 2021, and the file's first row.
    let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    close(v("RUS", "CHN", 2023), 129_002.538_475);
    close(v("CHN", "RUS", 2023), 110_013.940_831);
    close(v("RUS", "IND", 2021), 7_884.090_289);
    close(v("RUS", "IND", 2022), 40_381.974_753);
    close(v("RUS", "IND", 2023), 66_149.331_878);
    close(v("RUS", "BLR", 2021), 20_643.053_517);
    close(v("BLR", "RUS", 2021), 15_855.181_663);
    close(v("AFG", "ALB", 2012), 0.002_854);
    // Caveat of §15: Russia–Belarus is absent from 2022 (no report in the release).
    assert!(!flows.iter().any(|f| f.year >= 2022
        && [&f.exporter, &f.importer] == [&"RUS".to_string(), &"BLR".to_string()]));
    // World total 2023: 22.6 trillion USD (§15; 22,603 bn summed with Python).
    let world: f64 = flows
        .iter()
        .filter(|f| f.year == 2023)
        .map(|f| f.value_usd_m)
        .sum();
    assert!((world / 1e6 - 22.603).abs() < 0.001, "{world}");
    // BACI's own codes: 490 "Other Asia, nes" is Taiwan, 251 France, 757 Switzerland, 842
    // the USA, and 380 (Italy, ISO numeric in this release) resolves too.
    for iso in ["TWN", "FRA", "CHE", "USA", "ITA"] {
        assert!(flows.iter().any(|f| f.exporter == iso), "{iso}");
    }
}

#[test]
fn bsv_ideal_points_rows_and_spot_checks() {
    use pivot_sources::canonical::IdealPoint;
    let (_, inputs) = pivot_sources::bundled_datasets()
        .into_iter()
        .find(|(n, _)| *n == "bsv-ideal-points")
        .expect("bsv-ideal-points is bundled");
    let ((sink, stats), records) =
        pivot_sources::input::records_read(|| common::run("bsv-ideal-points", &inputs).unwrap());
    // SOURCES.md §14: 11,440 rows, one per state and year. Estimates counted with Python's csv
    // module: all 11,232 (208 empty), fp 11,421 (19 empty), legacy 11,238 (202 empty); the
    // German Federal Republic's 1990 row (COW 260, a continuity alias of DEU; only
    // idealpointlegacy 1.894994 in it) gives way to Germany's (255): one legacy row fewer.
    assert_eq!(records, 11_440);
    let rows: Vec<IdealPoint> = sink.decode("un_ideal_points");
    let n = |s: &str| rows.iter().filter(|r| r.series == s).count();
    assert_eq!(
        (n("all"), n("fp"), n("legacy")),
        (11_232, 11_421, 11_238 - 1)
    );
    assert_eq!(stats.rows["un_ideal_points"], rows.len() as u64);
    assert_eq!(stats.years, Some((1946, 2024)));
    assert!(
        stats
            .dropped
            .iter()
            .any(|d| d.starts_with("1 state-years given both")),
        "{:?}",
        stats.dropped
    );
    let get = |c: &str, y: i32, s: &str| {
        let m: Vec<&IdealPoint> = rows
            .iter()
            .filter(|r| r.country == c && r.year == y && r.series == s)
            .collect();
        assert_eq!(m.len(), 1, "{c} {y} {s}");
        m[0].clone()
    };
    // SOURCES.md §14 spot checks (idealpointall): RUS 2019 / 2022 / 2023 −0.283 / −1.414 /
    // −1.272; CHN −0.660 / −1.408 / −1.203; USA 2022 2.115; BLR 2022 −1.398.
    for (c, y, v) in [
        ("RUS", 2019, -0.282_544_4),
        ("RUS", 2022, -1.413_724),
        ("RUS", 2023, -1.272_414),
        ("CHN", 2019, -0.659_514_2),
        ("CHN", 2022, -1.407_901),
        ("USA", 2022, 2.114_955),
        ("BLR", 2022, -1.398),
    ] {
        assert!((get(c, y, "all").estimate - v).abs() < 5e-4, "{c} {y}");
    }
    // The file's row for Russia 2022: q5all −1.541091, q50all −1.415651, q95all −1.288314,
    // nvotesall 194; 2024 has fp only (−0.5984852).
    let r = get("RUS", 2022, "all");
    assert_eq!(
        (r.q5, r.q50, r.q95, r.n_votes),
        (
            Some(-1.541_091),
            Some(-1.415_651),
            Some(-1.288_314),
            Some(194)
        )
    );
    assert!(rows.iter().all(|r| r.year < 2024 || r.series == "fp"));
    assert_eq!(get("RUS", 2024, "fp").estimate, -0.598_485_2);
    // Germany 1990 is the row of COW 255 (idealpointall 1.913871), not 260's.
    assert_eq!(get("DEU", 1990, "all").estimate, 1.913_871);
    // Legacy has no quantiles.
    assert!(
        rows.iter()
            .filter(|r| r.series == "legacy")
            .all(|r| r.q5.is_none())
    );
}
