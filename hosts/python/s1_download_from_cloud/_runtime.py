"""Loads the component with wasmtime-py's native component model API.

wasmtime-py (>= 48) links WASI 0.2 and wasi:http natively:
``wasmtime.component.Linker.add_wasip2()`` + ``add_wasi_http()`` on the
linker, ``Store.set_wasi()`` + ``Store.set_wasi_http()`` per store. The
outgoing HTTP requests are made by wasmtime's own wasi:http implementation
(hyper, in Rust), exactly as in the Rust host and the stock ``wasmtime`` CLI.
"""

from __future__ import annotations

import json
import math
import os
import threading
from pathlib import Path
from typing import Any, Dict, Optional, Union

from wasmtime import Config, Engine, Store, WasiConfig
from wasmtime.component import Component, Linker, Record, Variant

from .errors import ERROR_CLASSES, DownloadFromCloudError, HttpStatus

INTERFACE = "sentinelone:threats/download-from-cloud@1.0.0"
ENV_COMPONENT = "S1_DFC_COMPONENT"
# hosts/python/s1_download_from_cloud/_runtime.py -> repository root
_REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_COMPONENT = _REPO_ROOT / "target" / "wasm32-wasip2" / "release" / "sentinelone_download_from_cloud.wasm"

DEFAULT_TIMEOUT_MS = 30_000
MAX_TIMEOUT_MS = 600_000
MEMORY_LIMIT = 64 * 1024 * 1024
_TICK_S = 0.1  # epoch tick
_GRACE_MS = 1_000  # host bound = the call's own deadline + 1 s


def component_path(path: Union[str, os.PathLike, None] = None) -> Path:
    """The component to load: ``path``, else ``$S1_DFC_COMPONENT``, else the repo's release build."""
    if path is not None:
        return Path(path)
    env = os.environ.get(ENV_COMPONENT)
    return Path(env) if env else DEFAULT_COMPONENT


def _record(**fields: Any) -> Record:
    """A component record; WIT field names are kebab-case."""
    rec = Record()
    for name, value in fields.items():
        setattr(rec, name.replace("_", "-"), value)
    return rec


def _output_to_dict(out: Record) -> Dict[str, Any]:
    """WIT ``output`` -> the documented element, in the same key order as ``invoke-json``."""
    return {
        "status_code": getattr(out, "status-code"),
        "response_headers": dict(getattr(out, "response-headers")),
        "reason": out.reason,
        "json_body": json.loads(getattr(out, "json-body")),
    }


def _http_status_message(output: Dict[str, Any]) -> str:
    message = f"the console answered {output['status_code']} {output['reason']}".rstrip()
    body = output.get("json_body")
    if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
        first = body["errors"][0]
        if isinstance(first, dict) and first.get("title"):
            message += f": {first['title']}"
            if first.get("code") is not None:
                message += f" (code {first['code']})"
    return message


def _error_from_variant(err: Variant) -> DownloadFromCloudError:
    if err.tag == "http-status":
        output = _output_to_dict(err.payload)
        return HttpStatus(_http_status_message(output), output)
    return ERROR_CLASSES[err.tag](err.payload)


def _error_from_json(text: str) -> DownloadFromCloudError:
    error = json.loads(text)["error"]
    kind, message = error["kind"], error["message"]
    if kind == "http-status":
        return HttpStatus(message, error["output"][0], error_json=text)
    return ERROR_CLASSES[kind](message, error_json=text)


def _json_timeout_ms(request: str) -> int:
    """Best-effort read of ``connection.timeout_ms`` to size the host-side bound."""
    try:
        value = json.loads(request)["connection"]["timeout_ms"]
    except Exception:
        return DEFAULT_TIMEOUT_MS
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_TIMEOUT_MS:
        return value
    return DEFAULT_TIMEOUT_MS


class Action:
    """The compiled component plus a linker; each call gets a fresh ``Store`` and instance.

    Per call the guest gets no environment, no arguments, an empty stdin and
    discarded stdout/stderr (wasmtime's ``WasiConfig()`` defaults), no
    preopened directories, linear memory capped at 64 MiB, and an epoch
    deadline of its own ``timeout_ms`` + 1 s that traps guest code that spins.
    Safe to call from several threads (stores are never shared).
    """

    def __init__(self, path: Union[str, os.PathLike, None] = None, *, memory_limit: int = MEMORY_LIMIT) -> None:
        self.path = component_path(path)
        if not self.path.is_file():
            raise FileNotFoundError(
                f"component not found at {self.path} (set {ENV_COMPONENT} or run `make build`)"
            )
        config = Config()
        config.epoch_interruption = True
        self._engine = Engine(config)
        self._component = Component.from_file(self._engine, str(self.path))
        self._linker = Linker(self._engine)
        self._linker.add_wasip2()
        self._linker.add_wasi_http()
        iface = self._component.get_export_index(INTERFACE)
        if iface is None:
            raise ValueError(f"{self.path} does not export {INTERFACE}")
        self._typed_index = self._component.get_export_index("download-from-cloud", iface)
        self._json_index = self._component.get_export_index("invoke-json", iface)
        if self._typed_index is None or self._json_index is None:
            raise ValueError(f"{self.path}: {INTERFACE} lacks download-from-cloud / invoke-json")
        self._memory_limit = memory_limit
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="s1-dfc-epoch", daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(_TICK_S):
            self._engine.increment_epoch()

    def close(self) -> None:
        self._stop.set()

    def __enter__(self) -> "Action":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _call(self, index: Any, timeout_ms: int, *args: Any) -> Any:
        store = Store(self._engine)
        store.set_wasi(WasiConfig())
        store.set_wasi_http()
        store.set_limits(memory_size=self._memory_limit)
        store.set_epoch_deadline(math.ceil((timeout_ms + _GRACE_MS) / 1000 / _TICK_S) + 1)
        instance = self._linker.instantiate(store, self._component)
        func = instance.get_func(store, index)
        assert func is not None
        result = func(store, *args)
        func.post_return(store)
        return result

    def download_from_cloud(
        self,
        base_url: str,
        api_token: str,
        threat_id: str,
        timeout_ms: Optional[int] = None,
        max_retries: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Call the typed export; return the documented dict or raise a :class:`DownloadFromCloudError`."""
        connection = _record(base_url=base_url, api_token=api_token, timeout_ms=timeout_ms, max_retries=max_retries)
        inputs = _record(path_parameters=_record(threat_id=threat_id))
        bound = timeout_ms if isinstance(timeout_ms, int) and 1 <= timeout_ms <= MAX_TIMEOUT_MS else DEFAULT_TIMEOUT_MS
        result = self._call(self._typed_index, bound, connection, inputs)
        # result<output, action-error> lifts untagged: a Record on ok, a Variant on err.
        if isinstance(result, Variant):
            raise _error_from_variant(result)
        return _output_to_dict(result)

    def invoke_json(self, request: str) -> str:
        """Call the JSON export; return the ok JSON string verbatim or raise on the err arm.

        The raised exception's ``error_json`` is the component's error JSON verbatim.
        """
        result = self._call(self._json_index, _json_timeout_ms(request), request)
        if result.tag == "ok":
            return result.payload
        raise _error_from_json(result.payload)


_default: Optional[Action] = None
_default_lock = threading.Lock()


def default_action() -> Action:
    """The process-wide :class:`Action`, compiled on first use from :func:`component_path`."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Action()
        return _default
