//! Writes the built-in sample report (invented numbers) to a folder:
//! `cargo run -p pivot-report --example sample_report -- OUT_DIR`.

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/sample-report".to_string());
    let report = pivot_report::sample::sample_report();
    match pivot_report::write_report(&report, std::path::Path::new(&out)) {
        Ok(files) => {
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
