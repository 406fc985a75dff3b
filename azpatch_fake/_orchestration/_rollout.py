"""One monthly rollout: its phases, its gate, and whether a region may install now (R40 to R44)."""

from __future__ import annotations

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
        self.ended = False

    def phase_index(self, region: str) -> int:
        """A region the plan did not know (its first VM joined after the release) goes with
        the phase in progress, so its VMs are patched this month; pairs still apply (R42)."""
        found = self.phase_of.get(region)
        return found if found is not None else max(self.phase, 0)

    def allows(self, region: str, now: float) -> bool:
        return (
            not self.ended
            and not self.halted
            and now < self.deadline
            and self.phase_index(region) <= self.phase
        )

    def waiting_on(self) -> Member | None:
        """A VM the current phase's gate still waits for, the same one each time it is asked."""
        return min(self.gate, key=lambda m: m.resource_id, default=None)
