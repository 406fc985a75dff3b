"""Whether Azure will accept a patch-settings change, and the PATCH that makes it.

Pure code: the rules R1 to R15 of the orchestration reference, checked in a
fixed order; the first that fails is the refusal, with the code, target,
message and status ARM answers with. Messages marked *synthetic* were not
captured from Azure; they follow the reference's default (Q3).

Profiles: ``"ga"`` follows the current documentation (R7); ``"preview-2020"``
the preview's stricter transitions (R8); ``"spec-strict"`` the REST
specification's wording that AutomaticByPlatform needs
enableAutomaticUpdates (Q4).
"""

from __future__ import annotations

import enum
from typing import Literal

import attrs

from .._exceptions import PatchModeTransitionError
from ..models import (
    ImageReference,
    LinuxConfiguration,
    LinuxPatchSettings,
    LinuxVMGuestPatchAutomaticByPlatformSettings,
    OSProfile,
    PatchSettings,
    StorageProfile,
    VirtualMachine,
    VirtualMachineUpdate,
    WindowsConfiguration,
    WindowsVMGuestPatchAutomaticByPlatformSettings,
    WireModel,
)
from ._supported_images import HOTPATCHABLE, SUPPORTED

__all__ = [
    "PatchRulesProfile",
    "PatchSettingsPlan",
    "PatchSettingsRefusal",
    "patch_settings_for_new_vm",
    "plan_patch_settings_change",
]

PatchRulesProfile = Literal["ga", "preview-2020", "spec-strict"]
PROFILES: tuple[PatchRulesProfile, ...] = ("ga", "preview-2020", "spec-strict")

MODES = {
    "Windows": ("AutomaticByOS", "AutomaticByPlatform", "Manual"),
    "Linux": ("ImageDefault", "AutomaticByPlatform"),
}
DEFAULT_MODE = {"Windows": "AutomaticByOS", "Linux": "ImageDefault"}
ASSESSMENT_MODES = ("ImageDefault", "AutomaticByPlatform")
REBOOT_SETTINGS = ("Unknown", "IfRequired", "Never", "Always")
ABP = "AutomaticByPlatform"
MIN_LINUX_AGENT = (2, 2, 53, 1)
UNSUPPORTED_IMAGE = (
    "The selected VM image is not supported for VM Guest patch operations."
    " Learn more at: https://aka.ms/VMGuestPatchingCompatibility"
)
HOTPATCH_BYPASS = (
    "Hotpatch updates require platform safety checks. The"
    " 'BypassPlatformSafetyChecksOnUserSchedule' flag must be set to false to enable hotpatching."
)


@attrs.frozen(kw_only=True)
class PatchSettingsRefusal:
    """What ARM would answer: ``status`` and its error ``code``, ``target`` and ``message``."""

    code: str
    target: str | None
    message: str
    status: int = 400


@attrs.frozen(kw_only=True)
class PatchSettingsPlan:
    """The verdict on a change: allowed or refused, warnings, and the PATCH body when allowed."""

    allowed: bool
    refusal: PatchSettingsRefusal | None
    warnings: tuple[str, ...]
    body: VirtualMachineUpdate | None
    current_mode: str
    target_mode: str

    def raise_if_refused(self) -> None:
        """Raise ``PatchModeTransitionError`` with ARM's code, target and status, if refused."""
        if self.refusal is not None:
            raise PatchModeTransitionError(
                self.refusal.message,
                code=self.refusal.code,
                target=self.refusal.target,
                status=self.refusal.status,
            )


@attrs.frozen
class _Facts:
    """What the rules read about a VM."""

    os_type: str
    mode: str
    enable_automatic_updates: bool
    provision_vm_agent: bool
    image: tuple[str, str, str] | None  # None for custom and gallery images
    agent_version: str | None


def _facts(vm: VirtualMachine) -> _Facts:
    profile = vm.os_profile or OSProfile()
    windows = profile.windows_configuration
    linux = profile.linux_configuration
    os_disk = vm.storage_profile.os_disk if vm.storage_profile else None
    os_type = (
        "Windows"
        if windows is not None
        else "Linux"
        if linux is not None
        else str(os_disk.os_type)
        if os_disk is not None and os_disk.os_type
        else "Linux"
    )
    config: WindowsConfiguration | LinuxConfiguration | None = windows or linux
    settings = config.patch_settings if config else None
    image = vm.storage_profile.image_reference if vm.storage_profile else None
    agent = vm.instance_view.vm_agent if vm.instance_view else None
    return _Facts(
        os_type=os_type,
        mode=str(settings.patch_mode)
        if settings and settings.patch_mode
        else DEFAULT_MODE[os_type],
        enable_automatic_updates=windows.enable_automatic_updates is not False if windows else True,
        provision_vm_agent=(config.provision_vm_agent is not False) if config else True,
        image=(
            (
                image.publisher.casefold(),
                (image.offer or "").casefold(),
                (image.sku or "").casefold(),
            )
            if image is not None and image.publisher
            else None
        ),
        agent_version=agent.vm_agent_version if agent else None,
    )


