"""The fake as a real HTTP server, for clients that are not Python or not httpx.

Virtual time follows the wall clock here (optionally scaled): before each
request the world's clock is advanced to match. Requests are served one at
a time under the world's lock, so concurrent clients cannot lose updates,
and VM ETags with If-Match are honoured.
"""

from __future__ import annotations

import signal
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from .._app import FakeAzure
from .._arm._requests import MAX_BODY

__all__ = ["serve"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # one write per response
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        content = self.rfile.read(min(length, MAX_BODY + 1)) if length else b""
        scheme = "https" if self.server.tls else "http"
        host = self.headers.get("Host") or self.server.address
        request = httpx.Request(
            self.command,
            f"{scheme}://{host}{self.path}",
            headers=dict(self.headers),
            content=content,
        )
        try:
            response = self.server.handle(request)
        except httpx.TransportError:  # an injected connection failure: drop the connection
            self.close_connection = True
            return
        body = response.content
        self.send_response_only(response.status_code)  # Date comes from the virtual clock
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_PATCH = do_POST = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], fake: FakeAzure, *, time_scale: float, tls: bool
    ) -> None:
        super().__init__(address, _Handler)
        self.fake = fake
        self.tls = tls
        bound_host, bound_port = self.server_address[:2]
        host_text = bound_host.decode() if isinstance(bound_host, bytes) else bound_host
        self.address = f"{host_text}:{bound_port}"
        self._time_scale = time_scale
        self._started = time.monotonic()

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self.fake.lock:
            target = (time.monotonic() - self._started) * self._time_scale
            self.fake.advance(max(target - self.fake.clock.monotonic(), 0.0))
            return self.fake.handle(request)


def serve(
    fake: FakeAzure,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    time_scale: float = 1.0,
    tls_cert: str | None = None,
    tls_key: str | None = None,
    ready: threading.Event | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Serve ``fake`` until SIGINT or SIGTERM (or ``stop`` is set); print where it listens."""
    server = _Server((host, port), fake, time_scale=time_scale, tls=tls_cert is not None)
    if tls_cert is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls_cert, tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls_cert else "http"
    fake.base_url = f"{scheme}://{server.address}"
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    worker = threading.Thread(target=server.serve_forever, name="azpatch-fake-server", daemon=True)
    worker.start()
    print(f"listening on {fake.base_url}", flush=True)
    if ready is not None:
        ready.set()
    stop.wait()
    server.shutdown()
    server.server_close()
