//! Loading the component once and running one call per fresh store.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use sentinelone_download_from_cloud::limits::{DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS};
use wasmtime::bail;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::error::Context;
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, ResourceLimiter, Result,
    Store,
};
use wasmtime_wasi::random::WasiRandomCtx;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::origin_guard::OriginGuard;

wasmtime::component::bindgen!({
    path: "../wit",
    world: "action",
    exports: { default: async },
});

pub use exports::sentinelone::threats::download_from_cloud::{
    ActionError, Connection, Inputs, Output, PathParameters,
};

/// Linear memory one instance may grow to; the action needs a few MiB.
const MAX_INSTANCE_MEMORY: usize = 64 * 1024 * 1024;
/// Table elements one instance may grow to.
const MAX_TABLE_ELEMENTS: usize = 20_000;
/// How often the engine's epoch advances: the granularity of the CPU bound.
const EPOCH_TICK: Duration = Duration::from_millis(10);
/// How long past its own deadline a call may run before the host stops it.
const DEADLINE_GRACE: Duration = Duration::from_millis(1000);

/// What one store holds: WASI with nothing granted, wasi:http behind the
/// origin guard, and the memory limit.
pub struct HostState {
    wasi: WasiCtx,
    /// Serves `wasi:random/insecure*`, which std imports for hash seeds.
    insecure_random: WasiRandomCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    guard: OriginGuard,
    memory: MemoryCap,
}

impl HostState {
    /// The most linear memory the instance has asked for, in bytes.
    pub fn peak_memory(&self) -> usize {
        self.memory.peak
    }
}

/// Caps each linear memory and remembers the largest size reached.
struct MemoryCap {
    peak: usize,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> Result<bool> {
        if desired > MAX_INSTANCE_MEMORY {
            return Ok(false);
        }
        self.peak = self.peak.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.guard,
        }
    }
}

/// How a runtime is set up.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Instance slots for the pooling allocator; `None` allocates on demand.
    pub pooled_instances: Option<u32>,
    /// Where precompiled components are kept; `None` compiles every load.
    pub cache_dir: Option<std::path::PathBuf>,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions {
            pooled_instances: Some(128),
            cache_dir: None,
        }
    }
}

/// The component compiled and linked once; each call gets a fresh store.
pub struct ActionRuntime {
    engine: Engine,
    component: Component,
    pre: ActionPre<HostState>,
    denied: Arc<AtomicUsize>,
    _ticker: EpochTicker,
}

/// Advances the engine's epoch so that guest code spinning in wasm traps
/// once its store's epoch deadline passes; stops when dropped.
struct EpochTicker {
    stop: Arc<AtomicBool>,
}

impl EpochTicker {
    fn start(engine: &Engine) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let (engine, flag) = (engine.clone(), stop.clone());
        std::thread::spawn(move || {
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        });
        EpochTicker { stop }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The most a call may take: its own deadline plus the grace.
pub fn call_budget(timeout_ms: Option<u64>) -> Duration {
    let ms = timeout_ms
        .unwrap_or(u64::from(DEFAULT_TIMEOUT_MS))
        .clamp(1, u64::from(MAX_TIMEOUT_MS));
    Duration::from_millis(ms) + DEADLINE_GRACE
}

impl ActionRuntime {
    /// A wasmtime engine configured for this host: epoch interruption, so
    /// a store can be given a CPU deadline, and (if `pooled`) the pooling
    /// allocator, so instantiation reuses pre-reserved memory.
    pub fn engine(options: &RuntimeOptions) -> Result<Engine> {
        let mut config = Config::new();
        config.epoch_interruption(true);
        if let Some(slots) = options.pooled_instances {
            let mut pool = PoolingAllocationConfig::default();
            pool.total_component_instances(slots)
                .total_core_instances(slots * 8)
                .total_memories(slots * 2)
                .total_tables(slots * 8)
                .total_stacks(slots)
                .max_memory_size(MAX_INSTANCE_MEMORY)
                .table_elements(MAX_TABLE_ELEMENTS);
            config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        }
        Engine::new(&config)
    }

    /// Compiles the component at `path` with the default options.
    pub fn from_file(path: &Path) -> Result<Self> {
        Self::load(path, &RuntimeOptions::default())
    }

    /// Loads the component at `path`: from the precompiled cache when one
    /// is configured and holds it, else compiled (and cached).
    pub fn load(path: &Path, options: &RuntimeOptions) -> Result<Self> {
        let engine = Self::engine(options)?;
        let bytes = std::fs::read(path)
            .with_context(|| format!("reading the component {}", path.display()))?;
        let component = match &options.cache_dir {
            Some(dir) => crate::artifact_cache::load(&engine, &bytes, dir)?,
            None => Component::new(&engine, &bytes)
                .with_context(|| format!("compiling the component {}", path.display()))?,
        };
        Self::new(engine, &component)
    }

