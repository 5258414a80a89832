//! Loading the component once and running one call per fresh store.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::error::Context;
use wasmtime::{Config, Engine, Result, Store, StoreLimits, StoreLimitsBuilder};
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

/// What one store holds: WASI with nothing granted, wasi:http behind the
/// origin guard, and the memory limit.
pub struct HostState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    guard: OriginGuard,
    limits: StoreLimits,
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

/// The component compiled and linked once; each call gets a fresh store.
pub struct ActionRuntime {
    engine: Engine,
    pre: ActionPre<HostState>,
    denied: Arc<AtomicUsize>,
}

impl ActionRuntime {
    /// A wasmtime engine configured for this host.
    pub fn engine() -> Result<Engine> {
        Engine::new(&Config::new())
    }

    /// Compiles the component at `path`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let engine = Self::engine()?;
        let component = Component::from_file(&engine, path)
            .with_context(|| format!("loading the component {}", path.display()))?;
        Self::new(engine, &component)
    }

    /// Links `component` with only what an HTTP client needs.
    pub fn new(engine: Engine, component: &Component) -> Result<Self> {
        let mut linker = Linker::<HostState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        let pre = ActionPre::new(linker.instantiate_pre(component)?)?;
        Ok(ActionRuntime {
            engine,
            pre,
            denied: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// The engine this runtime compiled with.
    pub fn engine_ref(&self) -> &Engine {
        &self.engine
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
        let (action, mut store) = self
            .instantiate(console_origin(&connection.base_url))
            .await?;
        action
            .sentinelone_threats_download_from_cloud()
            .call_download_from_cloud(&mut store, connection, inputs)
            .await
    }

    /// The JSON entry: `invoke-json`.
    pub async fn invoke_json(&self, request: &str) -> Result<Result<String, String>> {
        let origin = serde_json::from_str::<serde_json::Value>(request)
            .ok()
            .and_then(|v| {
                v.pointer("/connection/base_url")
                    .and_then(|u| u.as_str())
                    .and_then(console_origin)
            });
        let (action, mut store) = self.instantiate(origin).await?;
        action
            .sentinelone_threats_download_from_cloud()
            .call_invoke_json(&mut store, &request.to_string())
            .await
    }

    /// A fresh instance in a fresh store whose guest may reach `origin` only
    /// (tests pass another origin to prove the guard holds).
    pub async fn instantiate(&self, origin: Option<String>) -> Result<(Action, Store<HostState>)> {
        let mut store = Store::new(
            &self.engine,
            HostState {
                // No preopens, no environment, no arguments, no stdin; stdout
                // and stderr go nowhere, so nothing the guest prints leaks.
                wasi: WasiCtxBuilder::new().build(),
                http: WasiHttpCtx::new(),
                table: ResourceTable::new(),
                guard: OriginGuard::new(origin, self.denied.clone()),
                limits: StoreLimitsBuilder::new()
                    .memory_size(MAX_INSTANCE_MEMORY)
                    .instances(4)
                    .build(),
            },
        );
        store.limiter(|state| &mut state.limits);
        let action = self.pre.instantiate_async(&mut store).await?;
        Ok((action, store))
    }
}

/// The origin the component will call for this base URL, by the
/// component's own rules; `None` when the URL is invalid (the component
/// then sends nothing, and the guard allows nothing).
pub fn console_origin(base_url: &str) -> Option<String> {
    sentinelone_download_from_cloud::console_url::parse(base_url)
        .ok()
        .map(|url| url.origin())
}
