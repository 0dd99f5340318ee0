//! The formats users bring themselves (BACI, UN Comtrade, the AEI tracker, GDELT, ICEWS, Voeten's
//! raw votes, the World Bank WDI download), on hand-written fixtures in their published layouts
//! (`tests/fixtures/`). Every expected number is hand-computed from the fixture line cited.

mod common;

use common::{Dir, fixture, repo_data, run};
use pivot_sources::canonical::{CountryYear, Event, FinanceFlow, TradeFlow, UnVote};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

// ---------------------------------------------------------------- BACI

#[test]
fn baci_converts_units_keeps_leading_zeros_and_partitions_by_year() {
    let (sink, stats) = run(
        "baci",
        &[
            fixture("country_codes_V202301.csv"),
            fixture("BACI_HS17_Y2021_V202301.csv"),
        ],
    )
    .unwrap();
    let rows: Vec<TradeFlow> = sink.decode("trade_flows");
    assert_eq!(rows.len(), 5); // five data lines
    assert_eq!(stats.years, Some((2021, 2021)));
    // Every batch goes to partition "2021" (the file's year): the rows and both roll-ups.
    assert!(sink.batches.iter().all(|(t, part, _)| {
        ["trade_flows", "trade_dyad_year", "trade_dyad_hs2"].contains(&t.as_str())
            && part.as_deref() == Some("2021")
    }));
    // Line 2: 2021,4,8,010121,12.5,  → AFG→ALB, 12.5 thousand USD = 0.0125 million, q blank.
    let r = &rows[0];
    assert_eq!(
        (r.exporter.as_str(), r.importer.as_str(), r.product.as_str()),
        ("AFG", "ALB", "010121")
    );
    assert!(close(r.value_usd_m, 0.0125));
    assert_eq!(r.quantity_t, None);
    assert_eq!(
        (r.source.as_str(), r.basis.as_str()),
        ("baci", "reconciled")
    );
    // Line 3: 643→156 crude 270900, 74,262,345.123 thousand USD = 74,262.345123 million;
    // q = 493,214,567.25 t.
    let r = &rows[1];
    assert_eq!(
        (r.exporter.as_str(), r.importer.as_str(), r.product.as_str()),
        ("RUS", "CHN", "270900")
    );
    assert!(close(r.value_usd_m, 74_262.345_123), "{}", r.value_usd_m);
    assert_eq!(r.quantity_t, Some(493_214_567.25));
    // Line 4: 156→643 phones 851712, 9,856.004 thousand = 9.856004 million, 120.3 t.
    assert!(close(rows[2].value_usd_m, 9.856_004));
    assert_eq!(rows[2].quantity_t, Some(120.3));
    // Line 5: k written as a number, 10121: left-padded to 010121. 842 is USA (BACI's code).
    assert_eq!(
        (rows[3].exporter.as_str(), rows[3].product.as_str()),
        ("USA", "010121")
    );
    assert!(close(rows[3].value_usd_m, 0.0032));
    // Line 6: 699 is BACI's India code (country_codes file): 1,250 thousand = 1.25 million.
    assert_eq!(rows[4].exporter, "IND");
    assert!(close(rows[4].value_usd_m, 1.25));
    // Roll-ups: five lines, five distinct dyads, sorted by exporter then importer.
    // AFG→ALB 0.0125; CHN→RUS 9.856004; IND→RUS 1.25; RUS→CHN 74,262.345123; USA→RUS 0.0032.
    let dyads: Vec<pivot_sources::canonical::TradeDyadYear> = sink.decode("trade_dyad_year");
    let got: Vec<(&str, &str, i64)> = dyads
        .iter()
        .map(|d| (d.exporter.as_str(), d.importer.as_str(), d.products))
        .collect();
    assert_eq!(
        got,
        [
            ("AFG", "ALB", 1),
            ("CHN", "RUS", 1),
            ("IND", "RUS", 1),
            ("RUS", "CHN", 1),
            ("USA", "RUS", 1)
        ]
    );
    assert!(close(dyads[3].value_usd_m, 74_262.345_123));
    // Chapters: 010121 → 01, 270900 → 27, 851712 → 85, 300490 → 30.
    let hs2: Vec<pivot_sources::canonical::TradeDyadHs2> = sink.decode("trade_dyad_hs2");
    let ch: Vec<&str> = hs2.iter().map(|h| h.hs2.as_str()).collect();
    assert_eq!(ch, ["01", "85", "30", "27", "01"]);
}

