"""The platform's availability-first orchestration of AutomaticByPlatform VMs, on virtual time.

Enablement and periodic assessments run in each VM's off-peak window
(R16 to R21); a monthly rollout goes phase by phase through the regions and,
inside a region, one zone, one update domain and one batch at a time
(R40 to R55). Everything it does lands in the VMs' records, so clients read
it through the instance view, and in the timeline.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import attrs

from .._world._catalog import release_after
from .._world._images import is_hotpatchable, is_supported
from .._world._off_peak import OffPeakHours, local_iso, resolve_time_zone, utc_iso
from .._world._records import AssessmentRecord, InstallationRecord, Patch, VmRecord
from .._world._regions import conflicts, region
from ._install_run import AUTOMATIC_CLASSIFICATIONS, RunPlan, plan_run
from ._members import Group, Member, RegionState, WindowGroup
from ._phases import plan_phases
from ._rollout import Rollout
from ._timeline import Timeline

if TYPE_CHECKING:
    from .._app import FakeAzure

__all__ = ["Hold", "Orchestrator"]

ABP = "AutomaticByPlatform"
_LINUX_AGENT_MINIMUM = (2, 2, 53, 1)  # R10
_DUE_SLACK = 2 * 3600.0  # a daily window may move by an hour with daylight saving


@attrs.frozen
class Hold:
    """Why a VM is not being patched right now: the rule, and the reason in words."""

    rule: str
    reason: str


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def _agent_ok(vm: VmRecord) -> bool:
    if not vm.provision_vm_agent or vm.agent_broken:
        return False
    if vm.os_type == "Windows":
        return True  # Q23: no documented minimum
    try:
        version = tuple(int(part) for part in vm.agent_version.split("."))
    except ValueError:
        return False
    return version >= _LINUX_AGENT_MINIMUM


def _patches(patches: tuple[Patch, ...], state: str) -> tuple[tuple[str, str, str], ...]:
    return tuple((p.name, p.classification, state) for p in patches)


class Orchestrator:
    """One per world; ``FakeAzure`` tells it when a VM's patch mode or placement changes."""

    def __init__(self, fake: FakeAzure) -> None:
        self.fake = fake
        self.policy = fake.policy
        self.timeline = Timeline()
        self.rollout: Rollout | None = None
        self._members: dict[str, Member] = {}
        self._windows: dict[tuple[str, OffPeakHours], WindowGroup] = {}
        self._regions: dict[str, RegionState] = {}
        self._buckets: dict[float, tuple[list[Callable[[Any, float], None]], list[Any]]] = {}
        # One bound method each, not one per use: millions of them would wait in the heap.
        self._on_assessed = self._assessed
        self._on_enabled = self._enabled
        self._on_paused = self._paused
        self._patch_lists: dict[tuple[str, ...], tuple[Patch, ...]] = {}
        self._started = False
        self._seed = fake.seed

    # -- time ----------------------------------------------------------------------------

    def _now(self) -> float:
        return self.fake.clock.time()

    def _at(self, when: float, action: Callable[[Any, float], None], subject: Any) -> None:
        """Run ``action(subject, when)`` at ``when``; one clock event per distinct moment.

        Two parallel lists per moment, not a pair per call: pairs that wait minutes of
        virtual time would reach the garbage collector's oldest generation by millions.
        """
        bucket = self._buckets.get(when)
        if bucket is None:
            bucket = self._buckets[when] = ([], [])
            self.fake.clock.call_at_epoch(when, lambda: self._run_bucket(when))
        bucket[0].append(action)
        bucket[1].append(subject)

    def _run_bucket(self, when: float) -> None:
        actions, subjects = self._buckets.pop(when)
        for action, subject in zip(actions, subjects, strict=True):
            action(subject, when)

    # -- which VMs take part ---------------------------------------------------------------

    def track(self, vm: VmRecord, *, enabled: bool) -> None:
        """``vm``'s patch mode may have changed; ``enabled`` means it is Ready already."""
        member = self._members.get(vm.vm_id)
        if vm.patch_settings.patch_mode != ABP:
            if member is not None and member.active:
                member.active = False
                self._leave(member)
            return
        now = self._now()
        if member is None or not member.active:
            member = self._join(vm, member, now)
        member.enable_step_at = -1.0  # an enablement step already scheduled no longer counts
        self._drop_from_gate(member, now)
        if enabled:
            member.enable_left = 0.0
            vm.patch_mode_ready = True
            return
        vm.patch_mode_ready = False
        member.enable_left = self.policy.enablement_work.total_seconds()
        if now < member.window.open_until:
            self._enable(member, now)

    def members(self) -> list[Member]:
        """The VMs in AutomaticByPlatform mode."""
        return [m for m in self._members.values() if m.active]

    def placement_changed(self, vm: VmRecord) -> None:
        """Its set, zone or time zone changed: regroup it, move it to its new window."""
        member = self._members.get(vm.vm_id)
        if member is None or not member.active:
            return
        window = self._window_for(vm, member.location, self._now())
        if window is not member.window:
            if member in member.window.members:
                member.window.members.remove(member)
            member.window, member.zone_info = window, window.zone_info
            window.members.append(member)
            member.listed = True
        if member.placement_changed():
            self._leave(member)
            member.refresh_placement()
            self._group(member)

    def _window_for(self, vm: VmRecord, location: str, now: float) -> WindowGroup:
        zone_name = vm.time_zone or region(location).time_zone
        hours = self.policy.hours_for(location)
        key = (zone_name, hours)
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = WindowGroup(resolve_time_zone(zone_name), hours)
            self._open_window_group(window, now)
        return window

    def _join(self, vm: VmRecord, member: Member | None, now: float) -> Member:
        location = region(vm.location).name
        window = self._window_for(vm, location, now)
        if member is None or member.window is not window:
            member = Member(vm, window, location)
            self._members[vm.vm_id] = member
        member.active = True
        member.refresh_placement()
        if not member.listed:
            window.members.append(member)
            member.listed = True
        self._group(member)
        if not self._started:
            self._started = True
            self._schedule_rollout(now)
        return member

    def _group(self, member: Member) -> None:
        state = self._region(member.location)
        if member.availability_set:
            key: tuple[str, ...] = ("set", member.availability_set.casefold())
        else:
            key = ("subscription", member.subscription.casefold(), member.zone or "")
        group = state.groups.get(key)
        if group is None:
            group = state.groups[key] = Group(key, member.zone)
        group.members.append(member)
        member.group = group
        if self.rollout is not None and member.done_rollout != self.rollout.rollout_id:
            group.enqueue(member)

    def _leave(self, member: Member) -> None:
        group = member.group  # kept on the member: a run in progress releases through it
        if group is not None and member in group.members:
            group.members.remove(member)
            for queue in group.queues.values():
                if member in queue:
                    queue.remove(member)
        self._drop_from_gate(member, self._now())

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
            and not vm.patch_settings.bypass_platform_safety_checks_on_user_schedule  # R55
        )

    # -- off-peak windows: enablement and periodic assessment (R16 to R21) ------------------

    def _open_window_group(self, window: WindowGroup, now: float) -> None:
        start, end = window.hours.window(window.zone_info, now)
        if start <= now:
            window.open_until = end
            start = window.hours.window(window.zone_info, end)[0]
        self.fake.clock.call_at_epoch(start, lambda: self._window_opens(window, start))

    def _window_opens(self, window: WindowGroup, now: float) -> None:
        end = window.hours.window(window.zone_info, now)[1]
        window.open_until = end
        following = window.hours.window(window.zone_info, end)[0]
        self.fake.clock.call_at_epoch(following, lambda: self._window_opens(window, following))
        kept = []
        regions = set()
        for member in window.members:
            if not member.active:
                member.listed = False
                continue
            kept.append(member)
            regions.add(member.location)
            self._member_window_opens(member, now)
        window.members = kept
        for location in sorted(regions):
            self._try_start(self._region(location), now)
        self._check_gate(now)

    def _member_window_opens(self, member: Member, now: float) -> None:
        vm = member.vm
        rollout = self.rollout
        if rollout is not None and member in rollout.gate and not self._eligible(member):
            rollout.gate.discard(member)  # R54: it neither blocks nor advances the phase
        if vm.power_state != "running":  # R21: nothing happens to a VM that is off
            return
        if not vm.patch_mode_ready:
            if member.enable_left > 0:
                self._enable(member, now)
            return
        every = (
            self.policy.platform_assessment_every
            if vm.patch_settings.assessment_mode == ABP
            else self.policy.assessment_every
        ).total_seconds()
        since = now - member.last_assessed
        if not member.busy and since >= max(every - _DUE_SLACK, self._min_gap()):
            self._assess(member, now)

    def _min_gap(self) -> float:
        return self.policy.assessment_min_gap.total_seconds()

    def _enable(self, member: Member, now: float) -> None:
        """R16: enablement works only off-peak and resumes in the next window."""
        vm = member.vm
        if not _agent_ok(vm) or not vm.image.publisher:  # R10, Q5: never Ready
            return
        if vm.power_state != "running":
            return  # R21: it resumes in a window after the VM starts
        resumed = member.enable_left < self.policy.enablement_work.total_seconds()
        self.timeline.add(now, "enablement_started", member, resumed=resumed)
        left = member.window.open_until - now
        if member.enable_left <= left:
            member.enable_step_at = now + member.enable_left
            self._at(member.enable_step_at, self._on_enabled, member)
        else:
            member.enable_left -= left
            member.enable_step_at = member.window.open_until
            self._at(member.enable_step_at, self._on_paused, member)

    def _paused(self, member: Member, now: float) -> None:
        if member.enable_step_at == now and member.active:  # else switched again since
            member.enable_step_at = -1.0
            self.timeline.add(now, "enablement_paused", member)

    def _enabled(self, member: Member, now: float) -> None:
        if member.enable_step_at != now or not member.active:
            return
        member.enable_step_at = -1.0
        member.enable_left = 0.0
        member.vm.patch_mode_ready = True
        self.timeline.add(now, "enablement_finished", member)
        self._assess(member, now)  # R17, R18: the platform assesses at once

    def _assess(self, member: Member, now: float) -> None:
        vm = member.vm
        member.last_assessed = now
        record = vm.assessment
        if record is None or record.started_by != "Platform":
            record = vm.assessment = AssessmentRecord("", "", _moment(now), started_by="Platform")
        # Updated in place: a month of 100,000 VMs would otherwise churn millions of records.
        record.status = "InProgress"
        record.activity_id = self.fake.new_id()
        record.started = _moment(now)
        record.finished = None
        self.timeline.add(now, "assessment_started", member)
        self._at(now + self.fake.assessment_duration.total_seconds(), self._on_assessed, member)

    def _assessed(self, member: Member, now: float) -> None:
        record = member.vm.assessment
        if record is None or record.status != "InProgress" or record.started_by != "Platform":
            return  # replaced by a user's assessment
        self._fill_assessment(member, record, now)
        self.timeline.add(
            now,
            "assessment_finished",
            member,
            critical_and_security=record.critical_and_security,
            other=record.other,
        )

    def _fill_assessment(self, member: Member, record: AssessmentRecord, now: float) -> None:
        vm = member.vm
        published = self.fake.catalog.published(vm.os_type, _moment(now))
        key = (
            vm.os_type,
            len(published),
            published[-1].patch_id if published else "",
            len(vm.installed_patch_ids),
        )
        if member.available_key != key:
            fresh = self._shared(p for p in published if p.patch_id not in vm.installed_patch_ids)
            member.available_key = key
            member.available = fresh
            member.critical = sum(p.classification in AUTOMATIC_CLASSIFICATIONS for p in fresh)
        available, critical = member.available, member.critical
        record.status = "Succeeded"
        record.finished = _moment(now)
        record.patches = available
        record.critical_and_security = critical
        record.other = len(available) - critical

    def _shared(self, patches: Iterable[Patch]) -> tuple[Patch, ...]:
        """One tuple for each distinct list of patches: thousands of VMs in one state share
        it, instead of each keeping a copy for the garbage collector to walk."""
        found = tuple(patches)
        return self._patch_lists.setdefault(tuple(p.patch_id for p in found), found)

    def user_assessed(self, vm: VmRecord) -> None:
        member = self._members.get(vm.vm_id)
        if member is not None:
            member.last_assessed = self._now()

    # -- the monthly rollout (R40 to R44) ----------------------------------------------------

    def _schedule_rollout(self, now: float) -> None:
        when = release_after(_moment(now)).timestamp()
        self.fake.clock.call_at_epoch(when, lambda: self._start_rollout(when))

    def _start_rollout(self, now: float) -> None:
        self._schedule_rollout(now)
        if self.rollout is not None and not self.rollout.ended:
            self._end_rollout(self.rollout, now, "Q19: the next monthly release began")
        counts: dict[str, int] = {}
        for location, state in self._regions.items():
            counts[location] = sum(g.size for g in state.groups.values())
        phases = list(self.policy.phase_plan or plan_phases(counts))
        moment = _moment(now)
        rollout_id = f"{moment.year}-{moment.month:02d}"
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
        self.fake.clock.call_at_epoch(
            deadline, lambda: self._end_rollout(rollout, deadline, "R28: 30 days after the release")
        )
        self._start_phase(rollout, 0, now)

    def _shuffle(self, state: RegionState, rollout_id: str) -> None:
        """R53: the batch a VM falls into is seeded by (seed, rollout, region)."""
        rng = random.Random(f"{self._seed}:{rollout_id}:{state.name}")
        for key in sorted(state.groups):
            group = state.groups[key]
            group.queues = {}
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

    def _start_phase(self, rollout: Rollout, index: int, now: float) -> None:
        if rollout.ended or rollout.halted:
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
        self.timeline.add(
            now,
            "gate_decision",
            rollout=rollout.rollout_id,
            phase=index + 1,
            decision="advance",
            reason="every eligible VM updated and stayed healthy",
        )
        last = index + 1 >= len(rollout.phases)
        when = now if last else now + self.policy.phase_bake.total_seconds()
        if when == now:
            self._start_phase(rollout, index + 1, now)
        elif when < rollout.deadline:
            self.fake.clock.call_at_epoch(when, lambda: self._start_phase(rollout, index + 1, when))

    # -- batches and install runs (R26 to R36, R45 to R50) -----------------------------------

    def _startable(self, member: Member, rollout: Rollout, now: float) -> bool:
        vm = member.vm
        return (
            member.active
            and not member.busy
            and member.done_rollout != rollout.rollout_id
            and vm.power_state == "running"
            and vm.patch_mode_ready
            and now >= member.not_before
            and now + self.fake.assessment_duration.total_seconds() < member.window.open_until
            and self._schedulable(vm)
        )

    def _try_start(self, state: RegionState, now: float, only: Group | None = None) -> None:
        """Start what may start in the region; ``only`` when nothing but that group changed."""
        rollout = self.rollout
        if rollout is None or not rollout.allows(state.name, now):
            return
        if any(self._regions[p].busy for p in state.conflicts if p in self._regions):
            return  # R42
        zone_fixed, zone = state.busy_zone()
        started: list[Member] = []
        for group in (only,) if only is not None else state.groups.values():
            if zone_fixed and group.zone != zone:
                continue  # R45: one zone at a time
            if self._fill(group, rollout, now, started):
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

    def _fill(self, group: Group, rollout: Rollout, now: float, started: list[Member]) -> int:
        """Start what the group's caps allow: R46 (subscriptions), R47 to R50 (sets)."""
        if group.is_set:
            cap = self.policy.set_cap(group.size)
            if group.busy:
                uds = [group.active_ud]
            elif now < group.bake_until:
                uds = [group.last_ud]  # R50: another update domain waits for the bake
            else:
                uds = list(group.queues)
        else:
            cap = self.policy.batch_cap(group.size)
            uds = [-1]
        room = cap - group.busy
        count = 0
        for ud in uds:
            queue = group.queues.get(ud if ud is not None else -1)
            if not queue or room <= 0:
                continue
            kept: list[Member] = []
            for index, member in enumerate(queue):
                if member.done_rollout == rollout.rollout_id or not member.active:
                    continue
                if not self._startable(member, rollout, now):
                    kept.append(member)
                    continue
                started.append(member)
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
        fake = self.fake
        per_patch = (vm.install_time_per_patch or fake.install_time_per_patch).total_seconds()
        plan = plan_run(
            start=now,
            os_type=vm.os_type,
            available=self._as_hotpatches(vm, fake.available_patches(vm)),
            reboot_setting=vm.patch_settings.reboot_setting or "IfRequired",
            reboot_pending=bool(vm.assessment and vm.assessment.reboot_pending),
            assessment=fake.assessment_duration.total_seconds(),
            overhead=fake.install_overhead.total_seconds(),
            per_patch=per_patch,
            run_duration=self.policy.run_duration.total_seconds(),
            reboot_duration=self.policy.reboot_duration.total_seconds(),
            health_wait=self.policy.health_wait.total_seconds(),
            fail_installs=vm.fail_installs,
            fail_reboots=vm.fail_reboots,
        )
        plan = attrs.evolve(  # the run keeps its lists for hours: share them (see _shared)
            plan,
            installed=self._shared(plan.installed),
            failed=self._shared(plan.failed),
            pending=self._shared(plan.pending),
            not_selected=self._shared(plan.not_selected),
        )
        if member.last_assessed != now:  # Q15: one assessment right before the install
            self._assess(member, now)
        run = _Run(member, plan, rollout, phase, fake.new_id())
        self._at(plan.install_start, self._advance_run, run)

    def _advance_run(self, run: _Run, now: float) -> None:
        run.advance(self, now)

    def _reboot_finished(self, run: _Run, now: float) -> None:
        run.reboot_finished(self, now)

    def _as_hotpatches(self, vm: VmRecord, available: list[Patch]) -> list[Patch]:
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

    def _release(self, member: Member, run: _Run, now: float, healthy: bool) -> None:
        member.busy = False
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
        plan = run.plan
        if plan.pending or plan.failed:
            member.not_before = max(member.window.open_until, now)  # R33: the next window
            if group is not None:
                group.enqueue(member)
        else:
            member.done_rollout = rollout.rollout_id
        if rollout is self.rollout and not rollout.ended:
            if healthy:
                rollout.gate.discard(member)
            else:
                self._unhealthy(rollout, member, run.phase, now)
        # Only this VM's group gained room, unless the region (and so its zones) fell idle.
        self._try_start(state, now, only=group if state.busy and group is not None else None)
        if not state.busy:
            for partner in sorted(state.conflicts):
                if partner in self._regions:
                    self._try_start(self._regions[partner], now)
        self._check_gate(now)

    def _bake_over(self, member: Member, now: float) -> None:
        """R50: the set may take its next update domain; nothing else changed."""
        if member.group is not None:
            self._try_start(self._region(member.location), now, only=member.group)

    def _unhealthy(self, rollout: Rollout, member: Member, phase: int, now: float) -> None:
        """R44: an unhealthy VM after its update stops the rollout at its phase."""
        rollout.unhealthy.append(member)
        if rollout.halted or len(rollout.unhealthy) <= self.policy.phase_unhealthy_tolerance:
            return
        rollout.halted = True
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

    # -- explanations ----------------------------------------------------------------------

    def why_not_patched(self, vm: VmRecord) -> Hold:
        """The rule holding ``vm`` back now (the platform gives no such answer)."""
        now = self._now()
        member = self._members.get(vm.vm_id)
        mode = vm.patch_settings.patch_mode or "the default"
        if member is None or not member.active:
            return Hold("R3", f"patchMode is {mode}; only AutomaticByPlatform VMs are orchestrated")
        if vm.patch_settings.bypass_platform_safety_checks_on_user_schedule:
            return Hold(
                "R55",
                "bypassPlatformSafetyChecksOnUserSchedule is set: only a user schedule patches it",
            )
        if not vm.image.publisher:
            return Hold("Q5", "custom and gallery images are accepted but never autopatched")
        if not is_supported(vm.image):
            return Hold("R9", "the image is not in the supported-image table")
        if not vm.patch_mode_ready:
            if not _agent_ok(vm):
                return Hold(
                    "R10",
                    "the VM agent does not meet the prerequisites, so enablement never completes",
                )
            return Hold("R16", "enablement has not finished (PatchModeConfigurationState/Pending)")
        if vm.power_state != "running":
            return Hold("R21", f"the VM is {vm.power_state}; it is caught up after it starts")
        rollout = self.rollout
        if rollout is None or rollout.ended:
            return Hold("R40", "no rollout in progress; the next starts at the monthly release")
        if member.done_rollout == rollout.rollout_id:
            return Hold("R28", f"already patched in rollout {rollout.rollout_id}")
        if member.busy:
            return Hold("R32", "in install now (a run is never cut short)")
        if rollout.halted:
            culprit = rollout.unhealthy[-1].resource_id
            return Hold("R44", f"rollout {rollout.rollout_id} halted: {culprit} is unhealthy")
        if now >= rollout.deadline:
            return Hold("R28", "the rollout's 30 days are over; the next release catches it up")
        index = rollout.phase_index(member.location)
        if index > rollout.phase:
            waiting = rollout.waiting_on()
            detail = f", waiting on {waiting.resource_id}" if waiting else ", baking"
            return Hold(
                "R41",
                f"its region is in phase {index + 1};"
                f" phase {rollout.phase + 1} is in progress{detail}",
            )
        if now < member.not_before:
            return Hold("R33", "pending and failed patches are retried in the next off-peak window")
        if now + self.fake.assessment_duration.total_seconds() >= member.window.open_until:
            start = member.window.hours.window(member.zone_info, now)[0]
            return Hold(
                "R27",
                f"not in off-peak hours ({member.window.hours.describe()} local);"
                f" next window at {local_iso(start, member.zone_info)}",
            )
        state = self._region(member.location)
        for partner in sorted(state.conflicts):
            if partner in self._regions and self._regions[partner].busy:
                return Hold("R42", f"paired region {partner} is installing")
        zone_fixed, zone = state.busy_zone()
        if zone_fixed and zone != member.zone:
            return Hold("R45", f"zone {zone or 'none'} of {state.name} is installing")
        group = member.group
        if group is not None and group.is_set:
            if group.busy and group.active_ud != member.update_domain:
                return Hold(
                    "R48", f"update domain {group.active_ud} of its availability set is installing"
                )
            if group.busy >= self.policy.set_cap(group.size):
                return Hold("R49", "its availability set's share of VMs in install is full")
            if not group.busy and now < group.bake_until and group.last_ud != member.update_domain:
                return Hold("R50", f"update domain {group.last_ud} is baking")
        elif group is not None and group.busy >= self.policy.batch_cap(group.size):
            return Hold("R46", "its subscription's batch in this region and zone is full")
        return Hold("R53", "eligible; it joins the next batch")


