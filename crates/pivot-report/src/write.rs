//! Writing a rendered report to a folder.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::ReportError;

/// Folder (inside the output folder) holding one SVG per chart.
pub const CHARTS_DIR: &str = "charts";
/// Folder (inside the output folder) holding one CSV per chart and table.
pub const DATA_DIR: &str = "data";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `contents` to `path` through a temporary file in the same folder
/// and a rename, so a reader never sees a half-written file.
fn write_atomic(path: &Path, contents: &str) -> Result<(), ReportError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".pivot-report-")
        .tempfile_in(dir)
        .map_err(io(path))?;
    tmp.write_all(contents.as_bytes()).map_err(io(path))?;
    tmp.as_file().sync_all().map_err(io(path))?;
    tmp.persist(path).map_err(|e| ReportError::Io {
        path: path.to_path_buf(),
        source: e.error,
    })?;
    Ok(())
}

/// Renders the report and writes, under `out_dir` (created if needed):
/// `report.html`, `report.md`, `charts/<chart id>.svg` and
/// `data/<id>.csv` for every chart, table and claims table.
///
/// Everything is rendered in memory first, so an invalid report writes
/// nothing; each file is written to a temporary file and renamed into place.
/// Files already in the folder that this report does not produce are left
/// alone. Returns the paths in the order written: chart SVGs, CSVs, then
/// `report.md` and `report.html` last.
pub fn write_report(report: &crate::Report, out_dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let idx = report.index()?;
    let svgs = crate::render_all_svgs(report)?;
    let html = crate::html::html_with(report, &idx, &svgs);
    let md = crate::markdown::markdown_with(report, &idx, CHARTS_DIR);

    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for c in report.charts() {
        if let Some(svg) = svgs.get(&c.id) {
            files.push((
                out_dir.join(CHARTS_DIR).join(format!("{}.svg", c.id)),
                svg.clone(),
            ));
        }
    }
    for c in report.charts() {
        files.push((
            out_dir.join(DATA_DIR).join(format!("{}.csv", c.id)),
            crate::chart_csv(c)?,
        ));
    }
    for t in report.tables() {
        files.push((
            out_dir.join(DATA_DIR).join(format!("{}.csv", t.id)),
            crate::table_csv(t)?,
        ));
    }
    for c in report.claims_tables() {
        files.push((
            out_dir.join(DATA_DIR).join(format!("{}.csv", c.id)),
            crate::claims_csv(c)?,
        ));
    }

    // The documents go last, so whoever sees a new report.html finds its
    // charts and data already in place.
    files.push((out_dir.join("report.md"), md));
    files.push((out_dir.join("report.html"), html));

    for dir in [
        out_dir.to_path_buf(),
        out_dir.join(CHARTS_DIR),
        out_dir.join(DATA_DIR),
    ] {
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    }
    let mut written = Vec::with_capacity(files.len());
    for (path, contents) in files {
        write_atomic(&path, &contents)?;
        written.push(path);
    }
    Ok(written)
}
