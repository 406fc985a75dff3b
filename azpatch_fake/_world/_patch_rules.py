"""The patch-settings rules (R1 to R15) as the fake enforces them, written apart from azpatch's.

Checked in ARM's order, the first failure is the answer: a 400
``InvalidParameter`` with the target Azure uses. Messages Azure was not
seen to send are synthetic. ``profile`` is the world's: ``"ga"``,
``"preview-2020"`` (R8) or ``"spec-strict"`` (Q4).
"""

from __future__ import annotations

import attrs

from ._errors import ArmError
from ._images import UNSUPPORTED_IMAGE_MESSAGE, is_hotpatchable, is_supported
from ._records import ImageRecord, PatchSettingsRecord

__all__ = ["PATCH_MODES", "PROFILES", "Situation", "check_patch_settings"]

PATCH_MODES = {
    "Windows": ("Manual", "AutomaticByOS", "AutomaticByPlatform"),
    "Linux": ("ImageDefault", "AutomaticByPlatform"),
}
ASSESSMENT_MODES = ("ImageDefault", "AutomaticByPlatform")
PLATFORM_REBOOT_SETTINGS = ("Unknown", "IfRequired", "Never", "Always")
PROFILES = ("ga", "preview-2020", "spec-strict")
PLATFORM = "AutomaticByPlatform"


@attrs.frozen
class Situation:
    """The VM as it is (or will be, when created) before the change."""

    os_type: str
    image: ImageRecord
    current_mode: str
    enable_automatic_updates: bool
    provision_vm_agent: bool


def _refuse(target: str, message: str) -> ArmError:
    return ArmError(400, "InvalidParameter", message, target)


def check_patch_settings(
    situation: Situation, requested: PatchSettingsRecord, *, profile: str
) -> None:
    """Raise the ARM error for ``requested``, or return when Azure would accept it."""
    config = "windowsConfiguration" if situation.os_type == "Windows" else "linuxConfiguration"
    mode_target = f"{config}.patchSettings.patchMode"
    mode = requested.patch_mode or situation.current_mode
    if mode not in PATCH_MODES[situation.os_type]:  # R1
        raise _refuse(
            mode_target, f"The patchMode '{mode}' is not supported on {situation.os_type}."
        )
    assessment = requested.assessment_mode
    if assessment is not None and assessment not in ASSESSMENT_MODES:  # R11
        raise _refuse(
            f"{config}.patchSettings.assessmentMode",
            f"The assessmentMode '{assessment}' is invalid.",
        )
    reboot = requested.reboot_setting
    if reboot is not None and reboot not in PLATFORM_REBOOT_SETTINGS:  # R12
        raise _refuse(
            f"{config}.patchSettings.automaticByPlatformSettings.rebootSetting",
            f"The rebootSetting '{reboot}' is invalid.",
        )
    if requested.enable_hotpatching and situation.os_type == "Windows":  # R14
        hotpatch_target = f"{config}.patchSettings.enableHotpatching"
        if mode != PLATFORM:
            raise _refuse(hotpatch_target, "Hotpatching requires patchMode 'AutomaticByPlatform'.")
        if requested.bypass_platform_safety_checks_on_user_schedule:
            raise _refuse(
                f"{config}.patchSettings.automaticByPlatformSettings"
                ".bypassPlatformSafetyChecksOnUserSchedule",
                "Hotpatch updates require platform safety checks. The"
                " 'BypassPlatformSafetyChecksOnUserSchedule' flag must be set to false to enable"
                " hotpatching.",
            )
        if situation.image.publisher and not is_hotpatchable(situation.image):
            raise _refuse(hotpatch_target, "The selected VM image does not support hotpatching.")
    if situation.os_type == "Windows":  # R5, R6, and Q4 under spec-strict
        required = {"AutomaticByOS": True, "Manual": False}.get(mode)
        if profile == "spec-strict" and mode == PLATFORM:
            required = True
        if required is not None and situation.enable_automatic_updates != required:
            raise _refuse(
                mode_target,
                f"The patchMode '{mode}' is invalid. For patchMode '{mode}', the property"
                f" 'enableAutomaticUpdates' must be set to {str(required).lower()}.",
            )
        moving = mode != situation.current_mode
        if (
            profile == "preview-2020"
            and moving
            and (situation.current_mode, mode)
            != (
                "AutomaticByOS",
                PLATFORM,
            )
        ):  # R8
            raise _refuse(
                mode_target,
                f"Changing patchMode from '{situation.current_mode}' to '{mode}' is not supported.",
            )
    wants_platform = PLATFORM in (mode, assessment)
    if wants_platform and not situation.provision_vm_agent:  # R10, R11
        raise _refuse(
            f"{config}.provisionVMAgent",
            f"Patch mode '{PLATFORM}' requires provisionVMAgent to be true.",
        )
    if mode == PLATFORM and not is_supported(situation.image):  # R9 (custom images pass, Q5)
        raise _refuse(mode_target, UNSUPPORTED_IMAGE_MESSAGE)
