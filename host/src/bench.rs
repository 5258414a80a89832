//! `s1-dfc bench`: the cost of one invocation, measured side by side with a
//! native baseline in the same run, against a loopback console simulator.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use wasmtime::component::Component;
use wasmtime::{Result, bail};

use crate::runtime::{
    ActionRuntime, Connection, Inputs, PathParameters, RuntimeOptions, call_budget,
};
use crate::simulator::{Reply, Simulator};
use crate::{artifact_cache, native_baseline};

const TOKEN: &str = "bench-token-0123456789";
const THREAT_ID: &str = "14629133470822878";

/// One row of the printed table.
struct Row {
    what: String,
    value: String,
}

fn row(what: impl Into<String>, value: impl Into<String>) -> Row {
    Row {
        what: what.into(),
        value: value.into(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn micros(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn median_of<F: FnMut() -> Result<()>>(runs: usize, mut f: F) -> Result<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        f()?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}

/// Peak resident memory of this process (VmHWM), in bytes.
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

async fn sequential<F, Fut>(calls: usize, mut f: F) -> Result<Vec<Duration>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let mut times = Vec::with_capacity(calls);
    for _ in 0..calls {
        let started = Instant::now();
        f().await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times)
}

/// Calls per second with `concurrency` callers sharing `total` calls.
async fn throughput<F, Fut>(total: usize, concurrency: usize, f: F) -> Result<f64>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<()>> + Send,
{
    let f = Arc::new(f);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (f, next) = (f.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < total {
                f().await?;
            }
            Ok::<(), wasmtime::Error>(())
        }));
    }
    for worker in workers {
        worker.await??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

/// Runs every measurement and returns the table as Markdown.
pub async fn run(component_path: &Path, calls: usize) -> Result<String> {
    let mut rows = Vec::new();
    let bytes = std::fs::read(component_path)?;
    rows.push(row(
        "component size (release)",
        format!(
            "{} bytes ({:.1} KiB)",
            bytes.len(),
            bytes.len() as f64 / 1024.0
        ),
    ));

    let options = RuntimeOptions::default();
    let engine = ActionRuntime::engine(&options)?;
    let compile = median_of(3, || Component::new(&engine, &bytes).map(drop))?;
    rows.push(row("compile (Cranelift, median of 3)", millis(compile)));
    let cache = std::env::temp_dir().join(format!("s1-dfc-bench-{}", std::process::id()));
    let artifact = artifact_cache::entry_path(&engine, &bytes, &cache);
    artifact_cache::load(&engine, &bytes, &cache)?;
    let load = median_of(20, || {
        // SAFETY: written just above by this engine's `serialize`.
        unsafe { Component::deserialize_file(&engine, &artifact) }.map(drop)
    })?;
    let _ = std::fs::remove_dir_all(&cache);
    rows.push(row(
        "load precompiled artifact (median of 20)",
        millis(load),
    ));

    let sim = Simulator::start(vec![Reply::Documented]).await?;
    let authority = sim.url().trim_start_matches("http://").to_string();
    let path = format!("/web/api/v2.1/threats/{THREAT_ID}/download-from-cloud");
    let connection = Connection {
        base_url: sim.url(),
        api_token: TOKEN.into(),
        timeout_ms: Some(10_000),
        max_retries: Some(0),
    };
    let inputs = Inputs {
        path_parameters: PathParameters {
            threat_id: THREAT_ID.into(),
        },
    };
    let runtime = Arc::new(ActionRuntime::new(
        engine.clone(),
        &Component::new(&engine, &bytes)?,
    )?);

    let call = {
        let (runtime, connection, inputs) = (runtime.clone(), connection.clone(), inputs.clone());
        move || {
            let (runtime, connection, inputs) =
                (runtime.clone(), connection.clone(), inputs.clone());
            async move {
                match runtime.download_from_cloud(&connection, &inputs).await? {
                    Ok(_) => Ok(()),
                    Err(e) => bail!("component call failed: {e:?}"),
                }
            }
        }
    };
    let native = {
        let (authority, path) = (authority.clone(), path.clone());
        move || {
            let (authority, path) = (authority.clone(), path.clone());
            async move {
                native_baseline::download_from_cloud(&authority, &path, TOKEN)
                    .await
                    .map(drop)
            }
        }
    };

    // Warm both paths so neither pays for first-touch page faults, then
    // alternate them call by call: both see the same machine state (the
    // loopback's TIME_WAIT sockets pile up as every call opens a connection).
    sequential(200, &call).await?;
    sequential(200, &native).await?;
    let mut component_times = Vec::with_capacity(calls);
    let mut native_times = Vec::with_capacity(calls);
    for i in 0..calls {
        for component_turn in [i % 2 == 0, i % 2 == 1] {
            let started = Instant::now();
            if component_turn {
                call().await?;
                component_times.push(started.elapsed());
            } else {
                native().await?;
                native_times.push(started.elapsed());
            }
        }
    }
    component_times.sort();
    native_times.sort();
    let (c50, c99) = (
        percentile(&component_times, 0.5),
        percentile(&component_times, 0.99),
    );
    let (n50, n99) = (
        percentile(&native_times, 0.5),
        percentile(&native_times, 0.99),
    );
    rows.push(row(
        format!(
            "component call, p50 / p99 ({calls} sequential, interleaved with native: new store, instantiate, call, HTTP)"
        ),
        format!("{} / {}", micros(c50), micros(c99)),
    ));
    rows.push(row(
        format!(
            "native Rust baseline, p50 / p99 ({calls} sequential, interleaved: new connection each)"
        ),
        format!("{} / {}", micros(n50), micros(n99)),
    ));
    rows.push(row(
        "ratio component / native (p50)",
        format!("{:.2}x", c50.as_secs_f64() / n50.as_secs_f64()),
    ));

    rows.push(row(
        "of which new store + instantiate, p50 (pooling allocator)",
        micros(instantiate_p50(&runtime, calls).await?),
    ));
    let refused_inputs = Inputs {
        path_parameters: PathParameters {
            threat_id: "not-an-id".into(),
        },
    };
    let no_http = sequential(calls, || {
        let (runtime, connection, inputs) =
            (runtime.clone(), connection.clone(), refused_inputs.clone());
        async move {
            runtime
                .download_from_cloud(&connection, &inputs)
                .await
                .map(drop)
        }
    })
    .await?;
    rows.push(row(
        "new store + instantiate + call refused by validation (no HTTP), p50",
        micros(percentile(&no_http, 0.5)),
    ));
    let on_demand_engine = ActionRuntime::engine(&RuntimeOptions {
        pooled_instances: None,
        ..options.clone()
    })?;
    let on_demand_component = Component::new(&on_demand_engine, &bytes)?;
    let on_demand = ActionRuntime::new(on_demand_engine, &on_demand_component)?;
    rows.push(row(
        "new store + instantiate, p50 (on-demand allocator, for comparison)",
        micros(instantiate_p50(&on_demand, calls).await?),
    ));

    for concurrency in [1usize, 16, 64] {
        let total = (calls).max(concurrency * 40);
        let rate = throughput(total, concurrency, call.clone()).await?;
        rows.push(row(
            format!("component throughput, concurrency {concurrency}"),
            format!("{rate:.0} calls/s"),
        ));
    }
    let native_rate = throughput(calls.max(640), 16, native.clone()).await?;
    rows.push(row(
        "native throughput, concurrency 16",
        format!("{native_rate:.0} calls/s"),
    ));

    let (action, mut store) = runtime
        .instantiate(Some(format!("http://{authority}")), call_budget(None))
        .await?;
    action
        .sentinelone_threats_download_from_cloud()
        .call_download_from_cloud(&mut store, &connection, &inputs)
        .await?
        .map_err(|e| wasmtime::format_err!("{e:?}"))?;
    rows.push(row(
        "linear memory per instance (peak)",
        format!("{} KiB", store.data().peak_memory() / 1024),
    ));
    rows.push(row(
        "peak RSS of the benchmark process",
        format!("{:.1} MiB", peak_rss() as f64 / 1048576.0),
    ));

    if let Some(one_shot) = one_shot(component_path, &sim.url()).await? {
        rows.push(row(
            "one-shot `s1-dfc` (process start to printed JSON, warm cache, median of 10)",
            millis(one_shot),
        ));
    }

    let mut table = String::from("| measurement | value |\n|---|---|\n");
    for Row { what, value } in rows {
        table.push_str(&format!("| {what} | {value} |\n"));
    }
    Ok(table)
}

/// Median cost of a fresh store and instance, without calling anything.
async fn instantiate_p50(runtime: &ActionRuntime, calls: usize) -> Result<Duration> {
    let times = sequential(calls, || async {
        runtime.instantiate(None, call_budget(None)).await.map(drop)
    })
    .await?;
    Ok(percentile(&times, 0.5))
}

/// Times this very binary run as a one-shot command against `url`, with a
/// warm precompiled cache in a private folder.
async fn one_shot(component: &Path, url: &str) -> Result<Option<Duration>> {
    let Ok(exe) = std::env::current_exe() else {
        return Ok(None);
    };
    let cache = std::env::temp_dir().join(format!("s1-dfc-oneshot-{}", std::process::id()));
    let (component, url, cache_dir) = (component.to_path_buf(), url.to_string(), cache.clone());
    let mut times = tokio::task::spawn_blocking(move || {
        let mut times = Vec::new();
        // The first run fills the cache; the next ten are timed.
        for i in 0..11 {
            let started = Instant::now();
            let status = std::process::Command::new(&exe)
                .arg("--component")
                .arg(&component)
                .env("S1_CONSOLE_URL", &url)
                .env("S1_API_TOKEN", TOKEN)
                .env("THREAT_ID", THREAT_ID)
                .env("S1_DFC_CACHE", &cache_dir)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()?;
            if !status.success() {
                return Err(std::io::Error::other(format!(
                    "one-shot run exited with {status}"
                )));
            }
            if i > 0 {
                times.push(started.elapsed());
            }
        }
        Ok(times)
    })
    .await??;
    let _ = std::fs::remove_dir_all(&cache);
    times.sort();
    Ok(times.get(times.len() / 2).copied())
}
