//! The component asks for no more than an HTTP client needs, and the host
//! grants no more than that.

mod common;

use common::runtime;

/// What an HTTP client built with Rust's std may import.
const ALLOWED_PREFIXES: &[&str] = &[
    "wasi:http/types@",
    "wasi:http/outgoing-handler@",
    "wasi:io/",
    "wasi:clocks/",
    "wasi:random/",
    "wasi:cli/environment@",
    "wasi:cli/exit@",
    "wasi:cli/stdin@",
    "wasi:cli/stdout@",
    "wasi:cli/stderr@",
    "wasi:cli/terminal-",
];

#[test]
fn imports_are_only_what_an_http_client_needs() {
    let imports = runtime().imports();
    assert!(
        imports
            .iter()
            .any(|i| i.starts_with("wasi:http/outgoing-handler@")),
        "{imports:#?}"
    );
    for import in &imports {
        assert!(
            ALLOWED_PREFIXES.iter().any(|p| import.starts_with(p)),
            "unexpected import {import}; all imports: {imports:#?}"
        );
    }
    for forbidden in ["wasi:filesystem", "wasi:sockets"] {
        assert!(
            !imports.iter().any(|i| i.starts_with(forbidden)),
            "{forbidden} imported"
        );
    }
}
