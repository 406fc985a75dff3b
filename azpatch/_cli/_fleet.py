"""``azpatch fleet``: the fleet runner from the shell, with a live progress line on stderr.

Targets are every VM of each ``--subscription`` (repeatable; ``all`` for
every subscription the credential can see), or of each ``-g`` group in
them. A VM that fails, is refused or is left unfinished is a row of the
output, not an error: the run goes on, and the exit code (1) says that not
everything went well.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

from .._client import Client
from .._exceptions import InvalidArgumentError
from .._fleet._compliance import PatchCompliance
from .._fleet._outcomes import FleetProgress, VmOutcome
from ..models import (
    LinuxParameters,
    VirtualMachineAssessPatchesResult,
    VirtualMachineInstallPatchesParameters,
    VirtualMachineInstallPatchesResult,
    VMGuestPatchClassificationLinux,
    VMGuestPatchClassificationWindows,
    WindowsParameters,
)
from ._output import Row, scalar

__all__ = ["ALL_SUBSCRIPTIONS", "FLEET_COMMANDS", "ProgressLine", "fleet_targets"]

ALL_SUBSCRIPTIONS = "all"

EXIT_OK, EXIT_RUN_FAILED = 0, 1
Outcome = tuple[list[Row], int, bool]


def fleet_targets(args: argparse.Namespace) -> list[str]:
    """Target ids for the runner; ``all`` is ``/subscriptions``, which it lists."""
    everything = any(s.casefold() == ALL_SUBSCRIPTIONS for s in args.subscription)
    if everything and args.resource_group:
        raise InvalidArgumentError(
            "-g names groups of the subscriptions given: with --subscription all, name"
            " the subscriptions instead",
            code="InvalidTarget",
            target="resource_group",
        )
    if everything:
        return ["/subscriptions"]
    groups = args.resource_group or [None]
    return [
        f"/subscriptions/{subscription}" + (f"/resourceGroups/{group}" if group else "")
        for subscription in args.subscription
        for group in groups
    ]


class ProgressLine:
    """One line on stderr, redrawn at most four times a second on a terminal; elsewhere a
    line at each tenth of the run, so a CI log stays short."""

    def __init__(self, out: IO[str]) -> None:
        self._out, self._tty = out, out.isatty()
        self._drawn, self._tenth, self._last = 0.0, -1, ""

    def update(self, progress: FleetProgress) -> None:
        rate = progress.requests / progress.elapsed if progress.elapsed > 0 else 0.0
        self._last = (
            f"{progress.done:,}/{progress.total:,} done ({progress.succeeded:,} ok,"
            f" {progress.failed:,} failed), {progress.in_flight} in flight,"
            f" {rate:.0f} req/s, budget left {progress.budget_left:.0%},"
            f" {progress.throttled} throttled"
        )
        if self._tty:
            now = time.monotonic()
            if now - self._drawn >= 0.25 or progress.done == progress.total:
                self._drawn = now
                self._out.write(f"\r{self._last}\x1b[K")
                self._out.flush()
            return
        tenth = progress.done * 10 // max(progress.total, 1)
        if tenth != self._tenth:
            self._tenth = tenth
            self._out.write(f"  ... {self._last}\n")

    def finish(self) -> None:
        if self._tty and self._last:
            self._out.write("\n")


def _where(target: str) -> dict[str, Any]:
    parts = target.split("/")
    return {
        "name": parts[8] if len(parts) > 8 else None,
        "resourceGroup": parts[4] if len(parts) > 4 else None,
        "subscription": parts[2] if len(parts) > 2 else None,
    }


def _outcome_row(outcome: VmOutcome[Any], details: Callable[[Any], Row]) -> Row:
    row = {
        **_where(outcome.target),
        "outcome": outcome.status.value,
        **(details(outcome.result) if outcome.result is not None else {}),
        "code": outcome.code,
        "message": outcome.message,
    }
    if outcome.continuation_token:
        row["continuationToken"] = outcome.continuation_token
    return row


def _assessment(result: VirtualMachineAssessPatchesResult) -> Row:
    return {
        "status": scalar(result.status),
        "criticalAndSecurity": result.critical_and_security_patch_count,
        "other": result.other_patch_count,
    }


def _installation(result: VirtualMachineInstallPatchesResult) -> Row:
    return {
        "status": scalar(result.status),
        "installed": result.installed_patch_count,
        "failed": result.failed_patch_count,
        "rebootStatus": scalar(result.reboot_status),
    }


def _compliance(report: PatchCompliance) -> Row:
    return {
        "os": report.os_type,
        "patchMode": report.patch_mode,
        "criticalAndSecurity": report.critical_and_security,
        "other": report.other,
        "assessedAt": scalar(report.assessed_at),
        "lastInstall": report.last_install,
        "compliant": report.compliant,
        "notAutomaticByPlatform": report.not_automatic_by_platform,
        "note": report.note,
    }


def _status_row(outcome: VmOutcome[PatchCompliance]) -> Row:
    if outcome.result is None:  # the VM or its group could not be read: say why in the note
        return {
            **_where(outcome.target),
            "compliant": None,
            "note": f"{outcome.code}: {outcome.message}",
        }
    return {**_where(outcome.target), **_compliance(outcome.result)}


def _run(
    outcomes: Callable[..., Iterator[VmOutcome[Any]]],
    args: argparse.Namespace,
    progress: IO[str],
    **options: Any,
) -> list[VmOutcome[Any]]:
    line = ProgressLine(progress)
    try:
        return list(
            outcomes(
                fleet_targets(args),
                max_concurrency=args.max_concurrency,
                deadline=args.timeout,
                on_progress=line.update,
                **options,
            )
        )
    finally:
        line.finish()


def _ran(outcomes: list[VmOutcome[Any]], details: Callable[[Any], Row]) -> Outcome:
    rows = [_outcome_row(outcome, details) for outcome in outcomes]
    return rows, EXIT_OK if all(o.ok for o in outcomes) else EXIT_RUN_FAILED, False


def status(client: Client, args: argparse.Namespace, progress: IO[str]) -> Outcome:
    outcomes = _run(client.fleet.status, args, progress)
    rows = [_status_row(outcome) for outcome in outcomes]
    # Unknown compliance (never assessed, or assessed before the last install) is not
    # compliant: a pipeline re-assesses first.
    return rows, EXIT_OK if all(row["compliant"] for row in rows) else EXIT_RUN_FAILED, False


def assess(client: Client, args: argparse.Namespace, progress: IO[str]) -> Outcome:
    return _ran(_run(client.fleet.assess, args, progress, checkpoint=args.resume), _assessment)


def install(client: Client, args: argparse.Namespace, progress: IO[str]) -> Outcome:
    classes = set(args.classifications)
    windows = tuple(c.value for c in VMGuestPatchClassificationWindows if c.value in classes)
    linux = tuple(c.value for c in VMGuestPatchClassificationLinux if c.value in classes)
    parameters = VirtualMachineInstallPatchesParameters(  # each VM reads its own OS's part
        maximum_duration=args.max_duration,
        reboot_setting=args.reboot_setting,
        windows_parameters=WindowsParameters(classifications_to_include=windows)
        if windows
        else None,
        linux_parameters=LinuxParameters(classifications_to_include=linux) if linux else None,
    )
    outcomes = _run(
        client.fleet.install, args, progress, checkpoint=args.resume, parameters=parameters
    )
    return _ran(outcomes, _installation)


def set_patch_mode(client: Client, args: argparse.Namespace, progress: IO[str]) -> Outcome:
    outcomes = _run(
        client.fleet.set_patch_mode,
        args,
        progress,
        checkpoint=args.resume,
        mode=args.mode,
        assessment_mode=args.assessment_mode,
        reboot_setting=args.reboot_setting,
        dry_run=args.dry_run,
    )
    return _ran(outcomes, lambda result: {"written": result[1]})


FLEET_COMMANDS: dict[str, Callable[[Client, argparse.Namespace, IO[str]], Outcome]] = {
    "status": status,
    "assess": assess,
    "install": install,
    "set-patch-mode": set_patch_mode,
}
