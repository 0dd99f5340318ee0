//! Inputs (a user's file or bundled bytes, gzip detected by its magic number) and a CSV reader
//! that reports every problem with file, line and field.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::PathBuf;

use crate::SourceError;

/// A source of bytes with a name for messages.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file on disk.
    File(PathBuf),
    /// Bytes embedded in the binary (the bundled data); `name` is its `data/` path.
    Bytes {
        /// Name used in messages.
        name: String,
        /// The bytes.
        bytes: &'static [u8],
    },
}

impl Input {
    /// An embedded file.
    pub fn bundled(f: pivot_bundled::BundledFile) -> Input {
        Input::Bytes {
            name: format!("data/{}", f.path),
            bytes: f.bytes,
        }
    }

    /// Name for messages.
    pub fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Bytes { name, .. } => name.clone(),
        }
    }

    /// Size in bytes (compressed size for gzip), for progress bars.
    pub fn len(&self) -> u64 {
        match self {
            Input::File(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
            Input::Bytes { bytes, .. } => bytes.len() as u64,
        }
    }

    /// Whether the input is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A reader over the decompressed bytes.
    pub fn open(&self) -> Result<Box<dyn Read + Send>, SourceError> {
        let io = |e| SourceError::Io {
            file: self.name(),
            source: e,
        };
        let mut raw: Box<dyn Read + Send> = match self {
            Input::File(p) => Box::new(BufReader::with_capacity(
                1 << 20,
                File::open(p).map_err(io)?,
            )),
            Input::Bytes { bytes, .. } => Box::new(*bytes),
        };
        let mut magic = [0u8; 2];
        let n = read_up_to(&mut raw, &mut magic).map_err(io)?;
        let head = std::io::Cursor::new(magic[..n].to_vec());
        let chained: Box<dyn Read + Send> = Box::new(head.chain(raw));
        if n == 2 && magic == [0x1f, 0x8b] {
            Ok(Box::new(BufReader::with_capacity(
                1 << 20,
                flate2::read::MultiGzDecoder::new(chained),
            )))
        } else {
            Ok(chained)
        }
    }

    /// The first line of the decompressed content, trimmed, without a byte-order mark (for
    /// recognising a layout by its header without reading the whole file).
    pub fn first_line(&self) -> Result<String, SourceError> {
        use std::io::BufRead;
        let mut r = BufReader::new(self.open()?);
        let mut line = Vec::new();
        r.read_until(b'\n', &mut line)
            .map_err(|e| SourceError::Io {
                file: self.name(),
                source: e,
            })?;
        let s = String::from_utf8_lossy(&line);
        Ok(s.trim().trim_start_matches('\u{feff}').to_string())
    }

    /// The whole decompressed content.
    pub fn read_all(&self) -> Result<Vec<u8>, SourceError> {
        let mut v = Vec::new();
        self.open()?
            .read_to_end(&mut v)
            .map_err(|e| SourceError::Io {
                file: self.name(),
                source: e,
            })?;
        Ok(v)
    }
}

