//! Issue 17: what readers see while an ingest commits, and what two ingests started together
//! do. Each test copies one bundled store (built once per test binary under a file lock) and
//! drives engines from threads; every loop is capped by a count, nothing is timed.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use pivot_engine::claims::table_rows;
use pivot_engine::{Engine, SqlLimits};

/// The bundled store, built once (keyed by this binary's modification time).
fn base_store() -> &'static Path {
    static S: OnceLock<PathBuf> = OnceLock::new();
    S.get_or_init(|| {
        let (root, lock) = common::per_binary("concurrency-store");
        let lock = std::fs::File::create(lock).unwrap();
        lock.lock().unwrap();
        drop(Engine::open(&root).unwrap());
        drop(lock);
        root
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let name = e.file_name();
        if p.is_dir() {
            copy_dir(&p, &to.join(&name));
        } else if name != ".lock" && name != ".readers" {
            std::fs::copy(&p, to.join(&name)).unwrap();
        }
    }
}

/// A BACI file of `lines` (thousand USD) in a folder of its own.
fn baci(dir: &Path, lines: &[&str]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join("BACI_HS17_Y2021_V202301.csv");
    std::fs::write(&p, format!("t,i,j,k,v,q\n{}\n", lines.join("\n"))).unwrap();
    p
}

const V1: &[&str] = &[
    "2021,643,156,270900,1000.5,10",
    "2021,643,156,271000,500,",
    "2021,156,643,010121,20,",
];
const V2: &[&str] = &[
    "2021,643,156,270900,1000.5,10",
    "2021,643,156,271000,500,",
    "2021,156,643,010121,20,",
    "2021,643,156,280000,2000,",
];

/// One query over two tables of the BACI dataset: its HS6 lines in `trade_flows`, and the
/// product lines and value (in 1e-4 million USD) rolled up into `trade_dyad_year`.
const Q: &str = "SELECT (SELECT count(*) FROM trade_flows WHERE source = 'baci') AS n, \
     (SELECT sum(products) FROM trade_dyad_year WHERE source = 'baci') AS p, \
     (SELECT CAST(round(sum(value_usd_m) * 10000) AS BIGINT) FROM trade_dyad_year WHERE source = 'baci') AS v";

/// (lines, products, value) of the BACI dataset as `e` sees it.
fn seen(e: &Engine) -> Result<(i64, i64, i64), String> {
    let t = e.sql(Q, SqlLimits::NONE).map_err(|e| e.to_string())?;
    let rows = table_rows(&t).map_err(|e| e.to_string())?;
    let r = &rows[0];
    Ok((
        r["n"].as_i64().unwrap(),
        r["p"].as_i64().unwrap(),
        r["v"].as_i64().unwrap(),
    ))
}

// Hand-computed from V1 and V2: 3 lines (1000.5 + 500 + 20 thousand USD = 1.5205 million) and
// 4 lines (+ 2000 thousand = 3.5205 million).
const OLD: (i64, i64, i64) = (3, 3, 15205);
const NEW: (i64, i64, i64) = (4, 4, 35205);

/// Readers query in a loop while an ingest replaces the dataset they read: a reader that keeps
/// its engine sees the old dataset throughout, readers that reopen see the old or the new, and
/// none sees a mix of the two or an error. Afterwards the store verifies.
#[test]
fn readers_see_the_old_or_the_new_dataset_while_an_ingest_commits() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    copy_dir(base_store(), &store);
    let f1 = baci(&dir.path().join("v1"), V1);
    let f2 = baci(&dir.path().join("v2"), V2);
    Engine::open(&store)
        .unwrap()
        .ingest("baci", &[f1], &|_| {})
        .unwrap();
    let held = Engine::open(&store).unwrap();
    assert_eq!(seen(&held).unwrap(), OLD);
    let done = AtomicBool::new(false);
    let (kept, reopened) = std::thread::scope(|s| {
        let kept = s.spawn(|| {
            let mut out = Vec::new();
            for _ in 0..2000 {
                out.push(seen(&held));
                if done.load(Ordering::SeqCst) {
                    break;
                }
            }
            out.push(seen(&held));
            out
        });
        let reopened = s.spawn(|| {
            let mut out = Vec::new();
            for _ in 0..500 {
                let finished = done.load(Ordering::SeqCst);
                out.push(
                    Engine::open(&store)
                        .map_err(|e| e.to_string())
                        .and_then(|e| seen(&e)),
                );
                if finished {
                    break;
                }
            }
            out
        });
        let mut w = Engine::open(&store).unwrap();
        let outcome = w.ingest("baci", &[f2], &|_| {}).unwrap();
        assert!(outcome.replaced);
        assert_eq!(seen(&w).unwrap(), NEW);
        done.store(true, Ordering::SeqCst);
        (kept.join().unwrap(), reopened.join().unwrap())
    });
    for r in &kept {
        assert_eq!(r.as_ref(), Ok(&OLD), "the held engine");
    }
    for r in &reopened {
        let r = r
            .as_ref()
            .unwrap_or_else(|e| panic!("a reader failed: {e}"));
        assert!(*r == OLD || *r == NEW, "a mix: {r:?}");
    }
    // The reader that reopened after the commit saw the new dataset.
    assert_eq!(reopened.last().unwrap().as_ref(), Ok(&NEW));
    drop(held);
    let after = Engine::open(&store).unwrap();
    assert_eq!(seen(&after).unwrap(), NEW);
    assert!(after.verify().unwrap() > 0);
}

/// Two ingests of different datasets started together on engines opened at the same time: the
/// second waits for the first's commit, then commits over it; both datasets are in the store,
/// each with its rows, and the store verifies.
#[test]
fn two_ingests_started_together_both_commit_and_the_store_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    copy_dir(base_store(), &store);
    let f1 = baci(&dir.path().join("v1"), V1);
    let events = Path::new(
        &std::env::var_os("CARGO_MANIFEST_DIR")
            .expect("CARGO_MANIFEST_DIR: run by cargo or nextest"),
    )
    .join("../pivot-sources/tests/fixtures/icews_events_2014.tab");
    let mut a = Engine::open(&store).unwrap();
    let mut b = Engine::open(&store).unwrap();
    let (ra, rb) = std::thread::scope(|s| {
        let ta = s.spawn(|| {
            a.ingest("baci", &[f1], &|_| {})
                .map(|o| o.entry)
                .map_err(|e| e.to_string())
        });
        let tb = s.spawn(|| {
            b.ingest("icews", &[events], &|_| {})
                .map(|o| o.entry)
                .map_err(|e| e.to_string())
        });
        (ta.join().unwrap(), tb.join().unwrap())
    });
    let ea = ra.unwrap();
    let eb = rb.unwrap();
    let after = Engine::open(&store).unwrap();
    assert!(after.has_dataset(&ea.id), "{} lost", ea.id);
    assert!(after.has_dataset(&eb.id), "{} lost", eb.id);
    assert_eq!(seen(&after).unwrap(), OLD);
    let n = after
        .sql(
            &format!(
                "SELECT count(*) AS n FROM events WHERE source = '{}'",
                eb.id
            ),
            SqlLimits::NONE,
        )
        .unwrap();
    let rows = table_rows(&n).unwrap();
    assert_eq!(rows[0]["n"].as_u64(), Some(eb.rows["events"]));
    assert!(eb.rows["events"] > 0);
    assert!(after.verify().unwrap() > 0);
}
