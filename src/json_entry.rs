//! The JSON entry point (`invoke-json`): the same action for engines that
//! pass JSON around. Parsing names every field it rejects.

use serde_json::{Map, Value};

use crate::action::{self, Transport};
use crate::error::ActionError;
use crate::output::Output;
use crate::validate::{Connection, field};

/// Parsed `invoke-json` request: the connection and the raw threat id.
pub struct JsonRequest {
    pub connection: Connection,
    pub threat_id: String,
}

/// Runs the action for a JSON request; both arms are JSON text.
pub fn invoke(transport: &mut impl Transport, request: &str) -> Result<String, String> {
    let outcome = parse(request)
        .and_then(|parsed| action::run(transport, &parsed.connection, &parsed.threat_id));
    match outcome {
        Ok(output) => Ok(output.to_documented_json().to_string()),
        Err(error) => Err(error_json(&error).to_string()),
    }
}

/// `{"error": {"kind", "message", "output"?}}`.
pub fn error_json(error: &ActionError) -> Value {
    let mut body = Map::new();
    body.insert("kind".into(), Value::from(error.kind()));
    body.insert("message".into(), Value::from(error.message()));
    if let ActionError::HttpStatus(output) = error {
        body.insert("output".into(), Output::to_documented_json(output));
    }
    let mut root = Map::new();
    root.insert("error".into(), Value::Object(body));
    Value::Object(root)
}

/// Reads the request, rejecting malformed JSON, missing fields, wrong types
/// and unknown fields with `invalid-input` naming the field.
pub fn parse(text: &str) -> Result<JsonRequest, ActionError> {
    // serde_json's messages give a position, never the text itself.
    let root: Value = serde_json::from_str(text)
        .map_err(|e| ActionError::invalid_input("request", format!("is not valid JSON ({e})")))?;
    parse_root(&root)
}

fn parse_root(root: &Value) -> Result<JsonRequest, ActionError> {
    let root = object(root, "request")?;
    only_known(root, "", &["connection", "inputs"])?;
    let connection = object(required(root, "", "connection")?, "connection")?;
    only_known(
        connection,
        "connection.",
        &["base_url", "api_token", "timeout_ms", "max_retries"],
    )?;
    let inputs = object(required(root, "", "inputs")?, "inputs")?;
    only_known(inputs, "inputs.", &["path_parameters"])?;
    let path = object(
        required(inputs, "inputs.", "path_parameters")?,
        "inputs.path_parameters",
    )?;
    only_known(path, "inputs.path_parameters.", &["threat_id"])?;

    let threat_id = match required(path, "inputs.path_parameters.", "threat_id")? {
        Value::String(id) => id.clone(),
        Value::Number(_) => {
            return Err(ActionError::invalid_input(
                field::THREAT_ID,
                "must be a JSON string, not a number (ids do not fit in a JSON double: quote it)",
            ));
        }
        other => return Err(wrong_type(field::THREAT_ID, "a string", other)),
    };
    Ok(JsonRequest {
        connection: Connection {
            base_url: string(
                required(connection, "connection.", "base_url")?,
                field::BASE_URL,
            )?,
            api_token: string(
                required(connection, "connection.", "api_token")?,
                field::API_TOKEN,
            )?,
            timeout_ms: optional_u32(connection.get("timeout_ms"), field::TIMEOUT_MS)?,
            max_retries: optional_u32(connection.get("max_retries"), field::MAX_RETRIES)?,
        },
        threat_id,
    })
}

fn object<'a>(value: &'a Value, name: &str) -> Result<&'a Map<String, Value>, ActionError> {
    value
        .as_object()
        .ok_or_else(|| wrong_type(name, "a JSON object", value))
}

fn required<'a>(
    map: &'a Map<String, Value>,
    prefix: &str,
    key: &str,
) -> Result<&'a Value, ActionError> {
    match map.get(key) {
        Some(Value::Null) | None => Err(ActionError::invalid_input(
            &format!("{prefix}{key}"),
            "is required",
        )),
        Some(value) => Ok(value),
    }
}

fn only_known(map: &Map<String, Value>, prefix: &str, known: &[&str]) -> Result<(), ActionError> {
    match map.keys().find(|key| !known.contains(&key.as_str())) {
        None => Ok(()),
        Some(key) => Err(ActionError::invalid_input(
            &format!("{prefix}{}", shown_key(key)),
            format!("is not a known field (expected: {})", known.join(", ")),
        )),
    }
}

fn string(value: &Value, name: &str) -> Result<String, ActionError> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| wrong_type(name, "a string", value))
}

/// Absent or `null` means "use the default"; values beyond `u32` saturate
/// so that range checking reports them.
fn optional_u32(value: Option<&Value>, name: &str) -> Result<Option<u32>, ActionError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match (n.as_u64(), n.as_i64()) {
            (Some(v), _) => Ok(Some(u32::try_from(v).unwrap_or(u32::MAX))),
            (None, Some(_)) => Err(ActionError::invalid_input(name, "must not be negative")),
            (None, None) => Err(ActionError::invalid_input(name, "must be a whole number")),
        },
        Some(other) => Err(wrong_type(name, "a whole number", other)),
    }
}

