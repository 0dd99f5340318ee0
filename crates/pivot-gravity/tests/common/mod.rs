//! Shared test helpers: AGTPA data loading and the chapter-1 regressors.
#![allow(clippy::needless_range_loop, dead_code)]

use std::collections::HashMap;
use std::io::Read;

use pivot_gravity::Panel;

/// The AGTPA application data (Yotov et al. 2016 via tradepolicy 0.7.0), as rows.
pub struct Agtpa {
    pub exporter: Vec<String>,
    pub importer: Vec<String>,
    pub pair_id: Vec<f64>,
    pub year: Vec<f64>,
    pub num: HashMap<String, Vec<f64>>,
}

pub fn data_dir() -> std::path::PathBuf {
    std::path::Path::new(
        &std::env::var_os("CARGO_MANIFEST_DIR")
            .expect("CARGO_MANIFEST_DIR: run by cargo or nextest"),
    )
    .join("../../data/agtpa_gravity")
}

pub fn load_agtpa() -> Agtpa {
    let f = std::fs::File::open(data_dir().join("agtpa_applications.csv.gz")).expect("AGTPA data");
    let mut s = String::new();
    flate2::read::GzDecoder::new(f)
        .read_to_string(&mut s)
        .unwrap();
    let mut rdr = csv::Reader::from_reader(s.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let mut a = Agtpa {
        exporter: vec![],
        importer: vec![],
        pair_id: vec![],
        year: vec![],
        num: HashMap::new(),
    };
    let numeric: Vec<&str> = headers
        .iter()
        .filter(|h| !matches!(*h, "exporter" | "importer" | "pair_id" | "year"))
        .collect();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        for (h, v) in headers.iter().zip(rec.iter()) {
            match h {
                "exporter" => a.exporter.push(v.to_string()),
                "importer" => a.importer.push(v.to_string()),
                "pair_id" => a.pair_id.push(v.parse().unwrap()),
                "year" => a.year.push(v.parse().unwrap()),
                _ => a
                    .num
                    .entry(h.to_string())
                    .or_default()
                    .push(v.parse().unwrap_or(f64::NAN)),
            }
        }
    }
    assert!(numeric.contains(&"trade"));
    a
}

/// Group sums of `v` by the key of each row, broadcast back to rows.
fn group_sum<K: std::hash::Hash + Eq + Clone>(keys: &[K], v: &[f64]) -> Vec<f64> {
    let mut m: HashMap<K, f64> = HashMap::new();
    for (k, x) in keys.iter().zip(v) {
        *m.entry(k.clone()).or_default() += x;
    }
    keys.iter().map(|k| m[k]).collect()
}

