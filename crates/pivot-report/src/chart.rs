//! Charts drawn to self-contained SVG with plotters' SVG backend.
//!
//! Every SVG carries its title, legend, labelled axes (value axis with its
//! unit), the source line and the method note, so the file alone can be cited.
//! Layout is done here in pixel coordinates (plotters draws the primitives and
//! measures text with the embedded DejaVu Sans), which keeps labels from
//! colliding whatever the data.
//!
//! Colours are the Okabe–Ito palette (safe for the common colour-vision
//! deficiencies); lines also differ by marker shape and dash so that a
//! black-and-white print stays readable.

use std::sync::Once;

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle, RGBColor};

use crate::error::ReportError;
use crate::format::{grouped, html_escape, plain_number};
use crate::model::{Chart, ChartKind, XValue};

/// Font family name under which the embedded font is registered, and which
/// the SVG asks for (with fallbacks of similar width).
const FAMILY: &str = "DejaVu Sans";
const FAMILY_CSS: &str = "DejaVu Sans, Verdana, Arial, sans-serif";

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");
static FONTS: Once = Once::new();

/// Okabe–Ito palette, ordered for lines on white (yellow last).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];

/// Palette for lines: Okabe–Ito without yellow (too faint as a thin line on
/// white), with a mid grey in its place.
const LINE_PALETTE: [RGBColor; 8] = [
    PALETTE[0],
    PALETTE[1],
    PALETTE[2],
    PALETTE[3],
    PALETTE[4],
    PALETTE[5],
    PALETTE[6],
    RGBColor(0x88, 0x88, 0x88),
];

/// Width of every chart in SVG user units (the height follows the content).
pub const WIDTH: u32 = 960;
const MARGIN: i32 = 28;
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const SOFT_INK: RGBColor = RGBColor(0x55, 0x55, 0x55);
const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
const AXIS: RGBColor = RGBColor(0x44, 0x44, 0x44);

fn register_fonts() {
    FONTS.call_once(|| {
        // The bytes are compiled in; failure would be a corrupt asset, caught by tests.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, REGULAR);
        let _ = plotters::style::register_font(FAMILY, FontStyle::Bold, BOLD);
    });
}

/// A font whose rendered size is `px` (plotters writes `font-size = size / 1.24`).
fn font(px: f64, bold: bool) -> FontDesc<'static> {
    let style = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    FontDesc::new(FontFamily::Name(FAMILY), px * 1.24, style)
}

/// Width in pixels of `text` (a slight overestimate, which is the safe side).
fn text_w(text: &str, f: &FontDesc) -> i32 {
    f.box_size(text).map(|(w, _)| w as i32).unwrap_or_else(|_| {
        // Fallback: average DejaVu advance is about 0.6 em.
        (text.chars().count() as f64 * f.get_size() / 1.24 * 0.62) as i32
    })
}

