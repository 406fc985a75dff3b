"""The planner (azpatch) and the fake (its own implementation) agree on every change.

Hypothesis draws a VM (OS, image, mode, enableAutomaticUpdates, VM agent) and
a target (modes and settings, valid or not) under each profile; the planner's
verdict and the fake's answer to the PATCH must be the same, error code and
target included.
"""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import event, given, settings
from hypothesis import strategies as st

import azpatch
from azpatch import models as m
from azpatch_fake import FakeAzure, ImageRecord

IMAGES = {
    "Windows": [
        ImageRecord("MicrosoftWindowsServer", "WindowsServer", "2019-Datacenter"),
        ImageRecord(
            "MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition-hotpatch"
        ),
        ImageRecord("SomeVendor", "appliance", "v1"),
        ImageRecord("", "", ""),  # a custom image
    ],
    "Linux": [
        ImageRecord("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2"),
        ImageRecord("RedHat", "RHEL", "9_4"),
        ImageRecord("SomeVendor", "appliance", "v1"),
        ImageRecord("", "", ""),
    ],
}
MODES = {
    "Windows": ["AutomaticByOS", "AutomaticByPlatform", "Manual"],
    "Linux": ["ImageDefault", "AutomaticByPlatform"],
}
ALL_MODES = ["AutomaticByOS", "AutomaticByPlatform", "Manual", "ImageDefault", "Bogus"]


@st.composite
def situations(draw: st.DrawFn) -> dict[str, Any]:
    os_type = draw(st.sampled_from(["Windows", "Linux"]))
    return {
        "os_type": os_type,
        "image": draw(st.sampled_from(IMAGES[os_type])),
        "current": draw(st.sampled_from([None, *MODES[os_type]])),
        "eau": draw(st.booleans()),
        "agent": draw(st.booleans()),
        "profile": draw(st.sampled_from(["ga", "preview-2020", "spec-strict"])),
        "mode": draw(st.sampled_from([None, *ALL_MODES])),
        "assessment": draw(
            st.sampled_from([None, "ImageDefault", "AutomaticByPlatform", "Hourly"])
        ),
        "reboot": draw(
            st.sampled_from([None, "IfRequired", "Never", "Always", "Unknown", "Weekly"])
        ),
        "bypass": draw(st.sampled_from([None, True, False])),
        "hotpatch": draw(st.sampled_from([None, True, False])),
    }


def _target(case: dict[str, Any]) -> m.PatchSettings | m.LinuxPatchSettings:
    platform: Any = None
    if case["reboot"] is not None or case["bypass"] is not None:
        platform = (
            m.WindowsVMGuestPatchAutomaticByPlatformSettings
            if case["os_type"] == "Windows"
            else m.LinuxVMGuestPatchAutomaticByPlatformSettings
        )(
            reboot_setting=case["reboot"],
            bypass_platform_safety_checks_on_user_schedule=case["bypass"],
        )
    if case["os_type"] == "Windows":
        return m.PatchSettings(
            patch_mode=case["mode"],
            assessment_mode=case["assessment"],
            enable_hotpatching=case["hotpatch"],
            automatic_by_platform_settings=platform,
        )
    return m.LinuxPatchSettings(
        patch_mode=case["mode"],
        assessment_mode=case["assessment"],
        automatic_by_platform_settings=platform,
    )


@settings(max_examples=300)  # the rules' whole space is small; cover it well
@given(situations())
def test_the_planner_and_the_fake_agree(case: dict[str, Any]) -> None:
    fake = FakeAzure(patch_rules_profile=case["profile"])
    fake.add_vm(
        "rg",
        "vm1",
        os_type=case["os_type"],
        image=case["image"],
        patch_mode=case["current"],
        provision_vm_agent=case["agent"],
        enable_automatic_updates=case["eau"],
    )
    http = httpx.Client(transport=fake.transport)
    url = (
        f"{fake.base_url}/subscriptions/{fake.subscription_id}/resourceGroups/rg"
        "/providers/Microsoft.Compute/virtualMachines/vm1"
    )
    params = {"api-version": "2025-11-01"}
    vm = azpatch.from_wire(m.VirtualMachine, http.get(url, params=params).json())
    target = _target(case)
    plan = azpatch.plan_patch_settings_change(vm, target, profile=case["profile"])

    configuration: Any = (
        m.WindowsConfiguration(patch_settings=target)
        if isinstance(target, m.PatchSettings)
        else m.LinuxConfiguration(patch_settings=target)
    )
    key = "windows_configuration" if case["os_type"] == "Windows" else "linux_configuration"
    body = azpatch.to_wire(m.VirtualMachineUpdate(os_profile=m.OSProfile(**{key: configuration})))
    answer = http.patch(url, params=params, json=body)

    event("refused" if plan.refusal else "allowed")
    if plan.refusal is None:
        assert answer.status_code == 200, answer.json()
    else:
        error = answer.json()["error"]
        assert (answer.status_code, error["code"], error.get("target")) == (
            plan.refusal.status,
            plan.refusal.code,
            plan.refusal.target,
        )