#[test]
fn baci_without_a_code_list_uses_the_bundled_one_and_accepts_the_real_list() {
    // The bundled V202201 code list resolves 699 (India) and 842 (USA) too.
    let (sink, _) = run("baci", &[fixture("BACI_HS17_Y2021_V202301.csv")]).unwrap();
    let rows: Vec<TradeFlow> = sink.decode("trade_flows");
    assert_eq!(rows[4].exporter, "IND");
    // The real V202201 code list (238 rows, SOURCES.md §6; three of them with no ISO3: 490,
    // 697, 849) is accepted as the code-list input.
    let (sink, _) = run(
        "baci",
        &[
            repo_data("concordances/baci_country_codes_v202201.csv.gz"),
            fixture("BACI_HS17_Y2021_V202301.csv"),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sink.rows("trade_flows"), 5);
}

#[test]
fn baci_newer_code_list_layout_is_accepted() {
    // Releases from V202401 name the columns country_code,country_name,country_iso2,country_iso3.
    let dir = Dir::new();
    let codes = dir.file(
        "country_codes_V202401b.csv",
        "country_code,country_name,country_iso2,country_iso3\n4,Afghanistan,AF,AFG\n8,Albania,AL,ALB\n",
    );
    let data = dir.file(
        "BACI_HS22_Y2022_V202401b.csv",
        "t,i,j,k,v,q\n2022,4,8,010121,1,2\n",
    );
    let (sink, _) = run("baci", &[codes, data]).unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<TradeFlow> = sink.decode("trade_flows");
    assert_eq!(
        (rows[0].exporter.as_str(), rows[0].importer.as_str()),
        ("AFG", "ALB")
    );
}

#[test]
fn baci_several_years_in_one_file_are_not_duplicates() {
    // 2005 and 2021 differ by 16 years: the same (i, j, k) in both is two flows, not a repeat.
    // (A file whose name gives no year may hold several; one named Y2005 only 2005.)
    let dir = Dir::new();
    let data = dir.file(
        "BACI_HS92_V202301.csv",
        "t,i,j,k,v,q\n2005,643,156,270900,1000,\n2021,643,156,270900,2000,\n",
    );
    let (sink, stats) = run("baci", &[data]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sink.rows("trade_flows"), 2);
    assert_eq!(stats.years, Some((2005, 2021)));
    let parts: Vec<Option<&str>> = sink
        .batches
        .iter()
        .filter(|b| b.0 == "trade_flows")
        .map(|b| b.1.as_deref())
        .collect();
    assert_eq!(parts, [Some("2005"), Some("2021")]);
    // One dyad-year per year: RUS→CHN 1.0 million in 2005, 2.0 in 2021.
    let dyads: Vec<pivot_sources::canonical::TradeDyadYear> = sink.decode("trade_dyad_year");
    let got: Vec<(i32, f64)> = dyads.iter().map(|d| (d.year, d.value_usd_m)).collect();
    assert_eq!(got, [(2005, 1.0), (2021, 2.0)]);
}

#[test]
fn baci_same_year_in_two_files_is_refused() {
    // Two releases of 2021 in one folder would count 2021 twice.
    let dir = Dir::new();
    let a = dir.file(
        "BACI_HS92_Y2021_V202301.csv",
        "t,i,j,k,v,q\n2021,643,156,270900,1000,\n",
    );
    let b = dir.file(
        "BACI_HS17_Y2021_V202301.csv",
        "t,i,j,k,v,q\n2021,643,156,270900,1000,\n",
    );
    let err = run("baci", &[a, b]).unwrap_err().to_string();
    assert!(err.contains("BACI_HS17_Y2021_V202301.csv"), "{err}");
    assert!(err.contains("year 2021 is also in"), "{err}");
    assert!(err.contains("BACI_HS92_Y2021_V202301.csv"), "{err}");
}

#[test]
fn baci_dataset_names_the_release() {
    let a = pivot_sources::adapter_for("baci").unwrap();
    let d = a.dataset(&[fixture("BACI_HS17_Y2021_V202301.csv")]);
    // From the file name BACI_HS17_Y2021_V202301.csv.
    assert_eq!(d.version, "HS17 V202301");
}

// ---------------------------------------------------------------- UN Comtrade

#[test]
fn comtrade_keeps_totals_and_drops_breakdowns_world_and_reflows() {
    let (sink, stats) =
        run("comtrade", &[fixture("comtrade_bulk_2021.txt")]).unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<TradeFlow> = sink.decode("trade_flows");
    // Lines 2, 6 and 9 are kept; 3, 4, 5 are breakdowns, 7 is World, 8 is a re-export, 10 is
    // "Areas, nes".
    assert_eq!(rows.len(), 3);
    // Line 2: China (reporter) imports (M) from Russia: exporter RUS, importer CHN,
    // 58,720,000,000 USD = 58,720 million; 79,640,000,000 kg = 79,640,000 t.
    let r = &rows[0];
    assert_eq!(
        (r.exporter.as_str(), r.importer.as_str(), r.product.as_str()),
        ("RUS", "CHN", "2709")
    );
    assert_eq!(r.basis, "importer-reported");
    assert!(close(r.value_usd_m, 58_720.0));
    assert_eq!(r.quantity_t, Some(79_640_000.0));
    // Line 6: Russia (reporter) exports (X) to China, all goods: 68,000 million, no weight.
    let r = &rows[1];
    assert_eq!(
        (r.exporter.as_str(), r.importer.as_str(), r.product.as_str()),
        ("RUS", "CHN", "TOTAL")
    );
    assert_eq!(r.basis, "exporter-reported");
    assert!(close(r.value_usd_m, 68_000.0));
    assert_eq!(r.quantity_t, None);
    // Line 9: HS 010121 keeps its leading zero; 25,000 USD = 0.025 million; 1,500 kg = 1.5 t.
    let r = &rows[2];
    assert_eq!(
        (r.exporter.as_str(), r.importer.as_str(), r.product.as_str()),
        ("RUS", "IND", "010121")
    );
    assert!(close(r.value_usd_m, 0.025));
    assert_eq!(r.quantity_t, Some(1.5));
    // What was dropped is counted: 1 World row, 3 breakdown rows, 1 re-export, 1 "Areas, nes".
    let dropped = stats.dropped.join("; ");
    assert!(dropped.contains("1 rows with partner World"), "{dropped}");
    assert!(dropped.contains("3 breakdown rows"), "{dropped}");
    assert!(dropped.contains("1 re-export"), "{dropped}");
    assert!(
        dropped.contains("1 rows with a partner that is not a country"),
        "{dropped}"
    );
}

#[test]
fn comtrade_comma_separated_api_csv() {
    // The API's CSV is comma-separated with the same columns: the first data line of the bulk
    // fixture, with commas ("Crude petroleum" has none).
    let text = std::fs::read_to_string(common::fixture_path("comtrade_bulk_2021.txt")).unwrap();
    let csv: String = text
        .lines()
        .take(2)
        .map(|l| l.replace('\t', ",") + "\n")
        .collect();
    let dir = Dir::new();
    let (sink, _) =
        run("comtrade", &[dir.file("comtrade_api.csv", csv)]).unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<TradeFlow> = sink.decode("trade_flows");
    assert_eq!(rows.len(), 1);
    assert!(close(rows[0].value_usd_m, 58_720.0));
}

// ---------------------------------------------------------------- AEI tracker

/// Write a workbook in the 2023 Fall layout (SOURCES.md §10): a title block of five rows
/// (title, copyright, blank, dataset name, blank), the header on row 6, deals from row 7.
fn aei_workbook(path: &std::path::Path, bad: Option<(&str, usize, &str)>) {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let d1 = [
        "Year",
        "Month",
        "Investor",
        "Quantity in Millions",
        "Share Size",
        "Transaction Party",
        "Sector",
        "Subsector",
        "Country",
        "Region",
        "BRI",
        "Greenfield",
    ];
    let d2 = [
        "Year",
        "Month",
        "Contractor",
        "Quantity in Millions",
        "Share Size",
        "Transaction Party",
        "Sector",
        "Subsector",
        "Country",
        "Region",
        "BRI",
    ];
    let d3 = [
        "Year",
        "Month",
        "Chinese Entity",
        "Quantity in Millions",
        "Transaction Party",
        "Sector",
        "Subsector",
        "Country",
        "Region",
        "Greenfield",
        "BRI",
    ];
    // (sheet, header, deals as (year, month, entity, amount, share, party, sector, subsector, country, region))
    type Deal<'a> = (
        f64,
        &'a str,
        &'a str,
        f64,
        Option<f64>,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
    );
    let sheets: [(&str, &[&str], Vec<Deal>); 3] = [
        (
            "Dataset 1",
            &d1,
            vec![
                (
                    2013.0,
                    "September",
                    "CNPC",
                    1080.0,
                    Some(0.2),
                    "Novatek",
                    "Energy",
                    "Gas",
                    "Russian Federation",
                    "West Asia",
                ),
                (
                    2019.0,
                    "December",
                    "Sinopec",
                    500.0,
                    None,
                    "Sibur",
                    "Chemicals",
                    "",
                    "Russian Federation",
                    "West Asia",
                ),
            ],
        ),
        (
            "Dataset 2",
            &d2,
            vec![
                (
                    2016.0,
                    "June",
                    "China Railway Engineering",
                    390.0,
                    None,
                    "",
                    "Transport",
                    "Rail",
                    "Kazakhstan",
                    "West Asia",
                ),
                (
                    2017.0,
                    "March",
                    "China Communications Construction",
                    230.0,
                    None,
                    "",
                    "Transport",
                    "Shipping",
                    "Britain",
                    "Europe",
                ),
                (
                    2018.0,
                    "May",
                    "Power China",
                    150.0,
                    None,
                    "",
                    "Energy",
                    "Hydro",
                    "USA",
                    "USA",
                ),
            ],
        ),
        (
            "Dataset 3",
            &d3,
            vec![(
                2014.0,
                "March",
                "Chinalco",
                1200.0,
                None,
                "Rio Tinto",
                "Metals",
                "Aluminum",
                "Australia",
                "Australia",
            )],
        ),
    ];
    for (name, header, deals) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        ws.write_string(0, 0, "China Global Investment Tracker")
            .unwrap();
        ws.write_string(1, 0, "© Data compiled by The American Enterprise Institute and The Heritage Foundation. All rights reserved.").unwrap();
        ws.write_string(3, 0, name).unwrap();
        for (c, h) in header.iter().enumerate() {
            ws.write_string(5, c as u16, *h).unwrap();
        }
        let col = |h: &str| header.iter().position(|x| *x == h).unwrap() as u16;
        for (k, (year, month, entity, amount, share, party, sector, sub, country, region)) in
            deals.iter().enumerate()
        {
            let row = 6 + k as u32;
            ws.write_number(row, col("Year"), *year).unwrap();
            ws.write_string(row, col("Month"), *month).unwrap();
            ws.write_string(row, 2, *entity).unwrap();
            ws.write_number(row, col("Quantity in Millions"), *amount)
                .unwrap();
            if let (Some(s), Some(c)) = (share, header.iter().position(|x| *x == "Share Size")) {
                ws.write_number(row, c as u16, *s).unwrap();
            }
            ws.write_string(row, col("Transaction Party"), *party)
                .unwrap();
            ws.write_string(row, col("Sector"), *sector).unwrap();
            if !sub.is_empty() {
                ws.write_string(row, col("Subsector"), *sub).unwrap();
            }
            ws.write_string(row, col("Country"), *country).unwrap();
            ws.write_string(row, col("Region"), *region).unwrap();
            ws.write_number(row, col("BRI"), 1.0).unwrap();
        }
        if let Some((sheet, row, text)) = bad
            && sheet == name
        {
            // Overwrite the amount of a deal row (0-based worksheet row) with text.
            ws.write_string(row as u32, col("Quantity in Millions"), text)
                .unwrap();
        }
    }
    // The 2023 workbook also has "Dataset 1+2"; the adapter does not read it (it would double
    // count), so it is written empty of deals here.
    let ws = wb.add_worksheet();
    ws.set_name("Dataset 1+2").unwrap();
    ws.write_string(0, 0, "China Global Investment Tracker")
        .unwrap();
    wb.save(path).unwrap();
}

