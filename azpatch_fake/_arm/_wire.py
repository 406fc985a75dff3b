"""The fake's own serializer: state records to ARM JSON, and ARM's error envelope.

Written by hand from the REST specification, independently of azpatch's
converter: when both agree, the wire format is right, not merely symmetric.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import attrs

from .._world._catalog import WINDOWS_DISPLAY
from .._world._errors import ArmError
from .._world._records import (
    AssessmentRecord,
    FeatureRecord,
    InstallationRecord,
    OperationRecord,
    Patch,
    ProviderRecord,
    VmRecord,
)
from .._world._regions import PUBLIC_REGIONS, REGIONS
from ._echo import beneath

__all__ = [
    "ArmError",
    "Reply",
    "assessment_result",
    "error_reply",
    "feature",
    "installation_result",
    "instance_view",
    "iso",
    "operation_status",
    "provider",
    "virtual_machine",
    "vm_reply",
]

JSON = dict[str, Any]


@attrs.frozen
class Reply:
    status: int
    body: object = None
    headers: dict[str, str] = attrs.Factory(dict)


def error_reply(error: ArmError) -> Reply:
    """ARM's error envelope: ``{"error": {"code", "message", "target"}}``."""
    body: JSON = {"code": error.code, "message": error.message}
    if error.target is not None:
        body["target"] = error.target
    if error.details is not None:
        body["details"] = error.details
    headers = {} if error.retry_after is None else {"Retry-After": str(error.retry_after)}
    return Reply(error.status, {"error": body}, headers)


def vm_reply(record: VmRecord, *, now: datetime, status: int = 200, expand: bool = False) -> Reply:
    """A VM as GET, PUT and PATCH answer it: the body, and its ETag."""
    body = virtual_machine(record, with_instance_view=expand, now=now)
    return Reply(status, body, {"ETag": record.etag})


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _status(code: str, display: str, when: datetime | None = None) -> JSON:
    body: JSON = {"code": code, "level": "Info", "displayStatus": display}
    if when is not None:
        body["time"] = iso(when)
    return body


def _patch_settings(vm: VmRecord) -> JSON:
    settings = vm.patch_settings
    body: JSON = {}
    if settings.patch_mode is not None:
        body["patchMode"] = settings.patch_mode
    if settings.assessment_mode is not None:
        body["assessmentMode"] = settings.assessment_mode
    if settings.enable_hotpatching is not None and vm.os_type == "Windows":
        body["enableHotpatching"] = settings.enable_hotpatching
    platform: JSON = {}
    if settings.reboot_setting is not None:
        platform["rebootSetting"] = settings.reboot_setting
    if settings.bypass_platform_safety_checks_on_user_schedule is not None:
        platform["bypassPlatformSafetyChecksOnUserSchedule"] = (
            settings.bypass_platform_safety_checks_on_user_schedule
        )
    if platform:
        body["automaticByPlatformSettings"] = platform
    return body


def _os_profile(vm: VmRecord) -> JSON:
    profile: JSON = {
        "computerName": vm.computer_name or vm.name,
        "adminUsername": vm.admin_username,
    }
    if vm.os_type == "Windows":
        profile["windowsConfiguration"] = {
            "provisionVMAgent": vm.provision_vm_agent,
            "enableAutomaticUpdates": vm.enable_automatic_updates,
            "patchSettings": _patch_settings(vm),
            **({"timeZone": vm.time_zone} if vm.time_zone else {}),
        }
    else:
        profile["linuxConfiguration"] = {
            "disablePasswordAuthentication": True,
            "provisionVMAgent": vm.provision_vm_agent,
            "patchSettings": _patch_settings(vm),
        }
    return profile


def virtual_machine(vm: VmRecord, *, with_instance_view: bool, now: datetime) -> JSON:
    properties: JSON = {
        "vmId": vm.vm_id,
        "provisioningState": "Succeeded",
        "timeCreated": iso(vm.created),
        "osProfile": _os_profile(vm),
        "storageProfile": {
            "imageReference": attrs.asdict(vm.image),
            "osDisk": {
                "osType": vm.os_type,
                "name": f"{vm.name}_OsDisk",
                "createOption": "FromImage",
            },
        },
    }
    if vm.availability_set is not None:
        properties["availabilitySet"] = {"id": vm.availability_set}
    if with_instance_view:
        properties["instanceView"] = instance_view(vm, now=now)
    body: JSON = {
        "id": vm.resource_id,
        "name": vm.name,
        "type": "Microsoft.Compute/virtualMachines",
        "location": vm.location,
        "etag": vm.etag,
        "properties": properties,
    }
    if vm.tags:
        body["tags"] = dict(vm.tags)
    if vm.zones:
        body["zones"] = list(vm.zones)
    return body if vm.written is None else beneath(vm.written, body)


