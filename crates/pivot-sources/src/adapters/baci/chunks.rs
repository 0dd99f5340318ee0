//! A data file cut into 4 MiB chunks at line breaks, each parsed on a worker thread straight
//! into Arrow builders, its rows' keys and roll-up sums kept for the checks in file order.

use super::*;

/// Arrow builders for `trade_flows` batches from BACI.
pub(super) struct Builders {
    pub(super) year: Int32Builder,
    pub(super) exporter: StringBuilder,
    pub(super) importer: StringBuilder,
    pub(super) product: StringBuilder,
    pub(super) value: Float64Builder,
    pub(super) qty: Float64Builder,
    pub(super) len: usize,
}

impl Builders {
    pub(super) fn new(rows: usize) -> Builders {
        Builders {
            year: Int32Builder::with_capacity(rows),
            exporter: StringBuilder::with_capacity(rows, rows * 3),
            importer: StringBuilder::with_capacity(rows, rows * 3),
            product: StringBuilder::with_capacity(rows, rows * 6),
            value: Float64Builder::with_capacity(rows),
            qty: Float64Builder::with_capacity(rows),
            len: 0,
        }
    }

    pub(super) fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch, String> {
        let n = self.len;
        self.len = 0;
        let constant = |s: &str| -> ArrayRef {
            Arc::new(arrow::array::StringArray::from_iter_values(
                std::iter::repeat_n(s, n),
            ))
        };
        let cols: Vec<ArrayRef> = vec![
            Arc::new(self.year.finish()),
            Arc::new(self.exporter.finish()),
            Arc::new(self.importer.finish()),
            Arc::new(self.product.finish()),
            Arc::new(self.value.finish()),
            Arc::new(self.qty.finish()),
            constant("baci"),
            constant("reconciled"),
        ];
        RecordBatch::try_new(schema.clone(), cols).map_err(|e| e.to_string())
    }
}

