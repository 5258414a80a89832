//! Bad input is refused with a message naming the field and the rule, and
//! nothing reaches the network.

mod common;

use common::{THREAT_ID, TOKEN, connection, inputs, runtime};
use s1_dfc_host::runtime::{ActionError, Connection};
use s1_dfc_host::simulator::{Reply, Simulator};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn invalid_typed_inputs_send_nothing() {
    let sim = Simulator::start(vec![Reply::Documented]).await.unwrap();
    let good = connection(&sim.url(), Some(2000), Some(0));
    let cases: Vec<(Connection, &str, &str)> = vec![
        (
            good.clone(),
            "",
            "inputs.path_parameters.threat_id: must be 1 to 19 ASCII digits",
        ),
        (good.clone(), "12ab", "inputs.path_parameters.threat_id:"),
        (
            good.clone(),
            "../../users",
            "inputs.path_parameters.threat_id:",
        ),
        (
            good.clone(),
            "12345678901234567890",
            "inputs.path_parameters.threat_id:",
        ),
        (
            Connection {
                base_url: "".into(),
                ..good.clone()
            },
            THREAT_ID,
            "connection.base_url: is required",
        ),
        (
            Connection {
                base_url: "usea1.sentinelone.net".into(),
                ..good.clone()
            },
            THREAT_ID,
            "connection.base_url: must be an absolute URL",
        ),
        (
            Connection {
                base_url: "http://console.example.invalid".into(),
                ..good.clone()
            },
            THREAT_ID,
            "connection.base_url: must use https://",
        ),
        (
            Connection {
                base_url: format!("{}/?x=1", sim.url()),
                ..good.clone()
            },
            THREAT_ID,
            "connection.base_url: must not contain a query",
        ),
        (
            Connection {
                base_url: format!("{}#f", sim.url()),
                ..good.clone()
            },
            THREAT_ID,
            "connection.base_url: must not contain a fragment",
        ),
        (
            Connection {
                base_url: sim.url().replace("://", "://u:p@"),
                ..good.clone()
            },
            THREAT_ID,
            "connection.base_url: must not contain user info",
        ),
        (
            Connection {
                api_token: "".into(),
                ..good.clone()
            },
            THREAT_ID,
            "connection.api_token: is required",
        ),
        (
            Connection {
                api_token: "has space".into(),
                ..good.clone()
            },
            THREAT_ID,
            "connection.api_token: must be printable ASCII",
        ),
        (
            Connection {
                api_token: "line\n".into(),
                ..good.clone()
            },
            THREAT_ID,
            "connection.api_token: must be printable ASCII",
        ),
        (
            Connection {
                timeout_ms: Some(0),
                ..good.clone()
            },
            THREAT_ID,
            "connection.timeout_ms: must be between 1 and 600000",
        ),
        (
            Connection {
                timeout_ms: Some(u32::MAX),
                ..good.clone()
            },
            THREAT_ID,
            "connection.timeout_ms:",
        ),
        (
            Connection {
                max_retries: Some(11),
                ..good.clone()
            },
            THREAT_ID,
            "connection.max_retries: must be between 0 and 10",
        ),
    ];
    for (connection, threat_id, expected) in cases {
        let result = runtime()
            .download_from_cloud(&connection, &inputs(threat_id))
            .await
            .unwrap();
        match result {
            Err(ActionError::InvalidInput(message)) => {
                assert!(message.starts_with(expected), "{threat_id:?}: {message}");
                assert!(!message.contains(TOKEN));
            }
            other => panic!("{expected}: expected invalid-input, got {other:?}"),
        }
    }
    assert!(
        sim.requests().is_empty(),
        "a request was sent for invalid input"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_json_requests_send_nothing() {
    let sim = Simulator::start(vec![Reply::Documented]).await.unwrap();
    let good = json!({
        "connection": {"base_url": sim.url(), "api_token": TOKEN},
        "inputs": {"path_parameters": {"threat_id": THREAT_ID}},
    });
    let mut number_id = good.clone();
    number_id["inputs"]["path_parameters"]["threat_id"] = json!(14629133470822878u64);
    let mut missing_token = good.clone();
    missing_token["connection"]
        .as_object_mut()
        .unwrap()
        .remove("api_token");
    let mut text_timeout = good.clone();
    text_timeout["connection"]["timeout_ms"] = json!("30s");
    let mut typo = good.clone();
    typo["connection"]["retries"] = json!(3);
    let cases = [
        ("{\"connection\":".to_string(), "request: is not valid JSON"),
        ("[]".to_string(), "request: must be a JSON object"),
        (
            number_id.to_string(),
            "inputs.path_parameters.threat_id: must be a JSON string, not a number",
        ),
        (
            missing_token.to_string(),
            "connection.api_token: is required",
        ),
        (
            text_timeout.to_string(),
            "connection.timeout_ms: must be a whole number",
        ),
        (typo.to_string(), "connection.retries: is not a known field"),
    ];
    for (request, expected) in cases {
        let text = runtime()
            .invoke_json(&request)
            .await
            .unwrap()
            .expect_err("an error");
        let error: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(error["error"]["kind"], "invalid-input", "{text}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(expected), "{message}");
        assert!(error["error"].get("output").is_none());
        assert!(!text.contains(TOKEN));
    }
    assert!(
        sim.requests().is_empty(),
        "a request was sent for invalid input"
    );
}
