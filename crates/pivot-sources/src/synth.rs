//! Synthetic BACI: files in CEPII BACI's layout, filled with generated (NOT real) trade, for
//! benchmarks and tests at full scale without the real release.
//!
//! [`write_baci`] writes one `BACI_HS92_Y{year}_VSYNTHETIC.csv` per year (`t,i,j,k,v,q`, sorted
//! by exporter, importer and product like the real files), plus `country_codes_VSYNTHETIC.csv`
//! (BACI's real country list, bundled with pivot) and `product_codes_HS92_VSYNTHETIC.csv` (real
//! HS6 codes from the bundled product list, with synthetic descriptions). Every file name carries
//! the word `SYNTHETIC`, so the BACI adapter marks the dataset synthetic in its title and notes.
//!
//! Shape: exporters and importers have log-normal sizes (a few giants, a long tail), dyads get
//! rows in proportion to exporter size × importer size × noise (capped at one row per product),
//! products are drawn without replacement per dyad (no duplicate `(t, i, j, k)` key), values are
//! log-normal in thousand USD with three decimals, and about 2% of quantities are blank. The same
//! seed gives byte-identical files. Memory is bounded by the number of dyads and products, not by
//! the number of rows: rows are streamed to disk.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

use crate::SourceError;

/// What [`write_baci`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSummary {
    /// The data files, one per year, in year order.
    pub files: Vec<PathBuf>,
    /// The country code list written next to them.
    pub country_codes: PathBuf,
    /// The product code list written next to them.
    pub product_codes: PathBuf,
    /// Data rows written (all years).
    pub rows: u64,
    /// Data rows per year.
    pub rows_by_year: Vec<(i32, u64)>,
    /// Bytes written in the data files.
    pub bytes: u64,
    /// Countries used as exporters and importers.
    pub countries: usize,
    /// HS6 products used.
    pub products: usize,
}

