//! Mapping what the console sent into the documented output, and deciding
//! whether it is the documented success.

use serde_json::Value;

use crate::error::ActionError;
use crate::headers;
use crate::limits::MAX_TEXT_BODY_BYTES;
use crate::output::Output;
use crate::reason;

/// One HTTP answer as the transport read it: lower-case header names as
/// wasi:http gives them, and the body already decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The first value of header `name`, if present.
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        headers::raw_value(&self.headers, name)
    }
}

/// The documented output for any answer.
pub fn to_output(raw: &RawResponse) -> Output {
    Output {
        status_code: raw.status,
        reason: reason::phrase(raw.status).to_string(),
        response_headers: headers::merge(&raw.headers),
        json_body: body_to_json(&raw.body),
    }
}

/// JSON bodies as they are; other text as a JSON string of its first
/// 4 KiB; an empty body as `null`.
pub fn body_to_json(body: &[u8]) -> Value {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Value::Null;
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => value,
        Err(_) => Value::String(text_prefix(body, MAX_TEXT_BODY_BYTES)),
    }
}

/// At most `limit` bytes of `body` as text, cut on a character boundary.
fn text_prefix(body: &[u8], limit: usize) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(limit)]);
    let mut end = text.len().min(limit);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// Success is a 2xx whose body carries string `data.downloadUrl` and
/// `data.fileName`; any other 2xx is `invalid-response`, anything else
/// `http-status`.
pub fn classify(output: Output) -> Result<Output, ActionError> {
    if !(200..300).contains(&output.status_code) {
        return Err(ActionError::HttpStatus(Box::new(output)));
    }
    let data = output.json_body.get("data");
    let field_is_string = |name: &str| data.and_then(|d| d.get(name)).is_some_and(Value::is_string);
    let missing: Vec<&str> = ["downloadUrl", "fileName"]
        .into_iter()
        .filter(|name| !field_is_string(name))
        .collect();
    if missing.is_empty() {
        return Ok(output);
    }
    let what = match &output.json_body {
        Value::Object(_) => "a JSON object",
        Value::Null => "an empty body",
        Value::String(_) => "a body that is not JSON",
        _ => "JSON that is not an object",
    };
    Err(ActionError::InvalidResponse(format!(
        "the console answered {} {} with {what}, without string data.{}",
        output.status_code,
        output.reason,
        missing.join(" and data.")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            headers: vec![("content-type".into(), b"application/json".to_vec())],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn documented_success() {
        let body = r#"{"data":{"downloadUrl":"https://x/y","fileName":"abc"}}"#;
        let output = classify(to_output(&raw(200, body))).unwrap();
        assert_eq!(output.reason, "OK");
        assert_eq!(
            output.json_body,
            json!({"data":{"downloadUrl":"https://x/y","fileName":"abc"}})
        );
        assert_eq!(
            output.response_headers,
            vec![("Content-Type".into(), "application/json".into())]
        );
    }

    #[test]
    fn key_order_is_kept() {
        let value = body_to_json(br#"{"z":1,"a":2}"#);
        assert_eq!(serde_json::to_string(&value).unwrap(), r#"{"z":1,"a":2}"#);
    }

    #[test]
    fn non_json_and_empty_bodies() {
        assert_eq!(body_to_json(b""), Value::Null);
        assert_eq!(body_to_json(b" \r\n"), Value::Null);
        assert_eq!(
            body_to_json(b"<html>bad gateway</html>"),
            json!("<html>bad gateway</html>")
        );
        let long = "é".repeat(5000);
        let Value::String(text) = body_to_json(long.as_bytes()) else {
            panic!()
        };
        assert!(text.len() <= 4096 && text.chars().all(|c| c == 'é'));
    }

    #[test]
    fn a_2xx_without_the_fields_is_invalid_response() {
        for body in [
            r#"{"data":{"downloadUrl":"u"}}"#,
            r#"{"data":{"downloadUrl":1,"fileName":"f"}}"#,
            "[]",
            "oops",
            "",
        ] {
            match classify(to_output(&raw(200, body))) {
                Err(ActionError::InvalidResponse(m)) => assert!(m.contains("200 OK"), "{m}"),
                other => panic!("{body}: {other:?}"),
            }
        }
    }

    #[test]
    fn other_statuses_are_http_status() {
        for status in [301, 401, 404, 429, 503] {
            assert!(
                matches!(classify(to_output(&raw(status, "{}"))), Err(ActionError::HttpStatus(o)) if o.status_code == status)
            );
        }
    }
}
