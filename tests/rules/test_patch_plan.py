"""The patch-settings planner, rule by rule (numbers from the orchestration reference)."""

from __future__ import annotations

import pytest

from azpatch import PatchRulesProfile, plan_patch_settings_change
from azpatch import models as m

WINDOWS_IMAGE = m.ImageReference(
    publisher="MicrosoftWindowsServer", offer="WindowsServer", sku="2022-datacenter-azure-edition"
)
LINUX_IMAGE = m.ImageReference(
    publisher="Canonical", offer="0001-com-ubuntu-server-jammy", sku="22_04-lts-gen2"
)


def windows_vm(
    mode: str | None = "AutomaticByOS",
    *,
    eau: bool = True,
    agent: bool = True,
    image: m.ImageReference | None = WINDOWS_IMAGE,
) -> m.VirtualMachine:
    return m.VirtualMachine(
        os_profile=m.OSProfile(
            windows_configuration=m.WindowsConfiguration(
                enable_automatic_updates=eau,
                provision_vm_agent=agent,
                patch_settings=m.PatchSettings(patch_mode=mode),
            )
        ),
        storage_profile=m.StorageProfile(image_reference=image),
    )


def linux_vm(
    mode: str | None = None,
    *,
    agent_version: str | None = None,
    image: m.ImageReference = LINUX_IMAGE,
) -> m.VirtualMachine:
    view = (
        m.VirtualMachineInstanceView(
            vm_agent=m.VirtualMachineAgentInstanceView(vm_agent_version=agent_version)
        )
        if agent_version
        else None
    )
    return m.VirtualMachine(
        os_profile=m.OSProfile(
            linux_configuration=m.LinuxConfiguration(
                patch_settings=m.LinuxPatchSettings(patch_mode=mode)
            )
        ),
        storage_profile=m.StorageProfile(image_reference=image),
        instance_view=view,
    )


def _refusal(
    vm: m.VirtualMachine,
    target: m.PatchSettings | m.LinuxPatchSettings,
    profile: PatchRulesProfile = "ga",
) -> tuple[str, str | None] | None:
    plan = plan_patch_settings_change(vm, target, profile=profile)
    return None if plan.refusal is None else (plan.refusal.code, plan.refusal.target)


MODE_TARGET_W = "windowsConfiguration.patchSettings.patchMode"
MODE_TARGET_L = "linuxConfiguration.patchSettings.patchMode"


def test_r1_modes_per_os() -> None:
    assert _refusal(linux_vm(), m.LinuxPatchSettings(patch_mode="Manual")) == (
        "InvalidParameter",
        MODE_TARGET_L,
    )
    assert _refusal(windows_vm(), m.PatchSettings(patch_mode="ImageDefault")) == (
        "InvalidParameter",
        MODE_TARGET_W,
    )


def test_r2_defaults_when_absent() -> None:
    assert (
        plan_patch_settings_change(windows_vm(None), m.PatchSettings()).current_mode
        == "AutomaticByOS"
    )
    assert (
        plan_patch_settings_change(linux_vm(None), m.LinuxPatchSettings()).current_mode
        == "ImageDefault"
    )


@pytest.mark.parametrize(
    ("current", "eau", "target", "refused"),
    [
        ("AutomaticByOS", True, "AutomaticByPlatform", False),
        ("AutomaticByPlatform", True, "AutomaticByOS", False),
        ("Manual", False, "AutomaticByPlatform", False),
        ("AutomaticByPlatform", False, "Manual", False),
        ("AutomaticByOS", True, "Manual", True),  # R6
        ("Manual", False, "AutomaticByOS", True),  # R5
    ],
)
def test_r5_r6_r7_the_ga_transition_matrix(
    current: str, eau: bool, target: str, refused: bool
) -> None:
    verdict = _refusal(windows_vm(current, eau=eau), m.PatchSettings(patch_mode=target))
    assert verdict == (("InvalidParameter", MODE_TARGET_W) if refused else None)


def test_r5_message_is_azures() -> None:
    plan = plan_patch_settings_change(
        windows_vm("Manual", eau=False), m.PatchSettings(patch_mode="AutomaticByOS")
    )
    assert plan.refusal is not None
    assert plan.refusal.message == (
        "The patchMode 'AutomaticByOS' is invalid. For patchMode 'AutomaticByOS', the property"
        " 'enableAutomaticUpdates' must be set to true."
    )


@pytest.mark.parametrize(
    ("current", "eau", "target", "refused"),
    [
        ("AutomaticByOS", True, "AutomaticByPlatform", False),
        ("AutomaticByPlatform", True, "AutomaticByOS", True),
        ("Manual", False, "AutomaticByPlatform", True),
    ],
)
def test_r8_the_preview_profile(current: str, eau: bool, target: str, refused: bool) -> None:
    verdict = _refusal(
        windows_vm(current, eau=eau), m.PatchSettings(patch_mode=target), "preview-2020"
    )
    assert (verdict is not None) is refused