/// One chunk of a data file, parsed on a worker thread.
pub(super) struct Parsed {
    /// The chunk's bytes (kept until the duplicate check, to quote a duplicate's line).
    pub(super) buf: Vec<u8>,
    /// Line slots (line breaks, or a last unterminated line) the chunk covers.
    pub(super) lines: u64,
    /// Rows parsed (before the first error, if any).
    pub(super) rows: u64,
    /// Packed (t, i, j, k) key of each row.
    pub(super) keys: Vec<u64>,
    /// Line index within the chunk (0-based) of each row.
    pub(super) row_line: Vec<u32>,
    /// Batches, one per run of equal years, in order.
    pub(super) batches: Vec<(i32, RecordBatch)>,
    /// First and last year seen.
    pub(super) years: Option<(i32, i32)>,
    /// The first problem: (line index in the chunk, field, problem, value).
    pub(super) err: Option<(u32, &'static str, String, String)>,
    /// The chunk's roll-up sums.
    pub(super) rollup: RollUp,
}

/// The next chunk of whole lines (the last one may lack its line break at the end of input).
pub(super) fn next_chunk(
    reader: &mut dyn Read,
    chunk: usize,
    carry: &mut Vec<u8>,
    eof: &mut bool,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = std::mem::take(carry);
    loop {
        if *eof {
            return Ok((!buf.is_empty()).then_some(buf));
        }
        let start = buf.len();
        buf.reserve(chunk);
        let n = (&mut *reader).take(chunk as u64).read_to_end(&mut buf)?;
        if n == 0 {
            *eof = true;
            continue;
        }
        if let Some(p) = buf[start..].iter().rposition(|&c| c == b'\n') {
            *carry = buf[start + p + 1..].to_vec();
            buf.truncate(start + p + 1);
            return Ok(Some(buf));
        }
    }
}

/// The lines of `body` cut at `\n`, exactly as `body.split(|&c| c == b'\n')` cuts them (an
/// empty last piece after a final line break included), the breaks found with `memchr`.
pub(super) fn lines(body: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', body)
        .chain(std::iter::once(body.len()))
        .map(move |end| {
            let line = &body[start..end];
            start = end + 1;
            line
        })
}

/// Line `idx` (0-based) of a chunk, without its line break.
pub(super) fn nth_line(buf: &[u8], idx: u32) -> &[u8] {
    buf.split(|&c| c == b'\n').nth(idx as usize).unwrap_or(&[])
}

/// Parse a chunk of whole lines into batches (one per run of equal years). Problems in the data
/// stop the chunk and are returned in [`Parsed::err`]; `Err` is an internal error only.
/// The year a BACI file's name gives (`BACI_HS92_Y2019_V202401.csv`: 2019), if any.
pub(super) fn year_in_name(name: &str) -> Option<i32> {
    let f = name.rsplit('/').next()?;
    let y = f.split('_').find_map(|part| part.strip_prefix('Y'))?;
    (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
        .then(|| y.parse().ok())
        .flatten()
}

/// Parse one chunk of lines; with `file_year` (the year the file's name gives) a row of
/// another year is an error.
pub(super) fn parse_chunk(
    buf: Vec<u8>,
    codes: &Codes,
    file_year: Option<i32>,
) -> Result<Parsed, String> {
    let (iso, schema) = (&codes.iso, &codes.schema);
    let mut out = Parsed {
        buf: Vec::new(),
        lines: 0,
        rows: 0,
        keys: Vec::with_capacity(buf.len() / 24),
        row_line: Vec::with_capacity(buf.len() / 24),
        batches: Vec::new(),
        years: None,
        err: None,
        rollup: RollUp::default(),
    };
    let mut b = Builders::new(buf.len() / 24);
    let mut year: Option<i32> = None;
    let body = buf.strip_suffix(b"\n").unwrap_or(&buf);
    if !buf.is_empty() {
        for (idx, l) in lines(body).enumerate() {
            let idx = idx as u32;
            out.lines += 1;
            if l.is_empty() || l == b"\r" {
                continue;
            }
            let p = match parse_plain(l).map_or_else(|| parse_baci_line(l), Ok) {
                Ok(p) => p,
                Err((field, problem)) => {
                    out.err = Some((idx, field, problem, field_value(l, field)));
                    break;
                }
            };
            if let Some(fy) = file_year
                && p.t != fy
            {
                out.err = Some((
                    idx,
                    "t",
                    format!("is year {} in a file whose name says {fy}", p.t),
                    field_value(l, "t"),
                ));
                break;
            }
            // v is in thousand USD: at most 10^12 (10^15 USD, as every trade source).
            if p.v > crate::input::MAX_FLOW_USD_M * 1000.0 {
                out.err = Some((
                    idx,
                    "v",
                    format!(
                        "is {:e} thousand USD, more than any trade flow can be (at most 1e12)",
                        p.v
                    ),
                    field_value(l, "v"),
                ));
                break;
            }
            if p.i == p.j {
                out.err = Some((
                    idx,
                    "j",
                    "is the exporter itself: BACI has no flows from a country to itself".into(),
                    field_value(l, "j"),
                ));
                break;
            }
            let (Some(exporter), Some(importer)) = (&iso[p.i as usize], &iso[p.j as usize]) else {
                let field = if iso[p.i as usize].is_none() {
                    "i"
                } else {
                    "j"
                };
                out.err = Some((
                    idx,
                    field,
                    "is not a BACI country code (see country_codes_V*.csv)".into(),
                    field_value(l, field),
                ));
                break;
            };
            out.keys.push(line_key(&p));
            out.row_line.push(idx);
            match year {
                Some(y) if y != p.t => {
                    // Several years in one file: a batch per run keeps partitions clean.
                    out.batches.push((y, b.finish(schema)?));
                }
                _ => {}
            }
            year = Some(p.t);
            out.years = Some(match out.years {
                None => (p.t, p.t),
                Some((lo, hi)) => (lo.min(p.t), hi.max(p.t)),
            });
            b.year.append_value(p.t);
            b.exporter.append_value(exporter);
            b.importer.append_value(importer);
            b.product
                .append_value(std::str::from_utf8(&p.k).expect("ascii digits"));
            let value = p.v / 1000.0;
            out.rollup.add(
                p.t,
                codes.rank[p.i as usize],
                codes.rank[p.j as usize],
                (p.k[0] - b'0') * 10 + (p.k[1] - b'0'),
                value,
            );
            b.value.append_value(value);
            b.qty.append_option(p.q);
            b.len += 1;
            out.rows += 1;
        }
        // An unterminated last line is a line too; a trailing line break adds none.
    }
    if let (Some(y), true) = (year, b.len > 0) {
        out.batches.push((y, b.finish(schema)?));
    }
    out.buf = buf;
    Ok(out)
}
