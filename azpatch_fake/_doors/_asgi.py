"""The fake as an ASGI application: what ``serve`` runs under uvicorn.

Each request is read (refused with 413 before its body is read whole when it
is over the limit), its URL is built from the server's own address (never
from a client's Host header), the world's clock is moved to the real time
that passed (times ``time_scale``), and the request is answered by the
identity endpoints or by the world's ARM surface. ``Retry-After`` leaves in
real seconds, at least one: what the world asks in virtual seconds, divided
by the time scale. Writes and reads are serialised on the world's lock, so
ETags and If-Match keep their meaning; the event loop is never blocked on a
slow client, because uvicorn reads and writes sockets asynchronously.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any, TextIO

import httpx

from .._arm._requests import MAX_BODY
from ._control import CONTROL_PREFIX, ControlPlane
from ._identity import Identity

if TYPE_CHECKING:
    from .._app import FakeAzure

__all__ = ["EmulatorApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _arm_error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message}})


class _TooLarge(Exception):
    pass


class EmulatorApp:
    """One world behind HTTP; ``base_url`` is where the server listens."""

    def __init__(
        self,
        control: ControlPlane,
        *,
        time_scale: float,
        identity: Identity,
        request_log: TextIO | None = None,
    ) -> None:
        self.control = control
        self.time_scale = time_scale
        self.identity = identity
        self.request_log = request_log
        self._started = time.monotonic()

    @property
    def fake(self) -> FakeAzure:
        """The world served now (the control plane's reset replaces it)."""
        return self.control.world

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        began = time.monotonic()
        try:
            content = await self._body(scope, receive)
        except _TooLarge:
            too_large = _arm_error(413, "RequestEntityTooLarge", "The request body exceeds 1 MiB.")
            self._log(scope, too_large, began)  # before sending: a client may read the log next
            await self._send(send, too_large, close=True)
            return
        request = self._request(scope, content)
        if scope["path"].startswith(CONTROL_PREFIX):
            client = scope.get("client")
            controlled = self.control.answer(request, client[0] if client else None)
            self._log(scope, controlled, began, journal=False)
            await self._send(send, controlled, close=False)
            return
        answered = self.identity.answer(request) or self._arm(request)
        if answered is None:  # an injected connection failure: drop the connection
            await send({"type": "http.response.start", "status": 200, "headers": []})
            return
        self._log(scope, answered, began)
        await self._send(send, answered, close=False)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    @staticmethod
    async def _body(scope: Scope, receive: Receive) -> bytes:
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > MAX_BODY:
                raise _TooLarge  # refused before a byte of it is read
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:  # a chunked body that grows past the limit
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _request(self, scope: Scope, content: bytes) -> httpx.Request:
        base = self.fake.base_url
        path = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        target = path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
        headers = [(name, value) for name, value in scope["headers"]]  # bytes, as they came
        try:
            url = httpx.URL(base + target)
        except httpx.InvalidURL:
            url = httpx.URL(base + "/?invalid-target")
        return httpx.Request(scope["method"], url, headers=headers, content=content)

    def _arm(self, request: httpx.Request) -> httpx.Response | None:
        refused = self.identity.check(request)
        if refused is not None:
            return refused
        fake = self.fake
        with fake.lock:
            target = (time.monotonic() - self._started) * self.time_scale
            fake.advance(max(target - fake.clock.monotonic(), 0.0))
            try:
                response = fake.handle(request)
            except httpx.TransportError:
                return None
        retry_after = response.headers.get("Retry-After")
        if retry_after is not None and retry_after.isdigit():
            real = max(1, math.ceil(int(retry_after) / self.time_scale))
            response.headers["Retry-After"] = str(real)
        return response

    @staticmethod
    async def _send(send: Send, response: httpx.Response, *, close: bool) -> None:
        body = response.content
        headers = [
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, value in response.headers.items()
            if name.lower() not in ("content-length", "transfer-encoding", "connection")
        ]
        headers.append((b"content-length", str(len(body)).encode()))
        if close:
            headers.append((b"connection", b"close"))
        await send(
            {"type": "http.response.start", "status": response.status_code, "headers": headers}
        )
        await send({"type": "http.response.body", "body": body})

    def _log(
        self, scope: Scope, response: httpx.Response, began: float, *, journal: bool = True
    ) -> None:
        """One entry of the request log, when there is one, and of the journal (which keeps
        the world's requests, not the control plane's)."""
        query = httpx.QueryParams(scope.get("query_string", b"").decode("latin-1"))
        code = None
        if response.status_code >= 400:
            try:
                code = response.json()["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = None
        headers = {k.decode("latin-1").lower(): v for k, v in scope["headers"]}
        entry = {
            "time": self.fake.clock.now().isoformat(),
            "method": scope["method"],
            "path": scope["path"],
            "api_version": query.get("api-version"),
            "status": response.status_code,
            "error_code": code,
            "duration_ms": round((time.monotonic() - began) * 1000, 3),
            "client_request_id": (headers.get("x-ms-client-request-id") or b"").decode("latin-1")
            or None,
        }
        if journal:
            self.control.journal.append(entry)
        if self.request_log is not None:
            self.request_log.write(json.dumps(entry) + "\n")
            self.request_log.flush()
