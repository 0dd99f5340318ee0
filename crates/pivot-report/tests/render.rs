//! Renders the sample report (invented numbers, see `pivot_report::sample`)
//! and small hand-built reports, and checks the outputs' structure.

use pivot_report::sample::{sample_line_chart, sample_report};
use pivot_report::*;

/// Every `src=`, `href=`, `url(` value in `html`.
fn references(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["src=\"", "href=\"", "src='", "href='", "url("] {
        let mut rest = html;
        while let Some(pos) = rest.find(key) {
            let tail = &rest[pos + key.len()..];
            let end = tail.find(['"', '\'', ')']).unwrap_or(tail.len());
            out.push(tail[..end].to_string());
            rest = &tail[end..];
        }
    }
    out
}

/// Checks that non-void elements open and close in order (a cheap
/// well-formedness test; the browser test does the real rendering).
fn assert_balanced(html: &str) {
    const VOID: [&str; 6] = ["meta", "br", "hr", "img", "link", "input"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(pos) = rest.find('<') {
        rest = &rest[pos + 1..];
        let end = rest.find('>').expect("unterminated tag");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop();
            assert_eq!(open.as_deref(), Some(name.trim()), "closing </{name}>");
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        stack.push(name);
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
}

#[test]
fn html_has_no_external_reference_of_any_kind() {
    let html = render_html(&sample_report()).unwrap();
    let refs = references(&html);
    assert!(
        refs.len() > 20,
        "expected the TOC and data links, found {}",
        refs.len()
    );
    for r in &refs {
        assert!(
            r.starts_with('#') || r.starts_with("data/"),
            "reference leaves the report: {r}"
        );
    }
    // The sample's text holds no URL either, so the whole page must be free of them.
    assert!(!html.contains("http://"), "http:// in the page");
    assert!(!html.contains("https://"), "https:// in the page");
    for banned in [
        "<script",
        "<img",
        "<link",
        "<iframe",
        "@import",
        "@font-face",
    ] {
        assert!(!html.contains(banned), "{banned} in the page");
    }
}

#[test]
fn html_is_html5_and_balanced() {
    let html = render_html(&sample_report()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("<title>Russia&#39;s pivot to Asia (sample data)</title>"));
    assert!(html.contains("@media print"));
    assert_balanced(&html);
}

#[test]
fn every_chart_is_inline_svg_with_its_title() {
    let report = sample_report();
    let html = render_html(&report).unwrap();
    let charts: Vec<&Chart> = report.charts().collect();
    assert_eq!(charts.len(), 6);
    assert_eq!(html.matches("<svg ").count(), charts.len());
    for c in charts {
        let start = html
            .find(&format!("<figure class=\"chart\" id=\"{}\">", c.id))
            .unwrap_or_else(|| panic!("no figure for {}", c.id));
        let fig = &html[start..];
        let fig = &fig[..fig.find("</figure>").unwrap()];
        let svg = &fig[fig.find("<svg ").unwrap()..fig.find("</svg>").unwrap()];
        let title = c.title.replace('\'', "&#39;");
        assert!(
            svg.contains(&format!("<title>{title}</title>")),
            "{}: no <title>",
            c.id
        );
        assert!(
            svg.matches("<text").count() >= 4,
            "{}: too little text",
            c.id
        );
        assert!(svg.len() > 1000, "{}: SVG suspiciously small", c.id);
        // Source line and method note are inside the SVG itself.
        assert!(svg.contains("Source:"), "{}: no source line", c.id);
        assert!(svg.contains("Method:"), "{}: no method note", c.id);
        assert!(!svg.contains("xmlns"), "inline SVG keeps no namespace URL");
    }
}

#[test]
fn standalone_svg_is_self_describing() {
    let chart = sample_line_chart();
    let svg = render_svg(&chart).unwrap();
    assert!(svg.starts_with("<svg role=\"img\""));
    assert!(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("viewBox=\"0 0 960 "));
    // Legend entries, axis labels with units, annotations.
    for needle in [
        "China",
        "Germany",
        "Japan",
        "India",
        "Share of Russia&apos;s total trade (%)",
        ">\nYear\n<",
        "Crimea 2014",
        "1992",
        "2014",
    ] {
        assert!(svg.contains(needle), "SVG lacks {needle:?}");
    }
    // Text is set in DejaVu Sans with metric-compatible fallbacks, never a web font.
    assert!(svg.contains("font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\""));
    assert!(!svg.contains("font-size=\"13.49999"));
    // Okabe–Ito blue for the highlighted series, drawn thick.
    assert!(svg.contains("stroke=\"#0072B2\" stroke-width=\"4\""));
}

#[test]
fn every_chart_kind_renders() {
    for chart in [
        pivot_report::sample::sample_stacked_chart(),
        pivot_report::sample::sample_grouped_chart(),
        pivot_report::sample::sample_hbar_chart(),
        pivot_report::sample::sample_votes_chart(),
    ] {
        let svg = render_svg(&chart).unwrap();
        for s in &chart.series {
            assert!(
                svg.contains(&s.name),
                "{}: legend lacks {}",
                chart.id,
                s.name
            );
        }
        assert!(svg.contains("<rect") || svg.contains("<polyline"));
    }
    // Stacked bars print each stack's total: Europe+China+India+Other+Rest in 2023 = 235.
    let stacked = render_svg(&pivot_report::sample::sample_stacked_chart()).unwrap();
    assert!(stacked.contains(">\n235\n<"), "stack total label missing");
    // Horizontal bars print values, negative with a real minus sign.
    let hbar = render_svg(&pivot_report::sample::sample_hbar_chart()).unwrap();
    assert!(
        hbar.contains(">\n\u{2212}0.05\n<"),
        "negative bar label missing"
    );
}

#[test]
fn chart_without_data_renders_a_placeholder() {
    let chart = pivot_report::sample::sample_empty_chart();
    let svg = render_svg(&chart).unwrap();
    assert!(svg.contains("No data loaded for this chart"));
    assert!(svg.contains("AidData GCDF 3.0"));
}

#[test]
fn markdown_references_each_svg_file() {
    let report = sample_report();
    let (md, files) = render_markdown(&report, "charts").unwrap();
    let ids: Vec<String> = report.charts().map(|c| c.id.clone()).collect();
    assert_eq!(files.len(), ids.len());
    for id in &ids {
        assert!(
            md.contains(&format!("](charts/{id}.svg)")),
            "md lacks {id}.svg"
        );
        assert!(md.contains(&format!("[data/{id}.csv](data/{id}.csv)")));
        let (_, svg) = files
            .iter()
            .find(|(name, _)| name == &format!("{id}.svg"))
            .unwrap_or_else(|| panic!("no file {id}.svg"));
        assert!(svg.starts_with("<svg ") && svg.contains("xmlns="));
    }
    assert_eq!(md.matches("<a id=\"claim-C").count(), 8);
    assert!(md.contains("\\<not findings\\>"), "markdown escapes markup");
    // Same dir handling with a trailing slash or none at all.
    let (md2, _) = render_markdown(&report, "svg/").unwrap();
    assert!(md2.contains("](svg/trade-share.svg)"));
    let (md3, _) = render_markdown(&report, "").unwrap();
    assert!(md3.contains("](trade-share.svg)"));
}

#[test]
fn chart_csv_has_one_row_per_point() {
    let chart = Chart {
        id: "tiny".into(),
        title: "Tiny (test data)".into(),
        y_unit: "million USD".into(),
        series: vec![
            Series {
                name: "China".into(),
                points: vec![Point::num(2013.0, 88.5), Point::num(2014.0, f64::NAN)],
                highlight: true,
            },
            Series {
                name: "Germany, Fed. Rep.".into(),
                points: vec![Point::num(2013.0, 0.125)],
                highlight: false,
            },
        ],
        ..Chart::default()
    };
    assert_eq!(
        chart_csv(&chart).unwrap(),
        "series,x,y,unit\n\
         China,2013,88.5,million USD\n\
         China,2014,,million USD\n\
         \"Germany, Fed. Rep.\",2013,0.125,million USD\n"
    );
}

#[test]
fn sample_csvs_match_their_data() {
    let report = sample_report();
    let line = chart_csv(&sample_line_chart()).unwrap();
    // Four series × 23 years plus the header.
    assert_eq!(line.lines().count(), 1 + 4 * 23);
    assert!(
        line.contains("\nChina,1998,,%\n"),
        "missing year stays empty"
    );
    let table = report.tables().next().unwrap();
    insta::assert_snapshot!("partner_ranks_csv", table_csv(table).unwrap());
    let claims = report.claims_tables().next().unwrap();
    insta::assert_snapshot!("claims_csv", claims_csv(claims).unwrap());
}

#[test]
fn claims_table_has_one_verdict_row_per_claim() {
    let html = render_html(&sample_report()).unwrap();
    let start = html.find("<table id=\"claims-table\"").unwrap();
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    assert_eq!(table.matches("<tr id=\"claim-").count(), 8);
    assert_eq!(table.matches("data-verdict=\"").count(), 8);
    assert!(table.contains("data-verdict=\"not-testable\""));
    assert!(table.contains("✔ supported"));
    // Links resolve to numbered figures and tables.
    assert!(table.contains("<a href=\"#trade-share\">Figure 1</a>"));
    assert!(table.contains("<a href=\"#partner-ranks\">Table 1</a>"));
}

#[test]
fn html_escapes_text_and_formats_numbers() {
    let html = render_html(&sample_report()).unwrap();
    assert!(html.contains("invented &amp; only shaped"));
    assert!(html.contains("&lt;not findings&gt;"));
    assert!(!html.contains("<not findings>"));
    // Table numbers: grouped, right-aligned; missing values as en dash.
    assert!(html.contains("<td class=\"num\">14,512</td>"));
    assert!(html.contains("<td class=\"num\">–</td>"));
}

#[test]
fn small_report_markdown_snapshot() {
    let report = Report {
        title: "Snapshot (test data)".into(),
        subtitle: Some("Two blocks".into()),
        generated_note: None,
        sections: vec![Section {
            id: "s1".into(),
            heading: "Only section".into(),
            blocks: vec![
                Block::Paragraph("A *literal* paragraph.".into()),
                Block::Table(Table {
                    id: "t1".into(),
                    title: "Numbers (test data)".into(),
                    columns: vec!["Partner".into(), "Share (%)".into()],
                    rows: vec![
                        vec![Cell::text("China"), Cell::num(11.25, 1)],
                        vec![Cell::text("Germany"), Cell::Empty],
                    ],
                    source: "Source: test data".into(),
                    method: "Hand-made.".into(),
                }),
                Block::Claims(ClaimsTable {
                    id: "claims-table".into(),
                    title: "Claims (test data)".into(),
                    rows: vec![ClaimRow {
                        id: "C1".into(),
                        claim: "China is first".into(),
                        verdict: Verdict::Mixed,
                        evidence: "Test evidence".into(),
                        links: vec!["t1".into()],
                    }],
                }),
            ],
        }],
        limits: vec!["Test data only.".into()],
        citations: vec![Citation {
            key: "test".into(),
            text: "Nobody. 2024. Test data.".into(),
        }],
    };
    let (md, files) = render_markdown(&report, "charts").unwrap();
    assert!(files.is_empty());
    insta::assert_snapshot!("small_report_md", md);
}

#[test]
fn rendering_is_deterministic() {
    let a = render_html(&sample_report()).unwrap();
    let b = render_html(&sample_report()).unwrap();
    assert_eq!(a, b);
}

fn one_chart_report(id: &str) -> Report {
    let mut chart = sample_line_chart();
    chart.id = id.into();
    Report {
        title: "T (test data)".into(),
        sections: vec![Section {
            id: "s".into(),
            heading: "S".into(),
            blocks: vec![Block::Chart(chart)],
        }],
        ..Report::default()
    }
}

#[test]
fn invalid_reports_are_refused_with_the_offending_id() {
    let e = render_html(&one_chart_report("has space")).unwrap_err();
    assert!(
        matches!(e, ReportError::InvalidId { ref id, .. } if id == "has space"),
        "{e}"
    );

    let e = render_html(&one_chart_report("references")).unwrap_err();
    assert!(matches!(e, ReportError::ReservedId { .. }), "{e}");

    let e = render_html(&one_chart_report("s")).unwrap_err();
    assert!(
        matches!(e, ReportError::DuplicateId { ref id } if id == "s"),
        "{e}"
    );

    let mut r = sample_report();
    if let Block::Claims(c) = &mut r.sections[0].blocks[1] {
        c.rows[0].links.push("nowhere".into());
    }
    let e = render_html(&r).unwrap_err();
    assert!(
        matches!(e, ReportError::DanglingLink { ref claim, ref target } if claim == "C1" && target == "nowhere"),
        "{e}"
    );
    assert!(e.to_string().contains("'nowhere'"));

    let mut r = sample_report();
    if let Block::Table(t) = &mut r.sections[1].blocks[2] {
        t.rows[1].pop();
    }
    let e = write_report(&r, std::path::Path::new("/nonexistent/never-written")).unwrap_err();
    assert!(
        matches!(
            e,
            ReportError::RaggedTable {
                row: 2,
                cells: 4,
                columns: 5,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn write_report_writes_every_file_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let report = sample_report();
    let files = write_report(&report, &out).unwrap();
    let n_charts = report.charts().count();
    let n_tables = report.tables().count() + report.claims_tables().count();
    assert_eq!(files.len(), 2 + 2 * n_charts + n_tables);
    assert_eq!(files.last(), Some(&out.join("report.html")));
    assert!(files.contains(&out.join("report.md")));
    for f in &files {
        let meta = std::fs::metadata(f).unwrap();
        assert!(meta.len() > 0, "{} is empty", f.display());
    }
    assert!(out.join("charts/trade-share.svg").exists());
    assert!(out.join("data/claims-table.csv").exists());
    assert!(out.join("data/partner-ranks.csv").exists());
    // No temporary file is left behind.
    for sub in ["", "charts", "data"] {
        for entry in std::fs::read_dir(out.join(sub)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            assert!(!name.starts_with(".pivot-report-"), "left over {name}");
        }
    }
    // Writing again replaces the files in place.
    let again = write_report(&report, &out).unwrap();
    assert_eq!(files, again);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html, render_html(&report).unwrap());
}

#[test]
fn edge_cases_render_without_losing_text_silently() {
    let report = pivot_report::sample::edge_case_report();
    let html = render_html(&report).unwrap();
    assert_eq!(html.matches("<svg ").count(), 4);
    let stack = report
        .charts()
        .find(|c| c.id == "edge-negative-stack")
        .unwrap();
    let svg = render_svg(stack).unwrap();
    // Twelve long categories do not fit side by side: they are rotated, and
    // the longest is cut with an ellipsis rather than overlapping.
    assert_eq!(svg.matches("transform=\"rotate(270").count(), 12);
    assert!(svg.contains("United Kingdom of Great"));
    assert!(svg.contains('…'));
    // With negative values a stack total would mislead, so none is printed.
    assert!(!svg.contains(">\n5\n<") && !svg.contains(">\n5.0\n<"));
    // Eight series: the legend wraps and keeps every name.
    let lines = report.charts().find(|c| c.id == "edge-many-lines").unwrap();
    let svg = render_svg(lines).unwrap();
    for s in &lines.series {
        assert!(svg.contains(&s.name), "legend lacks {}", s.name);
    }
    // No yellow for thin lines (too faint on white).
    assert!(!svg.to_uppercase().contains("#F0E442"));
}
