//! The host command's modes that are more than one call: batch runs and
//! the precompiled-artifact cache.

mod common;

use std::sync::Arc;

use common::TOKEN;
use s1_dfc_host::simulator::{Reply, Simulator};
use s1_dfc_host::{ActionRuntime, RuntimeOptions, artifact_cache, batch, component_path};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn batch_keeps_input_order_and_counts_each_kind() {
    let sim = Simulator::start(vec![Reply::Documented]).await.unwrap();
    let runtime = Arc::new(ActionRuntime::from_file(&component_path()).unwrap());
    let connection = json!({"base_url": sim.url(), "api_token": TOKEN, "timeout_ms": 5000});
    let mut ids: Vec<String> = (1..=40).map(|i| format!("{}", 1_000_000 + i)).collect();
    ids.insert(7, "not-an-id".into());
    ids.insert(20, "   ".into());
    let mut out = Vec::new();
    let summary = batch::run(runtime, connection, ids.clone(), 8, &mut out)
        .await
        .unwrap();

    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let expected: Vec<&str> = ids
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    let got: Vec<&str> = lines
        .iter()
        .map(|l| l["threat_id"].as_str().unwrap())
        .collect();
    assert_eq!(got, expected, "input order");
    assert_eq!(summary.ok, 40);
    assert_eq!(summary.errors.get("invalid-input"), Some(&1));
    assert_eq!(lines[7]["error"]["kind"], "invalid-input");
    assert_eq!(lines[0]["result"][0]["status_code"], 200);
    assert_eq!(sim.requests().len(), 40, "the invalid id sent nothing");
    assert!(
        summary
            .to_string()
            .starts_with("ok 40, invalid-input 1 in ")
    );
}

#[test]
fn the_artifact_cache_is_written_once_and_then_loaded() {
    let dir = std::env::temp_dir().join(format!("s1-dfc-cache-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let options = RuntimeOptions {
        cache_dir: Some(dir.clone()),
        ..RuntimeOptions::default()
    };
    ActionRuntime::load(&component_path(), &options).unwrap();
    let entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let engine = ActionRuntime::engine(&options).unwrap();
    let bytes = std::fs::read(component_path()).unwrap();
    assert_eq!(
        entries[0],
        artifact_cache::entry_path(&engine, &bytes, &dir)
    );
    let written = std::fs::metadata(&entries[0]).unwrap().modified().unwrap();
    let runtime = ActionRuntime::load(&component_path(), &options).unwrap();
    assert!(
        runtime
            .imports()
            .iter()
            .any(|i| i.starts_with("wasi:http/"))
    );
    assert_eq!(
        std::fs::metadata(&entries[0]).unwrap().modified().unwrap(),
        written,
        "loaded, not rewritten"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
