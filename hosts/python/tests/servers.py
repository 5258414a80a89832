"""Loopback HTTP servers for the tests (127.0.0.1 only, bounded lifetime)."""

from __future__ import annotations

import gzip
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional

SUCCESS_BODY = {"data": {"downloadUrl": "https://x.invalid/f", "fileName": "abc"}}
AUTH_FAILED_BODY = {"errors": [{"code": 4010010, "detail": None, "title": "Authentication Failed"}]}


class Canned:
    """One canned answer: status, headers, body bytes (gzip-encoded when asked)."""

    def __init__(self, status: int, body: object, *, gzip_body: bool = False, headers: Optional[Dict[str, str]] = None):
        raw = json.dumps(body).encode()
        self.status = status
        self.headers = {"Content-Type": "application/json", "X-RQID": "6774d02e-05e6-4a51-8c4c-168411f6fd66"}
        self.headers.update(headers or {})
        if gzip_body:
            raw = gzip.compress(raw)
            self.headers["Content-Encoding"] = "gzip"
        self.body = raw


class Recorded:
    def __init__(self, method: str, path: str, headers: Dict[str, str]):
        self.method, self.path, self.headers = method, path, headers


class CannedServer:
    """Answers every request with the same canned answer and records what it got."""

    def __init__(self, answer: Canned):
        self.answer = answer
        self.requests: List[Recorded] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                outer.requests.append(Recorded("GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
                self.send_response(outer.answer.status)
                for name, value in outer.answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(outer.answer.body)))
                self.end_headers()
                self.wfile.write(outer.answer.body)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class SilentServer:
    """Accepts TCP connections and never answers (for the timeout case)."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.accepted: List[socket.socket] = []
        self._stop = threading.Event()
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.accepted.append(conn)  # held open, never read from or written to

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for conn in self.accepted:
            conn.close()
        self._sock.close()


def refused_url() -> str:
    """A loopback URL on a port that nothing listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"
