"""Enablement and the opening of each VM's off-peak window (R16 to R21), where its periodic
assessment falls due; which VMs take part, and how they are grouped for the rollout."""

from __future__ import annotations

from .._world._off_peak import resolve_time_zone
from .._world._records import VmRecord
from .._world._regions import region
from ._base import ABP, OrchestratorBase, agent_ok, moment
from ._members import Group, Member, WindowGroup

__all__ = ["Cadence"]


class Cadence(OrchestratorBase):
    """VMs joining and leaving, their windows opening, enablement."""

    def track(self, vm: VmRecord, *, enabled: bool) -> None:
        """``vm``'s patch mode may have changed; ``enabled`` means it is Ready already."""
        member = self._members.get(vm.vm_id)
        now = self._now()
        if vm.patch_settings.patch_mode != ABP:
            if member is not None and member.active:
                member.active = False
                self._leave(member)
            self._assess_only(vm, member, now)
            return
        if member is None or not member.active:
            member = self._join(vm, member, now)
        self._set_cadence(member)  # its modes may both have changed in one write
        member.enable_step_at = -1.0  # an enablement step already scheduled no longer counts
        member.changed()
        self._drop_from_gate(member, now)
        if enabled:
            member.enable_left = 0.0
            vm.patch_mode_ready = True
            return
        vm.patch_mode_ready = False
        member.enable_left = member.enable_work = self._enablement_for(vm)
        if now < member.window.open_until:
            self._enable(member, now)

    def _assess_only(self, vm: VmRecord, member: Member | None, now: float) -> None:
        """R11: ``assessmentMode`` AutomaticByPlatform in another patch mode: the platform
        assesses it every 24 h off-peak, and never patches it."""
        wanted = vm.patch_settings.assessment_mode == ABP and vm.provision_vm_agent
        if member is None:
            if not wanted:
                return
            location = region(vm.location).name
            window = self._window_for(vm, location, now)
            member = self._members[vm.vm_id] = Member(vm, window, location)
            member.active = False
        member.assess_only = wanted
        self._set_cadence(member)  # its modes may both have changed in one write
        if wanted and not member.listed:
            member.window.members.append(member)
            member.listed = True

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
            if member.group is not None:
                member.group.move_window(member, window)
            else:
                member.window, member.zone_info = window, window.zone_info
            window.members.append(member)
            member.listed = True
        if member.placement_changed():
            self._leave(member)
            member.refresh_placement()
            self._group(member)

    def _window_for(self, vm: VmRecord, location: str, now: float) -> WindowGroup:
        zone_name = vm.time_zone or "UTC"  # an Azure VM's clock keeps UTC unless set
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
            if member is not None:
                member.assess_only = False  # its old window forgets it
            member = Member(vm, window, location)
            self._members[vm.vm_id] = member
        member.active = True
        member.assess_only = False
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
            group = state.groups[key] = Group(key, member.zone, member.location, state.waiting)
        group.members.append(member)
        group.live = -1
        member.group = group
        if self.rollout is not None and member.done_rollout != self.rollout.rollout_id:
            group.enqueue(member)

    def _leave(self, member: Member) -> None:
        group = member.group  # kept on the member: a run in progress releases through it
        if group is not None and member in group.members:
            group.members.remove(member)
            group.live = -1
            group.forget(member)
        self._drop_from_gate(member, self._now())

    def _open_window_group(self, window: WindowGroup, now: float) -> None:
        start, end = window.hours.window(window.zone_info, now)
        if start <= now:
            window.open_until = end
            start = window.hours.window(window.zone_info, end)[0]
        self.world.clock.call_at_epoch(start, lambda: self._window_opens(window, start))

    def _window_opens(self, window: WindowGroup, now: float) -> None:
        end = window.hours.window(window.zone_info, now)[1]
        window.open_until = end
        following = window.hours.window(window.zone_info, end)[0]
        self.world.clock.call_at_epoch(following, lambda: self._window_opens(window, following))
        due = []  # assessed together: one batch of records, events and finish
        rollout = self.rollout
        rollout_id, gate = (rollout.rollout_id, rollout.gate) if rollout is not None else (None, ())
        waiting: set[Group] = set()  # the groups of members to patch
        left = False
        for member in window.members:
            if member.assess_only:
                if member.vm.power_state == "running" and self._due(member, now):
                    due.append(member)
                continue
            if not member.active:
                member.listed = False
                left = True
                continue
            if member.done_rollout != rollout_id and member.group is not None:
                waiting.add(member.group)
            if (
                member.enable_left <= 0
                and now - member.last_assessed < member.gap
                and member not in gate
            ):
                continue  # most days, for most VMs: nothing to do (and no VM record to read)
            if self._member_window_opens(member, now):
                due.append(member)
        if left:  # VMs that left AutomaticByPlatform leave the window's list
            window.members = [m for m in window.members if m.listed]
        self._assess_all(due, now)
        # Only members of this window can have become startable now.
        for location in sorted({group.location for group in waiting}):
            state = self._region(location)
            self._try_start(state, now, only=[g for g in state.groups.values() if g in waiting])
        self._check_gate(now)

    def _member_window_opens(self, member: Member, now: float) -> bool:
        """Its window is open (or it started in it): gate, enablement; True when an
        assessment is due."""
        vm = member.vm
        rollout = self.rollout
        if rollout is not None and member in rollout.gate and not self._eligible(member):
            rollout.gate.discard(member)  # R54: it neither blocks nor advances the phase
        if vm.power_state != "running":  # R21: nothing happens to a VM that is off
            return False
        if not vm.patch_mode_ready:
            if member.enable_left > 0:
                self._enable(member, now)
            return False
        return self._due(member, now)

    def _enable(self, member: Member, now: float) -> None:
        """R16: enablement works only off-peak and resumes in the next window."""
        vm = member.vm
        if not agent_ok(vm) or not vm.image.publisher:  # R10, Q5: never Ready
            return
        if vm.power_state != "running":
            return  # R21: it resumes in a window after the VM starts
        resumed = member.enable_left < member.enable_work
        self.timeline.add(now, "enablement_started", member, resumed=resumed)
        member.enable_from = now
        if now + member.enable_left <= member.window.open_until:
            member.enable_step_at = now + member.enable_left
            self._at(member.enable_step_at, self._on_enabled, member)
        else:
            member.enable_step_at = member.window.open_until
            self._at(member.enable_step_at, self._on_paused, member)

    def _paused(self, member: Member, now: float) -> None:
        if member.enable_step_at == now and member.active:  # else switched again since
            self._pause_enablement(member, now)

    def _pause_enablement(self, member: Member, now: float) -> None:
        """The window closed or the VM stopped: the work done so far counts (R16)."""
        member.enable_left -= now - member.enable_from
        member.enable_step_at = -1.0
        self.timeline.add(now, "enablement_paused", member)

    def power_changed(self, vm: VmRecord) -> None:
        """R21, live: a VM that starts in its window is served in it; one that stops has
        its enablement paused, its assessment and its install run cut off, and leaves the
        phase gate (R54)."""
        member = self._members.get(vm.vm_id)
        if member is None or not (member.active or member.assess_only):
            return
        now = self._now()
        member.changed()
        self.timeline.add(now, "power_changed", member, power_state=vm.power_state)
        if vm.power_state == "running":
            if now < member.window.open_until:
                if member.assess_only:
                    if self._due(member, now):
                        self._assess(member, now)
                else:
                    if self._member_window_opens(member, now):
                        self._assess(member, now)
                    self._try_start(self._region(member.location), now)
                    self._check_gate(now)
            return
        if member.enable_step_at > now:
            self._pause_enablement(member, now)
        record = vm.assessment
        if record is not None and record.status == "InProgress" and record.started_by == "Platform":
            record.status, record.finished = "Failed", moment(now)  # the agent stopped with it
            # R21: due again as soon as the agent allows, 6 h after that one began (R20)
            member.last_assessed -= member.gap - self._min_gap
        if member.run is not None:
            self._interrupt_run(member, now)
        self._drop_from_gate(member, now)

    def _enabled(self, member: Member, now: float) -> None:
        if member.enable_step_at != now or not member.active:
            return
        member.enable_step_at = -1.0
        member.enable_left = 0.0
        member.vm.patch_mode_ready = True
        member.changed()
        self.timeline.add(now, "enablement_finished", member)
        if now + self.world.assessment_duration.total_seconds() <= member.window.open_until:
            self._assess(member, now)  # R17, R18: the platform assesses at once
        # else R27: not at the window's end; the next window's first assessment is due
        if member.group is not None:  # Ready in its window: it may be patched in it
            self._try_start(self._region(member.location), now, only=(member.group,))
