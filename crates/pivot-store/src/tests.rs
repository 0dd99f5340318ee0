//! Store unit tests: commits are visible, dropped stagings leave nothing, replacing a dataset
//! removes its old files, and checksums catch tampering.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Int32Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema};
use pivot_tables::TableSink;

use super::*;

fn batch(v: &[i32]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int32, false)]));
    RecordBatch::try_new(schema, vec![Arc::new(Int32Array::from(v.to_vec()))]).unwrap()
}

fn entry(id: &str) -> DatasetEntry {
    DatasetEntry {
        id: id.into(),
        title: "t".into(),
        source: "s".into(),
        version: "1".into(),
        licence: "l".into(),
        citation: "c".into(),
        bibtex: String::new(),
        notes: vec![],
        adapter: "a".into(),
        inputs: vec![],
        bundled: false,
        ingested_at: 0,
        records: 3,
        rows: BTreeMap::from([("t1".to_string(), 3)]),
        years: None,
        dropped: vec![],
        files: vec![],
        checksum: String::new(),
    }
}

#[test]
fn commit_is_visible_after_reopen_and_verifies() {
    let d = tempfile::tempdir().unwrap();
    let mut s = Store::open(d.path()).unwrap();
    let mut st = s.begin().unwrap();
    st.push("t1", None, batch(&[1, 2, 3])).unwrap();
    s.commit(st, entry("ds")).unwrap();
    let s2 = Store::open(d.path()).unwrap();
    assert_eq!(s2.manifest().datasets["ds"].files.len(), 1);
    assert_eq!(s2.manifest().datasets["ds"].files[0].rows, 3);
    assert_eq!(s2.files_of("t1").len(), 1);
    assert_eq!(s2.verify().unwrap(), 1);
}

#[test]
fn dropped_staging_leaves_the_store_as_it_was() {
    let d = tempfile::tempdir().unwrap();
    let mut s = Store::open(d.path()).unwrap();
    let mut st = s.begin().unwrap();
    st.push("t1", None, batch(&[1])).unwrap();
    s.commit(st, entry("ds")).unwrap();
    let before = std::fs::read(d.path().join("manifest.json")).unwrap();
    {
        let mut st = s.begin().unwrap();
        st.push("t1", None, batch(&[9, 9])).unwrap();
        // dropped without commit: an adapter error
    }
    assert_eq!(
        std::fs::read(d.path().join("manifest.json")).unwrap(),
        before
    );
    assert!(
        !d.path()
            .join(".staging")
            .read_dir()
            .map(|mut r| r.next().is_some())
            .unwrap_or(false)
    );
    assert_eq!(Store::open(d.path()).unwrap().verify().unwrap(), 1);
}

#[test]
fn replacing_a_dataset_removes_its_old_files() {
    let d = tempfile::tempdir().unwrap();
    let mut s = Store::open(d.path()).unwrap();
    let mut st = s.begin().unwrap();
    st.push("t1", None, batch(&[1])).unwrap();
    let old = s.commit(st, entry("ds")).unwrap().files[0].path.clone();
    let mut st = s.begin().unwrap();
    st.push("t1", None, batch(&[2, 3])).unwrap();
    let new = s.commit(st, entry("ds")).unwrap().files[0].path.clone();
    assert_ne!(old, new);
    assert!(!d.path().join(&old).exists());
    assert!(d.path().join(&new).exists());
}

#[test]
fn tampering_is_caught_by_verify() {
    let d = tempfile::tempdir().unwrap();
    let mut s = Store::open(d.path()).unwrap();
    let mut st = s.begin().unwrap();
    st.push("t1", None, batch(&[1, 2])).unwrap();
    let p = s.commit(st, entry("ds")).unwrap().files[0].path.clone();
    std::fs::write(d.path().join(p), b"not parquet").unwrap();
    assert!(matches!(
        Store::open(d.path()).unwrap().verify(),
        Err(StoreError::Checksum { .. })
    ));
}

