"""What a fleet run reports: one outcome per VM as it finishes, and its progress so far."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Generic, TypeVar

import attrs

__all__ = ["FleetProgress", "FleetProgressCallback", "OutcomeStatus", "VmOutcome"]

R = TypeVar("R")


class OutcomeStatus(str, enum.Enum):
    """How a target ended in a run."""

    SUCCEEDED = "succeeded"
    """The operation ran and its result says it succeeded (or completed with warnings)."""
    FAILED = "failed"
    """ARM refused it, the operation failed, or a request failed past its retries."""
    REFUSED = "refused"
    """The patch-mode rules refused the change before anything was written."""
    SKIPPED = "skipped"
    """Nothing was needed, or the run ended before the target was started."""
    UNFINISHED = "unfinished"
    """Started, not known to have ended: the deadline came first, or an installation may
    have reached Azure before the run was stopped. Resume from the checkpoint to see it end."""


@attrs.frozen
class VmOutcome(Generic[R]):
    """How one target ended: a VM, or a group or subscription whose listing failed.

    ``result`` is the operation's parsed result (``None`` when there is none,
    or when the outcome was read back from a checkpoint); ``code`` and
    ``message`` are ARM's error or the reason for a refusal or a skip.
    """

    target: str
    status: OutcomeStatus
    result: R | None = attrs.field(default=None, repr=False)
    code: str | None = None
    message: str | None = None
    continuation_token: str | None = attrs.field(default=None, repr=False)
    from_checkpoint: bool = False

    @property
    def ok(self) -> bool:
        """Succeeded, or skipped because nothing was needed."""
        return self.status in (OutcomeStatus.SUCCEEDED, OutcomeStatus.SKIPPED)


@attrs.frozen
class FleetProgress:
    """Where a run stands, reported after each outcome.

    ``total`` counts the targets known so far (groups and subscriptions add
    their VMs when listed); ``budget_left`` is the smallest fraction left of
    any request budget the run is pacing itself by (1.0: untouched).
    """

    total: int
    done: int
    succeeded: int
    failed: int
    in_flight: int
    requests: int
    throttled: int
    elapsed: float
    budget_left: float


FleetProgressCallback = Callable[[FleetProgress], None]
