//! Bad input for every adapter: wrong column count, a value that is not a number, a negative
//! value, an unknown country, a duplicate key, a missing column. Each error must name the file,
//! the line (1-based, counting preamble and header) and the field, in its value and in its
//! message.
//!
//! Each table starts from a small good file (which must ingest) and replaces one line.

mod common;

use common::{Dir, assert_field, assert_header, assert_row, run};

/// What the error must say.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// A field error at (line, field).
    Field(u64, &'static str),
    /// A row error (the record as a whole) at line.
    Row(u64),
    /// A missing column.
    Header(&'static str),
}
use Expect::*;

/// `good` with line `line` (1-based) replaced by `new`.
fn edit(good: &str, line: usize, new: &str) -> String {
    good.lines()
        .enumerate()
        .map(|(i, l)| format!("{}\n", if i + 1 == line { new } else { l }))
        .collect()
}

/// Run `adapter` on `good` (must succeed), then on each case: (what, line to replace, new text,
/// expected error).
fn check(adapter: &str, file: &str, good: &str, cases: &[(&str, usize, &str, Expect)]) {
    let dir = Dir::new();
    run(adapter, &[dir.file(file, good)])
        .unwrap_or_else(|e| panic!("{adapter}: the good fixture fails: {e}"));
    for (what, line, new, expect) in cases {
        let dir = Dir::new();
        let input = dir.file(file, edit(good, *line, new));
        let err = match run(adapter, &[input]) {
            Ok(_) => panic!("{adapter}: {what}: accepted"),
            Err(e) => e,
        };
        match *expect {
            Field(l, f) => {
                assert_field(&err, file, l, f);
            }
            Row(l) => {
                assert_row(&err, file, l);
            }
            Header(c) => {
                assert_header(&err, file, c);
            }
        }
    }
}

#[test]
fn cow_trade() {
    let good = "ccode1,ccode2,year,flow1,flow2,smoothflow1,smoothflow2\n\
                2,365,2014,10000,20000,10000,20000\n\
                365,710,2014,51135,42807,51135,42807\n";
    check(
        "cow-trade",
        "cow_trade.csv",
        good,
        &[
            ("wrong column count", 3, "365,710,2014,51135,42807", Row(3)),
            (
                "not a number",
                3,
                "365,710,2014,abc,42807,,",
                Field(3, "flow1"),
            ),
            ("negative", 3, "365,710,2014,51135,-5,,", Field(3, "flow2")),
            // Issue 27: values that summed to infinity were accepted.
            (
                "a value past any trade flow",
                3,
                "365,710,2014,1e308,42807,,",
                Field(3, "flow1"),
            ),
            (
                "unknown COW code",
                3,
                "365,999,2014,51135,42807,,",
                Field(3, "ccode2"),
            ),
            (
                "duplicate dyad-year",
                3,
                "2,365,2014,1,2,1,2",
                Field(3, "year"),
            ),
            (
                "not a non-directed dyad",
                3,
                "710,365,2014,1,2,1,2",
                Field(3, "ccode2"),
            ),
            ("year not a year", 2, "2,365,14.5,1,2,1,2", Field(2, "year")),
            (
                "missing column",
                1,
                "ccode1,ccode2,year,flow1,smoothflow1,smoothflow2,x",
                Header("flow2"),
            ),
        ],
    );
}

#[test]
fn cow_trade_minus_nine_is_missing_not_negative() {
    // COW codes missing as −9 (SOURCES.md §7): no flow, no error. Line 2 gives only flow1.
    let dir = Dir::new();
    let f = dir.file(
        "t.csv",
        "ccode1,ccode2,year,flow1,flow2\n2,365,2014,10,-9\n",
    );
    let (sink, _) = run("cow-trade", &[f]).unwrap();
    assert_eq!(sink.rows("trade_flows"), 1);
}

#[test]
fn energy_institute() {
    let good = "data_year,flow,unit,exporter,importer,value,importer_is_subtotal,source_edition\n\
                2023,crude_oil,million tonnes,Russian Federation,China,107.015401469,0,EI 2024\n\
                2023,lng,billion cubic metres,Russian Federation,Japan,8.36,0,EI 2024\n";
    check(
        "ei-energy",
        "ei.csv",
        good,
        &[
            (
                "wrong column count",
                3,
                "2023,lng,billion cubic metres,Russian Federation,Japan,8.36,0",
                Row(3),
            ),
            (
                "not a number",
                3,
                "2023,lng,billion cubic metres,Russian Federation,Japan,8.3x,0,EI 2024",
                Field(3, "value"),
            ),
            (
                "negative",
                3,
                "2023,lng,billion cubic metres,Russian Federation,Japan,-8.36,0,EI 2024",
                Field(3, "value"),
            ),
            // Names that are not countries are areas here (Europe, Other Asia Pacific), so the
            // vocabulary that must be known is the carrier.
            (
                "unknown carrier",
                3,
                "2023,uranium,t,Russian Federation,Japan,8.36,0,EI 2024",
                Field(3, "flow"),
            ),
            (
                "duplicate",
                3,
                "2023,crude_oil,million tonnes,Russian Federation,China,1,0,EI 2024",
                Field(3, "importer"),
            ),
            (
                "subtotal flag not 0/1",
                3,
                "2023,lng,billion cubic metres,Russian Federation,Japan,8.36,2,EI 2024",
                Field(3, "importer_is_subtotal"),
            ),
            (
                "missing column",
                1,
                "data_year,flow,unit,exporter,importer,importer_is_subtotal,source_edition,x",
                Header("value"),
            ),
        ],
    );
}

const SIPRI_DELIVERIES_HEADER: &str = "deal_id,supplier,recipient,designation,description,armament_category,order_year,order_year_is_estimate,n_delivered,n_delivered_is_estimate,delivery_year,delivery_year_is_estimate,status,tiv_unit_sipri_estimate,tiv_unit_deal,tiv_delivered,local_production";

#[test]
fn sipri_deliveries() {
    // Lines 2 and 3 are the first two rows of the bundled deliveries table.
    let good = format!(
        "{SIPRI_DELIVERIES_HEADER}\n\
         60320,Brazil,Afghanistan,EMB-314 -,trainer/combat aircraft,Aircraft,2017,No,6,Yes,2018,No,New,4.5,4.5,27.0,No\n\
         37743,Russia,Afghanistan,aircraft engine 1001-2000,aircraft engine,Engines,2004,No,6,No,2005,No,New,0.5,0.5,3.0,No\n"
    );
    check(
        "sipri",
        "deliveries.csv",
        &good,
        &[
            (
                "wrong column count",
                3,
                "37743,Russia,Afghanistan,engine,aircraft engine,Engines,2004,No,6,No,2005,No,New,0.5,0.5,3.0",
                Row(3),
            ),
            (
                "not a number",
                3,
                "37743,Russia,Afghanistan,e,e,Engines,2004,No,6,No,2005,No,New,0.5,0.5,abc,No",
                Field(3, "tiv_delivered"),
            ),
            (
                "negative",
                3,
                "37743,Russia,Afghanistan,e,e,Engines,2004,No,-6,No,2005,No,New,0.5,0.5,3.0,No",
                Field(3, "n_delivered"),
            ),
            (
                "unknown name",
                3,
                "37743,Atlantis,Afghanistan,e,e,Engines,2004,No,6,No,2005,No,New,0.5,0.5,3.0,No",
                Field(3, "supplier"),
            ),
            (
                "duplicate deal-year",
                3,
                "60320,Russia,Afghanistan,e,e,Engines,2004,No,6,No,2018,No,New,0.5,0.5,3.0,No",
                Field(3, "deal_id"),
            ),
            (
                "no delivery year",
                3,
                "37743,Russia,Afghanistan,e,e,Engines,2004,No,6,No,,No,New,0.5,0.5,3.0,No",
                Field(3, "delivery_year"),
            ),
            (
                "missing column",
                1,
                &SIPRI_DELIVERIES_HEADER.replace(",tiv_delivered", ""),
                Header("tiv_delivered"),
            ),
        ],
    );
}

#[test]
fn sipri_dyad_year() {
    // First two rows of the bundled dyad-year table.
    let good = "supplier,recipient,delivery_year,tiv_delivered,n_deals,n_items\n\
                Albania,Burkina Faso,2011,1.2,1,12\n\
                Algeria,Western Sahara,2016,0.3,1,3\n";
    check(
        "sipri",
        "dyad.csv",
        good,
        &[
            (
                "wrong column count",
                3,
                "Algeria,Western Sahara,2016,0.3,1",
                Row(3),
            ),
            (
                "not a number",
                3,
                "Algeria,Western Sahara,2016,0.3,one,3",
                Field(3, "n_deals"),
            ),
            (
                "negative",
                3,
                "Algeria,Western Sahara,2016,-0.3,1,3",
                Field(3, "tiv_delivered"),
            ),
            (
                "unknown name",
                3,
                "Algeria,Atlantis,2016,0.3,1,3",
                Field(3, "recipient"),
            ),
            (
                "duplicate",
                3,
                "Albania,Burkina Faso,2011,5,1,1",
                Field(3, "delivery_year"),
            ),
            (
                "missing column",
                1,
                "supplier,recipient,delivery_year,tiv_delivered,n_deals,x",
                Header("n_items"),
            ),
        ],
    );
}

#[test]
fn sipri_download_counts_the_preamble() {
    // The first 14 lines of the real download (SOURCES.md §2a): an 11-line preamble, the
    // header on line 12, rows on 13 and 14.
    let bytes = pivot_sources::Input::bundled(pivot_bundled::SIPRI_RAW)
        .read_all()
        .unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let good: String = text.lines().take(14).map(|l| format!("{l}\n")).collect();
    let line13 = good.lines().nth(12).unwrap().to_string();
    assert!(line13.starts_with("60320,Brazil,Afghanistan"));
    check(
        "sipri",
        "download.csv",
        &good,
        &[
            (
                "wrong column count",
                13,
                "60320,Brazil,Afghanistan",
                Row(13),
            ),
            (
                "not a number",
                13,
                &line13.replace(",27,No", ",2x7,No"),
                Field(13, "TIV delivery values"),
            ),
            (
                "negative",
                13,
                &line13.replace(",4.5,4.5,", ",4.5,-4.5,"),
                Field(13, "TIV deal unit"),
            ),
            (
                "unknown name",
                13,
                &line13.replace("Brazil", "Atlantis"),
                Field(13, "Supplier"),
            ),
            ("duplicate", 14, &line13, Field(14, "SIPRI AT Database ID")),
            (
                "missing column",
                12,
                &good
                    .lines()
                    .nth(11)
                    .unwrap()
                    .replace("Recipient,", "Receiver,"),
                Header("Recipient"),
            ),
        ],
    );
}

#[test]
fn sipri_file_without_a_header_is_refused() {
    let dir = Dir::new();
    let err = run("sipri", &[dir.file("notes.csv", "hello\nworld\n")]).unwrap_err();
    assert_header(&err, "notes.csv", "SIPRI header");
}

#[test]
fn un_votes_files() {
    check(
        "unvotes",
        "un_votes.csv",
        "rcid,country,country_code,vote\n3,United States,US,yes\n3,Russia,RU,no\n4,Namibia,NA,abstain\n",
        &[
            ("wrong column count", 3, "3,Russia,RU", Row(3)),
            ("not a number", 3, "3x,Russia,RU,no", Field(3, "rcid")),
            ("negative", 3, "-3,Russia,RU,no", Field(3, "rcid")),
            ("not a vote", 3, "3,Russia,RU,maybe", Field(3, "vote")),
            (
                "unknown code",
                3,
                "3,Russia,QQ,no",
                Field(3, "country_code"),
            ),
            (
                "unknown name without code",
                3,
                "3,Atlantis,,no",
                Field(3, "country"),
            ),
            ("duplicate", 3, "3,USA,US,no", Field(3, "country")),
            (
                "missing column",
                1,
                "rcid,country,country_code,x",
                Header("vote"),
            ),
        ],
    );
    check(
        "unvotes",
        "un_roll_calls.csv",
        "rcid,session,importantvote,date,unres,amend,para,short,descr\n\
         3,1,0,1946-01-01,R/1/66,1,0,\"AMENDMENTS, RULES OF PROCEDURE\",TO ADOPT\n\
         4,1,0,1946-01-02,R/1/79,0,0,SECURITY COUNCIL ELECTIONS,TO ADOPT\n",
        &[
            (
                "wrong column count",
                3,
                "4,1,0,1946-01-02,R/1/79,0,0,SECURITY COUNCIL ELECTIONS",
                Row(3),
            ),
            (
                "not a number",
                3,
                "4,one,0,1946-01-02,R/1/79,0,0,S,D",
                Field(3, "session"),
            ),
            (
                "negative",
                3,
                "4,-1,0,1946-01-02,R/1/79,0,0,S,D",
                Field(3, "session"),
            ),
            (
                "flag not 0/1",
                3,
                "4,1,2,1946-01-02,R/1/79,0,0,S,D",
                Field(3, "importantvote"),
            ),
            (
                "bad date",
                3,
                "4,1,0,Jan 1946,R/1/79,0,0,S,D",
                Field(3, "date"),
            ),
            (
                "duplicate",
                3,
                "3,1,0,1946-01-02,R/1/79,0,0,S,D",
                Field(3, "rcid"),
            ),
        ],
    );
    check(
        "unvotes",
        "un_roll_call_issues.csv",
        "rcid,short_name,issue\n77,me,Palestinian conflict\n77,hr,Human rights\n",
        &[
            ("wrong column count", 3, "77,hr", Row(3)),
            ("not a number", 3, "7x7,hr,Human rights", Field(3, "rcid")),
            ("negative", 3, "-77,hr,Human rights", Field(3, "rcid")),
            (
                "duplicate",
                3,
                "77,me,Palestinian conflict",
                Field(3, "short_name"),
            ),
        ],
    );
}

#[test]
fn voeten_raw() {
    check(
        "voeten-raw",
        "RawVotingdata.tab",
        "rcid\tccode\tmember\tvote\n3\t2\t1\t1\n3\t365\t1\t3\n",
        &[
            ("wrong column count", 3, "3\t365\t1", Row(3)),
            ("not a number", 3, "3\t365\t1\tno", Field(3, "vote")),
            ("negative", 3, "3\t365\t1\t-1", Field(3, "vote")),
            ("unknown COW code", 3, "3\t999\t1\t1", Field(3, "ccode")),
            ("duplicate", 3, "3\t2\t1\t3", Field(3, "ccode")),
            (
                "missing column",
                1,
                "rcid\tccode\tmember\tx",
                Header("vote"),
            ),
        ],
    );
}

#[test]
fn cow_nmc() {
    check(
        "cow-nmc",
        "cow_nmc.csv",
        "ccode,year,milex,milper,irst,pec,tpop,upop,cinc\n\
         365,2014,70048000,845,71461,1335646,143761.0,55623.0,0.039199155\n\
         710,2014,199000000,2285,822698,4400000,1364270.0,740000.0,0.21\n",
        &[
            (
                "wrong column count",
                3,
                "710,2014,199000000,2285,822698,4400000,1364270.0,740000.0",
                Row(3),
            ),
            (
                "not a number",
                3,
                "710,2014,199000000,many,822698,4400000,1364270.0,740000.0,0.21",
                Field(3, "milper"),
            ),
            (
                "negative",
                3,
                "710,2014,199000000,2285,822698,4400000,1364270.0,740000.0,-0.21",
                Field(3, "cinc"),
            ),
            (
                "a share above 1",
                3,
                "710,2014,199000000,2285,822698,4400000,1364270.0,740000.0,1.5",
                Field(3, "cinc"),
            ),
            (
                "unknown COW code",
                3,
                "999,2014,1,1,1,1,1,1,0.1",
                Field(3, "ccode"),
            ),
            ("duplicate", 3, "365,2014,1,1,1,1,1,1,0.1", Field(3, "year")),
            (
                "missing column",
                1,
                "ccode,year,milex,milper,irst,pec,tpop,upop,x",
                Header("cinc"),
            ),
        ],
    );
}

#[test]
fn sipri_milex() {
    check(
        "sipri-milex",
        "milex.csv",
        "country,region,subregion,year,measure,value,status,sipri_flag,notes\n\
         Russia,Europe,Eastern Europe,2014,constant_2022_usd_m,80481.93654101797,,,\n\
         Russia,Europe,Eastern Europe,1991,constant_2022_usd_m,,unavailable,,\n",
        &[
            (
                "wrong column count",
                3,
                "Russia,Europe,Eastern Europe,1991,constant_2022_usd_m",
                Row(3),
            ),
            (
                "not a number",
                3,
                "Russia,Europe,Eastern Europe,2015,constant_2022_usd_m,lots,,,",
                Field(3, "value"),
            ),
            (
                "negative",
                3,
                "Russia,Europe,Eastern Europe,2015,constant_2022_usd_m,-1,,,",
                Field(3, "value"),
            ),
            (
                "unknown name",
                3,
                "Atlantis,Europe,Eastern Europe,2015,constant_2022_usd_m,1,,,",
                Field(3, "country"),
            ),
            (
                "unknown measure",
                3,
                "Russia,Europe,Eastern Europe,2015,ppp_usd,1,,,",
                Field(3, "measure"),
            ),
            (
                "empty without status",
                3,
                "Russia,Europe,Eastern Europe,2015,constant_2022_usd_m,,,,",
                Field(3, "value"),
            ),
            (
                "duplicate",
                3,
                "Russia,Europe,Eastern Europe,2014,constant_2022_usd_m,1,,,",
                Field(3, "year"),
            ),
            (
                "missing column",
                1,
                "country,region,subregion,year,x,value,status,sipri_flag,notes",
                Header("measure"),
            ),
        ],
    );
}

#[test]
fn world_bank_long() {
    check(
        "worldbank",
        "gdp_current_usd.csv",
        "country_name,iso3,year,gdp_current_usd\n\
         Russian Federation,RUS,2014,2059241589895.015\n\
         China,CHN,2014,10475682920594.9\n",
        &[
            ("wrong column count", 3, "China,CHN,2014", Row(3)),
            (
                "not a number",
                3,
                "China,CHN,2014,ten",
                Field(3, "gdp_current_usd"),
            ),
            (
                "negative",
                3,
                "China,CHN,2014,-1",
                Field(3, "gdp_current_usd"),
            ),
            ("unknown code", 3, "Atlantis,QQQ,2014,1", Field(3, "iso3")),
            ("duplicate", 3, "Russia,RUS,2014,1", Field(3, "iso3")),
            (
                "missing column",
                1,
                "country_name,iso3,x,gdp_current_usd",
                Header("year"),
            ),
        ],
    );
}

#[test]
fn world_bank_wdi_download() {
    // Four preamble lines, the header on line 5, data from line 6 (the download's layout).
    let good = "\"Data Source\",\"World Development Indicators\",\n\n\"Last Updated Date\",\"2024-06-28\",\n\n\
                \"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"2013\",\"2014\",\n\
                \"Russian Federation\",\"RUS\",\"GDP (current US$)\",\"NY.GDP.MKTP.CD\",\"2288428125697.91\",\"2059241589895.02\",\n\
                \"China\",\"CHN\",\"GDP (current US$)\",\"NY.GDP.MKTP.CD\",\"9570405758739.79\",\"10475682920594.9\",\n";
    check(
        "worldbank",
        "API_NY.GDP.MKTP.CD_DS2.csv",
        good,
        &[
            (
                "wrong column count",
                7,
                "\"China\",\"CHN\",\"GDP (current US$)\",\"NY.GDP.MKTP.CD\",\"1\",",
                Row(7),
            ),
            (
                "not a number",
                7,
                "\"China\",\"CHN\",\"GDP\",\"NY.GDP.MKTP.CD\",\"1\",\"n/a\",",
                Field(7, "2014"),
            ),
            (
                "negative",
                7,
                "\"China\",\"CHN\",\"GDP\",\"NY.GDP.MKTP.CD\",\"-1\",\"1\",",
                Field(7, "2013"),
            ),
            (
                "unknown code",
                7,
                "\"Atlantis\",\"QQQ\",\"GDP\",\"NY.GDP.MKTP.CD\",\"1\",\"1\",",
                Field(7, "Country Code"),
            ),
            (
                "unknown indicator",
                7,
                "\"China\",\"CHN\",\"GDP\",\"XX.YY\",\"1\",\"1\",",
                Field(7, "Indicator Code"),
            ),
            (
                "duplicate",
                7,
                "\"Russia\",\"RUS\",\"GDP\",\"NY.GDP.MKTP.CD\",\"1\",\"1\",",
                Field(7, "Country Code"),
            ),
            (
                "missing column",
                5,
                "\"Country Name\",\"Code\",\"Indicator Name\",\"Indicator Code\",\"2013\",\"2014\",",
                Header("Country Code"),
            ),
        ],
    );
}

#[test]
fn aiddata() {
    check(
        "aiddata",
        "gcdf.csv",
        "ccode,year,oof_amt,oof_adj,oda_amt,oda_adj,vof_amt,vof_adj\n\
         365,2013,43300000000,43000000000,0,0,0,0\n\
         750,2013,1000,1000,0,0,0,0\n",
        &[
            ("wrong column count", 3, "750,2013,1000,1000,0,0,0", Row(3)),
            (
                "not a number",
                3,
                "750,2013,1k,1000,0,0,0,0",
                Field(3, "oof_amt"),
            ),
            (
                "negative",
                3,
                "750,2013,1000,1000,0,0,-5,0",
                Field(3, "vof_amt"),
            ),
            (
                "unknown COW code",
                3,
                "999,2013,1000,1000,0,0,0,0",
                Field(3, "ccode"),
            ),
            ("duplicate", 3, "365,2013,1,1,0,0,0,0", Field(3, "year")),
            (
                "missing column",
                1,
                "ccode,year,oof_amt,oof_adj,oda_amt,oda_adj,vof_amt,x",
                Header("vof_adj"),
            ),
        ],
    );
}

#[test]
fn atop() {
    check(
        "atop",
        "atop.csv",
        "ccode1,ccode2,year,atop_defense,atop_offense,atop_neutral,atop_nonagg,atop_consul\n\
         365,710,2001,0,0,0,0,1\n\
         710,365,2001,0,0,0,0,1\n",
        &[
            ("wrong column count", 3, "710,365,2001,0,0,0,0", Row(3)),
            (
                "not a number",
                3,
                "710,365,2001,0,0,0,0,yes please",
                Field(3, "atop_consul"),
            ),
            (
                "negative",
                3,
                "710,365,2001,0,0,0,0,-1",
                Field(3, "atop_consul"),
            ),
            (
                "unknown COW code",
                3,
                "710,999,2001,0,0,0,0,1",
                Field(3, "ccode2"),
            ),
            ("duplicate", 3, "365,710,2001,0,0,0,0,1", Field(3, "year")),
            (
                "missing column",
                1,
                "ccode1,ccode2,year,atop_defense,atop_offense,atop_neutral,atop_nonagg,x",
                Header("atop_consul"),
            ),
        ],
    );
}

#[test]
fn atop_asymmetric_obligations_are_merged_not_refused() {
    // A defence promise from 2 to 740 only (line 2), as ATOP codes asymmetric treaties: the
    // undirected row has defence (either direction), consultation from both, and the dyad-year is
    // counted once.
    let dir = Dir::new();
    let f = dir.file(
        "atop.csv",
        "ccode1,ccode2,year,atop_defense,atop_offense,atop_neutral,atop_nonagg,atop_consul\n\
         2,740,1960,1,0,0,0,1\n\
         740,2,1960,0,0,0,0,1\n",
    );
    let (sink, stats) = run("atop", &[f]).unwrap();
    let rows: Vec<pivot_sources::canonical::Alliance> = sink.decode("alliances");
    assert_eq!(rows.len(), 1);
    let a = &rows[0];
    assert_eq!(
        (a.state_a.as_str(), a.state_b.as_str(), a.cow_a, a.cow_b),
        ("USA", "JPN", 2, 740)
    );
    assert!(a.defense && a.consul && !a.offense && !a.neutral && !a.nonagg);
    assert!(
        stats.dropped.iter().any(|d| d.starts_with("1 dyad-years")),
        "{:?}",
        stats.dropped
    );
}

#[test]
fn agtpa() {
    let good = "exporter,importer,pair_id,year,trade,dist,cntg,lang,clny,rta,rta_lag3,rta_lag4,rta_lag6,rta_lag8,rta_lag9,rta_lag12,rta_lead4\n\
                ARG,AUS,1,1986,27.76487390676141,12044.574133735276,0,0,0,0,0,0,0,0,0,0,0\n\
                AUS,ARG,1,1986,30.1,12044.574133735276,0,0,0,0,0,0,0,0,0,0,0\n";
    check(
        "agtpa",
        "agtpa.csv",
        good,
        &[
            (
                "wrong column count",
                3,
                "AUS,ARG,1,1986,30.1,12044.5,0,0,0,0,0,0,0,0,0,0",
                Row(3),
            ),
            (
                "not a number",
                3,
                "AUS,ARG,1,1986,30.1,far,0,0,0,0,0,0,0,0,0,0,0",
                Field(3, "dist"),
            ),
            (
                "negative",
                3,
                "AUS,ARG,1,1986,-30.1,12044.5,0,0,0,0,0,0,0,0,0,0,0",
                Field(3, "trade"),
            ),
            (
                "unknown code",
                3,
                "QQQ,ARG,1,1986,30.1,12044.5,0,0,0,0,0,0,0,0,0,0,0",
                Field(3, "exporter"),
            ),
            (
                "dummy not 0/1",
                3,
                "AUS,ARG,1,1986,30.1,12044.5,2,0,0,0,0,0,0,0,0,0,0",
                Field(3, "cntg"),
            ),
            (
                "duplicate",
                3,
                "ARG,AUS,1,1986,30.1,12044.5,0,0,0,0,0,0,0,0,0,0,0",
                Field(3, "year"),
            ),
            (
                "missing column",
                1,
                &good.lines().next().unwrap().replace("rta_lead4", "x"),
                Header("rta_lead4"),
            ),
        ],
    );
}

#[test]
fn baci() {
    let good = "t,i,j,k,v,q\n2021,4,8,010121,12.5,\n2021,643,156,270900,1000,2\n2021,156,643,851712,9856.004,120.3\n";
    check(
        "baci",
        "BACI_HS17_Y2021_V202301.csv",
        good,
        &[
            (
                "wrong column count",
                3,
                "2021,643,156,270900,1000",
                Field(3, "q"),
            ),
            (
                "too many columns",
                3,
                "2021,643,156,270900,1000,2,7",
                Field(3, "q"),
            ),
            // The example of the brief: the 4th line has v = abc.
            (
                "not a number",
                4,
                "2021,156,643,851712,abc,120.3",
                Field(4, "v"),
            ),
            (
                "negative",
                4,
                "2021,156,643,851712,9856.004,-120.3",
                Field(4, "q"),
            ),
            (
                "unknown exporter",
                3,
                "2021,998,156,270900,1000,2",
                Field(3, "i"),
            ),
            (
                "unknown importer",
                3,
                "2021,643,997,270900,1000,2",
                Field(3, "j"),
            ),
            (
                "importer code too long",
                3,
                "2021,643,1560,270900,1000,2",
                Field(3, "j"),
            ),
            (
                "HS code too long",
                3,
                "2021,643,156,2709001,1000,2",
                Field(3, "k"),
            ),
            ("duplicate", 4, "2021,643,156,270900,5,", Field(4, "k")),
            ("missing column", 1, "t,i,j,k,v", Header("q")),
            // Issue 27: a file named Y2021 holding another year, and a flow from a country
            // to itself, were accepted.
            (
                "a year other than the file name's",
                3,
                "2019,643,156,270900,1000,2",
                Field(3, "t"),
            ),
            (
                "a flow to the exporter itself",
                3,
                "2021,643,643,270900,1000,2",
                Field(3, "j"),
            ),
        ],
    );
}

#[test]
fn baci_code_list() {
    let dir = Dir::new();
    let data = dir.file(
        "BACI_HS17_Y2021_V202301.csv",
        "t,i,j,k,v,q\n2021,4,8,010121,12.5,\n",
    );
    let codes = dir.file(
        "country_codes_V202301.csv",
        "country_code,country_name_abbreviation,country_name_full,iso_2digit_alpha,iso_3digit_alpha\n4,Afghanistan,Afghanistan,AF,AFG\n998,Atlantis,Atlantis,QQ,QQQ\n",
    );
    let err = run("baci", &[codes, data]).unwrap_err();
    assert_field(&err, "country_codes_V202301.csv", 3, "iso_3digit_alpha");
}

#[test]
fn comtrade() {
    let good = "refYear,reporterCode,reporterISO,flowCode,partnerCode,partnerISO,partner2Code,cmdCode,customsCode,motCode,netWgt,primaryValue\n\
                2021,156,CHN,M,643,RUS,0,2709,C00,0,79640000000,58720000000\n\
                2021,643,RUS,X,156,CHN,0,TOTAL,C00,0,,68000000000\n";
    check(
        "comtrade",
        "comtrade.csv",
        good,
        &[
            (
                "wrong column count",
                3,
                "2021,643,RUS,X,156,CHN,0,TOTAL,C00,0,",
                Row(3),
            ),
            (
                "not a number",
                3,
                "2021,643,RUS,X,156,CHN,0,TOTAL,C00,0,,68bn",
                Field(3, "primaryValue"),
            ),
            (
                "negative",
                3,
                "2021,643,RUS,X,156,CHN,0,TOTAL,C00,0,-1,68000000000",
                Field(3, "netWgt"),
            ),
            (
                "unknown partner",
                3,
                "2021,643,RUS,X,998,,0,TOTAL,C00,0,,68000000000",
                Field(3, "partnerCode"),
            ),
            (
                "unknown flow",
                3,
                "2021,643,RUS,Z,156,CHN,0,TOTAL,C00,0,,68000000000",
                Field(3, "flowCode"),
            ),
            (
                "not an HS code",
                3,
                "2021,643,RUS,X,156,CHN,0,27AB,C00,0,,68000000000",
                Field(3, "cmdCode"),
            ),
            (
                "duplicate",
                3,
                "2021,156,CHN,M,643,RUS,0,2709,C00,0,1,1",
                Field(3, "cmdCode"),
            ),
            (
                "missing column",
                1,
                "refYear,reporterCode,reporterISO,flowCode,partnerCode,partnerISO,partner2Code,cmdCode,customsCode,motCode,netWgt,x",
                Header("primaryValue"),
            ),
        ],
    );
}

#[test]
fn imf_dots() {
    // The bundled layout (SOURCES.md §13): unnamed index, from, to, one column per year. Line 2
    // is an aggregate row (dropped), line 4 has Namibia (`NA`) as reporter.
    let good = ",from,to,2019,2020\n\
                0,RU,W00,419731.7,337884.8\n\
                1,RU,CN,54937.5,49583.1\n\
                2,NA,ZA,1016.4,813.5\n\
                3,CN,RU,49484.5,50608.4\n";
    check(
        "imf-dots",
        "imf_dots.csv",
        good,
        &[
            ("wrong column count", 3, "1,RU,CN,54937.5", Row(3)),
            ("unknown code", 3, "1,RU,ZZ,54937.5,49583.1", Field(3, "to")),
            (
                "unknown code with a digit, not an IMF aggregate",
                3,
                "1,Q1,CN,54937.5,49583.1",
                Field(3, "from"),
            ),
            (
                "unknown code beside an aggregate",
                2,
                "0,ZZ,W00,419731.7,337884.8",
                Field(2, "from"),
            ),
            (
                "lower-case code",
                4,
                "2,na,ZA,1016.4,813.5",
                Field(4, "from"),
            ),
            ("empty code", 4, "2,,ZA,1016.4,813.5", Field(4, "from")),
            ("not a number", 3, "1,RU,CN,54937.5,n/a", Field(3, "2020")),
            ("empty value", 3, "1,RU,CN,,49583.1", Field(3, "2019")),
            ("NA as a value", 3, "1,RU,CN,NA,49583.1", Field(3, "2019")),
            ("negative", 3, "1,RU,CN,54937.5,-0.1", Field(3, "2020")),
            // Issue 27: values that summed to infinity were accepted.
            (
                "a value past any trade flow",
                3,
                "1,RU,CN,1e308,49583.1",
                Field(3, "2019"),
            ),
            ("own trade", 3, "1,RU,RU,54937.5,49583.1", Field(3, "to")),
            ("duplicate pair", 5, "3,RU,CN,1.0,2.0", Field(5, "to")),
            ("missing column", 1, ",from,partner,2019,2020", Header("to")),
            ("no year column", 1, ",from,to,y2019,y2020", Header("year")),
            // Issue 27: a column `abcd` was dropped silently.
            (
                "a column that is neither from, to nor a year",
                1,
                ",from,to,2019,abcd",
                Row(1),
            ),
        ],
    );
}

#[test]
fn baci_totals() {
    // The bundled layout (SOURCES.md §15): year, exporter, importer (BACI country codes),
    // trade_value_usd in thousand USD. 699 is BACI's India, 490 Taiwan.
    let good = "year,exporter,importer,trade_value_usd\n\
                2023,643,156,129002538.475\n\
                2023,156,643,110013940.831\n\
                2023,643,699,66149331.878\n\
                2023,490,643,2.5\n";
    check(
        "baci-totals",
        "baci_dyad_totals.csv",
        good,
        &[
            ("wrong column count", 3, "2023,156,643", Row(3)),
            ("unknown code", 3, "2023,999,643,1.0", Field(3, "exporter")),
            (
                "code past 999",
                3,
                "2023,1156,643,1.0",
                Field(3, "exporter"),
            ),
            (
                "ISO3 instead of a code",
                3,
                "2023,CHN,RUS,1.0",
                Field(3, "exporter"),
            ),
            ("not a year", 2, "20x3,643,156,1.0", Field(2, "year")),
            ("implausible year", 2, "23,643,156,1.0", Field(2, "year")),
            ("own trade", 3, "2023,156,156,1.0", Field(3, "importer")),
            (
                "empty value",
                3,
                "2023,156,643,",
                Field(3, "trade_value_usd"),
            ),
            (
                "negative",
                3,
                "2023,156,643,-0.1",
                Field(3, "trade_value_usd"),
            ),
            (
                "not a number",
                3,
                "2023,156,643,n/a",
                Field(3, "trade_value_usd"),
            ),
            ("NaN", 3, "2023,156,643,NaN", Field(3, "trade_value_usd")),
            (
                "infinite",
                3,
                "2023,156,643,inf",
                Field(3, "trade_value_usd"),
            ),
            (
                "a value past any trade flow",
                3,
                "2023,156,643,1e300",
                Field(3, "trade_value_usd"),
            ),
            (
                "duplicate pair",
                4,
                "2023,643,156,1.0",
                Field(4, "importer"),
            ),
            // 356 is India's ISO numeric code, 699 BACI's: the same state twice in one year
            // would count its trade twice.
            (
                "two codes of one state",
                5,
                "2023,643,356,1.0",
                Field(5, "importer"),
            ),
            (
                "missing column",
                1,
                "year,exporter,importer,value",
                Header("trade_value_usd"),
            ),
        ],
    );
}

#[test]
fn bsv_ideal_points() {
    // The bundled layout (SOURCES.md §14), Russia 2022 and 2024 and China 2022 from the file;
    // 2024 has only the fp series.
    let good = "ccode,iso3c,countryname,year,idealpointfp,idealpointall,idealpointlegacy,nvotesfp,qofp,q5fp,q10fp,q50fp,q90fp,q95fp,q100fp,nvotesall,qoall,q5all,q10all,q50all,q90all,q95all,q100all,nvotesLegacy\n\
                365,RUS,Russia,2022,-0.8089999,-1.413724,-0.5057471,88,-1.4,-0.9785248,-0.95,-0.8100555,-0.67,-0.6342997,-0.2,194,-1.9,-1.541091,-1.5,-1.415651,-1.3,-1.288314,-0.9,88\n\
                365,RUS,Russia,2024,-0.5984852,,,101,-1.2,-0.7426238,-0.7,-0.6019869,-0.5,-0.4562058,0.1,,,,,,,,,\n\
                710,CHN,China,2022,-1.35095,-1.407901,-1.092473,87,-1.9,-1.565841,-1.5,-1.345439,-1.2,-1.130876,-0.7,192,-1.9,-1.547345,-1.5,-1.406589,-1.3,-1.281682,-0.9,87\n";
    let row2 = |f: &dyn Fn(&mut Vec<&str>)| {
        let mut v: Vec<&str> = "365,RUS,Russia,2022,-0.8089999,-1.413724,-0.5057471,88,-1.4,-0.9785248,-0.95,-0.8100555,-0.67,-0.6342997,-0.2,194,-1.9,-1.541091,-1.5,-1.415651,-1.3,-1.288314,-0.9,88".split(',').collect();
        f(&mut v);
        v.join(",")
    };
    let cases: Vec<(&str, usize, String, Expect)> = vec![
        ("unknown COW code", 2, row2(&|v| v[0] = "999"), Field(2, "ccode")),
        ("not a year", 2, row2(&|v| v[3] = "20x2"), Field(2, "year")),
        ("estimate not a number", 2, row2(&|v| v[5] = "abc"), Field(2, "idealpointall")),
        ("estimate infinite", 2, row2(&|v| v[5] = "inf"), Field(2, "idealpointall")),
        ("quantile missing", 2, row2(&|v| v[17] = ""), Field(2, "q5all")),
        ("quantiles out of order", 2, row2(&|v| v[17] = "-1.0"), Field(2, "q50all")),
        ("negative vote count", 2, row2(&|v| v[15] = "-1"), Field(2, "nvotesall")),
        ("duplicate state-year", 4, row2(&|_| {}), Field(4, "year")),
        ("missing column", 1, "ccode,iso3c,countryname,year,idealpointfp,idealpointall,idealpointlegacy,nvotesfp,qofp,q5fp,q10fp,q50fp,q90fp,q95fp,q100fp,nvotesall,qoall,q5all,q10all,q50all,q90all,q100all,nvotesLegacy".to_string(), Header("q95all")),
    ];
    let cases: Vec<(&str, usize, &str, Expect)> = cases
        .iter()
        .map(|(w, l, t, e)| (*w, *l, t.as_str(), *e))
        .collect();
    check("bsv-ideal-points", "bsv_idealpoints.csv", good, &cases);
}

/// A GDELT 2.0 line (61 tab-separated fields) with the given date, QuadClass and Goldstein.
fn gdelt2(date: &str, quad: &str, goldstein: &str) -> String {
    let mut f = vec![""; 61];
    f[0] = "1";
    f[1] = date;
    f[7] = "RUS";
    f[17] = "UKR";
    f[26] = "190";
    f[29] = quad;
    f[30] = goldstein;
    f[31] = "20";
    f[34] = "-7.1";
    f.join("\t")
}

#[test]
fn gdelt() {
    let good = format!(
        "{}\n{}\n",
        gdelt2("20220224", "4", "-10"),
        gdelt2("20220225", "4", "-10")
    );
    let mut short = gdelt2("20220225", "4", "-10");
    short.truncate(short.rfind('\t').unwrap()); // 60 fields: neither layout
    check(
        "gdelt",
        "20220224053000.export.CSV",
        &good,
        &[
            ("wrong column count", 2, &short, Row(2)),
            (
                "not a number",
                2,
                &gdelt2("20220225", "4", "ten"),
                Field(2, "GoldsteinScale"),
            ),
            (
                "out of range",
                2,
                &gdelt2("20220225", "4", "-11"),
                Field(2, "GoldsteinScale"),
            ),
            (
                "QuadClass not 1-4",
                2,
                &gdelt2("20220225", "7", "1"),
                Field(2, "QuadClass"),
            ),
            (
                "date not YYYYMMDD",
                2,
                &gdelt2("2022-02-25", "4", "1"),
                Field(2, "SQLDATE"),
            ),
            (
                "negative mentions",
                2,
                &gdelt2("20220225", "4", "1").replace("\t20\t", "\t-20\t"),
                Field(2, "NumMentions"),
            ),
        ],
    );
    // Unknown actor countries are not errors (GDELT codes regions too): they are counted.
    let dir = Dir::new();
    let (sink, stats) = run(
        "gdelt",
        &[dir.file(
            "e.CSV",
            gdelt2("20220224", "4", "-10").replace("\tRUS\t", "\tXYZ\t"),
        )],
    )
    .unwrap();
    assert_eq!(sink.rows("events"), 1);
    assert!(
        stats.dropped.iter().any(|d| d.starts_with("1 actor")),
        "{:?}",
        stats.dropped
    );
}

#[test]
fn icews() {
    let good = "Event ID\tEvent Date\tSource Name\tSource Country\tEvent Text\tCAMEO Code\tIntensity\tTarget Name\tTarget Country\n\
                1\t2014-05-20\tVladimir Putin\tRussian Federation\tExpress intent to cooperate\t036\t4\tXi Jinping\tChina\n\
                2\t2014-05-22\tMilitary (Russia)\tRussian Federation\tUse conventional military force\t190\t-10\tArmed Rebel (Ukraine)\tUkraine\n";
    check(
        "icews",
        "events.tab",
        good,
        &[
            (
                "wrong column count",
                3,
                "2\t2014-05-22\tMilitary (Russia)\tRussian Federation\tUse force\t190\t-10\tRebels",
                Row(3),
            ),
            (
                "not a number",
                3,
                "2\t2014-05-22\tM\tRussian Federation\tUse force\t190\tstrong\tR\tUkraine",
                Field(3, "Intensity"),
            ),
            (
                "out of range",
                3,
                "2\t2014-05-22\tM\tRussian Federation\tUse force\t190\t-11\tR\tUkraine",
                Field(3, "Intensity"),
            ),
            (
                "not a CAMEO code",
                3,
                "2\t2014-05-22\tM\tRussian Federation\tUse force\t000\t-10\tR\tUkraine",
                Field(3, "CAMEO Code"),
            ),
            (
                "not a date",
                3,
                "2\tMay 2014\tM\tRussian Federation\tUse force\t190\t-10\tR\tUkraine",
                Field(3, "Event Date"),
            ),
            (
                "missing column",
                1,
                "Event ID\tEvent Date\tSource Name\tSource Country\tEvent Text\tCAMEO\tIntensity\tTarget Name\tTarget Country",
                Header("CAMEO Code"),
            ),
        ],
    );
}

/// Issue 17, found by `bench/fuzz/run.sh` (adapter_unvotes, crash-f77d528b: the header
/// `rcid,cou~try,country_code,vote`): a votes, roll-call or issues file recognised by one column
/// but lacking another the adapter reads panicked ("no entry found for key"); it is now a
/// header error naming the missing column.
#[test]
fn issue_17_unvotes_layout_without_a_column_it_reads() {
    check(
        "unvotes",
        "un_votes.csv",
        "rcid,country,country_code,vote\n3,United States,US,yes\n",
        &[(
            "fuzz crash-f77d528b",
            1,
            "rcid,cou~try,country_code,vote",
            Header("country"),
        )],
    );
    check(
        "unvotes",
        "un_roll_calls.csv",
        "rcid,session,importantvote,date,unres,amend,para,short,descr\n\
         3,1,0,1946-01-01,R/1/66,1,0,S,TO ADOPT\n",
        &[(
            "no descr",
            1,
            "rcid,session,importantvote,date,unres,amend,para,short,d",
            Header("descr"),
        )],
    );
    check(
        "unvotes",
        "un_roll_call_issues.csv",
        "rcid,short_name,issue\n3,me,Palestinian conflict\n",
        &[("no issue", 1, "rcid,short_name,topic", Header("issue"))],
    );
}
