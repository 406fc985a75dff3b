"""A patching script written with the official Azure SDK, as most Azure automation is: it
builds its clients itself, with no transport, base URL or polling arguments."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute.aio import ComputeManagementClient as AsyncComputeManagementClient
from azure.mgmt.resource.features import FeatureClient
from azure.mgmt.resource.features.aio import FeatureClient as AsyncFeatureClient

try:  # azure-mgmt-resource 26 moved the client into a subpackage
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.resource.resources.aio import (
        ResourceManagementClient as AsyncResourceManagementClient,
    )
except ImportError:  # pragma: no cover - older azure-mgmt-resource
    from azure.mgmt.resource import ResourceManagementClient  # type: ignore[no-redef]
    from azure.mgmt.resource.aio import (  # type: ignore[no-redef]
        ResourceManagementClient as AsyncResourceManagementClient,
    )

FEATURE = ("Microsoft.Compute", "InGuestAutoPatchVMPreview")
# The Windows VM every compat client creates (the az CLI's driver and the bench read it too).
VM = json.loads((Path(__file__).with_name("windows_vm.json")).read_text(encoding="utf-8"))
INSTALL = {
    "maximumDuration": "PT4H",
    "rebootSetting": "IfRequired",
    "windowsParameters": {"classificationsToInclude": ["Critical", "Security"]},
}


def patch_new_vm(credential: Any) -> tuple[Any, Any, str]:
    """Opt in, create a VM, assess and install; the feature's state at the end."""
    subscription = os.environ["AZURE_SUBSCRIPTION_ID"]
    features = FeatureClient(credential, subscription)
    features.features.register(*FEATURE)
    resources = ResourceManagementClient(credential, subscription)
    resources.resource_groups.create_or_update("rg", {"location": "westeurope"})
    compute = ComputeManagementClient(credential, subscription)
    compute.virtual_machines.begin_create_or_update("rg", "web1", VM).result()
    assessment = compute.virtual_machines.begin_assess_patches("rg", "web1").result()
    installation = compute.virtual_machines.begin_install_patches("rg", "web1", INSTALL).result()
    state = features.features.get(*FEATURE).properties.state
    return assessment, installation, state


async def patch_new_vm_async(credential: Any) -> tuple[Any, Any, str]:
    """The same with the SDK's aio clients."""
    subscription = os.environ["AZURE_SUBSCRIPTION_ID"]
    async with (
        AsyncFeatureClient(credential, subscription) as features,
        AsyncResourceManagementClient(credential, subscription) as resources,
        AsyncComputeManagementClient(credential, subscription) as compute,
    ):
        await features.features.register(*FEATURE)
        await resources.resource_groups.create_or_update("rg", {"location": "westeurope"})
        poller = await compute.virtual_machines.begin_create_or_update("rg", "web1", VM)
        await poller.result()
        poller = await compute.virtual_machines.begin_assess_patches("rg", "web1")
        assessment = await poller.result()
        poller = await compute.virtual_machines.begin_install_patches("rg", "web1", INSTALL)
        installation = await poller.result()
        state = (await features.features.get(*FEATURE)).properties.state
    return assessment, installation, state
