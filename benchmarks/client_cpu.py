"""Client CPU per operation, azpatch against azure-mgmt-compute, on one local endpoint.

Both clients talk to the same canned endpoint (``local_arm.py``, in another
process) over real HTTP on loopback; only this process's CPU time is
counted, so what is measured is each client's own cost: building requests,
the HTTP stack, authentication, parsing and polling.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"
ROUNDS = 5


@contextmanager
def local_arm() -> Iterator[str]:
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("local_arm.py"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    assert server.stdin is not None
    try:
        yield f"http://127.0.0.1:{server.stdout.readline().strip()}"
    finally:
        server.stdin.close()
        server.wait(timeout=10)


class _AzureCredential:
    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken("benchmark-token", int(time.time()) + 3600)


def _operations(base_url: str) -> dict[str, tuple[Callable[[], object], Callable[[], object]]]:
    from azure.mgmt.compute import ComputeManagementClient

    import azpatch

    ours = azpatch.Client(
        SUBSCRIPTION,
        azpatch.StaticTokenCredential("benchmark-token"),
        base_url=base_url,
        polling=azpatch.PollingPolicy(min_interval=0),
    )
    theirs = ComputeManagementClient(_AzureCredential(), SUBSCRIPTION, base_url=base_url)
    # azure-core refuses bearer tokens over http unless told per call; polling sleeps 0.
    plain_http = {"enforce_https": False}
    return {
        "get instance view": (
            lambda: ours.virtual_machines.get_instance_view("rg", "vm1"),
            lambda: theirs.virtual_machines.instance_view("rg", "vm1", **plain_http),
        ),
        "assess patches (POST, poll, result)": (
            lambda: ours.virtual_machines.assess_patches("rg", "vm1"),
            lambda: theirs.virtual_machines.begin_assess_patches(
                "rg", "vm1", polling_interval=0, **plain_http
            ).result(),
        ),
    }


def _cpu_per_call(operation: Callable[[], object], calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        operation()
    return (time.process_time() - start) / calls


def bench_client_cpu(calls: int = 40) -> None:
    with local_arm() as base_url:
        operations = _operations(base_url)
        print(f"\nClient CPU per operation against one local endpoint ({ROUNDS}x{calls} calls)")
        print(f"  {'':36} {'azpatch':>10} {'azure':>10} {'ratio':>8}")
        for name, (ours, theirs) in operations.items():
            ours(), theirs()  # warm up connections and caches
            ours_s = theirs_s = 0.0
            for _ in range(ROUNDS):  # interleaved, so drift hits both alike
                ours_s += _cpu_per_call(ours, calls)
                theirs_s += _cpu_per_call(theirs, calls)
            print(
                f"  {name:36} {ours_s / ROUNDS * 1e3:8.2f}ms {theirs_s / ROUNDS * 1e3:8.2f}ms"
                f" {theirs_s / ours_s:7.1f}x"
            )
        print("  goal: azpatch at least 3x less CPU per operation")


if __name__ == "__main__":
    bench_client_cpu()
