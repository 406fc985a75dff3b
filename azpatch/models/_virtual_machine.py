"""The patch-relevant subset of a virtual machine's configuration.

Only the fields that patching reads or writes are modelled; the rest of a
VM body is ignored when parsed. So a parsed ``VirtualMachine`` must never be
sent back whole with PUT: change patch settings with a PATCH of
``VirtualMachineUpdate``, which carries only what it names.
"""

from __future__ import annotations

from datetime import datetime

from ._base import WireModel, wire_model
from ._common import SubResource
from ._enums import (
    LinuxPatchAssessmentMode,
    LinuxVMGuestPatchAutomaticByPlatformRebootSetting,
    LinuxVMGuestPatchMode,
    WindowsPatchAssessmentMode,
    WindowsVMGuestPatchAutomaticByPlatformRebootSetting,
    WindowsVMGuestPatchMode,
)
from ._instance_view import VirtualMachineInstanceView

__all__ = [
    "ImageReference",
    "LinuxConfiguration",
    "LinuxPatchSettings",
    "LinuxVMGuestPatchAutomaticByPlatformSettings",
    "OSDisk",
    "OSProfile",
    "PatchSettings",
    "StorageProfile",
    "VirtualMachine",
    "VirtualMachineListResult",
    "VirtualMachineUpdate",
    "WindowsConfiguration",
    "WindowsVMGuestPatchAutomaticByPlatformSettings",
]


@wire_model
class WindowsVMGuestPatchAutomaticByPlatformSettings(WireModel):
    reboot_setting: WindowsVMGuestPatchAutomaticByPlatformRebootSetting | str | None = None
    bypass_platform_safety_checks_on_user_schedule: bool | None = None


@wire_model
class LinuxVMGuestPatchAutomaticByPlatformSettings(WireModel):
    reboot_setting: LinuxVMGuestPatchAutomaticByPlatformRebootSetting | str | None = None
    bypass_platform_safety_checks_on_user_schedule: bool | None = None


@wire_model
class PatchSettings(WireModel):
    """Windows patch settings; an absent ``patch_mode`` means AutomaticByOS."""

    patch_mode: WindowsVMGuestPatchMode | str | None = None
    enable_hotpatching: bool | None = None
    assessment_mode: WindowsPatchAssessmentMode | str | None = None
    automatic_by_platform_settings: WindowsVMGuestPatchAutomaticByPlatformSettings | None = None


@wire_model
class LinuxPatchSettings(WireModel):
    """Linux patch settings; an absent ``patch_mode`` means ImageDefault."""

    patch_mode: LinuxVMGuestPatchMode | str | None = None
    assessment_mode: LinuxPatchAssessmentMode | str | None = None
    automatic_by_platform_settings: LinuxVMGuestPatchAutomaticByPlatformSettings | None = None


@wire_model
class WindowsConfiguration(WireModel):
    """``provision_vm_agent`` and ``enable_automatic_updates`` default to true when absent."""

    provision_vm_agent: bool | None = None
    enable_automatic_updates: bool | None = None
    time_zone: str | None = None
    patch_settings: PatchSettings | None = None
    enable_vm_agent_platform_updates: bool | None = None


@wire_model
class LinuxConfiguration(WireModel):
    disable_password_authentication: bool | None = None
    provision_vm_agent: bool | None = None
    patch_settings: LinuxPatchSettings | None = None
    enable_vm_agent_platform_updates: bool | None = None


@wire_model
class OSProfile(WireModel):
    computer_name: str | None = None
    admin_username: str | None = None
    windows_configuration: WindowsConfiguration | None = None
    linux_configuration: LinuxConfiguration | None = None
    allow_extension_operations: bool | None = None


@wire_model
class ImageReference(WireModel):
    """A marketplace image (publisher/offer/sku/version) or a gallery or custom image id."""

    id: str | None = None
    publisher: str | None = None
    offer: str | None = None
    sku: str | None = None
    version: str | None = None
    exact_version: str | None = None
    shared_gallery_image_id: str | None = None
    community_gallery_image_id: str | None = None


@wire_model
class OSDisk(WireModel):
    os_type: str | None = None
    name: str | None = None


@wire_model
class StorageProfile(WireModel):
    image_reference: ImageReference | None = None
    os_disk: OSDisk | None = None


@wire_model
class VirtualMachine(WireModel):
    """A VM; the fields below ``etag`` live under ``properties`` on the wire."""

    id: str | None = None
    name: str | None = None
    type: str | None = None
    location: str | None = None
    tags: dict[str, str] | None = None
    zones: tuple[str, ...] | None = None
    etag: str | None = None
    os_profile: OSProfile | None = None
    storage_profile: StorageProfile | None = None
    availability_set: SubResource | None = None
    provisioning_state: str | None = None
    instance_view: VirtualMachineInstanceView | None = None
    vm_id: str | None = None
    time_created: datetime | None = None


@wire_model
class VirtualMachineUpdate(WireModel):
    """The body of a VM PATCH: what is sent is written, what is omitted is kept.

    ``os_profile`` lives under ``properties`` on the wire.
    """

    tags: dict[str, str] | None = None
    os_profile: OSProfile | None = None


@wire_model
class VirtualMachineListResult(WireModel):
    value: tuple[VirtualMachine, ...] | None = None
    next_link: str | None = None
