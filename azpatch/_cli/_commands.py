"""What each ``azpatch`` command does with a client: the rows it prints and its exit code."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import IO, Any, TypeVar

from .._client import Client
from .._exceptions import PollingTimeoutError
from .._fleet._compliance import STALE
from .._polling import LROPoller
from .._registration_results import RegistrationProgress
from .._rules._patch_plan import _facts
from ..models import (
    FeatureResult,
    LinuxParameters,
    VirtualMachine,
    VirtualMachineAssessPatchesResult,
    VirtualMachineInstallPatchesParameters,
    VirtualMachineInstallPatchesResult,
    VirtualMachineInstanceView,
    WindowsParameters,
)
from ._output import Row, scalar

__all__ = ["COMMANDS", "EXIT_OK", "EXIT_RUN_FAILED", "Outcome"]

T = TypeVar("T")
EXIT_OK, EXIT_RUN_FAILED = 0, 1
Outcome = tuple[list[Row], int, bool]  # rows, exit code, whether it is one object


def _os_and_mode(vm: VirtualMachine) -> tuple[str, str]:
    """As the planner reads them: the OS, and the patch mode (its default when unset)."""
    facts = _facts(vm)
    return facts.os_type, facts.mode


def _patch_status(vm: VirtualMachine, view: VirtualMachineInstanceView) -> Row:
    os_type, mode = _os_and_mode(vm)
    status = view.patch_status
    summary = status.available_patch_summary if status else None
    last = status.last_patch_installation_summary if status else None
    configuration = [s.code for s in (status.configuration_statuses or ())] if status else []
    assessed = summary.last_modified_time if summary else None
    installed = last.last_modified_time if last else None
    stale = bool(assessed and installed and installed > assessed)
    return {
        "name": vm.name,
        "resourceGroup": (vm.id or "").split("/")[4] if vm.id else None,
        "location": vm.location,
        "os": os_type,
        "patchMode": mode,
        "configuration": [c.split("/", 1)[-1] for c in configuration if c],
        "assessment": scalar(summary.status) if summary else None,
        "assessedAt": scalar(summary.last_modified_time) if summary else None,
        "criticalAndSecurity": summary.critical_and_security_patch_count if summary else None,
        "other": summary.other_patch_count if summary else None,
        "rebootPending": summary.reboot_pending if summary else None,
        "lastInstall": scalar(last.status) if last else None,
        "installed": last.installed_patch_count if last else None,
        "failed": last.failed_patch_count if last else None,
        # Unknown (None) while the counts are an assessment's from before the last install.
        "compliant": None
        if stale
        else bool(summary and summary.critical_and_security_patch_count == 0),
        "note": STALE if stale else None,
    }


def _wait(poller: LROPoller[T], timeout: float, progress: IO[str]) -> T:
    """Wait with a line of progress per poll; the whole wait is bounded by ``timeout``."""
    waited = 0.0
    while True:
        step = min(30.0, timeout - waited)
        try:
            return poller.result(step)
        except PollingTimeoutError:
            waited += step
            progress.write(f"  ... {poller.status()} after {waited:.0f}s\n")
            progress.flush()
            if waited >= timeout:
                raise


def _run_exit(status: Any) -> int:
    return EXIT_OK if str(scalar(status)) == "Succeeded" else EXIT_RUN_FAILED


def enable_preview(client: Client, args: argparse.Namespace, progress: IO[str]) -> Outcome:
    rows: list[Row]
    if args.no_wait:
        features = [
            client.features.register("Microsoft.Compute", name)
            for name in ("InGuestAutoPatchVMPreview", "InGuestPatchVMPreview")
        ]
        rows = [_feature(f) for f in features]
        return rows, EXIT_OK, False

    def report(step: RegistrationProgress) -> None:
        progress.write(f"  ... {step.name}: {step.state} after {step.elapsed:.0f}s\n")

    preview = client.features.enable_guest_patching_preview(
        timeout=args.timeout, on_progress=report
    )
    rows = [_feature(f) for f in preview.features]
    rows.append({"name": "Microsoft.Compute", "state": preview.provider.registration_state})
    return rows, EXIT_OK, False


def _feature(feature: FeatureResult) -> Row:
    return {"name": feature.name, "state": feature.properties.state if feature.properties else None}


def show_patch_status(client: Client, args: argparse.Namespace, progress: IO[str]) -> Outcome:
    vm = client.virtual_machines.get(args.resource_group, args.name)
    view = client.virtual_machines.get_instance_view(args.resource_group, args.name)
    return [_patch_status(vm, view)], EXIT_OK, True


def set_patch_mode(client: Client, args: argparse.Namespace, progress: IO[str]) -> Outcome:
    before = client.virtual_machines.get(args.resource_group, args.name)
    vm = client.virtual_machines.set_patch_mode(
        args.resource_group,
        args.name,
        args.mode,
        assessment_mode=args.assessment_mode,
        reboot_setting=args.reboot_setting,
        dry_run=args.dry_run,
    )
    row = {
        "name": vm.name,
        "from": _os_and_mode(before)[1],
        "to": args.mode,
        "written": not args.dry_run,
        "patchMode": _os_and_mode(vm)[1],
    }
    return [row], EXIT_OK, True


def _operation(
    poller: LROPoller[T], args: argparse.Namespace, progress: IO[str], describe: Callable[[T], Row]
) -> Outcome:
    """Started: return its token (``--no-wait``), or wait and describe its result."""
    if args.no_wait:
        return [_accepted(poller)], EXIT_OK, True
    row = describe(_wait(poller, args.timeout, progress))
    return [row], _run_exit(row["status"]), True


def assess(client: Client, args: argparse.Namespace, progress: IO[str]) -> Outcome:
    poller = client.virtual_machines.begin_assess_patches(args.resource_group, args.name)
    return _operation(poller, args, progress, _assessment)


def _assessment(result: VirtualMachineAssessPatchesResult) -> Row:
    return {
        "status": scalar(result.status),
        "criticalAndSecurity": result.critical_and_security_patch_count,
        "other": result.other_patch_count,
        "rebootPending": result.reboot_pending,
        "startedAt": scalar(result.start_date_time),
        "error": result.error.message if result.error else None,
    }


def install(client: Client, args: argparse.Namespace, progress: IO[str]) -> Outcome:
    vm = client.virtual_machines.get(args.resource_group, args.name)
    os_type, _ = _os_and_mode(vm)
    classes = tuple(args.classifications)
    parameters = VirtualMachineInstallPatchesParameters(
        maximum_duration=args.max_duration,
        reboot_setting=args.reboot_setting,
        windows_parameters=WindowsParameters(classifications_to_include=classes)
        if os_type == "Windows"
        else None,
        linux_parameters=LinuxParameters(classifications_to_include=classes)
        if os_type == "Linux"
        else None,
    )
    poller = client.virtual_machines.begin_install_patches(
        args.resource_group, args.name, parameters
    )
    return _operation(poller, args, progress, _installation)


def _installation(result: VirtualMachineInstallPatchesResult) -> Row:
    return {
        "status": scalar(result.status),
        "installed": result.installed_patch_count,
        "failed": result.failed_patch_count,
        "pending": result.pending_patch_count,
        "notSelected": result.not_selected_patch_count,
        "rebootStatus": scalar(result.reboot_status),
        "maintenanceWindowExceeded": result.maintenance_window_exceeded,
        "error": result.error.message if result.error else None,
    }


def _accepted(poller: LROPoller[Any]) -> Row:
    return {"status": poller.status(), "continuationToken": poller.continuation_token()}


COMMANDS: dict[tuple[str, str], Callable[[Client, argparse.Namespace, IO[str]], Outcome]] = {
    ("features", "enable-preview"): enable_preview,
    ("vm", "show-patch-status"): show_patch_status,
    ("vm", "set-patch-mode"): set_patch_mode,
    ("vm", "assess"): assess,
    ("vm", "install"): install,
}