#[test]
fn a_large_partition_is_split_over_two_files_with_checksums_of_their_bytes() {
    let d = tempfile::tempdir().unwrap();
    let mut s = Store::open(d.path()).unwrap();
    let mut st = s.begin().unwrap();
    // 20 batches of 100,000 rows into partition "2021" (2,000,000 rows, past the 2^18-row
    // split), and one small partition that stays one file. Values 0..2,000,000 once each.
    let mut total = 0i64;
    for b in 0..20 {
        let v: Vec<i32> = (b * 100_000..(b + 1) * 100_000).collect();
        total += v.iter().map(|&x| i64::from(x)).sum::<i64>();
        st.push("t1", Some("2021"), batch(&v)).unwrap();
    }
    st.push("t1", Some("2020"), batch(&[7])).unwrap();
    assert_eq!(st.rows(), 2_000_001);
    s.commit(st, entry("ds")).unwrap();
    let files = &s.manifest().datasets["ds"].files;
    let in_2021: Vec<_> = files
        .iter()
        .filter(|f| f.part.as_deref() == Some("2021"))
        .collect();
    assert_eq!(in_2021.len(), 2);
    assert_eq!(in_2021.iter().map(|f| f.rows).sum::<u64>(), 2_000_000);
    assert_eq!(files.len(), 3);
    // Each recorded checksum is the SHA-256 of the file on disk.
    for f in files {
        assert_eq!(sha256_file(&d.path().join(&f.path)).unwrap(), f.sha256);
    }
    // Every row is there once: the sum over both files is Σ 0..2,000,000 = 1,999,999,000,000.
    let mut got = 0i64;
    for f in &in_2021 {
        let file = std::fs::File::open(d.path().join(&f.path)).unwrap();
        let r = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        for b in r {
            let b = b.unwrap();
            let col = b.column(0).as_any().downcast_ref::<Int32Array>().unwrap();
            got += col.values().iter().map(|&x| i64::from(x)).sum::<i64>();
        }
    }
    assert_eq!(got, total);
    assert_eq!(total, 1_999_999_000_000);
    assert_eq!(s.verify().unwrap(), 3);
}

#[test]
fn a_finished_part_is_closed_and_a_later_batch_opens_a_new_file() {
    let d = tempfile::tempdir().unwrap();
    let mut s = Store::open(d.path()).unwrap();
    let mut st = s.begin().unwrap();
    st.push("t1", Some("2020"), batch(&[1, 2])).unwrap();
    st.part_done("t1", Some("2020")).unwrap();
    st.part_done("t1", Some("1999")).unwrap(); // never pushed: nothing to close
    st.push("t1", Some("2020"), batch(&[3])).unwrap();
    s.commit(st, entry("ds")).unwrap();
    let files = &s.manifest().datasets["ds"].files;
    assert_eq!(files.len(), 2);
    let mut rows: Vec<u64> = files.iter().map(|f| f.rows).collect();
    rows.sort();
    assert_eq!(rows, [1, 2]);
    assert_eq!(s.verify().unwrap(), 2);
}

/// Issue 17: two ingests opened on the same store before either commits (two `pivot data
/// ingest` processes started together). The second waits for the write lock, then commits over
/// the manifest as the first left it: both datasets are in the store and it verifies. (Before,
/// the second wrote the manifest it had read at open and the first dataset was lost.)
#[test]
fn two_ingests_started_together_both_land() {
    let d = tempfile::tempdir().unwrap();
    let mut a = Store::open(d.path()).unwrap();
    let mut b = Store::open(d.path()).unwrap();
    let sta = a.begin().unwrap();
    let root = d.path().to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    let second = std::thread::spawn(move || {
        tx.send("waiting").unwrap();
        // Blocks on the write lock until `a` commits.
        let mut stb = b.begin().unwrap();
        stb.push("t2", None, batch(&[7, 8])).unwrap();
        b.commit(stb, entry("second")).unwrap();
        assert!(root.join("manifest.json").exists());
    });
    assert_eq!(rx.recv().unwrap(), "waiting");
    let mut sta = sta;
    sta.push("t1", None, batch(&[1, 2, 3])).unwrap();
    a.commit(sta, entry("first")).unwrap();
    second.join().unwrap();
    let s = Store::open(d.path()).unwrap();
    let ids: Vec<&str> = s.manifest().datasets.keys().map(|k| k.as_str()).collect();
    assert_eq!(ids, ["first", "second"]);
    assert_eq!(s.verify().unwrap(), 2);
}