fn read_up_to(r: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// A CSV file being read: header index and line tracking.
pub struct Csv {
    file: String,
    rdr: csv::Reader<Box<dyn Read + Send>>,
    cols: HashMap<String, usize>,
    header: Vec<String>,
    /// Lines before the header (preamble), added to reported line numbers.
    offset: u64,
    rec: csv::StringRecord,
}

impl Csv {
    /// Open `input` as CSV with `delimiter`, skip `preamble` lines, read the header, and check
    /// that `required` columns exist.
    pub fn open(
        input: &Input,
        delimiter: u8,
        preamble: u64,
        required: &[&str],
        format: &str,
    ) -> Result<Csv, SourceError> {
        let mut r = input.open()?;
        if preamble > 0 {
            skip_lines(&mut r, preamble).map_err(|e| SourceError::Io {
                file: input.name(),
                source: e,
            })?;
        }
        Csv::from_reader(input.name(), r, delimiter, preamble, required, format)
    }

    /// Like [`Csv::open`] over an already-opened reader.
    pub fn from_reader(
        file: String,
        r: Box<dyn Read + Send>,
        delimiter: u8,
        preamble: u64,
        required: &[&str],
        format: &str,
    ) -> Result<Csv, SourceError> {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .flexible(false)
            .from_reader(r);
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| SourceError::Row {
                file: file.clone(),
                line: preamble + 1,
                problem: e.to_string(),
            })?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        let cols: HashMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.clone(), i))
            .collect();
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|c| !cols.contains_key(*c))
            .collect();
        if !missing.is_empty() {
            return Err(SourceError::Header {
                file,
                line: preamble + 1,
                missing: missing.join(", "),
                found: header.join(", "),
                format: format.to_string(),
            });
        }
        Ok(Csv {
            file,
            rdr,
            cols,
            header,
            offset: preamble,
            rec: csv::StringRecord::new(),
        })
    }

    /// Column names.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Check that `cols` exist (for a layout recognised after opening by one of its columns),
    /// naming the missing ones, as [`Csv::open`] does for its `required`.
    pub fn require(&self, cols: &[&str], format: &str) -> Result<(), SourceError> {
        let missing: Vec<&str> = cols.iter().copied().filter(|c| !self.has(c)).collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(SourceError::Header {
            file: self.file.clone(),
            line: self.offset + 1,
            missing: missing.join(", "),
            found: self.header.join(", "),
            format: format.to_string(),
        })
    }

    /// Whether a column exists.
    pub fn has(&self, col: &str) -> bool {
        self.cols.contains_key(col)
    }

    /// Advance to the next record; `None` at the end.
    pub fn next_row(&mut self) -> Option<Result<Row<'_>, SourceError>> {
        match self.rdr.read_record(&mut self.rec) {
            Ok(false) => None,
            Ok(true) => {
                count_record();
                let line = self.rec.position().map(|p| p.line()).unwrap_or(0) + self.offset;
                Some(Ok(Row { csv: self, line }))
            }
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0) + self.offset;
                let problem = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => {
                        format!("expected {expected_len} fields as in the header, found {len}")
                    }
                    csv::ErrorKind::Utf8 { .. } => {
                        "invalid UTF-8 (is the file Latin-1? SIPRI downloads are)".into()
                    }
                    _ => e.to_string(),
                };
                Some(Err(SourceError::Row {
                    file: self.file.clone(),
                    line,
                    problem,
                }))
            }
        }
    }
}

fn skip_lines(r: &mut Box<dyn Read + Send>, n: u64) -> std::io::Result<()> {
    let mut seen = 0;
    let mut b = [0u8; 1];
    while seen < n {
        if r.read(&mut b)? == 0 {
            break;
        }
        if b[0] == b'\n' {
            seen += 1;
        }
    }
    Ok(())
}

/// One record with typed, error-reporting accessors.
pub struct Row<'a> {
    csv: &'a Csv,
    /// Line number in the file (1-based).
    pub line: u64,
}

