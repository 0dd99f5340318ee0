//! pivot-report: the rendering layer of pivot.
//!
//! It turns a [`Report`] — sections of paragraphs, charts, tables and a
//! claims table, all filled with numbers the engine has already computed —
//! into:
//!
//! - one self-contained HTML file ([`render_html`]): inline CSS and SVG, a
//!   table of contents, an anchor per chart, table and claim, and no external
//!   URL of any kind, so it opens from disk and prints cleanly;
//! - the same content as Markdown ([`render_markdown`]) with charts as SVG
//!   files beside it;
//! - the tidy CSV behind every chart and table ([`chart_csv`], [`table_csv`],
//!   [`claims_csv`]);
//! - all of the above on disk ([`write_report`]).
//!
//! Charts ([`render_svg`]) are drawn with plotters' SVG backend and measured
//! with the embedded DejaVu Sans, in the Okabe–Ito palette; each SVG carries
//! its title, legend, axis labels with units, source line and method note.
//!
//! This crate computes no measure and does no I/O except in [`write_report`].
//!
//! ```
//! use pivot_report::*;
//! let report = Report {
//!     title: "Example (sample data)".into(),
//!     sections: vec![Section {
//!         id: "trade".into(),
//!         heading: "Trade".into(),
//!         blocks: vec![Block::Chart(Chart {
//!             id: "share".into(),
//!             title: "A share over time (sample data)".into(),
//!             x_label: "Year".into(),
//!             y_label: "Share".into(),
//!             y_unit: "%".into(),
//!             series: vec![Series {
//!                 name: "China".into(),
//!                 points: vec![Point::num(2000.0, 5.0), Point::num(2001.0, 6.0)],
//!                 highlight: true,
//!             }],
//!             source: "Source: sample data".into(),
//!             ..Chart::default()
//!         })],
//!     }],
//!     ..Report::default()
//! };
//! let html = render_html(&report).unwrap();
//! assert!(html.contains("<svg"));
//! ```

mod chart;
mod data;
mod error;
mod format;
mod html;
mod markdown;
mod model;
pub mod sample;
mod write;

use std::collections::HashMap;

pub use chart::{PALETTE, WIDTH, render_svg};
pub use data::{chart_csv, claims_csv, table_csv};
pub use error::ReportError;
pub use format::{grouped as format_grouped, plain_number as format_plain};
pub use html::render_html;
pub use markdown::render_markdown;
pub use model::{
    Annotation, Block, Cell, Chart, ChartKind, Citation, ClaimRow, ClaimsTable, Point,
    RESERVED_IDS, Report, Section, Series, Table, Verdict, XValue,
};
pub use write::{CHARTS_DIR, DATA_DIR, write_report};

/// Renders every chart of the report once, keyed by chart id.
pub(crate) fn render_all_svgs(report: &Report) -> Result<HashMap<String, String>, ReportError> {
    report
        .charts()
        .map(|c| render_svg(c).map(|s| (c.id.clone(), s)))
        .collect()
}
