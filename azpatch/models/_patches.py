"""The assessPatches and installPatches actions: their parameters and results.

A result's ``status`` is the patch run's own outcome: the long-running
operation can succeed while the run ``Failed`` or ``CompletedWithWarnings``.
Patch ``classifications`` are the publisher's display strings
(``"Definition Updates"``), not the request enums.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ._base import WireModel, wire_model
from ._common import ApiError
from ._enums import (
    PatchAssessmentState,
    PatchInstallationState,
    PatchOperationStatus,
    VMGuestPatchClassificationLinux,
    VMGuestPatchClassificationWindows,
    VMGuestPatchRebootBehavior,
    VMGuestPatchRebootSetting,
    VMGuestPatchRebootStatus,
)

__all__ = [
    "LinuxParameters",
    "PatchInstallationDetail",
    "VirtualMachineAssessPatchesResult",
    "VirtualMachineInstallPatchesParameters",
    "VirtualMachineInstallPatchesResult",
    "VirtualMachineSoftwarePatchProperties",
    "WindowsParameters",
]


class _PatchRun:
    """The patch run's own outcome, which the operation's success does not imply."""

    __slots__ = ()
    status: PatchOperationStatus | str | None
    error: ApiError | None

    @property
    def succeeded(self) -> bool:
        """Whether the run reports ``Succeeded``: not Failed, not CompletedWithWarnings."""
        return self.status == PatchOperationStatus.SUCCEEDED

    def raise_for_status(self, *, allow_warnings: bool = False) -> None:
        """Raise ``PatchRunError`` unless the run succeeded (or, if allowed, had warnings)."""
        if self.succeeded or (
            allow_warnings and self.status == PatchOperationStatus.COMPLETED_WITH_WARNINGS
        ):
            return
        from .._exceptions import PatchRunError  # noqa: PLC0415  (models load first)

        assert isinstance(self, WireModel)
        raise PatchRunError(status=str(self.status), error=self.error, result=self)


@wire_model
class VirtualMachineSoftwarePatchProperties(WireModel):
    """One available patch: ``kb_id`` on Windows, ``version`` on Linux."""

    patch_id: str | None = None
    name: str | None = None
    version: str | None = None
    kb_id: str | None = None
    classifications: tuple[str, ...] | None = None
    reboot_behavior: VMGuestPatchRebootBehavior | str | None = None
    activity_id: str | None = None
    published_date: datetime | None = None
    last_modified_date_time: datetime | None = None
    assessment_state: PatchAssessmentState | str | None = None


@wire_model
class VirtualMachineAssessPatchesResult(_PatchRun, WireModel):
    status: PatchOperationStatus | str | None = None
    assessment_activity_id: str | None = None
    reboot_pending: bool | None = None
    critical_and_security_patch_count: int | None = None
    other_patch_count: int | None = None
    start_date_time: datetime | None = None
    available_patches: tuple[VirtualMachineSoftwarePatchProperties, ...] | None = None
    error: ApiError | None = None


@wire_model
class WindowsParameters(WireModel):
    """Which Windows updates an installPatches call may install.

    ``patch_name_masks_to_include`` and ``..._to_exclude`` take ``*`` and ``?``.
    """

    classifications_to_include: tuple[VMGuestPatchClassificationWindows | str, ...] | None = None
    kb_numbers_to_include: tuple[str, ...] | None = None
    kb_numbers_to_exclude: tuple[str, ...] | None = None
    exclude_kbs_requiring_reboot: bool | None = None
    max_patch_publish_date: datetime | None = None
    patch_name_masks_to_include: tuple[str, ...] | None = None
    patch_name_masks_to_exclude: tuple[str, ...] | None = None


@wire_model
class LinuxParameters(WireModel):
    """Which Linux packages an installPatches call may install.

    Package masks are ``packageName_packageVersion`` patterns.
    """

    classifications_to_include: tuple[VMGuestPatchClassificationLinux | str, ...] | None = None
    package_name_masks_to_include: tuple[str, ...] | None = None
    package_name_masks_to_exclude: tuple[str, ...] | None = None
    maintenance_run_id: str | None = None


@wire_model
class VirtualMachineInstallPatchesParameters(WireModel):
    """The body of installPatches; ``maximum_duration`` is an ISO 8601 duration on the wire."""

    maximum_duration: timedelta | None = None
    reboot_setting: VMGuestPatchRebootSetting | str | None = None
    windows_parameters: WindowsParameters | None = None
    linux_parameters: LinuxParameters | None = None


@wire_model
class PatchInstallationDetail(WireModel):
    patch_id: str | None = None
    name: str | None = None
    version: str | None = None
    kb_id: str | None = None
    classifications: tuple[str, ...] | None = None
    installation_state: PatchInstallationState | str | None = None


@wire_model
class VirtualMachineInstallPatchesResult(_PatchRun, WireModel):
    status: PatchOperationStatus | str | None = None
    installation_activity_id: str | None = None
    reboot_status: VMGuestPatchRebootStatus | str | None = None
    maintenance_window_exceeded: bool | None = None
    excluded_patch_count: int | None = None
    not_selected_patch_count: int | None = None
    pending_patch_count: int | None = None
    installed_patch_count: int | None = None
    failed_patch_count: int | None = None
    patches: tuple[PatchInstallationDetail, ...] | None = None
    start_date_time: datetime | None = None
    error: ApiError | None = None
