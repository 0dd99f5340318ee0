//! Where things go before anything is drawn: value ticks and their decimals, scales, legend
//! rows, footers, category labels, bar geometry and the chart's layout.

use super::*;

/// "Nice" tick positions covering `[lo, hi]` with about `target` intervals.
pub(super) fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
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
pub(super) fn tick_decimals(ticks: &[f64]) -> usize {
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
pub(super) fn value_decimals(max_abs: f64) -> usize {
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
pub(super) struct Scale {
    pub(super) d0: f64,
    pub(super) d1: f64,
    pub(super) p0: f64,
    pub(super) p1: f64,
}

impl Scale {
    pub(super) fn px(&self, v: f64) -> i32 {
        let t = if (self.d1 - self.d0).abs() < f64::EPSILON {
            0.5
        } else {
            (v - self.d0) / (self.d1 - self.d0)
        };
        (self.p0 + t * (self.p1 - self.p0)).round() as i32
    }
}

/// Laid-out legend: rows of (series index, x offset).
pub(super) fn legend_rows(chart: &Chart, f: &FontDesc, max_w: i32) -> Vec<Vec<(usize, i32)>> {
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

pub(super) fn footer_lines(chart: &Chart, f: &FontDesc, max_w: i32) -> Vec<(String, bool)> {
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
pub(super) struct Prepared {
    pub(super) categories: Vec<String>,
    /// `values[series][category]`, NaN where missing.
    pub(super) values: Vec<Vec<f64>>,
}

pub(super) fn prepare_categories(chart: &Chart) -> Prepared {
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

pub(super) fn has_data(chart: &Chart) -> bool {
    chart
        .series
        .iter()
        .any(|s| s.points.iter().any(|p| p.y.is_finite()))
}

/// Value-axis extent: zero and the data (or the caller's fixed range).
pub(super) fn value_extent(chart: &Chart, lo: f64, hi: f64) -> (f64, f64, Vec<f64>) {
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

/// Pixel layout of one chart, computed before drawing so the SVG height fits.
pub(super) struct Layout {
    pub(super) title: Vec<String>,
    pub(super) legend: Vec<Vec<(usize, i32)>>,
    pub(super) footer: Vec<(String, bool)>,
    pub(super) title_top: i32,
    pub(super) legend_top: i32,
    pub(super) axis_label_top: i32,
    pub(super) plot_top: i32,
    pub(super) plot_bottom: i32,
    pub(super) footer_top: i32,
    pub(super) height: i32,
    /// Height of the tick-label band under the plot.
    pub(super) ticks_h: i32,
    /// Vertical bar charts: how the category labels are set.
    pub(super) categories: Option<CategoryLabels>,
}

pub(super) const TITLE_PX: f64 = 21.0;

pub(super) const TITLE_LH: i32 = 27;

pub(super) const LEGEND_LH: i32 = 25;

pub(super) const LEGEND_PX: f64 = 14.5;

pub(super) const VALUE_PX: f64 = 12.5;

pub(super) const TICK_PX: f64 = 14.0;

pub(super) const TICK_LH: i32 = 19;

pub(super) const AXIS_PX: f64 = 14.5;

pub(super) const FOOT_PX: f64 = 13.0;

pub(super) const FOOT_LH: i32 = 18;

impl Layout {
    pub(super) fn new(chart: &Chart) -> Layout {
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

pub(super) fn tick_label(v: f64, dec: usize, unit: &str) -> String {
    let s = grouped(v, dec);
    if unit.trim() == "%" {
        format!("{s}%")
    } else {
        s
    }
}

pub(super) fn value_label(v: f64, dec: usize, unit: &str) -> String {
    tick_label(v, dec, unit)
}

pub(super) fn left_gutter(ticks: &[f64], unit: &str) -> i32 {
    let dec = tick_decimals(ticks);
    let f = font(TICK_PX, false);
    ticks
        .iter()
        .map(|t| text_w(&tick_label(*t, dec, unit), &f))
        .max()
        .unwrap_or(20)
        + 12
}

/// Value axis and horizontal extent of a vertical bar chart.
pub(super) struct VBarGeometry {
    pub(super) ya: f64,
    pub(super) yb: f64,
    pub(super) yticks: Vec<f64>,
    pub(super) left: i32,
    pub(super) right: i32,
}

pub(super) fn vbar_geometry(chart: &Chart, prep: &Prepared) -> VBarGeometry {
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
pub(super) struct CategoryLabels {
    pub(super) px: f64,
    pub(super) lines: Vec<Vec<String>>,
    pub(super) rotated: bool,
    pub(super) height: i32,
}

pub(super) const MAX_CAT_LINES: usize = 3;

pub(super) const MAX_HBAR_LABEL_W: i32 = 330;

pub(super) const MAX_ROTATED_W: i32 = 190;

pub(super) fn category_labels(chart: &Chart) -> CategoryLabels {
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
