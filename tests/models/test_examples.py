"""Every body in Microsoft's example files parses, and serializes back to itself.

"Back to itself" is checked without azpatch's own wire-name table: the keys
a model drops must be in ``IGNORED_KEYS`` (the parts of a VM outside the
patch-relevant subset), so a misspelled wire name shows up as a dropped key.
"""

from __future__ import annotations

import filecmp
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from azpatch import from_wire, to_wire
from azpatch import models as m
from tests.wire.examples import EXAMPLES, MODELS_BY_FILE, bodies, example_files

SHARED = Path(__file__).resolve().parents[3] / "shared" / "azure-rest-examples"

IGNORED_KEYS = {
    "adminPassword",
    "dataDisks",
    "caching",
    "createOption",
    "managedDisk",
    "hardwareProfile",
    "networkProfile",
    "secrets",
    "securityProfile",
    "aliases",
    "locationMappings",
}
# Feature states arrive in any case and are normalized to PascalCase.
ANY_CASE_KEYS = {"state", "registrationState"}
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def _instant(text: str) -> datetime:
    head, _, rest = text.partition(".")
    if rest:
        digits = re.match(r"\d+", rest)
        assert digits is not None
        text = f"{head}.{digits.group()[:6].ljust(6, '0')}{rest[digits.end() :]}"
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def _assert_same(original: Any, serialized: Any, path: str = "$") -> None:
    if isinstance(original, dict):
        assert isinstance(serialized, dict), path
        for key, value in original.items():
            if key not in serialized:
                assert key in IGNORED_KEYS, f"{path}.{key} was dropped"
                continue
            if key in ANY_CASE_KEYS:
                assert serialized[key].casefold() == value.casefold(), f"{path}.{key}"
                continue
            _assert_same(value, serialized[key], f"{path}.{key}")
        assert set(serialized) <= set(original), f"{path} gained keys"
    elif isinstance(original, list):
        assert isinstance(serialized, list), path
        assert len(serialized) == len(original), path
        for index, (a, b) in enumerate(zip(original, serialized, strict=True)):
            _assert_same(a, b, f"{path}[{index}]")
    elif isinstance(original, str) and _DATETIME.fullmatch(original):
        assert _instant(serialized) == _instant(original), path
    else:
        assert serialized == original, path
        assert type(serialized) is type(original), path


def test_every_example_file_has_a_model() -> None:
    names = {path.name for path in example_files()}
    assert names == set(MODELS_BY_FILE)
    assert len(example_files()) == 19


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not beside this checkout")
def test_the_copied_examples_match_shared() -> None:
    comparison = filecmp.dircmp(EXAMPLES, SHARED)
    assert not comparison.left_only
    assert not comparison.right_only
    for sub in comparison.subdirs.values():
        assert not sub.diff_files, sub.left
        assert not sub.left_only, sub.left
        assert not sub.right_only, sub.left


