//! Write a synthetic BACI release (NOT real trade) for benchmarks:
//! `cargo run --release -p pivot-sources --example synth_baci -- --rows N --out DIR [--seed S] [--years 2012-2021]`.

use std::path::PathBuf;

fn main() {
    let mut rows: u64 = 1_000_000;
    let mut out: Option<PathBuf> = None;
    let mut seed: u64 = 42;
    let (mut first, mut last) = (2012, 2021);
    let mut args = std::env::args().skip(1);
    let usage = "usage: synth_baci --rows N --out DIR [--seed S] [--years FIRST-LAST]";
    while let Some(a) = args.next() {
        let mut val = || {
            args.next()
                .unwrap_or_else(|| panic!("{a} needs a value; {usage}"))
        };
        match a.as_str() {
            "--rows" => rows = val().replace('_', "").parse().expect("--rows N"),
            "--out" => out = Some(PathBuf::from(val())),
            "--seed" => seed = val().parse().expect("--seed S"),
            "--years" => {
                let v = val();
                let (a, b) = v.split_once('-').expect("--years FIRST-LAST");
                (first, last) = (a.parse().expect("year"), b.parse().expect("year"));
            }
            _ => {
                eprintln!("{usage}");
                std::process::exit(2);
            }
        }
    }
    let out = out.unwrap_or_else(|| {
        eprintln!("{usage}");
        std::process::exit(2);
    });
    let t = std::time::Instant::now();
    match pivot_sources::synth::write_baci(&out, rows, seed, first..=last) {
        Ok(s) => println!(
            "wrote {} SYNTHETIC BACI rows ({} countries, {} products, {:.1} MB) in {} files under {} in {:.1}s",
            s.rows,
            s.countries,
            s.products,
            s.bytes as f64 / 1e6,
            s.files.len(),
            out.display(),
            t.elapsed().as_secs_f64()
        ),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
