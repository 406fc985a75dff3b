"""Known values of the wire enums.

Azure adds enum values without notice, so every field typed with one of these
enums is ``Enum | str``: a known value becomes the member, an unknown value is
kept as the string it was. Members are ``str`` subclasses, so
``patch_mode == "Manual"`` holds either way.
"""

from __future__ import annotations

import enum

__all__ = [
    "HyperVGeneration",
    "LinuxPatchAssessmentMode",
    "LinuxVMGuestPatchAutomaticByPlatformRebootSetting",
    "LinuxVMGuestPatchMode",
    "PatchAssessmentState",
    "PatchInstallationState",
    "PatchOperationStatus",
    "ProviderRegistrationState",
    "StatusLevelTypes",
    "SubscriptionFeatureRegistrationApprovalType",
    "SubscriptionFeatureRegistrationState",
    "SubscriptionState",
    "VMGuestPatchClassificationLinux",
    "VMGuestPatchClassificationWindows",
    "VMGuestPatchRebootBehavior",
    "VMGuestPatchRebootSetting",
    "VMGuestPatchRebootStatus",
    "WindowsPatchAssessmentMode",
    "WindowsVMGuestPatchAutomaticByPlatformRebootSetting",
    "WindowsVMGuestPatchMode",
]


class _WireEnum(str, enum.Enum):
    """A wire enum whose members compare equal to, and print as, their wire value."""

    def __str__(self) -> str:
        return str(self.value)


class _CaseInsensitiveWireEnum(_WireEnum):
    """A wire enum the service writes in varying case (``registered``, ``Registered``)."""

    @classmethod
    def _missing_(cls, value: object) -> _CaseInsensitiveWireEnum | None:
        if isinstance(value, str):
            folded = value.casefold()
            for member in cls:
                if member.value.casefold() == folded:
                    return member
        return None


class WindowsVMGuestPatchMode(_WireEnum):
    MANUAL = "Manual"
    AUTOMATIC_BY_OS = "AutomaticByOS"
    AUTOMATIC_BY_PLATFORM = "AutomaticByPlatform"


class LinuxVMGuestPatchMode(_WireEnum):
    IMAGE_DEFAULT = "ImageDefault"
    AUTOMATIC_BY_PLATFORM = "AutomaticByPlatform"


class WindowsPatchAssessmentMode(_WireEnum):
    IMAGE_DEFAULT = "ImageDefault"
    AUTOMATIC_BY_PLATFORM = "AutomaticByPlatform"


class LinuxPatchAssessmentMode(_WireEnum):
    IMAGE_DEFAULT = "ImageDefault"
    AUTOMATIC_BY_PLATFORM = "AutomaticByPlatform"


class WindowsVMGuestPatchAutomaticByPlatformRebootSetting(_WireEnum):
    UNKNOWN = "Unknown"
    IF_REQUIRED = "IfRequired"
    NEVER = "Never"
    ALWAYS = "Always"


class LinuxVMGuestPatchAutomaticByPlatformRebootSetting(_WireEnum):
    UNKNOWN = "Unknown"
    IF_REQUIRED = "IfRequired"
    NEVER = "Never"
    ALWAYS = "Always"


class VMGuestPatchRebootSetting(_WireEnum):
    """The reboot setting of an installPatches call (no ``Unknown``, unlike the platform one)."""

    IF_REQUIRED = "IfRequired"
    NEVER = "Never"
    ALWAYS = "Always"


class VMGuestPatchRebootStatus(_WireEnum):
    UNKNOWN = "Unknown"
    NOT_NEEDED = "NotNeeded"
    REQUIRED = "Required"
    STARTED = "Started"
    FAILED = "Failed"
    COMPLETED = "Completed"


class VMGuestPatchRebootBehavior(_WireEnum):
    UNKNOWN = "Unknown"
    NEVER_REBOOTS = "NeverReboots"
    ALWAYS_REQUIRES_REBOOT = "AlwaysRequiresReboot"
    CAN_REQUEST_REBOOT = "CanRequestReboot"


class VMGuestPatchClassificationWindows(_WireEnum):
    CRITICAL = "Critical"
    SECURITY = "Security"
    UPDATE_ROLL_UP = "UpdateRollUp"
    FEATURE_PACK = "FeaturePack"
    SERVICE_PACK = "ServicePack"
    DEFINITION = "Definition"
    TOOLS = "Tools"
    UPDATES = "Updates"


class VMGuestPatchClassificationLinux(_WireEnum):
    CRITICAL = "Critical"
    SECURITY = "Security"
    OTHER = "Other"


class PatchOperationStatus(_WireEnum):
    UNKNOWN = "Unknown"
    IN_PROGRESS = "InProgress"
    FAILED = "Failed"
    SUCCEEDED = "Succeeded"
    COMPLETED_WITH_WARNINGS = "CompletedWithWarnings"


class PatchAssessmentState(_WireEnum):
    UNKNOWN = "Unknown"
    AVAILABLE = "Available"


class PatchInstallationState(_WireEnum):
    UNKNOWN = "Unknown"
    INSTALLED = "Installed"
    FAILED = "Failed"
    EXCLUDED = "Excluded"
    NOT_SELECTED = "NotSelected"
    PENDING = "Pending"


class StatusLevelTypes(_WireEnum):
    INFO = "Info"
    WARNING = "Warning"
    ERROR = "Error"


class HyperVGeneration(_WireEnum):
    V1 = "V1"
    V2 = "V2"


class SubscriptionFeatureRegistrationState(_CaseInsensitiveWireEnum):
    """A feature's registration state; the service writes it in any case."""

    NOT_SPECIFIED = "NotSpecified"
    NOT_REGISTERED = "NotRegistered"
    PENDING = "Pending"
    REGISTERING = "Registering"
    REGISTERED = "Registered"
    UNREGISTERING = "Unregistering"
    UNREGISTERED = "Unregistered"


class SubscriptionFeatureRegistrationApprovalType(_WireEnum):
    NOT_SPECIFIED = "NotSpecified"
    APPROVAL_REQUIRED = "ApprovalRequired"
    AUTO_APPROVAL = "AutoApproval"


class ProviderRegistrationState(_CaseInsensitiveWireEnum):
    """A resource provider's registration state."""

    NOT_REGISTERED = "NotRegistered"
    REGISTERING = "Registering"
    REGISTERED = "Registered"
    UNREGISTERING = "Unregistering"
    UNREGISTERED = "Unregistered"


class SubscriptionState(_CaseInsensitiveWireEnum):
    """A subscription's state: VMs of a ``Disabled`` or ``Deleted`` one are deallocated."""

    ENABLED = "Enabled"
    WARNED = "Warned"
    PAST_DUE = "PastDue"
    DISABLED = "Disabled"
    DELETED = "Deleted"
