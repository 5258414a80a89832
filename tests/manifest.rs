//! manifest.yaml stays true: its names match the WIT and the build, and
//! real outputs of the component, success and every error kind, validate
//! against its schemas.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{THREAT_ID, TOKEN, json_request, runtime};
use s1_dfc_host::simulator::{Reply, Simulator};
use serde_json::{Value, json};

fn manifest() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/manifest.yaml")).unwrap();
    serde_norway::from_str(&text).expect("manifest.yaml is valid YAML")
}

fn wit() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/wit/world.wit")).unwrap()
}

/// The identifiers declared inside `<keyword> <name> {` ... `}` of the WIT
/// (first word of each line, comments skipped).
fn wit_block_items(wit: &str, header: &str) -> Vec<String> {
    let start = wit
        .find(header)
        .unwrap_or_else(|| panic!("{header} not in the WIT"));
    wit[start + header.len()..]
        .lines()
        .map(str::trim)
        .take_while(|line| *line != "}")
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .map(|line| {
            line.split(['(', ':', ','])
                .next()
                .unwrap()
                .trim()
                .to_string()
        })
        .collect()
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("a valid JSON Schema")
}

fn assert_valid(schema: &Value, instance: &Value) {
    let errors: Vec<String> = validator(schema)
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{instance}\n{errors:#?}");
}

#[test]
fn identity_and_component_names_match_the_wit_and_the_build() {
    let m = manifest();
    let wit = wit();
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    for key in [
        "name",
        "title",
        "description",
        "vendor",
        "product",
        "category",
    ] {
        assert!(m[key].as_str().is_some_and(|s| !s.is_empty()), "{key}");
    }
    let package = m["component"]["wit_package"].as_str().unwrap();
    assert!(wit.contains(&format!("package {package};")), "{package}");
    let world = m["component"]["world"].as_str().unwrap();
    assert!(wit.contains(&format!("world {world} {{")));
    let (namespace_and_name, version) = package.split_once('@').unwrap();
    let export = m["component"]["export"].as_str().unwrap();
    let interface = export
        .strip_prefix(&format!("{namespace_and_name}/"))
        .unwrap()
        .strip_suffix(&format!("@{version}"))
        .unwrap();
    assert!(wit.contains(&format!("export {interface};")), "{interface}");
    for function in ["typed", "json"] {
        let name = m["component"]["functions"][function].as_str().unwrap();
        assert!(wit.contains(&format!("    {name}: func(")), "{name}");
    }
    assert_eq!(m["component"]["file"], s1_dfc_host::COMPONENT_RELATIVE_PATH);
}

#[test]
fn connection_inputs_and_error_kinds_match_the_wit() {
    let m = manifest();
    let wit = wit();
    let snake = |items: Vec<String>| {
        items
            .into_iter()
            .map(|s| s.replace('-', "_"))
            .collect::<BTreeSet<_>>()
    };
    let keys = |v: &Value| {
        v.as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<BTreeSet<_>>()
    };

    assert_eq!(
        keys(&m["connection"]["schema"]["properties"]),
        snake(wit_block_items(&wit, "record connection {"))
    );
    assert_eq!(
        m["connection"]["schema"]["properties"]["api_token"]["x-secret"],
        true
    );
    assert_eq!(
        m["connection"]["schema"]["properties"]["timeout_ms"]["default"],
        30000
    );
    assert_eq!(
        m["connection"]["schema"]["properties"]["max_retries"]["default"],
        2
    );
    assert_eq!(
        keys(&m["inputs"]["schema"]["properties"]["path_parameters"]["properties"]),
        snake(wit_block_items(&wit, "record path-parameters {"))
    );

    let wit_kinds: BTreeSet<String> = wit_block_items(&wit, "variant action-error {")
        .into_iter()
        .collect();
    let listed: BTreeSet<String> = m["errors"]["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap().to_string())
        .collect();
    let in_schema: BTreeSet<String> =
        m["errors"]["schema"]["properties"]["error"]["properties"]["kind"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap().to_string())
            .collect();
    assert_eq!(listed, wit_kinds);
    assert_eq!(in_schema, wit_kinds);
}

#[test]
fn the_schemas_accept_good_values_and_refuse_bad_ones() {
    let m = manifest();
    let connection = &m["connection"]["schema"];
    let inputs = &m["inputs"]["schema"];
    assert_valid(
        connection,
        &json!({"base_url": "https://usea1.sentinelone.net", "api_token": "abc", "timeout_ms": 1000}),
    );
    assert!(!validator(connection).is_valid(&json!({"base_url": "https://x", "api_token": "a b"})));
    assert!(
        !validator(connection)
            .is_valid(&json!({"base_url": "https://x", "api_token": "a", "timeout_ms": 0}))
    );
    assert_valid(
        inputs,
        &json!({"path_parameters": {"threat_id": THREAT_ID}}),
    );
    assert!(
        !validator(inputs)
            .is_valid(&json!({"path_parameters": {"threat_id": 14629133470822878u64}}))
    );
    assert!(!validator(inputs).is_valid(&json!({"path_parameters": {"threat_id": "12a"}})));
    assert_valid(&m["output"]["schema"], &m["output"]["example"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn real_outputs_validate_against_the_manifest() {
    let m = manifest();
    let sim = Simulator::start(vec![Reply::Documented]).await.unwrap();
    let ok = runtime()
        .invoke_json(&json_request(&sim.url(), THREAT_ID))
        .await
        .unwrap()
        .expect("success");
    assert_valid(&m["output"]["schema"], &serde_json::from_str(&ok).unwrap());

    let refused = common::refused_url();
    let silent = Simulator::start(vec![Reply::NeverAnswer {
        hold: Duration::from_secs(5),
    }])
    .await
    .unwrap();
    let unauthorized = Simulator::start(vec![Reply::sentinelone_error(
        401,
        4010010,
        "Authentication Failed",
        None,
    )])
    .await
    .unwrap();
    let html = Simulator::start(vec![Reply::Full {
        status: 200,
        headers: vec![],
        body: b"<html/>".to_vec(),
    }])
    .await
    .unwrap();
    let mut short_deadline: Value =
        serde_json::from_str(&json_request(&silent.url(), THREAT_ID)).unwrap();
    short_deadline["connection"]["timeout_ms"] = json!(300);
    let cases = [
        ("invalid-input", json_request(&sim.url(), "not-a-number")),
        ("http-status", json_request(&unauthorized.url(), THREAT_ID)),
        ("timeout", short_deadline.to_string()),
        ("transport", json_request(&refused, THREAT_ID)),
        ("invalid-response", json_request(&html.url(), THREAT_ID)),
    ];
    let error_schema = &m["errors"]["schema"];
    for (kind, request) in cases {
        let text = runtime()
            .invoke_json(&request)
            .await
            .unwrap()
            .expect_err(kind);
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["error"]["kind"], kind, "{text}");
        assert_valid(error_schema, &value);
        assert!(!text.contains(TOKEN));
    }
}
