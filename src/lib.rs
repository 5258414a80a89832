//! SentinelOne "Download From Cloud" as a WASI 0.2 component.
//!
//! Everything but the two `wasm32`-only modules is plain Rust, so the
//! validation, request building, response mapping, retry policy and JSON
//! entry are unit-tested natively and fuzzable.

pub mod action;
pub mod body;
pub mod console_url;
pub mod error;
pub mod headers;
pub mod json_entry;
pub mod limits;
pub mod output;
pub mod reason;
pub mod redact;
pub mod request;
pub mod response;
pub mod retry;
pub mod status_message;
pub mod validate;

#[cfg(target_arch = "wasm32")]
mod component;
#[cfg(target_arch = "wasm32")]
mod wasi_transport;
