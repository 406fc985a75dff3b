"""The orchestrator's knobs: every number the sources leave open, with its default.

Each default names the rule or open question it comes from
(orchestration rules, sections a and d). The platform exposes none of
these; the fake lets a test change them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

import attrs

from ._off_peak import OffPeakHours

__all__ = ["OrchestrationPolicy"]


def _frozen_mapping(value: Mapping[str, OffPeakHours]) -> Mapping[str, OffPeakHours]:
    return {key.replace(" ", "").casefold(): hours for key, hours in value.items()}


def _phases(value: Sequence[Sequence[str]] | None) -> tuple[tuple[str, ...], ...] | None:
    if value is None:
        return None
    return tuple(tuple(r.replace(" ", "").casefold() for r in phase) for phase in value)


@attrs.frozen(kw_only=True)
class OrchestrationPolicy:
    """How the fake platform schedules AutomaticByPlatform VMs (R16 to R55)."""

    off_peak: OffPeakHours = attrs.Factory(OffPeakHours)  # Q1
    region_off_peak: Mapping[str, OffPeakHours] = attrs.field(
        factory=dict, converter=_frozen_mapping
    )  # Q1: configurable per region
    enablement_work: timedelta = timedelta(hours=3)  # R16: "can take more than three hours"
    enablement_spread: timedelta = timedelta(hours=2)  # each VM's takes work ± this, seeded
    assessment_every: timedelta = timedelta(hours=72)  # R19, Q15: "every few days"
    platform_assessment_every: timedelta = timedelta(hours=24)  # R19: assessmentMode ABP
    assessment_min_gap: timedelta = timedelta(hours=6)  # R20
    run_duration: timedelta = timedelta(minutes=235)  # R29, Q16
    reboot_duration: timedelta = timedelta(minutes=5)
    health_wait: timedelta = timedelta(minutes=5)  # R44
    update_domain_bake: timedelta = timedelta(minutes=30)  # R50, Q14
    phase_bake: timedelta = timedelta(hours=24)  # R43
    rollout_days: int = 30  # R28
    batch_share: float = 0.2  # R46, R49, Q9, Q10
    small_set: int = 10  # R49: smaller sets go one VM at a time
    phase_unhealthy_tolerance: int = 0  # Q7
    halt_investigation: timedelta = timedelta(hours=72)  # Q24: a halt lifts after this
    failed_runs_per_rollout: int = 3  # Q26: a VM is given up for the month after these
    baseline_months: frozenset[int] = frozenset({1, 4, 7, 10})  # R39, Q21
    unplanned_baselines: frozenset[str] = frozenset()  # Q21: "YYYY-MM" of unplanned baselines
    phase_plan: tuple[tuple[str, ...], ...] | None = attrs.field(
        default=None, converter=_phases
    )  # Q6: None computes canary, pilot, then a colouring of the pair graph

    def is_hotpatch_month(self, year: int, month: int) -> bool:
        """R39: outside baseline months, security updates install without a reboot."""
        return month not in self.baseline_months and (
            f"{year}-{month:02d}" not in self.unplanned_baselines
        )

    def hours_for(self, location: str) -> OffPeakHours:
        """The off-peak hours of VMs in ``location`` (R17)."""
        return self.region_off_peak.get(location, self.off_peak)

    def set_cap(self, size: int) -> int:
        """R49, Q10: VMs of one availability set in install at once."""
        return 1 if size < self.small_set else max(1, int(self.batch_share * size))

    def batch_cap(self, size: int) -> int:
        """R46, Q9: VMs outside sets, per subscription, region and zone."""
        return max(1, int(self.batch_share * size))
