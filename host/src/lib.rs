//! A lean wasmtime 48 host for the Download From Cloud component, and a
//! SentinelOne console simulator for running it with no console at hand.

pub mod artifact_cache;
pub mod batch;
pub mod bench;
pub mod native_baseline;
mod origin_guard;
pub mod runtime;
pub mod simulator;

pub use runtime::{ActionRuntime, RuntimeOptions, console_origin};

/// Where `make build` puts the component, relative to the workspace root.
pub const COMPONENT_RELATIVE_PATH: &str =
    "target/wasm32-wasip2/release/sentinelone_download_from_cloud.wasm";

/// The component to load: `S1_DFC_COMPONENT` if set, else the build path
/// under the workspace root.
pub fn component_path() -> std::path::PathBuf {
    match std::env::var_os("S1_DFC_COMPONENT") {
        Some(path) => path.into(),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(COMPONENT_RELATIVE_PATH),
    }
}
