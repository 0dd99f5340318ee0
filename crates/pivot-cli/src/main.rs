//! The `pivot` binary: parses arguments, calls the engine, prints. It computes nothing itself
//! (ripgrep's `crates/core` habit): every number comes from `pivot-engine`.

mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use pivot_engine::{Engine, EngineError, SqlLimits};

use crate::output::Format;

/// `println!` that returns the write error (a closed pipe ends pivot quietly in `main`)
/// instead of panicking.
macro_rules! out {
    ($($t:tt)*) => {{
        crate::output::write_stdout(format!("{}\n", format_args!($($t)*)).as_bytes())?;
    }};
}

/// `print!` that returns the write error.
macro_rules! outp {
    ($($t:tt)*) => {{
        crate::output::write_stdout(format!($($t)*).as_bytes())?;
    }};
}

#[derive(Parser)]
#[command(
    name = "pivot",
    version,
    about = "Measure, test and simulate how states depend on one another — trade, energy, arms, diplomacy — from open data, offline."
)]
struct Cli {
    /// Store folder (default: $PIVOT_STORE, else $XDG_DATA_HOME/pivot/store, else ~/.local/share/pivot/store).
    #[arg(long, global = true)]
    store: Option<PathBuf>,
    /// Run the SQL behind sql, measure, claims and report on a DataFusion Ballista cluster (df://HOST:PORT; needs the `ballista` build feature).
    #[arg(long, global = true, value_name = "df://HOST:PORT")]
    cluster: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the report (default: Russia's pivot to Asia) as HTML, Markdown, SVG charts and CSV.
    Report(ReportArgs),
    /// Check a claims file against the data and print verdicts with evidence.
    Claims {
        #[command(subcommand)]
        cmd: ClaimsCmd,
    },
    /// List every measure with its one-line description.
    Measures {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Compute a measure (see `pivot measures`).
    Measure(MeasureArgs),
    /// Datasets in the store: list, ingest, verify, cite.
    Data {
        #[command(subcommand)]
        cmd: DataCmd,
    },
    /// Run SQL over the canonical tables (trade_flows, un_votes, country_year …).
    Sql {
        /// The query.
        query: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Sum BACI's HS6 rows even where the ingest's roll-ups (trade_dyad_year, trade_dyad_hs2) give the same answer (for comparison; EXPLAIN shows which was read).
        #[arg(long)]
        no_rollups: bool,
    },
    /// Resolve a country name or code (ISO2, ISO3, M49, COW as cow:816, GW as gw:816) and print every code.
    Country {
        /// Name or code.
        query: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Structural gravity: PPML with high-dimensional fixed effects.
    Gravity {
        #[command(subcommand)]
        cmd: GravityCmd,
    },
    /// Counterfactual scenarios (GE-PPML).
    Scenario {
        #[command(subcommand)]
        cmd: ScenarioCmd,
    },
    /// Serve the HTTP JSON API (OpenAPI at /openapi.json) and the dashboard at /, read-only.
    Serve(ServeArgs),
    /// Run a Ballista scheduler or executor, for --cluster (needs the `ballista` build feature).
    Cluster {
        #[command(subcommand)]
        cmd: ClusterCmd,
    },
}

#[derive(Subcommand)]
enum ClusterCmd {
    /// A Ballista scheduler: plans the queries clients send and hands stages to executors.
    Scheduler {
        /// Address to listen on (clients and executors connect here).
        #[arg(long, default_value = "127.0.0.1:50050")]
        bind: std::net::SocketAddr,
    },
    /// A Ballista executor: runs query stages, reading the store's files by path.
    Executor {
        /// The scheduler to serve.
        #[arg(
            long,
            default_value = "df://127.0.0.1:50050",
            value_name = "df://HOST:PORT"
        )]
        scheduler: String,
        /// Host to listen on and advertise to the scheduler.
        #[arg(long, default_value = "127.0.0.1")]
        bind_host: String,
        /// Arrow Flight port (results and shuffle data).
        #[arg(long, default_value_t = 50051)]
        port: u16,
        /// gRPC port (tasks from the scheduler).
        #[arg(long, default_value_t = 50052)]
        grpc_port: u16,
        /// Tasks run at once (default: the machine's cores).
        #[arg(long)]
        concurrent_tasks: Option<usize>,
        /// Folder for shuffle files (default: a temporary folder).
        #[arg(long)]
        work_dir: Option<PathBuf>,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Most rows a SQL query returns (more are cut, and the response says so).
    #[arg(long, default_value_t = 10_000)]
    sql_max_rows: usize,
    /// Time limit of a SQL query, in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    sql_timeout_ms: u64,
    /// Time limit of any request, in seconds.
    #[arg(long, default_value_t = 60)]
    request_timeout: u64,
    /// Requests served at once (the rest wait).
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
}

#[derive(Args)]
struct ReportArgs {
    /// Focal state.
    #[arg(long, default_value = "RUS")]
    focal: String,
    /// Partners (names, codes or sets such as asia), comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "CHN,IND,JPN,KOR,VNM,DEU,USA"
    )]
    partners: Vec<String>,
    /// Years, e.g. 1992-2014 (default: all years the data has).
    #[arg(long)]
    years: Option<String>,
    /// Output folder.
    #[arg(long, default_value = "pivot-report")]
    out: PathBuf,
    /// Claims file to check in the report.
    #[arg(long)]
    claims: Option<PathBuf>,
    /// Contrast partners: in the trade and UN charts, left out of the hedging view.
    #[arg(long, value_delimiter = ',', default_value = "DEU,USA")]
    contrasts: Vec<String>,
}

