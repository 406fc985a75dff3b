"""Microsoft's example files (copied from ../shared with their SOURCE.md) and what each holds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from azpatch import models as m

EXAMPLES = Path(__file__).parent / "azure-rest-examples"

_VM_CREATE = {"parameters": m.VirtualMachine, "200": m.VirtualMachine, "201": m.VirtualMachine}
_ASSESS = {"200": m.VirtualMachineAssessPatchesResult}
_INSTALL = {
    "installPatchesInput": m.VirtualMachineInstallPatchesParameters,
    "200": m.VirtualMachineInstallPatchesResult,
}
_INSTANCE_VIEW = {"200": m.VirtualMachineInstanceView}
_FEATURE = {"200": m.FeatureResult}

# File name -> the model of each request parameter and response body it holds.
MODELS_BY_FILE: dict[str, dict[str, type[m.WireModel]]] = {
    "CreateALinuxVmWithPatchSettingModeOfAutomaticByPlatform.json": _VM_CREATE,
    "CreateAWindowsVmWithPatchSettingModeOfAutomaticByPlatformAndEnableHotPatchingTrue.json": (
        _VM_CREATE
    ),
    "CreateAWindowsVmWithPatchSettingModeOfManual.json": _VM_CREATE,
    "VirtualMachine_Create_LinuxVmWithAutomaticByPlatformSettings.json": _VM_CREATE,
    "VirtualMachine_Create_WindowsVmWithAutomaticByPlatformSettings.json": _VM_CREATE,
    "VirtualMachineAssessPatches.json": _ASSESS,
    "VirtualMachine_AssessPatches.json": _ASSESS,
    "VirtualMachineInstallPatches.json": _INSTALL,
    "VirtualMachine_InstallPatches.json": _INSTALL,
    "GetVirtualMachineInstanceView.json": _INSTANCE_VIEW,
    "VirtualMachine_Get_InstanceView.json": _INSTANCE_VIEW,
    "getFeature.json": _FEATURE,
    "registerFeature.json": _FEATURE,
    "unregisterFeature.json": _FEATURE,
    "listProviderFeatures.json": {"200": m.FeatureOperationsListResult},
    "SubscriptionFeatureRegistrationGET.json": {"200": m.SubscriptionFeatureRegistration},
    "GetProviders.json": {"200": m.ProviderListResult},
}


def example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*/*.json"))


def bodies(path: Path) -> Iterator[tuple[str, type[m.WireModel], Any]]:
    """Every (where, model, body) of one example file that has a model."""
    example = json.loads(path.read_text())
    for where, model in MODELS_BY_FILE[path.name].items():
        if where in example["parameters"]:
            yield f"parameters.{where}", model, example["parameters"][where]
        elif where in example["responses"]:
            yield f"responses.{where}", model, example["responses"][where]["body"]
        else:
            raise AssertionError(f"{path.name} has no {where}")