/// Issue 17: a reader that opened the store before a dataset was replaced keeps every file
/// its manifest names until it is dropped (so its queries never hit a deleted file); the next
/// write after that sweeps the old file.
#[test]
fn replaced_files_outlive_the_readers_that_may_read_them() {
    let d = tempfile::tempdir().unwrap();
    let mut w = Store::open(d.path()).unwrap();
    let mut st = w.begin().unwrap();
    st.push("t1", None, batch(&[1])).unwrap();
    let old = w.commit(st, entry("ds")).unwrap().files[0].path.clone();
    let reader = Store::open(d.path()).unwrap();
    let mut st = w.begin().unwrap();
    st.push("t1", None, batch(&[2, 3])).unwrap();
    let new = w.commit(st, entry("ds")).unwrap().files[0].path.clone();
    assert_ne!(old, new);
    assert!(d.path().join(&old).exists(), "deleted under a reader");
    assert_eq!(reader.verify().unwrap(), 1);
    drop(reader);
    let mut st = w.begin().unwrap();
    st.push("t2", None, batch(&[4])).unwrap();
    w.commit(st, entry("other")).unwrap();
    assert!(
        !d.path().join(&old).exists(),
        "not swept once no reader held it"
    );
    assert!(d.path().join(&new).exists());
    assert_eq!(Store::open(d.path()).unwrap().verify().unwrap(), 2);
}

/// Issue 15: a store's format is checked when it is opened. Stores written before the format
/// was recorded say 0 (the same layout) and open as format 1, keeping their data; a store in a
/// newer format is refused with a message saying so, and is left byte-identical.
#[test]
fn stores_of_an_older_format_open_and_newer_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = Store::open(dir.path()).unwrap();
        let mut st = s.begin().unwrap();
        st.push("t1", None, batch(&[1, 2, 3])).unwrap();
        s.commit(st, entry("old")).unwrap();
    }
    let mpath = dir.path().join("manifest.json");
    let written: serde_json::Value = serde_json::from_slice(&fs::read(&mpath).unwrap()).unwrap();
    assert_eq!(written["format"], FORMAT);

    // As pivot wrote it before this check: "format": 0.
    let mut old = written.clone();
    old["format"] = 0.into();
    fs::write(&mpath, serde_json::to_vec_pretty(&old).unwrap()).unwrap();
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.manifest().format, FORMAT);
    assert_eq!(s.files_of("t1").len(), 1);
    assert_eq!(s.verify().unwrap(), 1);
    drop(s);

    let mut newer = written;
    newer["format"] = (FORMAT + 1).into();
    let bytes = serde_json::to_vec_pretty(&newer).unwrap();
    fs::write(&mpath, &bytes).unwrap();
    let e = Store::open(dir.path()).unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(e, StoreError::Format { found, .. } if found == FORMAT + 1),
        "{msg}"
    );
    assert!(
        msg.contains(&format!("format {}", FORMAT + 1)) && msg.contains("written by a newer pivot"),
        "{msg}"
    );
    assert_eq!(fs::read(&mpath).unwrap(), bytes, "the manifest was changed");
}

/// Issue 27: a killed ingest left `.staging`, a half-written manifest and stray Parquet files
/// until the next ingest. The next open removes them (no write in progress, no other reader),
/// and the committed data are untouched.
#[test]
fn a_killed_ingests_leftovers_are_removed_at_the_next_open() {
    let d = tempfile::tempdir().unwrap();
    {
        let mut s = Store::open(d.path()).unwrap();
        let mut st = s.begin().unwrap();
        st.push("t1", None, batch(&[1, 2, 3])).unwrap();
        s.commit(st, entry("ds")).unwrap();
    }
    let before = std::fs::read(d.path().join("manifest.json")).unwrap();
    // What kill -9 mid-ingest leaves: a staging folder with a file, a moved file the manifest
    // never came to reference, the temporary manifest.
    let staged = d.path().join(".staging").join("txn-1");
    std::fs::create_dir_all(&staged).unwrap();
    std::fs::write(staged.join("part.parquet"), b"PAR1").unwrap();
    let stray = d
        .path()
        .join("tables")
        .join("t1")
        .join("ds-000000000000.parquet");
    std::fs::write(&stray, b"PAR1").unwrap();
    std::fs::write(d.path().join("manifest.json.tmp"), b"{").unwrap();
    let s = Store::open(d.path()).unwrap();
    assert!(!d.path().join(".staging").exists());
    assert!(!stray.exists());
    assert!(!d.path().join("manifest.json.tmp").exists());
    assert_eq!(
        std::fs::read(d.path().join("manifest.json")).unwrap(),
        before
    );
    assert_eq!(s.verify().unwrap(), 1);
}