def _version(text: str) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return None


def _configuration(os_type: str) -> str:
    return "windowsConfiguration" if os_type == "Windows" else "linuxConfiguration"


def _invalid(target: str, message: str) -> PatchSettingsRefusal:
    return PatchSettingsRefusal(code="InvalidParameter", target=target, message=message)


def _refusal(
    facts: _Facts, target: PatchSettings | LinuxPatchSettings, profile: PatchRulesProfile
) -> PatchSettingsRefusal | None:
    config = _configuration(facts.os_type)
    mode_target = f"{config}.patchSettings.patchMode"
    mode = str(target.patch_mode or facts.mode)
    # R1: the modes of the OS.
    if mode not in MODES[facts.os_type]:
        return _invalid(
            mode_target, f"The patchMode '{mode}' is not supported on {facts.os_type}."
        )  # synthetic (Q3)
    # R11, R12: the other enum-valued settings.
    if target.assessment_mode is not None and str(target.assessment_mode) not in ASSESSMENT_MODES:
        return _invalid(
            f"{config}.patchSettings.assessmentMode",
            f"The assessmentMode '{target.assessment_mode}' is invalid.",
        )
    platform = target.automatic_by_platform_settings
    reboot = platform.reboot_setting if platform is not None else None
    if reboot is not None and str(reboot) not in REBOOT_SETTINGS:
        return _invalid(
            f"{config}.patchSettings.automaticByPlatformSettings.rebootSetting",
            f"The rebootSetting '{reboot}' is invalid.",
        )
    # R14: hotpatching.
    hotpatch = isinstance(target, PatchSettings) and target.enable_hotpatching is True
    if hotpatch:
        if mode != ABP:
            return _invalid(
                f"{config}.patchSettings.enableHotpatching",
                "Hotpatching requires patchMode 'AutomaticByPlatform'.",
            )  # synthetic
        if platform is not None and platform.bypass_platform_safety_checks_on_user_schedule:
            return _invalid(
                f"{config}.patchSettings.automaticByPlatformSettings."
                "bypassPlatformSafetyChecksOnUserSchedule",
                HOTPATCH_BYPASS,
            )
        if facts.image is not None and facts.image not in HOTPATCHABLE:
            return _invalid(
                f"{config}.patchSettings.enableHotpatching",
                "The selected VM image does not support hotpatching.",
            )  # synthetic
    # R5, R6 (and Q4 under spec-strict): enableAutomaticUpdates, which cannot change (R4).
    if facts.os_type == "Windows":
        needs = {"AutomaticByOS": True, "Manual": False}.get(mode)
        if mode == ABP and profile == "spec-strict":
            needs = True
        if needs is not None and facts.enable_automatic_updates is not needs:
            value = "true" if needs else "false"
            return _invalid(
                mode_target,
                f"The patchMode '{mode}' is invalid. For patchMode '{mode}', the property"
                f" 'enableAutomaticUpdates' must be set to {value}.",
            )
    # R8: on Windows the preview allowed only AutomaticByOS -> AutomaticByPlatform.
    changing = mode != facts.mode and facts.os_type == "Windows"
    if profile == "preview-2020" and changing and (facts.mode, mode) != ("AutomaticByOS", ABP):
        return _invalid(
            mode_target, f"Changing patchMode from '{facts.mode}' to '{mode}' is not supported."
        )  # synthetic
    # R10, R11: AutomaticByPlatform (patch or assessment) needs the VM agent.
    if (mode == ABP or str(target.assessment_mode) == ABP) and not facts.provision_vm_agent:
        return _invalid(
            f"{config}.provisionVMAgent",
            f"Patch mode '{ABP}' requires provisionVMAgent to be true.",
        )  # synthetic
    # R9: AutomaticByPlatform needs a supported marketplace image (custom images: Q5).
    if mode == ABP and facts.image is not None and facts.image not in SUPPORTED:
        return _invalid(mode_target, UNSUPPORTED_IMAGE)
    return None