#[test]
fn aei_tracker_workbook() {
    let dir = Dir::new();
    let path = dir.path("China-Global-Investment-Tracker-2023-Fall-1.xlsx");
    aei_workbook(&path, None);
    let (sink, stats) =
        run("aei", &[pivot_sources::Input::File(path)]).unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<FinanceFlow> = sink.decode("finance_flows");
    // 2 investment deals + 3 construction + 1 troubled, as written above.
    assert_eq!(rows.len(), 6);
    assert_eq!(stats.years, Some((2013, 2019)));
    assert!(
        rows.iter().all(|r| r.lender == "CHN"
            && r.unit == "million current USD"
            && r.source == "aei_cgit")
    );
    // Dataset 1 row 7: 2013, CNPC in Russia, US$ 1,080m, sector Energy.
    let r = &rows[0];
    assert_eq!(
        (r.recipient.as_str(), r.year, r.flow_class.as_str()),
        ("RUS", 2013, "investment")
    );
    assert_eq!(r.amount, 1080.0);
    assert_eq!(r.sector.as_deref(), Some("Energy"));
    // Russia total investment: 1,080 + 500 = 1,580 (Dataset 1 rows 7 and 8).
    let ru: f64 = rows
        .iter()
        .filter(|r| r.recipient == "RUS")
        .map(|r| r.amount)
        .sum();
    assert_eq!(ru, 1580.0);
    // The tracker's short names "Britain" and "USA" (Dataset 2 rows 8 and 9).
    assert!(
        rows.iter()
            .any(|r| r.recipient == "GBR" && r.amount == 230.0)
    );
    assert!(
        rows.iter()
            .any(|r| r.recipient == "USA" && r.amount == 150.0)
    );
    // Dataset 2 → construction (Kazakhstan 390); Dataset 3 → troubled (Australia 1,200).
    assert!(
        rows.iter()
            .any(|r| r.flow_class == "construction" && r.recipient == "KAZ" && r.amount == 390.0)
    );
    assert!(
        rows.iter()
            .any(|r| r.flow_class == "troubled" && r.recipient == "AUS" && r.amount == 1200.0)
    );
}

