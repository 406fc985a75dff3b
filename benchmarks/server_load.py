"""The emulator under load on loopback, beside moto_server measured in the same run.

A load generator of raw keep-alive connections on asyncio (a few microseconds of client
CPU a request, so the server is what is measured), each connection sending its next
request when the last answer is in, for a fixed time. Both servers share the machine's
two cores with the generator.
"""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

SUBSCRIPTION = "00000000-0000-0000-0000-00000000000a"
VM = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Compute"
VM += "/virtualMachines/vm1"
API = "?api-version=2024-07-01"
CONCURRENCY = (1, 16, 64)
SECONDS = 2.0


def _request(method: str, path: str, host: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"Content-Type: application/json\r\n\r\n" + body


async def _connection(
    host: str, port: int, request: bytes, until: float, latencies: list[float]
) -> None:
    """One client: the next request when the last answer is in, reconnecting whenever the
    server closes the connection (moto_server's development server closes every one)."""
    while time.perf_counter() < until:
        started = time.perf_counter()
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < until:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length, closing = 0, False
                for line in head.lower().split(b"\r\n"):
                    if line.startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                    closing = closing or line == b"connection: close"
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                started = time.perf_counter()
                if closing:
                    break
        finally:
            writer.close()


async def _load(host: str, port: int, request: bytes, connections: int) -> tuple[float, float]:
    latencies: list[float] = []
    until = time.perf_counter() + SECONDS
    await asyncio.gather(
        *(_connection(host, port, request, until, latencies) for _ in range(connections))
    )
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else latencies[0]
    return len(latencies) / SECONDS, p99 * 1e3


@contextmanager
def _idle_and_stalled(host: str, port: int) -> Iterator[None]:
    """200 connections that send nothing, and one that sent half a request and stopped."""
    idle = [socket.create_connection((host, port)) for _ in range(200)]
    stalled = socket.create_connection((host, port))
    stalled.sendall(b"PUT /subscriptions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
    try:
        yield
    finally:
        for connection in [*idle, stalled]:
            connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _emulator() -> Iterator[tuple[str, int]]:
    command = [sys.executable, "-m", "azpatch_fake", "serve", "--example-world", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:
        assert server.stdout is not None
        url = server.stdout.readline().strip().removeprefix("listening on ")
        host, port = url.removeprefix("http://").rsplit(":", 1)
        base = f"{url}/subscriptions/{SUBSCRIPTION}"
        httpx.put(
            f"{base}/resourcegroups/rg?api-version=2022-09-01", json={"location": "westeurope"}
        )
        vm = {"location": "westeurope", "properties": {"osProfile": {"linuxConfiguration": {}}}}
        httpx.put(f"{url}{VM}{API}", json=vm).raise_for_status()
        try:
            yield host, int(port)
        finally:
            server.terminate()


@contextmanager
def _moto() -> Iterator[tuple[str, int] | None]:
    port = _free_port()
    try:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        yield None
        return
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            yield None
            return
        httpx.put(f"http://127.0.0.1:{port}/bench-bucket")
        yield "127.0.0.1", port
    finally:
        server.terminate()
        server.wait(10)


def bench_server_load() -> None:
    print(f"\nServers under load on loopback, {SECONDS:.0f} s each, requests/s and p99 latency")
    print(f"  {'':34}" + "".join(f"{n:>10} clients" for n in CONCURRENCY))
    rows: dict[str, list[tuple[float, float]]] = {}
    with _emulator() as (host, port):
        where = f"{host}:{port}"
        quiet = asyncio.run(_load(host, port, _request("GET", VM + API, where), 1))[1]
        with _idle_and_stalled(host, port):
            crowded = asyncio.run(_load(host, port, _request("GET", VM + API, where), 1))[1]
        body = json.dumps({}).encode()
        for name, request in {
            "emulator GET VM": _request("GET", VM + API, where),
            "emulator GET instanceView": _request("GET", VM + "/instanceView" + API, where),
            "emulator POST assessPatches": _request(
                "POST", VM + "/assessPatches" + API, where, body
            ),
        }.items():
            rows[name] = [asyncio.run(_load(host, port, request, n)) for n in CONCURRENCY]
    with _moto() as moto:
        if moto is not None:
            host, port = moto
            request = _request("GET", "/bench-bucket", f"{host}:{port}")
            rows["moto_server GET (S3 bucket)"] = [
                asyncio.run(_load(host, port, request, n)) for n in CONCURRENCY
            ]
    for name, results in rows.items():
        cells = "".join(f"{rate:8.0f} {p99:6.1f}ms" for rate, p99 in results)
        print(f"  {name:34}{cells}")
    print(
        f"  p99 of one client's GET VM: {quiet:.2f} ms alone, {crowded:.2f} ms beside 200 idle"
        f" connections and a half-sent request (goal: a few ms more at most:"
        f" {'met' if crowded - quiet < 5 else 'missed'})"
    )
    ours, theirs = rows["emulator GET VM"], rows.get("moto_server GET (S3 bucket)")
    if theirs:
        ratio = ours[1][0] / theirs[1][0]
        print(f"  emulator / moto_server, GET at 16 clients: {ratio:5.2f}x")
    print(
        f"  goal: at least 3,000 GETs/s at 16 clients on 2 cores:"
        f" {'met' if ours[1][0] >= 3000 else 'missed'} ({ours[1][0]:.0f})"
    )


if __name__ == "__main__":
    bench_server_load()
