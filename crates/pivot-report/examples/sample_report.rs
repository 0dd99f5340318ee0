//! Writes the built-in sample report (invented numbers) to a folder:
//! `cargo run -p pivot-report --example sample_report -- OUT_DIR`.

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/sample-report".to_string());
    let report = pivot_report::sample::sample_report();
    match pivot_report::write_report(&report, std::path::Path::new(&out)) {
        Ok(files) => {
            if let Some(edge) = std::env::args().nth(2) {
                let edge_report = pivot_report::sample::edge_case_report();
                if let Err(e) =
                    pivot_report::write_report(&edge_report, std::path::Path::new(&edge))
                {
                    eprintln!("error: {e}");
                    std::process::exit(1);
                }
            }
            for f in files {
                println!("{}", f.display());
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