@pytest.mark.parametrize("path", example_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_example_bodies_parse_and_round_trip(path: Path) -> None:
    for where, model, body in bodies(path):
        parsed = from_wire(model, body)
        serialized = to_wire(parsed)
        _assert_same(body, serialized, f"{path.name}:{where}")
        assert from_wire(model, serialized) == parsed


def _example(name: str, where: str) -> Any:
    folder, file = name.split("/")
    for found_where, _, body in bodies(EXAMPLES / folder / file):
        if found_where == where:
            return body
    raise AssertionError(where)


def test_instance_view_patch_status_is_typed() -> None:
    body = _example("2026-03-01/VirtualMachine_Get_InstanceView.json", "responses.200")
    view = from_wire(m.VirtualMachineInstanceView, body)
    assert view.patch_status is not None
    summary = view.patch_status.available_patch_summary
    assert summary is not None
    assert summary.status is m.PatchOperationStatus.SUCCEEDED
    assert summary.critical_and_security_patch_count == 1
    assert summary.start_time == datetime(2020, 4, 24, 21, 2, 4, 255615, tzinfo=timezone.utc)
    assert summary.error is None
    assert "error" in summary.explicit_nulls
    statuses = view.patch_status.configuration_statuses
    assert statuses is not None
    assert [s.code for s in statuses] == [
        "PatchModeConfigurationState/Ready",
        "AssessmentModeConfigurationState/Pending",
    ]
    assert view.is_vm_in_standby_pool is False
    assert view.vm_agent is not None
    assert view.vm_agent.vm_agent_version == "2.7.41491.949"
    assert view.hyper_v_generation is m.HyperVGeneration.V1


def test_manual_example_quirk_is_kept_as_sent() -> None:
    """The Manual example sends enableAutomaticUpdates true; models report, rules judge."""
    body = _example(
        "2020-12-01/CreateAWindowsVmWithPatchSettingModeOfManual.json", "parameters.parameters"
    )
    vm = from_wire(m.VirtualMachine, body)
    assert vm.os_profile is not None
    windows = vm.os_profile.windows_configuration
    assert windows is not None
    assert windows.enable_automatic_updates is True
    assert windows.patch_settings == m.PatchSettings(patch_mode=m.WindowsVMGuestPatchMode.MANUAL)


def test_vm_properties_are_flattened() -> None:
    body = _example(
        "2026-03-01/VirtualMachine_Create_LinuxVmWithAutomaticByPlatformSettings.json",
        "responses.201",
    )
    vm = from_wire(m.VirtualMachine, body)
    assert vm.provisioning_state == "Creating"
    assert vm.storage_profile is not None
    assert vm.storage_profile.image_reference is not None
    assert vm.storage_profile.os_disk == m.OSDisk(os_type="Linux", name="myVMosdisk")
    assert vm.os_profile is not None
    linux = vm.os_profile.linux_configuration
    assert linux is not None
    assert linux.provision_vm_agent is True
    assert linux.patch_settings == m.LinuxPatchSettings(
        patch_mode=m.LinuxVMGuestPatchMode.AUTOMATIC_BY_PLATFORM,
        assessment_mode=m.LinuxPatchAssessmentMode.AUTOMATIC_BY_PLATFORM,
        automatic_by_platform_settings=m.LinuxVMGuestPatchAutomaticByPlatformSettings(
            reboot_setting=m.LinuxVMGuestPatchAutomaticByPlatformRebootSetting.NEVER,
            bypass_platform_safety_checks_on_user_schedule=True,
        ),
    )


def test_install_parameters_duration_and_dates() -> None:
    body = _example(
        "2020-12-01/VirtualMachineInstallPatches.json", "parameters.installPatchesInput"
    )
    params = from_wire(m.VirtualMachineInstallPatchesParameters, body)
    assert params.maximum_duration is not None
    assert params.maximum_duration.total_seconds() == 4 * 3600
    assert params.windows_parameters is not None
    assert params.windows_parameters.classifications_to_include == (
        m.VMGuestPatchClassificationWindows.CRITICAL,
        m.VMGuestPatchClassificationWindows.SECURITY,
    )
    assert to_wire(params)["maximumDuration"] == "PT4H"


def test_feature_states_in_lower_case_are_recognized() -> None:
    body = _example("2025-03-01/listProviderFeatures.json", "responses.200")
    listing = from_wire(m.FeatureOperationsListResult, body)
    assert listing.value is not None
    states = [f.properties.state for f in listing.value if f.properties]
    assert states == [
        m.SubscriptionFeatureRegistrationState.REGISTERED,
        m.SubscriptionFeatureRegistrationState.UNREGISTERED,
    ]


def test_provider_registration_states() -> None:
    providers = from_wire(
        m.ProviderListResult, _example("2024-07-01/GetProviders.json", "responses.200")
    )
    assert providers.value is not None
    assert [p.registration_state for p in providers.value] == [
        m.ProviderRegistrationState.REGISTERING,
        m.ProviderRegistrationState.REGISTERED,
        m.ProviderRegistrationState.NOT_REGISTERED,
    ]