def _warnings(facts: _Facts, mode: str) -> tuple[str, ...]:
    if mode != ABP:
        return ()
    warnings = []
    if facts.mode != ABP:
        warnings.append(
            "AutomaticByPlatform takes effect after enablement, which runs in the VM's off-peak"
            " hours and can take more than three hours (R16)."
        )
    if facts.image is None:
        warnings.append(
            "A custom or gallery image is accepted but never patched automatically (Q5)."
        )
    elif facts.image[0] == "redhat":
        warnings.append(
            "On RHEL, stop and mask packagekit by hand, or native updates keep running (R15)."
        )
    if facts.os_type == "Linux" and facts.agent_version is not None:
        version = _version(facts.agent_version)
        if version is not None and version < MIN_LINUX_AGENT:
            warnings.append(
                f"The Linux agent {facts.agent_version} is older than 2.2.53.1: enablement will"
                " not complete (R10)."
            )
    return tuple(warnings)


def _body(os_type: str, target: PatchSettings | LinuxPatchSettings) -> VirtualMachineUpdate:
    """The minimal PATCH: the target's patch settings, under the VM's OS configuration."""
    platform = target.automatic_by_platform_settings
    reboot = platform.reboot_setting if platform else None
    bypass = platform.bypass_platform_safety_checks_on_user_schedule if platform else None
    if os_type == "Windows":
        windows_platform = (
            WindowsVMGuestPatchAutomaticByPlatformSettings(
                reboot_setting=reboot,
                bypass_platform_safety_checks_on_user_schedule=bypass,
            )
            if platform
            else None
        )
        settings = PatchSettings(
            patch_mode=target.patch_mode,
            assessment_mode=target.assessment_mode,
            enable_hotpatching=(
                target.enable_hotpatching if isinstance(target, PatchSettings) else None
            ),
            automatic_by_platform_settings=windows_platform,
        )
        profile = OSProfile(windows_configuration=WindowsConfiguration(patch_settings=settings))
    else:
        linux_platform = (
            LinuxVMGuestPatchAutomaticByPlatformSettings(
                reboot_setting=reboot,
                bypass_platform_safety_checks_on_user_schedule=bypass,
            )
            if platform
            else None
        )
        linux = LinuxPatchSettings(
            patch_mode=target.patch_mode,
            assessment_mode=target.assessment_mode,
            automatic_by_platform_settings=linux_platform,
        )
        profile = OSProfile(linux_configuration=LinuxConfiguration(patch_settings=linux))
    return VirtualMachineUpdate(os_profile=profile)


@attrs.frozen(kw_only=True)
class PatchModeChange:
    """The change ``set_patch_mode`` and ``patch_settings_for_new_vm`` ask for, not yet judged."""

    mode: str
    assessment_mode: str | None = None
    reboot_setting: str | None = None
    bypass_platform_safety_checks_on_user_schedule: bool | None = None
    enable_hotpatching: bool | None = None
    profile: PatchRulesProfile = "ga"

    def settings_for(self, os_type: str) -> PatchSettings | LinuxPatchSettings:
        """The patch settings of that OS that carry this change."""
        given = (
            self.reboot_setting is not None
            or self.bypass_platform_safety_checks_on_user_schedule is not None
        )
        reboot, bypass = self.reboot_setting, self.bypass_platform_safety_checks_on_user_schedule
        if os_type == "Windows":
            return PatchSettings(
                patch_mode=self.mode,
                assessment_mode=self.assessment_mode,
                enable_hotpatching=self.enable_hotpatching,
                automatic_by_platform_settings=WindowsVMGuestPatchAutomaticByPlatformSettings(
                    reboot_setting=reboot, bypass_platform_safety_checks_on_user_schedule=bypass
                )
                if given
                else None,
            )
        if self.enable_hotpatching:
            raise ValueError("hotpatching exists only on Windows")
        return LinuxPatchSettings(
            patch_mode=self.mode,
            assessment_mode=self.assessment_mode,
            automatic_by_platform_settings=LinuxVMGuestPatchAutomaticByPlatformSettings(
                reboot_setting=reboot, bypass_platform_safety_checks_on_user_schedule=bypass
            )
            if given
            else None,
        )


