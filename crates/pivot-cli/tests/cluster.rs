//! The distributed path for real (feature `ballista`; `.ci/run` runs this file with
//! `cargo nextest run -p pivot-cli --features ballista --test cluster`): a Ballista scheduler
//! and two executors started as separate `pivot cluster …` processes on loopback, on free
//! ports, stopped at the end (also when an assertion fails: the guard kills them on drop). The
//! same `pivot sql`, `pivot measure partner-share` and `pivot report` run locally and with
//! `--cluster` must print the same numbers (byte-identical for measures, the report and exact
//! DECIMAL sums; to 1e-12 for floating-point SQL sums, whose last bits depend on the order
//! partial sums meet), on the bundled data and on a SYNTHETIC BACI store; a damaged file is
//! refused before the query leaves; a stopped cluster makes `--cluster` fail, which shows the
//! queries went there.
#![cfg(feature = "ballista")]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;

fn pivot(store: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("pivot")
        .unwrap()
        .arg("--store")
        .arg(store)
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: Output, what: &str) -> Vec<u8> {
    assert!(
        out.status.success(),
        "{what}: exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A port nobody listens on now (the OS picks it; released for the process that binds it).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(port: u16, within: Duration) {
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let start = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            start.elapsed() < within,
            "nothing listens on {addr} after {within:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The scheduler and executors: killed and reaped when dropped.
struct Cluster {
    url: String,
    children: Vec<Child>,
}

impl Cluster {
    fn start(work: &Path) -> Cluster {
        let sched = free_port();
        let spawn = |args: &[String], log: &str| {
            Command::cargo_bin("pivot")
                .unwrap()
                .args(args)
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(work.join(log)).unwrap())
                .spawn()
                .unwrap()
        };
        let mut c = Cluster {
            url: format!("df://127.0.0.1:{sched}"),
            children: vec![],
        };
        c.children.push(spawn(
            &[
                "cluster".into(),
                "scheduler".into(),
                "--bind".into(),
                format!("127.0.0.1:{sched}"),
            ],
            "scheduler.log",
        ));
        wait_for(sched, Duration::from_secs(60));
        for i in 0..2 {
            let (port, grpc) = (free_port(), free_port());
            let dir = work.join(format!("executor-{i}"));
            std::fs::create_dir_all(&dir).unwrap();
            c.children.push(spawn(
                &[
                    "cluster".into(),
                    "executor".into(),
                    "--scheduler".into(),
                    c.url.clone(),
                    "--port".into(),
                    port.to_string(),
                    "--grpc-port".into(),
                    grpc.to_string(),
                    "--concurrent-tasks".into(),
                    "2".into(),
                    "--work-dir".into(),
                    dir.to_string_lossy().into_owned(),
                ],
                &format!("executor-{i}.log"),
            ));
            wait_for(port, Duration::from_secs(60));
            wait_for(grpc, Duration::from_secs(60));
        }
        c
    }

    fn stop(&mut self) {
        for ch in &mut self.children {
            let _ = ch.kill();
            let _ = ch.wait();
        }
        self.children.clear();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Local and cluster output of one command, asserted byte-identical; returns it.
fn same(store: &Path, cluster: &str, args: &[&str]) -> String {
    let local = ok(pivot(store, args), &format!("local {args:?}"));
    let mut remote_args = vec!["--cluster", cluster];
    remote_args.extend_from_slice(args);
    let remote = ok(pivot(store, &remote_args), &format!("cluster {args:?}"));
    let (l, r) = (
        String::from_utf8(local).unwrap(),
        String::from_utf8(remote).unwrap(),
    );
    assert_eq!(l, r, "local and cluster differ for {args:?}");
    l
}

/// Local and cluster CSV of one SQL query: the same rows, text cells identical, numbers equal
/// to 1e-12 relative; returns the local CSV. A floating-point SUM over several parallel parts
/// depends on the order the partial sums meet (on one machine from run to run as on a cluster),
/// so its last bits are not a property of the data; DECIMAL sums are exact and are compared
/// byte for byte with [`same`].
fn same_numbers(store: &Path, cluster: &str, query: &str) -> String {
    same_numbers_as(store, cluster, query, &[])
}

/// Like [`same_numbers`], with `local_flags` after the local `sql` only (e.g. `--no-rollups`:
/// the cluster's answer from the roll-ups against the local one summed from the rows).
fn same_numbers_as(store: &Path, cluster: &str, query: &str, local_flags: &[&str]) -> String {
    let args = ["sql", query, "--format", "csv"];
    let mut local_args = args.to_vec();
    local_args.extend_from_slice(local_flags);
    let local = String::from_utf8(ok(pivot(store, &local_args), "local sql")).unwrap();
    let mut remote_args = vec!["--cluster", cluster];
    remote_args.extend_from_slice(&args);
    let remote = String::from_utf8(ok(pivot(store, &remote_args), "cluster sql")).unwrap();
    let (l, r): (Vec<&str>, Vec<&str>) = (local.lines().collect(), remote.lines().collect());
    assert_eq!(l.len(), r.len(), "row counts differ for {query}");
    for (a, b) in l.iter().zip(&r) {
        let (ca, cb): (Vec<&str>, Vec<&str>) = (a.split(',').collect(), b.split(',').collect());
        assert_eq!(ca.len(), cb.len(), "{a} / {b}");
        for (x, y) in ca.iter().zip(&cb) {
            match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(x), Ok(y)) => assert!(
                    (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
                    "{query}: local {x} vs cluster {y}"
                ),
                _ => assert_eq!(x, y, "{query}"),
            }
        }
    }
    local
}

fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_ballista_cluster_gives_the_local_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    ok(pivot(&store, &["data", "list"]), "loading the bundled data");
    let mut cluster = Cluster::start(tmp.path());
    let url = cluster.url.clone();

    // The query, on the bundled data: one row per year, COW 1870-2014, IMF DOTS
    // 2019-2020 and BACI totals 2012-2023 (issue 29): every year 1870-2023.
    let by_year = same_numbers(
        &store,
        &url,
        "SELECT year, SUM(value_usd_m) FROM trade_flows GROUP BY year ORDER BY year",
    );
    let lines: Vec<&str> = by_year.lines().collect();
    assert_eq!(lines.len(), 1 + (2023 - 1870 + 1), "{by_year}");
    assert!(lines[1].starts_with("1870,") && lines.last().unwrap().starts_with("2023,"));
    // Summed exactly (DECIMAL), the same totals are byte-identical.
    let exact = same(
        &store,
        &url,
        &[
            "sql",
            "SELECT year, SUM(CAST(value_usd_m AS DECIMAL(38, 9))) AS total FROM trade_flows GROUP BY year ORDER BY year",
            "--format",
            "csv",
        ],
    );
    assert_eq!(exact.lines().count(), lines.len());

    // A measure: China's share of Russia's 2014 trade, as locally: 0.116548 from BACI totals,
    // the spliced series' 2014 source since issue 29 (0.122267 from COW, issue 14).
    let ps = |format| {
        [
            "measure",
            "partner-share",
            "--focal",
            "RUS",
            "--years",
            "2014",
            "--format",
            format,
        ]
    };
    let share = same(&store, &url, &ps("csv"));
    let china = share.lines().find(|l| l.contains(",CHN,")).unwrap();
    assert!(china.contains(",0.11654"), "{china}");

    // The provenance names the cluster (and only there).
    let json = |args: &[&str]| -> serde_json::Value {
        serde_json::from_slice(&ok(pivot(&store, args), "json")).unwrap()
    };
    let remote = json(&[&["--cluster", url.as_str()][..], &ps("json")[..]].concat());
    let notes = remote["provenance"]["notes"].to_string();
    assert!(
        notes.contains(&format!("Ballista cluster at {url}")),
        "{notes}"
    );
    let local = json(&ps("json"));
    assert!(
        !local["provenance"]["notes"]
            .to_string()
            .contains("Ballista")
    );
    assert_eq!(local["rows"], remote["rows"]);

    // The report: every table and chart's data byte-identical; the page names the cluster.
    let (lo, ro) = (
        tmp.path().join("report-local"),
        tmp.path().join("report-cluster"),
    );
    ok(
        pivot(&store, &["report", "--out", lo.to_str().unwrap()]),
        "local report",
    );
    ok(
        pivot(
            &store,
            &["--cluster", &url, "report", "--out", ro.to_str().unwrap()],
        ),
        "cluster report",
    );
    let (ld, rd) = (files_in(&lo.join("data")), files_in(&ro.join("data")));
    assert!(ld.len() >= 15, "{} data files", ld.len());
    assert_eq!(
        ld.iter().map(|f| &f.0).collect::<Vec<_>>(),
        rd.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, l), (_, r)) in ld.iter().zip(&rd) {
        assert!(
            l == r,
            "report data/{name} differs between local and cluster"
        );
    }
    let md = std::fs::read_to_string(ro.join("report.md")).unwrap();
    assert!(md.contains(&format!("Ballista cluster at {url}")));

    // A SYNTHETIC BACI store: product-level rows (HS6) grouped on the cluster.
    let baci = tmp.path().join("baci");
    ok(
        pivot(
            &store,
            &[
                "data",
                "synth",
                "baci",
                "--rows",
                "60000",
                "--years",
                "2019-2021",
                "--out",
                baci.to_str().unwrap(),
            ],
        ),
        "synth",
    );
    ok(
        pivot(&store, &["data", "ingest", "baci", baci.to_str().unwrap()]),
        "ingest",
    );
    let dyads = same_numbers(
        &store,
        &url,
        "SELECT year, COUNT(*) AS dyads, SUM(v) AS total FROM (SELECT year, exporter, importer, SUM(value_usd_m) AS v FROM trade_flows WHERE source = 'baci' GROUP BY year, exporter, importer) GROUP BY year ORDER BY year",
    );
    assert_eq!(dyads.lines().count(), 1 + 3, "{dyads}");
    same(
        &store,
        &url,
        &[
            "sql",
            "SELECT year, COUNT(*) AS dyads, SUM(v) AS total FROM (SELECT year, exporter, importer, SUM(CAST(value_usd_m AS DECIMAL(38, 9))) AS v FROM trade_flows WHERE source = 'baci' GROUP BY year, exporter, importer) GROUP BY year ORDER BY year",
            "--format",
            "csv",
        ],
    );
    // Issue 31: the cluster's client optimizes the plan, so aggregates over BACI's rows are
    // answered from the roll-ups there too (EXPLAIN shows the roll-up scan), with the answers
    // the rows give (the local run with --no-rollups sums the HS6 rows).
    let explain = String::from_utf8(ok(
        pivot(
            &store,
            &[
                "--cluster",
                &url,
                "sql",
                "EXPLAIN SELECT year, exporter, importer, SUM(value_usd_m) FROM trade_flows WHERE source = 'baci' GROUP BY 1, 2, 3",
            ],
        ),
        "cluster explain",
    ))
    .unwrap();
    assert!(
        explain.contains("pivot_rollup_trade_dyad_year"),
        "{explain}"
    );
    assert!(
        explain.contains("answered from the roll-up trade_dyad_year"),
        "{explain}"
    );
    for q in [
        "SELECT year, SUM(value_usd_m) AS v, COUNT(*) AS n, AVG(value_usd_m) AS a, COUNT(DISTINCT exporter) AS e FROM trade_flows WHERE source = 'baci' GROUP BY year ORDER BY year",
        "SELECT substr(product, 1, 2) AS ch, SUM(value_usd_m) AS v FROM trade_flows WHERE source = 'baci' AND year = 2020 AND exporter <> 'CHN' GROUP BY 1 ORDER BY 1",
        "SELECT SUM(value_usd_m) AS v, COUNT(*) AS n FROM trade_flows WHERE source = 'baci' AND year = 1900",
    ] {
        same_numbers_as(&store, &url, q, &["--no-rollups"]);
    }
    same(
        &store,
        &url,
        &[
            "measure",
            "partner-share",
            "--focal",
            "DEU",
            "--years",
            "2019-2021",
            "-p",
            "source=baci",
            "--format",
            "csv",
        ],
    );

    // Writes stay local: --cluster is refused for ingest, and nothing runs without the cluster.
    let refused = pivot(
        &store,
        &[
            "--cluster",
            &url,
            "data",
            "ingest",
            "baci",
            baci.to_str().unwrap(),
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--cluster applies to sql"));
    // The executors read the store's files by path, so the client checks a query's files
    // against the manifest first: one flipped byte in cow_trade's trade_flows file stops the
    // query (exit 3) naming the file, as on one machine, while another table still answers.
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(store.join("manifest.json")).unwrap()).unwrap();
    let rel = m["datasets"]["cow_trade"]["files"][0]["path"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(rel.starts_with("tables/trade_flows/"), "{rel}");
    let file = store.join(&rel);
    let mut bytes = std::fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&file, &bytes).unwrap();
    let damaged = pivot(
        &store,
        &["--cluster", &url, "sql", "SELECT COUNT(*) FROM trade_flows"],
    );
    assert_eq!(damaged.status.code(), Some(3), "a damaged file was read");
    let err = String::from_utf8_lossy(&damaged.stderr);
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        err.contains(&name) && err.contains("pivot data verify"),
        "{err}"
    );
    let arms = ok(
        pivot(
            &store,
            &[
                "--cluster",
                &url,
                "sql",
                "SELECT COUNT(*) AS n FROM arms_transfers",
                "--format",
                "csv",
            ],
        ),
        "arms on the cluster",
    );
    assert_eq!(String::from_utf8(arms).unwrap(), "n\n20480\n");

    cluster.stop();
    let started = Instant::now();
    let down = pivot(
        &store,
        &[
            "--cluster",
            &url,
            "sql",
            "SELECT COUNT(*) FROM arms_transfers",
        ],
    );
    // Exit 3 (the environment), naming the cluster, at once (connection refused).
    assert_eq!(down.status.code(), Some(3), "a stopped cluster answered");
    assert!(started.elapsed() < Duration::from_secs(30));
    let err = String::from_utf8_lossy(&down.stderr);
    assert!(
        err.contains(&format!(
            "the Ballista cluster at {url} did not answer: connection refused"
        )),
        "{err}"
    );
}
