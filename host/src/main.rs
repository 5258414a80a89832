//! `s1-dfc`: run the Download From Cloud component once and print its JSON.
//!
//! With no settings it starts the embedded console simulator on 127.0.0.1
//! and calls it, so the real component can be seen working with no console
//! at hand. With `S1_CONSOLE_URL`, `S1_API_TOKEN` and `THREAT_ID` set, it
//! calls that console instead.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use s1_dfc_host::simulator::{Reply, Simulator};
use s1_dfc_host::{ActionRuntime, RuntimeOptions, component_path};
use serde_json::{Value, json};

const USAGE: &str = "usage: s1-dfc [--component PATH]
       s1-dfc [--component PATH] batch [--concurrency N] [FILE|-]
       s1-dfc [--component PATH] bench [CALLS]
       s1-dfc simulate [PORT]

Runs the SentinelOne Download From Cloud component once and prints the
documented JSON array (exit 0) or the error JSON (exit 1).

`batch` runs one call per threat id (one per line, from FILE or stdin) with
bounded concurrency (default 16); JSON lines out in input order, a progress
bar on stderr when it is a terminal, a summary at the end.

`bench` measures one invocation against native Rust in the same run (CALLS
sequential calls, default 2000) and prints a Markdown table.

`simulate` only serves the console simulator on 127.0.0.1 (default port 0,
i.e. any free port), prints its URL and serves until interrupted: a console
for the stock `wasmtime run -S http --invoke ...` to call.

Environment:
  S1_CONSOLE_URL   console to call; unset: a simulator on 127.0.0.1
  S1_API_TOKEN     API token (required with S1_CONSOLE_URL)
  THREAT_ID        threat id (default with the simulator: 14629133470822878)
  S1_TIMEOUT_MS    deadline for the call (default 30000)
  S1_MAX_RETRIES   retries after 429/5xx (default 2)
  S1_DFC_COMPONENT the .wasm to run (default: the make build path)";

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("s1-dfc: {error:#}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<ExitCode> {
    let mut component = component_path();
    let mut args = std::env::args().skip(1);
    let mut command = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--component" => component = args.next().context("--component needs a path")?.into(),
            "simulate" => return simulate(args.next()).await,
            "batch" | "bench" => {
                command = Some(arg);
                break;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    if command.as_deref() == Some("bench") {
        let calls = args
            .next()
            .map(|c| c.parse())
            .transpose()
            .context("CALLS must be a number")?;
        let table = s1_dfc_host::bench::run(&component, calls.unwrap_or(2000))
            .await
            .map_err(anyhow::Error::from)?;
        println!("{table}");
        return Ok(ExitCode::SUCCESS);
    }
    let options = RuntimeOptions {
        cache_dir: s1_dfc_host::artifact_cache::default_dir(),
        ..RuntimeOptions::default()
    };
    let runtime = ActionRuntime::load(&component, &options)
        .map_err(anyhow::Error::from)
        .context("run `make build` first, or set S1_DFC_COMPONENT")?;

    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut connection = json!({});
    let mut _simulator = None;
    match env("S1_CONSOLE_URL") {
        Some(url) => {
            connection["base_url"] = json!(url);
            connection["api_token"] =
                json!(env("S1_API_TOKEN").context("S1_API_TOKEN is not set")?);
        }
        None => {
            let simulator = Simulator::start(vec![Reply::Documented]).await?;
            eprintln!(
                "s1-dfc: no S1_CONSOLE_URL; calling the console simulator at {}",
                simulator.url()
            );
            connection["base_url"] = json!(simulator.url());
            connection["api_token"] = json!("simulator-token");
            _simulator = Some(simulator);
        }
    }
    for (variable, field) in [
        ("S1_TIMEOUT_MS", "timeout_ms"),
        ("S1_MAX_RETRIES", "max_retries"),
    ] {
        if let Some(value) = env(variable) {
            let number: u64 = value
                .parse()
                .with_context(|| format!("{variable} must be a whole number"))?;
            connection[field] = json!(number);
        }
    }
    if command.as_deref() == Some("batch") {
        return batch(runtime, connection, args).await;
    }
    // Batch mode reads its ids from input; a single call needs THREAT_ID,
    // except against the simulator, which answers any id.
    let threat_id = match (env("THREAT_ID"), &_simulator) {
        (Some(id), _) => id,
        (None, Some(_)) => "14629133470822878".to_string(),
        (None, None) => bail!("THREAT_ID is not set"),
    };
    let request = json!({
        "connection": connection,
        "inputs": {"path_parameters": {"threat_id": threat_id}},
    });
    let answer = runtime
        .invoke_json(&request.to_string())
        .await
        .map_err(anyhow::Error::from)?;
    let (text, code) = match answer {
        Ok(text) => (text, ExitCode::SUCCESS),
        Err(text) => (text, ExitCode::FAILURE),
    };
    let value: Value =
        serde_json::from_str(&text).context("the component returned invalid JSON")?;
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(code)
}

async fn simulate(port: Option<String>) -> Result<ExitCode> {
    let port: u16 = port
        .as_deref()
        .unwrap_or("0")
        .parse()
        .context("PORT must be a number")?;
    let simulator = Simulator::start_on(port, vec![Reply::Documented]).await?;
    println!("{}", simulator.url());
    tokio::signal::ctrl_c().await?;
    Ok(ExitCode::SUCCESS)
}

async fn batch(
    runtime: ActionRuntime,
    connection: Value,
    mut args: impl Iterator<Item = String>,
) -> Result<ExitCode> {
    let mut concurrency = 16;
    let mut source = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--concurrency" => {
                concurrency = args
                    .next()
                    .context("--concurrency needs a number")?
                    .parse()
                    .context("--concurrency must be a number")?
            }
            other => source = Some(other.to_string()),
        }
    }
    let text = match source.as_deref() {
        None | Some("-") => std::io::read_to_string(std::io::stdin())?,
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?,
    };
    let ids = text.lines().map(str::to_string).collect();
    let stdout = std::io::stdout().lock();
    let summary = s1_dfc_host::batch::run(
        std::sync::Arc::new(runtime),
        connection,
        ids,
        concurrency,
        stdout,
    )
    .await
    .map_err(anyhow::Error::from)?;
    eprintln!("s1-dfc: {summary}");
    Ok(if summary.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
