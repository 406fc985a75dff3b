"""A raw-socket HTTP/1.1 server on loopback that misbehaves on purpose, request by request.

Being raw sockets, it can do what no HTTP framework lets a handler do: drip a
response a byte at a time, hang, reset the connection before or after reading
the request, cut a body short, or send bytes past the response's end. Each
request it reads is recorded, so a test can count what arrived (and see that
a request that may have arrived was never sent again).
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import attrs

__all__ = [
    "Answer",
    "MisbehavingServer",
    "Received",
    "drip",
    "hang",
    "reset",
    "response_bytes",
    "serving",
]


@attrs.frozen
class Received:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@attrs.frozen
class Answer:
    """What to do with one connection's request: ``act(connection, stopping)``.

    ``unread``: act before reading the request (it is not recorded).
    ``keep_open``: read the connection's next request afterwards.
    """

    act: Callable[[socket.socket, threading.Event], None]
    unread: bool = False
    keep_open: bool = False


def response_bytes(
    status: int,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    raw_body: bytes | None = None,
    close: bool = True,
) -> bytes:
    payload = (
        raw_body if raw_body is not None else b"" if body is None else json.dumps(body).encode()
    )
    lines = [f"HTTP/1.1 {status} Status", f"Content-Length: {len(payload)}"]
    if payload and raw_body is None:
        lines.append("Content-Type: application/json")
    if close:
        lines.append("Connection: close")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def drip(data: bytes, *, every: float) -> Answer:
    """Send ``data`` one byte every ``every`` seconds."""

    def act(connection: socket.socket, stopping: threading.Event) -> None:
        for byte in data:
            if stopping.wait(every):
                return
            connection.sendall(bytes([byte]))

    return Answer(act)


def hang() -> Answer:
    """Send nothing until the server stops."""

    def act(_: socket.socket, stopping: threading.Event) -> None:
        stopping.wait()

    return Answer(act)


def reset(*, unread: bool = False) -> Answer:
    """Reset the connection (RST, not FIN) after reading the request, or (``unread``) once
    it has arrived, without reading it."""

    def act(connection: socket.socket, _: threading.Event) -> None:
        if unread:  # the request has been sent, so the client cannot know it was not read
            select.select([connection], [], [], 5)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    return Answer(act, unread=unread)


def _read_request(connection: socket.socket) -> Received | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    while len(body) < int(headers.get("content-length", "0")):
        chunk = connection.recv(65536)
        if not chunk:
            return None
        body += chunk
    method, target, _ = request_line.split(" ", 2)
    return Received(method, target, headers, body)


class MisbehavingServer:
    """``script(n, request)`` answers the n-th request (0-based; ``request`` is None for an
    answer given before reading, which the script asks for with ``Answer(unread=True)``
    from ``before_reading``)."""

    def __init__(
        self,
        script: Callable[[int, Received], Answer],
        *,
        before_reading: Callable[[int], Answer | None] = lambda _: None,
    ) -> None:
        self._script = script
        self._before_reading = before_reading
        self.received: list[Received] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._threads: list[threading.Thread] = []
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    @property
    def methods(self) -> list[str]:
        return [f"{r.method} {r.target.split('?')[0].rsplit('/', 1)[-1]}" for r in self.received]

    def _serve_connection(self, connection: socket.socket, number: int) -> None:
        with connection, contextlib.suppress(OSError):
            connection.settimeout(30)
            early = self._before_reading(number)
            if early is not None:
                early.act(connection, self._stopping)
                return
            while not self._stopping.is_set():
                request = _read_request(connection)
                if request is None:
                    return
                with self._lock:
                    index = len(self.received)
                    self.received.append(request)
                answer = self._script(index, request)
                answer.act(connection, self._stopping)
                if not answer.keep_open:
                    return

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                continue
            self.connections += 1
            worker = threading.Thread(
                target=self._serve_connection, args=(connection, self.connections - 1), daemon=True
            )
            self._threads.append(worker)
            worker.start()

    def start(self) -> None:
        acceptor = threading.Thread(target=self._accept, daemon=True)
        self._threads.append(acceptor)
        acceptor.start()

    def stop(self) -> None:
        self._stopping.set()
        deadline = time.monotonic() + 5
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0.01))
        self._listener.close()


@contextlib.contextmanager
def serving(
    script: Callable[[int, Received], Answer], **options: Any
) -> Iterator[MisbehavingServer]:
    server = MisbehavingServer(script, **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()
