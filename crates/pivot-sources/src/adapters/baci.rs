//! CEPII BACI (`BACI_HS{92..22}_Y{year}_V{release}.csv`: `t,i,j,k,v,q` — year, exporter and
//! importer ISO numeric, HS6 product as text, value in thousand USD, quantity in tonnes with `q`
//! possibly blank), plus its `country_codes_V*.csv` (ISO3 in `iso_3digit_alpha` up to V202301,
//! `country_iso3` from V202401) and `product_codes_*.csv`.
//!
//! Values are converted to million USD (÷ 1,000). HS6 codes keep their leading zeros (codes
//! written as numbers are left-padded to six digits). Country codes resolve through the
//! `country_codes` file given with the data, else through BACI V202201's list bundled with pivot.
//! Rows are written straight into Arrow builders (no per-row allocation beyond the strings),
//! partitioned by year.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use arrow::array::{
    ArrayRef, Float64Builder, Int32Builder, StringBuilder, StringDictionaryBuilder,
};
use arrow::datatypes::Int32Type;
use arrow::record_batch::RecordBatch;

use super::{Adapter, Ctx, Stats, info};
use crate::canonical::{TradeFlow, fields};
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

/// Parse one BACI data line (`t,i,j,k,v,q`). On error returns (field, problem).
pub fn parse_baci_line(line: &[u8]) -> Result<BaciLine, (&'static str, String)> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut it = line.split(|&b| b == b',');
    let mut next = |name: &'static str| {
        it.next()
            .ok_or((name, "missing (expected 6 fields: t,i,j,k,v,q)".to_string()))
    };
    let (t, i, j, k, v, q) = (
        next("t")?,
        next("i")?,
        next("j")?,
        next("k")?,
        next("v")?,
        next("q")?,
    );
    if it.next().is_some() {
        return Err(("q", "expected 6 fields (t,i,j,k,v,q), found more".into()));
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
    let t = int("t", t)?;
    if !(1988..=2100).contains(&t) {
        return Err(("t", format!("{t} is not a plausible year")));
    }
    let i = int("i", i)?;
    let j = int("j", j)?;
    for (name, code) in [("i", i), ("j", j)] {
        if code > 999 {
            return Err((name, "country codes have at most three digits".into()));
        }
    }
    let ks = trim_quotes(k);
    if ks.is_empty() || ks.len() > 6 || !ks.iter().all(u8::is_ascii_digit) {
        return Err((
            "k",
            format!("'{}' is not an HS6 code", String::from_utf8_lossy(ks)),
        ));
    }
    let mut kk = [b'0'; 6];
    kk[6 - ks.len()..].copy_from_slice(ks);
    let num = |name: &'static str, s: &[u8]| -> Result<Option<f64>, (&'static str, String)> {
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
    let v = num("v", v)?.ok_or(("v", "is empty".to_string()))?;
    let q = num("q", q)?;
    Ok(BaciLine {
        t: t as i32,
        i: i as u16,
        j: j as u16,
        k: kk,
        v,
        q,
    })
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
    exporter: StringDictionaryBuilder<Int32Type>,
    importer: StringDictionaryBuilder<Int32Type>,
    product: StringBuilder,
    value: Float64Builder,
    qty: Float64Builder,
    len: usize,
}

impl Builders {
    fn new() -> Builders {
        Builders {
            year: Int32Builder::with_capacity(BATCH),
            exporter: StringDictionaryBuilder::new(),
            importer: StringDictionaryBuilder::new(),
            product: StringBuilder::with_capacity(BATCH, BATCH * 6),
            value: Float64Builder::with_capacity(BATCH),
            qty: Float64Builder::with_capacity(BATCH),
            len: 0,
        }
    }

    fn finish(&mut self) -> Result<RecordBatch, SourceError> {
        let n = self.len;
        self.len = 0;
        let cast = |a: ArrayRef| -> ArrayRef {
            arrow::compute::cast(&a, &arrow::datatypes::DataType::Utf8)
                .expect("dictionary to utf8 cast")
        };
        let cols: Vec<ArrayRef> = vec![
            Arc::new(self.year.finish()),
            cast(Arc::new(self.exporter.finish())),
            cast(Arc::new(self.importer.finish())),
            Arc::new(self.product.finish()),
            Arc::new(self.value.finish()),
            Arc::new(self.qty.finish()),
            Arc::new(arrow::array::StringArray::from(vec!["baci"; n])),
            Arc::new(arrow::array::StringArray::from(vec!["reconciled"; n])),
        ];
        let schema = Arc::new(arrow::datatypes::Schema::new(fields::<TradeFlow>()));
        RecordBatch::try_new(schema, cols).map_err(|e| SourceError::Bug {
            adapter: "baci".into(),
            message: e.to_string(),
        })
    }
}

const BATCH: usize = 131_072;