#[test]
fn aei_bad_amount_names_sheet_row_and_column() {
    let dir = Dir::new();
    let path = dir.path("tracker.xlsx");
    // Worksheet row index 7 (0-based) is Excel row 8: the second deal of Dataset 1.
    aei_workbook(&path, Some(("Dataset 1", 7, "n/a")));
    let err = run("aei", &[pivot_sources::Input::File(path)]).unwrap_err();
    let msg = common::assert_field(
        &err,
        "tracker.xlsx sheet 'Dataset 1'",
        8,
        "Quantity in Millions",
    );
    assert!(msg.contains("'n/a'"), "{msg}");
}

// ---------------------------------------------------------------- GDELT and ICEWS

#[test]
fn gdelt_1_and_2_layouts() {
    let (sink, stats) = run(
        "gdelt",
        &[
            fixture("gdelt1_19790101.export.CSV"),
            fixture("gdelt1_20140521.export.CSV"),
            fixture("20220224053000.export.CSV"),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let ev: Vec<Event> = sink.decode("events");
    assert_eq!(ev.len(), 4); // 1 + 2 + 1 lines
    // GDELT 1.0 backfile line (57 fields): 1979-01-01 USA→RUS, CAMEO 043, QuadClass 1,
    // Goldstein 2.8, 4 mentions, tone 0.
    assert_eq!(ev[0].date, "1979-01-01");
    assert_eq!(
        (ev[0].actor1.as_deref(), ev[0].actor2.as_deref()),
        (Some("USA"), Some("RUS"))
    );
    assert_eq!((ev[0].cameo.as_str(), ev[0].quad_class), ("043", 1));
    assert_eq!(
        (ev[0].goldstein, ev[0].mentions, ev[0].tone),
        (Some(2.8), Some(4), Some(0.0))
    );
    // GDELT 1.0 daily line (58 fields): CHN→RUS, 057, tone 3.52112676056338.
    assert_eq!(
        (ev[1].actor1.as_deref(), ev[1].actor2.as_deref()),
        (Some("CHN"), Some("RUS"))
    );
    assert_eq!(ev[1].tone, Some(3.52112676056338));
    // Second daily line: actor 1 is the CAMEO region EUR (no country), actor 2 blank; 4-digit
    // CAMEO code 0841 kept as text with its leading zero.
    assert_eq!(
        (ev[2].actor1.as_deref(), ev[2].actor2.as_deref()),
        (None, None)
    );
    assert_eq!((ev[2].cameo.as_str(), ev[2].quad_class), ("0841", 2));
    // GDELT 2.0 (61 fields): 2022-02-24 RUS→UKR, 190, QuadClass 4, Goldstein −10, 20 mentions.
    assert_eq!(ev[3].date, "2022-02-24");
    assert_eq!(
        (ev[3].actor1.as_deref(), ev[3].actor2.as_deref()),
        (Some("RUS"), Some("UKR"))
    );
    assert_eq!(
        (ev[3].quad_class, ev[3].goldstein, ev[3].mentions),
        (4, Some(-10.0), Some(20))
    );
    assert_eq!(ev[3].tone, Some(-7.10659898477157));
    assert_eq!(stats.years, Some((1979, 2022)));
    // One actor code that is not a country (EUR); blanks are not counted.
    assert!(
        stats.dropped.iter().any(|d| d.starts_with("1 actor")),
        "{:?}",
        stats.dropped
    );
}

#[test]
fn icews_tab_separated_with_header() {
    let (sink, stats) =
        run("icews", &[fixture("icews_events_2014.tab")]).unwrap_or_else(|e| panic!("{e}"));
    let ev: Vec<Event> = sink.decode("events");
    assert_eq!(ev.len(), 4);
    // Line 2: Russian Federation → China, CAMEO 036 (root 03: verbal cooperation, QuadClass 1),
    // Intensity 4 stored as the Goldstein value.
    assert_eq!(
        (ev[0].actor1.as_deref(), ev[0].actor2.as_deref()),
        (Some("RUS"), Some("CHN"))
    );
    assert_eq!(
        (ev[0].cameo.as_str(), ev[0].quad_class, ev[0].goldstein),
        ("036", 1, Some(4.0))
    );
    assert_eq!(ev[0].date, "2014-05-20");
    // Line 3: 061 (root 06: material cooperation, QuadClass 2), 6.4.
    assert_eq!((ev[1].quad_class, ev[1].goldstein), (2, Some(6.4)));
    // Line 4: 190 (root 19: material conflict, QuadClass 4), −10, RUS → UKR.
    assert_eq!(
        (
            ev[2].actor1.as_deref(),
            ev[2].actor2.as_deref(),
            ev[2].quad_class
        ),
        (Some("RUS"), Some("UKR"), 4)
    );
    // Line 5: the UN has no source country (blank): actor 1 empty; 020 (root 02, QuadClass 1).
    assert_eq!((ev[3].actor1.as_deref(), ev[3].quad_class), (None, 1));
    assert!(
        ev.iter()
            .all(|e| e.mentions.is_none() && e.tone.is_none() && e.source == "icews")
    );
    assert_eq!(stats.years, Some((2014, 2014)));
}

#[test]
fn icews_codes_without_leading_zero_keep_their_root() {
    // Spreadsheets strip leading zeros: "36" is 036 (root 03, QuadClass 1); "190" stays 190 (4).
    let dir = Dir::new();
    let text = std::fs::read_to_string(common::fixture_path("icews_events_2014.tab")).unwrap();
    // Line 5's 020 becomes "211", a stripped 0211 (root 02, QuadClass 1): no root 21 exists.
    let text = text
        .replace("\t036\t", "\t36\t")
        .replace("\t020\t", "\t211\t");
    let (sink, _) = run("icews", &[dir.file("icews.tab", text)]).unwrap_or_else(|e| panic!("{e}"));
    let ev: Vec<Event> = sink.decode("events");
    assert_eq!((ev[0].cameo.as_str(), ev[0].quad_class), ("036", 1));
    assert_eq!((ev[2].cameo.as_str(), ev[2].quad_class), ("190", 4));
    assert_eq!((ev[3].cameo.as_str(), ev[3].quad_class), ("0211", 1));
}

// ---------------------------------------------------------------- Voeten raw votes

#[test]
fn voeten_raw_coding() {
    let (sink, stats) =
        run("voeten-raw", &[fixture("RawVotingdata.tab")]).unwrap_or_else(|e| panic!("{e}"));
    let v: Vec<UnVote> = sink.decode("un_votes");
    // Lines 2, 3, 5, 7 are votes (codes 1, 3, 2, 1); line 4 (9, non-member) and line 6 (8,
    // absent) are skipped.
    let got: Vec<(i64, &str, &str)> = v
        .iter()
        .map(|x| (x.rcid, x.country.as_str(), x.vote.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (3, "USA", "yes"),
            (3, "RUS", "no"),
            (4, "USA", "abstain"),
            (4, "DEU", "yes")
        ]
    );
    // Names come from the Countryname column.
    assert_eq!(v[1].country_name, "Russia");
    assert_eq!(v[3].country_name, "German Federal Republic");
    assert!(
        stats.dropped.iter().any(|d| d.starts_with("2 absent")),
        "{:?}",
        stats.dropped
    );
}

// ---------------------------------------------------------------- World Bank WDI download

#[test]
fn world_bank_wdi_download_layout() {
    let (sink, stats) = run(
        "worldbank",
        &[fixture("API_NY.GDP.MKTP.CD_DS2_en_csv_v2_584.csv")],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<CountryYear> = sink.decode("country_year");
    // Values: ABW 1986 and 2022, RUS 1989, 2013 and 2014, XKX 2014 (Kosovo, World Bank code);
    // the World row is an aggregate and the Channel Islands (CHI) have no ISO3: both dropped.
    assert_eq!(rows.len(), 6);
    let get = |c: &str, y: i32| {
        rows.iter()
            .find(|r| r.country == c && r.year == y)
            .map(|r| r.value)
    };
    assert_eq!(get("RUS", 2014), Some(Some(2_059_241_589_895.02)));
    assert_eq!(get("RUS", 1989), Some(Some(506_500_000_000.0)));
    assert_eq!(get("ABW", 1986), Some(Some(405_586_592.178_771)));
    // Kosovo's World Bank code XKX is pivot's UNK (world-countries).
    assert_eq!(get("UNK", 2014), Some(Some(7_395_000_000.0)));
    assert!(
        rows.iter()
            .all(|r| r.indicator == "gdp_usd" && r.unit == "current USD" && r.source == "wb_wdi")
    );
    assert_eq!(stats.years, Some((1986, 2022)));
    let dropped = stats.dropped.join("; ");
    assert!(dropped.contains("1 World Bank aggregate"), "{dropped}");
    assert!(dropped.contains("CHI"), "{dropped}");
}

/// Issue 27: a long file with both GDP and population kept GDP and lost population silently.
/// Hand-made rows: every indicator column is read, each value under its own indicator.
#[test]
fn world_bank_long_file_with_gdp_and_population_keeps_both() {
    let dir = Dir::new();
    let f = dir.file(
        "wb_long.csv",
        "iso3,year,gdp_current_usd,population\nRUS,2014,2059241589895.02,143819666\nCHN,2014,,1364270000\n",
    );
    let (sink, stats) = run("worldbank", &[f]).unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<CountryYear> = sink.decode("country_year");
    let got: Vec<(&str, &str, Option<f64>)> = rows
        .iter()
        .map(|r| (r.country.as_str(), r.indicator.as_str(), r.value))
        .collect();
    assert_eq!(
        got,
        [
            ("RUS", "gdp_usd", Some(2_059_241_589_895.02)),
            ("RUS", "population", Some(143_819_666.0)),
            ("CHN", "population", Some(1_364_270_000.0)),
        ]
    );
    assert_eq!(stats.years, Some((2014, 2014)));
}
