//! AEI/Heritage China Global Investment Tracker workbook (users' own download; it may not be
//! redistributed). Sheets "Dataset 1" (investment), "Dataset 2" (construction) and "Dataset 3"
//! (troubled transactions) each start with a title block, then a header row with `Year, Month,
//! Investor|Contractor|Chinese Entity, Quantity in Millions, …, Sector, Subsector, Country,
//! Region, …`. Amounts are million current USD, deals of USD 100m or more → `finance_flows`
//! with lender CHN and class `investment`, `construction` or `troubled`.
//!
//! Countries are names; the tracker's short forms that are not in the country table ("Britain",
//! "USA", "Bosnia", "DRC", "Sao Tome") are mapped here.

use calamine::{Data, Reader, open_workbook_auto};

use super::{Adapter, Ctx, Stats, info};
use crate::canonical::{Batcher, FinanceFlow};
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// The AEI tracker adapter.
pub struct AeiTracker;

const SHEETS: &[(&str, &str)] = &[
    ("Dataset 1", "investment"),
    ("Dataset 2", "construction"),
    ("Dataset 3", "troubled"),
];

fn cell_str(d: &Data) -> String {
    match d {
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn cell_num(d: &Data) -> Option<f64> {
    match d {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        Data::String(s) => s.trim().replace(',', "").parse().ok(),
        _ => None,
    }
}

/// The tracker's short country names that pivot's name table does not hold.
const AEI_NAMES: &[(&str, &str)] = &[
    ("Britain", "GBR"),
    ("USA", "USA"),
    ("UAE", "ARE"),
    ("Bosnia", "BIH"),
    ("DRC", "COD"),
    ("Sao Tome", "STP"),
];

fn aei_country(ctx: &Ctx<'_>, name: &str) -> Option<String> {
    ctx.name_iso3(name).or_else(|| {
        AEI_NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, iso3)| iso3.to_string())
    })
}

impl Adapter for AeiTracker {
    fn name(&self) -> &'static str {
        "aei"
    }
    fn summary(&self) -> &'static str {
        "AEI China Global Investment Tracker workbook (.xlsx, your own download)"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "aei_cgit",
            "China Global Investment Tracker",
            "American Enterprise Institute and The Heritage Foundation",
            "user download",
            "All rights reserved (AEI/Heritage): not redistributable; ingest your own download",
            "American Enterprise Institute and The Heritage Foundation, China Global Investment Tracker (Derek Scissors), https://www.aei.org/china-global-investment-tracker/.",
            "@misc{aei_cgit,\n  author = {{American Enterprise Institute and The Heritage Foundation}},\n  title = {China Global Investment Tracker},\n  url = {https://www.aei.org/china-global-investment-tracker/}\n}",
            &["finance_flows"],
            &[
                "Million current USD; only transactions of USD 100m or more; do not add to AidData official finance.",
            ],
        )
    }
    fn read(
        &self,
        inputs: &[Input],
        ctx: &Ctx<'_>,
        sink: &mut dyn TableSink,
    ) -> Result<Stats, SourceError> {
        let mut stats = Stats::default();
        let mut out = Batcher::<FinanceFlow>::new(None);
        for input in inputs {
            let Input::File(path) = input else {
                return Err(SourceError::Bug {
                    adapter: "aei".into(),
                    message: "workbooks are read from files".into(),
                });
            };
            let file = input.name();
            let mut wb = open_workbook_auto(path).map_err(|e| SourceError::Row {
                file: file.clone(),
                line: 0,
                problem: format!("not a readable workbook: {e}"),
            })?;
            let mut found = 0;
            for (sheet, class) in SHEETS {
                let Ok(range) = wb.worksheet_range(sheet) else {
                    continue;
                };
                found += 1;
                let rows: Vec<&[Data]> = range.rows().collect();
                let start_row = range.start().map(|(r, _)| r as u64).unwrap_or(0);
                let hidx = rows
                    .iter()
                    .take(15)
                    .position(|r| {
                        r.iter().any(|c| cell_str(c) == "Year")
                            && r.iter().any(|c| cell_str(c) == "Country")
                    })
                    .ok_or_else(|| SourceError::Header {
                        file: format!("{file} sheet '{sheet}'"),
                        line: 1,
                        missing: "a header row with Year and Country".into(),
                        found: String::new(),
                        format: "AEI China Global Investment Tracker".into(),
                    })?;
                let header: Vec<String> = rows[hidx].iter().map(cell_str).collect();
                let col = |n: &str| header.iter().position(|h| h == n);
                let need = ["Year", "Quantity in Millions", "Country", "Sector"];
                let missing: Vec<&str> =
                    need.iter().copied().filter(|n| col(n).is_none()).collect();
                if !missing.is_empty() {
                    return Err(SourceError::Header {
                        file: format!("{file} sheet '{sheet}'"),
                        line: start_row + hidx as u64 + 1,
                        missing: missing.join(", "),
                        found: header.join(", "),
                        format: "AEI China Global Investment Tracker".into(),
                    });
                }
                let (cy, cq, cc, cs) = (
                    col("Year").unwrap_or(0),
                    col("Quantity in Millions").unwrap_or(0),
                    col("Country").unwrap_or(0),
                    col("Sector").unwrap_or(0),
                );
                for (k, r) in rows.iter().enumerate().skip(hidx + 1) {
                    let line = start_row + k as u64 + 1;
                    let get = |i: usize| r.get(i).unwrap_or(&Data::Empty);
                    if r.iter().all(|c| matches!(c, Data::Empty)) {
                        continue;
                    }
                    let bad = |field: &str, d: &Data, problem: &str| SourceError::Field {
                        file: format!("{file} sheet '{sheet}'"),
                        line,
                        field: field.into(),
                        value: cell_str(d),
                        problem: problem.into(),
                    };
                    let year = cell_num(get(cy))
                        .filter(|y| y.fract() == 0.0 && (1990.0..=2100.0).contains(y))
                        .ok_or_else(|| bad("Year", get(cy), "is not a year"))?
                        as i32;
                    let amount = cell_num(get(cq))
                        .ok_or_else(|| bad("Quantity in Millions", get(cq), "is not a number"))?;
                    if amount < 0.0 {
                        return Err(bad("Quantity in Millions", get(cq), "is negative"));
                    }
                    let cname = cell_str(get(cc));
                    let recipient = aei_country(ctx, &cname)
                        .ok_or_else(|| bad("Country", get(cc), "is not a country pivot knows"))?;
                    stats.year(year);
                    out.push(
                        FinanceFlow {
                            lender: "CHN".into(),
                            recipient,
                            year,
                            flow_class: class.to_string(),
                            amount,
                            amount_adjusted: None,
                            unit: "million current USD".into(),
                            sector: Some(cell_str(get(cs))).filter(|s| !s.is_empty()),
                            source: "aei_cgit".into(),
                        },
                        sink,
                    )?;
                }
            }
            if found == 0 {
                return Err(SourceError::Header {
                    file,
                    line: 0,
                    missing: "sheets 'Dataset 1', 'Dataset 2' or 'Dataset 3'".into(),
                    found: wb.sheet_names().join(", "),
                    format: "AEI China Global Investment Tracker".into(),
                });
            }
        }
        out.flush(sink)?;
        stats.add("finance_flows", out.total);
        Ok(stats)
    }
}