impl Adapter for BaciAdapter {
    fn name(&self) -> &'static str {
        "baci"
    }
    fn summary(&self) -> &'static str {
        "CEPII BACI files (BACI_HS*_Y*_V*.csv: t,i,j,k,v,q) with country_codes_V*.csv; a folder is fine"
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
            &["trade_flows"],
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
        let resolve = |code: u16, codes: &HashMap<u16, String>| -> Option<String> {
            codes
                .get(&code)
                .cloned()
                .or_else(|| ctx.countries.by_m49(code).map(|c| c.iso3.clone()))
        };
        let mut cache: HashMap<u16, Option<String>> = HashMap::new();
        for input in data {
            let name = input.name();
            let mut reader = std::io::BufReader::with_capacity(1 << 20, input.open()?);
            let mut line = Vec::with_capacity(128);
            let mut lineno = 1u64;
            use std::io::BufRead;
            reader
                .read_until(b'\n', &mut line)
                .map_err(|e| SourceError::Io {
                    file: name.clone(),
                    source: e,
                })?;
            let mut b = Builders::new();
            let mut seen: HashSet<u64> = HashSet::new();
            let mut year_of_file: Option<i32> = None;
            loop {
                line.clear();
                let n = reader
                    .read_until(b'\n', &mut line)
                    .map_err(|e| SourceError::Io {
                        file: name.clone(),
                        source: e,
                    })?;
                if n == 0 {
                    break;
                }
                lineno += 1;
                let l = line.strip_suffix(b"\n").unwrap_or(&line);
                if l.is_empty() || l == b"\r" {
                    continue;
                }
                let p = parse_baci_line(l).map_err(|(field, problem)| SourceError::Field {
                    file: name.clone(),
                    line: lineno,
                    field: field.into(),
                    value: field_value(l, field),
                    problem,
                })?;
                let field_err = |field: &str, problem: &str| SourceError::Field {
                    file: name.clone(),
                    line: lineno,
                    field: field.into(),
                    value: field_value(l, field),
                    problem: problem.into(),
                };
                let mut iso = |c: u16, field: &str| -> Result<String, SourceError> {
                    cache
                        .entry(c)
                        .or_insert_with(|| resolve(c, &codes))
                        .clone()
                        .ok_or_else(|| {
                            field_err(
                                field,
                                "is not a BACI country code (see country_codes_V*.csv)",
                            )
                        })
                };
                let exporter = iso(p.i, "i")?;
                let importer = iso(p.j, "j")?;
                // Key (t, i, j, k) packed in 64 bits: year < 4096 (12 bits), codes ≤ 999 (10 bits
                // each), HS6 < 2^20.
                let kk = p.k.iter().fold(0u64, |a, &d| a * 10 + u64::from(d - b'0'));
                let key = (u64::from(p.t as u32) << 52)
                    | (u64::from(p.i) << 42)
                    | (u64::from(p.j) << 32)
                    | kk;
                if !seen.insert(key) {
                    return Err(field_err(
                        "k",
                        "duplicate key (t, i, j, k): this row repeats an earlier one",
                    ));
                }
                match year_of_file {
                    None => year_of_file = Some(p.t),
                    Some(y) if y != p.t => {
                        // Several years in one file: flush per year change keeps partitions clean.
                        if b.len > 0 {
                            let batch = b.finish()?;
                            stats.add("trade_flows", batch.num_rows() as u64);
                            sink.push("trade_flows", Some(&y.to_string()), batch)?;
                        }
                        year_of_file = Some(p.t);
                    }
                    _ => {}
                }
                stats.year(p.t);
                b.year.append_value(p.t);
                b.exporter.append_value(&exporter);
                b.importer.append_value(&importer);
                b.product
                    .append_value(std::str::from_utf8(&p.k).expect("ascii digits"));
                b.value.append_value(p.v / 1000.0);
                b.qty.append_option(p.q);
                b.len += 1;
                crate::input::count_record();
                if b.len >= BATCH {
                    let batch = b.finish()?;
                    stats.add("trade_flows", batch.num_rows() as u64);
                    sink.push(
                        "trade_flows",
                        year_of_file.map(|y| y.to_string()).as_deref(),
                        batch,
                    )?;
                    (ctx.progress)(BATCH as u64);
                }
            }
            if b.len > 0 {
                let batch = b.finish()?;
                stats.add("trade_flows", batch.num_rows() as u64);
                sink.push(
                    "trade_flows",
                    year_of_file.map(|y| y.to_string()).as_deref(),
                    batch,
                )?;
            }
        }
        Ok(stats)
    }
}

fn field_value(line: &[u8], field: &str) -> String {
    let idx = ["t", "i", "j", "k", "v", "q"]
        .iter()
        .position(|f| *f == field)
        .unwrap_or(0);
    line.split(|&b| b == b',')
        .nth(idx)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
