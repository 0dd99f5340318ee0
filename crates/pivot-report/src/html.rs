//! One self-contained HTML5 file: inline CSS, inline SVG, no external URL.
//!
//! The only links are in-page anchors (`#id`) and the relative paths of the
//! CSV files written beside the report (`data/<id>.csv`). Nothing is loaded
//! from anywhere: no scripts, no images, no web fonts.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::error::ReportError;
use crate::format::html_escape as esc;
use crate::model::{Block, Cell, Chart, ClaimsTable, Index, Report, Table};

const CSS: &str = r#"
:root { --ink:#1f1f1f; --soft:#555; --rule:#d9d9d9; --accent:#0072B2; --bg:#fff; }
* { box-sizing: border-box; }
html { background: var(--bg); }
body { margin: 0 auto; max-width: 1010px; padding: 2rem 1.5rem 4rem; color: var(--ink);
  font: 16px/1.55 "DejaVu Sans", Verdana, "Segoe UI", Helvetica, Arial, sans-serif; }
header h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .3rem; }
header .subtitle { font-size: 1.15rem; color: var(--soft); margin: 0 0 .5rem; }
header .generated { font-size: .85rem; color: var(--soft); margin: 0; }
h2 { font-size: 1.45rem; margin: 2.4rem 0 .8rem; padding-bottom: .25rem; border-bottom: 2px solid var(--ink); }
p { margin: .6rem 0 1rem; max-width: 46rem; }
a { color: var(--accent); }
nav.toc { margin: 1.6rem 0 2rem; padding: .8rem 1.2rem; border: 1px solid var(--rule); background: #fafafa; }
nav.toc h2 { border: 0; margin: 0 0 .4rem; font-size: 1.1rem; }
nav.toc ol { margin: .2rem 0; padding-left: 1.4rem; }
nav.toc ol ol { font-size: .9rem; list-style: none; padding-left: .8rem; }
figure { margin: 1.6rem 0 2rem; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { display: block; width: 100%; height: auto; max-width: 960px; border: 1px solid var(--rule); }
figcaption { font-size: .88rem; color: var(--soft); margin-top: .4rem; }
figcaption .ref, .tcap .ref { font-weight: bold; color: var(--ink); text-decoration: none; }
.scroll { overflow-x: auto; }
a.data { white-space: nowrap; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: 0 0 .5rem; }
th, td { padding: .4rem .6rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.note { font-size: .85rem; color: var(--soft); margin: .5rem 0 0; }
table.claims td.claim-id { font-weight: bold; white-space: nowrap; }
.badge { display: inline-block; padding: .1rem .5rem; border-radius: .8rem; border: 1px solid; white-space: nowrap; font-weight: bold; font-size: .85rem; }
.v-supported { background: #e3f1ec; border-color: #009E73; color: #00543d; }
.v-not-supported { background: #fbe7dc; border-color: #D55E00; color: #7a3400; }
.v-mixed { background: #fbf0d6; border-color: #E69F00; color: #6b4a00; }
.v-not-testable { background: #eeeeee; border-color: #888; color: #333; }
ul.limits li, ol.refs li { margin: .3rem 0; max-width: 50rem; }
ol.refs li:target, tr:target, figure:target { outline: 3px solid #56B4E9; outline-offset: 3px; }
@media print {
  @page { margin: 16mm 14mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav.toc { break-after: page; background: none; }
  a { color: inherit; text-decoration: none; }
  figure.chart svg { border: 0; max-width: 100%; }
  h2 { break-after: avoid; }
  tr { break-inside: avoid; }
  .badge { background: none !important; }
}
"#;

/// Renders the report as one self-contained HTML5 document.
pub fn render_html(report: &Report) -> Result<String, ReportError> {
    let idx = report.index()?;
    let svgs = crate::render_all_svgs(report)?;
    Ok(html_with(report, &idx, &svgs))
}

/// Inline SVG: the namespace declaration is implied in HTML5, and dropping it
/// keeps the page free of any `http` string that a scanner could take for a link.
fn inline_svg(svg: &str) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

pub(crate) fn html_with(report: &Report, idx: &Index, svgs: &HashMap<String, String>) -> String {
    let mut h = String::with_capacity(64 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(h, "<title>{}</title>", esc(&report.title));
    let _ = writeln!(h, "<style>{CSS}</style>\n</head>\n<body id=\"top\">");
    h.push_str("<header>\n");
    let _ = writeln!(h, "<h1>{}</h1>", esc(&report.title));
    if let Some(s) = report.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(h, "<p class=\"subtitle\">{}</p>", esc(s));
    }
    if let Some(s) = report
        .generated_note
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        let _ = writeln!(h, "<p class=\"generated\">{}</p>", esc(s));
    }
    h.push_str("</header>\n");
    toc(&mut h, report, idx);
    h.push_str("<main>\n");
    for section in &report.sections {
        let _ = writeln!(
            h,
            "<section id=\"{}\">\n<h2>{}</h2>",
            esc(&section.id),
            esc(&section.heading)
        );
        for block in &section.blocks {
            match block {
                Block::Paragraph(p) => {
                    let _ = writeln!(h, "<p>{}</p>", esc(p));
                }
                Block::Chart(c) => chart(&mut h, c, idx, svgs),
                Block::Table(t) => table(&mut h, t, idx),
                Block::Claims(c) => claims(&mut h, c, idx),
            }
        }
        h.push_str("</section>\n");
    }
    if !report.limits.is_empty() {
        h.push_str(
            "<section id=\"limits\">\n<h2>Limits of this report</h2>\n<ul class=\"limits\">\n",
        );
        for l in &report.limits {
            let _ = writeln!(h, "<li>{}</li>", esc(l));
        }
        h.push_str("</ul>\n</section>\n");
    }
    if !report.citations.is_empty() {
        h.push_str("<section id=\"references\">\n<h2>References</h2>\n<ol class=\"refs\">\n");
        for c in &report.citations {
            let _ = writeln!(
                h,
                "<li id=\"cite-{}\"><span class=\"key\">[{}]</span> {}</li>",
                esc(&c.key),
                esc(&c.key),
                esc(&c.text)
            );
        }
        h.push_str("</ol>\n</section>\n");
    }
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

fn toc(h: &mut String, report: &Report, idx: &Index) {
    h.push_str(
        "<nav class=\"toc\" id=\"contents\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ol>\n",
    );
    for s in &report.sections {
        let _ = write!(h, "<li><a href=\"#{}\">{}</a>", esc(&s.id), esc(&s.heading));
        let items: Vec<String> = s
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Chart(c) => Some(format!(
                    "<li><a href=\"#{}\">{}: {}</a></li>",
                    esc(&c.id),
                    idx.link_label(&c.id),
                    esc(&c.title)
                )),
                Block::Table(t) => Some(format!(
                    "<li><a href=\"#{}\">{}: {}</a></li>",
                    esc(&t.id),
                    idx.link_label(&t.id),
                    esc(&t.title)
                )),
                Block::Claims(c) => Some(format!(
                    "<li><a href=\"#{}\">{}</a></li>",
                    esc(&c.id),
                    esc(if c.title.is_empty() {
                        "Claims"
                    } else {
                        &c.title
                    })
                )),
                Block::Paragraph(_) => None,
            })
            .collect();
        if !items.is_empty() {
            let _ = write!(h, "\n<ol>\n{}\n</ol>", items.join("\n"));
        }
        h.push_str("</li>\n");
    }
    if !report.limits.is_empty() {
        h.push_str("<li><a href=\"#limits\">Limits of this report</a></li>\n");
    }
    if !report.citations.is_empty() {
        h.push_str("<li><a href=\"#references\">References</a></li>\n");
    }
    h.push_str("</ol>\n</nav>\n");
}

fn source_note(source: &str, method: &str) -> String {
    esc(&crate::format::source_method(source, method))
}

fn chart(h: &mut String, c: &Chart, idx: &Index, svgs: &HashMap<String, String>) {
    let id = esc(&c.id);
    let _ = writeln!(h, "<figure class=\"chart\" id=\"{id}\">");
    if let Some(svg) = svgs.get(&c.id) {
        h.push_str(&inline_svg(svg));
        h.push('\n');
    }
    let _ = writeln!(
        h,
        "<figcaption><a class=\"ref\" href=\"#{id}\">{}</a>. {}. Data: <a class=\"data\" href=\"data/{id}.csv\">data/{id}.csv</a></figcaption>\n</figure>",
        idx.link_label(&c.id),
        esc(&c.title)
    );
}

fn is_numeric_column(t: &Table, col: usize) -> bool {
    let mut any = false;
    for row in &t.rows {
        match row.get(col) {
            Some(Cell::Number { .. }) => any = true,
            Some(Cell::Empty) | None => {}
            Some(Cell::Text(_)) => return false,
        }
    }
    any
}

fn table(h: &mut String, t: &Table, idx: &Index) {
    let id = esc(&t.id);
    let numeric: Vec<bool> = (0..t.columns.len())
        .map(|c| is_numeric_column(t, c))
        .collect();
    let _ = writeln!(
        h,
        "<figure class=\"table\" id=\"{id}\">\n<div class=\"scroll\">\n<table>"
    );
    let _ = writeln!(
        h,
        "<caption class=\"tcap\"><a class=\"ref\" href=\"#{id}\">{}</a>. {}</caption>",
        idx.link_label(&t.id),
        esc(&t.title)
    );
    h.push_str("<thead><tr>");
    for (c, name) in t.columns.iter().enumerate() {
        let class = if numeric[c] { " class=\"num\"" } else { "" };
        let _ = write!(h, "<th scope=\"col\"{class}>{}</th>", esc(name));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        h.push_str("<tr>");
        for (c, cell) in row.iter().enumerate() {
            let class = if numeric[c] { " class=\"num\"" } else { "" };
            let _ = write!(h, "<td{class}>{}</td>", esc(&cell.display()));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</div>\n");
    let note = source_note(&t.source, &t.method);
    let _ = writeln!(
        h,
        "<p class=\"note\">{note} Data: <a class=\"data\" href=\"data/{id}.csv\">data/{id}.csv</a></p>\n</figure>"
    );
}

fn claims(h: &mut String, c: &ClaimsTable, idx: &Index) {
    let id = esc(&c.id);
    let _ = writeln!(
        h,
        "<div class=\"scroll\">\n<table id=\"{id}\" class=\"claims\">"
    );
    if !c.title.is_empty() {
        let _ = writeln!(h, "<caption>{}</caption>", esc(&c.title));
    }
    h.push_str("<thead><tr><th scope=\"col\">#</th><th scope=\"col\">Claim</th><th scope=\"col\">Verdict</th><th scope=\"col\">Evidence</th><th scope=\"col\">See</th></tr></thead>\n<tbody>\n");
    for r in &c.rows {
        let links: Vec<String> = r
            .links
            .iter()
            .map(|l| format!("<a href=\"#{}\">{}</a>", esc(l), esc(&idx.link_label(l))))
            .collect();
        let _ = writeln!(
            h,
            "<tr id=\"claim-{rid}\" data-verdict=\"{slug}\"><td class=\"claim-id\"><a href=\"#claim-{rid}\">{rid}</a></td><td>{claim}</td><td class=\"verdict\"><span class=\"badge v-{slug}\">{sym} {label}</span></td><td>{evidence}</td><td>{links}</td></tr>",
            rid = esc(&r.id),
            slug = r.verdict.slug(),
            claim = esc(&r.claim),
            sym = r.verdict.symbol(),
            label = r.verdict.label(),
            evidence = esc(&r.evidence),
            links = links.join(", "),
        );
    }
    let _ = writeln!(
        h,
        "</tbody>\n</table>\n</div>\n<p class=\"note\">Data: <a class=\"data\" href=\"data/{id}.csv\">data/{id}.csv</a></p>"
    );
}
