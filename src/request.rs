//! The one request this action sends, built from checked inputs.

use crate::console_url::Scheme;
use crate::validate::Checked;

/// Names the action and its version to the console's access logs.
pub const USER_AGENT: &str = concat!(
    "sentinelone-download-from-cloud/",
    env!("CARGO_PKG_VERSION"),
    " (wasi-0.2 component)"
);

/// A GET request split the way wasi:http wants it.
#[derive(Clone, PartialEq)]
pub struct HttpRequest {
    pub scheme: Scheme,
    pub authority: String,
    pub path_with_query: String,
    pub headers: Vec<(String, Vec<u8>)>,
}

/// Debug output must never show the token, so `authorization` is masked.
impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, String)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let shown = if name.eq_ignore_ascii_case("authorization") {
                    "<redacted>".to_string()
                } else {
                    String::from_utf8_lossy(value).into_owned()
                };
                (name.as_str(), shown)
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("scheme", &self.scheme)
            .field("authority", &self.authority)
            .field("path_with_query", &self.path_with_query)
            .field("headers", &headers)
            .finish()
    }
}

/// `GET {prefix}/web/api/v2.1/threats/{id}/download-from-cloud`.
pub fn build(checked: &Checked) -> HttpRequest {
    let path_with_query = format!(
        "{}/web/api/v2.1/threats/{}/download-from-cloud",
        checked.console.path_prefix, checked.threat_id
    );
    let header = |name: &str, value: String| (name.to_string(), value.into_bytes());
    HttpRequest {
        scheme: checked.console.scheme,
        authority: checked.console.authority.clone(),
        path_with_query,
        headers: vec![
            header("authorization", format!("ApiToken {}", checked.api_token)),
            header("accept", "application/json".into()),
            // We decode gzip ourselves; it shrinks what crosses the network.
            header("accept-encoding", "gzip".into()),
            header("user-agent", USER_AGENT.into()),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{Connection, check};

    fn request(base_url: &str) -> HttpRequest {
        let connection = Connection {
            base_url: base_url.into(),
            api_token: "s3cr3t-token".into(),
            ..Connection::default()
        };
        build(&check(&connection, " 14629133470822878 ").unwrap())
    }

    #[test]
    fn path_and_headers() {
        let r = request("https://usea1.sentinelone.net/web/api/v2.1/");
        assert_eq!(r.authority, "usea1.sentinelone.net");
        assert_eq!(
            r.path_with_query,
            "/web/api/v2.1/threats/14629133470822878/download-from-cloud"
        );
        let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["authorization", "accept", "accept-encoding", "user-agent"]
        );
        assert_eq!(r.headers[0].1, b"ApiToken s3cr3t-token");
        assert!(USER_AGENT.starts_with("sentinelone-download-from-cloud/1."));
    }

    #[test]
    fn debug_never_shows_the_token() {
        let shown = format!("{:?}", request("https://a.example"));
        assert!(!shown.contains("s3cr3t-token"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }
}
