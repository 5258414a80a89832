//! Keeps the API token out of everything the action returns, even when a
//! console or proxy echoes request headers back in its answer.

use serde_json::{Map, Value};

use crate::error::ActionError;
use crate::output::Output;

/// What stands where the token was.
pub const MASK: &str = "[REDACTED]";

/// Replaces every occurrence of `token` in `text`.
pub fn text(text: &str, token: &str) -> String {
    if token.is_empty() || !text.contains(token) {
        return text.to_string();
    }
    text.replace(token, MASK)
}

/// Redacts strings and object keys throughout a JSON value.
pub fn json(value: Value, token: &str) -> Value {
    match value {
        Value::String(s) => Value::String(text(&s, token)),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| json(v, token)).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (text(&k, token), json(v, token)))
                .collect::<Map<_, _>>(),
        ),
        other => other,
    }
}

/// Redacts the parts of an output that came from the console.
pub fn output(output: Output, token: &str) -> Output {
    Output {
        response_headers: output
            .response_headers
            .into_iter()
            .map(|(name, value)| (text(&name, token), text(&value, token)))
            .collect(),
        json_body: json(output.json_body, token),
        ..output
    }
}

/// Redacts what an error carries from the console or the host. Input
/// errors are left alone: they are built from fixed rules and field names
/// only, and masking a short token there would only garble the rule.
pub fn error(error: ActionError, token: &str) -> ActionError {
    match error {
        ActionError::InvalidInput(m) => ActionError::InvalidInput(m),
        ActionError::HttpStatus(o) => ActionError::HttpStatus(Box::new(self::output(*o, token))),
        ActionError::Timeout(m) => ActionError::Timeout(text(&m, token)),
        ActionError::Transport(m) => ActionError::Transport(text(&m, token)),
        ActionError::InvalidResponse(m) => ActionError::InvalidResponse(text(&m, token)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn echoed_tokens_are_masked_everywhere() {
        let o = Output {
            status_code: 200,
            reason: "OK".into(),
            response_headers: vec![("X-Echo".into(), "ApiToken tok-9".into())],
            json_body: json!({"headers": {"Authorization": "ApiToken tok-9"}, "tok-9": [1, "tok-9tok-9"]}),
        };
        let shown = serde_json::to_string(&output(o, "tok-9").to_documented_json()).unwrap();
        assert!(!shown.contains("tok-9"), "{shown}");
        assert!(shown.contains("ApiToken [REDACTED]"));
    }

    #[test]
    fn error_messages_are_masked() {
        let e = error(ActionError::Transport("x tok-9 y".into()), "tok-9");
        assert_eq!(e, ActionError::Transport("x [REDACTED] y".into()));
    }
}
