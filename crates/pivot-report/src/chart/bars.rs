//! The bar charts: vertical (stacked or grouped) and horizontal.

use super::*;

pub(super) fn draw_vbar_chart(
    root: &Area,
    chart: &Chart,
    layout: &Layout,
    looks: &[Look],
) -> DrawResult {
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

pub(super) fn draw_hbar_chart(
    root: &Area,
    chart: &Chart,
    layout: &Layout,
    looks: &[Look],
) -> DrawResult {
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
