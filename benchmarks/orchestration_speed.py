"""One month of availability-first rollout for 10,000 and 100,000 VMs across all public regions.

Each size runs in a fresh process, so its peak memory is its own. Goals (issue 6):
100,000 VMs in under 60 seconds and 2 GiB, and no worse than n log n growth
(the 100,000 run at most 12 times the 10,000 run).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

SIZES = (10_000, 100_000)
UNTIL = datetime(2027, 2, 1, tzinfo=timezone.utc)  # the example fleet starts 2027-01-01


def one(vms: int) -> dict[str, float]:
    from azpatch_fake import example_fleet, load_fleet

    fleet = example_fleet(vms, seed=1)  # what a fleet file holds; making it is not timed
    started = time.perf_counter()
    fake = load_fleet(fleet, seed=1)
    del fleet  # as the command line drops the parsed file
    loaded = time.perf_counter()
    fake.run_until(UNTIL)
    finished = time.perf_counter()
    patched = sum(m.done_rollout == "2027-01" for m in fake.orchestrator.members())
    return {
        "load": loaded - started,
        "month": finished - loaded,
        "events": len(fake.timeline),
        "patched": patched,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def bench_orchestration() -> None:
    print("\nOrchestration: one month (2027-01) of the example fleet, all public regions")
    print(f"  {'VMs':>8} {'load':>7} {'month':>8} {'events':>10} {'patched':>8} {'peak':>9}")
    results = {}
    for vms in SIZES:
        output = subprocess.run(
            [sys.executable, __file__, str(vms)], check=True, capture_output=True, text=True
        ).stdout
        result = results[vms] = json.loads(output)
        print(
            f"  {vms:>8} {result['load']:6.1f}s {result['month']:7.1f}s {result['events']:>10.0f}"
            f" {result['patched']:>8.0f} {result['peak_mib']:7.0f}MiB"
        )
    small, large = (results[size]["load"] + results[size]["month"] for size in SIZES)
    print(f"  100,000 / 10,000: {large / small:.1f}x  (goal: at most 12x; linear would be 10x)")
    print("  goal: 100,000 VMs in under 60 s and 2 GiB")


def bench_demo() -> None:
    """``python -m azpatch_fake demo``, start to finish, in a fresh process."""
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "azpatch_fake", "demo", "--out", out],
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - started
    print("\nThe demo (python -m azpatch_fake demo)")
    print(f"  wall time {seconds:6.1f} s  (goal: under 30 s)")


if __name__ == "__main__":
    if len(sys.argv) == 2:
        print(json.dumps(one(int(sys.argv[1]))))
    else:
        bench_orchestration()
