//! The embedded fonts and text metrics: the font of a size and weight, the width of a text,
//! wrapping and fitting text to a width.

use super::*;

pub(super) fn register_fonts() {
    FONTS.call_once(|| {
        // The bytes are compiled in; failure would be a corrupt asset, caught by tests.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, REGULAR);
        let _ = plotters::style::register_font(FAMILY, FontStyle::Bold, BOLD);
    });
}

/// A font whose rendered size is `px` (plotters writes `font-size = size / 1.24`).
pub(super) fn font(px: f64, bold: bool) -> FontDesc<'static> {
    let style = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    FontDesc::new(FontFamily::Name(FAMILY), px * 1.24, style)
}

/// Width in pixels of `text` (a slight overestimate, which is the safe side).
pub(super) fn text_w(text: &str, f: &FontDesc) -> i32 {
    f.box_size(text).map(|(w, _)| w as i32).unwrap_or_else(|_| {
        // Fallback: average DejaVu advance is about 0.6 em.
        (text.chars().count() as f64 * f.get_size() / 1.24 * 0.62) as i32
    })
}

/// Greedy word wrap to `max_w` pixels.
pub(super) fn wrap(text: &str, f: &FontDesc, max_w: i32) -> Vec<String> {
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

/// `text` cut with an ellipsis to fit `max_w` pixels.
pub(super) fn fit(text: &str, f: &FontDesc, max_w: i32) -> String {
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
