"""Why a VM is not being patched: the rule holding it back now, as the platform would
explain it if it explained (it does not), and a predicted slot of a what-if plan."""

from __future__ import annotations

import attrs

from .._world._images import is_supported
from .._world._off_peak import local_iso, utc_iso
from .._world._records import VmRecord
from ._base import OrchestratorBase, agent_ok

__all__ = ["Hold", "Holds", "PlannedSlot"]


@attrs.frozen
class Hold:
    """Why a VM is not being patched right now: the rule, and the reason in words."""

    rule: str
    reason: str


@attrs.frozen
class PlannedSlot:
    """Where and when a VM is predicted to install, or why it will not."""

    vm: str
    location: str
    phase: int | None
    start: str | None  # UTC, ISO 8601
    local_start: str | None  # in the VM's time zone
    hold: str | None  # "rule: reason" when no slot is predicted


class Holds(OrchestratorBase):
    """Explanations, beyond the platform."""

    def why_not_patched(self, vm: VmRecord) -> Hold:
        """The rule holding ``vm`` back now (the platform gives no such answer)."""
        now = self._now()
        member = self._members.get(vm.vm_id)
        mode = vm.patch_settings.patch_mode or "the default"
        if member is None or not member.active:
            return Hold("R3", f"patchMode is {mode}; only AutomaticByPlatform VMs are orchestrated")
        if vm.patch_settings.bypass_platform_safety_checks_on_user_schedule:
            return Hold(
                "R55",
                "bypassPlatformSafetyChecksOnUserSchedule is set: only a user schedule patches it",
            )
        if not vm.image.publisher:
            return Hold("Q5", "custom and gallery images are accepted but never autopatched")
        if not is_supported(vm.image):
            return Hold("R9", "the image is not in the supported-image table")
        if not vm.patch_mode_ready:
            if not agent_ok(vm):
                return Hold(
                    "R10",
                    "the VM agent does not meet the prerequisites, so enablement never completes",
                )
            return Hold("R16", "enablement has not finished (PatchModeConfigurationState/Pending)")
        if not vm.healthy:
            return Hold(
                "R44",
                "unhealthy after its last update: excluded from the platform's updates until it"
                " is healthy again (Q25); a restart by its owner clears the mark",
            )
        if vm.power_state != "running":
            return Hold("R21", f"the VM is {vm.power_state}; it is caught up after it starts")
        rollout = self.rollout
        if rollout is None or rollout.ended:
            return Hold("R40", "no rollout in progress; the next starts at the monthly release")
        if member.done_rollout == rollout.rollout_id:
            if member.given_up:
                return Hold(
                    "Q26",
                    f"given up for rollout {rollout.rollout_id} after {member.failed_runs} runs"
                    " that failed or installed nothing; the next release tries again",
                )
            return Hold("R28", f"already patched in rollout {rollout.rollout_id}")
        if member.busy:
            return Hold("R32", "in install now (a run is never cut short)")
        if rollout.halted:
            culprit = rollout.unhealthy[-1].resource_id
            lifts = utc_iso(rollout.halted_until) if rollout.halted_until else "the next release"
            return Hold(
                "R44",
                f"rollout {rollout.rollout_id} halted: {culprit} is unhealthy; it resumes at"
                f" {lifts} (Q24), or the next release starts first",
            )
        retry = member.tried == rollout.rollout_id
        if now >= rollout.deadline and not retry:
            return Hold("R28", "the rollout's 30 days are over; the next release catches it up")
        index = rollout.phase_index(member.location)
        if index > rollout.phase:
            waiting = rollout.waiting_on()
            detail = f", waiting on {waiting.resource_id}" if waiting else ", baking"
            return Hold(
                "R41",
                f"its region is in phase {index + 1};"
                f" phase {rollout.phase + 1} is in progress{detail}",
            )
        if now < member.not_before:
            return Hold("R33", "pending and failed patches are retried in the next off-peak window")
        state = self._region(member.location)
        zone_fixed, zone = state.busy_zone()
        if retry and self._first_attempts_wait(state, rollout, now, zone_fixed, zone):
            return Hold("Q26", "a retry waits while first attempts in its region or pair can start")
        if not self._run_fits(member, now):
            start = member.window.hours.window(member.zone_info, now)[0]
            return Hold(
                "R27",
                f"not in off-peak hours ({member.window.hours.describe()} local);"
                f" next window at {local_iso(start, member.zone_info)}",
            )
        for partner in sorted(state.conflicts):
            if partner in self._regions and self._regions[partner].busy:
                return Hold("R42", f"paired region {partner} is installing")
        if zone_fixed and zone != member.zone:
            return Hold("R45", f"zone {zone or 'none'} of {state.name} is installing")
        group = member.group
        if group is not None and group.is_set:
            if group.busy and group.active_ud != member.update_domain:
                return Hold(
                    "R48", f"update domain {group.active_ud} of its availability set is installing"
                )
            if group.busy >= self.policy.set_cap(group.patchable()):
                return Hold("R49", "its availability set's share of VMs in install is full")
            if not group.busy and now < group.bake_until and group.last_ud != member.update_domain:
                return Hold("R50", f"update domain {group.last_ud} is baking")
        elif group is not None and group.busy >= self.policy.batch_cap(group.patchable()):
            return Hold("R46", "its subscription's batch in this region and zone is full")
        return Hold("R53", "eligible; it joins the next batch")
