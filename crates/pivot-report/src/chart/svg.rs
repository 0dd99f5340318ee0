//! What plotters' SVG lacks, patched into its text: the document's title, description and
//! fonts, and font sizes rounded.

use super::*;

/// Adds accessibility metadata and font fallbacks to plotters' output.
pub(super) fn finish_svg(svg: String, chart: &Chart) -> String {
    let svg = tidy_font_sizes(&svg);
    let svg = svg.replace(
        &format!("font-family=\"{FAMILY}\""),
        &format!("font-family=\"{FAMILY_CSS}\""),
    );
    let meta = format!(
        "<title>{}</title>\n<desc>{}</desc>\n",
        html_escape(&chart.title),
        html_escape(&crate::format::source_method(&chart.source, &chart.method))
    );
    let svg = svg.replacen(
        "<svg ",
        &format!(
            "<svg role=\"img\" aria-label=\"{}\" class=\"pivot-chart\" ",
            html_escape(&chart.title)
        ),
        1,
    );
    match svg.find('>') {
        Some(pos) => {
            let mut out = String::with_capacity(svg.len() + meta.len() + 1);
            out.push_str(&svg[..=pos]);
            out.push('\n');
            out.push_str(&meta);
            out.push_str(&svg[pos + 1..]);
            out
        }
        None => svg,
    }
}

/// Rounds plotters' `font-size="13.499999999999998"` to `font-size="13.5"`.
pub(super) fn tidy_font_sizes(svg: &str) -> String {
    const KEY: &str = "font-size=\"";
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(pos) = rest.find(KEY) {
        let (head, tail) = rest.split_at(pos + KEY.len());
        out.push_str(head);
        let end = tail.find('"').unwrap_or(tail.len());
        let value = &tail[..end];
        match value.parse::<f64>() {
            Ok(v) => out.push_str(&plain_number((v * 100.0).round() / 100.0)),
            Err(_) => out.push_str(value),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}
