"""The per-VM work of each fleet operation: the flow it runs, and how its result is judged.

A fleet run drives one flow per VM, the same flows ``client.virtual_machines``
runs, so a VM is assessed, patched or switched exactly as it would be alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

import attrs
import httpx

from .._core import _flows as flows
from .._core import _requests as requests
from .._core._context import RequestContext
from .._core._flow import Flow
from .._policies import PollingPolicy
from .._rules._patch_plan import PatchModeChange
from .._serde import to_wire
from ..models import (
    VirtualMachine,
    VirtualMachineAssessPatchesResult,
    VirtualMachineInstallPatchesParameters,
    VirtualMachineInstallPatchesResult,
    VirtualMachineListResult,
)
from ._compliance import PatchCompliance, patch_compliance
from ._outcomes import OutcomeStatus
from ._targets import GroupTarget, SubscriptionTarget, VmRef

__all__ = [
    "FleetOperation",
    "Judgement",
    "assess",
    "install",
    "list_vms",
    "patch_status",
    "set_patch_mode",
]

R = TypeVar("R")
Judgement = tuple[OutcomeStatus, str | None, str | None]  # status, code, message
_FINISHED_WELL = frozenset({"succeeded", "completedwithwarnings"})


@attrs.frozen
class FleetOperation(Generic[R]):
    """One operation over a fleet.

    ``start(ctx, policy, vm, continuation_token)`` is the VM's flow (resumed
    from the token when there is one); ``judge`` turns its result into an
    outcome. ``resumable`` says whether a VM in flight when a run stopped is
    resumed from its token; ``fingerprint`` tells a checkpoint which
    operation, with which parameters, it belongs to.
    """

    name: str
    fingerprint: str
    start: Callable[[RequestContext, PollingPolicy, VmRef, str | None], Flow[R]]
    judge: Callable[[R], Judgement]
    resumable: bool


def _judge_run(
    result: VirtualMachineAssessPatchesResult | VirtualMachineInstallPatchesResult,
) -> Judgement:
    status = str(result.status or "Unknown")
    if status.casefold() in _FINISHED_WELL:
        return OutcomeStatus.SUCCEEDED, None, None
    error = result.error
    return (
        OutcomeStatus.FAILED,
        (error.code if error else None) or status,
        (error.message if error else None) or f"the run ended {status}",
    )


def assess() -> FleetOperation[VirtualMachineAssessPatchesResult]:
    def start(
        ctx: RequestContext, policy: PollingPolicy, vm: VmRef, token: str | None
    ) -> Flow[VirtualMachineAssessPatchesResult]:
        return flows.assess_patches(
            ctx, policy, vm.resource_group, vm.name, continuation_token=token
        )

    return FleetOperation("assess", "assess", start, _judge_run, resumable=True)


def install(
    parameters: VirtualMachineInstallPatchesParameters,
) -> FleetOperation[VirtualMachineInstallPatchesResult]:
    def start(
        ctx: RequestContext, policy: PollingPolicy, vm: VmRef, token: str | None
    ) -> Flow[VirtualMachineInstallPatchesResult]:
        return flows.install_patches(
            ctx, policy, vm.resource_group, vm.name, parameters, continuation_token=token
        )

    wire = json.dumps(to_wire(parameters), sort_keys=True, separators=(",", ":"))
    return FleetOperation("install", f"install {wire}", start, _judge_run, resumable=True)


def set_patch_mode(
    change: PatchModeChange, *, dry_run: bool
) -> FleetOperation[tuple[VirtualMachine, bool]]:
    def start(
        ctx: RequestContext, policy: PollingPolicy, vm: VmRef, token: str | None
    ) -> Flow[tuple[VirtualMachine, bool]]:
        # A change in flight when a run stopped is judged again from the VM, not resumed.
        return flows.patch_mode_change(
            ctx, policy, vm.resource_group, vm.name, change, dry_run=dry_run
        )

    def judge(result: tuple[VirtualMachine, bool]) -> Judgement:
        _, wrote = result
        if wrote:
            return OutcomeStatus.SUCCEEDED, None, None
        reason = "dry run: the change would be accepted" if dry_run else "already set"
        return OutcomeStatus.SKIPPED, "NothingToChange", reason

    fingerprint = json.dumps(attrs.asdict(change), sort_keys=True, default=str)
    return FleetOperation(
        "set_patch_mode", f"set_patch_mode {fingerprint}", start, judge, resumable=False
    )


def patch_status(now: datetime) -> FleetOperation[PatchCompliance]:
    def start(
        ctx: RequestContext, policy: PollingPolicy, vm: VmRef, token: str | None
    ) -> Flow[PatchCompliance]:
        request = requests.virtual_machine(ctx, vm.resource_group, vm.name, expand="instanceView")
        read = yield from flows.call(request, VirtualMachine)
        return patch_compliance(read, now=now)

    def judge(_: PatchCompliance) -> Judgement:
        return OutcomeStatus.SUCCEEDED, None, None

    return FleetOperation("status", "status", start, judge, resumable=False)


def _listing(ctx: RequestContext, target: GroupTarget | SubscriptionTarget) -> httpx.Request:
    group = target.resource_group if isinstance(target, GroupTarget) else None
    return requests.virtual_machines(ctx, group)


def list_vms(ctx: RequestContext, target: GroupTarget | SubscriptionTarget) -> Flow[list[VmRef]]:
    """Every VM of a group or subscription, page by page, with its location."""
    found: list[VmRef] = []
    request: httpx.Request | None = _listing(ctx, target)
    while request is not None:
        page, request = yield from flows.list_page(ctx, request, VirtualMachineListResult)
        found += [_ref(vm, target.subscription_id) for vm in page]
    return found


def _ref(vm: VirtualMachine, subscription_id: str) -> VmRef:
    parts = (vm.id or "").split("/")
    group = parts[4] if len(parts) > 4 else ""
    return VmRef(subscription_id, group, vm.name or "", location=vm.location)
