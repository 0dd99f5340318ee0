//! CEPII BACI (`BACI_HS{92..22}_Y{year}_V{release}.csv`: `t,i,j,k,v,q` — year, exporter and
//! importer ISO numeric, HS6 product as text, value in thousand USD, quantity in tonnes with `q`
//! possibly blank), plus its `country_codes_V*.csv` (ISO3 in `iso_3digit_alpha` up to V202301,
//! `country_iso3` from V202401) and `product_codes_*.csv`.
//!
//! Values are converted to million USD (÷ 1,000). HS6 codes keep their leading zeros (codes
//! written as numbers are left-padded to six digits). Country codes resolve through the
//! `country_codes` file given with the data, else through BACI V202201's list bundled with pivot.
//! Data files are read in 4 MiB chunks cut at line breaks; chunks are parsed in parallel (rayon)
//! straight into Arrow builders, then checked for duplicate keys in file order, so errors name
//! the same file, line and field as a line-by-line read would. Batches are partitioned by year.
//!
//! The roll-ups the measures need are materialised during the same pass: `trade_dyad_year`
//! (all goods per year, exporter, importer) and `trade_dyad_hs2` (per HS chapter). Each chunk
//! is summed on its worker thread; the sums are merged per file and written when the file ends,
//! so memory holds one file's roll-ups, never the rows. BACI has one file per year: a year seen
//! in two data files is an error (it would be counted twice).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::io::Read;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, Float64Array, Float64Builder, Int32Array, Int32Builder, Int64Array, StringArray,
    StringBuilder,
};
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;

