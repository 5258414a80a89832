//! `s1-dfc batch`: many threat ids through the component with bounded
//! concurrency; JSON lines out in input order, a summary at the end.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::Semaphore;
use wasmtime::Result;

use crate::ActionRuntime;

/// How a batch went: successes and each error kind, by count.
#[derive(Debug, Default)]
pub struct Summary {
    pub ok: usize,
    pub errors: BTreeMap<String, usize>,
    pub elapsed: Duration,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ok {}", self.ok)?;
        for (kind, count) in &self.errors {
            write!(f, ", {kind} {count}")?;
        }
        write!(f, " in {:.2} s", self.elapsed.as_secs_f64())
    }
}

/// Runs one call per id (blank lines skipped), at most `concurrency` at
/// once, writing one JSON line per id to `out` in input order:
/// `{"threat_id": ..., "result": [...]}` or `{"threat_id": ..., "error": {...}}`.
pub async fn run(
    runtime: Arc<ActionRuntime>,
    connection: Value,
    ids: Vec<String>,
    concurrency: usize,
    mut out: impl Write,
) -> Result<Summary> {
    let started = Instant::now();
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let connection = Arc::new(connection);
    let ids: Vec<String> = ids
        .into_iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let mut calls = Vec::with_capacity(ids.len());
    for id in &ids {
        let (runtime, connection, permits, id) = (
            runtime.clone(),
            connection.clone(),
            permits.clone(),
            id.clone(),
        );
        calls.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await?;
            let request = json!({"connection": *connection, "inputs": {"path_parameters": {"threat_id": id}}});
            runtime.invoke_json(&request.to_string()).await
        }));
    }
    let progress = Progress::new(ids.len());
    let mut summary = Summary::default();
    for (done, (id, call)) in ids.iter().zip(calls).enumerate() {
        let line = match call.await?? {
            Ok(text) => {
                summary.ok += 1;
                json!({"threat_id": id, "result": serde_json::from_str::<Value>(&text)?})
            }
            Err(text) => {
                let error: Value = serde_json::from_str(&text)?;
                let kind = error["error"]["kind"]
                    .as_str()
                    .unwrap_or("unknown")
                    .to_string();
                *summary.errors.entry(kind).or_default() += 1;
                json!({"threat_id": id, "error": error["error"]})
            }
        };
        writeln!(out, "{line}")?;
        progress.show(done + 1);
    }
    progress.finish();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// A one-line progress bar on stderr, only when stderr is a terminal.
struct Progress {
    total: usize,
    enabled: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        Progress {
            total,
            enabled: std::io::stderr().is_terminal() && total > 0,
        }
    }

    fn show(&self, done: usize) {
        if !self.enabled {
            return;
        }
        let width = 30;
        let filled = done * width / self.total;
        eprint!(
            "\r[{}{}] {done}/{}",
            "#".repeat(filled),
            " ".repeat(width - filled),
            self.total
        );
    }

    fn finish(&self) {
        if self.enabled {
            eprintln!();
        }
    }
}
