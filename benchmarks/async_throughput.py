"""The async client's own ceiling: instance views a second from one core, per transport.

Sixteen concurrent requests at a time for a fixed time against the emulator
on loopback (in its own process, so this process's CPU time is the client's
alone): plain ``httpx.AsyncClient`` GETs, as the issue measured them; azpatch's
``AsyncClient`` on httpx's own transport; azpatch on ``AiohttpTransport``; and
plain ``aiohttp`` GETs, the floor of what a client can cost.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import aiohttp
import httpx
from server_load import SUBSCRIPTION, VM, _emulator

import azpatch

CONCURRENT = 16
SECONDS = 2.0
PATH = f"{VM}/instanceView?api-version=2025-11-01"
GOAL = 1000.0  # requests a second from one core


async def _hammer(get: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """(requests a second, CPU seconds a request) for ``SECONDS`` of ``CONCURRENT`` loops."""
    done = 0
    until = time.perf_counter() + SECONDS

    async def loop() -> None:
        nonlocal done
        while time.perf_counter() < until:
            await get()
            done += 1

    await get()  # connect and warm up first
    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(loop() for _ in range(CONCURRENT)))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return done / wall, cpu / done


async def _plain_httpx(url: str) -> tuple[float, float]:
    async with httpx.AsyncClient() as http:

        async def get() -> None:
            (await http.get(url + PATH)).raise_for_status()

        return await _hammer(get)


async def _plain_aiohttp(url: str) -> tuple[float, float]:
    async with aiohttp.ClientSession() as http:

        async def get() -> None:
            async with http.get(url + PATH) as answer:
                answer.raise_for_status()
                await answer.read()

        return await _hammer(get)


async def _azpatch(url: str, transport: httpx.AsyncBaseTransport | None) -> tuple[float, float]:
    credential = azpatch.StaticTokenCredential("token")
    async with azpatch.AsyncClient(
        SUBSCRIPTION, credential, base_url=url, transport=transport
    ) as client:
        return await _hammer(lambda: client.virtual_machines.get_instance_view("rg", "vm1"))


def bench_async_throughput() -> None:
    print(
        f"\nThe async client's ceiling: GET instanceView, {CONCURRENT} concurrent,"
        f" {SECONDS:.0f} s each, the emulator in another process"
    )
    with _emulator() as (host, port):
        url = f"http://{host}:{port}"
        rows = {
            "httpx.AsyncClient, plain GETs": _plain_httpx(url),
            "azpatch.AsyncClient (httpx's transport)": _azpatch(url, None),
            "azpatch.AsyncClient + AiohttpTransport": _azpatch(url, azpatch.AiohttpTransport()),
            "aiohttp.ClientSession, plain GETs": _plain_aiohttp(url),
        }
        results = {name: asyncio.run(run) for name, run in rows.items()}
    print(f"  {'':42}{'req/s':>8}{'CPU/req':>10}{'req/s per core':>16}")
    for name, (rate, cpu) in results.items():
        print(f"  {name:42}{rate:8.0f}{cpu * 1e6:8.0f}us{1 / cpu:16.0f}")
    plain = results["httpx.AsyncClient, plain GETs"][1]
    fast = results["azpatch.AsyncClient + AiohttpTransport"][1]
    print(f"  azpatch on aiohttp / plain httpx, CPU a request: {fast / plain:5.2f}x")
    print(
        f"  goal: azpatch at least {GOAL:,.0f} requests a second from one core:"
        f" {'met' if 1 / fast >= GOAL else 'missed'} ({1 / fast:,.0f} on AiohttpTransport)"
    )


if __name__ == "__main__":
    bench_async_throughput()
