"""The platform's assessments (R17 to R20): when one is due, and thousands begun and finished
together as a window opens."""

from __future__ import annotations

from datetime import datetime

from .._world._records import AssessmentRecord, Patch, VmRecord
from ._base import ABP, OrchestratorBase
from ._install_run import AUTOMATIC_CLASSIFICATIONS
from ._members import Member

__all__ = ["Assessments"]


class Assessments(OrchestratorBase):
    """Periodic assessments, the one before each install run, and users' own."""

    def _due(self, member: Member, now: float) -> bool:
        return not member.busy and now - member.last_assessed >= member.gap

    def _set_cadence(self, member: Member) -> None:
        """R19, R20: every 24 h with assessmentMode AutomaticByPlatform, else 72 h."""
        member.gap = self._gap_abp if member.vm.patch_settings.assessment_mode == ABP else self._gap

    def assessment_mode_changed(self, vm: VmRecord) -> None:
        """The VM's cadence follows; outside AutomaticByPlatform patching, the mode alone
        decides whether the platform assesses it (R11)."""
        if vm.patch_settings.patch_mode != ABP:
            self.track(vm, enabled=vm.patch_mode_ready)
        member = self._members.get(vm.vm_id)
        if member is not None:
            self._set_cadence(member)

    def _assess(self, member: Member, now: float) -> None:
        self._assess_all([member], now)

    def _assess_all(self, members: list[Member], now: float) -> None:
        """The platform's assessments of ``members``, begun now and finishing together."""
        if not members:
            return
        started = self._when(now)
        new_bits = self.world.new_bits
        index = self.timeline.index
        indexes = []  # taken while each VM is at hand: a second pass over thousands costs
        for member in members:
            vm = member.vm
            member.last_assessed = now
            at = member.timeline_index
            indexes.append(at if at >= 0 else index(member))
            record = vm.assessment
            if record is None or record.started_by != "Platform":
                record = vm.assessment = AssessmentRecord("", "", started, started_by="Platform")
            # In place: a month of 100,000 VMs would otherwise churn millions of records.
            record.status = "InProgress"
            record.activity = new_bits()  # a UUID when read
            record.started = started
            record.finished = None
        self.timeline.add_indexed(now, "assessment_started", indexes)
        finish = now + self.world.assessment_duration.total_seconds()
        self._events.at_each(finish, self._on_assessed_all, members)

    def _assessed(self, member: Member, now: float) -> None:
        self._assessed_all([member], now)

    def _assessed_all(self, members: list[Member], now: float) -> None:
        finished = self._when(now)
        catalogs: dict[str, list[Patch]] = {}  # this instant's, per OS family
        fill = self._fill_assessment
        index = self.timeline.index
        indexes = []
        criticals = []
        others = []
        for member in members:  # one pass: a second over thousands of VMs costs
            vm = member.vm
            record = vm.assessment
            if record is None or record.status != "InProgress" or record.started_by != "Platform":
                continue  # replaced by a user's assessment
            published = catalogs.get(vm.os_type)
            if published is None:
                published = catalogs[vm.os_type] = self._catalog(vm.os_type, now)
            critical, other = fill(member, record, published, finished)
            at = member.timeline_index
            indexes.append(at if at >= 0 else index(member))
            criticals.append(critical)
            others.append(other)
        self.timeline.add_indexed(
            now, "assessment_finished", indexes, critical_and_security=criticals, other=others
        )

    def _fill_assessment(
        self,
        member: Member,
        record: AssessmentRecord,
        published: list[Patch],
        finished: datetime,
    ) -> tuple[int, int]:
        """Complete the VM's assessment ``record`` with what the catalog ``published`` offers
        it; returns its counts of critical and security patches, and of other patches."""
        available = self._offered(member, published)
        critical = member.critical
        record.status = "Succeeded"
        record.finished = finished
        record.patches = available
        record.critical_and_security = critical
        record.other = other = len(available) - critical
        return critical, other

    def _available(self, member: Member, now: float) -> tuple[Patch, ...]:
        """What the catalog offers the VM now that it has not installed."""
        return self._offered(member, self._catalog(member.vm.os_type, now))

    def _offered(self, member: Member, published: list[Patch]) -> tuple[Patch, ...]:
        """Of ``published``, what the VM has not installed (``member.critical`` of them
        Critical or Security): worked out again only after a release or an install."""
        vm = member.vm
        installed = len(vm.installed_patch_ids)
        if member.available_of is not published or member.available_installed != installed:
            fresh = self._shared(p for p in published if p.patch_id not in vm.installed_patch_ids)
            member.available_of, member.available_installed = published, installed
            member.available = fresh
            member.critical = sum(p.classification in AUTOMATIC_CLASSIFICATIONS for p in fresh)
        return member.available

    def user_assessed(self, vm: VmRecord) -> None:
        member = self._members.get(vm.vm_id)
        if member is not None:
            member.last_assessed = self._now()
