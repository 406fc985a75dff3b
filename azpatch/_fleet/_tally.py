"""What a fleet run reports as it goes: each outcome as it ends, the counts, and the journal."""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

from ._journal import Journal
from ._outcomes import OutcomeStatus, VmOutcome

__all__ = ["Tally"]

R = TypeVar("R")
UNFINISHED = (
    "the run ended while Azure was still at it; resume from the checkpoint, or poll the"
    " continuation token"
)


class Tally(Generic[R]):
    """``total`` counts the targets known so far: a group, subscription or tenant counts as one
    until its listing replaces it with its VMs."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.outcomes: deque[VmOutcome[R]] = deque()
        self.journal = Journal()
        self.requests = self.throttled = self.succeeded = self.failed = self.done = 0

    def record(self, outcome: VmOutcome[R], *, journal: bool) -> None:
        """``outcome`` has ended; ``journal``: a resumed run must not repeat it."""
        self.done += 1
        if outcome.status is OutcomeStatus.SUCCEEDED:
            self.succeeded += 1
        elif outcome.status is OutcomeStatus.FAILED:
            self.failed += 1
        if journal and outcome.status is not OutcomeStatus.UNFINISHED:
            self.journal.ended(
                outcome.target.casefold(), outcome.status, outcome.code, outcome.message
            )
        self.outcomes.append(outcome)

    def ended_early(self, target: str, token: str | None) -> None:
        """The run ended first: ``target`` was in flight (with its operation's ``token``),
        or not started; a resumed run takes it up."""
        if token is None:
            outcome: VmOutcome[R] = VmOutcome(
                target, OutcomeStatus.SKIPPED, code="NotStarted", message="the run ended first"
            )
        else:
            outcome = VmOutcome(
                target,
                OutcomeStatus.UNFINISHED,
                code="Unfinished",
                message=UNFINISHED,
                continuation_token=token,
            )
        self.record(outcome, journal=False)
