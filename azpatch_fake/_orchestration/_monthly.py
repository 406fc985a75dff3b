"""The monthly rollout (R40 to R44): phases through the regions, the gate between them, the
bake, the deadline, and the halt on an unhealthy VM."""

from __future__ import annotations

import random

from .._world._catalog import release_after
from .._world._off_peak import utc_iso
from ._base import OrchestratorBase, moment
from ._members import Member, RegionState
from ._phases import plan_phases
from ._rollout import Rollout

__all__ = ["MonthlyRollout"]


class MonthlyRollout(OrchestratorBase):
    """One rollout per monthly release, phase by phase."""

    def _schedule_rollout(self, now: float) -> None:
        when = release_after(moment(now)).timestamp()
        self.world.clock.call_at_epoch(when, lambda: self._start_rollout(when))

    def _start_rollout(self, now: float) -> None:
        self._schedule_rollout(now)
        if self.rollout is not None and not self.rollout.ended:
            self._end_rollout(self.rollout, now, "Q19: the next monthly release began")
        counts: dict[str, int] = {}
        for location, state in self._regions.items():
            counts[location] = sum(g.size for g in state.groups.values())
        phases = list(self.policy.phase_plan or plan_phases(counts))
        released = moment(now)
        rollout_id = f"{released.year}-{released.month:02d}"
        deadline = now + self.policy.rollout_days * 86400.0
        rollout = self.rollout = Rollout(rollout_id, deadline, phases)
        self.timeline.add(
            now,
            "rollout_started",
            rollout=rollout_id,
            deadline=utc_iso(deadline),
            phases=tuple(phases),
        )
        for location in sorted(self._regions):
            self._shuffle(self._regions[location], rollout_id)
        self.world.clock.call_at_epoch(deadline, lambda: self._close_rollout(rollout, deadline))
        self._start_phase(rollout, 0, now)

    def _shuffle(self, state: RegionState, rollout_id: str) -> None:
        """R53: the batch a VM falls into is seeded by (seed, rollout, region)."""
        rng = random.Random(f"{self._seed}:{rollout_id}:{state.name}")
        for key in sorted(state.groups):
            group = state.groups[key]
            group.restart()
            members = sorted(group.members, key=lambda m: m.resource_id)
            rng.shuffle(members)
            for member in members:
                group.enqueue(member)
        keys = sorted(state.groups)
        rng.shuffle(keys)
        state.groups = {key: state.groups[key] for key in keys}

    def _end_rollout(self, rollout: Rollout, now: float, reason: str) -> None:
        if rollout.ended:
            return
        rollout.ended = True
        self.timeline.add(now, "rollout_ended", rollout=rollout.rollout_id, reason=reason)

    def _close_rollout(self, rollout: Rollout, now: float) -> None:
        """R28: no VM's first run starts after the 30 days; retries go on (R33)."""
        if rollout.ended:
            return
        self.timeline.add(
            now,
            "rollout_closed",
            rollout=rollout.rollout_id,
            reason="R28: 30 days after the release; pending and failed patches are retried"
            " until the next release (R33)",
        )

    def _start_phase(self, rollout: Rollout, index: int, now: float) -> None:
        if rollout.ended or rollout.halted or not rollout.takes_first_attempts(now):
            return
        if index >= len(rollout.phases):
            self.timeline.add(
                now,
                "gate_decision",
                rollout=rollout.rollout_id,
                phase=index,
                decision="complete",
                reason="every phase completed",
            )
            return
        rollout.phase = index
        rollout.gate_passed = False
        regions = rollout.phases[index]
        rollout.gate = {
            m
            for location in regions
            if location in self._regions
            for g in self._regions[location].groups.values()
            for m in g.members
            if self._eligible(m) and m.done_rollout != rollout.rollout_id
        }
        self.timeline.add(
            now,
            "phase_started",
            rollout=rollout.rollout_id,
            phase=index + 1,
            regions=regions,
            eligible=len(rollout.gate),
        )
        for location in regions:
            if location in self._regions:
                self._try_start(self._regions[location], now)
        self._check_gate(now)

    def _drop_from_gate(self, member: Member, now: float) -> None:
        rollout = self.rollout
        if rollout is not None and member in rollout.gate and not member.busy:
            rollout.gate.discard(member)
            self._check_gate(now)

    def _check_gate(self, now: float) -> None:
        """R41, R54: the next phase waits for the eligible VMs of this one."""
        rollout = self.rollout
        if rollout is None or rollout.ended or rollout.halted or rollout.gate_passed:
            return
        if rollout.gate or rollout.phase < 0:
            return
        index = rollout.phase
        rollout.gate_passed = True
        self.timeline.add(
            now,
            "phase_completed",
            rollout=rollout.rollout_id,
            phase=index + 1,
            regions=rollout.phases[index],
        )
        counts = rollout.results.get(index + 1, {"succeeded": 0, "failed": 0, "pending": 0})
        self.timeline.add(
            now,
            "gate_decision",
            rollout=rollout.rollout_id,
            phase=index + 1,
            decision="advance",
            reason="every eligible VM ran and stayed healthy (Q27: failed and pending patches"
            " are retried in later windows and do not hold the next phase, Q8)",
            succeeded=counts["succeeded"],
            failed=counts["failed"],
            pending=counts["pending"],
        )
        last = index + 1 >= len(rollout.phases)
        when = now if last else now + self.policy.phase_bake.total_seconds()
        if when == now:
            self._start_phase(rollout, index + 1, now)
        elif when < rollout.deadline:
            self.world.clock.call_at_epoch(
                when, lambda: self._start_phase(rollout, index + 1, when)
            )

    def _resume(self, rollout: Rollout, now: float) -> None:
        """Q24: the investigation is over; the rollout goes on without the unhealthy VMs."""
        if rollout is not self.rollout or rollout.ended or not rollout.halted:
            return
        rollout.halted, rollout.halted_until = False, None
        excluded = sorted(m.resource_id for m in rollout.unhealthy)
        for member in rollout.unhealthy:
            rollout.gate.discard(member)
        rollout.unhealthy = []
        hours = self.policy.halt_investigation.total_seconds() / 3600
        self.timeline.add(
            now,
            "rollout_resumed",
            rollout=rollout.rollout_id,
            phase=rollout.phase + 1,
            excluded=tuple(excluded),
            reason=f"Q24: {hours:g} h of investigation are over; the unhealthy VMs stay"
            " excluded until they are healthy again (Q25)",
        )
        if rollout.gate_passed:  # the next phase was due while the rollout stood still
            self._start_phase(rollout, rollout.phase + 1, now)
            return
        for location in rollout.phases[rollout.phase] if rollout.phase >= 0 else ():
            if location in self._regions:
                self._try_start(self._regions[location], now)
        self._check_gate(now)

    def _unhealthy(self, rollout: Rollout, member: Member, phase: int, now: float) -> None:
        """R44: an unhealthy VM after its update stops the rollout at its phase, for an
        investigation of ``halt_investigation`` (Q24); the VM itself is excluded from the
        platform's updates until it is healthy again (Q25), so no later month inherits it."""
        rollout.unhealthy.append(member)
        if rollout.halted or len(rollout.unhealthy) <= self.policy.phase_unhealthy_tolerance:
            return
        rollout.halted = True
        rollout.halted_until = now + self.policy.halt_investigation.total_seconds()
        self._at(rollout.halted_until, self._resume, rollout)
        reason = f"{member.resource_id} is unhealthy after its update"
        self.timeline.add(
            now, "phase_halted", rollout=rollout.rollout_id, phase=phase, reason=reason
        )
        self.timeline.add(
            now,
            "gate_decision",
            rollout=rollout.rollout_id,
            phase=phase,
            decision="halt",
            reason=reason,
        )
