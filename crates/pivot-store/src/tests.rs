//! Store unit tests: commits are visible, dropped stagings leave nothing, replacing a dataset
//! removes its old files, and checksums catch tampering.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Int32Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema};
use pivot_sources::TableSink;

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
