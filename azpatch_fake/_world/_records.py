"""The fake world's own state: plain mutable records, no wire names.

These are the fake's models, separate from azpatch's on purpose: the fake
serializes them itself (``_wire``), so a field misnamed on one side cannot
pass unnoticed on both.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

__all__ = [
    "AssessmentRecord",
    "AvailabilitySetRecord",
    "FeatureRecord",
    "ImageRecord",
    "InstallationRecord",
    "OperationRecord",
    "Patch",
    "PatchSettingsRecord",
    "ProviderRecord",
    "VmRecord",
    "uuid4_text",
]


@attrs.define
class ImageRecord:
    """A VM's image reference; whether it supports automatic guest patching is looked up."""

    publisher: str
    offer: str
    sku: str
    version: str = "latest"


@attrs.define
class Patch:
    """One update in the catalog: a KB on Windows, a package version on Linux."""

    patch_id: str
    name: str
    classification: str  # Critical, Security, UpdateRollUp, Definition, ... or Other on Linux
    published: datetime
    kb_id: str = ""
    version: str = ""
    reboot_behavior: str = "NeverReboots"
    line: str = ""  # a newer patch of the same line supersedes it; "" supersedes nothing


@attrs.define
class PatchSettingsRecord:
    patch_mode: str | None = None
    assessment_mode: str | None = None
    enable_hotpatching: bool | None = None
    reboot_setting: str | None = None
    bypass_platform_safety_checks_on_user_schedule: bool | None = None


def uuid4_text(bits: int) -> str:
    """128 random bits as a version-4 UUID's text (formatted by hand: it is cheaper)."""
    text = f"{bits & _UUID_KEEP | _UUID_SET:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


_UUID_KEEP = ~((0xF000 << 64) | (0xC000 << 48))  # all but the version and variant bits
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)  # version 4, RFC 4122 variant


class _Activity:
    """An operation's activity id, made when first read: the platform starts millions of
    assessments and installations whose ids nobody reads."""

    __slots__ = ("activity",)
    activity: str | int  # the UUID, or the random bits it is made of

    @property
    def activity_id(self) -> str:
        found = self.activity
        if isinstance(found, int):
            found = self.activity = uuid4_text(found)
        return found


@attrs.define
class AssessmentRecord(_Activity):
    status: str
    activity: str | int
    started: datetime
    finished: datetime | None = None
    critical_and_security: int = 0
    other: int = 0
    reboot_pending: bool = False
    patches: Sequence[Patch] = ()
    started_by: str = "User"


@attrs.define
class InstallationRecord(_Activity):
    status: str
    activity: str | int
    started: datetime
    finished: datetime | None = None
    reboot_status: str = "NotNeeded"
    maintenance_window_exceeded: bool = False
    installed: Sequence[Patch] = ()
    failed: Sequence[Patch] = ()
    pending: Sequence[Patch] = ()
    excluded: Sequence[Patch] = ()
    not_selected: Sequence[Patch] = ()
    started_by: str = "User"


@attrs.define
class VmRecord:
    """What the fake knows of a VM: its ARM fields, its patch state, and the faults a test
    gives it (``fail_installs``, ``hang``, ``unhealthy_after_patching`` ...)."""

    subscription_id: str
    resource_group: str
    name: str
    location: str
    os_type: str  # Windows or Linux
    image: ImageRecord
    vm_id: str
    created: datetime
    zones: tuple[str, ...] = ()
    tags: dict[str, str] = attrs.Factory(dict)
    availability_set: str | None = None
    platform_update_domain: int = 0
    platform_fault_domain: int = 0
    computer_name: str = ""
    admin_username: str = "azureuser"
    agent_version: str = "2.10.0.8"
    provision_vm_agent: bool = True
    enable_automatic_updates: bool = True
    time_zone: str | None = None
    power_state: str = "running"  # running, stopped, deallocated
    healthy: bool = True
    # Faults of this VM: its installs fail, its reboots fail, its operations never end, it
    # turns unhealthy after the platform patches it, its agent never finishes enablement,
    # or each patch takes this long to install.
    fail_installs: bool = False
    fail_reboots: bool = False
    hang: bool = False
    unhealthy_after_patching: bool = False
    agent_broken: bool = False
    install_time_per_patch: timedelta | None = None
    patch_settings: PatchSettingsRecord = attrs.Factory(PatchSettingsRecord)
    patch_mode_ready: bool = True
    etag_version: int = 1
    installed_patch_ids: set[str] = attrs.Factory(set)
    assessment: AssessmentRecord | None = None
    installation: InstallationRecord | None = None
    # The JSON clients PUT and PATCHed, less what ARM never returns; GET echoes the fields
    # the fake does not model from it. None for seeded VMs (most of a large fleet).
    written: dict[str, Any] | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """(subscription, resource group, name), case-folded: how ARM finds it."""
        return (self.subscription_id.lower(), self.resource_group.lower(), self.name.lower())

    @property
    def etag(self) -> str:
        """The ETag that GET returns and If-Match compares."""
        return f'"{self.etag_version}"'

    @property
    def resource_id(self) -> str:
        """The VM's ARM resource id."""
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.Compute/virtualMachines/{self.name}"
        )


@attrs.define
class AvailabilitySetRecord:
    subscription_id: str
    resource_group: str
    name: str
    location: str
    update_domains: int = 5
    fault_domains: int = 2
    members: list[str] = attrs.Factory(list)

    @property
    def resource_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.Compute/availabilitySets/{self.name}"
        )


@attrs.define
class FeatureRecord:
    namespace: str
    name: str
    state: str = "NotRegistered"
    registered_at: datetime | None = None


@attrs.define
class ProviderRecord:
    namespace: str
    state: str = "NotRegistered"


@attrs.define
class OperationRecord:
    """A long-running operation: its status body, and its result once it ends."""

    operation_id: str
    name: str
    location: str
    started: datetime
    status: str = "InProgress"
    ended: datetime | None = None
    result: dict[str, object] | None = None
    error: dict[str, object] | None = None
