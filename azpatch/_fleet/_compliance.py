"""A VM's patch compliance, read from its model and instance view: one row of a fleet report.

Compliant means the last assessment found no critical or security patch
missing; it is unknown (``None``) when there is no assessment, or when the
assessment predates the last installation (its counts are stale). Where the
patch mode is not AutomaticByPlatform, the patch-mode rules say why it could
not be, or that it could.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from .._rules._patch_plan import PatchModeChange, _facts, plan_patch_settings_change
from ..models import VirtualMachine

__all__ = ["PatchCompliance", "patch_compliance"]

PLATFORM = "AutomaticByPlatform"
STALE = "re-assess to refresh: the last assessment predates the last installation"
_MODE_STATE = "PatchModeConfigurationState/"


@attrs.frozen(kw_only=True)
class PatchCompliance:
    """One VM's patch settings and patch status, as a report reads them.

    ``assessment_age`` is measured at the time of the report;
    ``not_automatic_by_platform`` is why the VM is not AutomaticByPlatform
    (the rule Azure would refuse the change by, or that nothing stands in the
    way), ``None`` when it is; ``virtual_machine`` is everything read.
    """

    vm: str
    name: str
    resource_group: str
    location: str | None
    os_type: str
    patch_mode: str
    patch_mode_state: str | None
    assessment: str | None
    assessed_at: datetime | None
    assessment_age: timedelta | None
    critical_and_security: int | None
    other: int | None
    reboot_pending: bool | None
    last_install: str | None
    last_install_at: datetime | None
    installed: int | None
    failed: int | None
    compliant: bool | None
    note: str | None
    not_automatic_by_platform: str | None
    virtual_machine: VirtualMachine = attrs.field(repr=False, eq=False)


def _text(value: object) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


def _why_not_platform(vm: VirtualMachine, mode: str) -> str | None:
    if mode.casefold() == PLATFORM.casefold():
        return None
    change = PatchModeChange(mode=PLATFORM)
    plan = plan_patch_settings_change(vm, change.settings_for(_facts(vm).os_type))
    if plan.refusal is not None:
        return f"{plan.refusal.code}: {plan.refusal.message}"
    return f"its patch mode is {mode}; the rules allow AutomaticByPlatform"


def patch_compliance(vm: VirtualMachine, *, now: datetime) -> PatchCompliance:
    """``vm`` read with ``expand="instanceView"``, as a report row at ``now``."""
    facts = _facts(vm)
    view = vm.instance_view
    status = view.patch_status if view else None
    summary = status.available_patch_summary if status else None
    last = status.last_patch_installation_summary if status else None
    assessed = summary.last_modified_time if summary else None
    installed_at = last.last_modified_time if last else None
    stale = bool(assessed and installed_at and installed_at > assessed)
    counts = summary.critical_and_security_patch_count if summary else None
    configuration = (status.configuration_statuses if status else None) or ()
    states = [
        s.code.removeprefix(_MODE_STATE)
        for s in configuration
        if s.code and s.code.startswith(_MODE_STATE)
    ]
    parts = (vm.id or "").split("/")
    return PatchCompliance(
        vm=vm.id or "",
        name=vm.name or "",
        resource_group=parts[4] if len(parts) > 4 else "",
        location=vm.location,
        os_type=facts.os_type,
        patch_mode=facts.mode,
        patch_mode_state=states[0] if states else None,
        assessment=_text(summary.status) if summary else None,
        assessed_at=assessed,
        assessment_age=now - assessed if assessed else None,
        critical_and_security=counts,
        other=summary.other_patch_count if summary else None,
        reboot_pending=summary.reboot_pending if summary else None,
        last_install=_text(last.status) if last else None,
        last_install_at=installed_at,
        installed=last.installed_patch_count if last else None,
        failed=last.failed_patch_count if last else None,
        compliant=None if stale or counts is None else counts == 0,
        note=STALE if stale else None,
        not_automatic_by_platform=_why_not_platform(vm, facts.mode),
        virtual_machine=vm,
    )