impl Row<'_> {
    /// Raw text of a column (trimmed); the column must exist.
    pub fn str(&self, col: &str) -> &str {
        let i = self.csv.cols[col];
        self.csv.rec.get(i).unwrap_or("").trim()
    }

    /// Raw text (trimmed) of the field at position `i`, empty when the row is shorter. For columns
    /// that have no usable name, such as the unnamed `?` columns of SIPRI's old register.
    pub fn at(&self, i: usize) -> &str {
        self.csv.rec.get(i).unwrap_or("").trim()
    }

    /// Text of an optional column: `None` when the column is absent or the cell empty.
    pub fn opt_str(&self, col: &str) -> Option<&str> {
        let i = *self.csv.cols.get(col)?;
        let s = self.csv.rec.get(i).unwrap_or("").trim();
        (!s.is_empty()).then_some(s)
    }

    /// An error about this row's `col`.
    pub fn err(&self, col: &str, problem: impl Into<String>) -> SourceError {
        SourceError::Field {
            file: self.csv.file.clone(),
            line: self.line,
            field: col.to_string(),
            value: self
                .csv
                .cols
                .get(col)
                .and_then(|&i| self.csv.rec.get(i))
                .unwrap_or("")
                .to_string(),
            problem: problem.into(),
        }
    }

    /// A required integer.
    pub fn i64(&self, col: &str) -> Result<i64, SourceError> {
        let s = self.str(col);
        s.parse::<i64>()
            .or_else(|_| match s.parse::<f64>() {
                Ok(f) if f.fract() == 0.0 && f.abs() < 9e15 => Ok(f as i64),
                _ => Err(()),
            })
            .map_err(|_| {
                self.err(
                    col,
                    if s.is_empty() {
                        "is empty"
                    } else {
                        "is not an integer"
                    },
                )
            })
    }

    /// A required year (1000–2999).
    pub fn year(&self, col: &str) -> Result<i32, SourceError> {
        let y = self.i64(col)?;
        if !(1000..=2999).contains(&y) {
            return Err(self.err(col, "is not a plausible year"));
        }
        Ok(y as i32)
    }

    /// An optional number; empty, `NA` and `..` are missing.
    pub fn opt_f64(&self, col: &str) -> Result<Option<f64>, SourceError> {
        match self.opt_str(col) {
            None | Some("NA") | Some("..") | Some("NaN") => Ok(None),
            Some(s) => s
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or_else(|| self.err(col, "is not a number")),
        }
    }

    /// A required number.
    pub fn f64(&self, col: &str) -> Result<f64, SourceError> {
        self.opt_f64(col)?.ok_or_else(|| self.err(col, "is empty"))
    }

    /// An optional number that must not be negative.
    pub fn opt_nonneg(&self, col: &str) -> Result<Option<f64>, SourceError> {
        match self.opt_f64(col)? {
            Some(v) if v < 0.0 => Err(self.err(col, "is negative")),
            v => Ok(v),
        }
    }

    /// A trade value in million current USD (after the caller's unit conversion), refused
    /// past [`MAX_FLOW_USD_M`]: a value near the largest float passed every check and then
    /// summed to infinity in every later measure of its year.
    pub fn flow_usd_m(&self, col: &str, usd_m: f64) -> Result<f64, SourceError> {
        if usd_m > MAX_FLOW_USD_M {
            return Err(self.err(
                col,
                format!(
                    "is {usd_m:e} million USD, more than any trade flow can be (at most {MAX_FLOW_USD_M:e}, about 40 times world GDP)"
                ),
            ));
        }
        Ok(usd_m)
    }

    /// A required number that must not be negative.
    pub fn nonneg(&self, col: &str) -> Result<f64, SourceError> {
        self.opt_nonneg(col)?
            .ok_or_else(|| self.err(col, "is empty"))
    }

    /// A 0/1 flag.
    pub fn flag(&self, col: &str) -> Result<bool, SourceError> {
        match self.str(col) {
            "1" | "1.0" | "TRUE" | "true" | "Yes" | "yes" => Ok(true),
            "0" | "0.0" | "FALSE" | "false" | "No" | "no" | "" => Ok(false),
            _ => Err(self.err(col, "is not 0/1")),
        }
    }
}

/// The largest trade flow accepted, in million current USD (10^15 USD).
pub const MAX_FLOW_USD_M: f64 = 1e9;

thread_local! {
    static RECORDS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Count one data record read from a source file (CSV rows, BACI lines, event lines).
pub fn count_record() {
    RECORDS.with(|c| c.set(c.get() + 1));
}

/// Count `n` data records read (as [`count_record`] `n` times), on the calling thread.
pub fn count_records(n: u64) {
    RECORDS.with(|c| c.set(c.get() + n));
}

/// Run `f` (an adapter's `read`) and return its result with the number of data records it read
/// from its inputs on this thread — the "rows" of the source as its publisher counts them.
pub fn records_read<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = RECORDS.with(std::cell::Cell::get);
    let r = f();
    (r, RECORDS.with(std::cell::Cell::get) - before)
}
