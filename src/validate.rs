//! Input validation: every rule is checked before anything is sent.

use crate::console_url::{self, ConsoleUrl};
use crate::error::ActionError;
use crate::limits;

/// The connection as a caller gives it (WIT `connection`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Connection {
    pub base_url: String,
    pub api_token: String,
    pub timeout_ms: Option<u32>,
    pub max_retries: Option<u32>,
}

/// A request whose every input passed its rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub console: ConsoleUrl,
    pub api_token: String,
    pub threat_id: String,
    pub timeout_ms: u32,
    pub max_retries: u32,
}

/// Field paths as the JSON entry and the manifest name them.
pub mod field {
    pub const BASE_URL: &str = "connection.base_url";
    pub const API_TOKEN: &str = "connection.api_token";
    pub const TIMEOUT_MS: &str = "connection.timeout_ms";
    pub const MAX_RETRIES: &str = "connection.max_retries";
    pub const THREAT_ID: &str = "inputs.path_parameters.threat_id";
}

/// Checks every input; the first broken rule is returned as `invalid-input`.
pub fn check(connection: &Connection, threat_id: &str) -> Result<Checked, ActionError> {
    let console = console_url::parse(&connection.base_url)
        .map_err(|rule| ActionError::invalid_input(field::BASE_URL, rule))?;
    check_token(&connection.api_token)?;
    let threat_id = check_threat_id(threat_id)?;
    let timeout_ms = connection.timeout_ms.unwrap_or(limits::DEFAULT_TIMEOUT_MS);
    if !(1..=limits::MAX_TIMEOUT_MS).contains(&timeout_ms) {
        return Err(ActionError::invalid_input(
            field::TIMEOUT_MS,
            format!(
                "must be between 1 and {} milliseconds",
                limits::MAX_TIMEOUT_MS
            ),
        ));
    }
    let max_retries = connection
        .max_retries
        .unwrap_or(limits::DEFAULT_MAX_RETRIES);
    if max_retries > limits::MAX_RETRIES {
        return Err(ActionError::invalid_input(
            field::MAX_RETRIES,
            format!("must be between 0 and {}", limits::MAX_RETRIES),
        ));
    }
    Ok(Checked {
        console,
        api_token: connection.api_token.clone(),
        threat_id,
        timeout_ms,
        max_retries,
    })
}

fn check_token(token: &str) -> Result<(), ActionError> {
    let fail = |rule: &str| Err(ActionError::invalid_input(field::API_TOKEN, rule));
    if token.is_empty() {
        return fail("is required");
    }
    if token.len() > limits::MAX_TOKEN_LEN {
        return fail("must be at most 8192 characters");
    }
    let has_scheme_prefix = token
        .get(.."ApiToken ".len())
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("ApiToken "));
    if has_scheme_prefix {
        return fail("must be the token alone, without the 'ApiToken ' prefix");
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return fail(
            "must be printable ASCII without spaces or control characters (check for a trailing newline)",
        );
    }
    Ok(())
}

fn check_threat_id(raw: &str) -> Result<String, ActionError> {
    let id = raw.trim();
    let digits_only = id.bytes().all(|b| b.is_ascii_digit());
    if id.is_empty() || !digits_only || id.len() > limits::MAX_THREAT_ID_DIGITS {
        return Err(ActionError::invalid_input(
            field::THREAT_ID,
            "must be 1 to 19 ASCII digits (a SentinelOne threat id, e.g. 1462913347082287800)",
        ));
    }
    Ok(id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection() -> Connection {
        Connection {
            base_url: "https://usea1.sentinelone.net".into(),
            api_token: "tok-123".into(),
            timeout_ms: None,
            max_retries: None,
        }
    }

    fn rule_for(connection: &Connection, threat_id: &str) -> String {
        match check(connection, threat_id) {
            Err(ActionError::InvalidInput(message)) => message,
            other => panic!("expected invalid-input, got {other:?}"),
        }
    }

    #[test]
    fn defaults_apply() {
        let checked = check(&connection(), " 1462913347082287800\n").unwrap();
        assert_eq!(checked.threat_id, "1462913347082287800");
        assert_eq!(checked.timeout_ms, 30_000);
        assert_eq!(checked.max_retries, 2);
    }

    #[test]
    fn threat_id_rules() {
        for bad in ["", "  ", "12a", "-1", "1.5", "12345678901234567890", "١٢٣"] {
            let rule = rule_for(&connection(), bad);
            assert!(
                rule.starts_with("inputs.path_parameters.threat_id: must be 1 to 19 ASCII digits"),
                "{bad:?}: {rule}"
            );
        }
        assert!(check(&connection(), "1").is_ok());
        assert!(check(&connection(), "9999999999999999999").is_ok());
    }

    #[test]
    fn token_rules() {
        for (bad, expected) in [
            ("", "is required"),
            ("tok en", "without spaces"),
            ("tok\n", "control characters"),
            ("tök", "printable ASCII"),
            ("ApiToken abc", "without the 'ApiToken ' prefix"),
        ] {
            let c = Connection {
                api_token: bad.into(),
                ..connection()
            };
            let rule = rule_for(&c, "1");
            assert!(rule.starts_with("connection.api_token: "), "{rule}");
            assert!(rule.contains(expected), "{bad:?}: {rule}");
            assert!(
                bad.is_empty() || !rule.contains(bad),
                "token echoed: {rule}"
            );
        }
        let long = Connection {
            api_token: "a".repeat(8193),
            ..connection()
        };
        assert!(rule_for(&long, "1").contains("at most 8192"));
    }

    #[test]
    fn number_ranges() {
        let c = Connection {
            timeout_ms: Some(0),
            ..connection()
        };
        assert!(
            rule_for(&c, "1").starts_with("connection.timeout_ms: must be between 1 and 600000")
        );
        let c = Connection {
            timeout_ms: Some(600_001),
            ..connection()
        };
        assert!(rule_for(&c, "1").starts_with("connection.timeout_ms:"));
        let c = Connection {
            max_retries: Some(11),
            ..connection()
        };
        assert!(rule_for(&c, "1").starts_with("connection.max_retries: must be between 0 and 10"));
        let c = Connection {
            timeout_ms: Some(600_000),
            max_retries: Some(10),
            ..connection()
        };
        assert!(check(&c, "1").is_ok());
    }

    #[test]
    fn base_url_errors_name_the_field() {
        let c = Connection {
            base_url: "http://example.com".into(),
            ..connection()
        };
        assert!(rule_for(&c, "1").starts_with("connection.base_url: must use https://"));
    }
}
