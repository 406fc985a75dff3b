"""The platform's availability-first orchestration of AutomaticByPlatform VMs, on virtual time.

Enablement and periodic assessments run in each VM's off-peak window
(R16 to R21); a monthly rollout goes phase by phase through the regions and,
inside a region, one zone, one update domain and one batch at a time
(R40 to R55). Everything it does lands in the VMs' records, so clients read
it through the instance view, and in the timeline. One class per concern,
composed here: ``_cadence``, ``_assessments``, ``_monthly``, ``_runs``, ``_retries``,
``_holds``.
"""

from __future__ import annotations

from ._assessments import Assessments
from ._cadence import Cadence
from ._holds import Hold, Holds
from ._monthly import MonthlyRollout
from ._retries import Retries
from ._runs import InstallRuns

__all__ = ["Hold", "Orchestrator"]


class Orchestrator(Cadence, Assessments, MonthlyRollout, InstallRuns, Retries, Holds):
    """The platform of one world: the world tells it when a VM's patch mode or placement
    changes (``World.platform``)."""

    def request_throttled(self, method: str, path: str, refused_by: str, retry_after: int) -> None:
        """ARM or Compute answered a request 429: the timeline shows what a script cost."""
        self.timeline.add(
            self._now(),
            "request_throttled",
            method=method,
            path=path,
            refused_by=refused_by,
            retry_after=retry_after,
        )
