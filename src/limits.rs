//! The numbers the contract promises, in one place.

/// Deadline used when `timeout_ms` is not given.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;
/// Largest accepted `timeout_ms`: ten minutes.
pub const MAX_TIMEOUT_MS: u32 = 600_000;
/// Retries used when `max_retries` is not given.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Largest accepted `max_retries`.
pub const MAX_RETRIES: u32 = 10;
/// Longest accepted API token, in bytes; far above real tokens (~80).
pub const MAX_TOKEN_LEN: usize = 8192;
/// Longest accepted threat id, in digits (the id is a 64-bit number).
pub const MAX_THREAT_ID_DIGITS: usize = 19;
/// Largest body accepted once decoded; larger ones are `invalid-response`.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// How much text of a non-JSON body is kept in `json_body`.
pub const MAX_TEXT_BODY_BYTES: usize = 4096;