fn wrong_type(name: &str, expected: &str, got: &Value) -> ActionError {
    let got = match got {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    ActionError::invalid_input(name, format!("must be {expected}, not {got}"))
}

/// Unknown field names are echoed so typos are easy to spot, but only when
/// short and plain: a long key might be a secret pasted in the wrong place.
fn shown_key(key: &str) -> &str {
    let plain = key.len() <= 32
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if plain { key } else { "<unknown field>" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(request: Value) -> String {
        match parse(&request.to_string()) {
            Err(ActionError::InvalidInput(m)) => m,
            Err(other) => panic!("expected invalid-input, got {other:?}"),
            Ok(_) => panic!("expected invalid-input, got a request"),
        }
    }

    fn good() -> Value {
        json!({
            "connection": {"base_url": "https://c.invalid", "api_token": "tok"},
            "inputs": {"path_parameters": {"threat_id": "123"}}
        })
    }

    #[test]
    fn a_good_request_parses_with_defaults() {
        let parsed = parse(&good().to_string()).unwrap();
        assert_eq!(parsed.threat_id, "123");
        assert_eq!(parsed.connection.timeout_ms, None);
        let mut with_numbers = good();
        with_numbers["connection"]["timeout_ms"] = json!(1500);
        with_numbers["connection"]["max_retries"] = json!(0);
        let parsed = parse(&with_numbers.to_string()).unwrap();
        assert_eq!(
            (parsed.connection.timeout_ms, parsed.connection.max_retries),
            (Some(1500), Some(0))
        );
    }

    #[test]
    fn malformed_json_is_invalid_input() {
        assert!(
            matches!(parse("{not json"), Err(ActionError::InvalidInput(m)) if m.starts_with("request: is not valid JSON"))
        );
        assert!(rule(json!([1])).starts_with("request: must be a JSON object, not an array"));
    }

    #[test]
    fn each_field_is_named() {
        let cases: Vec<(Value, &str)> = vec![
            (
                json!({"inputs": good()["inputs"]}),
                "connection: is required",
            ),
            (
                json!({"connection": good()["connection"]}),
                "inputs: is required",
            ),
            (
                json!({"connection": 1, "inputs": {}}),
                "connection: must be a JSON object, not a number",
            ),
            (
                json!({"connection": {"api_token": "t"}, "inputs": good()["inputs"]}),
                "connection.base_url: is required",
            ),
            (
                json!({"connection": {"base_url": "https://c.invalid"}, "inputs": good()["inputs"]}),
                "connection.api_token: is required",
            ),
            (
                json!({"connection": {"base_url": 5, "api_token": "t"}, "inputs": good()["inputs"]}),
                "connection.base_url: must be a string, not a number",
            ),
            (
                json!({"connection": good()["connection"], "inputs": {}}),
                "inputs.path_parameters: is required",
            ),
            (
                json!({"connection": good()["connection"], "inputs": {"path_parameters": {}}}),
                "inputs.path_parameters.threat_id: is required",
            ),
            (
                json!({"connection": good()["connection"], "inputs": {"path_parameters": {"threat_id": 123}}}),
                "inputs.path_parameters.threat_id: must be a JSON string, not a number",
            ),
            (
                json!({"connection": good()["connection"], "inputs": {"path_parameters": {"threat_id": [1]}}}),
                "inputs.path_parameters.threat_id: must be a string, not an array",
            ),
        ];
        for (request, expected) in cases {
            let got = rule(request.clone());
            assert!(got.starts_with(expected), "{request}: {got}");
        }
    }

    #[test]
    fn numbers_are_checked() {
        for (value, expected) in [
            (
                json!("100"),
                "connection.timeout_ms: must be a whole number, not a string",
            ),
            (json!(1.5), "connection.timeout_ms: must be a whole number"),
            (json!(-1), "connection.timeout_ms: must not be negative"),
        ] {
            let mut request = good();
            request["connection"]["timeout_ms"] = value;
            assert!(rule(request).starts_with(expected), "{expected}");
        }
        let mut huge = good();
        huge["connection"]["max_retries"] = json!(1u64 << 40);
        assert_eq!(
            parse(&huge.to_string()).unwrap().connection.max_retries,
            Some(u32::MAX)
        );
    }

    #[test]
    fn unknown_fields_are_rejected_by_name() {
        let mut request = good();
        request["connection"]["timeout"] = json!(5);
        assert!(rule(request).starts_with("connection.timeout: is not a known field (expected: base_url, api_token, timeout_ms, max_retries)"));
    }

    #[test]
    fn error_json_shape() {
        let e = error_json(&ActionError::Timeout("late".into()));
        assert_eq!(e, json!({"error": {"kind": "timeout", "message": "late"}}));
    }
}
