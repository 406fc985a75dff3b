"""A response body is read up to ``max_response_bytes`` and no further: a real socket
server that declares a huge body, or never stops sending one, gets a typed refusal."""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import azpatch

from .conftest import maybe

pytestmark = pytest.mark.anyio
SUB = "00000000-0000-0000-0000-000000000001"
LIMIT = 64 * 1024


def _endless(connection: socket.socket) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"[" * 8192
    while True:  # until the client hangs up
        connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))


def _declared(connection: socket.socket) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 200000000\r\n\r\n{")


def _bomb(connection: socket.socket) -> None:
    body = gzip.compress(b" " * (LIMIT * 4))  # a few hundred bytes on the wire
    connection.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s"
        % (len(body), body)
    )


@contextmanager
def _server(answer: Any) -> Iterator[str]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)  # to notice the end of the test
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(10)
                connection.recv(65536)
                with contextlib.suppress(OSError):  # the client hung up
                    answer(connection)

    worker = threading.Thread(target=serve, daemon=True)
    worker.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        done.set()
        worker.join(5)
        listener.close()


@pytest.mark.parametrize("answer", [_endless, _declared, _bomb], ids=lambda f: f.__name__[1:])
async def test_a_body_past_the_limit_is_refused_unread(kind: str, answer: Any) -> None:
    cls = azpatch.Client if kind == "sync" else azpatch.AsyncClient
    with _server(answer) as url:
        client = cls(
            SUB,
            azpatch.StaticTokenCredential("t"),
            base_url=url,
            max_response_bytes=LIMIT,
            retry=azpatch.RetryPolicy(max_attempts=1),
        )
        with pytest.raises(azpatch.ResponseValidationError, match="too large"):
            await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
        await maybe(client.close() if kind == "sync" else client.aclose())


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
async def test_the_limit_is_a_positive_number_of_bytes(bad: Any) -> None:
    with pytest.raises(azpatch.InvalidArgumentError, match="max_response_bytes"):
        azpatch.Client(SUB, azpatch.StaticTokenCredential("t"), max_response_bytes=bad)