/// Greedy word wrap to `max_w` pixels.
fn wrap(text: &str, f: &FontDesc, max_w: i32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_w(&candidate, f) <= max_w || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn style(f: &FontDesc<'static>, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle {
        font: f.clone(),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// Mixes `c` with white: `t = 0` keeps it, `t = 1` gives white.
fn tint(c: RGBColor, t: f64) -> RGBColor {
    let m = |v: u8| (v as f64 + (255.0 - v as f64) * t).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// "Nice" tick positions covering `[lo, hi]` with about `target` intervals.
fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let span = (hi - lo).abs().max(f64::EPSILON);
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let start = (lo / step + 1e-9).floor() as i64;
    let end = (hi / step - 1e-9).ceil() as i64;
    // Clean floating noise such as 0.6000000000000001.
    let scale = 10f64.powi((1 - step.log10().floor() as i32).max(0));
    (start..=end)
        .map(|k| (k as f64 * step * scale).round() / scale)
        .collect()
}

/// Decimals needed to print every tick distinctly (at most 4).
fn tick_decimals(ticks: &[f64]) -> usize {
    (0..=4)
        .find(|d| {
            ticks.iter().all(|t| {
                let s = format!("{:.*}", d, t);
                (s.parse::<f64>().unwrap_or(f64::NAN) - t).abs() < 1e-9 * (1.0 + t.abs())
            })
        })
        .unwrap_or(4)
}

/// Decimals for a value label given the largest magnitude shown.
fn value_decimals(max_abs: f64) -> usize {
    if max_abs >= 100.0 {
        0
    } else if max_abs >= 10.0 {
        1
    } else {
        2
    }
}

/// Linear map from data to pixels.
#[derive(Clone, Copy)]
struct Scale {
    d0: f64,
    d1: f64,
    p0: f64,
    p1: f64,
}

impl Scale {
    fn px(&self, v: f64) -> i32 {
        let t = if (self.d1 - self.d0).abs() < f64::EPSILON {
            0.5
        } else {
            (v - self.d0) / (self.d1 - self.d0)
        };
        (self.p0 + t * (self.p1 - self.p0)).round() as i32
    }
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// Legend swatch: what a series looks like.
#[derive(Clone, Copy)]
struct Look {
    color: RGBColor,
    /// Line charts: stroke width; 0 means a filled box (bars).
    width: u32,
    dashed: bool,
    marker: Option<usize>,
}

fn looks(chart: &Chart) -> Vec<Look> {
    let any_highlight = chart.series.iter().any(|s| s.highlight);
    chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let palette = if chart.kind == ChartKind::Line {
                &LINE_PALETTE
            } else {
                &PALETTE
            };
            let base = palette[i % palette.len()];
            match chart.kind {
                ChartKind::Line => {
                    let strong = s.highlight || !any_highlight;
                    Look {
                        color: if strong { base } else { tint(base, 0.3) },
                        width: if s.highlight {
                            4
                        } else if strong {
                            3
                        } else {
                            2
                        },
                        dashed: !strong,
                        marker: strong.then_some(i),
                    }
                }
                _ => Look {
                    color: if any_highlight && !s.highlight {
                        tint(base, 0.45)
                    } else {
                        base
                    },
                    width: 0,
                    dashed: false,
                    marker: None,
                },
            }
        })
        .collect()
}

type DrawResult = Result<(), String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

fn text(area: &Area, s: &str, st: &TextStyle, x: i32, y: i32) -> DrawResult {
    area.draw_text(s, st, (x, y)).map_err(err)
}

fn draw_marker(area: &Area, kind: usize, c: RGBColor, x: i32, y: i32, r: i32) -> DrawResult {
    let shape = |r: i32| -> Vec<(i32, i32)> {
        match kind % 4 {
            1 => vec![(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)],
            2 => vec![
                (x - r, y - r),
                (x + r, y - r),
                (x + r, y + r),
                (x - r, y + r),
            ],
            3 => vec![
                (x, y - r - 1),
                (x + r + 1, y),
                (x, y + r + 1),
                (x - r - 1, y),
            ],
            _ => Vec::new(),
        }
    };
    if kind.is_multiple_of(4) {
        area.draw(&Circle::new((x, y), r + 2, WHITE.filled()))
            .map_err(err)?;
        area.draw(&Circle::new((x, y), r, c.filled()))
            .map_err(err)?;
    } else {
        area.draw(&Polygon::new(shape(r + 2), WHITE.filled()))
            .map_err(err)?;
        area.draw(&Polygon::new(shape(r), c.filled()))
            .map_err(err)?;
    }
    // Hollow centre for the second round of shapes, so eight series differ in print.
    if (kind / 4) % 2 == 1 {
        area.draw(&Circle::new((x, y), (r / 2).max(1), WHITE.filled()))
            .map_err(err)?;
    }
    Ok(())
}

fn draw_path(area: &Area, pts: &[(i32, i32)], look: &Look) -> DrawResult {
    if pts.len() < 2 {
        return Ok(());
    }
    let st = look.color.stroke_width(look.width);
    if look.dashed {
        area.draw(&DashedPathElement::new(pts.iter().copied(), 7, 5, st))
            .map_err(err)
    } else {
        area.draw(&PathElement::new(pts.to_vec(), st)).map_err(err)
    }
}

/// Laid-out legend: rows of (series index, x offset).
fn legend_rows(chart: &Chart, f: &FontDesc, max_w: i32) -> Vec<Vec<(usize, i32)>> {
    const SWATCH: i32 = 30;
    let mut rows = vec![Vec::new()];
    let mut x = 0;
    for (i, s) in chart.series.iter().enumerate() {
        let w = SWATCH + 8 + text_w(&s.name, f);
        if x > 0 && x + w > max_w {
            rows.push(Vec::new());
            x = 0;
        }
        if let Some(row) = rows.last_mut() {
            row.push((i, x));
        }
        x += w + 24;
    }
    rows
}

fn draw_legend(
    area: &Area,
    chart: &Chart,
    looks: &[Look],
    rows: &[Vec<(usize, i32)>],
    top: i32,
) -> DrawResult {
    let f = font(LEGEND_PX, false);
    let st = style(&f, INK, HPos::Left, VPos::Center);
    for (r, row) in rows.iter().enumerate() {
        let cy = top + r as i32 * LEGEND_LH + 10;
        for &(i, dx) in row {
            let x = MARGIN + dx;
            let look = &looks[i];
            if look.width == 0 {
                area.draw(&Rectangle::new(
                    [(x + 6, cy - 7), (x + 24, cy + 7)],
                    look.color.filled(),
                ))
                .map_err(err)?;
            } else {
                draw_path(area, &[(x, cy), (x + 30, cy)], look)?;
                if let Some(m) = look.marker {
                    draw_marker(area, m, look.color, x + 15, cy, 4)?;
                }
            }
            text(area, &chart.series[i].name, &st, x + 38, cy)?;
        }
    }
    Ok(())
}

/// The value axis label with its unit: "Share of trade (%)".
fn value_axis_label(chart: &Chart) -> String {
    match (chart.y_label.trim(), chart.y_unit.trim()) {
        ("", "") => String::new(),
        (l, "") => l.to_string(),
        ("", u) => format!("({u})"),
        (l, u) => format!("{l} ({u})"),
    }
}

fn footer_lines(chart: &Chart, f: &FontDesc, max_w: i32) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let src = chart.source.trim();
    if !src.is_empty() {
        let src = if src.to_ascii_lowercase().starts_with("source") {
            src.to_string()
        } else {
            format!("Source: {src}")
        };
        out.extend(wrap(&src, f, max_w).into_iter().map(|l| (l, true)));
    }
    let method = chart.method.trim();
    if !method.is_empty() {
        let method = if method.to_ascii_lowercase().starts_with("method") {
            method.to_string()
        } else {
            format!("Method: {method}")
        };
        out.extend(wrap(&method, f, max_w).into_iter().map(|l| (l, false)));
    }
    out
}

