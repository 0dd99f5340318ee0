//! Benchmark driver (not part of the library API): fits a PPML model on a
//! numeric CSV file and prints the coefficients and the fit time.
//!
//! Usage: `pivot-gravity-bench FILE.csv "y ~ x1 + x2 | fe1 + fe2" [SEPARATION]`
//! Every column must be numeric; fixed-effect columns hold integer codes.
//! SEPARATION is `fe,simplex,relu,mu`, `none`, ... (default: the library's).

use std::time::Instant;

use pivot_gravity::{Formula, Panel, Ppml, Separation};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 && args.len() != 4 {
        eprintln!("usage: pivot-gravity-bench FILE.csv FORMULA [SEPARATION]");
        std::process::exit(2);
    }
    let sep: Separation = match args.get(3).map(|s| s.parse()).transpose() {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let t0 = Instant::now();
    let text = match std::fs::read_to_string(&args[1]) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {}: {e}", args[1]);
            std::process::exit(1);
        }
    };
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); header.len()];
    for (ln, line) in lines.enumerate() {
        for (j, v) in line.split(',').enumerate() {
            match v.trim().parse::<f64>() {
                Ok(x) => cols[j].push(x),
                Err(_) => {
                    eprintln!(
                        "{} line {}: column '{}' value '{v}' is not a number",
                        args[1],
                        ln + 2,
                        header[j]
                    );
                    std::process::exit(1);
                }
            }
        }
    }
    let mut panel = Panel::new();
    for (h, c) in header.iter().zip(cols) {
        panel.add_numeric(h, c).expect("distinct column names");
    }
    let t_read = t0.elapsed().as_secs_f64();
    let formula = match Formula::parse(&args[2]) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let t1 = Instant::now();
    let fit = Ppml::params()
        .separation(sep)
        .check()
        .and_then(|p| p.fit(&formula, &panel));
    let fit = match fit {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let t_fit = t1.elapsed().as_secs_f64();
    for (n, b) in fit.coef_names().iter().zip(fit.coefficients()) {
        println!("coef,{n},{b:.12e}");
    }
    println!("nobs,{}", fit.nobs());
    println!("iterations,{}", fit.iterations());
    println!("demean_sweeps,{}", fit.convergence().demean_sweeps);
    for (m, c) in &fit.separation().dropped {
        println!("separated_{m},{c}");
    }
    println!("read_seconds,{t_read:.3}");
    println!("fit_seconds,{t_fit:.3}");
}
