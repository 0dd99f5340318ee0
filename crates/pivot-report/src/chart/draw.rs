//! Drawing shared by every chart kind: styles and series looks, text, markers, paths, the
//! legend, axes and titles.

use super::*;

pub(super) fn style(
    f: &FontDesc<'static>,
    color: RGBColor,
    h: HPos,
    v: VPos,
) -> TextStyle<'static> {
    TextStyle {
        font: f.clone(),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// Mixes `c` with white: `t = 0` keeps it, `t = 1` gives white.
pub(super) fn tint(c: RGBColor, t: f64) -> RGBColor {
    let m = |v: u8| (v as f64 + (255.0 - v as f64) * t).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// Legend swatch: what a series looks like.
#[derive(Clone, Copy)]
pub(super) struct Look {
    pub(super) color: RGBColor,
    /// Line charts: stroke width; 0 means a filled box (bars).
    pub(super) width: u32,
    pub(super) dashed: bool,
    pub(super) marker: Option<usize>,
    /// Line charts past [`COLOURED_LINES`] lines: grey, named at the line's end.
    pub(super) end_label: bool,
}

/// Lines drawn in a colour of their own; the rest are grey and labelled at their ends, so no
/// two lines share a colour (as the FT and the OEC draw many lines).
pub(super) const COLOURED_LINES: usize = 6;

const GREY_LINE: RGBColor = RGBColor(0xA0, 0xA0, 0xA0);

pub(super) fn looks(chart: &Chart) -> Vec<Look> {
    let any_highlight = chart.series.iter().any(|s| s.highlight);
    // Line charts: colours in series order, highlighted series first, each colour once.
    let mut slot = vec![None; chart.series.len()];
    if chart.kind == ChartKind::Line {
        let mut order: Vec<usize> = (0..chart.series.len()).collect();
        order.sort_by_key(|i| !chart.series[*i].highlight);
        for (k, i) in order.into_iter().enumerate() {
            if k < COLOURED_LINES {
                slot[i] = Some(k);
            }
        }
    }
    chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| match chart.kind {
            ChartKind::Line => {
                let Some(k) = slot[i] else {
                    return Look {
                        color: GREY_LINE,
                        width: 2,
                        dashed: false,
                        marker: None,
                        end_label: true,
                    };
                };
                let base = LINE_PALETTE[k];
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
                    marker: strong.then_some(k),
                    end_label: false,
                }
            }
            _ => {
                let base = PALETTE[i % PALETTE.len()];
                Look {
                    color: if any_highlight && !s.highlight {
                        tint(base, 0.45)
                    } else {
                        base
                    },
                    width: 0,
                    dashed: false,
                    marker: None,
                    end_label: false,
                }
            }
        })
        .collect()
}

pub(super) type DrawResult = Result<(), String>;

pub(super) fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

pub(super) fn text(area: &Area, s: &str, st: &TextStyle, x: i32, y: i32) -> DrawResult {
    area.draw_text(s, st, (x, y)).map_err(err)
}

pub(super) fn draw_marker(
    area: &Area,
    kind: usize,
    c: RGBColor,
    x: i32,
    y: i32,
    r: i32,
) -> DrawResult {
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

pub(super) fn draw_path(area: &Area, pts: &[(i32, i32)], look: &Look) -> DrawResult {
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

pub(super) fn draw_legend(
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
pub(super) fn value_axis_label(chart: &Chart) -> String {
    match (chart.y_label.trim(), chart.y_unit.trim()) {
        ("", "") => String::new(),
        (l, "") => l.to_string(),
        ("", u) => format!("({u})"),
        (l, u) => format!("{l} ({u})"),
    }
}

pub(super) fn draw(root: &Area, chart: &Chart, layout: &Layout) -> DrawResult {
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
pub(super) fn draw_axis_title(root: &Area, label: &str, x: i32, y: i32) -> DrawResult {
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
pub(super) fn draw_value_axis_left(
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

pub(super) fn draw_x_title(root: &Area, label: &str, left: i32, right: i32, y: i32) -> DrawResult {
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

pub(super) fn draw_category_labels(
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
