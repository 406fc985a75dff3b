"""How close to its deadline a call against a misbehaving server ends, per client.

The raw-socket server of the tests (``tests/misbehaving.py``) drips a response
a byte every 50 ms (3 s in all), or answers a poll with nothing at all. azpatch
(sync and async) has a 1-second deadline; azure-mgmt-compute, measured in the
same run, has a 1-second read timeout, its only bound, which a drip never trips.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import azpatch
from tests.misbehaving import Answer, drip, hang, response_bytes, serving

SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"
DEADLINE = 1.0
GOAL = 1.0  # ends within a second of its deadline
VIEW = response_bytes(200, {"computerName": "vm1", "statuses": [{"code": "x"}]})


def _dripping(n: int, request: Any) -> Answer:
    return drip(VIEW, every=3 / len(VIEW))


def _accepted_then_silent(n: int, request: Any) -> Answer:
    if n == 0:
        data = response_bytes(202, headers={"Location": "/operations/op1"})
        return Answer(lambda connection, _: connection.sendall(data))
    return hang()


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    with contextlib.suppress(Exception):  # the outcome is the tests'; here only the time
        call()
    return time.perf_counter() - started


def _azpatch_sync(url: str) -> float:
    retry = azpatch.RetryPolicy(deadline=DEADLINE)
    with azpatch.Client(
        SUBSCRIPTION, azpatch.StaticTokenCredential("t"), base_url=url, retry=retry
    ) as client:
        return _timed(lambda: client.virtual_machines.get_instance_view("rg", "vm1"))


def _azpatch_async(url: str) -> float:
    async def go() -> float:
        retry = azpatch.RetryPolicy(deadline=DEADLINE)
        credential = azpatch.StaticTokenCredential("t")
        async with azpatch.AsyncClient(
            SUBSCRIPTION, credential, base_url=url, retry=retry
        ) as client:
            started = time.perf_counter()
            with contextlib.suppress(azpatch.AzpatchError):
                await client.virtual_machines.get_instance_view("rg", "vm1")
            return time.perf_counter() - started

    return anyio.run(go)


def _official_sdk(url: str) -> float:
    from azure.core.credentials import AccessToken
    from azure.mgmt.compute import ComputeManagementClient

    class Credential:
        def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
            return AccessToken("t", int(time.time()) + 3600)

    client = ComputeManagementClient(
        Credential(),  # type: ignore[arg-type]
        SUBSCRIPTION,
        base_url=url,
        credential_scopes=["https://management.azure.com/.default"],
        read_timeout=DEADLINE,
        connection_timeout=DEADLINE,
        retry_total=0,
    )
    return _timed(lambda: client.virtual_machines.instance_view("rg", "vm1", enforce_https=False))


def _poll_timeout(url: str) -> float:
    with azpatch.Client(
        SUBSCRIPTION,
        azpatch.StaticTokenCredential("t"),
        base_url=url,
        polling=azpatch.PollingPolicy(interval=0.05),
    ) as client:
        poller = client.virtual_machines.begin_assess_patches("rg", "vm1")
        return _timed(lambda: poller.result(timeout=DEADLINE))


def bench_deadlines() -> None:
    logging.getLogger("azpatch").addHandler(logging.NullHandler())  # the failures are expected
    print(
        f"\nDeadlines against a misbehaving server (deadline {DEADLINE:g} s; goal: ended"
        f" within {GOAL:g} s of it)"
    )
    rows: list[tuple[str, float, bool]] = []
    for name, run in (
        ("drip, azpatch.Client", _azpatch_sync),
        ("drip, azpatch.AsyncClient", _azpatch_async),
        ("drip, azure-mgmt-compute (read_timeout only)", _official_sdk),
    ):
        with serving(_dripping) as server:
            rows.append((name, run(server.url), "azpatch" in name))
    with serving(_accepted_then_silent) as server:
        rows.append(("silent poll, LROPoller.result(timeout)", _poll_timeout(server.url), True))
    for name, took, ours in rows:
        verdict = ("met" if took <= DEADLINE + GOAL else "MISSED") if ours else "no deadline"
        print(f"  {name:48}{took:6.2f} s   {verdict}")
    peer = rows[2][1]
    print(f"  the official SDK took {peer / rows[0][1]:.1f}x as long as azpatch on the drip")


if __name__ == "__main__":
    bench_deadlines()
