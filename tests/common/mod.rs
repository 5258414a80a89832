//! Shared helpers: one compiled component per test binary, and builders for
//! the typed inputs.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::sync::OnceLock;

use s1_dfc_host::runtime::{Connection, Inputs, PathParameters};
use s1_dfc_host::{ActionRuntime, component_path};

pub const TOKEN: &str = "test-token-9f8e7d6c5b4a";
pub const THREAT_ID: &str = "14629133470822878";

/// The real `.wasm`, compiled once and shared by every test in the binary.
pub fn runtime() -> &'static ActionRuntime {
    static RUNTIME: OnceLock<ActionRuntime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let path = component_path();
        ActionRuntime::from_file(&path).unwrap_or_else(|e| {
            panic!(
                "cannot load {}: {e:#}\nbuild it first with `make build`",
                path.display()
            )
        })
    })
}

pub fn connection(base_url: &str, timeout_ms: Option<u32>, max_retries: Option<u32>) -> Connection {
    Connection {
        base_url: base_url.to_string(),
        api_token: TOKEN.to_string(),
        timeout_ms,
        max_retries,
    }
}

pub fn inputs(threat_id: &str) -> Inputs {
    Inputs {
        path_parameters: PathParameters {
            threat_id: threat_id.to_string(),
        },
    }
}

/// A JSON request for `invoke-json`.
pub fn json_request(base_url: &str, threat_id: &str) -> String {
    serde_json::json!({
        "connection": {"base_url": base_url, "api_token": TOKEN, "timeout_ms": 5000, "max_retries": 0},
        "inputs": {"path_parameters": {"threat_id": threat_id}},
    })
    .to_string()
}

/// A loopback URL where nothing listens: a port just bound and released.
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}