def test_q4_spec_strict_wants_automatic_updates_for_automatic_by_platform() -> None:
    vm = windows_vm("Manual", eau=False)
    target = m.PatchSettings(patch_mode="AutomaticByPlatform")
    assert _refusal(vm, target) is None
    assert _refusal(vm, target, "spec-strict") == ("InvalidParameter", MODE_TARGET_W)


def test_r9_supported_images_and_q5_custom_images() -> None:
    appliance = m.ImageReference(publisher="SomeVendor", offer="appliance", sku="v1")
    target = m.LinuxPatchSettings(patch_mode="AutomaticByPlatform")
    assert _refusal(linux_vm(image=appliance), target) == ("InvalidParameter", MODE_TARGET_L)
    custom = m.ImageReference(
        id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/golden"
    )
    plan = plan_patch_settings_change(linux_vm(image=custom), target)
    assert plan.allowed
    assert any("never patched automatically" in w for w in plan.warnings)


def test_r10_the_agent() -> None:
    target = m.PatchSettings(patch_mode="AutomaticByPlatform")
    assert _refusal(windows_vm(agent=False), target) == (
        "InvalidParameter",
        "windowsConfiguration.provisionVMAgent",
    )
    old_agent = plan_patch_settings_change(
        linux_vm(agent_version="2.2.49.2"), m.LinuxPatchSettings(patch_mode="AutomaticByPlatform")
    )
    assert old_agent.allowed
    assert any("2.2.53.1" in w for w in old_agent.warnings)


def test_r11_r12_enums() -> None:
    assert _refusal(linux_vm(), m.LinuxPatchSettings(assessment_mode="Hourly")) == (
        "InvalidParameter",
        "linuxConfiguration.patchSettings.assessmentMode",
    )
    target = m.LinuxPatchSettings(
        patch_mode="AutomaticByPlatform",
        automatic_by_platform_settings=m.LinuxVMGuestPatchAutomaticByPlatformSettings(
            reboot_setting="Sometimes"
        ),
    )
    assert _refusal(linux_vm(), target) == (
        "InvalidParameter",
        "linuxConfiguration.patchSettings.automaticByPlatformSettings.rebootSetting",
    )


def test_r14_hotpatching() -> None:
    vm = windows_vm()
    hotpatchable = windows_vm(
        image=m.ImageReference(
            publisher="MicrosoftWindowsServer",
            offer="WindowsServer",
            sku="2022-datacenter-azure-edition-hotpatch",
        )
    )
    assert (
        _refusal(vm, m.PatchSettings(patch_mode="AutomaticByOS", enable_hotpatching=True))
        is not None
    )
    bypass = m.PatchSettings(
        patch_mode="AutomaticByPlatform",
        enable_hotpatching=True,
        automatic_by_platform_settings=m.WindowsVMGuestPatchAutomaticByPlatformSettings(
            bypass_platform_safety_checks_on_user_schedule=True
        ),
    )
    plan = plan_patch_settings_change(vm, bypass)
    assert plan.refusal is not None
    assert "must be set to false to enable hotpatching" in plan.refusal.message
    old = windows_vm(
        image=m.ImageReference(
            publisher="MicrosoftWindowsServer", offer="WindowsServer", sku="2019-Datacenter"
        )
    )
    assert (
        _refusal(old, m.PatchSettings(patch_mode="AutomaticByPlatform", enable_hotpatching=True))
        is not None
    )
    assert (
        _refusal(
            hotpatchable, m.PatchSettings(patch_mode="AutomaticByPlatform", enable_hotpatching=True)
        )
        is None
    )


def test_r15_rhel_and_r16_enablement_warnings() -> None:
    rhel = m.ImageReference(publisher="RedHat", offer="RHEL", sku="9_4")
    plan = plan_patch_settings_change(
        linux_vm(image=rhel), m.LinuxPatchSettings(patch_mode="AutomaticByPlatform")
    )
    assert plan.allowed
    assert any("packagekit" in w for w in plan.warnings)
    assert any("off-peak" in w for w in plan.warnings)


def test_the_body_is_the_minimal_patch() -> None:
    from azpatch import to_wire

    plan = plan_patch_settings_change(
        windows_vm(), m.PatchSettings(patch_mode="AutomaticByPlatform")
    )
    assert plan.body is not None
    assert to_wire(plan.body) == {
        "properties": {
            "osProfile": {
                "windowsConfiguration": {"patchSettings": {"patchMode": "AutomaticByPlatform"}}
            }
        }
    }


