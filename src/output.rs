//! The documented output shape and its JSON rendering.

use serde_json::{Map, Value};

/// The console's answer in the documented raw-response shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub status_code: u16,
    pub reason: String,
    /// One entry per header name, display-cased, repeated values joined.
    pub response_headers: Vec<(String, String)>,
    pub json_body: Value,
}

impl Output {
    /// The documented JSON: a one-element array, keys in the seed's order,
    /// headers as an object and the body as JSON (not a string).
    pub fn to_documented_json(&self) -> Value {
        let headers: Map<String, Value> = self
            .response_headers
            .iter()
            .map(|(name, value)| (name.clone(), Value::String(value.clone())))
            .collect();
        let mut entry = Map::new();
        entry.insert("status_code".into(), Value::from(self.status_code));
        entry.insert("response_headers".into(), Value::Object(headers));
        entry.insert("reason".into(), Value::String(self.reason.clone()));
        entry.insert("json_body".into(), self.json_body.clone());
        Value::Array(vec![Value::Object(entry)])
    }

    /// The value of a header by its case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.response_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}
