//! Number formatting and escaping shared by the renderers.

/// Shortest text that round-trips `v`; integers have no decimals
/// (`2014`, not `2014.0`); non-finite values give an empty string.
pub fn plain_number(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// `v` with `decimals` decimals and thousands separators: `12,345.6`.
/// Uses a real minus sign (U+2212) for negatives, as typeset text does.
pub fn grouped(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut out = String::new();
    let n = int.len();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (n - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    let is_zero = s.chars().all(|c| c == '0' || c == '.');
    if v < 0.0 && !is_zero {
        format!("\u{2212}{out}")
    } else {
        out
    }
}

/// "Source: …. Method: …": prefixes each part unless it already starts with
/// its label, and ends each part with a full stop. Empty parts are skipped.
pub fn source_method(source: &str, method: &str) -> String {
    let mut parts = Vec::new();
    for (text, label) in [(source.trim(), "Source"), (method.trim(), "Method")] {
        if text.is_empty() {
            continue;
        }
        let mut part = if text
            .to_ascii_lowercase()
            .starts_with(&label.to_ascii_lowercase())
        {
            text.to_string()
        } else {
            format!("{label}: {text}")
        };
        if !part.ends_with(['.', '!', '?']) {
            part.push('.');
        }
        parts.push(part);
    }
    parts.join(" ")
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text so Markdown shows it literally (also safe inside table cells).
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_numbers_keep_years_integral() {
        assert_eq!(plain_number(2014.0), "2014");
        assert_eq!(plain_number(0.125), "0.125");
        assert_eq!(plain_number(-3.0), "-3");
        assert_eq!(plain_number(f64::NAN), "");
    }

    #[test]
    fn grouped_numbers_have_separators_and_minus() {
        assert_eq!(grouped(1234567.891, 1), "1,234,567.9");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(1000.0, 0), "1,000");
        assert_eq!(grouped(-0.004, 2), "0.00");
        assert_eq!(grouped(-12.5, 1), "\u{2212}12.5");
    }

    #[test]
    fn escapes() {
        assert_eq!(html_escape("a<b & 'c'"), "a&lt;b &amp; &#39;c&#39;");
        assert_eq!(md_escape("a*b|c_d"), "a\\*b\\|c\\_d");
    }
}
