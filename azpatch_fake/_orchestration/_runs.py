"""Batches and install runs (R26 to R36, R45 to R50): what may start in a region, one zone,
one update domain and one share at a time, and each run replayed on the clock."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from .._world._images import is_hotpatchable
from .._world._records import InstallationRecord, Patch, VmRecord
from ._base import OrchestratorBase, moment
from ._install_run import RunPlan, plan_run
from ._members import Group, Member, RegionState
from ._rollout import Rollout

__all__ = ["InstallRuns"]


def _patches(patches: tuple[Patch, ...], state: str) -> tuple[tuple[str, str, str], ...]:
    return tuple((p.name, p.classification, state) for p in patches)


class InstallRuns(OrchestratorBase):
    """Starting runs where the locks and caps allow, and releasing them."""

    def _startable(self, member: Member, rollout: Rollout, now: float) -> bool:
        vm = member.vm
        return (
            member.active
            and not member.busy
            and member.done_rollout != rollout.rollout_id
            and vm.power_state == "running"
            and vm.patch_mode_ready
            and now >= member.not_before
            and self._run_fits(member, now)
            and self._schedulable(vm)
        )

    def _try_start(
        self, state: RegionState, now: float, only: Sequence[Group] | None = None
    ) -> None:
        """Start what may start in the region, first attempts before retries (Q26); ``only``
        when nothing but those groups (in the region's order) changed."""
        rollout = self.rollout
        if rollout is None or not rollout.allows(state.name):
            return
        if any(self._regions[p].busy for p in state.conflicts if p in self._regions):
            return  # R42
        zone_fixed, zone = state.busy_zone()
        groups = only if only is not None else tuple(state.groups.values())
        started: list[Member] = []
        if rollout.takes_first_attempts(now):
            for group in groups:
                if zone_fixed and group.zone != zone:
                    continue  # R45: one zone at a time
                if self._fill(group, group.queues, rollout, now, started):
                    zone_fixed, zone = True, group.zone
        retrying = [g for g in groups if any(g.retries.values())]
        if retrying and not self._first_attempts_wait(state, rollout, now, zone_fixed, zone):
            for group in retrying:
                if zone_fixed and group.zone != zone:
                    continue
                if self._fill(group, group.retries, rollout, now, started):
                    zone_fixed, zone = True, group.zone
        if not started:
            return
        phase = rollout.phase_index(state.name) + 1
        self.timeline.add(
            now,
            "batch_started",
            rollout=rollout.rollout_id,
            phase=phase,
            location=state.name,
            zone=zone,
            vms=tuple(m.resource_id for m in started),
        )
        for member in started:
            self._start_run(member, state, rollout, phase, now)

    def _fill(
        self,
        group: Group,
        queues: dict[int, list[Member]],
        rollout: Rollout,
        now: float,
        started: list[Member],
    ) -> int:
        """Start what the group's caps allow from ``queues`` (its first attempts or its
        retries): R46 (subscriptions), R47 to R50 (sets)."""
        live = group.patchable()  # R46 to R49 count the members that can be patched
        if group.is_set:
            cap = self.policy.set_cap(live)
            if group.busy:
                uds = [group.active_ud]
            elif now < group.bake_until:
                uds = [group.last_ud]  # R50: another update domain waits for the bake
            else:
                uds = list(queues)
        else:
            cap = self.policy.batch_cap(live)
            uds = [-1]
        room = cap - group.busy
        count = 0
        for ud in uds:
            queue = queues.get(ud if ud is not None else -1)
            if not queue or room <= 0:
                continue
            kept: list[Member] = []
            for index, member in enumerate(queue):
                if member.done_rollout == rollout.rollout_id or not member.active:
                    continue
                if not self._startable(member, rollout, now):
                    kept.append(member)
                    continue
                started.append(member)
                member.busy = True
                group.busy += 1
                count += 1
                room -= 1
                if room == 0:
                    kept.extend(queue[index + 1 :])
                    break
            queue[:] = kept  # in place: a new list per fill would pile up for the collector
            if count:
                group.active_ud = ud
                break  # R48: one update domain at a time
        return count

    def _start_run(
        self, member: Member, state: RegionState, rollout: Rollout, phase: int, now: float
    ) -> None:
        vm = member.vm
        state.busy += 1
        state.zone_busy[member.zone] = state.zone_busy.get(member.zone, 0) + 1
        world = self.world
        per_patch = (vm.install_time_per_patch or world.install_time_per_patch).total_seconds()
        plan = plan_run(
            share=self._shared,  # the run keeps its lists for hours: share them
            start=now,
            os_type=vm.os_type,
            available=self._as_hotpatches(vm, self._available(member, now)),
            reboot_setting=vm.patch_settings.reboot_setting or "IfRequired",
            reboot_pending=bool(vm.assessment and vm.assessment.reboot_pending),
            assessment=world.assessment_duration.total_seconds(),
            overhead=world.install_overhead.total_seconds(),
            per_patch=per_patch,
            run_duration=self.policy.run_duration.total_seconds(),
            window_end=member.window.open_until,  # R27: nothing runs after the window
            reboot_duration=self.policy.reboot_duration.total_seconds(),
            health_wait=self.policy.health_wait.total_seconds(),
            fail_installs=vm.fail_installs,
            fail_reboots=vm.fail_reboots,
        )
        if member.tried != rollout.rollout_id:
            member.tried, member.runs, member.failed_runs = rollout.rollout_id, 0, 0
            member.given_up = False
        member.runs += 1
        if member.last_assessed != now:  # Q15: one assessment right before the install
            self._assess(member, now)
        run = member.run = _Run(member, plan, rollout, phase, world.new_id(), per_patch=per_patch)
        self._at(plan.install_start, self._advance_run, run)

    def _outcome(self, plan: RunPlan) -> tuple[tuple[str, str, str], ...]:
        """Each patch of a finished run with its state, for the timeline: one tuple for the
        thousands of runs that share their (shared) lists."""
        key = (id(plan.installed), id(plan.failed), id(plan.pending), id(plan.not_selected))
        found = self._outcomes.get(key)
        if found is None:
            found = self._outcomes[key] = (
                _patches(plan.installed, "Installed")
                + _patches(plan.failed, "Failed")
                + _patches(plan.pending, "Pending")
                + _patches(plan.not_selected, "NotSelected")
            )
        return found

    def _advance_run(self, run: _Run, now: float) -> None:
        run.advance(self, now)

    def _reboot_finished(self, run: _Run, now: float) -> None:
        run.reboot_finished(self, now)

    def _as_hotpatches(self, vm: VmRecord, available: Sequence[Patch]) -> Sequence[Patch]:
        """R39: with hotpatching on, a hotpatch month's security updates need no reboot."""
        if not vm.patch_settings.enable_hotpatching or not is_hotpatchable(vm.image):
            return available
        return [
            attrs.evolve(p, reboot_behavior="NeverReboots")
            if p.classification == "Security"
            and self.policy.is_hotpatch_month(p.published.year, p.published.month)
            else p
            for p in available
        ]

    def _interrupt_run(self, member: Member, now: float, reason: str | None = None) -> None:
        """R21: the VM stopped during its run, which ends now (or, with ``reason``, the
        rollout halted before it installed anything): what had not installed stays pending
        for a later window, and there is no health verdict."""
        run = member.run
        if isinstance(run, _Run):
            run.interrupt(self, now, reason)
            self._release(member, run, now, None)

    def _release(self, member: Member, run: _Run, now: float, healthy: bool | None) -> None:
        """The run is over: ``healthy`` is its verdict, None when it was cut off."""
        member.busy = False
        member.run = None
        state = self._region(member.location)
        state.busy -= 1
        state.zone_busy[member.zone] -= 1
        group = member.group
        if group is not None:
            group.busy -= 1
            if not group.busy:
                group.last_ud = group.active_ud
                group.active_ud = None
                if group.is_set:
                    group.bake_until = now + self.policy.update_domain_bake.total_seconds()
                    self._at(group.bake_until, self._bake_over, member)
        rollout = run.rollout
        self._next_run(member, rollout, run.plan, run.phase, now, healthy)
        if rollout is self.rollout and not rollout.ended and healthy is not None:
            if member.runs == 1:
                rollout.count(run.phase, run.plan)
            if healthy:
                rollout.gate.discard(member)
            else:
                self._unhealthy(rollout, member, run.phase, now)
        # Only this VM's group gained room, unless the region (and so its zones) fell idle.
        self._try_start(state, now, only=(group,) if state.busy and group is not None else None)
        if not state.busy:
            for partner in sorted(state.conflicts):
                if partner in self._regions:
                    self._try_start(self._regions[partner], now)
        self._check_gate(now)

    def _bake_over(self, member: Member, now: float) -> None:
        """R50: the set may take its next update domain; nothing else changed."""
        if member.group is not None:
            self._try_start(self._region(member.location), now, only=(member.group,))


class _Run:
    """One install run being replayed on the clock, one step per moment of its plan."""

    __slots__ = ("activity_id", "detail", "member", "per_patch", "phase", "plan", "rollout", "step")

    def __init__(
        self,
        member: Member,
        plan: RunPlan,
        rollout: Rollout,
        phase: int,
        activity_id: str,
        *,
        per_patch: float,
    ) -> None:
        self.member = member
        self.plan = plan
        self.rollout = rollout
        self.phase = phase
        self.activity_id = activity_id
        self.per_patch = per_patch
        self.step = 0  # -1 once the run was cut off: its scheduled steps do nothing
        self.detail = {"rollout": rollout.rollout_id, "phase": phase}  # of each of its events

    def advance(self, orchestrator: InstallRuns, now: float) -> None:
        """Take the next step; each schedules the one after it."""
        if self.step < 0:
            return
        if self.step == 0 and self.rollout.halted:  # R44: nothing new installs in a halt
            if self.member.vm.assessment is not None:
                orchestrator._assessed(self.member, now)
            reason = "R44: the rollout halted before the installation began"
            orchestrator._interrupt_run(self.member, now, reason)
            return
        steps = (self._install_started, self._install_finished, self._verdict)
        steps[self.step](orchestrator, now)
        self.step += 1

    def interrupt(self, orchestrator: InstallRuns, now: float, reason: str | None = None) -> None:
        """Cut the run off at ``now`` (the VM stopped, or ``reason``): patches not finished
        are pending."""
        plan, member = self.plan, self.member
        stage = ("assessment", "install", "reboot")[self.step] if self.step >= 0 else "done"
        if stage == "reboot" and plan.reboot_end is not None and now >= plan.reboot_end:
            stage = "health_check"
        self.step = -1
        detail: dict[str, Any] = {"reason": reason} if reason else {}
        record = member.vm.installation
        if stage in ("assessment", "install"):
            attempted = plan.installed + plan.failed
            begun = plan.install_end - len(attempted) * self.per_patch
            done = max(0, min(len(attempted), int((now - begun) // self.per_patch)))
            finished = attempted[:done] if stage == "install" else ()
            installed = tuple(p for p in finished if p in plan.installed)
            failed = tuple(p for p in finished if p not in plan.installed)
            pending = attempted[len(finished) :] + plan.pending
            member.vm.installed_patch_ids.update(p.patch_id for p in installed)
            shared = orchestrator._shared
            self.plan = plan = attrs.evolve(
                plan, installed=shared(installed), failed=shared(failed), pending=shared(pending)
            )
            if record is not None and record.activity_id == self.activity_id:
                record.status, record.finished = "Failed", moment(now)  # Q12: the agent stopped
                record.installed, record.failed, record.pending = installed, failed, plan.pending
            detail["patches"] = (
                _patches(installed, "Installed")
                + _patches(failed, "Failed")
                + _patches(plan.pending, "Pending")
            )
        elif stage == "reboot" and record is not None and record.activity_id == self.activity_id:
            record.reboot_status = "Failed"
        orchestrator.timeline.add(
            now,
            "install_interrupted",
            member,
            stage=stage,
            power_state=member.vm.power_state,
            **detail,
            **self.detail,
        )

    def _install_started(self, orchestrator: InstallRuns, now: float) -> None:
        plan, member = self.plan, self.member
        vm = member.vm
        if vm.assessment is not None and vm.assessment.status == "InProgress":
            orchestrator._assessed(member, now)
        vm.installation = InstallationRecord(
            "InProgress",
            self.activity_id,
            moment(now),
            pending=orchestrator._shared(plan.installed + plan.failed + plan.pending),
            not_selected=plan.not_selected,
            started_by="Platform",
        )
        group = member.group
        live = group.patchable() if group else None
        orchestrator.timeline.add(
            now,
            "install_started",
            member,
            selected=len(plan.installed) + len(plan.failed) + len(plan.pending),
            attempt=member.runs,
            off_peak=member.window.hours.describe(),
            set_size=live if group and group.is_set else None,
            pool_size=live if group and not group.is_set else None,
            **self.detail,
        )
        orchestrator._at(plan.install_end, orchestrator._advance_run, self)

    def _install_finished(self, orchestrator: InstallRuns, now: float) -> None:
        plan, member = self.plan, self.member
        vm = member.vm
        vm.installed_patch_ids.update(p.patch_id for p in plan.installed)
        record = vm.installation
        if record is not None and record.activity_id == self.activity_id:
            record.status = plan.status
            record.finished = moment(now)
            record.reboot_status = "Started" if plan.reboot_end is not None else plan.reboot_status
            record.maintenance_window_exceeded = plan.window_exceeded
            record.installed, record.failed = plan.installed, plan.failed
            record.pending, record.not_selected = plan.pending, plan.not_selected
        if vm.assessment is not None:  # the agent's post-install assessment
            orchestrator._fill_assessment(member, vm.assessment, now)
            vm.assessment.reboot_pending = plan.reboot_status == "Required"
        orchestrator.timeline.add(
            now,
            "install_finished",
            member,
            status=plan.status,
            maintenance_window_exceeded=plan.window_exceeded,
            patches=orchestrator._outcome(plan),
            **self.detail,
        )
        if plan.reboot_end is not None:
            orchestrator.timeline.add(now, "reboot_started", member, **self.detail)
            orchestrator._at(plan.reboot_end, orchestrator._reboot_finished, self)
        orchestrator._at(plan.verdict_at, orchestrator._advance_run, self)

    def reboot_finished(self, orchestrator: InstallRuns, now: float) -> None:
        if self.step < 0:
            return
        record = self.member.vm.installation
        if record is not None and record.activity_id == self.activity_id:
            record.reboot_status = self.plan.reboot_status
        orchestrator.timeline.add(
            now, "reboot_finished", self.member, status=self.plan.reboot_status, **self.detail
        )

    def _verdict(self, orchestrator: InstallRuns, now: float) -> None:
        member = self.member
        vm = member.vm
        if vm.unhealthy_after_patching:
            vm.healthy = False
            member.changed()
        orchestrator.timeline.add(now, "health_verdict", member, healthy=vm.healthy, **self.detail)
        orchestrator._release(member, self, now, vm.healthy)
