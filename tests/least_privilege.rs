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

/// A guest still running wasm past its budget is stopped by the epoch
/// deadline: here the budget is 20 ms and the guest would wait 400 ms for a
/// silent console, so its first wasm instructions after that wait trap.
#[tokio::test(flavor = "multi_thread")]
async fn a_guest_past_its_budget_is_stopped() {
    use s1_dfc_host::simulator::{Reply, Simulator};
    use std::time::{Duration, Instant};

    let sim = Simulator::start(vec![Reply::NeverAnswer {
        hold: Duration::from_secs(5),
    }])
    .await
    .unwrap();
    let connection = common::connection(&sim.url(), Some(400), Some(0));
    let inputs = common::inputs(common::THREAT_ID);
    let (action, mut store) = runtime()
        .instantiate(Some(sim.url()), Duration::from_millis(20))
        .await
        .unwrap();
    let started = Instant::now();
    let outcome = action
        .sentinelone_threats_download_from_cloud()
        .call_download_from_cloud(&mut store, &connection, &inputs)
        .await;
    let trap = outcome.expect_err("the epoch deadline must stop the guest");
    assert!(format!("{trap:?}").contains("interrupt"), "{trap:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}