class _Run:
    """One install run being replayed on the clock, one step per moment of its plan."""

    __slots__ = ("activity_id", "member", "phase", "plan", "rollout", "step")

    def __init__(
        self, member: Member, plan: RunPlan, rollout: Rollout, phase: int, activity_id: str
    ) -> None:
        self.member = member
        self.plan = plan
        self.rollout = rollout
        self.phase = phase
        self.activity_id = activity_id
        self.step = 0

    def advance(self, orchestrator: Orchestrator, now: float) -> None:
        """Take the next step; each schedules the one after it."""
        steps = (self._install_started, self._install_finished, self._verdict)
        steps[self.step](orchestrator, now)
        self.step += 1

    def _detail(self) -> dict[str, Any]:
        return {"rollout": self.rollout.rollout_id, "phase": self.phase}

    def _install_started(self, orchestrator: Orchestrator, now: float) -> None:
        plan, member = self.plan, self.member
        vm = member.vm
        if vm.assessment is not None and vm.assessment.status == "InProgress":
            orchestrator._assessed(member, now)
        vm.installation = InstallationRecord(
            "InProgress",
            self.activity_id,
            _moment(now),
            pending=orchestrator._shared(plan.installed + plan.failed + plan.pending),
            not_selected=plan.not_selected,
            started_by="Platform",
        )
        group = member.group
        orchestrator.timeline.add(
            now,
            "install_started",
            member,
            selected=len(plan.installed) + len(plan.failed) + len(plan.pending),
            off_peak=member.window.hours.describe(),
            set_size=group.size if group and group.is_set else None,
            pool_size=group.size if group and not group.is_set else None,
            **self._detail(),
        )
        orchestrator._at(plan.install_end, orchestrator._advance_run, self)

    def _install_finished(self, orchestrator: Orchestrator, now: float) -> None:
        plan, member = self.plan, self.member
        vm = member.vm
        vm.installed_patch_ids.update(p.patch_id for p in plan.installed)
        record = vm.installation
        if record is not None and record.activity_id == self.activity_id:
            record.status = plan.status
            record.finished = _moment(now)
            record.reboot_status = "Started" if plan.reboot_end is not None else plan.reboot_status
            record.maintenance_window_exceeded = plan.window_exceeded
            record.installed, record.failed = plan.installed, plan.failed
            record.pending, record.not_selected = plan.pending, plan.not_selected
        if vm.assessment is not None:  # the agent's post-install assessment
            orchestrator._fill_assessment(member, vm.assessment, now)
            vm.assessment.reboot_pending = plan.reboot_status == "Required"
        orchestrator.timeline.add(
            now,
            "install_finished",
            member,
            status=plan.status,
            maintenance_window_exceeded=plan.window_exceeded,
            patches=_patches(plan.installed, "Installed")
            + _patches(plan.failed, "Failed")
            + _patches(plan.pending, "Pending")
            + _patches(plan.not_selected, "NotSelected"),
            **self._detail(),
        )
        if plan.reboot_end is not None:
            orchestrator.timeline.add(now, "reboot_started", member, **self._detail())
            orchestrator._at(plan.reboot_end, orchestrator._reboot_finished, self)
        orchestrator._at(plan.verdict_at, orchestrator._advance_run, self)

    def reboot_finished(self, orchestrator: Orchestrator, now: float) -> None:
        record = self.member.vm.installation
        if record is not None and record.activity_id == self.activity_id:
            record.reboot_status = self.plan.reboot_status
        orchestrator.timeline.add(
            now, "reboot_finished", self.member, status=self.plan.reboot_status, **self._detail()
        )

    def _verdict(self, orchestrator: Orchestrator, now: float) -> None:
        member = self.member
        vm = member.vm
        if vm.unhealthy_after_patching:
            vm.healthy = False
        orchestrator.timeline.add(
            now, "health_verdict", member, healthy=vm.healthy, **self._detail()
        )
        orchestrator._release(member, self, now, vm.healthy)
