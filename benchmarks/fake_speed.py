"""How fast the fake is: a typical hermetic test, and the HTTP server under concurrent load."""

from __future__ import annotations

import statistics
import subprocess
import sys
import threading
import timeit
from datetime import timedelta

import httpx

SUBSCRIPTION = "00000000-0000-0000-0000-00000000000a"


def typical_test() -> None:
    """Fresh fake, one VM, enable AutomaticByPlatform, assess, install: what a user's test does."""
    from azpatch import models as m
    from azpatch_fake import FakeAzure

    fake = FakeAzure()
    fake.add_vm("rg", "vm1", os_type="Windows")
    with fake.client() as client:
        http = httpx.Client(transport=fake.transport)
        http.patch(
            f"{fake.base_url}/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers"
            "/Microsoft.Compute/virtualMachines/vm1",
            params={"api-version": "2025-11-01"},
            json={
                "properties": {
                    "osProfile": {
                        "windowsConfiguration": {
                            "patchSettings": {"patchMode": "AutomaticByPlatform"}
                        }
                    }
                }
            },
        )
        client.virtual_machines.assess_patches("rg", "vm1")
        client.virtual_machines.install_patches(
            "rg",
            "vm1",
            m.VirtualMachineInstallPatchesParameters(
                maximum_duration=timedelta(hours=2),
                reboot_setting=m.VMGuestPatchRebootSetting.IF_REQUIRED,
                windows_parameters=m.WindowsParameters(classifications_to_include=("Security",)),
            ),
        )


def bench_typical_test() -> None:
    typical_test()  # import and warm up
    timer = timeit.Timer(typical_test)
    number, _ = timer.autorange()
    best = min(timer.repeat(repeat=5, number=number)) / number
    print("\nA typical hermetic test (fresh fake, one VM, AutomaticByPlatform, assess, install)")
    print(f"  wall time {best * 1e3:8.2f} ms   (goal: under 5 ms)")


def bench_server(clients: int = 16, requests_each: int = 150) -> None:
    command = [sys.executable, "-m", "azpatch_fake", "serve", "--port", "0", "--seed", "1"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:
        assert server.stdout is not None
        base = server.stdout.readline().strip().removeprefix("listening on ")
        url = f"{base}/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Compute"
        params = {"api-version": "2024-07-01"}
        latencies: list[float] = []
        lock = threading.Lock()

        def worker() -> None:
            with httpx.Client() as http:
                for _ in range(requests_each):
                    started = timeit.default_timer()
                    http.get(url, params=params).raise_for_status()
                    with lock:
                        latencies.append(timeit.default_timer() - started)

        threads = [threading.Thread(target=worker) for _ in range(clients)]
        started = timeit.default_timer()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = timeit.default_timer() - started
        server.terminate()
    total = clients * requests_each
    print(f"\nThe HTTP server on loopback, {clients} concurrent clients, {total} requests")
    median = statistics.median(latencies) * 1e3
    print(f"  {total / elapsed:8.0f} requests/s   median latency {median:.2f} ms")


if __name__ == "__main__":
    bench_typical_test()
    bench_server()