def plan_patch_settings_change(
    vm: VirtualMachine,
    target: PatchSettings | LinuxPatchSettings,
    *,
    profile: PatchRulesProfile = "ga",
) -> PatchSettingsPlan:
    """Judge ``target`` for ``vm`` as Azure would, without sending anything.

    ``vm`` should come from ``virtual_machines.get(..., expand="instanceView")``
    so the Linux agent version can be checked. The plan's ``body`` is the
    minimal PATCH: only the patch settings, under the VM's OS configuration.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {profile!r}")
    facts = _facts(vm)
    mode = str(target.patch_mode or facts.mode)
    refusal = _refusal(facts, target, profile)
    return PatchSettingsPlan(
        allowed=refusal is None,
        refusal=refusal,
        warnings=() if refusal else _warnings(facts, mode),
        body=None if refusal else _body(facts.os_type, target),
        current_mode=facts.mode,
        target_mode=mode,
    )


def _same(have: object, want: object) -> bool:
    have = have.value if isinstance(have, enum.Enum) else have
    want = want.value if isinstance(want, enum.Enum) else want
    if isinstance(have, str) and isinstance(want, str):
        return have.casefold() == want.casefold()
    return bool(have == want)


def _covers(have: object, want: WireModel) -> bool:
    """Whether ``have`` has every value ``want`` sets (``None`` sets nothing)."""
    for field in attrs.fields(type(want)):
        wanted = getattr(want, field.name)
        if wanted is None or field.name == "explicit_nulls":
            continue
        held = getattr(have, field.name, None)
        if isinstance(wanted, WireModel):
            if not _covers(held, wanted):
                return False
        elif not _same(held, wanted):
            return False
    return True


def settings_in_place(vm: VirtualMachine, change: PatchModeChange) -> bool:
    """Whether ``vm`` already has every patch setting ``change`` asks for."""
    profile = vm.os_profile or OSProfile()
    config = profile.windows_configuration or profile.linux_configuration
    current = config.patch_settings if config else None
    return current is not None and _covers(current, change.settings_for(_facts(vm).os_type))


def checked_plan(vm: VirtualMachine, change: PatchModeChange) -> PatchSettingsPlan:
    """Plan ``change`` for ``vm``; raise ``PatchModeTransitionError`` if Azure would refuse it."""
    target = change.settings_for(_facts(vm).os_type)
    plan = plan_patch_settings_change(vm, target, profile=change.profile)
    plan.raise_if_refused()
    return plan


def patch_settings_for_new_vm(
    os_type: Literal["Windows", "Linux"],
    mode: str,
    *,
    assessment_mode: str | None = None,
    reboot_setting: str | None = None,
    bypass_platform_safety_checks_on_user_schedule: bool | None = None,
    enable_hotpatching: bool | None = None,
    image: ImageReference | None = None,
    profile: PatchRulesProfile = "ga",
) -> OSProfile:
    """The osProfile fragment that creates a VM in ``mode``, correct by construction.

    Windows gets the ``enableAutomaticUpdates`` the mode needs (it cannot change
    later) and ``provisionVMAgent``. The fragment is judged by the same rules
    as a change (with ``image``, if given); a refusal raises
    ``PatchModeTransitionError``. Merge it into a template or another SDK's body
    with ``azpatch.to_wire``.
    """
    windows = os_type == "Windows"
    automatic_updates = mode != "Manual"
    seed = VirtualMachine(
        os_profile=OSProfile(
            windows_configuration=WindowsConfiguration(
                enable_automatic_updates=automatic_updates, provision_vm_agent=True
            )
            if windows
            else None,
            linux_configuration=None if windows else LinuxConfiguration(provision_vm_agent=True),
        ),
        storage_profile=StorageProfile(image_reference=image) if image else None,
    )
    change = PatchModeChange(
        mode=mode,
        assessment_mode=assessment_mode,
        reboot_setting=reboot_setting,
        bypass_platform_safety_checks_on_user_schedule=bypass_platform_safety_checks_on_user_schedule,
        enable_hotpatching=enable_hotpatching,
        profile=profile,
    )
    plan = checked_plan(seed, change)
    assert plan.body is not None
    assert plan.body.os_profile is not None
    windows_config = plan.body.os_profile.windows_configuration
    if windows_config is not None:
        return OSProfile(
            windows_configuration=WindowsConfiguration(
                enable_automatic_updates=automatic_updates,
                provision_vm_agent=True,
                patch_settings=windows_config.patch_settings,
            )
        )
    linux_config = plan.body.os_profile.linux_configuration
    assert linux_config is not None
    return OSProfile(
        linux_configuration=LinuxConfiguration(
            provision_vm_agent=True, patch_settings=linux_config.patch_settings
        )
    )
