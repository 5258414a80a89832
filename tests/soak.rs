//! Fault soak: many invocations of the real component, concurrently, against
//! loopback consoles that mix good answers with every fault the contract
//! names. Every result must be the case its scenario calls for, no call may
//! outlive its deadline by more than a small margin, nothing may trap, and
//! host memory must stay flat. `make soak` runs 10,000 calls; `make test` a
//! short version (SOAK_CALLS sets the count).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{THREAT_ID, TOKEN, connection, inputs, runtime};
use s1_dfc_host::runtime::ActionError;
use s1_dfc_host::simulator::{Reply, Simulator, gzip};

/// What a scenario's answer must map to.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Ok,
    HttpStatus(u16),
    Timeout,
    Transport,
    InvalidResponse,
}

const DEADLINE_MS: u32 = 300;
/// How far past the deadline a call may end (scheduling on 2 busy cores).
const OVERRUN_MARGIN: Duration = Duration::from_millis(600);

fn scenarios() -> Vec<(&'static str, Vec<Reply>, Expect)> {
    let html = |status| Reply::Full {
        status,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: b"<html><body>Bad gateway</body></html>".to_vec(),
    };
    vec![
        ("documented gzip 200", vec![Reply::Documented], Expect::Ok),
        (
            "401 SentinelOne error",
            vec![Reply::sentinelone_error(
                401,
                4010010,
                "Authentication Failed",
                None,
            )],
            Expect::HttpStatus(401),
        ),
        (
            "429 burst",
            vec![
                Reply::sentinelone_error(429, 4290010, "Too Many Requests", None)
                    .with_header("Retry-After", "0"),
            ],
            Expect::HttpStatus(429),
        ),
        ("503 HTML page", vec![html(503)], Expect::HttpStatus(503)),
        ("502 HTML page", vec![html(502)], Expect::HttpStatus(502)),
        ("200 HTML page", vec![html(200)], Expect::InvalidResponse),
        (
            "redirect",
            vec![Reply::Full {
                status: 302,
                headers: vec![("Location".into(), "https://elsewhere.invalid/".into())],
                body: vec![],
            }],
            Expect::HttpStatus(302),
        ),
        (
            "oversized",
            vec![Reply::Full {
                status: 200,
                headers: vec![],
                body: vec![b' '; 1024 * 1024 + 10],
            }],
            Expect::InvalidResponse,
        ),
        (
            "gzip bomb",
            vec![Reply::Full {
                status: 200,
                headers: vec![("Content-Encoding".into(), "gzip".into())],
                body: gzip(&vec![b'['; 4 * 1024 * 1024]),
            }],
            Expect::InvalidResponse,
        ),
        (
            "corrupt gzip",
            vec![Reply::Full {
                status: 200,
                headers: vec![("Content-Encoding".into(), "gzip".into())],
                body: b"definitely not gzip".to_vec(),
            }],
            Expect::InvalidResponse,
        ),
        ("truncated body", vec![Reply::Truncated], Expect::Transport),
        (
            "reset before answering",
            vec![Reply::Close],
            Expect::Transport,
        ),
        (
            "never answers",
            vec![Reply::NeverAnswer {
                hold: Duration::from_secs(3),
            }],
            Expect::Timeout,
        ),
        (
            "stalls mid-body",
            vec![Reply::StallBody {
                sent: 10,
                hold: Duration::from_secs(3),
            }],
            Expect::Timeout,
        ),
        (
            "echoes the token",
            vec![Reply::EchoAuthorization],
            Expect::Ok,
        ),
    ]
}

fn classify(result: &Result<s1_dfc_host::runtime::Output, ActionError>) -> Expect {
    match result {
        Ok(_) => Expect::Ok,
        Err(ActionError::HttpStatus(o)) => Expect::HttpStatus(o.status_code),
        Err(ActionError::Timeout(_)) => Expect::Timeout,
        Err(ActionError::Transport(_)) => Expect::Transport,
        Err(ActionError::InvalidResponse(_)) => Expect::InvalidResponse,
        Err(ActionError::InvalidInput(m)) => panic!("unexpected invalid-input: {m}"),
    }
}

/// Resident set size of this process, in bytes.
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

async fn run_calls(
    sims: &Arc<Vec<(Simulator, Expect)>>,
    range: std::ops::Range<usize>,
    concurrency: usize,
) -> Duration {
    let mut worst = Duration::ZERO;
    let ids: Vec<usize> = range.collect();
    for batch in ids.chunks(concurrency) {
        let mut tasks = Vec::new();
        for &i in batch {
            let sims = sims.clone();
            tasks.push(tokio::spawn(async move {
                let (sim, expect) = &sims[i % sims.len()];
                let started = Instant::now();
                let result = runtime()
                    .download_from_cloud(
                        &connection(&sim.url(), Some(DEADLINE_MS), Some(1)),
                        &inputs(THREAT_ID),
                    )
                    .await
                    .unwrap_or_else(|trap| panic!("call {i} trapped: {trap:#}"));
                let elapsed = started.elapsed();
                assert_eq!(classify(&result), *expect, "call {i}: {result:?}");
                assert!(
                    !format!("{result:?}").contains(TOKEN),
                    "call {i} leaked the token"
                );
                elapsed
            }));
        }
        for task in tasks {
            worst = worst.max(task.await.expect("call task"));
        }
    }
    worst
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fault_soak() {
    let calls: usize = std::env::var("SOAK_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(450);
    let concurrency = 32;
    let mut sims = Vec::new();
    for (_, replies, expect) in scenarios() {
        sims.push((Simulator::start(replies).await.unwrap(), expect));
    }
    let sims = Arc::new(sims);

    // Warm up allocators and caches before taking the memory baseline.
    let warmup = (calls / 10).max(sims.len() * 4);
    run_calls(&sims, 0..warmup, concurrency).await;
    let baseline = rss_bytes();
    let started = Instant::now();
    let worst = run_calls(&sims, warmup..warmup + calls, concurrency).await;
    let growth = rss_bytes().saturating_sub(baseline);
    eprintln!(
        "soak: {calls} calls over {} scenarios in {:.1?}, concurrency {concurrency}, slowest {worst:?}, RSS growth {} KiB, traps 0, leaks 0",
        sims.len(),
        started.elapsed(),
        growth / 1024
    );
    assert!(
        worst <= Duration::from_millis(u64::from(DEADLINE_MS)) + OVERRUN_MARGIN,
        "a call outlived its deadline: {worst:?}"
    );
    assert!(
        growth < 48 * 1024 * 1024,
        "host memory grew by {} KiB",
        growth / 1024
    );
}
