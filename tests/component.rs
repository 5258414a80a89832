//! The real component in wasmtime against a loopback console simulator:
//! every behaviour of the contract, end to end.

mod common;

use std::time::{Duration, Instant};

use common::{THREAT_ID, TOKEN, connection, inputs, json_request, runtime};
use s1_dfc_host::runtime::{ActionError, Output};
use s1_dfc_host::simulator::{Reply, Simulator, documented_body, gzip};
use serde_json::{Value, json};

async fn call(
    sim: &Simulator,
    timeout_ms: Option<u32>,
    retries: Option<u32>,
) -> Result<Output, ActionError> {
    runtime()
        .download_from_cloud(
            &connection(&sim.url(), timeout_ms, retries),
            &inputs(THREAT_ID),
        )
        .await
        .expect("the component must not trap")
}

fn http_status(result: Result<Output, ActionError>) -> Output {
    match result {
        Err(ActionError::HttpStatus(output)) => output,
        other => panic!("expected http-status, got {other:?}"),
    }
}

fn header<'a>(output: &'a Output, name: &str) -> Option<&'a str> {
    output
        .response_headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test(flavor = "multi_thread")]
async fn documented_success_through_the_typed_export() {
    let sim = Simulator::start(vec![Reply::Documented]).await.unwrap();
    let output = call(&sim, None, None).await.expect("success");
    assert_eq!(output.status_code, 200);
    assert_eq!(output.reason, "OK");
    let body: Value = serde_json::from_str(&output.json_body).unwrap();
    assert_eq!(body, documented_body());
    assert_eq!(header(&output, "Content-Type"), Some("application/json"));
    assert_eq!(
        header(&output, "X-RQID"),
        Some("6774d02e-05e6-4a51-8c4c-168411f6fd66")
    );
    assert_eq!(header(&output, "Content-Encoding"), Some("gzip"));
    assert_eq!(
        header(&output, "Strict-Transport-Security"),
        Some("max-age=31536000; includeSubDomains")
    );
    // wasmtime removes hop-by-hop headers before the guest sees them.
    assert_eq!(header(&output, "Transfer-Encoding"), None);

    let seen = sim.requests();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.path,
        format!("/web/api/v2.1/threats/{THREAT_ID}/download-from-cloud")
    );
    assert_eq!(
        request.header("authorization"),
        Some(format!("ApiToken {TOKEN}").as_str())
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    assert!(
        request
            .header("user-agent")
            .unwrap()
            .starts_with("sentinelone-download-from-cloud/1.0.0")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn documented_success_through_invoke_json() {
    let sim = Simulator::start(vec![Reply::Documented]).await.unwrap();
    let base = format!("{}/web/api/v2.1/", sim.url());
    let text = runtime()
        .invoke_json(&json_request(&base, THREAT_ID))
        .await
        .unwrap()
        .expect("ok");
    let value: Value = serde_json::from_str(&text).unwrap();
    let entry = &value.as_array().expect("a one-element array")[0];
    assert_eq!(value.as_array().unwrap().len(), 1);
    let keys: Vec<&str> = entry
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["status_code", "response_headers", "reason", "json_body"]
    );
    assert_eq!(entry["status_code"], 200);
    assert_eq!(entry["reason"], "OK");
    assert_eq!(
        entry["response_headers"]["X-RQID"],
        "6774d02e-05e6-4a51-8c4c-168411f6fd66"
    );
    assert_eq!(entry["json_body"], documented_body());
    assert_eq!(
        sim.requests()[0].path,
        format!("/web/api/v2.1/threats/{THREAT_ID}/download-from-cloud")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sentinelone_errors_are_http_status_with_their_message() {
    let cases = [
        (
            401,
            4010010,
            "Authentication Failed",
            None,
            "the API token may be invalid or expired",
        ),
        (
            403,
            4030010,
            "Insufficient permissions",
            None,
            "lacks permission",
        ),
        (
            404,
            4040010,
            "Not Found",
            Some("Threat not found"),
            "not in SentinelOne's cloud",
        ),
    ];
    for (status, code, title, detail, hint) in cases {
        let sim = Simulator::start(vec![Reply::sentinelone_error(status, code, title, detail)])
            .await
            .unwrap();
        let output = http_status(call(&sim, None, None).await);
        assert_eq!(output.status_code, status);
        let body: Value = serde_json::from_str(&output.json_body).unwrap();
        assert_eq!(body["errors"][0]["code"], code);

        let text = runtime()
            .invoke_json(&json_request(&sim.url(), THREAT_ID))
            .await
            .unwrap()
            .expect_err("error");
        let error: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(error["error"]["kind"], "http-status");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains(&format!("{status} ")), "{message}");
        assert!(
            message.contains(title) && message.contains(&code.to_string()),
            "{message}"
        );
        assert!(message.contains(hint), "{message}");
        assert_eq!(error["error"]["output"][0]["status_code"], status);
        assert_eq!(
            error["error"]["output"][0]["json_body"]["errors"][0]["title"],
            title
        );
        assert_eq!(sim.requests().len(), 2, "4xx answers are not retried");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limit_then_success_waits_retry_after() {
    let limited = Reply::sentinelone_error(429, 4290010, "Too Many Requests", None)
        .with_header("Retry-After", "1");
    let sim = Simulator::start(vec![limited, Reply::Documented])
        .await
        .unwrap();
    let started = Instant::now();
    let output = call(&sim, Some(10_000), Some(2))
        .await
        .expect("success after one retry");
    assert_eq!(output.status_code, 200);
    assert_eq!(sim.requests().len(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After was not honoured"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn retries_are_bounded() {
    let html = Reply::Full {
        status: 503,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: b"<html><body>503 Service Temporarily Unavailable</body></html>".to_vec(),
    };
    let sim = Simulator::start(vec![html]).await.unwrap();
    let output = http_status(call(&sim, Some(20_000), Some(2)).await);
    assert_eq!(output.status_code, 503);
    assert_eq!(sim.requests().len(), 3, "one try and two retries");
    let body: Value = serde_json::from_str(&output.json_body).unwrap();
    assert!(
        body.as_str()
            .unwrap()
            .contains("503 Service Temporarily Unavailable")
    );

    let sim = Simulator::start(vec![Reply::sentinelone_error(
        500,
        5000010,
        "Internal server error",
        None,
    )])
    .await
    .unwrap();
    http_status(call(&sim, Some(20_000), Some(0)).await);
    assert_eq!(sim.requests().len(), 1, "max_retries 0 means one try");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_retry_outlives_the_deadline() {
    let limited = Reply::sentinelone_error(429, 4290010, "Too Many Requests", None)
        .with_header("Retry-After", "30");
    let sim = Simulator::start(vec![limited]).await.unwrap();
    let started = Instant::now();
    let output = http_status(call(&sim, Some(2_000), Some(5)).await);
    assert_eq!(output.status_code, 429);
    assert_eq!(sim.requests().len(), 1);
    assert!(started.elapsed() < Duration::from_millis(1500));
}

async fn assert_times_out(reply: Reply, phase: &str) {
    let sim = Simulator::start(vec![reply]).await.unwrap();
    let started = Instant::now();
    let result = call(&sim, Some(600), Some(2)).await;
    let elapsed = started.elapsed();
    match result {
        Err(ActionError::Timeout(message)) => {
            assert!(message.contains("600 ms"), "{message}");
            assert!(message.contains(phase), "{message}");
        }
        other => panic!("expected timeout, got {other:?}"),
    }
    assert!(
        elapsed >= Duration::from_millis(550),
        "gave up early: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_millis(1500),
        "outlived the deadline: {elapsed:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_answers_times_out_within_the_deadline() {
    assert_times_out(
        Reply::NeverAnswer {
            hold: Duration::from_secs(10),
        },
        "response",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_body_times_out_within_the_deadline() {
    assert_times_out(
        Reply::StallBody {
            sent: 100,
            hold: Duration::from_secs(10),
        },
        "body",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn gzip_bodies_are_decoded() {
    let body = json!({"data": {"downloadUrl": "https://files.invalid/a", "fileName": "a"}});
    let reply = Reply::Full {
        status: 200,
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("Content-Encoding".into(), "gzip".into()),
        ],
        body: gzip(body.to_string().as_bytes()),
    };
    let sim = Simulator::start(vec![reply]).await.unwrap();
    let output = call(&sim, None, None).await.expect("success");
    assert_eq!(
        serde_json::from_str::<Value>(&output.json_body).unwrap(),
        body
    );
    assert_eq!(sim.requests()[0].header("accept-encoding"), Some("gzip"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_non_json_success_is_invalid_response() {
    let reply = Reply::Full {
        status: 200,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: b"<html>login page</html>".to_vec(),
    };
    let sim = Simulator::start(vec![reply]).await.unwrap();
    match call(&sim, None, None).await {
        Err(ActionError::InvalidResponse(message)) => {
            assert!(message.contains("not JSON"), "{message}")
        }
        other => panic!("expected invalid-response, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_body_is_invalid_response() {
    let reply = Reply::Full {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: vec![b' '; 3 * 1024 * 1024],
    };
    let sim = Simulator::start(vec![reply]).await.unwrap();
    match call(&sim, None, None).await {
        Err(ActionError::InvalidResponse(message)) => {
            assert!(message.contains("1 MiB"), "{message}")
        }
        other => panic!("expected invalid-response, got {other:?}"),
    }
    let bomb = Reply::Full {
        status: 200,
        headers: vec![("Content-Encoding".into(), "gzip".into())],
        body: gzip(&vec![b'{'; 16 * 1024 * 1024]),
    };
    let sim = Simulator::start(vec![bomb]).await.unwrap();
    assert!(
        matches!(call(&sim, None, None).await, Err(ActionError::InvalidResponse(m)) if m.contains("1 MiB"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects_are_not_followed() {
    let reply = Reply::Full {
        status: 302,
        headers: vec![("Location".into(), "https://elsewhere.invalid/login".into())],
        body: vec![],
    };
    let sim = Simulator::start(vec![reply]).await.unwrap();
    let output = http_status(call(&sim, None, None).await);
    assert_eq!(output.status_code, 302);
    assert_eq!(output.reason, "Found");
    assert_eq!(output.json_body, "null");
    assert_eq!(sim.requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_connection_is_transport() {
    let url = common::refused_url();
    let result = runtime()
        .download_from_cloud(&connection(&url, Some(5000), Some(2)), &inputs(THREAT_ID))
        .await
        .unwrap();
    match result {
        Err(ActionError::Transport(message)) => assert!(message.contains("refused"), "{message}"),
        other => panic!("expected transport, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_cut_short_are_transport() {
    for reply in [Reply::Close, Reply::Truncated] {
        let sim = Simulator::start(vec![reply.clone()]).await.unwrap();
        match call(&sim, Some(5000), Some(0)).await {
            Err(ActionError::Transport(_)) => {}
            other => panic!("{reply:?}: expected transport, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unresolvable_hosts_are_transport() {
    let result = runtime()
        .download_from_cloud(
            &connection("https://console.s1.invalid", Some(5000), Some(0)),
            &inputs(THREAT_ID),
        )
        .await
        .unwrap();
    assert!(
        matches!(result, Err(ActionError::Transport(_))),
        "{result:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_echoed_token_never_reaches_the_caller() {
    let sim = Simulator::start(vec![Reply::EchoAuthorization])
        .await
        .unwrap();
    let typed = format!("{:?}", call(&sim, None, None).await);
    assert!(!typed.contains(TOKEN), "{typed}");
    assert!(typed.contains("[REDACTED]"));
    let json = format!(
        "{:?}",
        runtime()
            .invoke_json(&json_request(&sim.url(), THREAT_ID))
            .await
            .unwrap()
    );
    assert!(!json.contains(TOKEN), "{json}");
    assert_eq!(
        sim.requests()[0].header("authorization"),
        Some(format!("ApiToken {TOKEN}").as_str())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_host_refuses_other_origins() {
    let sim = Simulator::start(vec![Reply::Documented]).await.unwrap();
    let before = runtime().denied_requests();
    let connection = connection(&sim.url(), Some(5000), Some(0));
    let inputs = inputs(THREAT_ID);
    let (action, mut store) = runtime()
        .instantiate(
            Some("https://console.example.invalid".into()),
            s1_dfc_host::runtime::call_budget(Some(5000)),
        )
        .await
        .unwrap();
    let result = action
        .sentinelone_threats_download_from_cloud()
        .call_download_from_cloud(&mut store, &connection, &inputs)
        .await
        .unwrap();
    match result {
        Err(ActionError::Transport(message)) => assert!(message.contains("denied"), "{message}"),
        other => panic!("expected transport, got {other:?}"),
    }
    assert!(
        sim.requests().is_empty(),
        "the request must not leave the host"
    );
    assert!(runtime().denied_requests() > before);
}
