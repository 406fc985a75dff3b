"""A patching script as users write them: it reads its subscription and token from the
environment and builds its own client. Nothing in it knows about the fake."""

from __future__ import annotations

import os
from datetime import timedelta

import azpatch
from azpatch import models as m

INSTALL = m.VirtualMachineInstallPatchesParameters(
    maximum_duration=timedelta(hours=4),
    reboot_setting=m.VMGuestPatchRebootSetting.IF_REQUIRED,
    windows_parameters=m.WindowsParameters(
        classifications_to_include=[
            m.VMGuestPatchClassificationWindows.CRITICAL,
            m.VMGuestPatchClassificationWindows.SECURITY,
        ]
    ),
)


def _client_arguments() -> tuple[str, azpatch.StaticTokenCredential]:
    token = azpatch.StaticTokenCredential(os.environ["AZURE_ACCESS_TOKEN"])
    return os.environ["AZURE_SUBSCRIPTION_ID"], token


def patch_tonight(
    resource_group: str, vm_name: str
) -> tuple[m.VirtualMachineAssessPatchesResult, m.VirtualMachineInstallPatchesResult]:
    """Opt in, switch the VM to AutomaticByPlatform, wait until it is Ready, assess, install."""
    with azpatch.Client(*_client_arguments()) as client:
        client.features.enable_guest_patching_preview(timeout=3600)
        client.virtual_machines.set_patch_mode(
            resource_group, vm_name, "AutomaticByPlatform", reboot_setting="IfRequired"
        )
        client.virtual_machines.wait_for_patch_mode_ready(
            resource_group, vm_name, timeout=24 * 3600
        )
        assessment = client.virtual_machines.assess_patches(resource_group, vm_name)
        assessment.raise_for_status()
        installation = client.virtual_machines.install_patches(
            resource_group, vm_name, INSTALL, timeout=6 * 3600
        )
        installation.raise_for_status()
        return assessment, installation


async def patch_tonight_async(
    resource_group: str, vm_name: str
) -> tuple[m.VirtualMachineAssessPatchesResult, m.VirtualMachineInstallPatchesResult]:
    """The same with the async client."""
    async with azpatch.AsyncClient(*_client_arguments()) as client:
        await client.features.enable_guest_patching_preview(timeout=3600)
        await client.virtual_machines.set_patch_mode(
            resource_group, vm_name, "AutomaticByPlatform", reboot_setting="IfRequired"
        )
        await client.virtual_machines.wait_for_patch_mode_ready(
            resource_group, vm_name, timeout=24 * 3600
        )
        assessment = await client.virtual_machines.assess_patches(resource_group, vm_name)
        assessment.raise_for_status()
        installation = await client.virtual_machines.install_patches(
            resource_group, vm_name, INSTALL, timeout=6 * 3600
        )
        installation.raise_for_status()
        return assessment, installation
