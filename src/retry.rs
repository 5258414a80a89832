//! When to retry and how long to wait first.

/// First backoff step when the console gives no `Retry-After`.
const BASE_BACKOFF_MS: u64 = 250;
/// Longest backoff step; the deadline bounds the total anyway.
const MAX_BACKOFF_MS: u64 = 4_000;

/// Rate limits and server-side failures may pass; nothing else will.
pub fn is_retryable(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status)
}

/// How long to wait before retry number `attempt` (0 for the first retry):
/// `Retry-After` seconds when the console gives them, else exponential
/// backoff (250 ms, 500 ms, 1 s, ... capped at 4 s).
pub fn delay_ms(attempt: u32, retry_after: Option<&[u8]>) -> u64 {
    if let Some(seconds) = retry_after.and_then(parse_retry_after_seconds) {
        return seconds.saturating_mul(1000);
    }
    BASE_BACKOFF_MS
        .saturating_mul(1u64 << attempt.min(16))
        .min(MAX_BACKOFF_MS)
}

/// `Retry-After: <delta-seconds>`. The HTTP-date form would need wall-clock
/// time, which the component does not import; backoff is used for it.
fn parse_retry_after_seconds(value: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(value).ok()?.trim();
    if text.is_empty() || text.len() > 10 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_statuses() {
        assert!(is_retryable(429));
        assert!(is_retryable(500) && is_retryable(503) && is_retryable(599));
        assert!(
            !is_retryable(400) && !is_retryable(401) && !is_retryable(404) && !is_retryable(302)
        );
    }

    #[test]
    fn retry_after_seconds_win() {
        assert_eq!(delay_ms(0, Some(b"2")), 2000);
        assert_eq!(delay_ms(3, Some(b" 0 ")), 0);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(delay_ms(0, None), 250);
        assert_eq!(delay_ms(1, None), 500);
        assert_eq!(delay_ms(2, Some(b"Wed, 21 Oct 2015 07:28:00 GMT")), 1000);
        assert_eq!(delay_ms(9, None), 4000);
        assert_eq!(delay_ms(u32::MAX, Some(b"-1")), 4000);
        assert_eq!(delay_ms(0, Some(b"99999999999")), 250);
    }
}
