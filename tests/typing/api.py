"""The public API as a user types it; checked by mypy --strict, never run.

Every ``assert_type`` pins what a caller's editor and type checker see, so a
change that leaks ``Any`` or widens a field fails the typecheck session.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from typing_extensions import assert_type

import azpatch
from azpatch import models as m

view = azpatch.from_wire(m.VirtualMachineInstanceView, {})
assert_type(view, m.VirtualMachineInstanceView)
assert_type(view.patch_status, m.VirtualMachinePatchStatus | None)
assert_type(view.platform_update_domain, int | None)
assert_type(view.statuses, tuple[m.InstanceViewStatus, ...] | None)

if view.patch_status and view.patch_status.available_patch_summary:
    summary = view.patch_status.available_patch_summary
    assert_type(summary.status, m.PatchOperationStatus | str | None)
    assert_type(summary.start_time, datetime | None)
    assert_type(summary.critical_and_security_patch_count, int | None)
    assert_type(summary.error, m.ApiError | None)

vm = azpatch.from_wire(m.VirtualMachine, {"name": "vm"})
assert_type(vm.zones, tuple[str, ...] | None)
assert_type(vm.tags, dict[str, str] | None)
if vm.os_profile and vm.os_profile.windows_configuration:
    windows = vm.os_profile.windows_configuration
    assert_type(windows.enable_automatic_updates, bool | None)
    if windows.patch_settings:
        assert_type(windows.patch_settings.patch_mode, m.WindowsVMGuestPatchMode | str | None)

params = m.VirtualMachineInstallPatchesParameters(
    maximum_duration=timedelta(hours=4),
    reboot_setting=m.VMGuestPatchRebootSetting.IF_REQUIRED,
    linux_parameters=m.LinuxParameters(
        classifications_to_include=(m.VMGuestPatchClassificationLinux.CRITICAL, "Security")
    ),
)
assert_type(azpatch.to_wire(params), dict[str, m.JSONValue])

feature = azpatch.from_wire(m.FeatureResult, {})
if feature.properties:
    assert_type(feature.properties.state, m.SubscriptionFeatureRegistrationState | str | None)

try:
    azpatch.from_wire(m.CloudError, [])
except azpatch.ResponseValidationError as error:
    assert_type(error.path, str)
    assert isinstance(error, azpatch.AzpatchError)

# A model is built from keywords only, and every field is typed.
m.PatchSettings(patch_mode=m.WindowsVMGuestPatchMode.MANUAL, enable_hotpatching=False)
m.PatchSettings(patch_mode=1)  # type: ignore[arg-type]
m.PatchSettings("Manual")  # type: ignore[call-arg, arg-type]
azpatch.from_wire(dict, {})  # type: ignore[type-var]


def sync_client(credential: azpatch.TokenCredential) -> None:
    with azpatch.Client("00000000-0000-0000-0000-000000000001", credential) as client:
        assert_type(client.virtual_machines.get("rg", "vm"), m.VirtualMachine)
        assert_type(
            client.virtual_machines.get_instance_view("rg", "vm"), m.VirtualMachineInstanceView
        )
        for listed in client.virtual_machines.list("rg"):
            assert_type(listed, m.VirtualMachine)
        reports: list[azpatch.OperationProgress] = []
        poller = client.virtual_machines.begin_assess_patches(
            "rg", "vm", on_progress=reports.append
        )
        assert_type(poller, azpatch.LROPoller[m.VirtualMachineAssessPatchesResult])
        assert_type(poller.result(timeout=60.0), m.VirtualMachineAssessPatchesResult)
        assert_type(poller.done(), bool)
        assert_type(poller.continuation_token(), str)
        result = client.virtual_machines.install_patches("rg", "vm", params)
        assert_type(result, m.VirtualMachineInstallPatchesResult)
        assert_type(result.succeeded, bool)
        preview = client.features.enable_guest_patching_preview(timeout=900, on_progress=print)
        assert_type(preview, azpatch.GuestPatchingPreview)
        assert_type(client.providers.register("Microsoft.Compute"), m.Provider)
        client.virtual_machines.get("rg", "vm", expand="everything")  # type: ignore[arg-type]


async def async_client(credential: azpatch.AsyncTokenCredential) -> None:
    async with azpatch.AsyncClient("00000000-0000-0000-0000-000000000001", credential) as client:
        assert_type(await client.virtual_machines.get("rg", "vm"), m.VirtualMachine)
        async for listed in client.virtual_machines.list_all():
            assert_type(listed, m.VirtualMachine)
        poller = await client.virtual_machines.begin_install_patches("rg", "vm", params)
        assert_type(poller, azpatch.AsyncLROPoller[m.VirtualMachineInstallPatchesResult])
        assert_type(await poller.result(), m.VirtualMachineInstallPatchesResult)
        assert_type(await poller.done(), bool)
        assert_type(poller.status(), str)
        feature = await client.features.wait_until_registered("Microsoft.Compute", "F", timeout=60)
        assert_type(feature, m.FeatureResult)


azpatch.Client(
    "00000000-0000-0000-0000-000000000001",
    azpatch.StaticTokenCredential("t"),
    retry=azpatch.RetryPolicy(max_attempts=3),
    polling=azpatch.PollingPolicy(deadline=3600, backoff=1.5, jitter=0.2, max_interval=600.0),
    clock=azpatch.SystemClock(),
)


def patch_modes(vm: m.VirtualMachine, client: azpatch.Client) -> None:
    plan = azpatch.plan_patch_settings_change(vm, m.PatchSettings(patch_mode="Manual"))
    assert_type(plan, azpatch.PatchSettingsPlan)
    assert_type(plan.refusal, azpatch.PatchSettingsRefusal | None)
    assert_type(plan.body, m.VirtualMachineUpdate | None)
    assert_type(azpatch.patch_settings_for_new_vm("Linux", "AutomaticByPlatform"), m.OSProfile)
    azpatch.patch_settings_for_new_vm("Solaris", "Manual")  # type: ignore[arg-type]
    updated = client.virtual_machines.set_patch_mode("rg", "vm", "AutomaticByPlatform")
    assert_type(updated, m.VirtualMachine)
    view = client.virtual_machines.wait_for_patch_mode_ready("rg", "vm", timeout=3 * 3600.0)
    assert_type(view, m.VirtualMachineInstanceView)


def harness_clock(clock: azpatch.Clock) -> None:
    with azpatch.default_clock(clock) as installed:
        assert_type(installed, azpatch.Clock)
    azpatch.default_clock(object())  # type: ignore[arg-type]
