"""Typed exceptions, one per case of the WIT ``action-error`` variant."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional


class DownloadFromCloudError(Exception):
    """Base class: the action did not produce a download link.

    ``kind`` is the WIT case name (``invalid-input``, ``http-status``,
    ``timeout``, ``transport``, ``invalid-response``); ``message`` is the
    component's message (it never contains the API token). When the error came
    from :func:`invoke_json`, ``error_json`` holds the component's error JSON
    string verbatim; otherwise it is the equivalent document built by the host.
    """

    kind: str = ""

    def __init__(self, message: str, *, error_json: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.error_json = error_json if error_json is not None else json.dumps(
            {"error": self._error_object()}
        )

    def _error_object(self) -> Dict[str, Any]:
        return {"kind": self.kind, "message": self.message}


class InvalidInput(DownloadFromCloudError):
    """An input broke a rule; nothing was sent."""

    kind = "invalid-input"


class HttpStatus(DownloadFromCloudError):
    """The console's final answer (after retries) was not 2xx.

    ``output`` is the whole answer in the documented shape (a dict with
    ``status_code``, ``response_headers``, ``reason``, ``json_body``).
    """

    kind = "http-status"

    def __init__(self, message: str, output: Dict[str, Any], *, error_json: Optional[str] = None) -> None:
        self.output = output
        super().__init__(message, error_json=error_json)

    @property
    def status_code(self) -> int:
        return int(self.output["status_code"])

    def _error_object(self) -> Dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "output": [self.output]}


class Timeout(DownloadFromCloudError):
    """The deadline (``timeout_ms``) passed before a complete answer."""

    kind = "timeout"


class Transport(DownloadFromCloudError):
    """The console could not be reached or the connection failed."""

    kind = "transport"


class InvalidResponse(DownloadFromCloudError):
    """A 2xx answer that is not the documented JSON, undecodable, or over 1 MiB."""

    kind = "invalid-response"


ERROR_CLASSES = {
    cls.kind: cls for cls in (InvalidInput, HttpStatus, Timeout, Transport, InvalidResponse)
}