def test_unknown_profiles_are_refused() -> None:
    with pytest.raises(ValueError, match="profile"):
        plan_patch_settings_change(windows_vm(), m.PatchSettings(), profile="beta")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("os_type", "mode"),
    [
        ("Windows", "AutomaticByOS"),
        ("Windows", "AutomaticByPlatform"),
        ("Windows", "Manual"),
        ("Linux", "ImageDefault"),
        ("Linux", "AutomaticByPlatform"),
    ],
)
def test_new_vm_fragments_are_accepted_by_the_fake(os_type: str, mode: str) -> None:
    import httpx

    from azpatch import patch_settings_for_new_vm, to_wire
    from azpatch_fake import FakeAzure

    fragment = patch_settings_for_new_vm(os_type, mode)  # type: ignore[arg-type]
    fake = FakeAzure()
    fake.add_resource_group("rg")
    url = (
        f"{fake.base_url}/subscriptions/{fake.subscription_id}/resourceGroups/rg"
        "/providers/Microsoft.Compute/virtualMachines/vm1"
    )
    body = {"location": "westeurope", "properties": {"osProfile": to_wire(fragment)}}
    response = httpx.Client(transport=fake.transport).put(
        url, params={"api-version": "2025-11-01"}, json=body
    )
    assert response.status_code == 201, response.json()
    assert fake.vm("rg", "vm1").patch_settings.patch_mode == mode


def test_new_vm_fragments_refuse_what_azure_refuses() -> None:
    from azpatch import PatchModeTransitionError, patch_settings_for_new_vm

    with pytest.raises(PatchModeTransitionError) as caught:
        patch_settings_for_new_vm("Linux", "Manual")
    assert caught.value.target == "linuxConfiguration.patchSettings.patchMode"
    appliance = m.ImageReference(publisher="SomeVendor", offer="appliance", sku="v1")
    with pytest.raises(PatchModeTransitionError):
        patch_settings_for_new_vm("Windows", "AutomaticByPlatform", image=appliance)


def test_r9_the_planner_and_the_fake_support_the_same_images() -> None:
    """Two transcriptions of Microsoft's table, kept apart on purpose, must agree."""
    from azpatch._rules._supported_images import HOTPATCHABLE, PREVIEW_2020, SUPPORTED
    from azpatch_fake._world import _images as fake_images

    assert SUPPORTED == fake_images.SUPPORTED
    assert HOTPATCHABLE == fake_images.HOTPATCHABLE
    assert PREVIEW_2020 == fake_images.PREVIEW_2020
    assert PREVIEW_2020 <= SUPPORTED


def _patch_fake(body: dict[str, object], **vm: object) -> dict[str, object]:
    import httpx

    from azpatch_fake import FakeAzure

    fake = FakeAzure()
    fake.add_vm("rg", "vm1", **vm)  # type: ignore[arg-type]
    url = (
        f"{fake.base_url}/subscriptions/{fake.subscription_id}/resourceGroups/rg"
        "/providers/Microsoft.Compute/virtualMachines/vm1"
    )
    response = httpx.Client(transport=fake.transport).patch(
        url, params={"api-version": "2025-11-01"}, json=body
    )
    return {"status": response.status_code, **response.json().get("error", {})}


def test_r4_enable_automatic_updates_is_create_only_in_the_fake() -> None:
    body = {
        "properties": {"osProfile": {"windowsConfiguration": {"enableAutomaticUpdates": False}}}
    }
    answer = _patch_fake(body, os_type="Windows")
    assert answer["status"] == 409
    assert answer["code"] == "PropertyChangeNotAllowed"
    assert answer["target"] == "windowsConfiguration.enableAutomaticUpdates"


def test_r13_the_bypass_flag_is_a_boolean() -> None:
    body = {
        "properties": {
            "osProfile": {
                "linuxConfiguration": {
                    "patchSettings": {
                        "patchMode": "AutomaticByPlatform",
                        "automaticByPlatformSettings": {
                            "bypassPlatformSafetyChecksOnUserSchedule": "yes"
                        },
                    }
                }
            }
        }
    }
    answer = _patch_fake(body)
    assert (answer["status"], answer["code"]) == (400, "InvalidParameter")
    from azpatch import InvalidArgumentError, to_wire

    settings = m.LinuxVMGuestPatchAutomaticByPlatformSettings(
        bypass_platform_safety_checks_on_user_schedule="yes"  # type: ignore[arg-type]
    )
    with pytest.raises(InvalidArgumentError, match="expected a boolean"):
        to_wire(settings)


def test_r14_a_hotpatch_compatible_vm_needs_patch_settings_in_the_fake() -> None:
    import httpx

    from azpatch_fake import FakeAzure

    fake = FakeAzure()
    fake.add_resource_group("rg")
    url = (
        f"{fake.base_url}/subscriptions/{fake.subscription_id}/resourceGroups/rg"
        "/providers/Microsoft.Compute/virtualMachines/vm1"
    )
    image = {
        "publisher": "MicrosoftWindowsServer",
        "offer": "WindowsServer",
        "sku": "2025-datacenter-azure-edition",
    }
    body = {
        "location": "westeurope",
        "properties": {
            "storageProfile": {"imageReference": image},
            "osProfile": {"windowsConfiguration": {"provisionVMAgent": True}},
        },
    }
    http = httpx.Client(transport=fake.transport)
    refused = http.put(url, params={"api-version": "2025-11-01"}, json=body)
    assert refused.json()["error"]["message"] == (
        "PatchSettings must be specified for hotpatch compatible VMs."
    )
    assert fake.find_vm("rg", "vm1") is None