/// Write a synthetic BACI release of `rows` data rows (spread evenly over `years`) into
/// `out_dir` (created if missing), deterministically from `seed`.
///
/// Files: `BACI_HS92_Y{year}_VSYNTHETIC.csv` for each year, `country_codes_VSYNTHETIC.csv`
/// and `product_codes_HS92_VSYNTHETIC.csv`; see the [module documentation](self) for the shape
/// of the data. The data are synthetic, not real trade. Fails with [`SourceError::Io`] if the
/// folder cannot be written, if `years` is empty, or if a year would need more rows than there
/// are distinct (exporter, importer, product) keys.
pub fn write_baci(
    out_dir: &Path,
    rows: u64,
    seed: u64,
    years: RangeInclusive<i32>,
) -> Result<SynthSummary, SourceError> {
    let io = |file: &Path| {
        let file = file.display().to_string();
        move |e: std::io::Error| SourceError::Io { file, source: e }
    };
    let invalid = |m: String| SourceError::Io {
        file: out_dir.display().to_string(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, m),
    };
    if years.is_empty() {
        return Err(invalid(format!("empty year range {years:?}")));
    }
    if *years.start() < 1988 || *years.end() > 2100 {
        return Err(invalid(format!(
            "years {years:?} outside BACI's plausible range 1988-2100"
        )));
    }
    std::fs::create_dir_all(out_dir).map_err(io(out_dir))?;

    // Countries: BACI's own list (country_code → ISO3), written as the release's code list.
    let codes_text = gunzip(pivot_bundled::BACI_COUNTRY_CODES.bytes)
        .map_err(io(Path::new(pivot_bundled::BACI_COUNTRY_CODES.path)))?;
    let country_codes = out_dir.join("country_codes_VSYNTHETIC.csv");
    std::fs::write(&country_codes, &codes_text).map_err(io(&country_codes))?;
    // Trade only between codes with their own ISO3 (the last column) that pivot knows: no
    // historical aggregates such as Belgium-Luxembourg, no blank codes.
    let listed: Vec<(u16, &str)> = codes_text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let code = l.split(',').next()?.trim().parse().ok()?;
            Some((code, l.rsplit(',').next()?.trim()))
        })
        .collect();
    let known = pivot_vocab::Countries::bundled();
    let mut countries: Vec<u16> = listed
        .iter()
        .filter(|(_, iso)| {
            !iso.is_empty()
                && listed.iter().filter(|(_, o)| o == iso).count() == 1
                && known.by_iso3(iso).is_some_and(|c| c.iso3 == *iso)
        })
        .map(|(c, _)| *c)
        .collect();
    countries.sort_unstable();
    countries.dedup();

    // Products: real HS6 codes (leading zeros kept), synthetic descriptions.
    let products_text = gunzip(pivot_bundled::HS17_PRODUCT_CODES.bytes)
        .map_err(io(Path::new(pivot_bundled::HS17_PRODUCT_CODES.path)))?;
    let mut products: Vec<[u8; 6]> = products_text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c = l.split(',').next()?.trim().trim_matches('"').as_bytes();
            (c.len() == 6 && c.iter().all(u8::is_ascii_digit)).then(|| c.try_into().ok())?
        })
        .collect();
    products.sort_unstable();
    products.dedup();
    let product_codes = out_dir.join("product_codes_HS92_VSYNTHETIC.csv");
    {
        let mut w = BufWriter::new(File::create(&product_codes).map_err(io(&product_codes))?);
        let mut text = String::from("code,description\n");
        for p in &products {
            let p = std::str::from_utf8(p).expect("ascii digits");
            text.push_str(&format!(
                "{p},\"SYNTHETIC product {p} (not a real description)\"\n"
            ));
        }
        w.write_all(text.as_bytes()).map_err(io(&product_codes))?;
        w.flush().map_err(io(&product_codes))?;
    }

    let nc = countries.len();
    let np = products.len();
    // Country sizes: log-normal exporter sizes; importer sizes correlated with them.
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let exp_size: Vec<f64> = (0..nc).map(|_| (1.6 * normal(&mut rng)).exp()).collect();
    let imp_size: Vec<f64> = exp_size
        .iter()
        .map(|s| s.powf(0.8) * (0.6 * normal(&mut rng)).exp())
        .collect();
    // Dyad weights (i ≠ j), with dyad-level noise; fixed across years.
    let mut weight = vec![0.0f64; nc * nc];
    for i in 0..nc {
        for j in 0..nc {
            if i != j {
                weight[i * nc + j] = exp_size[i] * imp_size[j] * (normal(&mut rng)).exp();
            }
        }
    }

    let ny = (*years.end() - *years.start() + 1) as u64;
    let mut summary = SynthSummary {
        files: Vec::new(),
        country_codes,
        product_codes,
        rows: 0,
        rows_by_year: Vec::new(),
        bytes: 0,
        countries: nc,
        products: np,
    };
    let code_text: Vec<String> = countries.iter().map(u16::to_string).collect();
    let mut chosen = vec![false; np];
    let mut picks: Vec<u32> = Vec::with_capacity(np);
    let mut line: Vec<u8> = Vec::with_capacity(64);
    for (yi, year) in years.clone().enumerate() {
        let want = rows / ny + u64::from((yi as u64) < rows % ny);
        let counts = dyad_counts(&weight, want, np as u64).ok_or_else(|| {
            invalid(format!(
                "{want} rows for {year} exceed the {} distinct (exporter, importer, product) keys",
                (nc * (nc - 1)) as u64 * np as u64
            ))
        })?;
        let path = out_dir.join(format!("BACI_HS92_Y{year}_VSYNTHETIC.csv"));
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&path).map_err(io(&path))?);
        w.write_all(b"t,i,j,k,v,q\n").map_err(io(&path))?;
        let mut bytes = 12u64;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(
            seed ^ (year as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        let year_text = year.to_string();
        for (d, &c) in counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let (i, j) = (d / nc, d % nc);
            choose_sorted(&mut rng, c as usize, np, &mut chosen, &mut picks);
            for &p in &picks {
                // Value: log-normal thousand USD, at least 0.001.
                let v = (1000.0 * (2.0 + 2.2 * normal(&mut rng)).exp())
                    .round()
                    .clamp(1.0, 1e15) as u64;
                line.clear();
                line.extend_from_slice(year_text.as_bytes());
                line.push(b',');
                line.extend_from_slice(code_text[i].as_bytes());
                line.push(b',');
                line.extend_from_slice(code_text[j].as_bytes());
                line.push(b',');
                line.extend_from_slice(&products[p as usize]);
                line.push(b',');
                push_milli(&mut line, v);
                line.push(b',');
                if rng.random::<f64>() >= 0.02 {
                    let q = (v as f64 * (-0.5 + 1.5 * normal(&mut rng)).exp())
                        .round()
                        .clamp(1.0, 1e15) as u64;
                    push_milli(&mut line, q);
                }
                line.push(b'\n');
                w.write_all(&line).map_err(io(&path))?;
                bytes += line.len() as u64;
            }
        }
        w.flush().map_err(io(&path))?;
        summary.rows += want;
        summary.rows_by_year.push((year, want));
        summary.bytes += bytes;
        summary.files.push(path);
    }
    Ok(summary)
}

