"""Batches and install runs (R26 to R36, R45 to R50): what may start in a region, one zone,
one update domain and one share at a time, and each run replayed on the clock."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from .._world._images import is_hotpatchable
from .._world._records import Patch, VmRecord
from ._base import OrchestratorBase
from ._install_run import RunPlan, plan_run
from ._members import Group, Member, RegionState
from ._rollout import Rollout
from ._run_steps import Run, patch_states

__all__ = ["InstallRuns"]


class InstallRuns(OrchestratorBase):
    """Starting runs where the locks and caps allow, and releasing them."""

    def _startable(self, member: Member, rollout: Rollout, now: float) -> bool:
        vm = member.vm
        return (
            self._run_fits(member, now)
            and member.active
            and not member.busy
            and member.done_rollout != rollout.rollout_id
            and vm.power_state == "running"
            and vm.patch_mode_ready
            and now >= member.not_before
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
        fit_before = self._runs_fit_before(now)
        first = queues is group.queues  # first attempts are counted as they leave
        for ud in uds:
            queue = queues.get(ud if ud is not None else -1)
            if not queue or room <= 0:
                continue
            kept: list[Member] = []
            for index, member in enumerate(queue):
                if member.done_rollout == rollout.rollout_id or not member.active:
                    if first:
                        group.waiting[member.window][group] -= 1
                    continue
                # R27 asked inline first: most queued VMs are off-peak, and a call for each
                # of them costs (``_startable`` asks again).
                if member.window.open_until <= fit_before or not self._startable(
                    member, rollout, now
                ):
                    kept.append(member)
                    continue
                started.append(member)
                if first:
                    group.waiting[member.window][group] -= 1
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
        run = member.run = Run(member, plan, rollout, phase, world.new_bits(), per_patch=per_patch)
        self._at(plan.install_start, self._advance_run, run)

    def _outcome(self, plan: RunPlan) -> tuple[tuple[str, str, str], ...]:
        """Each patch of a finished run with its state, for the timeline: one tuple for the
        thousands of runs that share their (shared) lists."""
        key = (id(plan.installed), id(plan.failed), id(plan.pending), id(plan.not_selected))
        found = self._outcomes.get(key)
        if found is None:
            found = self._outcomes[key] = (
                patch_states(plan.installed, "Installed")
                + patch_states(plan.failed, "Failed")
                + patch_states(plan.pending, "Pending")
                + patch_states(plan.not_selected, "NotSelected")
            )
        return found

    def _advance_run(self, run: Run, now: float) -> None:
        run.advance(self, now)

    def _reboot_finished(self, run: Run, now: float) -> None:
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
        if isinstance(run, Run):
            run.interrupt(self, now, reason)
            self._release(member, run, now, None)

    def _release(self, member: Member, run: Run, now: float, healthy: bool | None) -> None:
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
