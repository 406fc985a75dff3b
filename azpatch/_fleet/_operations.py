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
from .._core._validation import check_subscription_id
from .._exceptions import InvalidArgumentError, ResponseValidationError
from .._policies import PollingPolicy
from .._rules._patch_plan import PatchModeChange
from .._serde import to_wire
from ..models import (
    Subscription,
    SubscriptionListResult,
    SubscriptionState,
    VirtualMachine,
    VirtualMachineAssessPatchesResult,
    VirtualMachineInstallPatchesParameters,
    VirtualMachineInstallPatchesResult,
    VirtualMachineListResult,
)
from ._compliance import PatchCompliance, patch_compliance
from ._outcomes import OutcomeStatus, VmOutcome
from ._targets import GroupTarget, SubscriptionTarget, Target, TenantTarget, VmRef

__all__ = [
    "FleetOperation",
    "Judgement",
    "assess",
    "install",
    "listing",
    "patch_status",
    "set_patch_mode",
]

R = TypeVar("R")
T = TypeVar("T")
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


Listed = list[Target | VmOutcome[None]]
_GONE = frozenset({SubscriptionState.DISABLED, SubscriptionState.DELETED})


def listing(
    ctx: RequestContext, target: GroupTarget | SubscriptionTarget | TenantTarget
) -> Flow[Listed]:
    """What a group, subscription or tenant holds: its VMs (with their location), or its
    subscriptions and the outcome of each one skipped."""
    if isinstance(target, TenantTarget):
        found = yield from _every_page(ctx, requests.subscriptions(ctx), SubscriptionListResult)
        return [_subscription_target(subscription) for subscription in found]
    group = target.resource_group if isinstance(target, GroupTarget) else None
    vms = yield from _every_page(
        ctx, requests.virtual_machines(ctx, group), VirtualMachineListResult
    )
    return [_ref(vm, target.subscription_id) for vm in vms]


def _every_page(
    ctx: RequestContext, request: httpx.Request, cls: type[flows.Listing[T]]
) -> Flow[list[T]]:
    found: list[T] = []
    next_request: httpx.Request | None = request
    while next_request is not None:
        page, next_request = yield from flows.list_page(ctx, next_request, cls)
        found += page
    return found


def _subscription_target(subscription: Subscription) -> SubscriptionTarget | VmOutcome[None]:
    raw = subscription.subscription_id or (subscription.id or "").rpartition("/")[2]
    try:
        target = SubscriptionTarget(check_subscription_id(raw))
    except InvalidArgumentError:
        raise ResponseValidationError(
            model="Subscription", path="$.subscriptionId", reason=f"{raw!r} is not one"
        ) from None
    if subscription.state in _GONE:
        return VmOutcome(
            target.id,
            OutcomeStatus.SKIPPED,
            code=f"Subscription{subscription.state}",
            message=f"the subscription is {subscription.state}: its VMs are deallocated",
        )
    return target


def _ref(vm: VirtualMachine, subscription_id: str) -> VmRef:
    parts = (vm.id or "").split("/")
    group = parts[4] if len(parts) > 4 else ""
    return VmRef(subscription_id, group, vm.name or "", location=vm.location)
