"""One monthly rollout: its phases, its gate, and whether a region may install now (R40 to R44)."""

from __future__ import annotations

from ._install_run import RunPlan
from ._members import Member

__all__ = ["Rollout"]


class Rollout:
    """R(M): released on Patch Tuesday of M, phase by phase, within ``rollout_days`` (R28)."""

    def __init__(self, rollout_id: str, deadline: float, phases: list[tuple[str, ...]]) -> None:
        self.rollout_id = rollout_id
        self.deadline = deadline
        self.phases = phases
        self.phase_of = {region: index for index, phase in enumerate(phases) for region in phase}
        self.phase = -1  # the current phase; -1 before the first starts
        self.gate_passed = False
        self.gate: set[Member] = set()  # eligible VMs of the current phase not yet verified
        self.unhealthy: list[Member] = []
        self.halted = False
        self.halted_until: float | None = None  # Q24: when the investigation is over
        self.ended = False  # the next release began (Q19)
        # Per phase, how its VMs' first runs went (Q27): succeeded, failed, pending.
        self.results: dict[int, dict[str, int]] = {}

    def phase_index(self, region: str) -> int:
        """A region the plan did not know (its first VM joined after the release) goes with
        the phase in progress, so its VMs are patched this month; pairs still apply (R42)."""
        found = self.phase_of.get(region)
        return found if found is not None else max(self.phase, 0)

    def allows(self, region: str) -> bool:
        """Whether the region's VMs may run now: retries go on after the 30 days (R33)."""
        return not self.ended and not self.halted and self.phase_index(region) <= self.phase

    def takes_first_attempts(self, now: float) -> bool:
        """R28: a VM's first run of the rollout starts within its 30 days."""
        return now < self.deadline

    def count(self, phase: int, plan: RunPlan) -> None:
        """Q27: a first run's result, for the phase's gate decision."""
        kind = "failed" if plan.status == "Failed" else "pending" if plan.pending else "succeeded"
        counts = self.results.setdefault(phase, {"succeeded": 0, "failed": 0, "pending": 0})
        counts[kind] += 1

    def waiting_on(self) -> Member | None:
        """A VM the current phase's gate still waits for, the same one each time it is asked."""
        return min(self.gate, key=lambda m: m.resource_id, default=None)
