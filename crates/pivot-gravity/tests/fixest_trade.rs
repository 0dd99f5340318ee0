//! fixest's walkthrough model on fixest's own `trade` data, as R's
//! `write.csv` writes it (`tests/data/fixest_trade/`, GPL-3 package data of
//! fixest 0.12.2): `fepois(Euros ~ log(dist_km) | Origin + Destination +
//! Product + Year, trade)`. Reference values were produced by fixest 0.12.2
//! (see the README there).

use std::io::Read;

use pivot_gravity::{Formula, Panel, Ppml, VcovSpec};

fn trade() -> Panel {
    let path = std::path::Path::new(
        &std::env::var_os("CARGO_MANIFEST_DIR")
            .expect("CARGO_MANIFEST_DIR: run by cargo or nextest"),
    )
    .join("tests/data/fixest_trade/trade.csv.gz");
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut s)
        .unwrap();
    let mut rdr = csv::Reader::from_reader(s.as_bytes());
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); 7];
    for rec in rdr.records() {
        for (j, v) in rec.unwrap().iter().enumerate() {
            cols[j].push(v.to_string());
        }
    }
    let num = |j: usize| -> Vec<f64> { cols[j].iter().map(|v| v.parse().unwrap()).collect() };
    let mut p = Panel::new();
    p.add_categorical("Destination", &cols[1]).unwrap();
    p.add_categorical("Origin", &cols[2]).unwrap();
    p.add_numeric("Product", num(3)).unwrap();
    p.add_numeric("Year", num(4)).unwrap();
    p.add_numeric("dist_km", num(5)).unwrap();
    p.add_numeric("Euros", num(6)).unwrap();
    p
}

#[test]
fn fixest_walkthrough_model_on_fixest_trade_data() {
    let p = trade();
    let f = Formula::parse("Euros ~ log(dist_km) | Origin + Destination + Product + Year").unwrap();
    let fit = Ppml::params()
        .check()
        .unwrap()
        .fit(&f, &p)
        .unwrap()
        .vcov(VcovSpec::cluster("Origin"), &p)
        .unwrap();
    // fixest 0.12.2 defaults: −1.527874371 (SE 0.1156778436, clustered by
    // Origin); with glm.tol = fixef.tol = 1e-11: −1.52787437149 (SE
    // 0.115678164995). The SE's 6th digit moves with fixest's default
    // demeaning tolerance (1e-6); pivot's matches the tight one.
    let b = fit.coef("log(dist_km)").unwrap();
    let se = fit.se("log(dist_km)").unwrap();
    assert!((b / -1.52787437149 - 1.0).abs() < 1e-9, "{b}");
    assert!((se / 0.115678164995 - 1.0).abs() < 1e-8, "{se}");
    assert!((se / 0.1156778436 - 1.0).abs() < 5e-6, "{se}");
    assert_eq!(format!("{b:.6} ({se:.6})"), "-1.527874 (0.115678)");
    assert_eq!(fit.nobs(), 38_325);
    assert!(fit.converged());
    // fixef(): the same references as fixest (the first level met in the
    // data: Destination LU, Product 1, Year 2007), so the same values.
    let fe = fit.fixed_effects();
    let get = |k: usize, lvl: &str| {
        let i = fe[k].levels.iter().position(|l| l == lvl).unwrap();
        fe[k].values[i]
    };
    assert_eq!(fe[1].reference.as_deref(), Some("LU"));
    for (k, lvl, want) in [
        (0, "AT", 22.50801741),
        (0, "DE", 24.70768999),
        (1, "AT", 2.435894943),
        (1, "DE", 4.322875208),
        (2, "2", 1.4143690761),
        (3, "2008", 0.0691222842),
    ] {
        let got = get(k, lvl);
        assert!(
            (got - want).abs() < 1e-6,
            "{} {lvl}: {got} vs {want}",
            fe[k].name
        );
    }
}
