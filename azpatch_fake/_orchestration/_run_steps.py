"""One install run replayed on the clock (R26 to R36): its install, reboot and health verdict,
a step per moment of its plan; or its end when the VM stops or the rollout halts (R21, R44)."""

from __future__ import annotations

from typing import Any

import attrs

from .._world._records import InstallationRecord, Patch
from ._base import OrchestratorBase, moment
from ._install_run import RunPlan
from ._members import Member
from ._rollout import Rollout

__all__ = ["Run", "patch_states"]


def patch_states(patches: tuple[Patch, ...], state: str) -> tuple[tuple[str, str, str], ...]:
    return tuple((p.name, p.classification, state) for p in patches)


class Run:
    """One install run being replayed on the clock, one step per moment of its plan."""

    __slots__ = (
        "activity",
        "detail",
        "member",
        "per_patch",
        "phase",
        "plan",
        "record",
        "rollout",
        "step",
    )

    def __init__(
        self,
        member: Member,
        plan: RunPlan,
        rollout: Rollout,
        phase: int,
        activity: int,
        *,
        per_patch: float,
    ) -> None:
        self.member = member
        self.plan = plan
        self.rollout = rollout
        self.phase = phase
        self.activity = activity  # the random bits of its activity id
        self.record: InstallationRecord | None = None  # the VM's, once its install begins
        self.per_patch = per_patch
        self.step = 0  # -1 once the run was cut off: its scheduled steps do nothing
        self.detail = {"rollout": rollout.rollout_id, "phase": phase}  # of each of its events

    def _own_record(self) -> InstallationRecord | None:
        """The VM's installation record while it is this run's (a user's installPatches
        replaces it)."""
        record = self.member.vm.installation
        return record if record is not None and record is self.record else None

    def advance(self, orchestrator: OrchestratorBase, now: float) -> None:
        """Take the next step; each schedules the one after it."""
        if self.step < 0:
            return
        if self.step == 0 and self.rollout.halted:  # R44: nothing new installs in a halt
            if self.member.vm.assessment is not None:
                orchestrator._assessed(self.member, now)
            reason = "R44: the rollout halted before the installation began"
            orchestrator._interrupt_run(self.member, now, reason)
            return
        steps = (self._install_started, self._install_finished, self._verdict)
        steps[self.step](orchestrator, now)
        self.step += 1

    def interrupt(
        self, orchestrator: OrchestratorBase, now: float, reason: str | None = None
    ) -> None:
        """Cut the run off at ``now`` (the VM stopped, or ``reason``): patches not finished
        are pending."""
        plan, member = self.plan, self.member
        stage = ("assessment", "install", "reboot")[self.step] if self.step >= 0 else "done"
        if stage == "reboot" and plan.reboot_end is not None and now >= plan.reboot_end:
            stage = "health_check"
        self.step = -1
        detail: dict[str, Any] = {"reason": reason} if reason else {}
        record = self._own_record()
        if stage in ("assessment", "install"):
            attempted = plan.installed + plan.failed
            begun = plan.install_end - len(attempted) * self.per_patch
            done = max(0, min(len(attempted), int((now - begun) // self.per_patch)))
            finished = attempted[:done] if stage == "install" else ()
            installed = tuple(p for p in finished if p in plan.installed)
            failed = tuple(p for p in finished if p not in plan.installed)
            pending = attempted[len(finished) :] + plan.pending
            member.vm.installed_patch_ids.update(p.patch_id for p in installed)
            shared = orchestrator._shared
            self.plan = plan = attrs.evolve(
                plan, installed=shared(installed), failed=shared(failed), pending=shared(pending)
            )
            if record is not None:
                record.status, record.finished = "Failed", moment(now)  # Q12: the agent stopped
                record.installed, record.failed, record.pending = installed, failed, plan.pending
            detail["patches"] = (
                patch_states(installed, "Installed")
                + patch_states(failed, "Failed")
                + patch_states(plan.pending, "Pending")
            )
        elif stage == "reboot" and record is not None:
            record.reboot_status = "Failed"
        orchestrator.timeline.add(
            now,
            "install_interrupted",
            member,
            stage=stage,
            power_state=member.vm.power_state,
            **detail,
            **self.detail,
        )

    def _install_started(self, orchestrator: OrchestratorBase, now: float) -> None:
        plan, member = self.plan, self.member
        vm = member.vm
        if vm.assessment is not None and vm.assessment.status == "InProgress":
            orchestrator._assessed(member, now)
        vm.installation = self.record = InstallationRecord(
            "InProgress",
            self.activity,
            moment(now),
            pending=orchestrator._shared(plan.installed + plan.failed + plan.pending),
            not_selected=plan.not_selected,
            started_by="Platform",
        )
        group = member.group
        live = group.patchable() if group else None
        orchestrator.timeline.add(
            now,
            "install_started",
            member,
            selected=len(plan.installed) + len(plan.failed) + len(plan.pending),
            attempt=member.runs,
            off_peak=member.window.hours.describe(),
            set_size=live if group and group.is_set else None,
            pool_size=live if group and not group.is_set else None,
            **self.detail,
        )
        orchestrator._at(plan.install_end, orchestrator._advance_run, self)

    def _install_finished(self, orchestrator: OrchestratorBase, now: float) -> None:
        plan, member = self.plan, self.member
        vm = member.vm
        vm.installed_patch_ids.update(p.patch_id for p in plan.installed)
        record = self._own_record()
        if record is not None:
            record.status = plan.status
            record.finished = moment(now)
            record.reboot_status = "Started" if plan.reboot_end is not None else plan.reboot_status
            record.maintenance_window_exceeded = plan.window_exceeded
            record.installed, record.failed = plan.installed, plan.failed
            record.pending, record.not_selected = plan.pending, plan.not_selected
        if vm.assessment is not None:  # the agent's post-install assessment
            published = orchestrator._catalog(vm.os_type, now)
            orchestrator._fill_assessment(member, vm.assessment, published, moment(now))
            vm.assessment.reboot_pending = plan.reboot_status == "Required"
        orchestrator.timeline.add(
            now,
            "install_finished",
            member,
            status=plan.status,
            maintenance_window_exceeded=plan.window_exceeded,
            patches=orchestrator._outcome(plan),
            **self.detail,
        )
        if plan.reboot_end is not None:
            orchestrator.timeline.add(now, "reboot_started", member, **self.detail)
            orchestrator._at(plan.reboot_end, orchestrator._reboot_finished, self)
        orchestrator._at(plan.verdict_at, orchestrator._advance_run, self)

    def reboot_finished(self, orchestrator: OrchestratorBase, now: float) -> None:
        if self.step < 0:
            return
        record = self._own_record()
        if record is not None:
            record.reboot_status = self.plan.reboot_status
        orchestrator.timeline.add(
            now, "reboot_finished", self.member, status=self.plan.reboot_status, **self.detail
        )

    def _verdict(self, orchestrator: OrchestratorBase, now: float) -> None:
        member = self.member
        vm = member.vm
        if vm.unhealthy_after_patching:
            vm.healthy = False
            member.changed()
        orchestrator.timeline.add(now, "health_verdict", member, healthy=vm.healthy, **self.detail)
        orchestrator._release(member, self, now, vm.healthy)
