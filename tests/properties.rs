//! Property-based fuzzing of every place untrusted bytes enter, run natively
//! on the pure logic: the `invoke-json` parser, input validation, and the
//! response mapping (status, headers, body, gzip). The properties: nothing
//! panics, the token never comes back, and every result is one of the
//! contract's cases. `make fuzz` runs many more cases (PROPTEST_CASES).

use proptest::prelude::*;
use sentinelone_download_from_cloud::action::{self, Transport};
use sentinelone_download_from_cloud::body::BodySink;
use sentinelone_download_from_cloud::error::ActionError;
use sentinelone_download_from_cloud::json_entry;
use sentinelone_download_from_cloud::request::HttpRequest;
use sentinelone_download_from_cloud::response::RawResponse;
use sentinelone_download_from_cloud::validate::{self, Connection};
use serde_json::Value;

/// Answers every request with the same response, on a virtual clock; the
/// body goes through the same streaming decoder the wasi transport uses.
struct Fixed {
    now: u64,
    answer: Result<RawResponse, ActionError>,
    sent: usize,
}

impl Transport for Fixed {
    fn now_ns(&mut self) -> u64 {
        self.now
    }
    fn sleep_until(&mut self, instant_ns: u64) {
        self.now = self.now.max(instant_ns);
    }
    fn send(&mut self, _: &HttpRequest, _: u64) -> Result<RawResponse, ActionError> {
        self.sent += 1;
        self.now += 1_000_000;
        let mut answer = self.answer.clone()?;
        let encoding = answer.header("content-encoding").map(<[u8]>::to_vec);
        let mut sink = BodySink::new(encoding.as_deref());
        for chunk in answer.body.chunks(1000) {
            sink.push(chunk)
                .map_err(|e| ActionError::InvalidResponse(e.message()))?;
        }
        answer.body = sink
            .finish()
            .map_err(|e| ActionError::InvalidResponse(e.message()))?;
        Ok(answer)
    }
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{24,40}"
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Bodies that look like what consoles and proxies send, laced with the
/// token, plus raw noise.
fn body(token: String) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        any::<Vec<u8>>(),
        Just(
            format!(r#"{{"data":{{"downloadUrl":"https://f.invalid/{token}","fileName":"x"}}}}"#)
                .into_bytes()
        ),
        Just(
            format!(r#"{{"errors":[{{"code":4010010,"detail":"{token}","title":"{token}"}}]}}"#)
                .into_bytes()
        ),
        Just(format!("<html>{token}</html>").into_bytes()),
        "[ -~]{0,200}".prop_map(|s| s.into_bytes()),
    ]
}

fn raw_response(token: String) -> impl Strategy<Value = RawResponse> {
    let header = prop_oneof![
        ("[a-z-]{1,20}", any::<Vec<u8>>()).prop_map(|(n, v)| (n, v)),
        Just((
            "x-echo".to_string(),
            format!("ApiToken {token}").into_bytes()
        )),
        Just(("retry-after".to_string(), b"0".to_vec())),
    ];
    (
        100u16..600,
        proptest::collection::vec(header, 0..6),
        body(token),
        any::<bool>(),
    )
        .prop_map(|(status, mut headers, body, gzipped)| {
            let body = if gzipped {
                headers.push(("content-encoding".into(), b"gzip".to_vec()));
                gzip(&body)
            } else {
                body
            };
            RawResponse {
                status,
                headers,
                body,
            }
        })
}

fn check_contract(
    result: &Result<sentinelone_download_from_cloud::output::Output, ActionError>,
    token: &str,
) {
    let shown = format!("{result:?}");
    assert!(!shown.contains(token), "token leaked: {shown}");
    match result {
        Ok(output) => {
            assert!((200..300).contains(&output.status_code));
            assert!(output.json_body["data"]["downloadUrl"].is_string());
            assert!(output.json_body["data"]["fileName"].is_string());
        }
        Err(ActionError::HttpStatus(output)) => assert!(!(200..300).contains(&output.status_code)),
        Err(
            ActionError::InvalidResponse(m)
            | ActionError::InvalidInput(m)
            | ActionError::Timeout(m)
            | ActionError::Transport(m),
        ) => {
            assert!(!m.is_empty())
        }
    }
    if let Err(error) = result {
        let json = json_entry::error_json(error);
        assert!(!json.to_string().contains(token));
    }
}

proptest! {
    #[test]
    fn json_requests_never_panic_and_errors_are_invalid_input(text in any::<String>()) {
        if let Err(error) = json_entry::parse(&text) {
            prop_assert!(matches!(error, ActionError::InvalidInput(_)));
        }
    }

    #[test]
    fn json_shaped_requests_are_parsed_or_named(
        base_url in prop_oneof![Just(Value::from("https://c.invalid")), any::<i64>().prop_map(Value::from), Just(Value::Null)],
        threat_id in prop_oneof!["[0-9 ]{0,25}".prop_map(Value::from), any::<u64>().prop_map(Value::from), Just(Value::Bool(true))],
        timeout in prop_oneof![Just(Value::Null), any::<i64>().prop_map(Value::from), any::<f64>().prop_map(Value::from), "[0-9a-z]{0,4}".prop_map(Value::from)],
        extra in proptest::option::of("[a-z_]{1,12}"),
    ) {
        let mut connection = serde_json::json!({"base_url": base_url, "api_token": "tok", "timeout_ms": timeout});
        if let Some(key) = extra {
            connection[key] = Value::from(1);
        }
        let request = serde_json::json!({"connection": connection, "inputs": {"path_parameters": {"threat_id": threat_id}}});
        match json_entry::parse(&request.to_string()) {
            Ok(parsed) => prop_assert!(parsed.threat_id.chars().all(|c| c.is_ascii_digit() || c == ' ')),
            Err(ActionError::InvalidInput(m)) => prop_assert!(m.contains(": "), "{}", m),
            Err(other) => prop_assert!(false, "{:?}", other),
        }
    }

    #[test]
    fn validation_never_panics_and_never_echoes_the_token(
        base_url in any::<String>(), api_token in any::<String>(), threat_id in any::<String>(),
        timeout_ms in any::<Option<u32>>(), max_retries in any::<Option<u32>>(),
    ) {
        let connection = Connection { base_url, api_token: api_token.clone(), timeout_ms, max_retries };
        if let Err(error) = validate::check(&connection, &threat_id) {
            let ActionError::InvalidInput(message) = error else { panic!("{error:?}") };
            prop_assert!(api_token.len() < 6 || !message.contains(&api_token));
        }
    }

    #[test]
    fn any_answer_maps_to_a_contract_case_without_the_token(
        (token, answer) in token().prop_flat_map(|t| (Just(t.clone()), raw_response(t))),
        retries in 0u32..3,
    ) {
        let connection = Connection {
            base_url: "https://console.invalid".into(),
            api_token: token.clone(),
            timeout_ms: Some(60_000),
            max_retries: Some(retries),
        };
        let mut transport = Fixed { now: 0, answer: Ok(answer), sent: 0 };
        let result = action::run(&mut transport, &connection, "14629133470822878");
        check_contract(&result, &token);
        prop_assert!(transport.sent as u32 <= retries + 1);
    }

    #[test]
    fn body_decoding_never_panics(
        encoding in prop_oneof![Just(None), Just(Some(b"gzip".to_vec())), Just(Some(b"deflate".to_vec())), any::<Option<Vec<u8>>>()],
        chunks in proptest::collection::vec(any::<Vec<u8>>(), 0..8),
    ) {
        let mut sink = BodySink::new(encoding.as_deref());
        let mut failed = false;
        for chunk in &chunks {
            if sink.push(chunk).is_err() {
                failed = true;
                break;
            }
        }
        if !failed {
            let _ = sink.finish();
        }
    }
}
