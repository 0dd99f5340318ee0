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

mod bars;
mod draw;
mod fonts;
mod layout;
mod line;
mod svg;

use bars::*;
use draw::DrawResult;
use draw::*;
use fonts::*;
use layout::*;
use line::*;
use svg::*;

/// Font family name under which the embedded font is registered, and which
/// the SVG asks for (with fallbacks of similar width).
const FAMILY: &str = "DejaVu Sans";

const FAMILY_CSS: &str = "DejaVu Sans, Verdana, Arial, sans-serif";

static REGULAR: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans.ttf");

static BOLD: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans-Bold.ttf");

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

    /// Issue 30: ten lines in one chart, the seventh highlighted: six colours, each once (the
    /// highlighted line among them), the other four grey and named at their ends; the SVG
    /// writes each of those names.
    #[test]
    fn many_lines_get_distinct_colours_then_grey_with_end_labels() {
        let mut chart = crate::sample::sample_line_chart();
        let base = chart.series[0].clone();
        chart.series = (0..10)
            .map(|k| crate::model::Series {
                name: format!("Partner {k}"),
                highlight: k == 6,
                ..base.clone()
            })
            .collect();
        let looks = draw::looks(&chart);
        let coloured: Vec<usize> = (0..10).filter(|i| !looks[*i].end_label).collect();
        assert_eq!(coloured, [0, 1, 2, 3, 4, 6]);
        let mut colours: Vec<(u8, u8, u8)> = coloured
            .iter()
            .map(|i| {
                let c = looks[*i].color;
                (c.0, c.1, c.2)
            })
            .collect();
        colours.sort_unstable();
        colours.dedup();
        assert_eq!(colours.len(), 6, "a colour used twice");
        assert!(
            [5, 7, 8, 9]
                .iter()
                .all(|i| looks[*i].end_label && looks[*i].marker.is_none())
        );
        let svg = render_svg(&chart).unwrap();
        for k in [5, 7, 8, 9] {
            assert!(
                svg.matches(&format!("Partner {k}")).count() >= 2,
                "Partner {k}"
            );
        }
    }
}