_POWER = {
    "running": "VM running",
    "stopped": "VM stopped",
    "deallocated": "VM deallocated",
    "starting": "VM starting",
}


def instance_view(vm: VmRecord, *, now: datetime) -> JSON:
    agent_ready = vm.power_state == "running"
    body: JSON = {
        "computerName": vm.computer_name or vm.name,
        "osName": "Windows Server 2022 Datacenter" if vm.os_type == "Windows" else "ubuntu",
        "osVersion": "10.0.20348" if vm.os_type == "Windows" else "22.04",
        "platformUpdateDomain": vm.platform_update_domain,
        "platformFaultDomain": vm.platform_fault_domain,
        "hyperVGeneration": "V2",
        "vmAgent": {
            "vmAgentVersion": vm.agent_version if agent_ready else "Unknown",
            "statuses": [
                _status("ProvisioningState/succeeded", "Ready", now)
                if agent_ready
                else _status("ProvisioningState/Unavailable", "Not Ready", now)
            ],
        },
        "statuses": [
            _status("ProvisioningState/succeeded", "Provisioning succeeded", vm.created),
            _status(f"PowerState/{vm.power_state}", _POWER.get(vm.power_state, vm.power_state)),
        ],
        "patchStatus": _patch_status(vm, now=now),
        "extensions": _patch_extension(vm, now=now),
        "vmHealth": {
            "status": _status(
                f"HealthState/{'healthy' if vm.healthy else 'unhealthy'}",
                "Healthy" if vm.healthy else "Unhealthy",
                now,
            )
        },
    }
    return body


_PATCH_EXTENSION_VERSION = {"Windows": "1.5.73", "Linux": "1.6.51"}


def _patch_extension(vm: VmRecord, *, now: datetime) -> list[JSON]:
    """R17: the patch extension shows once enablement of AutomaticByPlatform completed."""
    if vm.patch_settings.patch_mode != "AutomaticByPlatform" or not vm.patch_mode_ready:
        return []
    name = f"{vm.os_type}PatchExtension"
    return [
        {
            "name": name,
            "type": f"Microsoft.CPlat.Core.{name}",
            "typeHandlerVersion": _PATCH_EXTENSION_VERSION[vm.os_type],
            "statuses": [_status("ProvisioningState/succeeded", "Provisioning succeeded", now)],
        }
    ]


def _patch_status(vm: VmRecord, *, now: datetime) -> JSON:
    status: JSON = {}
    if vm.assessment is not None:
        a = vm.assessment
        status["availablePatchSummary"] = {
            "status": a.status,
            "assessmentActivityId": a.activity_id,
            "rebootPending": a.reboot_pending,
            "criticalAndSecurityPatchCount": a.critical_and_security,
            "otherPatchCount": a.other,
            "startTime": iso(a.started),
            "lastModifiedTime": iso(a.finished or a.started),
            "error": None,
        }
    if vm.installation is not None:
        i = vm.installation
        status["lastPatchInstallationSummary"] = {
            "status": i.status,
            "installationActivityId": i.activity_id,
            "maintenanceWindowExceeded": i.maintenance_window_exceeded,
            "notSelectedPatchCount": len(i.not_selected),
            "excludedPatchCount": len(i.excluded),
            "pendingPatchCount": len(i.pending),
            "installedPatchCount": len(i.installed),
            "failedPatchCount": len(i.failed),
            "startTime": iso(i.started),
            "lastModifiedTime": iso(i.finished or i.started),
            "error": None,
        }
    mode = vm.patch_settings.patch_mode or (
        "AutomaticByOS" if vm.os_type == "Windows" else "ImageDefault"
    )
    state = "Ready" if vm.patch_mode_ready else "Pending"
    status["configurationStatuses"] = [
        _status(
            f"PatchModeConfigurationState/{state}",
            f"Status_PatchModeConfigurationState_{state}",
            now,
        )
        | {"message": f"patchMode {mode}"}
    ]
    return status


