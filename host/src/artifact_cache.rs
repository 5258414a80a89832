//! Precompiled components on disk, so a one-shot command skips Cranelift.
//!
//! An entry is keyed by the component's SHA-256 and by the engine's
//! compatibility hash (wasmtime version and every setting that affects
//! code), so a new build of either never loads a stale artifact.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::error::Context;
use wasmtime::{Engine, Result};

/// The default cache folder: `$S1_DFC_CACHE`, else `$XDG_CACHE_HOME/s1-dfc`,
/// else `$HOME/.cache/s1-dfc`.
pub fn default_dir() -> Option<PathBuf> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    env("S1_DFC_CACHE")
        .map(PathBuf::from)
        .or_else(|| env("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("s1-dfc")))
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".cache/s1-dfc")))
}

/// Where the artifact for `bytes` compiled by `engine` lives in `dir`.
pub fn entry_path(engine: &Engine, bytes: &[u8], dir: &Path) -> PathBuf {
    let digest = Sha256::digest(bytes);
    let mut compat = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut compat);
    let name: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    dir.join(format!("{name}-{:016x}.cwasm", compat.finish()))
}

/// The component from the cache, or compiled and then cached. A cache that
/// cannot be written only costs the next run a compile.
pub fn load(engine: &Engine, bytes: &[u8], dir: &Path) -> Result<Component> {
    let path = entry_path(engine, bytes, dir);
    if path.is_file() {
        // SAFETY: the file was written by `Component::serialize` of this
        // same engine configuration (the key includes its compatibility
        // hash), in a folder only this user's host writes.
        if let Ok(component) = unsafe { Component::deserialize_file(engine, &path) } {
            return Ok(component);
        }
    }
    let component = Component::new(engine, bytes).context("compiling the component")?;
    if let Ok(serialized) = component.serialize() {
        let temporary = path.with_extension(format!("tmp{}", std::process::id()));
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&temporary, serialized))
            .and_then(|()| std::fs::rename(&temporary, &path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
    }
    Ok(component)
}