use super::{Adapter, Ctx, Stats, info};
use crate::canonical::{TradeDyadHs2, TradeDyadYear, TradeFlow, fields};
use crate::input::Csv;
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// The BACI adapter.
pub struct BaciAdapter;

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
const FIELDS: [&str; 6] = ["t", "i", "j", "k", "v", "q"];

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
fn parse_plain(line: &[u8]) -> Option<BaciLine> {
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
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A plain non-negative decimal (`123`, `74262345.123`, `.5`) with at most 15 significant
/// digits, read exactly as `str::parse::<f64>` would: the digits form an integer m < 2^53 and
/// m / 10^f is one correctly rounded IEEE division of two exact values (Clinger's fast path).
/// Anything else (signs, exponents, spaces, quotes, long digit strings) returns `None` and goes
/// to the general parser.
fn fast_decimal(s: &[u8]) -> Option<f64> {
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

fn trim_quotes(s: &[u8]) -> &[u8] {
    let s = s.trim_ascii();
    s.strip_prefix(b"\"")
        .and_then(|x| x.strip_suffix(b"\""))
        .unwrap_or(s)
}

/// Arrow builders for `trade_flows` batches from BACI.
struct Builders {
    year: Int32Builder,
    exporter: StringBuilder,
    importer: StringBuilder,
    product: StringBuilder,
    value: Float64Builder,
    qty: Float64Builder,
    len: usize,
}

impl Builders {
    fn new(rows: usize) -> Builders {
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

    fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch, String> {
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

impl Adapter for BaciAdapter {
    fn name(&self) -> &'static str {
        "baci"
    }
    fn summary(&self) -> &'static str {
        "CEPII BACI files (BACI_HS*_Y*_V*.csv: t,i,j,k,v,q) with country_codes_V*.csv; a folder is fine"
    }
    fn describes_inputs(&self) -> bool {
        true
    }
    fn dataset(&self, inputs: &[Input]) -> DatasetInfo {
        let names: Vec<String> = inputs.iter().map(Input::name).collect();
        let version = names
            .iter()
            .find_map(|n| {
                let f = n.rsplit('/').next()?;
                let hs = f.strip_prefix("BACI_")?.split('_').next()?;
                let v = f
                    .rsplit("_V")
                    .next()?
                    .trim_end_matches(".csv")
                    .trim_end_matches(".gz");
                Some(format!("{hs} V{v}"))
            })
            .unwrap_or_else(|| "unknown release".into());
        let synthetic = names.iter().any(|n| n.contains("SYNTHETIC"));
        let mut d = info(
            "baci",
            "BACI: International Trade Database at the Product-Level",
            "CEPII",
            &version,
            "Etalab Open Licence 2.0 (as generally understood, not verified)",
            "Gaulier, G. and Zignago, S. (2010), BACI: International Trade Database at the Product-Level. The 1994-2007 Version, CEPII Working Paper 2010-23.",
            "@techreport{gaulier2010,\n  author = {Gaulier, Guillaume and Zignago, Soledad},\n  title = {BACI: International Trade Database at the Product-Level. The 1994-2007 Version},\n  institution = {CEPII},\n  number = {2010-23},\n  year = {2010}\n}",
            &["trade_flows", "trade_dyad_year", "trade_dyad_hs2"],
            &[
                "BACI values (thousand USD) stored as million USD; flows reconciled from exporter and importer reports.",
            ],
        );
        if synthetic {
            d.title = format!(
                "SYNTHETIC DATA in BACI format (not real trade) — {}",
                d.title
            );
            d.notes.insert(
                0,
                "SYNTHETIC: generated by pivot data synth baci; not real trade.".into(),
            );
        }
        d
    }
    fn read(
        &self,
        inputs: &[Input],
        ctx: &Ctx<'_>,
        sink: &mut dyn TableSink,
    ) -> Result<Stats, SourceError> {
        let mut stats = Stats::default();
        // Country codes: the release's own file if given, else the bundled V202201 list.
        let mut codes: HashMap<u16, String> = HashMap::new();
        let mut data = Vec::new();
        for input in inputs {
            let head = input.first_line()?;
            if head.starts_with("country_code") {
                // Up to V202301 the ISO3 column is `iso_3digit_alpha`; from V202401 `country_iso3`.
                let iso_col = if head.contains("country_iso3") {
                    "country_iso3"
                } else {
                    "iso_3digit_alpha"
                };
                let mut csv = Csv::open(
                    input,
                    b',',
                    0,
                    &["country_code", iso_col],
                    "BACI country codes",
                )?;
                while let Some(r) = csv.next_row() {
                    let r = r?;
                    let code = u16::try_from(r.i64("country_code")?)
                        .ok()
                        .filter(|c| *c <= 999)
                        .ok_or_else(|| {
                            r.err("country_code", "is not a three-digit country code")
                        })?;
                    let iso = r.str(iso_col);
                    let iso3 = ctx
                        .countries
                        .by_iso3(iso)
                        .or_else(|| ctx.countries.by_m49(code))
                        .map(|c| c.iso3.clone())
                        .ok_or_else(|| r.err(iso_col, "is not a country code pivot knows"))?;
                    codes.insert(code, iso3);
                }
            } else if head.starts_with("code") {
                continue; // product code list: descriptions live in the bundled products table
            } else if head.replace('"', "").starts_with("t,i,j,k,v,q") {
                data.push(input);
            } else {
                return Err(SourceError::Header {
                    file: input.name(),
                    line: 1,
                    missing: "t,i,j,k,v,q".into(),
                    found: head,
                    format: "BACI".into(),
                });
            }
        }
        // ISO3 of every possible code (0-999), shared read-only by the parsing threads.
        let iso: Vec<Option<String>> = (0..1000u16)
            .map(|code| {
                codes
                    .get(&code)
                    .cloned()
                    .or_else(|| ctx.countries.by_m49(code).map(|c| c.iso3.clone()))
            })
            .collect();
        let codes = Codes::new(iso);
        let mut across = Across::default();
        for input in data {
            read_data_file(input, CHUNK, &codes, ctx, sink, &mut stats, &mut across)?;
        }
        Ok(stats)
    }
}

/// Bytes per parse chunk (a chunk ends at a line break): about 120,000 BACI lines.
const CHUNK: usize = 4 << 20;

/// Country codes as the parsing threads need them.
struct Codes {
    /// ISO3 of each BACI code 0-999 (None: unknown code).
    iso: Vec<Option<String>>,
    /// Rank of each code's ISO3 in alphabetical order (codes sharing an ISO3 share a rank), so
    /// packed roll-up keys sort as (year, exporter, importer).
    rank: Vec<u16>,
    /// ISO3 by rank.
    names: Vec<String>,
    /// `trade_flows` schema.
    schema: SchemaRef,
}

impl Codes {
    fn new(iso: Vec<Option<String>>) -> Codes {
        let mut names: Vec<String> = iso.iter().flatten().cloned().collect();
        names.sort();
        names.dedup();
        let rank = iso
            .iter()
            .map(|c| match c {
                Some(c) => names.binary_search(c).map_or(u16::MAX, |r| r as u16),
                None => u16::MAX,
            })
            .collect();
        Codes {
            iso,
            rank,
            names,
            schema: Arc::new(arrow::datatypes::Schema::new(fields::<TradeFlow>())),
        }
    }
}

/// One chunk's roll-up sums keyed by packed (year, exporter rank, importer rank[, chapter]).
#[derive(Default)]
struct RollUp {
    /// Dyad-year: value (million USD) and product lines.
    dyad: HashMap<u64, (f64, i64), BuildHasherDefault<KeyHasher>>,
    /// Dyad-year-chapter: value (million USD).
    hs2: HashMap<u64, f64, BuildHasherDefault<KeyHasher>>,
}

impl RollUp {
    /// Add one line (value in million USD).
    fn add(&mut self, year: i32, er: u16, ir: u16, chapter: u8, value: f64) {
        let d = dyad_key(year, er, ir);
        let e = self.dyad.entry(d).or_default();
        e.0 += value;
        e.1 += 1;
        *self.hs2.entry((d << 7) | u64::from(chapter)).or_default() += value;
    }
}

/// HS chapters (two digits) a cell index allows for.
const CHAPTERS: usize = 100;

/// A file's roll-up sums: per year, arrays indexed by (exporter rank, importer rank[,
/// chapter]), so their size is fixed by the number of countries (about 50 MB a year for 250
/// countries), whatever the number of rows, and merging a chunk adds into them without
/// hashing. Chunks are merged in file order, so every sum adds the same values in the same
/// order as line-by-line reading would. A year's arrays, once taken, are zeroed where they
/// were used and kept for the next year or file ([`Across::spare`]): fresh 50 MB arrays for
/// every file cost a page fault per 4 KiB touched (half of the ingest's page faults and about
/// 2 s of system time on 20 M rows, measured with `perf record -e page-faults`).
struct FileRollUp {
    /// Country ranks (ISO3 codes) there are.
    n: usize,
    years: std::collections::BTreeMap<i32, YearSums>,
    /// Arrays of years taken, all zero, to be used again.
    spare: Vec<YearSums>,
}

/// What carries from one data file to the next.
#[derive(Default)]
struct Across {
    /// Years read so far, with their file (BACI has one file per year).
    years_done: HashMap<i32, String>,
    /// Zeroed roll-up arrays (see [`FileRollUp`]).
    spare: Vec<YearSums>,
}

/// One year's sums (see [`FileRollUp`]); a cell is present once a line has added to it.
struct YearSums {
    dyad_value: Vec<f64>,
    dyad_lines: Vec<i64>,
    hs2_value: Vec<f64>,
    /// One bit per dyad-chapter cell: present.
    hs2_present: Vec<u64>,
}

impl FileRollUp {
    fn new(n: usize, mut spare: Vec<YearSums>) -> FileRollUp {
        spare.retain(|y| y.dyad_value.len() == n * n);
        FileRollUp {
            n,
            years: Default::default(),
            spare,
        }
    }

    fn year(&mut self, year: i32) -> &mut YearSums {
        let dyads = self.n * self.n;
        let spare = &mut self.spare;
        self.years.entry(year).or_insert_with(|| {
            spare.pop().unwrap_or_else(|| YearSums {
                dyad_value: vec![0.0; dyads],
                dyad_lines: vec![0; dyads],
                hs2_value: vec![0.0; dyads * CHAPTERS],
                hs2_present: vec![0; (dyads * CHAPTERS).div_ceil(64)],
            })
        })
    }

    /// The cell of a packed dyad key within its year.
    fn dyad_cell(&self, key: u64) -> (i32, usize) {
        let year = (key >> 20) as i32;
        let (er, ir) = (((key >> 10) & 0x3FF) as usize, (key & 0x3FF) as usize);
        (year, er * self.n + ir)
    }

    /// Add a chunk's sums (chunks in file order).
    fn merge(&mut self, chunk: RollUp) {
        for (k, (v, lines)) in chunk.dyad {
            let (year, cell) = self.dyad_cell(k);
            let y = self.year(year);
            y.dyad_value[cell] += v;
            y.dyad_lines[cell] += lines;
        }
        for (k, v) in chunk.hs2 {
            let (year, cell) = self.dyad_cell(k >> 7);
            let cell = cell * CHAPTERS + (k & 0x7F) as usize;
            let y = self.year(year);
            y.hs2_value[cell] += v;
            y.hs2_present[cell / 64] |= 1 << (cell % 64);
        }
    }

    /// Years present.
    fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// The roll-up batches of one year, sorted by exporter, importer (and chapter); the year's
    /// sums are dropped.
    fn take_batches(&mut self, year: i32, names: &[String]) -> Result<[RecordBatch; 2], String> {
        let n = self.n;
        let mut y = self.years.remove(&year).ok_or("no roll-up for the year")?;
        // Packed (exporter rank, importer rank) of a dyad cell, as `keyed_batch` reads it.
        let packed = |cell: usize| ((cell / n) as u64) << 10 | (cell % n) as u64;
        let dyads: Vec<usize> = (0..n * n).filter(|&c| y.dyad_lines[c] > 0).collect();
        let mut cells = Vec::new();
        for (w, &bits) in y.hs2_present.iter().enumerate() {
            let mut b = bits;
            while b != 0 {
                cells.push(w * 64 + b.trailing_zeros() as usize);
                b &= b - 1;
            }
        }
        let dyad = keyed_batch::<TradeDyadYear>(
            year,
            names,
            dyads.iter().map(|&c| packed(c)),
            vec![
                Arc::new(Float64Array::from_iter_values(
                    dyads.iter().map(|&c| y.dyad_value[c]),
                )),
                Arc::new(Int64Array::from_iter_values(
                    dyads.iter().map(|&c| y.dyad_lines[c]),
                )),
            ],
        )?;
        let hs2 = keyed_batch::<TradeDyadHs2>(
            year,
            names,
            cells.iter().map(|&c| packed(c / CHAPTERS)),
            vec![
                Arc::new(StringArray::from_iter_values(
                    cells.iter().map(|&c| format!("{:02}", c % CHAPTERS)),
                )),
                Arc::new(Float64Array::from_iter_values(
                    cells.iter().map(|&c| y.hs2_value[c]),
                )),
            ],
        )?;
        // Zero what was used and keep the arrays for the next year.
        for &c in &dyads {
            y.dyad_value[c] = 0.0;
            y.dyad_lines[c] = 0;
        }
        for &c in &cells {
            y.hs2_value[c] = 0.0;
        }
        y.hs2_present.fill(0);
        self.spare.push(y);
        Ok([dyad, hs2])
    }
}

/// A roll-up batch: year, exporter and importer from packed dyad keys, then `middle`, then the
/// `source` column.
fn keyed_batch<T: crate::canonical::CanonicalRow>(
    year: i32,
    names: &[String],
    dyads: impl Iterator<Item = u64> + Clone,
    middle: Vec<ArrayRef>,
) -> Result<RecordBatch, String> {
    let name = |r: u64| names[(r & 0x3FF) as usize].as_str();
    let n = dyads.clone().count();
    let mut cols: Vec<ArrayRef> = vec![
        Arc::new(Int32Array::from(vec![year; n])),
        Arc::new(StringArray::from_iter_values(
            dyads.clone().map(|k| name(k >> 10)),
        )),
        Arc::new(StringArray::from_iter_values(dyads.map(name))),
    ];
    cols.extend(middle);
    cols.push(Arc::new(StringArray::from_iter_values(
        std::iter::repeat_n("baci", n),
    )));
    RecordBatch::try_new(Arc::new(arrow::datatypes::Schema::new(fields::<T>())), cols)
        .map_err(|e| e.to_string())
}

/// Packed (year, exporter rank, importer rank): year in bits 20-31, ranks in 10 bits each.
fn dyad_key(year: i32, er: u16, ir: u16) -> u64 {
    (u64::from(year as u32) << 20) | (u64::from(er) << 10) | u64::from(ir)
}

/// One chunk of a data file, parsed on a worker thread.
struct Parsed {
    /// The chunk's bytes (kept until the duplicate check, to quote a duplicate's line).
    buf: Vec<u8>,
    /// Line slots (line breaks, or a last unterminated line) the chunk covers.
    lines: u64,
    /// Rows parsed (before the first error, if any).
    rows: u64,
    /// Packed (t, i, j, k) key of each row.
    keys: Vec<u64>,
    /// Line index within the chunk (0-based) of each row.
    row_line: Vec<u32>,
    /// Batches, one per run of equal years, in order.
    batches: Vec<(i32, RecordBatch)>,
    /// First and last year seen.
    years: Option<(i32, i32)>,
    /// The first problem: (line index in the chunk, field, problem, value).
    err: Option<(u32, &'static str, String, String)>,
    /// The chunk's roll-up sums.
    rollup: RollUp,
}

/// Read one BACI data file: a reader thread cuts it into chunks at line breaks, parses groups
/// of chunks in parallel (rayon) and checks duplicate keys in file order; this thread pushes
/// the batches into the sink. Memory is bounded by a few groups of chunks in flight and the
/// file's roll-ups; the duplicate check keeps one key for a sorted file (BACI's files are),
/// every key from the first one out of order on otherwise ([`SeenKeys`]).
fn read_data_file(
    input: &Input,
    chunk: usize,
    codes: &Codes,
    ctx: &Ctx<'_>,
    sink: &mut dyn TableSink,
    stats: &mut Stats,
    across: &mut Across,
) -> Result<(), SourceError> {
    let name = input.name();
    let reader = input.open()?;
    let group = rayon::current_num_threads().max(2);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<Parsed>, SourceError>>(1);
    std::thread::scope(|s| {
        let name2 = name.clone();
        let producer = s.spawn(move || {
            let file_year = year_in_name(&name2);
            if let Err(e) = produce(reader, input, &name2, chunk, group, codes, file_year, &tx) {
                let _ = tx.send(Err(e));
            }
        });
        // The roll-ups are merged here, beside the reader's duplicate check rather than after it.
        let mut rollup = FileRollUp::new(codes.names.len(), std::mem::take(&mut across.spare));
        for msg in rx {
            for mut p in msg? {
                rollup.merge(std::mem::take(&mut p.rollup));
                crate::input::count_records(p.rows);
                if let Some((lo, hi)) = p.years {
                    stats.year(lo);
                    stats.year(hi);
                }
                for (year, batch) in p.batches {
                    stats.add("trade_flows", batch.num_rows() as u64);
                    sink.push("trade_flows", Some(&year.to_string()), batch)?;
                }
                (ctx.progress)(p.rows);
            }
        }
        producer.join().map_err(|_| SourceError::Bug {
            adapter: "baci".into(),
            message: "the reader thread panicked".into(),
        })?;
        for year in rollup.years() {
            if let Some(other) = across.years_done.insert(year, name.clone()) {
                return Err(SourceError::Field {
                    file: name.clone(),
                    line: 2,
                    field: "t".into(),
                    value: year.to_string(),
                    problem: format!(
                        "year {year} is also in {other}: BACI has one file per year, so this would count it twice (two releases or nomenclatures of the same year?)"
                    ),
                });
            }
            let [dyad, hs2] =
                rollup
                    .take_batches(year, &codes.names)
                    .map_err(|message| SourceError::Bug {
                        adapter: "baci".into(),
                        message,
                    })?;
            let part = year.to_string();
            stats.add("trade_dyad_year", dyad.num_rows() as u64);
            stats.add("trade_dyad_hs2", hs2.num_rows() as u64);
            sink.push("trade_dyad_year", Some(&part), dyad)?;
            sink.push("trade_dyad_hs2", Some(&part), hs2)?;
            // The year is complete: its files can be finished now (bounded memory).
            for table in ["trade_flows", "trade_dyad_year", "trade_dyad_hs2"] {
                sink.part_done(table, Some(&part))?;
            }
        }
        across.spare = std::mem::take(&mut rollup.spare);
        Ok(())
    })
}

/// The reader side of [`read_data_file`]: chunk, parse in parallel, check keys, send in order.
#[allow(clippy::too_many_arguments)]
fn produce(
    mut reader: Box<dyn Read + Send>,
    input: &Input,
    name: &str,
    chunk: usize,
    group: usize,
    codes: &Codes,
    file_year: Option<i32>,
    tx: &std::sync::mpsc::SyncSender<Result<Vec<Parsed>, SourceError>>,
) -> Result<(), SourceError> {
    let io = |e| SourceError::Io {
        file: name.to_string(),
        source: e,
    };
    let mut carry = Vec::new();
    let mut eof = false;
    let mut first = true;
    // Lines before the current chunk: the header is line 1.
    let mut before = 1u64;
    let mut seen = SeenKeys::new();
    let repeat = |line: u64, text: &[u8]| SourceError::Field {
        file: name.to_string(),
        line,
        field: "k".into(),
        value: field_value(text, "k"),
        problem: "duplicate key (t, i, j, k): this row repeats an earlier one".into(),
    };
    // A problem at `line`, unless a row before it repeats a key of the file's sorted start.
    let first_problem = |seen: &SeenKeys, line: u64, e: SourceError| -> SourceError {
        match seen.first_repeat_of_run(input, Some(line)) {
            Ok(Some((at, text))) => repeat(at, &text),
            Ok(None) => e,
            Err(io) => io,
        }
    };
    // Check a parsed group in file order: duplicate keys, then the first bad field.
    let mut check = |mut parsed: Vec<Parsed>| -> Result<Vec<Parsed>, SourceError> {
        for p in &mut parsed {
            let line_of = |idx: u32| before + u64::from(idx) + 1;
            for (key, &idx) in p.keys.iter().zip(&p.row_line) {
                let line = line_of(idx);
                if !seen.insert(*key, line) {
                    let e = repeat(line, nth_line(&p.buf, idx));
                    return Err(first_problem(&seen, line, e));
                }
            }
            if let Some((idx, field, problem, value)) = p.err.take() {
                let line = line_of(idx);
                let e = SourceError::Field {
                    file: name.to_string(),
                    line,
                    field: field.into(),
                    value,
                    problem,
                };
                return Err(first_problem(&seen, line, e));
            }
            before += p.lines;
            p.buf = Vec::new();
            p.keys = Vec::new();
            p.row_line = Vec::new();
        }
        Ok(parsed)
    };
    let mut pending: Option<Vec<Parsed>> = None;
    loop {
        let mut bufs = Vec::with_capacity(group);
        while bufs.len() < group {
            match next_chunk(&mut reader, chunk, &mut carry, &mut eof).map_err(io)? {
                Some(mut b) => {
                    if first {
                        // Drop the header line (checked by the caller).
                        first = false;
                        let cut = b
                            .iter()
                            .position(|&c| c == b'\n')
                            .map_or(b.len(), |p| p + 1);
                        b.drain(..cut);
                    }
                    bufs.push(b);
                }
                None => break,
            }
        }
        // Parse this group on the pool while the previous group's keys are checked (the check
        // is sequential, in file order), so the reader never leaves the cores idle.
        use rayon::prelude::*;
        let (parsed, checked) = rayon::join(
            || {
                bufs.into_par_iter()
                    .map(|b| parse_chunk(b, codes, file_year))
                    .collect::<Result<Vec<Parsed>, String>>()
            },
            || pending.take().map(&mut check),
        );
        if let Some(c) = checked
            && tx.send(Ok(c?)).is_err()
        {
            return Ok(()); // the consumer stopped (it failed): nothing more to do
        }
        let parsed = parsed.map_err(|message| SourceError::Bug {
            adapter: "baci".into(),
            message,
        })?;
        if parsed.is_empty() {
            // The file is read: a repeat of its sorted start by a later, unsorted part is the
            // one problem left to find.
            return match seen.first_repeat_of_run(input, None)? {
                Some((at, text)) => Err(repeat(at, &text)),
                None => Ok(()),
            };
        }
        pending = Some(parsed);
    }
}

/// The duplicate check of one file, in file order. BACI files come sorted by (t, i, j, k):
/// while every key is larger than the one before, no key can have repeated, so the check keeps
/// the last key only and its memory does not grow with the rows of the file. From the first key
/// out of order on (an unsorted file), keys are kept with their lines (16 bytes a row) to find
/// repeats among them; a repeat of a key from the sorted run before that point is found by
/// reading the run again ([`SeenKeys::first_repeat_of_run`]), once, when the file ends or
/// another problem is about to be reported.
enum SeenKeys {
    /// Every key so far larger than the one before; the last one.
    Sorted { last: Option<u64> },
    /// Keys out of order from file line `from` on; `run_max` is the last (largest) key of the
    /// sorted run before it.
    Unsorted {
        from: u64,
        run_max: u64,
        lines: HashMap<u64, u64, BuildHasherDefault<KeyHasher>>,
    },
}

impl SeenKeys {
    fn new() -> SeenKeys {
        SeenKeys::Sorted { last: None }
    }

    /// Record the key of file line `line`; false if it repeats a key seen so far (a repeat of
    /// the sorted run before an unsorted part is left to [`SeenKeys::first_repeat_of_run`]).
    fn insert(&mut self, key: u64, line: u64) -> bool {
        match self {
            SeenKeys::Sorted { last } => match *last {
                Some(l) if key == l => false,
                Some(l) if key < l => {
                    let mut lines = HashMap::default();
                    lines.insert(key, line);
                    *self = SeenKeys::Unsorted {
                        from: line,
                        run_max: l,
                        lines,
                    };
                    true
                }
                _ => {
                    *last = Some(key);
                    true
                }
            },
            SeenKeys::Unsorted { lines, .. } => match lines.entry(key) {
                std::collections::hash_map::Entry::Occupied(_) => false,
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(line);
                    true
                }
            },
        }
    }

    /// The first line after the sorted run (and before line `before`, if given) whose key
    /// repeats a key of the run, with the line's text; found by reading the run again. `None`
    /// for a sorted file.
    fn first_repeat_of_run(
        &self,
        input: &Input,
        before: Option<u64>,
    ) -> Result<Option<(u64, Vec<u8>)>, SourceError> {
        use std::io::BufRead;
        let SeenKeys::Unsorted {
            from,
            run_max,
            lines,
        } = self
        else {
            return Ok(None);
        };
        let io = |e| SourceError::Io {
            file: input.name(),
            source: e,
        };
        let mut r = std::io::BufReader::with_capacity(1 << 20, input.open()?);
        let (mut text, mut n, mut first) = (Vec::new(), 0u64, None::<u64>);
        loop {
            text.clear();
            if r.read_until(b'\n', &mut text).map_err(io)? == 0 {
                return Ok(None);
            }
            n += 1;
            let line = text.strip_suffix(b"\n").unwrap_or(&text);
            if n == 1 {
                continue; // the header
            }
            if n < *from {
                if let Ok(p) = parse_baci_line(line)
                    && let k = line_key(&p)
                    && k <= *run_max
                    && let Some(&at) = lines.get(&k)
                    && before.is_none_or(|b| at < b)
                {
                    first = Some(first.map_or(at, |f| f.min(at)));
                }
                continue;
            }
            match first {
                None => return Ok(None),
                Some(f) if f == n => return Ok(Some((n, line.to_vec()))),
                Some(_) => {}
            }
        }
    }
}

/// The (t, i, j, k) key of a line packed in 64 bits: year < 4096 (12 bits), codes ≤ 999
/// (10 bits each), HS6 < 2^20.
fn line_key(p: &BaciLine) -> u64 {
    let k = p.k.iter().fold(0u64, |a, &d| a * 10 + u64::from(d - b'0'));
    (u64::from(p.t as u32) << 52) | (u64::from(p.i) << 42) | (u64::from(p.j) << 32) | k
}

/// The next chunk of whole lines (the last one may lack its line break at the end of input).
fn next_chunk(
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
fn lines(body: &[u8]) -> impl Iterator<Item = &[u8]> {
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
fn nth_line(buf: &[u8], idx: u32) -> &[u8] {
    buf.split(|&c| c == b'\n').nth(idx as usize).unwrap_or(&[])
}

/// Parse a chunk of whole lines into batches (one per run of equal years). Problems in the data
/// stop the chunk and are returned in [`Parsed::err`]; `Err` is an internal error only.
/// The year a BACI file's name gives (`BACI_HS92_Y2019_V202401.csv`: 2019), if any.
fn year_in_name(name: &str) -> Option<i32> {
    let f = name.rsplit('/').next()?;
    let y = f.split('_').find_map(|part| part.strip_prefix('Y'))?;
    (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
        .then(|| y.parse().ok())
        .flatten()
}

/// Parse one chunk of lines; with `file_year` (the year the file's name gives) a row of
/// another year is an error.
fn parse_chunk(buf: Vec<u8>, codes: &Codes, file_year: Option<i32>) -> Result<Parsed, String> {
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

/// A hasher for packed 64-bit keys (splitmix64 finaliser): far cheaper than SipHash and plenty
/// for keys that are not adversarial.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b) ^ self.0.rotate_left(8));
        }
    }
    fn write_u64(&mut self, k: u64) {
        let mut z = k.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        self.0 = z ^ (z >> 31);
    }
}

fn field_value(line: &[u8], field: &str) -> String {
    let idx = FIELDS.iter().position(|f| *f == field).unwrap_or(0);
    line.split(|&b| b == b',')
        .nth(idx)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_decimal_reads_exactly_what_the_standard_parser_reads() {
        for text in [
            "0",
            "12.5",
            "74262345.123",
            "9856.004",
            ".5",
            "5.",
            "0.1",
            "0.3",
            "1250",
            "999999999999999",
            "123456789.012345",
            "0.000001",
            "3.2",
        ] {
            let want: f64 = text.parse().unwrap();
            assert_eq!(fast_decimal(text.as_bytes()), Some(want), "{text}");
        }
        // Left to the general parser: more than 15 digits, exponents, signs, blanks, junk.
        for text in [
            "1234567890123456",
            "1e5",
            "-1",
            "+1",
            " 1",
            "1.2.3",
            "",
            ".",
            "NA",
        ] {
            assert_eq!(fast_decimal(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn reused_roll_up_arrays_start_from_zero() {
        // Hand-computed: year 2020 adds to (0→1) and (1→0); its arrays are then reused for
        // 2021, which adds to (0→1) only. 2021's batches hold 2021's sums and nothing of 2020.
        let names: Vec<String> = ["AAA", "BBB"].map(String::from).to_vec();
        let mut r = FileRollUp::new(2, Vec::new());
        let mut chunk = RollUp::default();
        chunk.add(2020, 0, 1, 27, 5.0);
        chunk.add(2020, 0, 1, 27, 2.5);
        chunk.add(2020, 1, 0, 84, 1.0);
        r.merge(chunk);
        let [d20, h20] = r.take_batches(2020, &names).unwrap();
        assert_eq!((d20.num_rows(), h20.num_rows()), (2, 2));
        assert_eq!(r.spare.len(), 1);
        let mut chunk = RollUp::default();
        chunk.add(2021, 0, 1, 10, 4.0);
        r.merge(chunk);
        assert!(r.spare.is_empty(), "2021 uses 2020's arrays");
        let [d21, h21] = r.take_batches(2021, &names).unwrap();
        let col = |b: &RecordBatch, name: &str| {
            let c = b.column_by_name(name).unwrap();
            arrow::util::display::ArrayFormatter::try_new(c.as_ref(), &Default::default())
                .map(|f| {
                    (0..b.num_rows())
                        .map(|i| f.value(i).to_string())
                        .collect::<Vec<_>>()
                })
                .unwrap()
        };
        assert_eq!(col(&d21, "exporter"), ["AAA"]);
        assert_eq!(col(&d21, "importer"), ["BBB"]);
        assert_eq!(col(&d21, "value_usd_m"), ["4.0"]);
        assert_eq!(col(&d21, "products"), ["1"]);
        assert_eq!(col(&h21, "hs2"), ["10"]);
        assert_eq!(col(&h21, "value_usd_m"), ["4.0"]);
    }

    #[test]
    fn the_one_pass_parser_reads_plain_lines_and_leaves_the_rest() {
        // Plain lines: read in one pass, exactly as the general parser reads them.
        for line in [
            "2021,4,8,010121,1.5,0.2",
            "2021,4,8,10121,1.5,0.2",
            "1995,999,1,999999,123456789.012345,",
            "2021,643,156,270900,74262345.123,9856.004\r",
            "1988,0,0,0,0,0",
        ] {
            let got = parse_plain(line.as_bytes());
            assert!(got.is_some(), "{line}");
            assert_eq!(
                got.map(Ok),
                Some(parse_baci_line(line.as_bytes())),
                "{line}"
            );
        }
        // Anything else is left to the general parser (which reads or explains it).
        for line in [
            "2021,0004,8,010121,1.5,0.2", // leading zeros past three digits: valid, general path
            "\"2021\",4,8,\"010121\",1.5,0.2",
            "2021, 4,8,010121,1.5,0.2",
            "2021,4,8,010121,1e3,",
            "2021,4,8,010121,1.5,NA",
            "2021,4,8,010121,,0.2",
            "2021,4,8,010121,1.5,0.2,9",
            "2021,4,8,010121,1.5",
            "2021,1000,8,010121,1.5,0.2",
            "2021,4,8,1234567,1.5,0.2",
            "1987,4,8,010121,1.5,0.2",
            "2101,4,8,010121,1.5,0.2",
            "21,4,8,010121,1.5,0.2",
            "2021,4,8,010121,-1.5,0.2",
            "",
        ] {
            assert_eq!(parse_plain(line.as_bytes()), None, "{line}");
        }
        assert_eq!(
            parse_baci_line(b"2021,0004,8,010121,1.5,0.2").map(|p| p.i),
            Ok(4)
        );
    }

    proptest::proptest! {
        /// Whatever the one-pass parser reads, the general parser reads the same: lines near
        /// the edges (years around the plausible range, codes and HS6 codes of every length,
        /// decimals with and without points, blank quantities), one field sometimes replaced by
        /// something only the general parser reads or refuses.
        #[test]
        fn one_pass_parser_agrees_with_the_general_one(
            t in 1980u32..2110,
            i in "[0-9]{1,4}",
            j in "[0-9]{1,4}",
            k in "[0-9]{1,7}",
            v in "[0-9]{0,9}(\\.[0-9]{0,7})?",
            q in "([0-9]{0,9}(\\.[0-9]{0,7})?)?",
            odd in proptest::option::of((0usize..7, proptest::sample::select(vec![
                "", " 4", "\"7\"", "NA", "1e3", "-2", "0004", "1,2", "\r",
            ]))),
        ) {
            let mut fields = vec![t.to_string(), i, j, k, v, q];
            if let Some((at, text)) = odd {
                if at == 6 {
                    fields.push(text.to_string());
                } else {
                    fields[at] = text.to_string();
                }
            }
            let line = fields.join(",");
            if let Some(p) = parse_plain(line.as_bytes()) {
                proptest::prop_assert_eq!(Ok(p), parse_baci_line(line.as_bytes()), "{}", line);
            }
        }

        /// `lines` cuts a chunk where `split` at line breaks does.
        #[test]
        fn lines_cut_where_split_cuts(text in "[a\\n]{0,40}") {
            let body = text.as_bytes();
            let want: Vec<&[u8]> = body.split(|&c| c == b'\n').collect();
            proptest::prop_assert_eq!(lines(body).collect::<Vec<_>>(), want);
        }
    }

    proptest::proptest! {
        /// Any decimal with up to 15 digits, either side of the point, parses bit-identically.
        #[test]
        fn fast_decimal_matches_std(int in 0u64..10_000_000_000, frac in 0u64..100_000, places in 0usize..6) {
            let text = if places == 0 {
                int.to_string()
            } else {
                format!("{int}.{:0places$}", frac % 10u64.pow(places as u32))
            };
            let want: f64 = text.parse().unwrap();
            proptest::prop_assert_eq!(fast_decimal(text.as_bytes()), Some(want));
        }
    }

    #[test]
    fn seen_keys_finds_repeats_sorted_or_not() {
        let mut s = SeenKeys::new();
        assert!(s.insert(1, 2) && s.insert(5, 3) && s.insert(9, 4));
        assert!(matches!(s, SeenKeys::Sorted { last: Some(9) }));
        assert!(!s.insert(9, 5), "a repeat of the last key");
        assert!(
            s.insert(3, 6),
            "out of order: a repeat of the sorted run is found later"
        );
        assert!(matches!(
            s,
            SeenKeys::Unsorted {
                from: 6,
                run_max: 9,
                ..
            }
        ));
        assert!(s.insert(5, 7), "left to the re-read of the run");
        assert!(!s.insert(3, 8) && s.insert(2, 9) && !s.insert(2, 10));
    }

    #[test]
    fn parses_lines_and_keeps_leading_zeros() {
        let l = parse_baci_line(b"2019,4,8,010121,12.5,").unwrap();
        assert_eq!(
            l,
            BaciLine {
                t: 2019,
                i: 4,
                j: 8,
                k: *b"010121",
                v: 12.5,
                q: None
            }
        );
        let l = parse_baci_line(b"2019,4,8,10121,12.5,3.25\r").unwrap();
        assert_eq!(&l.k, b"010121");
        assert_eq!(l.q, Some(3.25));
        assert_eq!(parse_baci_line(b"2019,4,8,010121,abc,").unwrap_err().0, "v");
        assert_eq!(parse_baci_line(b"2019,4,8,010121,-1,").unwrap_err().0, "v");
        assert_eq!(parse_baci_line(b"2019,4,8,010121").unwrap_err().0, "v");
        assert_eq!(
            parse_baci_line(b"2019,4,8,010121,1,2,3").unwrap_err().0,
            "q"
        );
    }

    /// Rows, each row's partition, and the statistics.
    type Chunked = (
        Vec<crate::canonical::TradeFlow>,
        Vec<Option<String>>,
        Stats,
        crate::MemorySink,
    );

    /// Read `text` as one BACI data file with tiny chunks (many chunks, lines cut anywhere).
    fn read_chunked(text: &str, chunk: usize) -> Result<Chunked, SourceError> {
        let dir = tempfile::tempdir().unwrap();
        // A name without a year: these tests put several years in one file.
        let path = dir.path().join("BACI_HS92_V202301.csv");
        std::fs::write(&path, text).unwrap();
        let ctx = Ctx {
            countries: pivot_vocab::Countries::bundled(),
            progress: &|_| {},
        };
        let codes = Codes::new(
            (0..1000u16)
                .map(|c| ctx.countries.by_m49(c).map(|c| c.iso3.clone()))
                .collect(),
        );
        let mut sink = crate::MemorySink::default();
        let mut stats = Stats::default();
        read_data_file(
            &Input::File(path),
            chunk,
            &codes,
            &ctx,
            &mut sink,
            &mut stats,
            &mut Across::default(),
        )?;
        let parts = sink
            .batches
            .iter()
            .filter(|b| b.0 == "trade_flows")
            .flat_map(|b| vec![b.1.clone(); b.2.num_rows()])
            .collect();
        Ok((sink.decode("trade_flows"), parts, stats, sink))
    }

    /// A file's name gives its year only in BACI's own pattern.
    #[test]
    fn the_year_of_a_file_comes_from_its_name() {
        assert_eq!(year_in_name("dir/BACI_HS92_Y2019_V202401.csv"), Some(2019));
        assert_eq!(year_in_name("BACI_HS17_Y2021_V202301b.csv"), Some(2021));
        assert_eq!(year_in_name("BACI_HS92_V202301.csv"), None);
        assert_eq!(year_in_name("BACI_HS92_Yabcd_V1.csv"), None);
    }

    #[test]
    fn chunked_parallel_read_matches_line_by_line_and_keeps_line_numbers() {
        // 300 lines over two years (4 = AFG, 8 = ALB, 156 = CHN), some CRLF and blank lines.
        let mut lines = vec!["t,i,j,k,v,q".to_string()];
        for n in 0..300u32 {
            let year = if n < 200 { 2020 } else { 2021 };
            let eol = if n % 7 == 0 { "\r" } else { "" };
            lines.push(format!(
                "{year},4,{},{:06},{}.5,{}{eol}",
                if n % 2 == 0 { 8 } else { 156 },
                10000 + n,
                n,
                if n % 5 == 0 {
                    String::new()
                } else {
                    n.to_string()
                }
            ));
            if n % 50 == 0 {
                lines.push(String::new());
            }
        }
        let text = lines.join("\n");
        for chunk in [1, 7, 64, 1000, 1 << 20] {
            let (rows, parts, stats, sink) = read_chunked(&text, chunk).unwrap();
            assert_eq!(rows.len(), 300, "chunk {chunk}");
            assert_eq!(stats.years, Some((2020, 2021)));
            assert_eq!(stats.rows["trade_flows"], 300);
            for (n, (r, part)) in rows.iter().zip(&parts).enumerate() {
                assert_eq!(r.product, format!("{:06}", 10000 + n), "chunk {chunk}");
                assert_eq!(part.as_deref(), Some(r.year.to_string().as_str()));
                assert_eq!(r.importer, if n % 2 == 0 { "ALB" } else { "CHN" });
                assert_eq!(r.quantity_t, if n % 5 == 0 { None } else { Some(n as f64) });
            }
            // Roll-ups equal direct sums of the rows. Row n has value (n + 0.5) thousand USD;
            // 2020 holds n = 0..199, AFG→ALB the even n: Σ(n + 0.5) = 9900 + 50 = 9950 thousand.
            let dyads: Vec<TradeDyadYear> = sink.decode("trade_dyad_year");
            assert_eq!(dyads.len(), 4, "chunk {chunk}");
            let d = &dyads[0];
            assert_eq!(
                (d.year, d.exporter.as_str(), d.importer.as_str()),
                (2020, "AFG", "ALB")
            );
            assert!((d.value_usd_m - 9.95).abs() < 1e-9, "{}", d.value_usd_m);
            assert_eq!(d.products, 100);
            for d in &dyads {
                let direct: f64 = rows
                    .iter()
                    .filter(|r| {
                        (r.year, &r.exporter, &r.importer) == (d.year, &d.exporter, &d.importer)
                    })
                    .map(|r| r.value_usd_m)
                    .sum();
                assert!((d.value_usd_m - direct).abs() < 1e-9);
            }
            // Chapters: every product is 010000+n, so n < 300 are all in chapter 01.
            let hs2: Vec<TradeDyadHs2> = sink.decode("trade_dyad_hs2");
            assert_eq!(hs2.len(), 4);
            assert!(hs2.iter().all(|h| h.hs2 == "01"));
            assert_eq!(stats.rows["trade_dyad_year"], 4);
        }
        // A bad value and a duplicate far into the file are reported at their own line.
        let line_of =
            |needle: &str| lines.iter().position(|l| l.contains(needle)).unwrap() as u64 + 1;
        let bad = text.replace("2021,4,156,010251,251.5", "2021,4,156,010251,x");
        let dup = text.replace("2021,4,8,010280,", "2021,4,8,010210,");
        for chunk in [1, 64, 1 << 20] {
            match read_chunked(&bad, chunk).unwrap_err() {
                SourceError::Field {
                    line, field, value, ..
                } => {
                    assert_eq!(
                        (line, field.as_str(), value.as_str()),
                        (line_of("2021,4,156,010251,"), "v", "x")
                    );
                }
                e => panic!("{e}"),
            }
            match read_chunked(&dup, chunk).unwrap_err() {
                SourceError::Field {
                    line,
                    field,
                    problem,
                    ..
                } => {
                    assert_eq!(
                        (line, field.as_str()),
                        (line_of("2021,4,8,010280,"), "k"),
                        "{problem}"
                    );
                }
                e => panic!("{e}"),
            }
        }
    }

    /// A sorted file is checked keeping only its last key; a file that goes out of order is
    /// still checked whole: a later row repeating a key of the sorted start is found (by
    /// reading the start again) and reported at its own line, before any later problem.
    #[test]
    fn repeats_are_found_in_sorted_and_unsorted_files() {
        let file = |rows: &[&str]| {
            let mut t = String::from("t,i,j,k,v,q\n");
            for r in rows {
                t.push_str(r);
                t.push('\n');
            }
            t
        };
        let repeat_line = |text: &str, chunk: usize| match read_chunked(text, chunk).unwrap_err() {
            SourceError::Field {
                line,
                field,
                value,
                problem,
                ..
            } => {
                assert_eq!(field, "k", "{problem}");
                assert!(problem.contains("duplicate key"), "{problem}");
                (line, value)
            }
            e => panic!("{e}"),
        };
        // Lines 2-5 sorted, line 6 out of order, line 8 repeats line 3.
        let start = [
            "2020,4,8,010001,1,",
            "2020,4,8,010002,1,",
            "2020,4,8,010003,1,",
            "2020,4,8,010005,1,",
            "2020,4,8,010004,1,",
            "2020,4,8,010006,1,",
            "2020,4,8,10002,1,",
        ];
        for chunk in [1, 16, 1 << 20] {
            // Found when the file ends (the text quoted as written).
            assert_eq!(repeat_line(&file(&start), chunk), (8, "10002".into()));
            // Reported before a later bad value and a later repeat within the unsorted part.
            let mut more = start.to_vec();
            more.push("2020,4,8,010006,1,");
            assert_eq!(repeat_line(&file(&more), chunk), (8, "10002".into()));
            more.pop();
            more.push("2020,4,8,010007,x,");
            assert_eq!(repeat_line(&file(&more), chunk), (8, "10002".into()));
            // A repeat within the unsorted part alone.
            let mut within = start[..6].to_vec();
            within.extend(["2020,4,8,010008,1,", "2020,4,8,010004,2,"]);
            assert_eq!(repeat_line(&file(&within), chunk), (9, "010004".into()));
            // A sorted file: the repeat of the last key, at once.
            let sorted = file(&["2020,4,8,010001,1,", "2020,4,8,010001,2,"]);
            assert_eq!(repeat_line(&sorted, chunk), (3, "010001".into()));
            // Out of order without a repeat: every row read.
            let (rows, ..) = read_chunked(&file(&start[..6]), chunk).unwrap();
            assert_eq!(rows.len(), 6);
        }
    }
}
