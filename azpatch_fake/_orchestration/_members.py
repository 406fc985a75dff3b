"""What the orchestrator keeps per VM, per off-peak window, per batching group and per region.

Plain slotted classes: a month of 100,000 VMs touches them millions of times.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from .._world._off_peak import OffPeakHours
from .._world._records import Patch, VmRecord

__all__ = ["Group", "Member", "RegionState", "WindowGroup"]


class WindowGroup:
    """VMs sharing one time zone and one off-peak window: their window opens in one tick."""

    __slots__ = ("hours", "members", "open_until", "zone_info")

    def __init__(self, zone_info: ZoneInfo, hours: OffPeakHours) -> None:
        self.zone_info = zone_info
        self.hours = hours
        self.members: list[Member] = []
        self.open_until = -math.inf  # the end of the window now open, if one is


class Member:
    """One VM in AutomaticByPlatform mode, as the orchestrator sees it."""

    __slots__ = (
        "active",
        "assess_only",
        "availability_set",
        "available",
        "available_installed",
        "available_of",
        "busy",
        "critical",
        "done_rollout",
        "enable_from",
        "enable_left",
        "enable_step_at",
        "enable_work",
        "failed_runs",
        "gap",
        "given_up",
        "group",
        "last_assessed",
        "listed",
        "location",
        "not_before",
        "resource_id",
        "run",
        "runs",
        "subscription",
        "timeline_index",
        "tried",
        "update_domain",
        "vm",
        "window",
        "zone",
        "zone_info",
    )

    def __init__(self, vm: VmRecord, window: WindowGroup, location: str) -> None:
        self.vm = vm
        self.resource_id = vm.resource_id
        self.subscription = vm.subscription_id
        self.location = location
        self.window = window
        self.zone_info = window.zone_info
        self.zone: str | None = vm.zones[0] if vm.zones else None
        self.availability_set: str | None = vm.availability_set
        self.update_domain: int | None = vm.platform_update_domain if vm.availability_set else None
        self.active = True
        self.assess_only = False  # R11: assessed by the platform, never patched by it
        self.listed = False
        self.busy = False
        self.group: Group | None = None
        self.enable_work = 0.0  # the enablement work it needs in all (R16)
        self.enable_left = 0.0  # enablement work still to do when its last step began
        self.enable_from = 0.0  # when that step began
        self.run: object | None = None  # the install run in progress (``_run_steps.Run``)
        self.enable_step_at = -1.0  # when its one pending enablement step (finish or pause) is due
        self.last_assessed = -math.inf
        self.gap = math.inf  # the platform's assessments are this far apart (R19, R20)
        self.done_rollout: str | None = None
        self.tried: str | None = None  # the rollout of its last run; ``runs`` counts them
        self.runs = 0
        self.failed_runs = 0  # Q26: runs of that rollout that failed or made no progress
        self.given_up = False  # Q26: done with that rollout without its patches
        self.not_before = -math.inf
        self.timeline_index = -1
        # The last assessment's result, reused until a release or an install changes it.
        self.available_of: Sequence[Patch] = ()  # the catalog's answer it was made from
        self.available_installed = -1  # and how many patches the VM had installed then
        self.available: tuple[Patch, ...] = ()
        self.critical = 0  # of ``available``, the Critical and Security ones

    def changed(self) -> None:
        """Its power, readiness or health changed: its group counts its members again."""
        if self.group is not None:
            self.group.live = -1

    def placement_changed(self) -> bool:
        vm = self.vm
        return self.availability_set != vm.availability_set or self.zone != (
            vm.zones[0] if vm.zones else None
        )

    def refresh_placement(self) -> None:
        vm = self.vm
        self.zone = vm.zones[0] if vm.zones else None
        self.availability_set = vm.availability_set
        self.update_domain = vm.platform_update_domain if vm.availability_set else None


class Group:
    """VMs batched together: one availability set (R47 to R50), or one subscription's VMs
    outside sets in one region and zone (R46, Q9)."""

    __slots__ = (
        "active_ud",
        "bake_until",
        "busy",
        "is_set",
        "key",
        "last_ud",
        "live",
        "location",
        "members",
        "queues",
        "retries",
        "waiting",
        "zone",
    )

    def __init__(
        self, key: tuple[str, ...], zone: str | None, location: str, waiting: Waiting
    ) -> None:
        self.key = key
        self.location = location
        self.is_set = key[0] == "set"
        self.zone = zone
        self.members: list[Member] = []
        self.busy = 0
        self.live = -1  # ``patchable()``, once counted
        self.active_ud: int | None = None
        self.last_ud: int | None = None
        self.bake_until = -math.inf
        # Members still to patch this rollout, per update domain (-1 outside sets): first
        # attempts, and retries of pending and failed patches, which wait behind them.
        self.queues: dict[int, list[Member]] = {}
        self.retries: dict[int, list[Member]] = {}
        self.waiting = waiting  # its region's count of the first attempts in ``queues``

    @property
    def size(self) -> int:
        return len(self.members)

    def patchable(self) -> int:
        """Members the platform could patch now (running, Ready, healthy): what the caps and
        shares count (R46 to R49), so a set of ten with eight deallocated is a set of two.
        Counted again only after ``Member.changed``."""
        if self.live < 0:
            self.live = sum(
                1
                for m in self.members
                if m.vm.power_state == "running" and m.vm.patch_mode_ready and m.vm.healthy
            )
        return self.live

    def enqueue(self, member: Member, *, retry: bool = False) -> None:
        ud = member.update_domain if member.update_domain is not None else -1
        if retry:
            self.retries.setdefault(ud, []).append(member)
            return
        self.queues.setdefault(ud, []).append(member)
        self.count(member.window, 1)

    def count(self, window: WindowGroup, change: int) -> None:
        """``change`` first attempts of ``window`` joined (or left) the queues."""
        counts = self.waiting.setdefault(window, {})
        counts[self] = counts.get(self, 0) + change

    def restart(self) -> None:
        """A new rollout: nothing queued."""
        self.queues, self.retries = {}, {}
        for counts in self.waiting.values():
            counts.pop(self, None)

    def forget(self, member: Member) -> None:
        for queue in self.queues.values():
            if member in queue:
                queue.remove(member)
                self.count(member.window, -1)
        for queue in self.retries.values():
            if member in queue:
                queue.remove(member)

    def move_window(self, member: Member, window: WindowGroup) -> None:
        """``member`` (perhaps queued) is off to another off-peak window."""
        queued = sum(queue.count(member) for queue in self.queues.values())
        if queued:
            self.count(member.window, -queued)
            self.count(window, queued)
        member.window, member.zone_info = window, window.zone_info


# Per off-peak window, the groups with first attempts of that window queued, and how many:
# Q26 asks whether one could start, of the windows open now only.
Waiting = dict[WindowGroup, dict[Group, int]]


class RegionState:
    __slots__ = ("busy", "conflicts", "groups", "name", "waiting", "zone_busy")

    def __init__(self, name: str, conflicts: frozenset[str]) -> None:
        self.name = name
        self.conflicts = conflicts
        self.groups: dict[tuple[str, ...], Group] = {}
        self.waiting: Waiting = {}
        self.busy = 0
        self.zone_busy: dict[str | None, int] = {}

    def busy_zone(self) -> tuple[bool, str | None]:
        """(True, zone) while a zone group of this region is in install (R45, Q22)."""
        for zone, count in self.zone_busy.items():
            if count:
                return True, zone
        return False, None
