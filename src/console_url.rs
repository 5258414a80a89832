//! Parsing and checking the console's base URL.

use std::net::{Ipv4Addr, Ipv6Addr};

/// The API root a console URL may already end with when pasted from docs.
const API_ROOT: &str = "/web/api/v2.1";

/// The scheme the console is reached with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Https,
    Http,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Https => "https",
            Scheme::Http => "http",
        }
    }
}

/// A checked console URL, split the way wasi:http wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleUrl {
    pub scheme: Scheme,
    /// `host[:port]`, host lower-cased; IPv6 hosts keep their brackets.
    pub authority: String,
    /// Any path before the API root, without a trailing slash (usually "").
    pub path_prefix: String,
}

impl ConsoleUrl {
    /// `scheme://authority`: what the host's origin allow-list compares.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme.as_str(), self.authority)
    }
}

/// Checks `input` against the base URL rules; the error is the broken rule.
pub fn parse(input: &str) -> Result<ConsoleUrl, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("is required (e.g. https://usea1-acme.sentinelone.net)".into());
    }
    if !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("must be a URL of printable ASCII without spaces (use punycode for international hosts)".into());
    }
    let Some((scheme_text, rest)) = text.split_once("://") else {
        return Err("must be an absolute URL starting with https://".into());
    };
    let scheme = if scheme_text.eq_ignore_ascii_case("https") {
        Scheme::Https
    } else if scheme_text.eq_ignore_ascii_case("http") {
        Scheme::Http
    } else {
        return Err("must start with https://".into());
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    if tail.contains('?') {
        return Err("must not contain a query (?...)".into());
    }
    if tail.contains('#') {
        return Err("must not contain a fragment (#...)".into());
    }
    if authority.contains('@') {
        return Err("must not contain user info (user@host); the token goes in api_token".into());
    }
    let host = parse_authority(authority)?;
    if scheme == Scheme::Http && !host.is_loopback {
        return Err("must use https:// (plain http:// is allowed only for localhost, 127.0.0.0/8 and [::1])".into());
    }
    Ok(ConsoleUrl {
        scheme,
        authority: host.authority,
        path_prefix: path_prefix(tail)?,
    })
}

struct Host {
    authority: String,
    is_loopback: bool,
}

fn parse_authority(authority: &str) -> Result<Host, String> {
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let Some((literal, after)) = bracketed.split_once(']') else {
            return Err("has an IPv6 host without its closing ]".into());
        };
        let address: Ipv6Addr = literal
            .parse()
            .map_err(|_| "has an invalid IPv6 address in [...]".to_string())?;
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or("has text after the IPv6 host ]")?,
            ),
        };
        let host = Host {
            authority: format!("[{}]", literal.to_ascii_lowercase()),
            is_loopback: address.is_loopback(),
        };
        (host, port)
    } else {
        let (name, port) = match authority.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, None),
        };
        check_host_name(name)?;
        let name = name.to_ascii_lowercase();
        let is_loopback =
            name == "localhost" || name.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback());
        (
            Host {
                authority: name,
                is_loopback,
            },
            port,
        )
    };
    match port {
        None => Ok(host),
        Some(port) => {
            let number = parse_port(port)?;
            Ok(Host {
                authority: format!("{}:{number}", host.authority),
                ..host
            })
        }
    }
}

fn check_host_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("must name a host (e.g. https://usea1-acme.sentinelone.net)".into());
    }
    if name.len() > 253 {
        return Err("has a host name longer than 253 characters".into());
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !name.split('.').all(label_ok) {
        return Err("has an invalid host name (letters, digits, '-' and '.' only)".into());
    }
    Ok(())
}

fn parse_port(port: &str) -> Result<u16, String> {
    let rule = || "has an invalid port (1 to 65535)".to_string();
    if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(rule());
    }
    match port.parse::<u16>() {
        Ok(0) | Err(_) => Err(rule()),
        Ok(number) => Ok(number),
    }
}

/// The path before the API root: trailing slashes and a pasted
/// `/web/api/v2.1` are dropped so the endpoint path is added exactly once.
fn path_prefix(path: &str) -> Result<String, String> {
    let is_path_char = |b: u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@%/".contains(&b);
    if !path.bytes().all(is_path_char) {
        return Err("has characters that are not allowed in a URL path".into());
    }
    let trimmed = path.trim_end_matches('/');
    let without_root = match trimmed.len().checked_sub(API_ROOT.len()) {
        Some(cut)
            if trimmed.is_char_boundary(cut) && trimmed[cut..].eq_ignore_ascii_case(API_ROOT) =>
        {
            &trimmed[..cut]
        }
        _ => trimmed,
    };
    Ok(without_root.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> ConsoleUrl {
        parse(input).unwrap_or_else(|rule| panic!("{input} rejected: {rule}"))
    }

    #[test]
    fn plain_console_url() {
        let url = ok("https://usea1-acme.sentinelone.net");
        assert_eq!(url.scheme, Scheme::Https);
        assert_eq!(url.authority, "usea1-acme.sentinelone.net");
        assert_eq!(url.path_prefix, "");
        assert_eq!(url.origin(), "https://usea1-acme.sentinelone.net");
    }

    #[test]
    fn trailing_slash_and_api_root_are_tolerated() {
        for input in [
            "https://a.sentinelone.net/",
            "https://a.sentinelone.net/web/api/v2.1",
            "https://a.sentinelone.net/web/api/v2.1/",
            " HTTPS://A.SentinelOne.net/Web/Api/V2.1// ",
        ] {
            let url = ok(input);
            assert_eq!(url.authority, "a.sentinelone.net", "{input}");
            assert_eq!(url.path_prefix, "", "{input}");
        }
    }

    #[test]
    fn a_proxy_prefix_is_kept() {
        assert_eq!(ok("https://proxy.example/s1/").path_prefix, "/s1");
    }

    #[test]
    fn ports_and_ip_literals() {
        assert_eq!(ok("https://h.example:8443").authority, "h.example:8443");
        assert_eq!(ok("http://127.0.0.1:8080").authority, "127.0.0.1:8080");
        assert_eq!(ok("http://[::1]:9").authority, "[::1]:9");
        assert_eq!(ok("http://localhost").scheme, Scheme::Http);
        assert_eq!(ok("http://127.5.6.7").authority, "127.5.6.7");
    }

    #[test]
    fn rules_are_enforced() {
        let cases = [
            ("", "is required"),
            ("usea1.sentinelone.net", "absolute URL"),
            ("ftp://h.example", "https://"),
            ("http://h.example", "must use https://"),
            ("http://10.0.0.1", "must use https://"),
            ("http://[::2]", "must use https://"),
            ("https://user:pw@h.example", "user info"),
            ("https://h.example/?x=1", "query"),
            ("https://h.example#top", "fragment"),
            ("https://", "must name a host"),
            ("https://:443", "must name a host"),
            ("https://h.example:0", "port"),
            ("https://h.example:65536", "port"),
            ("https://h.example:x", "port"),
            ("https://h..example", "invalid host"),
            ("https://h ex", "printable ASCII"),
            ("https://h\u{e9}.example", "printable ASCII"),
            ("https://[::1", "closing ]"),
            ("https://[zz]", "IPv6"),
            ("https://[::1]x", "after the IPv6"),
            ("https://h.example/a\"b", "path"),
        ];
        for (input, expected) in cases {
            let rule = parse(input).expect_err(input);
            assert!(rule.contains(expected), "{input:?}: {rule}");
        }
    }
}