/// The chapter-1 panel: years 1986, 1990, ..., 2006 with every regressor of
/// SOURCES.md §3 (built exactly as in the tradepolicy book code).
pub fn ch1_panel() -> Panel {
    let a = load_agtpa();
    let keep: Vec<usize> = (0..a.year.len())
        .filter(|&i| (a.year[i] as i64 - 1986) % 4 == 0)
        .collect();
    let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let picks = |v: &[String]| keep.iter().map(|&i| v[i].clone()).collect::<Vec<String>>();
    let exporter = picks(&a.exporter);
    let importer = picks(&a.importer);
    let year = pick(&a.year);
    let pair_id = pick(&a.pair_id);
    let trade = pick(&a.num["trade"]);
    let dist = pick(&a.num["dist"]);
    let n = keep.len();
    let ey: Vec<(String, i64)> = (0..n)
        .map(|i| (exporter[i].clone(), year[i] as i64))
        .collect();
    let iy: Vec<(String, i64)> = (0..n)
        .map(|i| (importer[i].clone(), year[i] as i64))
        .collect();
    let yr: Vec<i64> = year.iter().map(|y| *y as i64).collect();
    // Y_it, E_jt including domestic flows.
    let y = group_sum(&ey, &trade);
    let e = group_sum(&iy, &trade);
    // total_e: per exporter-year sum of e over its rows, then max within year.
    let te_row = group_sum(&ey, &e);
    let mut te_year: HashMap<i64, f64> = HashMap::new();
    for (k, v) in yr.iter().zip(&te_row) {
        let m = te_year.entry(*k).or_insert(f64::MIN);
        *m = m.max(*v);
    }
    let rem_exp_terms: Vec<f64> = (0..n).map(|i| dist[i] * te_year[&yr[i]] / e[i]).collect();
    let rem_exp = group_sum(&ey, &rem_exp_terms);
    let ty_row = group_sum(&iy, &y);
    let mut ty_year: HashMap<i64, f64> = HashMap::new();
    for (k, v) in yr.iter().zip(&ty_row) {
        let m = ty_year.entry(*k).or_insert(f64::MIN);
        *m = m.max(*v);
    }
    let rem_imp_terms: Vec<f64> = (0..n).map(|i| dist[i] / (y[i] / ty_year[&yr[i]])).collect();
    let rem_imp = group_sum(&iy, &rem_imp_terms);
    let smctry: Vec<f64> = (0..n)
        .map(|i| f64::from(u8::from(exporter[i] == importer[i])))
        .collect();
    let log_dist: Vec<f64> = dist.iter().map(|d| d.ln()).collect();
    let sum_trade = group_sum(
        &pair_id.iter().map(|p| *p as i64).collect::<Vec<_>>(),
        &trade,
    );

    let mut p = Panel::new();
    p.add_categorical("exporter", &exporter).unwrap();
    p.add_categorical("importer", &importer).unwrap();
    p.add_numeric("year", year.clone()).unwrap();
    p.add_numeric("pair_id", pair_id.clone()).unwrap();
    p.add_numeric("trade", trade.clone()).unwrap();
    p.add_numeric("log_trade", trade.iter().map(|t| t.ln()).collect())
        .unwrap();
    p.add_numeric("log_dist", log_dist.clone()).unwrap();
    for c in [
        "cntg",
        "lang",
        "clny",
        "rta",
        "rta_lag4",
        "rta_lag8",
        "rta_lag12",
        "rta_lead4",
    ] {
        p.add_numeric(c, pick(&a.num[c])).unwrap();
    }
    p.add_numeric("log_y", y.iter().map(|v| v.ln()).collect())
        .unwrap();
    p.add_numeric("log_e", e.iter().map(|v| v.ln()).collect())
        .unwrap();
    p.add_numeric(
        "log_remoteness_exp",
        rem_exp.iter().map(|v| v.ln()).collect(),
    )
    .unwrap();
    p.add_numeric(
        "log_remoteness_imp",
        rem_imp.iter().map(|v| v.ln()).collect(),
    )
    .unwrap();
    for yy in [1986, 1990, 1994, 1998, 2002, 2006] {
        let v: Vec<f64> = (0..n)
            .map(|i| {
                if year[i] as i64 == yy {
                    log_dist[i] * (1.0 - smctry[i])
                } else {
                    0.0
                }
            })
            .collect();
        p.add_numeric(&format!("log_dist_{yy}"), v).unwrap();
        let b: Vec<f64> = (0..n)
            .map(|i| {
                if year[i] as i64 == yy {
                    1.0 - smctry[i]
                } else {
                    0.0
                }
            })
            .collect();
        p.add_numeric(&format!("intl_border_{yy}"), b).unwrap();
    }
    p.add_numeric(
        "log_dist_intra",
        (0..n).map(|i| log_dist[i] * smctry[i]).collect(),
    )
    .unwrap();
    p.add_numeric("smctry", smctry.clone()).unwrap();
    let intra_pair: Vec<String> = (0..n)
        .map(|i| {
            if smctry[i] == 1.0 {
                exporter[i].clone()
            } else {
                "inter".into()
            }
        })
        .collect();
    p.add_categorical("intra_pair", &intra_pair).unwrap();
    let intl_brdr: Vec<String> = (0..n)
        .map(|i| {
            if smctry[i] == 1.0 {
                format!("{}", pair_id[i])
            } else {
                "inter".into()
            }
        })
        .collect();
    p.add_categorical("intl_brdr", &intl_brdr).unwrap();
    let pair_id_2: Vec<String> = (0..n)
        .map(|i| {
            if smctry[i] == 1.0 {
                "0-intra".into()
            } else {
                format!("{}", pair_id[i])
            }
        })
        .collect();
    p.add_categorical("pair_id_2", &pair_id_2).unwrap();
    p.add_numeric("sum_trade", sum_trade).unwrap();
    p
}

/// Rows of `p` where `f(row)` holds.
pub fn filter(p: &Panel, f: impl Fn(usize) -> bool) -> Panel {
    let keep: Vec<bool> = (0..p.nrows()).map(f).collect();
    p.filter(&keep).unwrap()
}

/// One reference row.
#[derive(Debug, Clone)]
pub struct RefRow {
    pub model: String,
    pub term: String,
    pub estimate: f64,
    pub std_error: f64,
    pub n_obs: usize,
}

pub fn ch1_reference() -> Vec<RefRow> {
    let mut rdr =
        csv::Reader::from_path(data_dir().join("reference_estimates_ch1_r_capybara.csv")).unwrap();
    rdr.deserialize::<HashMap<String, String>>()
        .map(|r| {
            let r = r.unwrap();
            RefRow {
                model: r["model"].clone(),
                term: r["term"].clone(),
                estimate: r["estimate"].parse().unwrap(),
                std_error: r["std_error"].parse().unwrap(),
                n_obs: r["n_obs"].parse().unwrap(),
            }
        })
        .collect()
}