/// Data prepared for drawing: categories for bar charts, finite values only.
struct Prepared {
    categories: Vec<String>,
    /// `values[series][category]`, NaN where missing.
    values: Vec<Vec<f64>>,
}

fn prepare_categories(chart: &Chart) -> Prepared {
    let mut categories: Vec<String> = Vec::new();
    for s in &chart.series {
        for p in &s.points {
            let label = p.x.label();
            if !categories.contains(&label) {
                categories.push(label);
            }
        }
    }
    // Repeated categories within a series add up; a category with no finite
    // value stays NaN (missing, not zero).
    let values = chart
        .series
        .iter()
        .map(|s| {
            categories
                .iter()
                .map(|c| {
                    s.points
                        .iter()
                        .filter(|p| p.y.is_finite() && &p.x.label() == c)
                        .map(|p| p.y)
                        .fold(f64::NAN, |acc, y| if acc.is_nan() { y } else { acc + y })
                })
                .collect()
        })
        .collect();
    Prepared { categories, values }
}

fn has_data(chart: &Chart) -> bool {
    chart
        .series
        .iter()
        .any(|s| s.points.iter().any(|p| p.y.is_finite()))
}

/// Value-axis extent: zero and the data (or the caller's fixed range).
fn value_extent(chart: &Chart, lo: f64, hi: f64) -> (f64, f64, Vec<f64>) {
    if let Some((a, b)) = chart.y_range {
        let ticks: Vec<f64> = nice_ticks(a, b, 6)
            .into_iter()
            .filter(|t| *t >= a - 1e-12 && *t <= b + 1e-12)
            .collect();
        return (a, b, ticks);
    }
    let lo = lo.min(0.0);
    let mut hi = hi.max(0.0);
    if (hi - lo).abs() < f64::EPSILON {
        hi = lo + 1.0;
    }
    let ticks = nice_ticks(lo, hi, 6);
    let a = *ticks.first().unwrap_or(&lo);
    let b = *ticks.last().unwrap_or(&hi);
    (a, b, ticks)
}

/// Renders `chart` to a standalone SVG document (with `xmlns`, `<title>` and `<desc>`).
pub fn render_svg(chart: &Chart) -> Result<String, ReportError> {
    register_fonts();
    let mut buf = String::new();
    let layout = Layout::new(chart);
    {
        let root =
            SVGBackend::with_string(&mut buf, (WIDTH, layout.height as u32)).into_drawing_area();
        draw(&root, chart, &layout).map_err(|message| ReportError::Draw {
            chart: chart.id.clone(),
            message,
        })?;
        root.present().map_err(|e| ReportError::Draw {
            chart: chart.id.clone(),
            message: err(e),
        })?;
    }
    Ok(finish_svg(buf, chart))
}