    /// Links `component` with only what an HTTP client needs.
    pub fn new(engine: Engine, component: &Component) -> Result<Self> {
        let mut linker = Linker::<HostState>::new(&engine);
        link_least_privilege(&mut linker)?;
        let pre = ActionPre::new(linker.instantiate_pre(component)?)?;
        Ok(ActionRuntime {
            _ticker: EpochTicker::start(&engine),
            engine,
            component: component.clone(),
            pre,
            denied: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// The names of the component's imports (`wasi:http/types@0.2.2`, ...).
    pub fn imports(&self) -> Vec<String> {
        self.component
            .component_type()
            .imports(&self.engine)
            .map(|(name, _)| name.to_string())
            .collect()
    }

    /// How many outgoing requests the origin guard has refused so far.
    pub fn denied_requests(&self) -> usize {
        self.denied.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The typed entry: `download-from-cloud`. The outer error is a host
    /// failure or trap; the inner one is the action's own answer.
    pub async fn download_from_cloud(
        &self,
        connection: &Connection,
        inputs: &Inputs,
    ) -> Result<Result<Output, ActionError>> {
        let budget = call_budget(connection.timeout_ms.map(u64::from));
        let (action, mut store) = self
            .instantiate(console_origin(&connection.base_url), budget)
            .await?;
        let call = action
            .sentinelone_threats_download_from_cloud()
            .call_download_from_cloud(&mut store, connection, inputs);
        within(budget, call).await
    }

    /// The JSON entry: `invoke-json`.
    pub async fn invoke_json(&self, request: &str) -> Result<Result<String, String>> {
        let parsed = serde_json::from_str::<serde_json::Value>(request).ok();
        let field = |name: &str| {
            parsed
                .as_ref()
                .and_then(|v| v.pointer(&format!("/connection/{name}")).cloned())
        };
        let origin = field("base_url").and_then(|u| u.as_str().and_then(console_origin));
        let budget = call_budget(field("timeout_ms").and_then(|t| t.as_u64()));
        let (action, mut store) = self.instantiate(origin, budget).await?;
        let request = request.to_string();
        let call = action
            .sentinelone_threats_download_from_cloud()
            .call_invoke_json(&mut store, &request);
        within(budget, call).await
    }

    /// A fresh instance in a fresh store whose guest may reach `origin` only
    /// (tests pass another origin to prove the guard holds) and may run wasm
    /// code for at most `budget`.
    pub async fn instantiate(
        &self,
        origin: Option<String>,
        budget: Duration,
    ) -> Result<(Action, Store<HostState>)> {
        let mut store = Store::new(
            &self.engine,
            HostState {
                // No preopens, no environment, no arguments, no stdin; stdout
                // and stderr go nowhere, so nothing the guest prints leaks.
                wasi: WasiCtxBuilder::new().build(),
                insecure_random: WasiRandomCtx::default(),
                http: WasiHttpCtx::new(),
                table: ResourceTable::new(),
                guard: OriginGuard::new(origin, self.denied.clone()),
                memory: MemoryCap { peak: 0 },
            },
        );
        store.limiter(|state| &mut state.memory);
        let ticks = budget.as_millis() / EPOCH_TICK.as_millis() + 1;
        store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX));
        store.epoch_deadline_trap();
        let action = self.pre.instantiate_async(&mut store).await?;
        Ok((action, store))
    }
}

/// Runs a call, stopping it (dropping its future cancels the guest) if it
/// outlives `budget`: a host thread is never held past the deadline.
async fn within<R>(budget: Duration, call: impl Future<Output = Result<R>>) -> Result<R> {
    match tokio::time::timeout(budget, call).await {
        Ok(result) => result,
        Err(_) => {
            bail!("the component ran past its deadline and the host stopped it after {budget:?}")
        }
    }
}

/// Links what an HTTP client built with Rust's std needs, and nothing
/// more: no wasi:filesystem and no wasi:sockets exist in this linker, so a
/// component importing them fails to instantiate rather than gaining them.
fn link_least_privilege(linker: &mut Linker<HostState>) -> Result<()> {
    use wasmtime_wasi::cli::{WasiCli, WasiCliView};
    use wasmtime_wasi::p2::bindings::{cli, random};
    use wasmtime_wasi::random::WasiRandom;

    // wasi:io, wasi:clocks, wasi:random/random, wasi:cli/std{in,out,err}.
    wasmtime_wasi::p2::add_to_linker_proxy_interfaces_async(linker)?;
    // The rest of std's wasm32-wasip2 runtime: an (empty) environment, exit,
    // terminal queries, and hash seeds.
    random::insecure::add_to_linker::<_, WasiRandom>(linker, |s| &mut s.insecure_random)?;
    random::insecure_seed::add_to_linker::<_, WasiRandom>(linker, |s| &mut s.insecure_random)?;
    cli::environment::add_to_linker::<_, WasiCli>(linker, HostState::cli)?;
    cli::exit::add_to_linker::<_, WasiCli>(linker, HostState::cli)?;
    cli::terminal_input::add_to_linker::<_, WasiCli>(linker, HostState::cli)?;
    cli::terminal_output::add_to_linker::<_, WasiCli>(linker, HostState::cli)?;
    cli::terminal_stdin::add_to_linker::<_, WasiCli>(linker, HostState::cli)?;
    cli::terminal_stdout::add_to_linker::<_, WasiCli>(linker, HostState::cli)?;
    cli::terminal_stderr::add_to_linker::<_, WasiCli>(linker, HostState::cli)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(linker)
}

/// The origin the component will call for this base URL, by the
/// component's own rules; `None` when the URL is invalid (the component
/// then sends nothing, and the guard allows nothing).
pub fn console_origin(base_url: &str) -> Option<String> {
    sentinelone_download_from_cloud::console_url::parse(base_url)
        .ok()
        .map(|url| url.origin())
}
