//! The message of an `http-status` error: the status, SentinelOne's own
//! `errors[0]`, and a hint at the usual cause.

use serde_json::Value;

use crate::output::Output;

/// E.g. `the console answered 401 Unauthorized: Authentication Failed
/// (code 4010010); the API token may be invalid or expired`.
pub fn describe(output: &Output) -> String {
    let mut message = format!(
        "the console answered {} {}",
        output.status_code, output.reason
    );
    message = message.trim_end().to_string();
    if let Some(detail) = sentinelone_error(&output.json_body) {
        message.push_str(": ");
        message.push_str(&detail);
    }
    if let Some(hint) = hint(output) {
        message.push_str("; ");
        message.push_str(&hint);
    }
    message
}

/// `title (code N): detail` from `{"errors": [{"code", "title", "detail"}]}`.
fn sentinelone_error(body: &Value) -> Option<String> {
    let first = body.get("errors")?.get(0)?;
    let text = |key: &str| {
        first
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let title = text("title");
    let detail = text("detail");
    let code = first
        .get("code")
        .filter(|c| c.is_number())
        .map(Value::to_string);
    let mut parts = title.unwrap_or("error").to_string();
    if let Some(code) = code {
        parts.push_str(&format!(" (code {code})"));
    }
    if let Some(detail) = detail.filter(|d| Some(*d) != title) {
        parts.push_str(": ");
        parts.push_str(detail);
    }
    (title.is_some() || detail.is_some() || first.get("code").is_some()).then_some(parts)
}

fn hint(output: &Output) -> Option<String> {
    let text = match output.status_code {
        401 => "the API token may be invalid or expired".to_string(),
        403 => "the token's user lacks permission for this threat or its site".to_string(),
        404 => "no such threat, or its file is not in SentinelOne's cloud".to_string(),
        429 => "rate limit reached".to_string(),
        300..=399 => {
            let location = output
                .header("Location")
                .map(|l| format!(" to {l}"))
                .unwrap_or_default();
            format!("redirect{location} not followed; check connection.base_url")
        }
        500..=599 => "the console or a proxy in front of it failed".to_string(),
        _ => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn output(status: u16, reason: &str, body: Value) -> Output {
        Output {
            status_code: status,
            reason: reason.into(),
            response_headers: vec![],
            json_body: body,
        }
    }

    #[test]
    fn unauthorized_names_the_code_and_the_likely_cause() {
        let body =
            json!({"errors":[{"code":4010010,"detail":null,"title":"Authentication Failed"}]});
        assert_eq!(
            describe(&output(401, "Unauthorized", body)),
            "the console answered 401 Unauthorized: Authentication Failed (code 4010010); the API token may be invalid or expired"
        );
    }

    #[test]
    fn detail_is_included() {
        let body = json!({"errors":[{"code":5000010,"detail":"Server could not process the request.","title":"Internal server error"}]});
        let m = describe(&output(500, "Internal Server Error", body));
        assert!(
            m.contains(
                "Internal server error (code 5000010): Server could not process the request."
            ),
            "{m}"
        );
    }

    #[test]
    fn html_bodies_and_odd_shapes_do_not_break_it() {
        assert_eq!(
            describe(&output(418, "I'm a teapot", json!("<html>"))),
            "the console answered 418 I'm a teapot"
        );
        assert_eq!(
            describe(&output(299, "", json!({"errors": "x"}))),
            "the console answered 299"
        );
        assert!(
            describe(&output(404, "Not Found", json!({"errors":[{}]})))
                .contains("not in SentinelOne's cloud")
        );
    }

    #[test]
    fn redirects_say_where() {
        let mut o = output(302, "Found", Value::Null);
        o.response_headers
            .push(("Location".into(), "https://elsewhere.invalid/".into()));
        assert!(describe(&o).contains("redirect to https://elsewhere.invalid/ not followed"));
    }
}
