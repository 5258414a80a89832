//! Response header mapping: one entry per name, in the documented spelling.

/// Names the seed's Response Headers table lists, in its spelling.
const DOCUMENTED_NAMES: &[&str] = &[
    "Server",
    "Date",
    "Content-Type",
    "Transfer-Encoding",
    "Connection",
    "X-RQID",
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Vary",
    "Strict-Transport-Security",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Content-Security-Policy",
    "Cache-Control",
    "Pragma",
    "Expires",
    "Content-Encoding",
];

/// The display name of a header: the documented spelling when the table
/// lists it, Train-Case otherwise (`x-request-id` -> `X-Request-Id`).
pub fn display_name(name: &str) -> String {
    if let Some(known) = DOCUMENTED_NAMES
        .iter()
        .find(|known| known.eq_ignore_ascii_case(name))
    {
        return (*known).to_string();
    }
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => {
                    first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Merges raw `(name, value)` fields into one entry per name, first-seen
/// order, repeated values joined with `, `. Values that are not UTF-8 are
/// kept with replacement characters rather than dropped.
pub fn merge(fields: &[(String, Vec<u8>)]) -> Vec<(String, String)> {
    let mut merged: Vec<(String, String)> = Vec::new();
    for (name, value) in fields {
        let display = display_name(name);
        let value = String::from_utf8_lossy(value);
        match merged.iter_mut().find(|(n, _)| *n == display) {
            Some((_, existing)) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            None => merged.push((display, value.into_owned())),
        }
    }
    merged
}

/// The first value of `name` (case-insensitive) among raw fields.
pub fn raw_value<'a>(fields: &'a [(String, Vec<u8>)], name: &str) -> Option<&'a [u8]> {
    fields
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, value: &str) -> (String, Vec<u8>) {
        (name.to_string(), value.as_bytes().to_vec())
    }

    #[test]
    fn documented_names_keep_their_spelling() {
        assert_eq!(display_name("x-rqid"), "X-RQID");
        assert_eq!(display_name("content-type"), "Content-Type");
        assert_eq!(
            display_name("CONTENT-SECURITY-POLICY"),
            "Content-Security-Policy"
        );
    }

    #[test]
    fn other_names_are_train_case() {
        assert_eq!(display_name("x-request-id"), "X-Request-Id");
        assert_eq!(display_name("etag"), "Etag");
        assert_eq!(display_name("retry-after"), "Retry-After");
        assert_eq!(display_name("a--b"), "A--B");
    }

    #[test]
    fn repeated_values_are_joined_in_order() {
        let merged = merge(&[
            field("vary", "Origin"),
            field("server", "nginx"),
            field("Vary", "Accept-Encoding"),
        ]);
        assert_eq!(
            merged,
            vec![
                ("Vary".to_string(), "Origin, Accept-Encoding".to_string()),
                ("Server".to_string(), "nginx".to_string()),
            ]
        );
    }

    #[test]
    fn non_utf8_values_are_kept_lossily() {
        let merged = merge(&[("x-odd".to_string(), vec![b'a', 0xff, b'b'])]);
        assert_eq!(merged[0].1, "a\u{fffd}b");
    }
}
