//! The memory queries may use: `PIVOT_MEMORY_LIMIT`, else half of the machine's memory. A leaf
//! module: the catalog builds its memory pool from it, errors quote it.

/// How much memory a query's operators may hold before they spill to disk (sorts, grouped
/// aggregates, joins) or, where an operator cannot spill, fail with "Resources exhausted":
/// `PIVOT_MEMORY_LIMIT` (`512M`, `4G`, `none`), else half of the machine's memory.
pub(crate) fn memory_limit() -> Result<Option<usize>, String> {
    match std::env::var("PIVOT_MEMORY_LIMIT") {
        Ok(v) => parse_size(&v).map_err(|why| {
            format!(
                "PIVOT_MEMORY_LIMIT='{}': {why} (expected a size such as 512M, 4G or 2.5G, or none)",
                v.chars().take(40).collect::<String>()
            )
        }),
        Err(_) => Ok(machine_memory().map(|m| m / 2)),
    }
}

/// A size in bytes: digits (a decimal point allowed) and an optional K, M, G or T (powers of
/// 1024, an optional trailing B or iB); `none` for no limit.
pub(crate) fn parse_size(v: &str) -> Result<Option<usize>, &'static str> {
    let v = v.trim();
    if v.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let upper = v.to_ascii_uppercase();
    let t = upper
        .strip_suffix("IB")
        .or_else(|| upper.strip_suffix('B'))
        .unwrap_or(&upper);
    let (num, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c),
        _ => (t, ' '),
    };
    let mult: f64 = match unit {
        ' ' => 1.0,
        'K' => 1024.0,
        'M' => 1024.0 * 1024.0,
        'G' => 1024.0 * 1024.0 * 1024.0,
        'T' => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err("unknown unit"),
    };
    let n: f64 = num.trim().parse().map_err(|_| "not a number")?;
    let bytes = n * mult;
    if !(bytes.is_finite() && bytes >= 1024.0 * 1024.0) {
        return Err("less than 1M");
    }
    Ok(Some(bytes.min(usize::MAX as f64) as usize))
}

/// Total memory of this machine (Linux: /proc/meminfo), if known.
fn machine_memory() -> Option<usize> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}
