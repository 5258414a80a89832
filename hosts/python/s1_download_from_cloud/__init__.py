"""Python host for the SentinelOne "Download From Cloud" WASI 0.2 component.

Runs the very same ``sentinelone_download_from_cloud.wasm`` as the Rust host
and the stock ``wasmtime`` CLI, through wasmtime-py's component model API with
wasmtime's native WASI 0.2 and wasi:http implementations.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from ._runtime import DEFAULT_COMPONENT, ENV_COMPONENT, Action, component_path, default_action
from .errors import (
    DownloadFromCloudError,
    HttpStatus,
    InvalidInput,
    InvalidResponse,
    Timeout,
    Transport,
)

__all__ = [
    "Action",
    "DEFAULT_COMPONENT",
    "ENV_COMPONENT",
    "DownloadFromCloudError",
    "HttpStatus",
    "InvalidInput",
    "InvalidResponse",
    "Timeout",
    "Transport",
    "component_path",
    "default_action",
    "download_from_cloud",
    "invoke_json",
]


def download_from_cloud(
    base_url: str,
    api_token: str,
    threat_id: str,
    timeout_ms: Optional[int] = None,
    max_retries: Optional[int] = None,
) -> Dict[str, Any]:
    """Ask the console for the threat file's download link.

    Returns the documented element ``{"status_code", "response_headers",
    "reason", "json_body"}`` (``json_body`` parsed). Raises a subclass of
    :class:`DownloadFromCloudError` per error kind.
    """
    return default_action().download_from_cloud(base_url, api_token, threat_id, timeout_ms, max_retries)


def invoke_json(request: str) -> str:
    """The JSON entry: returns the ok JSON (a one-element array) as a string.

    On the err arm raises the matching :class:`DownloadFromCloudError`
    subclass; its ``error_json`` attribute is the component's error JSON
    string verbatim (``{"error": {"kind", "message", "output"?}}``).
    """
    return default_action().invoke_json(request)