/// Adds accessibility metadata and font fallbacks to plotters' output.
fn finish_svg(svg: String, chart: &Chart) -> String {
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
fn tidy_font_sizes(svg: &str) -> String {
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

/// Pixel layout of one chart, computed before drawing so the SVG height fits.
struct Layout {
    title: Vec<String>,
    legend: Vec<Vec<(usize, i32)>>,
    footer: Vec<(String, bool)>,
    title_top: i32,
    legend_top: i32,
    axis_label_top: i32,
    plot_top: i32,
    plot_bottom: i32,
    footer_top: i32,
    height: i32,
    /// Height of the tick-label band under the plot.
    ticks_h: i32,
    /// Vertical bar charts: how the category labels are set.
    categories: Option<CategoryLabels>,
}

const TITLE_PX: f64 = 21.0;
const TITLE_LH: i32 = 27;
const LEGEND_LH: i32 = 25;
const LEGEND_PX: f64 = 14.5;
const VALUE_PX: f64 = 12.5;
const TICK_PX: f64 = 14.0;
const TICK_LH: i32 = 19;
const AXIS_PX: f64 = 14.5;
const FOOT_PX: f64 = 13.0;
const FOOT_LH: i32 = 18;

impl Layout {
    fn new(chart: &Chart) -> Layout {
        let inner = WIDTH as i32 - 2 * MARGIN;
        let title = wrap(&chart.title, &font(TITLE_PX, true), inner);
        let legend = if chart.series.is_empty() {
            Vec::new()
        } else {
            legend_rows(chart, &font(LEGEND_PX, false), inner)
        };
        let footer = footer_lines(chart, &font(FOOT_PX, false), inner);
        let title_top = 20;
        let legend_top = title_top + TITLE_LH * title.len() as i32 + 8;
        let axis_label_top = legend_top + LEGEND_LH * legend.len() as i32 + 6;
        let plot_top = axis_label_top + 26;
        let n_cat = prepare_categories(chart).categories.len().max(1) as i32;
        let plot_h = match chart.kind {
            ChartKind::HorizontalBar => {
                let per = 14 * chart.series.len().max(1) as i32 + 14;
                (n_cat * per.max(30)).clamp(120, 900)
            }
            _ if !has_data(chart) => 160,
            _ => 330,
        };
        let plot_bottom = plot_top + plot_h;
        let categories = match chart.kind {
            ChartKind::StackedBar | ChartKind::GroupedBar if has_data(chart) => {
                Some(category_labels(chart))
            }
            _ => None,
        };
        let ticks_h = categories.as_ref().map_or(10 + TICK_LH, |c| c.height);
        let x_label_h = if chart.kind == ChartKind::HorizontalBar {
            if value_axis_label(chart).is_empty() {
                0
            } else {
                24
            }
        } else if chart.x_label.trim().is_empty() {
            0
        } else {
            24
        };
        let footer_top = plot_bottom + ticks_h + x_label_h + 16;
        let height = footer_top + 10 + FOOT_LH * footer.len() as i32 + 12;
        Layout {
            title,
            legend,
            footer,
            title_top,
            legend_top,
            axis_label_top,
            plot_top,
            plot_bottom,
            footer_top,
            height,
            ticks_h,
            categories,
        }
    }
}

fn draw(root: &Area, chart: &Chart, layout: &Layout) -> DrawResult {
    root.fill(&WHITE).map_err(err)?;
    let looks = looks(chart);

    // Title.
    let tf = font(TITLE_PX, true);
    let tst = style(&tf, INK, HPos::Left, VPos::Top);
    for (i, line) in layout.title.iter().enumerate() {
        text(
            root,
            line,
            &tst,
            MARGIN,
            layout.title_top + i as i32 * TITLE_LH,
        )?;
    }
    draw_legend(root, chart, &looks, &layout.legend, layout.legend_top)?;

    if has_data(chart) {
        match chart.kind {
            ChartKind::Line => draw_line_chart(root, chart, layout, &looks)?,
            ChartKind::StackedBar | ChartKind::GroupedBar => {
                draw_vbar_chart(root, chart, layout, &looks)?
            }
            ChartKind::HorizontalBar => draw_hbar_chart(root, chart, layout, &looks)?,
        }
    } else {
        let f = font(16.0, false);
        let st = style(&f, SOFT_INK, HPos::Center, VPos::Center);
        root.draw(&Rectangle::new(
            [
                (MARGIN, layout.plot_top),
                (WIDTH as i32 - MARGIN, layout.plot_bottom),
            ],
            GRID.stroke_width(1),
        ))
        .map_err(err)?;
        text(
            root,
            "No data loaded for this chart",
            &st,
            WIDTH as i32 / 2,
            (layout.plot_top + layout.plot_bottom) / 2,
        )?;
    }

    // Footer: rule, source, method.
    if layout.footer.is_empty() {
        return Ok(());
    }
    root.draw(&PathElement::new(
        vec![
            (MARGIN, layout.footer_top),
            (WIDTH as i32 - MARGIN, layout.footer_top),
        ],
        GRID.stroke_width(1),
    ))
    .map_err(err)?;
    let ff = font(FOOT_PX, false);
    for (i, (line, is_source)) in layout.footer.iter().enumerate() {
        let c = if *is_source { INK } else { SOFT_INK };
        let st = style(&ff, c, HPos::Left, VPos::Top);
        text(
            root,
            line,
            &st,
            MARGIN,
            layout.footer_top + 8 + i as i32 * FOOT_LH,
        )?;
    }
    Ok(())
}

/// Draws the value-axis title above the plot, left aligned.
fn draw_axis_title(root: &Area, label: &str, x: i32, y: i32) -> DrawResult {
    if label.is_empty() {
        return Ok(());
    }
    let f = font(AXIS_PX, true);
    text(
        root,
        label,
        &style(&f, SOFT_INK, HPos::Left, VPos::Top),
        x,
        y,
    )
}

/// Horizontal grid lines and value labels on the left; returns the plot's left edge.
fn draw_value_axis_left(
    root: &Area,
    ticks: &[f64],
    ys: &Scale,
    left: i32,
    right: i32,
    unit: &str,
) -> DrawResult {
    let dec = tick_decimals(ticks);
    let f = font(TICK_PX, false);
    let st = style(&f, SOFT_INK, HPos::Right, VPos::Center);
    for t in ticks {
        let y = ys.px(*t);
        let c = if t.abs() < 1e-12 { AXIS } else { GRID };
        root.draw(&PathElement::new(
            vec![(left, y), (right, y)],
            c.stroke_width(1),
        ))
        .map_err(err)?;
        text(root, &tick_label(*t, dec, unit), &st, left - 8, y)?;
    }
    Ok(())
}

fn tick_label(v: f64, dec: usize, unit: &str) -> String {
    let s = grouped(v, dec);
    if unit.trim() == "%" {
        format!("{s}%")
    } else {
        s
    }
}

fn value_label(v: f64, dec: usize, unit: &str) -> String {
    tick_label(v, dec, unit)
}

fn left_gutter(ticks: &[f64], unit: &str) -> i32 {
    let dec = tick_decimals(ticks);
    let f = font(TICK_PX, false);
    ticks
        .iter()
        .map(|t| text_w(&tick_label(*t, dec, unit), &f))
        .max()
        .unwrap_or(20)
        + 12
}

fn draw_x_title(root: &Area, label: &str, left: i32, right: i32, y: i32) -> DrawResult {
    if label.trim().is_empty() {
        return Ok(());
    }
    let f = font(AXIS_PX, true);
    text(
        root,
        label.trim(),
        &style(&f, SOFT_INK, HPos::Center, VPos::Top),
        (left + right) / 2,
        y,
    )
}

fn draw_line_chart(root: &Area, chart: &Chart, layout: &Layout, looks: &[Look]) -> DrawResult {
    let pts: Vec<Vec<(f64, f64)>> = chart
        .series
        .iter()
        .map(|s| {
            let mut v: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter_map(|p| match &p.x {
                    XValue::Num(x) if x.is_finite() => Some((*x, p.y)),
                    XValue::Cat(c) => c.trim().parse::<f64>().ok().map(|x| (x, p.y)),
                    _ => None,
                })
                .collect();
            v.sort_by(|a, b| a.0.total_cmp(&b.0));
            v
        })
        .collect();
    let finite = || pts.iter().flatten().filter(|p| p.1.is_finite());
    let (mut x0, mut x1) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY);
    for (x, y) in finite() {
        x0 = x0.min(*x);
        x1 = x1.max(*x);
        y0 = y0.min(*y);
        y1 = y1.max(*y);
    }
    for a in &chart.annotations {
        if a.x.is_finite() {
            x0 = x0.min(a.x);
            x1 = x1.max(a.x);
        }
    }
    if !x0.is_finite() {
        return Ok(());
    }
    if (x1 - x0).abs() < f64::EPSILON {
        x0 -= 1.0;
        x1 += 1.0;
    }
    let (ya, yb, yticks) = value_extent(chart, y0, y1);
    let unit = chart.y_unit.as_str();
    let left = MARGIN + left_gutter(&yticks, unit);
    let right = WIDTH as i32 - MARGIN - 12;
    let pad = (x1 - x0) * 0.02;
    let xs = Scale {
        d0: x0 - pad,
        d1: x1 + pad,
        p0: left as f64,
        p1: right as f64,
    };
    let ys = Scale {
        d0: ya,
        d1: yb,
        p0: layout.plot_bottom as f64,
        p1: layout.plot_top as f64,
    };
    draw_axis_title(
        root,
        &value_axis_label(chart),
        MARGIN,
        layout.axis_label_top,
    )?;
    draw_value_axis_left(root, &yticks, &ys, left, right, unit)?;

    // X axis: integer ticks when the data are integers (years).
    let integral = finite().all(|(x, _)| x.fract() == 0.0);
    let max_ticks = ((right - left) / 64).max(2) as usize;
    let mut xticks = nice_ticks(x0, x1, max_ticks.min(10));
    if integral {
        xticks.retain(|t| t.fract() == 0.0);
    }
    xticks.retain(|t| *t >= x0 - 1e-9 && *t <= x1 + 1e-9);
    let xdec = tick_decimals(&xticks);
    let f = font(TICK_PX, false);
    let st = style(&f, SOFT_INK, HPos::Center, VPos::Top);
    let axis_y = layout.plot_bottom;
    root.draw(&PathElement::new(
        vec![(left, axis_y), (right, axis_y)],
        AXIS.stroke_width(1),
    ))
    .map_err(err)?;
    for t in &xticks {
        let x = xs.px(*t);
        root.draw(&PathElement::new(
            vec![(x, axis_y), (x, axis_y + 5)],
            AXIS.stroke_width(1),
        ))
        .map_err(err)?;
        let label = if integral {
            plain_number(*t)
        } else {
            format!("{:.*}", xdec, t)
        };
        text(root, &label, &st, x, axis_y + 8)?;
    }
    draw_x_title(
        root,
        &chart.x_label,
        left,
        right,
        axis_y + layout.ticks_h + 4,
    )?;

    // Reference lines.
    let af = font(13.0, false);
    for a in &chart.annotations {
        if !a.x.is_finite() {
            continue;
        }
        let x = xs.px(a.x);
        root.draw(&DashedPathElement::new(
            vec![(x, layout.plot_top), (x, layout.plot_bottom)],
            3,
            3,
            SOFT_INK.stroke_width(1),
        ))
        .map_err(err)?;
        let w = text_w(&a.label, &af);
        let (anchor, tx) = if x + 4 + w > right {
            (HPos::Right, x - 4)
        } else {
            (HPos::Left, x + 4)
        };
        text(
            root,
            &a.label,
            &style(&af, SOFT_INK, anchor, VPos::Top),
            tx,
            layout.plot_top + 2,
        )?;
    }

    // Muted series first, highlighted on top.
    let mut order: Vec<usize> = (0..chart.series.len()).collect();
    order.sort_by_key(|i| (looks[*i].marker.is_some(), chart.series[*i].highlight));
    for i in order {
        let look = &looks[i];
        let mut run: Vec<(i32, i32)> = Vec::new();
        for (x, y) in &pts[i] {
            if y.is_finite() {
                run.push((xs.px(*x), ys.px(*y)));
            } else {
                draw_path(root, &run, look)?;
                run.clear();
            }
        }
        draw_path(root, &run, look)?;
        if let Some(m) = look.marker {
            let finite: Vec<(i32, i32)> = pts[i]
                .iter()
                .filter(|p| p.1.is_finite())
                .map(|(x, y)| (xs.px(*x), ys.px(*y)))
                .collect();
            let step = finite.len().div_ceil(24).max(1);
            let r = if chart.series[i].highlight { 4 } else { 3 };
            for (k, (x, y)) in finite.iter().enumerate() {
                if k % step == 0 || k + 1 == finite.len() {
                    draw_marker(root, m, look.color, *x, *y, r)?;
                }
            }
        }
    }
    Ok(())
}

fn draw_category_labels(
    root: &Area,
    labels: &CategoryLabels,
    centers: &[i32],
    top: i32,
) -> DrawResult {
    let f = font(labels.px, false);
    let lh = labels.px as i32 + 5;
    if labels.rotated {
        let st = style(&f, INK, HPos::Right, VPos::Center).transform(FontTransform::Rotate270);
        for (lines, x) in labels.lines.iter().zip(centers) {
            if let Some(line) = lines.first() {
                text(root, line, &st, *x, top)?;
            }
        }
    } else {
        let st = style(&f, INK, HPos::Center, VPos::Top);
        for (lines, x) in labels.lines.iter().zip(centers) {
            for (k, line) in lines.iter().enumerate() {
                text(root, line, &st, *x, top + k as i32 * lh)?;
            }
        }
    }
    Ok(())
}

/// Value axis and horizontal extent of a vertical bar chart.
struct VBarGeometry {
    ya: f64,
    yb: f64,
    yticks: Vec<f64>,
    left: i32,
    right: i32,
}

fn vbar_geometry(chart: &Chart, prep: &Prepared) -> VBarGeometry {
    let stacked = chart.kind == ChartKind::StackedBar;
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for c in 0..prep.categories.len() {
        let finite = prep.values.iter().map(|s| s[c]).filter(|v| v.is_finite());
        if stacked {
            let (pos, neg) =
                finite.fold(
                    (0.0, 0.0),
                    |(p, n), v| {
                        if v >= 0.0 { (p + v, n) } else { (p, n + v) }
                    },
                );
            hi = hi.max(pos);
            lo = lo.min(neg);
        } else {
            for v in finite {
                hi = hi.max(v);
                lo = lo.min(v);
            }
        }
    }
    // Room above the stacks for their total labels.
    let (ya, yb, yticks) = value_extent(chart, lo, hi * if stacked { 1.06 } else { 1.0 });
    let left = MARGIN + left_gutter(&yticks, &chart.y_unit);
    let right = WIDTH as i32 - MARGIN - 8;
    VBarGeometry {
        ya,
        yb,
        yticks,
        left,
        right,
    }
}

/// How category labels under vertical bars are set: wrapped horizontally at
/// the largest size that fits each slot, else rotated to read upwards.
struct CategoryLabels {
    px: f64,
    lines: Vec<Vec<String>>,
    rotated: bool,
    height: i32,
}

const MAX_CAT_LINES: usize = 3;
const MAX_HBAR_LABEL_W: i32 = 330;
const MAX_ROTATED_W: i32 = 190;

fn category_labels(chart: &Chart) -> CategoryLabels {
    let prep = prepare_categories(chart);
    let g = vbar_geometry(chart, &prep);
    let n = prep.categories.len().max(1) as i32;
    let room = (g.right - g.left) / n - 8;
    for px in [TICK_PX, 13.0, 12.0, 11.0] {
        let f = font(px, false);
        let lines: Vec<Vec<String>> = prep.categories.iter().map(|c| wrap(c, &f, room)).collect();
        let fits = lines
            .iter()
            .all(|l| l.len() <= MAX_CAT_LINES && l.iter().all(|t| text_w(t, &f) <= room));
        if fits {
            let rows = lines.iter().map(Vec::len).max().unwrap_or(1).max(1) as i32;
            return CategoryLabels {
                px,
                lines,
                rotated: false,
                height: 10 + rows * (px as i32 + 5),
            };
        }
    }
    let px = 13.0;
    let f = font(px, false);
    let lines: Vec<Vec<String>> = prep
        .categories
        .iter()
        .map(|c| vec![fit(c, &f, MAX_ROTATED_W)])
        .collect();
    let widest = lines
        .iter()
        .flatten()
        .map(|t| text_w(t, &f))
        .max()
        .unwrap_or(0);
    CategoryLabels {
        px,
        lines,
        rotated: true,
        height: 14 + widest,
    }
}

/// `text` cut with an ellipsis to fit `max_w` pixels.
fn fit(text: &str, f: &FontDesc, max_w: i32) -> String {
    if text_w(text, f) <= max_w {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let candidate: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if text_w(&candidate, f) <= max_w {
            return candidate;
        }
    }
    "…".to_string()
}

fn draw_vbar_chart(root: &Area, chart: &Chart, layout: &Layout, looks: &[Look]) -> DrawResult {
    let prep = prepare_categories(chart);
    let n = prep.categories.len();
    let stacked = chart.kind == ChartKind::StackedBar;
    let VBarGeometry {
        ya,
        yb,
        yticks,
        left,
        right,
    } = vbar_geometry(chart, &prep);
    let unit = chart.y_unit.as_str();
    let ys = Scale {
        d0: ya,
        d1: yb,
        p0: layout.plot_bottom as f64,
        p1: layout.plot_top as f64,
    };
    draw_axis_title(
        root,
        &value_axis_label(chart),
        MARGIN,
        layout.axis_label_top,
    )?;
    draw_value_axis_left(root, &yticks, &ys, left, right, unit)?;
    let slot = (right - left) / n.max(1) as i32;
    let centers: Vec<i32> = (0..n).map(|i| left + slot * i as i32 + slot / 2).collect();
    let group_w = (slot as f64 * 0.72) as i32;
    let zero = ys.px(0.0_f64.clamp(ya, yb));
    let k = chart.series.len().max(1) as i32;
    let label_f = font(VALUE_PX, false);
    // Totals above stacks only make sense when nothing is negative.
    let show_totals = stacked
        && prep
            .values
            .iter()
            .flatten()
            .all(|v| v.is_nan() || *v >= 0.0);
    let max_total = (0..n)
        .map(|c| {
            prep.values
                .iter()
                .map(|s| if s[c].is_finite() { s[c] } else { 0.0 })
                .sum::<f64>()
        })
        .fold(0.0, f64::max);
    for (c, cx) in centers.iter().enumerate() {
        if stacked {
            let (mut pos, mut neg) = (0.0f64, 0.0f64);
            let x0 = cx - group_w / 2;
            let x1 = cx + group_w / 2;
            for (s, vals) in prep.values.iter().enumerate() {
                let v = vals[c];
                if !v.is_finite() || v == 0.0 {
                    continue;
                }
                let (a, b) = if v >= 0.0 {
                    pos += v;
                    (pos - v, pos)
                } else {
                    neg += v;
                    (neg - v, neg)
                };
                let (ya_px, yb_px) = (ys.px(a), ys.px(b));
                root.draw(&Rectangle::new(
                    [(x0, ya_px), (x1, yb_px)],
                    looks[s].color.filled(),
                ))
                .map_err(err)?;
                root.draw(&Rectangle::new(
                    [(x0, ya_px), (x1, yb_px)],
                    WHITE.stroke_width(1),
                ))
                .map_err(err)?;
            }
            let total: f64 = prep
                .values
                .iter()
                .map(|s| if s[c].is_finite() { s[c] } else { 0.0 })
                .sum();
            if show_totals && pos > 0.0 {
                let st = style(&label_f, INK, HPos::Center, VPos::Bottom);
                text(
                    root,
                    &value_label(total, value_decimals(max_total), unit),
                    &st,
                    *cx,
                    ys.px(pos) - 3,
                )?;
            }
        } else {
            let bar_w = (group_w / k).max(2);
            let start = cx - bar_w * k / 2;
            for (s, vals) in prep.values.iter().enumerate() {
                let v = vals[c];
                if !v.is_finite() {
                    continue;
                }
                let x0 = start + bar_w * s as i32;
                root.draw(&Rectangle::new(
                    [(x0 + 1, zero), (x0 + bar_w - 1, ys.px(v))],
                    looks[s].color.filled(),
                ))
                .map_err(err)?;
            }
        }
    }
    // Zero line and x axis on top of the bars.
    root.draw(&PathElement::new(
        vec![(left, zero), (right, zero)],
        AXIS.stroke_width(1),
    ))
    .map_err(err)?;
    if let Some(labels) = &layout.categories {
        draw_category_labels(root, labels, &centers, layout.plot_bottom + 8)?;
    }
    draw_x_title(
        root,
        &chart.x_label,
        left,
        right,
        layout.plot_bottom + layout.ticks_h + 4,
    )
}

fn draw_hbar_chart(root: &Area, chart: &Chart, layout: &Layout, looks: &[Look]) -> DrawResult {
    let prep = prepare_categories(chart);
    let n = prep.categories.len().max(1);
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for v in prep.values.iter().flatten().filter(|v| v.is_finite()) {
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    let unit = chart.y_unit.as_str();
    let (xa, xb, xticks) = value_extent(chart, lo, hi);
    let max_abs = hi.abs().max(lo.abs());
    let dec = value_decimals(max_abs);
    let vf = font(VALUE_PX, false);
    let value_w = prep
        .values
        .iter()
        .flatten()
        .filter(|v| v.is_finite())
        .map(|v| text_w(&value_label(*v, dec, unit), &vf))
        .max()
        .unwrap_or(0)
        + 8;
    let cf = font(TICK_PX, false);
    let cat_w = prep
        .categories
        .iter()
        .map(|c| text_w(c, &cf))
        .max()
        .unwrap_or(0)
        .min(MAX_HBAR_LABEL_W);
    let left = MARGIN + cat_w + 12 + if lo < 0.0 { value_w } else { 0 };
    let right = WIDTH as i32 - MARGIN - value_w;
    let xs = Scale {
        d0: xa,
        d1: xb,
        p0: left as f64,
        p1: right as f64,
    };
    let slot = (layout.plot_bottom - layout.plot_top) / n as i32;
    let k = chart.series.len().max(1) as i32;
    let group_h = (slot as f64 * 0.74) as i32;
    let bar_h = (group_h / k).max(2);

    // The category axis title sits above the category labels; the value axis title below.
    if !chart.x_label.trim().is_empty() {
        draw_axis_title(root, chart.x_label.trim(), MARGIN, layout.axis_label_top)?;
    }
    let xdec = tick_decimals(&xticks);
    let tf = font(TICK_PX, false);
    for t in &xticks {
        let x = xs.px(*t);
        let c = if t.abs() < 1e-12 { AXIS } else { GRID };
        root.draw(&PathElement::new(
            vec![(x, layout.plot_top), (x, layout.plot_bottom)],
            c.stroke_width(1),
        ))
        .map_err(err)?;
        text(
            root,
            &tick_label(*t, xdec, unit),
            &style(&tf, SOFT_INK, HPos::Center, VPos::Top),
            x,
            layout.plot_bottom + 8,
        )?;
    }
    let zero = xs.px(0.0_f64.clamp(xa, xb));
    let cst = style(&cf, INK, HPos::Right, VPos::Center);
    for (c, name) in prep.categories.iter().enumerate() {
        let cy = layout.plot_top + slot * c as i32 + slot / 2;
        let shown = fit(name, &cf, MAX_HBAR_LABEL_W);
        text(root, &shown, &cst, MARGIN + cat_w, cy)?;
        let start = cy - bar_h * k / 2;
        for (s, vals) in prep.values.iter().enumerate() {
            let v = vals[c];
            if !v.is_finite() {
                continue;
            }
            let y0 = start + bar_h * s as i32;
            let xv = xs.px(v);
            root.draw(&Rectangle::new(
                [(zero, y0 + 1), (xv, y0 + bar_h - 1)],
                looks[s].color.filled(),
            ))
            .map_err(err)?;
            let (anchor, tx) = if v >= 0.0 {
                (HPos::Left, xv + 4)
            } else {
                (HPos::Right, xv - 4)
            };
            text(
                root,
                &value_label(v, dec, unit),
                &style(&vf, INK, anchor, VPos::Center),
                tx,
                y0 + bar_h / 2,
            )?;
        }
    }
    root.draw(&PathElement::new(
        vec![(zero, layout.plot_top), (zero, layout.plot_bottom)],
        AXIS.stroke_width(1),
    ))
    .map_err(err)?;
    draw_x_title(
        root,
        &value_axis_label(chart),
        left,
        right,
        layout.plot_bottom + 10 + TICK_LH + 4,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_cover_range_with_round_steps() {
        assert_eq!(
            nice_ticks(0.0, 47.0, 5),
            vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
        );
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        let t = nice_ticks(-3.0, 7.0, 5);
        assert_eq!((t[0], *t.last().unwrap()), (-4.0, 8.0));
    }

    #[test]
    fn tick_decimals_are_minimal() {
        assert_eq!(tick_decimals(&[0.0, 0.2, 0.4]), 1);
        assert_eq!(tick_decimals(&[0.0, 2.5, 5.0]), 1);
        assert_eq!(tick_decimals(&[0.0, 1000.0]), 0);
        assert_eq!(tick_decimals(&[0.0, 0.25]), 2);
    }

    #[test]
    fn embedded_font_measures_text() {
        register_fonts();
        let f = font(14.0, false);
        let w = text_w("Russia", &f);
        // DejaVu Sans at 14 px: "Russia" is about 45 px wide.
        assert!((35..=60).contains(&w), "width {w}");
        assert!(text_w("Russia–China", &f) > w);
    }

    #[test]
    fn wrap_respects_width() {
        register_fonts();
        let f = font(12.0, false);
        let lines = wrap(
            "one two three four five six seven eight nine ten eleven twelve",
            &f,
            120,
        );
        assert!(lines.len() > 2);
        assert!(
            lines
                .iter()
                .all(|l| text_w(l, &f) <= 120 || !l.contains(' '))
        );
    }
}
