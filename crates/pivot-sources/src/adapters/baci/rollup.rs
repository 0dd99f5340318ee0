//! The roll-ups written in the same pass as the rows: `trade_dyad_year` and `trade_dyad_hs2`,
//! summed per chunk on its worker and merged per file.

use super::*;

/// One chunk's roll-up sums keyed by packed (year, exporter rank, importer rank[, chapter]).
#[derive(Default)]
pub(super) struct RollUp {
    /// Dyad-year: value (million USD) and product lines.
    pub(super) dyad: HashMap<u64, (f64, i64), BuildHasherDefault<KeyHasher>>,
    /// Dyad-year-chapter: value (million USD).
    pub(super) hs2: HashMap<u64, f64, BuildHasherDefault<KeyHasher>>,
}

impl RollUp {
    /// Add one line (value in million USD).
    pub(super) fn add(&mut self, year: i32, er: u16, ir: u16, chapter: u8, value: f64) {
        let d = dyad_key(year, er, ir);
        let e = self.dyad.entry(d).or_default();
        e.0 += value;
        e.1 += 1;
        *self.hs2.entry((d << 7) | u64::from(chapter)).or_default() += value;
    }
}

/// HS chapters (two digits) a cell index allows for.
pub(super) const CHAPTERS: usize = 100;

/// A file's roll-up sums: per year, arrays indexed by (exporter rank, importer rank[,
/// chapter]), so their size is fixed by the number of countries (about 50 MB a year for 250
/// countries), whatever the number of rows, and merging a chunk adds into them without
/// hashing. Chunks are merged in file order, so every sum adds the same values in the same
/// order as line-by-line reading would. A year's arrays, once taken, are zeroed where they
/// were used and kept for the next year or file ([`Across::spare`]): fresh 50 MB arrays for
/// every file cost a page fault per 4 KiB touched (half of the ingest's page faults and about
/// 2 s of system time on 20 M rows, measured with `perf record -e page-faults`).
pub(super) struct FileRollUp {
    /// Country ranks (ISO3 codes) there are.
    pub(super) n: usize,
    pub(super) years: std::collections::BTreeMap<i32, YearSums>,
    /// Arrays of years taken, all zero, to be used again.
    pub(super) spare: Vec<YearSums>,
}

/// What carries from one data file to the next.
#[derive(Default)]
pub(super) struct Across {
    /// Years read so far, with their file (BACI has one file per year).
    pub(super) years_done: HashMap<i32, String>,
    /// Zeroed roll-up arrays (see [`FileRollUp`]).
    pub(super) spare: Vec<YearSums>,
}

/// One year's sums (see [`FileRollUp`]); a cell is present once a line has added to it.
pub(super) struct YearSums {
    pub(super) dyad_value: Vec<f64>,
    pub(super) dyad_lines: Vec<i64>,
    pub(super) hs2_value: Vec<f64>,
    /// One bit per dyad-chapter cell: present.
    pub(super) hs2_present: Vec<u64>,
}

impl FileRollUp {
    pub(super) fn new(n: usize, mut spare: Vec<YearSums>) -> FileRollUp {
        spare.retain(|y| y.dyad_value.len() == n * n);
        FileRollUp {
            n,
            years: Default::default(),
            spare,
        }
    }

    pub(super) fn year(&mut self, year: i32) -> &mut YearSums {
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
    pub(super) fn dyad_cell(&self, key: u64) -> (i32, usize) {
        let year = (key >> 20) as i32;
        let (er, ir) = (((key >> 10) & 0x3FF) as usize, (key & 0x3FF) as usize);
        (year, er * self.n + ir)
    }

    /// Add a chunk's sums (chunks in file order).
    pub(super) fn merge(&mut self, chunk: RollUp) {
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
    pub(super) fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// The roll-up batches of one year, sorted by exporter, importer (and chapter); the year's
    /// sums are dropped.
    pub(super) fn take_batches(
        &mut self,
        year: i32,
        names: &[String],
    ) -> Result<[RecordBatch; 2], String> {
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
pub(super) fn keyed_batch<T: crate::canonical::CanonicalRow>(
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
pub(super) fn dyad_key(year: i32, er: u16, ir: u16) -> u64 {
    (u64::from(year as u32) << 20) | (u64::from(er) << 10) | u64::from(ir)
}
