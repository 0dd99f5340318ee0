//! The same content as Markdown (GitHub-flavoured tables), with each chart
//! referenced as an SVG file beside it.

use std::fmt::Write as _;

use crate::error::ReportError;
use crate::format::md_escape as esc;
use crate::model::{Block, Cell, Index, Report, Table};

/// Renders the report as Markdown. Charts are referenced as
/// `<svg_dir_rel>/<chart id>.svg`; the returned list holds those files as
/// `(file name, SVG text)`, to be written into `svg_dir_rel`.
pub fn render_markdown(
    report: &Report,
    svg_dir_rel: &str,
) -> Result<(String, Vec<(String, String)>), ReportError> {
    let idx = report.index()?;
    let svgs = crate::render_all_svgs(report)?;
    let md = markdown_with(report, &idx, svg_dir_rel);
    let files = report
        .charts()
        .filter_map(|c| {
            svgs.get(&c.id)
                .map(|s| (format!("{}.svg", c.id), s.clone()))
        })
        .collect();
    Ok((md, files))
}

fn join_dir(dir: &str, file: &str) -> String {
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() || dir == "." {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}

fn note(source: &str, method: &str) -> String {
    esc(&crate::format::source_method(source, method))
}

pub(crate) fn markdown_with(report: &Report, idx: &Index, svg_dir_rel: &str) -> String {
    let mut m = String::with_capacity(16 * 1024);
    let _ = writeln!(m, "# {}\n", esc(&report.title));
    if let Some(s) = report.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(m, "*{}*\n", esc(s));
    }
    if let Some(s) = report
        .generated_note
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        let _ = writeln!(m, "{}\n", esc(s));
    }
    m.push_str("## Contents\n\n");
    for s in &report.sections {
        let _ = writeln!(m, "- [{}](#{})", esc(&s.heading), s.id);
    }
    if !report.limits.is_empty() {
        m.push_str("- [Limits of this report](#limits)\n");
    }
    if !report.citations.is_empty() {
        m.push_str("- [References](#references)\n");
    }
    m.push('\n');
    let _ = idx;
    for section in &report.sections {
        let _ = writeln!(
            m,
            "<a id=\"{}\"></a>\n\n## {}\n",
            section.id,
            esc(&section.heading)
        );
        for block in &section.blocks {
            match block {
                Block::Paragraph(p) => {
                    let _ = writeln!(m, "{}\n", esc(p));
                }
                Block::Chart(c) => {
                    let label = idx.link_label(&c.id);
                    let file = join_dir(svg_dir_rel, &format!("{}.svg", c.id));
                    let _ = writeln!(
                        m,
                        "<a id=\"{id}\"></a>\n\n![{label}: {title}]({file})\n\n*{label}. {title}.* {note} Data: [data/{id}.csv](data/{id}.csv)\n",
                        id = c.id,
                        title = esc(&c.title),
                        note = note(&c.source, &c.method),
                    );
                }
                Block::Table(t) => table(&mut m, t, idx),
                Block::Claims(c) => {
                    let _ = writeln!(m, "<a id=\"{}\"></a>\n", c.id);
                    if !c.title.is_empty() {
                        let _ = writeln!(m, "**{}**\n", esc(&c.title));
                    }
                    m.push_str("| # | Claim | Verdict | Evidence | See |\n|---|---|---|---|---|\n");
                    for r in &c.rows {
                        let links: Vec<String> = r
                            .links
                            .iter()
                            .map(|l| format!("[{}](#{})", esc(&idx.link_label(l)), l))
                            .collect();
                        let _ = writeln!(
                            m,
                            "| <a id=\"claim-{id}\"></a>{id} | {} | {} {} | {} | {} |",
                            esc(&r.claim),
                            r.verdict.symbol(),
                            r.verdict.label(),
                            esc(&r.evidence),
                            links.join(", "),
                            id = r.id,
                        );
                    }
                    let _ = writeln!(m, "\nData: [data/{id}.csv](data/{id}.csv)\n", id = c.id);
                }
            }
        }
    }
    if !report.limits.is_empty() {
        m.push_str("<a id=\"limits\"></a>\n\n## Limits of this report\n\n");
        for l in &report.limits {
            let _ = writeln!(m, "- {}", esc(l));
        }
        m.push('\n');
    }
    if !report.citations.is_empty() {
        m.push_str("<a id=\"references\"></a>\n\n## References\n\n");
        for (i, c) in report.citations.iter().enumerate() {
            let _ = writeln!(
                m,
                "{}. <a id=\"cite-{key}\"></a>\\[{key}\\] {}",
                i + 1,
                esc(&c.text),
                key = c.key
            );
        }
    }
    m
}

fn table(m: &mut String, t: &Table, idx: &Index) {
    let numeric: Vec<bool> = (0..t.columns.len())
        .map(|c| {
            t.rows
                .iter()
                .any(|r| matches!(r.get(c), Some(Cell::Number { .. })))
                && t.rows
                    .iter()
                    .all(|r| !matches!(r.get(c), Some(Cell::Text(_))))
        })
        .collect();
    let _ = writeln!(
        m,
        "<a id=\"{}\"></a>\n\n**{}. {}**\n",
        t.id,
        idx.link_label(&t.id),
        esc(&t.title)
    );
    let head: Vec<String> = t.columns.iter().map(|c| esc(c)).collect();
    let _ = writeln!(m, "| {} |", head.join(" | "));
    let align: Vec<&str> = numeric
        .iter()
        .map(|n| if *n { "---:" } else { "---" })
        .collect();
    let _ = writeln!(m, "|{}|", align.join("|"));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| esc(&c.display())).collect();
        let _ = writeln!(m, "| {} |", cells.join(" | "));
    }
    let _ = writeln!(
        m,
        "\n{} Data: [data/{id}.csv](data/{id}.csv)\n",
        note(&t.source, &t.method),
        id = t.id
    );
}
