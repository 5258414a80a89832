//! The same `.wasm` through the stock `wasmtime` CLI's `--invoke`, when a
//! `wasmtime` binary is on PATH (it takes over 20 minutes to build here, so
//! CI does not install it); skipped with a message otherwise.

mod common;

use std::process::Command;

use common::{THREAT_ID, TOKEN};
use s1_dfc_host::component_path;
use s1_dfc_host::simulator::{Reply, Simulator};
use serde_json::Value;

fn stock_wasmtime() -> Option<String> {
    let version = Command::new("wasmtime").arg("--version").output().ok()?;
    version
        .status
        .success()
        .then(|| String::from_utf8_lossy(&version.stdout).trim().to_string())
}

async fn invoke(call: String) -> String {
    let component = component_path();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("wasmtime")
            .args(["run", "-S", "http", "--invoke", &call])
            .arg(&component)
            .output()
            .expect("wasmtime runs")
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn both_exports_work_through_the_stock_cli() {
    let Some(version) = stock_wasmtime() else {
        eprintln!(
            "skipped: no `wasmtime` on PATH (cargo install wasmtime-cli --version 48.0.8 --locked)"
        );
        return;
    };
    eprintln!("using {version}");
    let sim = Simulator::start(vec![Reply::Documented]).await.unwrap();
    let typed = invoke(format!(
        r#"download-from-cloud({{base-url: "{}", api-token: "{TOKEN}"}}, {{path-parameters: {{threat-id: "{THREAT_ID}"}}}})"#,
        sim.url()
    ))
    .await;
    assert!(
        typed.starts_with("ok({status-code: 200, reason: \"OK\""),
        "{typed}"
    );
    assert!(
        typed.contains(
            r#"\"fileName\":\"ee24d1d448fffea3983da1a51ff4b2a37426a5651b9d93aee5959389de743f07\""#
        ),
        "{typed}"
    );

    let invalid = invoke(format!(
        r#"download-from-cloud({{base-url: "{}", api-token: "{TOKEN}"}}, {{path-parameters: {{threat-id: "abc"}}}})"#,
        sim.url()
    ))
    .await;
    assert!(
        invalid.starts_with("err(invalid-input(\"inputs.path_parameters.threat_id:"),
        "{invalid}"
    );

    let request = common::json_request(&sim.url(), THREAT_ID);
    let json = invoke(format!(
        "invoke-json({})",
        serde_json::to_string(&request).unwrap()
    ))
    .await;
    let inner = json
        .trim()
        .strip_prefix("ok(")
        .and_then(|s| s.strip_suffix(')'))
        .expect("ok(...)");
    // WAVE string escapes are JSON's, plus `\'` for a single quote.
    let text: String = serde_json::from_str(&inner.replace("\\'", "'")).expect("a WAVE string");
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value[0]["status_code"], 200);
    assert_eq!(sim.requests().len(), 2, "the invalid call sent nothing");
}
