//! The tidy CSV behind every chart and table.
//!
//! Charts give one row per point: `series,x,y,unit` (missing values are
//! empty). Tables keep their columns, with numbers at full precision rather
//! than as displayed. Claims tables give `id,claim,verdict,evidence,links`.

use crate::error::ReportError;
use crate::format::plain_number;
use crate::model::{Chart, ClaimsTable, Table};

fn to_string(id: &str, rows: Vec<Vec<String>>) -> Result<String, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.write_record(&row).map_err(|source| ReportError::Csv {
            id: id.to_string(),
            source,
        })?;
    }
    let bytes = w.into_inner().map_err(|e| ReportError::Csv {
        id: id.to_string(),
        source: e.into_error().into(),
    })?;
    // Every field came from a Rust `String`, so the bytes are UTF-8.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The data behind a chart as CSV with header `series,x,y,unit`, one row per point.
pub fn chart_csv(chart: &Chart) -> Result<String, ReportError> {
    let mut rows = vec![vec![
        "series".to_string(),
        "x".to_string(),
        "y".to_string(),
        "unit".to_string(),
    ]];
    for s in &chart.series {
        for p in &s.points {
            rows.push(vec![
                s.name.clone(),
                p.x.label(),
                plain_number(p.y),
                chart.y_unit.clone(),
            ]);
        }
    }
    to_string(&chart.id, rows)
}

/// The data behind a table as CSV: its columns, numbers at full precision.
pub fn table_csv(table: &Table) -> Result<String, ReportError> {
    let mut rows = vec![table.columns.clone()];
    rows.extend(
        table
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.csv_value()).collect()),
    );
    to_string(&table.id, rows)
}

/// The claims as CSV with header `id,claim,verdict,evidence,links`
/// (links separated by spaces).
pub fn claims_csv(claims: &ClaimsTable) -> Result<String, ReportError> {
    let mut rows = vec![
        ["id", "claim", "verdict", "evidence", "links"]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
    ];
    for r in &claims.rows {
        rows.push(vec![
            r.id.clone(),
            r.claim.clone(),
            r.verdict.label().to_string(),
            r.evidence.clone(),
            r.links.join(" "),
        ]);
    }
    to_string(&claims.id, rows)
}
