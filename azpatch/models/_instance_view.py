"""A VM's instance view: runtime status, including the patch status."""

from __future__ import annotations

from datetime import datetime

from ._base import WireModel, wire_model
from ._common import ApiError, InstanceViewStatus, SubResource
from ._enums import HyperVGeneration, PatchOperationStatus

__all__ = [
    "AvailablePatchSummary",
    "BootDiagnosticsInstanceView",
    "DiskEncryptionSettings",
    "DiskInstanceView",
    "KeyVaultKeyReference",
    "KeyVaultSecretReference",
    "LastPatchInstallationSummary",
    "MaintenanceRedeployStatus",
    "VirtualMachineAgentInstanceView",
    "VirtualMachineExtensionHandlerInstanceView",
    "VirtualMachineExtensionInstanceView",
    "VirtualMachineHealthStatus",
    "VirtualMachineInstanceView",
    "VirtualMachinePatchStatus",
]


@wire_model
class AvailablePatchSummary(WireModel):
    """The outcome of the latest assessment, periodic or on demand."""

    status: PatchOperationStatus | str | None = None
    assessment_activity_id: str | None = None
    reboot_pending: bool | None = None
    critical_and_security_patch_count: int | None = None
    other_patch_count: int | None = None
    start_time: datetime | None = None
    last_modified_time: datetime | None = None
    error: ApiError | None = None


@wire_model
class LastPatchInstallationSummary(WireModel):
    """The outcome of the latest installation, by the platform or on demand."""

    status: PatchOperationStatus | str | None = None
    installation_activity_id: str | None = None
    maintenance_window_exceeded: bool | None = None
    not_selected_patch_count: int | None = None
    excluded_patch_count: int | None = None
    pending_patch_count: int | None = None
    installed_patch_count: int | None = None
    failed_patch_count: int | None = None
    start_time: datetime | None = None
    last_modified_time: datetime | None = None
    error: ApiError | None = None


@wire_model
class VirtualMachinePatchStatus(WireModel):
    """``configuration_statuses`` reports whether a patch or assessment mode is Ready."""

    available_patch_summary: AvailablePatchSummary | None = None
    last_patch_installation_summary: LastPatchInstallationSummary | None = None
    configuration_statuses: tuple[InstanceViewStatus, ...] | None = None


@wire_model
class VirtualMachineExtensionHandlerInstanceView(WireModel):
    type: str | None = None
    type_handler_version: str | None = None
    status: InstanceViewStatus | None = None


@wire_model
class VirtualMachineAgentInstanceView(WireModel):
    vm_agent_version: str | None = None
    extension_handlers: tuple[VirtualMachineExtensionHandlerInstanceView, ...] | None = None
    statuses: tuple[InstanceViewStatus, ...] | None = None


@wire_model
class KeyVaultSecretReference(WireModel):
    secret_url: str | None = None
    source_vault: SubResource | None = None


@wire_model
class KeyVaultKeyReference(WireModel):
    key_url: str | None = None
    source_vault: SubResource | None = None


@wire_model
class DiskEncryptionSettings(WireModel):
    disk_encryption_key: KeyVaultSecretReference | None = None
    key_encryption_key: KeyVaultKeyReference | None = None
    enabled: bool | None = None


@wire_model
class DiskInstanceView(WireModel):
    name: str | None = None
    encryption_settings: tuple[DiskEncryptionSettings, ...] | None = None
    statuses: tuple[InstanceViewStatus, ...] | None = None


@wire_model
class VirtualMachineExtensionInstanceView(WireModel):
    name: str | None = None
    type: str | None = None
    type_handler_version: str | None = None
    substatuses: tuple[InstanceViewStatus, ...] | None = None
    statuses: tuple[InstanceViewStatus, ...] | None = None


@wire_model
class BootDiagnosticsInstanceView(WireModel):
    console_screenshot_blob_uri: str | None = None
    serial_console_log_blob_uri: str | None = None
    status: InstanceViewStatus | None = None


@wire_model
class MaintenanceRedeployStatus(WireModel):
    is_customer_initiated_maintenance_allowed: bool | None = None
    pre_maintenance_window_start_time: datetime | None = None
    pre_maintenance_window_end_time: datetime | None = None
    maintenance_window_start_time: datetime | None = None
    maintenance_window_end_time: datetime | None = None
    last_operation_result_code: str | None = None
    last_operation_message: str | None = None


@wire_model
class VirtualMachineHealthStatus(WireModel):
    status: InstanceViewStatus | None = None


@wire_model
class VirtualMachineInstanceView(WireModel):
    platform_update_domain: int | None = None
    platform_fault_domain: int | None = None
    computer_name: str | None = None
    os_name: str | None = None
    os_version: str | None = None
    hyper_v_generation: HyperVGeneration | str | None = None
    rdp_thumb_print: str | None = None
    vm_agent: VirtualMachineAgentInstanceView | None = None
    maintenance_redeploy_status: MaintenanceRedeployStatus | None = None
    disks: tuple[DiskInstanceView, ...] | None = None
    extensions: tuple[VirtualMachineExtensionInstanceView, ...] | None = None
    vm_health: VirtualMachineHealthStatus | None = None
    boot_diagnostics: BootDiagnosticsInstanceView | None = None
    assigned_host: str | None = None
    statuses: tuple[InstanceViewStatus, ...] | None = None
    patch_status: VirtualMachinePatchStatus | None = None
    is_vm_in_standby_pool: bool | None = None