fn normal(rng: &mut Xoshiro256PlusPlus) -> f64 {
    rng.sample(StandardNormal)
}

fn gunzip(bytes: &[u8]) -> std::io::Result<String> {
    let mut s = String::new();
    flate2::read::MultiGzDecoder::new(bytes).read_to_string(&mut s)?;
    Ok(s)
}

/// Append `milli / 1000` with exactly three decimals.
fn push_milli(out: &mut Vec<u8>, milli: u64) {
    let mut b = itoa_buf(milli / 1000);
    out.append(&mut b);
    let f = milli % 1000;
    out.extend_from_slice(&[
        b'.',
        b'0' + (f / 100) as u8,
        b'0' + (f / 10 % 10) as u8,
        b'0' + (f % 10) as u8,
    ]);
}

fn itoa_buf(mut n: u64) -> Vec<u8> {
    let mut b = [0u8; 20];
    let mut k = b.len();
    loop {
        k -= 1;
        b[k] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    b[k..].to_vec()
}

/// Rows per dyad summing to exactly `total`, proportional to `weight` and capped at `cap`
/// (water-filling, then largest remainders). `None` if `total` exceeds the capacity.
fn dyad_counts(weight: &[f64], total: u64, cap: u64) -> Option<Vec<u32>> {
    let live = weight.iter().filter(|w| **w > 0.0).count() as u64;
    if total > live * cap {
        return None;
    }
    let capf = cap as f64;
    let fill = |scale: f64| -> f64 { weight.iter().map(|w| (w * scale).min(capf)).sum() };
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while fill(hi) < total as f64 {
        hi *= 2.0;
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if fill(mid) < total as f64 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let exact: Vec<f64> = weight.iter().map(|w| (w * hi).min(capf)).collect();
    let mut counts: Vec<u32> = exact.iter().map(|x| x.floor() as u32).collect();
    let mut short = total.saturating_sub(counts.iter().map(|c| u64::from(*c)).sum());
    // Largest fractional parts first (index breaks ties: deterministic).
    let mut order: Vec<usize> = (0..weight.len())
        .filter(|&d| weight[d] > 0.0 && u64::from(counts[d]) < cap)
        .collect();
    order.sort_by(|&a, &b| {
        let fa = exact[a] - exact[a].floor();
        let fb = exact[b] - exact[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    let mut k = 0;
    while short > 0 {
        let d = order[k % order.len()];
        if u64::from(counts[d]) < cap {
            counts[d] += 1;
            short -= 1;
        }
        k += 1;
    }
    // Over-filled by rounding (never expected; kept exact anyway).
    let mut over = counts
        .iter()
        .map(|c| u64::from(*c))
        .sum::<u64>()
        .saturating_sub(total);
    for c in counts.iter_mut() {
        if over == 0 {
            break;
        }
        let take = u64::from(*c).min(over);
        *c -= take as u32;
        over -= take;
    }
    Some(counts)
}

/// `k` distinct indices in `0..n`, sorted ascending, into `picks`. `chosen` is an all-false
/// scratch of length `n` and is left all-false.
fn choose_sorted(
    rng: &mut Xoshiro256PlusPlus,
    k: usize,
    n: usize,
    chosen: &mut [bool],
    picks: &mut Vec<u32>,
) {
    picks.clear();
    // Draw the smaller of the chosen set and its complement by rejection.
    let complement = 2 * k > n;
    let draw = if complement { n - k } else { k };
    let mut drawn = 0;
    while drawn < draw {
        let r = rng.random_range(0..n);
        if !chosen[r] {
            chosen[r] = true;
            picks.push(r as u32);
            drawn += 1;
        }
    }
    if complement {
        for &r in picks.iter() {
            chosen[r as usize] = false;
        }
        let excluded: std::collections::HashSet<u32> = picks.drain(..).collect();
        picks.extend((0..n as u32).filter(|r| !excluded.contains(r)));
    } else {
        for &r in picks.iter() {
            chosen[r as usize] = false;
        }
        picks.sort_unstable();
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use super::*;
    use crate::adapters::{Adapter, BaciAdapter, Ctx};
    use crate::{Input, MemorySink};

    fn read(dir: &Path) -> (MemorySink, crate::adapters::Stats, DatasetInfoTitle) {
        let mut inputs: Vec<Input> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| Input::File(e.unwrap().path()))
            .collect();
        inputs.sort_by_key(Input::name);
        let ctx = Ctx {
            countries: pivot_vocab::Countries::bundled(),
            progress: &|_| {},
        };
        let mut sink = MemorySink::default();
        let stats = BaciAdapter
            .read(&inputs, &ctx, &mut sink)
            .unwrap_or_else(|e| panic!("{e}"));
        let title = BaciAdapter.dataset(&inputs).title;
        (sink, stats, title)
    }
    type DatasetInfoTitle = String;

    #[test]
    fn synthetic_baci_round_trips_and_rolls_up_to_the_direct_sum() {
        let dir = tempfile::tempdir().unwrap();
        let s = write_baci(dir.path(), 30_001, 7, 2018..=2020).unwrap();
        assert_eq!(s.rows, 30_001);
        assert_eq!(s.files.len(), 3);
        assert!(s.countries >= 190 && s.products >= 5000, "{s:?}");
        assert!(std::fs::read_dir(dir.path()).unwrap().all(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .contains("SYNTHETIC")
        }));

        // Direct sum from the CSV text: (year, i, j) → Σ v (thousand USD), via the code list.
        let codes = std::fs::read_to_string(&s.country_codes).unwrap();
        let iso: HashMap<&str, &str> = codes
            .lines()
            .skip(1)
            .map(|l| {
                let (code, _) = l.split_once(',').unwrap();
                (code, l.rsplit(',').next().unwrap())
            })
            .collect();
        let mut direct: BTreeMap<(i32, String, String), f64> = BTreeMap::new();
        let (mut lines, mut blank_q, mut leading_zero) = (0u64, 0u64, 0u64);
        for f in &s.files {
            let text = std::fs::read_to_string(f).unwrap();
            let mut it = text.lines();
            assert_eq!(it.next(), Some("t,i,j,k,v,q"));
            for l in it {
                let c: Vec<&str> = l.split(',').collect();
                assert_eq!(c.len(), 6, "{l}");
                assert_eq!(c[3].len(), 6, "{l}");
                lines += 1;
                blank_q += u64::from(c[5].is_empty());
                leading_zero += u64::from(c[3].starts_with('0'));
                *direct
                    .entry((c[0].parse().unwrap(), iso[c[1]].into(), iso[c[2]].into()))
                    .or_default() += c[4].parse::<f64>().unwrap();
            }
        }
        assert_eq!(lines, s.rows);
        assert!(leading_zero > 0);
        let share = blank_q as f64 / lines as f64;
        assert!((0.01..0.03).contains(&share), "blank q share {share}");

        // The adapter reads it all (no duplicate key), marks it synthetic, and rolls up equal.
        let (sink, stats, title) = read(dir.path());
        assert!(title.contains("SYNTHETIC"), "{title}");
        assert_eq!(sink.rows("trade_flows") as u64, s.rows);
        assert_eq!(stats.years, Some((2018, 2020)));
        let mut rolled: BTreeMap<(i32, String, String), f64> = BTreeMap::new();
        for (_, part, b) in sink.batches.iter().filter(|b| b.0 == "trade_flows") {
            let rows: Vec<crate::canonical::TradeFlow> = serde_arrow::from_record_batch(b).unwrap();
            for r in rows {
                assert_eq!(part.as_deref(), Some(r.year.to_string().as_str()));
                *rolled.entry((r.year, r.exporter, r.importer)).or_default() += r.value_usd_m;
            }
        }
        assert_eq!(rolled.len(), direct.len());
        for (k, v) in &direct {
            let got = rolled[k];
            assert!(
                (got - v / 1000.0).abs() <= 1e-9 * (v / 1000.0).max(1.0),
                "{k:?}: {got} vs {}",
                v / 1000.0
            );
        }
        // The materialised dyad-year roll-up equals the direct sum, dyad by dyad, and the
        // chapter roll-up sums back to it.
        let dyads: Vec<crate::canonical::TradeDyadYear> = sink.decode("trade_dyad_year");
        assert_eq!(dyads.len(), direct.len());
        assert_eq!(stats.rows["trade_dyad_year"], direct.len() as u64);
        let mut hs2_sum: BTreeMap<(i32, String, String), f64> = BTreeMap::new();
        for h in sink.decode::<crate::canonical::TradeDyadHs2>("trade_dyad_hs2") {
            assert_eq!(h.hs2.len(), 2);
            *hs2_sum.entry((h.year, h.exporter, h.importer)).or_default() += h.value_usd_m;
        }
        let products: i64 = dyads.iter().map(|d| d.products).sum();
        assert_eq!(products as u64, s.rows);
        for d in &dyads {
            let v = direct[&(d.year, d.exporter.clone(), d.importer.clone())] / 1000.0;
            assert!(
                (d.value_usd_m - v).abs() <= 1e-9 * v.max(1.0),
                "{d:?} vs {v}"
            );
            let h = hs2_sum[&(d.year, d.exporter.clone(), d.importer.clone())];
            assert!((h - v).abs() <= 1e-9 * v.max(1.0), "{d:?}: chapters {h}");
        }
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let (a, b, c) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let sa = write_baci(a.path(), 5_000, 1, 2020..=2021).unwrap();
        let sb = write_baci(b.path(), 5_000, 1, 2020..=2021).unwrap();
        write_baci(c.path(), 5_000, 2, 2020..=2021).unwrap();
        let bytes = |d: &Path| std::fs::read(d.join("BACI_HS92_Y2021_VSYNTHETIC.csv")).unwrap();
        assert_eq!(bytes(a.path()), bytes(b.path()));
        assert_ne!(bytes(a.path()), bytes(c.path()));
        assert_eq!(sa.bytes, sb.bytes);
    }

    #[test]
    fn dyad_counts_are_exact_and_capped() {
        let w = [0.0, 100.0, 1.0, 1.0, 0.5];
        let c = dyad_counts(&w, 10, 4).unwrap();
        assert_eq!(c.iter().map(|c| u64::from(*c)).sum::<u64>(), 10);
        assert_eq!(c[0], 0);
        assert_eq!(c[1], 4);
        assert!(c.iter().all(|c| *c <= 4));
        assert!(dyad_counts(&w, 17, 4).is_none());
        let mut sm = String::new();
        for m in [0u64, 1, 999, 1000, 123_456_789] {
            let mut v = Vec::new();
            push_milli(&mut v, m);
            sm.push_str(std::str::from_utf8(&v).unwrap());
            sm.push(' ');
        }
        assert_eq!(sm, "0.000 0.001 0.999 1.000 123456.789 ");
    }
}
