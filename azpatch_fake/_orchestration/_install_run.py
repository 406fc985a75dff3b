"""One platform install run on one VM, computed up front: what installs, when, and the reboot.

Pure arithmetic over the rules of section D: Critical and Security only
(R26), a run of at most ``run_duration`` (R29) that ends with the VM's window
at the latest (R27), the end-of-window cutoffs (R30 Windows, R31 Linux), no
patch still installing after the window, no pre-emption (R32) and the reboot
settings (R36).
The orchestrator replays the result on the virtual clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import attrs

from .._world._records import Patch

__all__ = ["AUTOMATIC_CLASSIFICATIONS", "RunPlan", "plan_run"]

AUTOMATIC_CLASSIFICATIONS = frozenset({"Critical", "Security"})  # R26
_MINUTE = 60.0


@attrs.frozen
class RunPlan:
    start: float  # the run (and its pre-install assessment) starts
    install_start: float
    install_end: float
    installed: tuple[Patch, ...]
    failed: tuple[Patch, ...]
    pending: tuple[Patch, ...]
    not_selected: tuple[Patch, ...]
    reboot_status: str  # NotNeeded, Required, Completed or Failed
    reboot_end: float | None  # when a reboot happened, its end
    verdict_at: float

    @property
    def window_exceeded(self) -> bool:
        return bool(self.pending)

    @property
    def status(self) -> str:
        """R35, Q12."""
        if self.failed or self.reboot_status == "Failed":
            return "Failed"
        return "CompletedWithWarnings" if self.pending else "Succeeded"


def _latest_start(os_type: str, end: float, reboot_setting: str) -> float:
    if os_type == "Windows":  # R30 (service packs, which need 20, are never selected: R26)
        return end - 15 * _MINUTE
    # R31: a one-package batch needs 5 minutes, plus 15 for a reboot unless it is Never
    return end - (5 + (0 if reboot_setting == "Never" else 15)) * _MINUTE


def plan_run(
    *,
    start: float,
    os_type: str,
    available: Sequence[Patch],
    reboot_setting: str,
    reboot_pending: bool,
    assessment: float,
    overhead: float,
    per_patch: float,
    run_duration: float,
    reboot_duration: float,
    health_wait: float,
    window_end: float = float("inf"),
    fail_installs: bool = False,
    fail_reboots: bool = False,
    share: Callable[[Iterable[Patch]], tuple[Patch, ...]] = tuple,
) -> RunPlan:
    """Seconds in, seconds out; ``reboot_setting`` absent or Unknown means IfRequired (Q13).

    The run ends after ``run_duration`` or at ``window_end``, whichever comes first; the
    cutoffs count back from that end, and no patch may still install after the window.
    ``share`` makes each list of patches (``tuple``, or one that interns equal lists).
    """
    end = min(start + run_duration, window_end)
    install_start = start + assessment
    clock = install_start + overhead
    selected = [p for p in available if p.classification in AUTOMATIC_CLASSIFICATIONS]
    not_selected = share(p for p in available if p.classification not in AUTOMATIC_CLASSIFICATIONS)
    latest = _latest_start(os_type, end, reboot_setting)
    done: list[Patch] = []
    pending: list[Patch] = []
    for patch in selected:
        if pending or clock > latest or clock + per_patch > window_end:
            pending.append(patch)  # R32: not started, so not attempted; R27: none runs late
            continue
        clock += per_patch
        done.append(patch)
    installed, failed = ((), share(done)) if fail_installs else (share(done), ())
    needs = reboot_pending or any(p.reboot_behavior != "NeverReboots" for p in installed)
    wanted = reboot_setting == "Always" or (reboot_setting not in ("Never", "Always") and needs)
    room = (10 if os_type == "Windows" else 15) * _MINUTE  # R30, R31
    reboot_end = None
    if wanted and end - clock >= room:
        reboot_end = clock + reboot_duration
        reboot_status = "Failed" if fail_reboots else "Completed"
    else:
        reboot_status = "Required" if needs else "NotNeeded"
    finished = reboot_end if reboot_end is not None else clock
    return RunPlan(
        start=start,
        install_start=install_start,
        install_end=clock,
        installed=installed,
        failed=failed,
        pending=share(pending),
        not_selected=not_selected,
        reboot_status=reboot_status,
        reboot_end=reboot_end,
        verdict_at=finished + health_wait,
    )
