//! The line chart.

use super::*;

pub(super) fn draw_line_chart(
    root: &Area,
    chart: &Chart,
    layout: &Layout,
    looks: &[Look],
) -> DrawResult {
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
    // Room at the right for the names of grey lines, written at their ends.
    let lf = font(13.0, false);
    let label_room = chart
        .series
        .iter()
        .zip(looks)
        .filter(|(_, l)| l.end_label)
        .map(|(s, _)| text_w(&s.name, &lf) + 8)
        .max()
        .unwrap_or(0);
    let right = WIDTH as i32 - MARGIN - 12 - label_room;
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
        if look.end_label
            && let Some((x, y)) = pts[i].iter().rev().find(|p| p.1.is_finite())
        {
            text(
                root,
                &chart.series[i].name,
                &style(&lf, SOFT_INK, HPos::Left, VPos::Center),
                xs.px(*x) + 4,
                ys.px(*y),
            )?;
        }
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