def _patch_identity(vm_os: str, patch: Patch) -> JSON:
    """The fields assessment and installation results both use to name a patch."""
    classification = patch.classification
    if vm_os == "Windows":
        classification = WINDOWS_DISPLAY.get(classification, classification)
    return {
        "patchId": patch.patch_id,
        "name": patch.name,
        "version": patch.version,
        "kbId": patch.kb_id,
        "classifications": [classification],
    }


def _software_patch(vm: VmRecord, patch: Patch, activity_id: str) -> JSON:
    return {
        **_patch_identity(vm.os_type, patch),
        "rebootBehavior": patch.reboot_behavior,
        "activityId": activity_id,
        "publishedDate": iso(patch.published),
        "lastModifiedDateTime": iso(patch.published),
        "assessmentState": "Available",
    }


def assessment_result(vm: VmRecord, record: AssessmentRecord) -> JSON:
    return {
        "status": record.status,
        "assessmentActivityId": record.activity_id,
        "rebootPending": record.reboot_pending,
        "criticalAndSecurityPatchCount": record.critical_and_security,
        "otherPatchCount": record.other,
        "startDateTime": iso(record.started),
        "availablePatches": [_software_patch(vm, p, record.activity_id) for p in record.patches],
        "error": None,
    }


def installation_result(vm: VmRecord, record: InstallationRecord) -> JSON:
    groups = (
        (record.installed, "Installed"),
        (record.failed, "Failed"),
        (record.pending, "Pending"),
        (record.excluded, "Excluded"),
        (record.not_selected, "NotSelected"),
    )
    return {
        "status": record.status,
        "installationActivityId": record.activity_id,
        "rebootStatus": record.reboot_status,
        "maintenanceWindowExceeded": record.maintenance_window_exceeded,
        "excludedPatchCount": len(record.excluded),
        "notSelectedPatchCount": len(record.not_selected),
        "pendingPatchCount": len(record.pending),
        "installedPatchCount": len(record.installed),
        "failedPatchCount": len(record.failed),
        "patches": [
            {**_patch_identity(vm.os_type, patch), "installationState": state}
            for patches, state in groups
            for patch in patches
        ],
        "startDateTime": iso(record.started),
        "error": None,
    }


def operation_status(operation: OperationRecord) -> JSON:
    body: JSON = {
        "name": operation.operation_id,
        "status": operation.status,
        "startTime": iso(operation.started),
    }
    if operation.ended is not None:
        body["endTime"] = iso(operation.ended)
    if operation.status == "Succeeded" and operation.result is not None:
        body["properties"] = {"output": operation.result}
    if operation.error is not None:
        body["error"] = operation.error
    return body


def feature(subscription_id: str, record: FeatureRecord) -> JSON:
    return {
        "id": (
            f"/subscriptions/{subscription_id}/providers/Microsoft.Features/providers/"
            f"{record.namespace}/features/{record.name}"
        ),
        "name": f"{record.namespace}/{record.name}",
        "type": "Microsoft.Features/providers/features",
        "properties": {"state": record.state},
    }


# The resource types a provider lists: what the fake serves, with every public region.
_RESOURCE_TYPES = {
    "microsoft.compute": (
        ("virtualMachines", ("2026-03-01", "2025-11-01", "2025-04-01", "2024-07-01", "2024-03-01")),
        ("availabilitySets", ("2026-03-01", "2025-11-01", "2024-07-01", "2024-03-01")),
        ("locations/operations", ("2026-03-01", "2025-11-01", "2024-07-01", "2024-03-01")),
    ),
    "microsoft.features": (
        ("features", ("2021-07-01", "2015-12-01")),
        ("featureProviders/subscriptionFeatureRegistrations", ("2021-07-01",)),
    ),
}


def provider(subscription_id: str, record: ProviderRecord) -> JSON:
    locations = [REGIONS[name].display_name for name in PUBLIC_REGIONS]
    return {
        "id": f"/subscriptions/{subscription_id}/providers/{record.namespace}",
        "namespace": record.namespace,
        "registrationState": record.state,
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": [
            {"resourceType": kind, "locations": locations, "apiVersions": list(versions)}
            for kind, versions in _RESOURCE_TYPES.get(record.namespace.casefold(), ())
        ],
    }
