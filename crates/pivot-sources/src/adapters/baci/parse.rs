//! One BACI data line: the allocation-free parser the chunks call per row, and the text of a
//! field for error messages.

/// One parsed BACI data line.
#[derive(Debug, Clone, PartialEq)]
pub struct BaciLine {
    /// Year.
    pub t: i32,
    /// Exporter code.
    pub i: u16,
    /// Importer code.
    pub j: u16,
    /// HS6 code, six ASCII digits.
    pub k: [u8; 6],
    /// Value, thousand USD.
    pub v: f64,
    /// Quantity, tonnes.
    pub q: Option<f64>,
}

/// Field names of a BACI data line, in order.
pub(super) const FIELDS: [&str; 6] = ["t", "i", "j", "k", "v", "q"];

/// Parse one BACI data line (`t,i,j,k,v,q`). On error returns (field, problem).
///
/// This runs once per row of files with hundreds of millions of rows, so the common case
/// allocates nothing: fields are byte slices, plain decimals are read by [`fast_decimal`], and
/// error messages are built only when there is an error.
pub fn parse_baci_line(line: &[u8]) -> Result<BaciLine, (&'static str, String)> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut f: [&[u8]; 6] = [&[]; 6];
    let mut n = 0;
    for part in line.split(|&b| b == b',') {
        if n == 6 {
            return Err(("q", "expected 6 fields (t,i,j,k,v,q), found more".into()));
        }
        f[n] = part;
        n += 1;
    }
    if n < 6 {
        return Err((
            FIELDS[n],
            "missing (expected 6 fields: t,i,j,k,v,q)".to_string(),
        ));
    }
    let int = |name: &'static str, s: &[u8]| -> Result<u32, (&'static str, String)> {
        let s = trim_quotes(s);
        if s.is_empty() || s.len() > 9 || !s.iter().all(u8::is_ascii_digit) {
            return Err((
                name,
                format!("'{}' is not a whole number", String::from_utf8_lossy(s)),
            ));
        }
        Ok(s.iter().fold(0u32, |a, &d| a * 10 + u32::from(d - b'0')))
    };
    let t = int("t", f[0])?;
    if !(1988..=2100).contains(&t) {
        return Err(("t", format!("{t} is not a plausible year")));
    }
    let i = int("i", f[1])?;
    let j = int("j", f[2])?;
    for (name, code) in [("i", i), ("j", j)] {
        if code > 999 {
            return Err((name, "country codes have at most three digits".into()));
        }
    }
    let ks = trim_quotes(f[3]);
    if ks.is_empty() || ks.len() > 6 || !ks.iter().all(u8::is_ascii_digit) {
        return Err((
            "k",
            format!("'{}' is not an HS6 code", String::from_utf8_lossy(ks)),
        ));
    }
    let mut kk = [b'0'; 6];
    kk[6 - ks.len()..].copy_from_slice(ks);
    let num = |name: &'static str, s: &[u8]| -> Result<Option<f64>, (&'static str, String)> {
        if s.is_empty() {
            return Ok(None);
        }
        if let Some(x) = fast_decimal(s) {
            return Ok(Some(x));
        }
        let s = trim_quotes(s);
        let s = std::str::from_utf8(s)
            .map_err(|_| (name, "is not UTF-8".to_string()))?
            .trim();
        if s.is_empty() || s == "NA" {
            return Ok(None);
        }
        let x: f64 = s
            .parse()
            .map_err(|_| (name, format!("'{s}' is not a number")))?;
        if !x.is_finite() || x < 0.0 {
            return Err((name, format!("'{s}' must be a non-negative number")));
        }
        Ok(Some(x))
    };
    let v = num("v", f[4])?.ok_or_else(|| ("v", "is empty".to_string()))?;
    let q = num("q", f[5])?;
    Ok(BaciLine {
        t: t as i32,
        i: i as u16,
        j: j as u16,
        k: kk,
        v,
        q,
    })
}

/// The common BACI line — `t,i,j,k,v,q` in plain digits, no quotes, spaces or signs — read in
/// one pass over its bytes; `None` for anything else, which [`parse_baci_line`] then reads (and
/// explains, if it is wrong). Whatever this returns, `parse_baci_line` returns too (a property
/// test checks it): the year in 1988..=2100 (four digits), codes of one to three digits, an HS6
/// code of one to six digits (left-padded), value and quantity through [`fast_decimal`].
#[inline]
pub(super) fn parse_plain(line: &[u8]) -> Option<BaciLine> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut p = 0usize;
    // Digits (1..=max) then a comma: the number and its digits.
    let mut uint = |max: usize| -> Option<(u32, &[u8])> {
        let start = p;
        let mut n = 0u32;
        while let Some(&c) = line.get(p)
            && c.is_ascii_digit()
        {
            if p - start == max {
                return None;
            }
            n = n * 10 + u32::from(c - b'0');
            p += 1;
        }
        let digits = &line[start..p];
        if digits.is_empty() || line.get(p) != Some(&b',') {
            return None;
        }
        p += 1;
        Some((n, digits))
    };
    let (t, _) = uint(4)?;
    let (i, _) = uint(3)?;
    let (j, _) = uint(3)?;
    let (_, ks) = uint(6)?;
    if !(1988..=2100).contains(&t) {
        return None;
    }
    let mut k = [b'0'; 6];
    k[6 - ks.len()..].copy_from_slice(ks);
    let rest = &line[p..];
    let comma = rest.iter().position(|&c| c == b',')?;
    let v = fast_decimal(&rest[..comma])?;
    let q = match &rest[comma + 1..] {
        [] => None,
        qs => Some(fast_decimal(qs)?),
    };
    Some(BaciLine {
        t: t as i32,
        i: i as u16,
        j: j as u16,
        k,
        v,
        q,
    })
}

/// Powers of ten exactly representable as `f64`.
pub(super) const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A plain non-negative decimal (`123`, `74262345.123`, `.5`) with at most 15 significant
/// digits, read exactly as `str::parse::<f64>` would: the digits form an integer m < 2^53 and
/// m / 10^f is one correctly rounded IEEE division of two exact values (Clinger's fast path).
/// Anything else (signs, exponents, spaces, quotes, long digit strings) returns `None` and goes
/// to the general parser.
pub(super) fn fast_decimal(s: &[u8]) -> Option<f64> {
    let mut m: u64 = 0;
    let mut digits = 0usize;
    let mut frac: Option<usize> = None;
    for &c in s {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(c - b'0');
                digits += 1;
                if let Some(f) = frac.as_mut() {
                    *f += 1;
                }
            }
            b'.' if frac.is_none() => frac = Some(0),
            _ => return None,
        }
        if digits > 15 {
            return None;
        }
    }
    if digits == 0 {
        return None;
    }
    Some(m as f64 / POW10[frac.unwrap_or(0)])
}

pub(super) fn trim_quotes(s: &[u8]) -> &[u8] {
    let s = s.trim_ascii();
    s.strip_prefix(b"\"")
        .and_then(|x| x.strip_suffix(b"\""))
        .unwrap_or(s)
}

pub(super) fn field_value(line: &[u8], field: &str) -> String {
    let idx = FIELDS.iter().position(|f| *f == field).unwrap_or(0);
    line.split(|&b| b == b',')
        .nth(idx)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .unwrap_or_default()
}
