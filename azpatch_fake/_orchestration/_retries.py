"""Retries (R33, Q26): pending and failed patches come back in the VM's next window, behind
every first attempt they would hold a lock against, and a VM that keeps failing is given up
for the month."""

from __future__ import annotations

from ._base import OrchestratorBase
from ._install_run import RunPlan
from ._members import Member, RegionState
from ._rollout import Rollout

__all__ = ["Retries"]


class Retries(OrchestratorBase):
    """What happens after a run that left patches behind, and when a retry may go."""

    def _first_attempts_wait(
        self, state: RegionState, rollout: Rollout, now: float, zone_fixed: bool, zone: str | None
    ) -> bool:
        """Q26: whether a VM's first attempt could start now in another zone of the region or
        in a paired region but for the locks a retry here would hold (R42, R45)."""
        if not rollout.takes_first_attempts(now):
            return False
        partners = [self._regions[p] for p in sorted(state.conflicts) if p in self._regions]
        fit_before = self._runs_fit_before(now)
        startable = self._startable
        for region_state in [state, *partners]:
            if not rollout.allows(region_state.name):
                continue
            for window, counts in region_state.waiting.items():
                if window.open_until <= fit_before:
                    continue  # shut, or too near its end: its queued VMs cannot start (R27)
                for group, queued in counts.items():
                    if not queued:
                        continue
                    if region_state is state and (not zone_fixed or group.zone == zone):
                        continue  # not held by the zone lock: it had its turn first
                    for queue in group.queues.values():
                        for member in queue:
                            if member.window is window and startable(member, rollout, now):
                                return True
        return False

    def _next_run(  # noqa: PLR0917  (the run's parts, from one place)
        self,
        member: Member,
        rollout: Rollout,
        plan: RunPlan,
        phase: int,
        now: float,
        healthy: bool | None,
    ) -> None:
        """R33: pending and failed patches are retried in the next window, up to
        ``failed_runs_per_rollout`` runs that failed or made no progress (Q26)."""
        if not (plan.pending or plan.failed or healthy is None):
            member.done_rollout = rollout.rollout_id
            return
        if healthy is not None and (plan.status == "Failed" or not plan.installed):
            member.failed_runs += 1
        if member.failed_runs >= self.policy.failed_runs_per_rollout:
            member.done_rollout, member.given_up = rollout.rollout_id, True
            self.timeline.add(
                now,
                "vm_given_up",
                member,
                rollout=rollout.rollout_id,
                phase=phase,
                runs=member.runs,
                failed=len(plan.failed),
                pending=len(plan.pending),
                reason=f"Q26: {member.failed_runs} runs failed or installed nothing; the next"
                " release tries again",
            )
            return
        member.not_before = max(member.window.open_until, now)  # R33: the next window
        if member.group is not None and rollout is self.rollout:
            member.group.enqueue(member, retry=True)
