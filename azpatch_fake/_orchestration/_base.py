"""What every concern of the orchestration shares: the world, the policy, the members, the
regions, the current rollout, the timeline, and events on the virtual clock.

The orchestrator is one object built from one class per concern (``_cadence``,
``_assessments``, ``_monthly``, ``_runs``, ``_retries``, ``_holds``) and the install runs
of ``_run_steps``; this base holds their common state and names what they ask of each
other.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .._world._images import is_supported
from .._world._off_peak import OffPeakHours
from .._world._records import AssessmentRecord, Patch, VmRecord
from .._world._regions import conflicts
from ._install_run import RunPlan
from ._members import Group, Member, RegionState, WindowGroup
from ._rollout import Rollout
from ._scheduler import EventScheduler
from ._timeline import Timeline

if TYPE_CHECKING:
    from .._world._world import World

__all__ = ["ABP", "OrchestratorBase", "agent_ok", "moment"]

ABP = "AutomaticByPlatform"
LINUX_AGENT_MINIMUM = (2, 2, 53, 1)  # R10
_DUE_SLACK = 2 * 3600.0


def moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def agent_ok(vm: VmRecord) -> bool:
    if not vm.provision_vm_agent or vm.agent_broken:
        return False
    if vm.os_type == "Windows":
        return True  # Q23: no documented minimum
    try:
        version = tuple(int(part) for part in vm.agent_version.split("."))
    except ValueError:
        return False
    return version >= LINUX_AGENT_MINIMUM


class OrchestratorBase:
    """The state the concerns share; ``_at`` schedules their events on the clock."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.policy = world.policy
        self.timeline = Timeline()
        self.rollout: Rollout | None = None
        self._members: dict[str, Member] = {}
        self._windows: dict[tuple[str, OffPeakHours], WindowGroup] = {}
        self._regions: dict[str, RegionState] = {}
        self._events = EventScheduler(world.clock)
        self._at = self._events.at
        # One bound method each, not one per use: millions of them would wait in the heap.
        self._on_assessed_all = self._assessed_all
        self._on_enabled = self._enabled
        self._on_paused = self._paused
        self._patch_lists: dict[tuple[int, ...], tuple[Patch, ...]] = {}  # by identity
        self._outcomes: dict[tuple[int, int, int, int], tuple[tuple[str, str, str], ...]] = {}
        self._started = False
        self._seed = world.seed
        self._moment = (math.nan, moment(0.0))  # the last instant turned into a datetime
        self._published: dict[tuple[str, int], list[Patch]] = {}  # at the last instant:
        self._published_at = math.nan
        policy = self.policy
        self._min_gap = policy.assessment_min_gap.total_seconds()
        # R19, R20: an assessment is due this long after the last; a daily window may move
        # by an hour with daylight saving.
        self._gap_abp = max(
            policy.platform_assessment_every.total_seconds() - _DUE_SLACK, self._min_gap
        )
        self._gap = max(policy.assessment_every.total_seconds() - _DUE_SLACK, self._min_gap)

    def _now(self) -> float:
        return self.world.clock.time()

    def _when(self, now: float) -> datetime:
        """``moment(now)``, made once for the thousands of records stamped at one instant."""
        last, made = self._moment
        if last != now:
            made = moment(now)
            self._moment = (now, made)
        return made

    def _catalog(self, os_type: str, now: float) -> list[Patch]:
        """The catalog at ``now``, asked once per instant and OS family."""
        key = (os_type, self.world.catalog.version)
        if self._published_at != now:
            self._published_at = now
            self._published.clear()  # only this instant's answers are kept
        found = self._published.get(key)
        if found is None:
            found = self._published[key] = self.world.catalog.published(os_type, self._when(now))
        return found

    def _enablement_for(self, vm: VmRecord) -> float:
        """R16: seconds of off-peak work this VM's enablement takes, the same for one seed
        and VM (``enablement_work`` ± ``enablement_spread``)."""
        work = self.policy.enablement_work.total_seconds()
        spread = self.policy.enablement_spread.total_seconds()
        if not spread:
            return work
        share = zlib.crc32(f"{self._seed}:{vm.vm_id}".encode()) / 0xFFFFFFFF
        # Whole minutes: VMs finishing together share one moment on the clock.
        return max(60.0, round((work - spread + 2 * spread * share) / 60) * 60.0)

    def _region(self, location: str) -> RegionState:
        state = self._regions.get(location)
        if state is None:
            state = self._regions[location] = RegionState(location, conflicts(location))
        return state

    def _eligible(self, member: Member) -> bool:
        """R54, Q7: what a phase gate waits for."""
        vm = member.vm
        return (
            member.active
            and vm.patch_mode_ready
            and vm.power_state == "running"
            and self._schedulable(vm)
        )

    @staticmethod
    def _schedulable(vm: VmRecord) -> bool:
        return (
            bool(vm.image.publisher)  # Q5: custom images are never autopatched
            and is_supported(vm.image)
            and vm.healthy  # Q25: unhealthy after its last update, until healthy again
            and not vm.patch_settings.bypass_platform_safety_checks_on_user_schedule  # R55
        )

    def _run_fits(self, member: Member, now: float) -> bool:
        """R27: a run starting now would finish its assessment and set-up inside the window."""
        return member.window.open_until > self._runs_fit_before(now)

    def _runs_fit_before(self, now: float) -> float:
        """R27: a run starting now fits in a window that stays open past this moment; loops
        over thousands of queued VMs compare it with ``member.window.open_until`` first."""
        world = self.world
        lead = world.assessment_duration.total_seconds() + world.install_overhead.total_seconds()
        return now + lead

    def _shared(self, patches: Iterable[Patch]) -> tuple[Patch, ...]:
        """One tuple for each distinct list of patches: thousands of VMs in one state share
        it, instead of each keeping a copy for the garbage collector to walk."""
        found = tuple(patches)
        if not found:
            return ()
        return self._patch_lists.setdefault(tuple(map(id, found)), found)

    # -- what the concerns ask of each other (each is defined in one of them) ---------------

    def _due(self, member: Member, now: float) -> bool:
        raise NotImplementedError

    def _set_cadence(self, member: Member) -> None:
        raise NotImplementedError

    def track(self, vm: VmRecord, *, enabled: bool) -> None:
        raise NotImplementedError

    def _assess(self, member: Member, now: float) -> None:
        raise NotImplementedError

    def _assess_all(self, members: list[Member], now: float) -> None:
        raise NotImplementedError

    def _assessed(self, member: Member, now: float) -> None:
        raise NotImplementedError

    def _available(self, member: Member, now: float) -> tuple[Patch, ...]:
        raise NotImplementedError

    def _assessed_all(self, members: list[Member], now: float) -> None:
        raise NotImplementedError

    def _enabled(self, member: Member, now: float) -> None:
        raise NotImplementedError

    def _paused(self, member: Member, now: float) -> None:
        raise NotImplementedError

    def _fill_assessment(
        self,
        member: Member,
        record: AssessmentRecord,
        published: list[Patch],
        finished: datetime,
    ) -> tuple[int, int]:
        raise NotImplementedError

    def _schedule_rollout(self, now: float) -> None:
        raise NotImplementedError

    def _drop_from_gate(self, member: Member, now: float) -> None:
        raise NotImplementedError

    def _check_gate(self, now: float) -> None:
        raise NotImplementedError

    def _unhealthy(self, rollout: Rollout, member: Member, phase: int, now: float) -> None:
        raise NotImplementedError

    def _try_start(
        self, state: RegionState, now: float, only: Sequence[Group] | None = None
    ) -> None:
        raise NotImplementedError

    def _interrupt_run(self, member: Member, now: float, reason: str | None = None) -> None:
        raise NotImplementedError

    def _member_window_opens(self, member: Member, now: float) -> bool:
        raise NotImplementedError

    def _first_attempts_wait(
        self, state: RegionState, rollout: Rollout, now: float, zone_fixed: bool, zone: str | None
    ) -> bool:
        raise NotImplementedError

    def _next_run(  # noqa: PLR0917
        self,
        member: Member,
        rollout: Rollout,
        plan: RunPlan,
        phase: int,
        now: float,
        healthy: bool | None,
    ) -> None:
        raise NotImplementedError

    def _startable(self, member: Member, rollout: Rollout, now: float) -> bool:
        raise NotImplementedError

    # An install run (``_run_steps.Run``) asks these of the orchestrator as it goes.

    def _advance_run(self, run: Any, now: float) -> None:
        raise NotImplementedError

    def _reboot_finished(self, run: Any, now: float) -> None:
        raise NotImplementedError

    def _release(self, member: Member, run: Any, now: float, healthy: bool | None) -> None:
        raise NotImplementedError

    def _outcome(self, plan: RunPlan) -> tuple[tuple[str, str, str], ...]:
        raise NotImplementedError
