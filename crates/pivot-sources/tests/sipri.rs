//! SIPRI arms transfers on the real download (current layout) and on a hand-made fixture in the
//! older trade-register layout.

mod common;

use common::{fixture, ingest_bundled, repo_data, run};
use pivot_sources::canonical::ArmsTransfer;

fn sorted(mut v: Vec<ArmsTransfer>) -> Vec<ArmsTransfer> {
    v.sort_by_key(|d| (d.deal_id, d.delivery_year));
    v
}

#[test]
fn the_real_download_gives_the_same_deliveries_as_the_cleaned_table() {
    // The unmodified SIPRI download (SOURCES.md §2a), read from the repository copy on disk
    // (gzip detected by its magic number).
    let (raw, stats) = run(
        "sipri",
        &[repo_data(
            "sipri_arms_transfers/raw/sipri_trade_register_download_2025-01-03.csv.gz",
        )],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // The cleaned table was made from this download by dropping the preamble and renaming the
    // columns, values unchanged (SOURCES.md §2): 20,480 rows.
    assert_eq!(raw.rows("arms_transfers"), 20_480);
    assert_eq!(stats.years, Some((2000, 2023)));
    let (clean, _) = ingest_bundled("sipri");
    let raw = sorted(raw.decode("arms_transfers"));
    let clean = sorted(clean.decode("arms_transfers"));
    let tiv = |v: &[ArmsTransfer]| v.iter().filter_map(|d| d.tiv_delivered).sum::<f64>();
    // Same total TIV (both files carry the same numbers, so equal to rounding of the sum order).
    assert!(
        (tiv(&raw) - tiv(&clean)).abs() < 1e-6 * tiv(&clean),
        "{} vs {}",
        tiv(&raw),
        tiv(&clean)
    );
    // And the same rows, field by field.
    assert_eq!(raw.len(), clean.len());
    for (a, b) in raw.iter().zip(&clean) {
        assert_eq!(a, b);
    }
}

#[test]
fn the_real_download_first_row_is_read_as_written() {
    let (sink, _) = run(
        "sipri",
        &[repo_data(
            "sipri_arms_transfers/raw/sipri_trade_register_download_2025-01-03.csv.gz",
        )],
    )
    .unwrap();
    let rows: Vec<ArmsTransfer> = sink.decode("arms_transfers");
    // Line 13 of the download (the first after the 11-line preamble and the header):
    // 60320,Brazil,Afghanistan,EMB-314 -,trainer/combat aircraft,Aircraft,2017,No,6,Yes,2018,No,New,4.5,4.5,27,No
    let d = &rows[0];
    assert_eq!(d.deal_id, Some(60320));
    assert_eq!(
        (d.supplier_iso3.as_deref(), d.recipient_iso3.as_deref()),
        (Some("BRA"), Some("AFG"))
    );
    assert_eq!((d.order_year, d.delivery_year), (Some(2017), Some(2018)));
    assert_eq!(
        (d.n_delivered, d.tiv_unit, d.tiv_delivered),
        (Some(6.0), Some(4.5), Some(27.0))
    );
    assert_eq!(d.category.as_deref(), Some("Aircraft"));
    // "Numbers delivered is estimate" = Yes.
    assert!(d.uncertain);
}

#[test]
fn the_old_register_layout_parses_latin1_and_marks_uncertain_values() {
    let (sink, stats) = run("sipri", &[fixture("sipri_register_old_layout_latin1.csv")])
        .unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<ArmsTransfer> = sink.decode("arms_transfers");
    // Five deal rows in the fixture (lines 13–17), one row per deal in this layout.
    assert_eq!(rows.len(), 5);
    assert!(
        rows.iter()
            .all(|r| r.deal_id.is_none() && r.delivery_year.is_none() && r.category.is_none())
    );
    // Line 13: Latin-1 byte 0xF4 decodes to "ô"; the name resolves to ISO3 CIV. Uncertainty is
    // only in the unnamed columns after "Number ordered" and "Number delivered" ("?").
    let civ = &rows[0];
    assert_eq!(civ.recipient, "Côte d'Ivoire");
    assert_eq!(civ.recipient_iso3.as_deref(), Some("CIV"));
    assert_eq!(civ.supplier_iso3.as_deref(), Some("BLR"));
    assert!(
        civ.uncertain,
        "'?' in the unnamed column after Number delivered"
    );
    assert_eq!(civ.order_year, Some(2002));
    assert_eq!(civ.n_delivered, Some(6.0));
    assert_eq!(civ.delivery_years.as_deref(), Some("2002-2003"));
    assert_eq!(civ.status.as_deref(), Some("second hand"));
    assert_eq!((civ.tiv_unit, civ.tiv_delivered), (Some(3.6), Some(21.6)));
    assert_eq!(
        (civ.designation.as_str(), civ.description.as_str()),
        ("Mi-24D", "Combat helicopter")
    );
    // Line 14: '?' after the year of order; the quoted comment's comma does not split the row.
    let ind = &rows[1];
    assert_eq!(
        (ind.recipient_iso3.as_deref(), ind.supplier_iso3.as_deref()),
        (Some("IND"), Some("RUS"))
    );
    assert!(ind.uncertain);
    assert_eq!(
        (ind.tiv_unit, ind.tiv_delivered),
        (Some(37.0), Some(1480.0))
    );
    // Line 15: nothing uncertain; nothing delivered yet (empty TIV of delivered weapons).
    let vnm = &rows[2];
    assert_eq!(vnm.recipient_iso3.as_deref(), Some("VNM"));
    assert!(!vnm.uncertain);
    assert_eq!((vnm.n_delivered, vnm.tiv_delivered), (Some(0.0), None));
    // Line 16: "(2006)" is a SIPRI estimate: value 2006, marked.
    let tur = &rows[3];
    assert_eq!(tur.order_year, Some(2006));
    assert!(tur.uncertain);
    assert_eq!(tur.recipient_iso3.as_deref(), Some("TUR"));
    // Line 17: a non-state actor ("*") keeps its name and no ISO3; "0.05?" is 0.05, uncertain.
    let hez = &rows[4];
    assert_eq!(hez.recipient, "Hezbollah (Lebanon)*");
    assert!(hez.recipient_iso3.is_none());
    assert_eq!(hez.tiv_unit, Some(0.05));
    assert!(hez.uncertain);
    // Order years 2002..2009 across the five rows.
    assert_eq!(stats.years, Some((2002, 2009)));
    // Delivered TIV: 21.6 + 1480 + 448 + 5 = 1954.6 (lines 13, 14, 16, 17; line 15 is empty).
    let total: f64 = rows.iter().filter_map(|r| r.tiv_delivered).sum();
    assert!((total - 1954.6).abs() < 1e-9, "{total}");
}

#[test]
fn old_register_errors_count_the_preamble_in_line_numbers() {
    let dir = common::Dir::new();
    let good = std::fs::read(common::fixture_path("sipri_register_old_layout_latin1.csv")).unwrap();
    // Replace line 15's TIV per unit (225) with "abc": the error is at line 15 of the file
    // (11 preamble lines + header + 3 rows), field "SIPRI TIV per unit".
    let bad = encoding_rs::WINDOWS_1252
        .decode(&good)
        .0
        .replace(",225,1350,", ",abc,1350,");
    let input = dir.file("register.csv", encoding_rs::WINDOWS_1252.encode(&bad).0);
    let err = run("sipri", &[input]).unwrap_err();
    common::assert_field(&err, "register.csv", 15, "SIPRI TIV per unit");
}
