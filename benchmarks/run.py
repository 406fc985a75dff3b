"""Benchmarks against azure-mgmt-compute, measured side by side in one run.

Prints times and ratios; asserts nothing, because wall-clock numbers depend
on the machine. Run with ``nox -s bench`` (which installs azure-mgmt-compute
in its own session only).
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import statistics
import subprocess
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from async_throughput import bench_async_throughput
from client_cpu import bench_client_cpu
from deadlines import bench_deadlines
from fake_speed import bench_served_operations, bench_typical_test
from fleet_pacing import bench_fleet_pacing
from orchestration_speed import bench_demo, bench_orchestration
from server_load import bench_server_load

ROOT = Path(__file__).resolve().parents[1]
INSTANCE_VIEW = (
    ROOT / "tests/wire/azure-rest-examples/2026-03-01/VirtualMachine_Get_InstanceView.json"
)
IMPORTS = {
    "azpatch": "import azpatch",
    "azpatch with its client": "from azpatch import Client",
    "azure-mgmt-compute": "from azure.mgmt.compute import ComputeManagementClient",
    "bare interpreter": "pass",
}


def _best_per_call(function: Callable[[], object], rounds: int = 7) -> float:
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=rounds, number=number)) / number


def _azure_parser() -> tuple[str, Callable[[Any], object]]:
    from azure.mgmt.compute.models import VirtualMachineInstanceView as AzureView

    try:  # azure-mgmt-compute >= 38 (TypeSpec): what its client calls on a response
        from azure.mgmt.compute._utils.model_base import _deserialize
    except ImportError:  # older, msrest-based releases
        return "Model.deserialize", AzureView.deserialize
    return "model_base._deserialize", lambda body: _deserialize(AzureView, body)


def _read_patch_status(view: Any) -> object:
    """What a patching script reads: the summaries and every configuration status."""
    status = view.patch_status
    summary = status.available_patch_summary
    installation = status.last_patch_installation_summary
    return (
        summary.status,
        summary.critical_and_security_patch_count,
        summary.start_time,
        installation.installed_patch_count,
        [(s.code, s.time) for s in status.configuration_statuses],
    )


def bench_parse() -> None:
    import azpatch
    from azpatch.models import VirtualMachineInstanceView

    body = json.loads(INSTANCE_VIEW.read_text())["responses"]["200"]["body"]
    how, azure_parse = _azure_parser()
    rows = {
        "parse": (
            lambda: azpatch.from_wire(VirtualMachineInstanceView, body),
            lambda: azure_parse(body),
        ),
        "parse and read patchStatus": (
            lambda: _read_patch_status(azpatch.from_wire(VirtualMachineInstanceView, body)),
            lambda: _read_patch_status(azure_parse(body)),
        ),
    }
    print(f"\nInstance view with patchStatus (azure-mgmt-compute via {how})")
    print(f"  {'':28} {'azpatch':>10} {'azure':>10} {'ratio':>8}")
    for name, (ours, theirs) in rows.items():
        ours_s, theirs_s = _best_per_call(ours), _best_per_call(theirs)
        print(
            f"  {name:28} {ours_s * 1e6:8.1f}us {theirs_s * 1e6:8.1f}us {theirs_s / ours_s:7.1f}x"
        )
    print("  goal: azpatch at least 10x faster to parse")


def _process_seconds(statement: str) -> float:
    start = timeit.default_timer()
    subprocess.run([sys.executable, "-c", statement], check=True)
    return timeit.default_timer() - start


def bench_import(runs: int = 15) -> None:
    samples: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(runs):  # interleaved, so drift hits every side alike
        for name, statement in IMPORTS.items():
            samples[name].append(_process_seconds(statement))
    median = {name: statistics.median(times) for name, times in samples.items()}
    print(f"\nWhole-process import time, median of {runs} runs")
    for name, seconds in median.items():
        print(f"  {name:28} {seconds * 1e3:8.1f}ms  ({IMPORTS[name]})")
    theirs = median["azure-mgmt-compute"]
    print(f"  azpatch / azure-mgmt-compute {median['azpatch'] / theirs:8.2f}  (goal: at most 0.50)")
    print(f"  with the client / azure      {median['azpatch with its client'] / theirs:8.2f}")


def main() -> None:
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("azpatch", "azure-mgmt-compute", "cattrs", "attrs")
    )
    print(f"azpatch benchmarks on Python {platform.python_version()}: {versions}")
    bench_parse()
    bench_import()
    bench_client_cpu()
    bench_typical_test()
    bench_served_operations()
    bench_server_load()
    bench_async_throughput()
    bench_deadlines()
    bench_fleet_pacing()
    bench_orchestration()
    bench_demo()


if __name__ == "__main__":
    main()
