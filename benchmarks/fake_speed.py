"""How fast the fake is: a typical hermetic test, and one operation against the emulator."""

from __future__ import annotations

import json
import subprocess
import sys
import timeit
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

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


SDK_VM = json.loads((Path(__file__).parents[1] / "compat" / "windows_vm.json").read_text())


def typical_sdk_test() -> None:
    """The same with the official SDK in-process, its clients built with no extra arguments:
    opt in to the preview feature, create the VM, assess, install."""
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.resource.features import FeatureClient

    from azpatch_fake import FakeAzure

    fake = FakeAzure()
    fake.add_resource_group("rg")
    with fake.intercept():
        features = FeatureClient(fake.credential, SUBSCRIPTION)
        features.features.register("Microsoft.Compute", "InGuestAutoPatchVMPreview")
        compute = ComputeManagementClient(fake.credential, SUBSCRIPTION)
        compute.virtual_machines.begin_create_or_update("rg", "vm1", SDK_VM).result()
        compute.virtual_machines.begin_assess_patches("rg", "vm1").result()
        parameters = {
            "maximumDuration": "PT2H",
            "rebootSetting": "IfRequired",
            "windowsParameters": {"classificationsToInclude": ["Security"]},
        }
        compute.virtual_machines.begin_install_patches("rg", "vm1", parameters).result()


def _best_ms(test: Callable[[], None]) -> float:
    test()  # import and warm up
    timer = timeit.Timer(test)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=5, number=number)) / number * 1e3


def bench_typical_test() -> None:
    print("\nA typical hermetic test (fresh fake, one VM, AutomaticByPlatform, assess, install)")
    ours = _best_ms(typical_test)
    print(f"  azpatch                        {ours:8.2f} ms   (goal: under 5 ms)")
    sdk = _best_ms(typical_sdk_test)
    print(f"  official SDK in-process        {sdk:8.2f} ms   (goal: under 50 ms)")
    print(f"  ratio SDK / azpatch            {sdk / ours:8.2f}")


def bench_served_operations() -> None:
    """Real seconds of one assessment and one installation against ``serve``'s defaults."""
    command = [sys.executable, "-m", "azpatch_fake", "serve", "--port", "0", "--seed", "1"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:
        assert server.stdout is not None
        base = server.stdout.readline().strip().removeprefix("listening on ")
        assess, install = _operations_over(base)
        server.terminate()
    print("\nOne operation with serve's default flags, start to result, through azpatch")
    print(f"  assessPatches {assess:6.2f} s   installPatches {install:6.2f} s   (goal: about 1 s)")


def _operations_over(base: str) -> tuple[float, float]:
    """Real seconds of one assessment and one installation against a served world."""
    import azpatch
    from azpatch import models as m

    vm = f"{base}/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers"
    vm += "/Microsoft.Compute/virtualMachines/vm1"
    httpx.put(
        f"{base}/subscriptions/{SUBSCRIPTION}/resourcegroups/rg?api-version=2022-09-01",
        json={"location": "westeurope"},
    ).raise_for_status()
    httpx.put(f"{vm}?api-version=2024-07-01", json=SDK_VM).raise_for_status()
    credential = azpatch.StaticTokenCredential("t")
    with azpatch.Client(SUBSCRIPTION, credential, base_url=base) as client:
        started = timeit.default_timer()
        client.virtual_machines.assess_patches("rg", "vm1", timeout=120)
        assessed = timeit.default_timer()
        client.virtual_machines.install_patches(
            "rg",
            "vm1",
            m.VirtualMachineInstallPatchesParameters(
                reboot_setting="IfRequired",
                windows_parameters=m.WindowsParameters(classifications_to_include=("Security",)),
            ),
            timeout=600,
        )
        return assessed - started, timeit.default_timer() - assessed


if __name__ == "__main__":
    bench_typical_test()
    bench_served_operations()
