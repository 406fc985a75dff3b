"""Clients we did not write: the official Azure SDK for Python against ``azpatch_fake serve``.

Run by ``nox -s compat``, which installs azure-mgmt-compute,
azure-mgmt-resource, azure-mgmt-resource-features and azure-identity (and
aiohttp for the aio clients). The server runs with no pacing flags and with
``--require-auth``; the clients authenticate with azure-identity's
``ManagedIdentityCredential``, unchanged, through the variables the server
prints, on a subscription id this test invents. azure-core refuses bearer
tokens over plain http unless told per call, hence ``enforce_https=False``;
that is the SDK's guard, not a difference in the wire format.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from azure.identity import ManagedIdentityCredential
from azure.identity.aio import ManagedIdentityCredential as AsyncManagedIdentityCredential
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute.aio import ComputeManagementClient as AsyncCompute
from azure.mgmt.resource.features import FeatureClient
from azure.mgmt.resource.features.aio import FeatureClient as AsyncFeatures

try:  # azure-mgmt-resource 26 moved the client into a subpackage
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.resource.resources.aio import ResourceManagementClient as AsyncResources
except ImportError:
    from azure.mgmt.resource import ResourceManagementClient  # type: ignore[no-redef]
    from azure.mgmt.resource.aio import (  # type: ignore[no-redef]
        ResourceManagementClient as AsyncResources,
    )

SUBSCRIPTION = "4d3c2b1a-0f9e-4d8c-a7b6-5e4d3c2b1a09"  # invented here: created on first use
PLAIN_HTTP = {"enforce_https": False}
IMAGES = {
    "Linux": {
        "publisher": "Canonical",
        "offer": "0001-com-ubuntu-server-jammy",
        "sku": "22_04-lts-gen2",
        "version": "latest",
    },
    "Windows": {
        "publisher": "MicrosoftWindowsServer",
        "offer": "WindowsServer",
        "sku": "2022-datacenter-azure-edition",
        "version": "latest",
    },
}


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    command = [sys.executable, "-m", "azpatch_fake", "serve", "--port", "0", "--require-auth"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:
        assert server.stdout is not None
        url = server.stdout.readline().strip().removeprefix("listening on ")
        exports = {}
        while len(exports) < 2:
            line = server.stdout.readline()
            name, _, value = line.removeprefix("export ").strip().partition("=")
            if name in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER"):
                exports[name] = value
        patch = pytest.MonkeyPatch()
        for name, value in exports.items():
            patch.setenv(name, value)
        yield url
        patch.undo()
        server.terminate()


def _vm_body(os_type: str) -> dict[str, Any]:
    configuration = {
        "provisionVMAgent": True,
        "patchSettings": {"patchMode": "AutomaticByPlatform"},
    }
    if os_type == "Windows":
        configuration["enableAutomaticUpdates"] = True
    key = "windowsConfiguration" if os_type == "Windows" else "linuxConfiguration"
    return {
        "location": "westeurope",
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_D2s_v5"},
            "storageProfile": {"imageReference": IMAGES[os_type]},
            "osProfile": {"computerName": "vm", "adminUsername": "azureuser", key: configuration},
        },
    }


def test_sync_clients(base_url: str) -> None:
    credential = ManagedIdentityCredential()
    resources = ResourceManagementClient(credential, SUBSCRIPTION, base_url=base_url)
    compute = ComputeManagementClient(credential, SUBSCRIPTION, base_url=base_url)
    features = FeatureClient(credential, SUBSCRIPTION, base_url=base_url)

    group = resources.resource_groups.create_or_update(
        "compat", {"location": "westeurope"}, **PLAIN_HTTP
    )
    assert group.name == "compat"
    for os_type in ("Linux", "Windows"):
        name = f"{os_type.lower()}-vm"
        vm = compute.virtual_machines.begin_create_or_update(
            "compat", name, _vm_body(os_type), polling_interval=0, **PLAIN_HTTP
        ).result()
        assert vm.provisioning_state == "Succeeded"
        assert vm.storage_profile.os_disk.os_type == os_type
        fetched = compute.virtual_machines.get("compat", name, **PLAIN_HTTP)
        config = fetched.os_profile.windows_configuration or fetched.os_profile.linux_configuration
        assert config.patch_settings.patch_mode == "AutomaticByPlatform"
        view = compute.virtual_machines.instance_view("compat", name, **PLAIN_HTTP)
        assert view.vm_agent.vm_agent_version
        assessment = compute.virtual_machines.begin_assess_patches(
            "compat", name, polling_interval=0, **PLAIN_HTTP
        ).result()
        assert assessment.status == "Succeeded"
        assert assessment.critical_and_security_patch_count > 0
        classifications = ["Critical", "Security"]
        parameters = {
            "maximumDuration": "PT4H",
            "rebootSetting": "IfRequired",
            "windowsParameters" if os_type == "Windows" else "linuxParameters": {
                "classificationsToInclude": classifications
            },
        }
        installed = compute.virtual_machines.begin_install_patches(
            "compat", name, parameters, polling_interval=0, **PLAIN_HTTP
        ).result()
        assert installed.status == "Succeeded"
        assert installed.installed_patch_count == assessment.critical_and_security_patch_count

    feature = features.features.register("Microsoft.Compute", "InGuestPatchVMPreview", **PLAIN_HTTP)
    assert feature.properties.state == "Registering"
    assert features.features.get("Microsoft.Compute", "InGuestPatchVMPreview", **PLAIN_HTTP).name
    provider = resources.providers.register("Microsoft.Compute", **PLAIN_HTTP)
    assert provider.registration_state == "Registering"


@pytest.mark.anyio
async def test_aio_clients(base_url: str) -> None:
    async with (
        AsyncManagedIdentityCredential() as credential,
        AsyncResources(credential, SUBSCRIPTION, base_url=base_url) as resources,
        AsyncCompute(credential, SUBSCRIPTION, base_url=base_url) as compute,
        AsyncFeatures(credential, SUBSCRIPTION, base_url=base_url) as features,
    ):
        await resources.resource_groups.create_or_update(
            "aio", {"location": "westeurope"}, **PLAIN_HTTP
        )
        for os_type in ("Linux", "Windows"):
            name = f"{os_type.lower()}-vm"
            poller = await compute.virtual_machines.begin_create_or_update(
                "aio", name, _vm_body(os_type), polling_interval=0, **PLAIN_HTTP
            )
            assert (await poller.result()).provisioning_state == "Succeeded"
            assert (await compute.virtual_machines.get("aio", name, **PLAIN_HTTP)).name == name
            view = await compute.virtual_machines.instance_view("aio", name, **PLAIN_HTTP)
            assert view.statuses
            poller = await compute.virtual_machines.begin_assess_patches(
                "aio", name, polling_interval=0, **PLAIN_HTTP
            )
            assert (await poller.result()).status == "Succeeded"
            key = "windowsParameters" if os_type == "Windows" else "linuxParameters"
            poller = await compute.virtual_machines.begin_install_patches(
                "aio",
                name,
                {"rebootSetting": "Never", key: {"classificationsToInclude": ["Security"]}},
                polling_interval=0,
                **PLAIN_HTTP,
            )
            assert (await poller.result()).installed_patch_count > 0
        feature = await features.features.register(
            "Microsoft.Compute", "InGuestAutoPatchVMPreview", **PLAIN_HTTP
        )
        assert feature.properties.state == "Registering"
        provider = await resources.providers.register("Microsoft.Compute", **PLAIN_HTTP)
        assert provider.registration_state == "Registering"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