#[derive(Subcommand)]
enum ClaimsCmd {
    /// Check FILE (e.g. claims/mankoff-2015.toml).
    Check {
        /// Claims file.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Args)]
#[command(disable_help_flag = true)]
struct MeasureArgs {
    /// Measure name (see `pivot measures`); `pivot measure NAME --help` documents its parameters.
    name: Option<String>,
    /// Print help (with a measure name: its documentation and every parameter).
    #[arg(long, short = 'h', action = clap::ArgAction::SetTrue)]
    help: bool,
    /// Focal state.
    #[arg(long)]
    focal: Option<String>,
    /// One partner.
    #[arg(long)]
    partner: Option<String>,
    /// Partners or named sets, comma-separated (CHN,IND,JPN or asia).
    #[arg(long, value_delimiter = ',')]
    partners: Vec<String>,
    /// Years, e.g. 1992-2014.
    #[arg(long)]
    years: Option<String>,
    /// Break down by (the measure's `by` parameter: issue, category, destination, class …).
    #[arg(long)]
    by: Option<String>,
    /// Measure parameters as KEY=VALUE (e.g. direction=exports, indicator=cinc, periods=2000-2011;2012-2023); `pivot measure NAME --help` lists them.
    #[arg(long = "param", short = 'p', value_name = "KEY=VALUE")]
    params: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Subcommand)]
enum DataCmd {
    /// List datasets with rows, years, source and licence.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Ingest files (or folders) with an adapter: pivot data ingest baci ~/BACI_HS92_V202401/
    Ingest {
        /// Source format (see `pivot data sources`).
        source: String,
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The release the files come from, as you would cite it (e.g. "DOTS, June 2024"); the version pivot records is this label, then the files' names, the years they hold and the day of ingest.
        #[arg(long)]
        label: Option<String>,
    },
    /// Remove a dataset from the store: pivot data remove baci (a dataset bundled with pivot is loaded again from pivot's own copy, which replaces a damaged bundled file).
    Remove {
        /// Dataset id (see `pivot data list`).
        id: String,
    },
    /// List the source formats pivot can ingest.
    Sources,
    /// Write SYNTHETIC data in a source's format (scale tests and benchmarks): pivot data synth baci --rows 10000000 --out DIR
    Synth {
        /// Format (only `baci`).
        format: String,
        /// Rows to write in all.
        #[arg(long)]
        rows: u64,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Years (one file each).
        #[arg(long, default_value = "2019-2023")]
        years: String,
    },
    /// Recompute every file's checksum against the manifest.
    Verify,
    /// Print citations of the datasets in the store (or of the given ids).
    Cite {
        /// Dataset ids (default: all).
        ids: Vec<String>,
        /// BibTeX instead of plain text.
        #[arg(long)]
        bibtex: bool,
    },
}

#[derive(Subcommand)]
enum GravityCmd {
    /// Fit a PPML model: pivot gravity fit --data agtpa_gravity --formula "trade ~ ln_dist + cntg | exp^year + imp^year" --vcov "cluster(pair_id)"
    Fit {
        /// A store table (e.g. agtpa_gravity), a SELECT query, or a file: CSV (types read over the whole file; NA, . and empty are missing), .csv.gz, .tsv or Parquet.
        #[arg(long)]
        data: String,
        /// fixest-style formula (log(), exp(), I(), a:b, i(var, ref = l), offset(), sw()/csw()); repeat for a multi-model table.
        #[arg(long, required = true)]
        formula: Vec<String>,
        /// iid, hetero or cluster(var).
        #[arg(long, default_value = "iid")]
        vcov: String,
        /// SQL WHERE condition on the data (e.g. "year IN (1986, 1990) AND exporter <> importer").
        #[arg(long)]
        filter: Option<String>,
        /// ols instead of ppml.
        #[arg(long, default_value = "ppml")]
        estimator: String,
        /// PPML separation checks (ppmlhdfe's methods): comma-separated fe, simplex, relu, mu; or none, default (fe,simplex,relu), all.
        #[arg(long, default_value = "default")]
        separation: String,
        /// Print the estimates of a model that did not converge (marked converged = false) instead of refusing it.
        #[arg(long)]
        keep_unconverged: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Subcommand)]
enum ScenarioCmd {
    /// Run a scenario file (e.g. scenarios/agtpa-nafta.toml).
    Run {
        /// Scenario TOML.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Print every pair, not only the focal pairs.
        #[arg(long)]
        all_pairs: bool,
        /// Print one of the two tables only (csv and parquet to stdout hold one table: choose it here, or use --out).
        #[arg(long, value_enum)]
        table: Option<ScenarioTable>,
        /// Write countries.FORMAT and pairs.FORMAT into this folder instead of stdout.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

/// The tables of a scenario's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ScenarioTable {
    /// Per-country changes.
    Countries,
    /// Per-pair changes in trade.
    Pairs,
}

fn open(store: &Option<PathBuf>) -> anyhow::Result<Engine> {
    open_on(store, None)
}

fn open_on(store: &Option<PathBuf>, cluster: Option<&str>) -> anyhow::Result<Engine> {
    let cluster = cluster
        .map(pivot_engine::cluster::Cluster::parse)
        .transpose()?;
    let root = store.clone().unwrap_or_else(pivot_engine::default_store);
    let first = !root.join("manifest.json").exists();
    let bar = first.then(|| {
        eprintln!(
            "pivot: loading the bundled data into {} (first use, no network)…",
            root.display()
        );
        output::spinner("loading bundled datasets")
    });
    let engine = Engine::open_on(&root, cluster, &|id| {
        if let Some(b) = &bar {
            b.set_message(format!("parsing {id}"));
        }
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(engine)
}

/// `pivot cluster scheduler|executor`: the Ballista roles embedded in this binary.
fn cluster_role(cmd: ClusterCmd) -> anyhow::Result<()> {
    match cmd {
        ClusterCmd::Scheduler { bind } => pivot_engine::cluster::run_scheduler(bind)?,
        ClusterCmd::Executor {
            scheduler,
            bind_host,
            port,
            grpc_port,
            concurrent_tasks,
            work_dir,
        } => {
            let opts = pivot_engine::cluster::ExecutorOptions {
                scheduler: pivot_engine::cluster::Cluster::parse(&scheduler)?,
                bind_host,
                port,
                grpc_port,
                concurrent_tasks: concurrent_tasks.unwrap_or_else(pivot_engine::cores),
                work_dir,
            };
            pivot_engine::cluster::run_executor(&opts)?
        }
    }
    Ok(())
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let on_cluster = matches!(
        cli.command,
        Command::Sql { .. } | Command::Measure(_) | Command::Report(_) | Command::Claims { .. }
    );
    if cli.cluster.is_some() && !on_cluster {
        anyhow::bail!(EngineError::Input(
            "--cluster applies to sql, measure, claims and report; other commands run on this machine (the gravity estimator does not distribute, and writes stay local)".into()
        ));
    }
    let cluster = cli.cluster.as_deref();
    match cli.command {
        Command::Cluster { cmd } => cluster_role(cmd),
        Command::Serve(a) => {
            let e = open(&cli.store)?;
            let limits = pivot_server::Limits {
                request_timeout: std::time::Duration::from_secs(a.request_timeout.max(1)),
                concurrency: a.concurrency.max(1),
                sql_max_rows: a.sql_max_rows.max(1),
                sql_timeout: std::time::Duration::from_millis(a.sql_timeout_ms.max(1)),
                ..pivot_server::Limits::default()
            };
            pivot_server::run(e, a.addr, limits).map_err(|source| EngineError::Io {
                context: format!("serving on {}", a.addr),
                source,
            })?;
            Ok(())
        }
        Command::Country { query, format } => {
            let t = pivot_engine::info::country_table(&query)?;
            output::print(&t, format)
        }
        Command::Measures { format } => {
            if format == Format::Json {
                output::print_json(&pivot_engine::info::measure_catalog())
            } else {
                output::print(&pivot_engine::info::list_measures()?, format)
            }
        }
        Command::Sql {
            query,
            format,
            no_rollups,
        } => {
            let mut e = open_on(&cli.store, cluster)?;
            e.set_rollups(!no_rollups);
            output::print(&e.sql(&query, SqlLimits::NONE)?, format)
        }
        Command::Data { cmd } => data(cli.store, cmd),
        Command::Measure(a) => {
            let Some(name) = a.name.clone() else {
                let mut cmd = <Cli as clap::CommandFactory>::command();
                let sub = cmd
                    .find_subcommand_mut("measure")
                    .expect("the measure subcommand exists");
                if a.help {
                    sub.print_long_help()?;
                    return Ok(());
                }
                anyhow::bail!(EngineError::Input(
                    "pivot measure needs a measure name (pivot measures lists them)".into()
                ));
            };
            if a.help {
                outp!("{}", pivot_engine::info::measure_help(&name)?);
                return Ok(());
            }
            let req = measure_request(name, &a)?;
            let e = open_on(&cli.store, cluster)?;
            output::print(&e.measure(&req)?, a.format)
        }
        Command::Claims {
            cmd: ClaimsCmd::Check { file, format },
        } => {
            let e = open_on(&cli.store, cluster)?;
            let t = e.check_claims_file(&file)?;
            output::print(&t, format)
        }
        Command::Report(a) => {
            let e = open_on(&cli.store, cluster)?;
            let opts = pivot_engine::report::ReportOptions {
                focal: a.focal,
                partners: a.partners,
                years: a.years,
                claims: a.claims,
                contrasts: a.contrasts,
            };
            let files = e.write_report(&opts, &a.out)?;
            eprintln!("pivot: wrote {} files to {}", files.len(), a.out.display());
            for f in files
                .iter()
                .filter(|f| f.extension().is_some_and(|x| x == "html" || x == "md"))
            {
                out!("{}", f.display());
            }
            Ok(())
        }
        Command::Gravity {
            cmd:
                GravityCmd::Fit {
                    data,
                    formula,
                    vcov,
                    filter,
                    estimator,
                    separation,
                    keep_unconverged,
                    format,
                },
        } => {
            let e = open(&cli.store)?;
            let spec = pivot_engine::gravity::FitRequest {
                data,
                formulas: formula,
                vcov,
                filter,
                estimator,
                separation,
                keep_unconverged,
            };
            let out = e.gravity_fit(&spec)?;
            if format == Format::Table {
                out!("{}", out.text);
                output::print_provenance(&out.table.provenance)?;
                Ok(())
            } else {
                output::print(&out.table, format)
            }
        }
        Command::Scenario {
            cmd:
                ScenarioCmd::Run {
                    file,
                    format,
                    all_pairs,
                    table,
                    out,
                },
        } => {
            // Refused before the (slow) fit: a format that holds one table needs a choice.
            if out.is_none() && table.is_none() && matches!(format, Format::Csv | Format::Parquet) {
                anyhow::bail!(EngineError::Input(format!(
                    "a scenario answers with two tables (countries, pairs) and --format {} holds one: add --table countries or --table pairs, or --out DIR for one file each",
                    format.name()
                )));
            }
            if out.is_some() && format == Format::Table {
                anyhow::bail!(EngineError::Input(
                    "--out writes files: give --format csv, json or parquet".into()
                ));
            }
            let e = open(&cli.store)?;
            let r = e.run_scenario_file(&file, all_pairs)?;
            for n in &r.notes {
                eprintln!("note: {n}");
            }
            let tables = [
                (ScenarioTable::Countries, "countries", &r.countries),
                (ScenarioTable::Pairs, "pairs", &r.pairs),
            ];
            let chosen = tables
                .iter()
                .filter(|(t, ..)| table.is_none_or(|c| c == *t));
            if let Some(dir) = out {
                std::fs::create_dir_all(&dir).map_err(|source| EngineError::Io {
                    context: format!("creating {}", dir.display()),
                    source,
                })?;
                for (_, name, t) in chosen {
                    let path = dir.join(format!("{name}.{}", format.name()));
                    std::fs::write(&path, output::encode(t, format)?).map_err(|source| {
                        EngineError::Io {
                            context: format!("writing {}", path.display()),
                            source,
                        }
                    })?;
                    eprintln!("pivot: wrote {}", path.display());
                }
                return Ok(());
            }
            match (format, table) {
                (Format::Table, _) => {
                    for (t, _, rows) in chosen {
                        out!(
                            "{}",
                            match t {
                                ScenarioTable::Countries => "Per-country changes (%):",
                                ScenarioTable::Pairs => "\nPer-pair changes in trade (%):",
                            }
                        );
                        output::print(rows, Format::Table)?;
                    }
                    Ok(())
                }
                (_, Some(t)) => {
                    let rows = if t == ScenarioTable::Countries {
                        &r.countries
                    } else {
                        &r.pairs
                    };
                    output::print(rows, format)
                }
                // One JSON document holding both tables and the notes.
                _ => output::print_json(&serde_json::json!({
                    "countries": output::json_value(&r.countries)?,
                    "pairs": output::json_value(&r.pairs)?,
                    "notes": r.notes,
                })),
            }
        }
    }
}

/// The raw parameters of `pivot measure`: the named flags and every `-p KEY=VALUE`, as text
/// the measure's own parameter type reads.
fn measure_request(
    name: String,
    a: &MeasureArgs,
) -> anyhow::Result<pivot_engine::measure::MeasureRequest> {
    use serde_json::Value;
    let mut params = serde_json::Map::new();
    let mut partners = a.partners.clone();
    if let Some(p) = &a.partner {
        partners.insert(0, p.clone());
    }
    if let Some(f) = &a.focal {
        params.insert("focal".into(), Value::from(f.as_str()));
    }
    if !partners.is_empty() {
        params.insert(
            "partners".into(),
            Value::Array(partners.into_iter().map(Value::from).collect()),
        );
    }
    if let Some(y) = &a.years {
        params.insert("years".into(), Value::from(y.as_str()));
    }
    if let Some(b) = &a.by {
        params.insert("by".into(), Value::from(b.as_str()));
    }
    for kv in &a.params {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| EngineError::Input(format!("--param '{kv}' is not KEY=VALUE")))?;
        let k = k.trim();
        if params.contains_key(k) {
            anyhow::bail!(EngineError::Input(format!(
                "parameter `{k}` is given twice (as a flag and as -p {k}=…)"
            )));
        }
        params.insert(k.to_string(), Value::from(v.trim()));
    }
    Ok(pivot_engine::measure::MeasureRequest { name, params })
}

fn data(store: Option<PathBuf>, cmd: DataCmd) -> anyhow::Result<()> {
    match cmd {
        DataCmd::Sources => {
            for (n, s) in pivot_sources::user_sources() {
                out!("{n:<12} {s}");
            }
            Ok(())
        }
        DataCmd::Synth {
            format,
            rows,
            out,
            seed,
            years,
        } => {
            if format != "baci" {
                anyhow::bail!(EngineError::Input(format!(
                    "synth: format '{format}' unknown (only baci)"
                )));
            }
            let y: pivot_vocab::YearRange = years
                .parse()
                .map_err(|e: pivot_vocab::YearRangeError| EngineError::Input(e.to_string()))?;
            let (a, b) = (y.from.unwrap_or(2019), y.to.unwrap_or(2023));
            let s = pivot_sources::synth::write_baci(&out, rows, seed, a..=b)
                .map_err(EngineError::from)?;
            eprintln!(
                "pivot: wrote {} SYNTHETIC BACI rows ({} bytes) in {} files to {}",
                s.rows,
                s.bytes,
                s.files.len(),
                out.display()
            );
            Ok(())
        }
        DataCmd::List { format } => {
            let e = open(&store)?;
            output::print(&pivot_engine::info::dataset_table(e.manifest())?, format)
        }
        DataCmd::Verify => {
            let e = open(&store)?;
            let n = e.verify()?;
            out!("ok: {n} files match their manifest checksums");
            Ok(())
        }
        DataCmd::Cite { ids, bibtex } => {
            let e = open(&store)?;
            let c = e.citations(&ids);
            if c.is_empty() {
                anyhow::bail!(EngineError::Input(
                    "no such dataset (see pivot data list)".into()
                ));
            }
            for (id, text, bib) in c {
                if bibtex {
                    out!("{bib}\n");
                } else {
                    out!("[{id}] {text}");
                }
            }
            Ok(())
        }
        DataCmd::Remove { id } => {
            let mut e = open(&store)?;
            let r = e.remove(&id)?;
            let d = &r.entry;
            eprintln!(
                "pivot: removed dataset '{}' ({}): {} rows, {} files{}",
                d.id,
                d.version,
                d.total_rows(),
                d.files.len(),
                if r.reloaded {
                    "; it is bundled with pivot, so it was loaded again from pivot's own copy"
                } else {
                    ""
                }
            );
            Ok(())
        }
        DataCmd::Ingest {
            source,
            paths,
            label,
        } => {
            let mut e = open(&store)?;
            let bar = output::counter(&format!("ingesting {source}"));
            let b2 = bar.clone();
            let out = e.ingest_labelled(&source, &paths, label.as_deref(), &move |n| b2.inc(n));
            bar.finish_and_clear();
            let out = out?;
            let d = &out.entry;
            eprintln!(
                "pivot: {} dataset '{}' ({}): {} rows{}",
                if out.replaced { "replaced" } else { "added" },
                d.id,
                d.version,
                d.total_rows(),
                d.years
                    .map(|(a, b)| format!(", years {a}-{b}"))
                    .unwrap_or_default()
            );
            for n in &d.dropped {
                eprintln!("  dropped: {n}");
            }
            Ok(())
        }
    }
}

/// Whether the error is a closed output pipe (`pivot … | head`): the reader has what it
/// wanted, so pivot ends quietly.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<datafusion::arrow::error::ArrowError>()
                .is_some_and(|a| a.to_string().contains("Broken pipe"))
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // 2: your input; 3: the environment (store, disk, output); 1: a bug.
            let code = match e.downcast_ref::<EngineError>() {
                Some(err) => err.kind().exit_code(),
                None if e.chain().any(|c| c.is::<std::io::Error>()) => {
                    pivot_engine::ErrorKind::Environment.exit_code()
                }
                None => pivot_engine::ErrorKind::Bug.exit_code(),
            };
            eprintln!("error: {e:#}");
            ExitCode::from(code)
        }
    }
}
