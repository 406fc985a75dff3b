"""One generator per operation: the only place an operation's sequence of requests lives.

Each flow yields effects (see ``_flow``) and returns the parsed result.
Request building and response reading are delegated to ``_requests``,
``_responses`` and ``_lro``, so a flow reads as the operation's story.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol, TypeVar

import httpx

from .._exceptions import PollingTimeoutError, ResponseValidationError
from .._policies import PollingPolicy
from .._registration_results import OperationProgress, OperationProgressCallback
from .._rules._patch_plan import PatchModeChange, checked_plan, settings_in_place
from .._serde import from_wire
from ..models import (
    VirtualMachine,
    VirtualMachineAssessPatchesResult,
    VirtualMachineInstallPatchesParameters,
    VirtualMachineInstallPatchesResult,
    WireModel,
)
from . import _continuation, _lro
from . import _requests as requests
from ._context import RequestContext
from ._flow import Checkpoint, DeadlinePassed, Flow, Sleep, now, send
from ._pacing import within_deadline
from ._responses import parse, raise_for_status
from ._security import check_same_host, trusted_url

__all__ = [
    "Listing",
    "assess_patches",
    "call",
    "install_patches",
    "list_page",
    "patch_mode_change",
    "set_patch_mode",
]

logger = logging.getLogger("azpatch")
M = TypeVar("M", bound=WireModel)
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


def call(request: httpx.Request, cls: type[M], *, idempotent: bool = True) -> Flow[M]:
    """One request, one parsed response."""
    response = yield from send(request, idempotent=idempotent)
    raise_for_status(response)
    return parse(response, cls)


class Listing(Protocol[T_co]):
    """A page of an ARM list: its items and the link to the next page."""

    @property
    def value(self) -> tuple[T_co, ...] | None: ...

    @property
    def next_link(self) -> str | None: ...


def list_page(
    ctx: RequestContext, request: httpx.Request, cls: type[Listing[T]]
) -> Flow[tuple[tuple[T, ...], httpx.Request | None]]:
    """One page: its items, and the request for the next page (on the ARM host only)."""
    listing = yield from call(request, cls)  # type: ignore[type-var]
    if listing.next_link is None:
        return listing.value or (), None
    next_url = trusted_url(
        listing.next_link, base_url=ctx.base_url, relative_to=request.url, source="nextLink"
    )
    if next_url == str(request.url):
        raise ResponseValidationError(
            model=cls.__name__, path="$.nextLink", reason="it links to the same page again"
        )
    return listing.value or (), requests.get_url(ctx, next_url)


# -- long-running operations ---------------------------------------------------------------


def _out_of_polls(name: str, state: _lro.LroState, policy: PollingPolicy) -> PollingTimeoutError:
    return PollingTimeoutError(
        f"{name} still {state.status} after {state.polls} polls (the polling policy allows"
        f" {policy.deadline:g}s and {policy.max_polls} polls); it may still be running in Azure",
        last_status=state.status,
        continuation_token=_continuation.encode(state),
    )


def _operation(
    ctx: RequestContext,
    policy: PollingPolicy,
    name: str,
    initial: httpx.Request,
    cls: type[M],
    *,
    idempotent: bool,
    continuation_token: str | None,
    on_progress: Callable[[_lro.LroState, float, bool], None] | None = None,
) -> Flow[M]:
    if continuation_token is None:
        response = yield from send(initial, idempotent=idempotent)
        state, final = _lro.start(name, response, policy=policy, base_url=ctx.base_url)
    else:
        state, final = _continuation.decode(continuation_token, operation=name), None
        for url in (state.async_operation_url, state.location_url, state.resource_url):
            if url is not None:
                check_same_host(httpx.URL(url), ctx.base_url, source="a continuation token")
    started = yield from now()
    deadline = started + policy.deadline
    parsed: dict[str, httpx.URL] = {}  # a status URL is polled many times: parse it once
    while final is None:
        yield Checkpoint(state)
        wait = within_deadline(state.delay, left=deadline - (yield from now()), policy=policy)
        if state.polls >= policy.max_polls or wait is None:
            raise _out_of_polls(name, state, policy)
        yield Sleep(wait)
        url = _lro.polling_url(state)
        if url not in parsed:
            parsed[url] = httpx.URL(url)
        poll = requests.get_url(ctx, parsed[url])
        try:
            response = yield from send(poll, idempotent=True, deadline=deadline)
        except DeadlinePassed:
            raise _out_of_polls(name, state, policy) from None
        state, final = _lro.advance(state, response, policy=policy)
        if on_progress is not None:
            on_progress(state, (yield from now()) - started, final is not None)
    yield Checkpoint(state)
    return from_wire(cls, final.body)


def _reporter(
    operation: str, resource_group: str, vm_name: str, on_progress: OperationProgressCallback | None
) -> Callable[[_lro.LroState, float, bool], None] | None:
    if on_progress is None:
        return None
    vm = f"{resource_group}/{vm_name}"

    def report(state: _lro.LroState, elapsed: float, done: bool) -> None:
        on_progress(
            OperationProgress(
                vm=vm,
                operation=operation,
                status=state.status,
                polls=state.polls,
                elapsed=elapsed,
                done=done,
            )
        )

    return report


def assess_patches(
    ctx: RequestContext,
    policy: PollingPolicy,
    resource_group: str,
    vm_name: str,
    *,
    continuation_token: str | None = None,
    on_progress: OperationProgressCallback | None = None,
) -> Flow[VirtualMachineAssessPatchesResult]:
    # Assessing twice is harmless, so the POST may be re-sent after a transport error.
    request = requests.assess_patches(ctx, resource_group, vm_name)
    return _operation(
        ctx,
        policy,
        "assess_patches",
        request,
        VirtualMachineAssessPatchesResult,
        idempotent=True,
        continuation_token=continuation_token,
        on_progress=_reporter("assess_patches", resource_group, vm_name, on_progress),
    )


def install_patches(
    ctx: RequestContext,
    policy: PollingPolicy,
    resource_group: str,
    vm_name: str,
    parameters: VirtualMachineInstallPatchesParameters,
    *,
    continuation_token: str | None = None,
    on_progress: OperationProgressCallback | None = None,
) -> Flow[VirtualMachineInstallPatchesResult]:
    request = requests.install_patches(ctx, resource_group, vm_name, parameters)
    return _operation(
        ctx,
        policy,
        "install_patches",
        request,
        VirtualMachineInstallPatchesResult,
        idempotent=False,
        continuation_token=continuation_token,
        on_progress=_reporter("install_patches", resource_group, vm_name, on_progress),
    )


# -- patch mode ------------------------------------------------------------------------------


def set_patch_mode(
    ctx: RequestContext,
    policy: PollingPolicy,
    resource_group: str,
    vm_name: str,
    change: PatchModeChange,
    *,
    dry_run: bool,
) -> Flow[VirtualMachine]:
    """Read the VM, judge the change, and PATCH it only if Azure would accept it and the VM
    does not have the settings already."""
    vm, _ = yield from patch_mode_change(
        ctx, policy, resource_group, vm_name, change, dry_run=dry_run
    )
    return vm


def patch_mode_change(
    ctx: RequestContext,
    policy: PollingPolicy,
    resource_group: str,
    vm_name: str,
    change: PatchModeChange,
    *,
    dry_run: bool,
) -> Flow[tuple[VirtualMachine, bool]]:
    """``set_patch_mode``, also telling whether it wrote (False: dry run, or the VM has every
    setting asked for already, so nothing is written).

    The PATCH carries If-Match with the etag read, so a change made by someone
    else in between fails (412) instead of being overwritten.
    """
    read = requests.virtual_machine(ctx, resource_group, vm_name, expand="instanceView")
    vm = yield from call(read, VirtualMachine)
    if settings_in_place(vm, change):
        return vm, False
    plan = checked_plan(vm, change)
    for warning in plan.warnings:
        logger.warning("%s/%s: %s", resource_group, vm_name, warning)
    if dry_run or plan.body is None:
        return vm, False
    update = requests.update_virtual_machine(
        ctx, resource_group, vm_name, plan.body, if_match=vm.etag
    )
    updated = yield from _operation(
        ctx,
        policy,
        "set_patch_mode",
        update,
        VirtualMachine,
        idempotent=False,
        continuation_token=None,
    )
    return updated, True
