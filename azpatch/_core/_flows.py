"""One generator per operation: the only place an operation's sequence of requests lives.

Each flow yields effects (see ``_flow``) and returns the parsed result.
Request building and response reading are delegated to ``_requests``,
``_responses`` and ``_lro``, so a flow reads as the operation's story.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar

import attrs
import httpx

from .._exceptions import (
    OperationFailedError,
    PollingTimeoutError,
    ResponseValidationError,
)
from .._policies import PollingPolicy
from .._registration_results import (
    GuestPatchingPreview,
    PatchModeProgress,
    PatchModeProgressCallback,
    ProgressCallback,
    RegistrationProgress,
)
from .._rules._patch_plan import PatchModeChange, checked_plan, settings_in_place
from .._serde import from_wire
from ..models import (
    FeatureResult,
    Provider,
    VirtualMachine,
    VirtualMachineAssessPatchesResult,
    VirtualMachineInstallPatchesParameters,
    VirtualMachineInstallPatchesResult,
    VirtualMachineInstanceView,
    WireModel,
)
from . import _continuation, _lro
from . import _requests as requests
from ._context import RequestContext
from ._flow import Checkpoint, Flow, Sleep, now, send
from ._responses import parse, raise_for_status
from ._security import check_same_host, trusted_url
from ._validation import check_feature_name, check_namespace

__all__ = [
    "PREVIEW_FEATURES",
    "Listing",
    "Registration",
    "assess_patches",
    "call",
    "enable_guest_patching_preview",
    "feature_registration",
    "install_patches",
    "list_page",
    "patch_mode_change",
    "provider_registration",
    "set_patch_mode",
    "wait_for_patch_mode_ready",
    "wait_until_registered",
]

logger = logging.getLogger("azpatch")
M = TypeVar("M", bound=WireModel)
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

COMPUTE = "Microsoft.Compute"
PREVIEW_FEATURES = ("InGuestAutoPatchVMPreview", "InGuestPatchVMPreview")
_REGISTERED = "registered"
# States from which a feature or provider will not become Registered by waiting.
_NOT_REGISTERING = frozenset({"notregistered", "unregistered", "unregistering"})


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


def _operation(
    ctx: RequestContext,
    policy: PollingPolicy,
    name: str,
    initial: httpx.Request,
    cls: type[M],
    *,
    idempotent: bool,
    continuation_token: str | None,
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
    parsed: dict[str, httpx.URL] = {}  # a status URL is polled many times: parse it once
    while final is None:
        yield Checkpoint(state)
        elapsed = (yield from now()) - started
        if state.polls >= policy.max_polls or elapsed + state.delay > policy.deadline:
            raise PollingTimeoutError(
                f"{name} still {state.status} after {state.polls} polls and {elapsed:.0f}s"
                " (the polling policy's limits); it may still be running in Azure",
                last_status=state.status,
                continuation_token=_continuation.encode(state),
            )
        yield Sleep(state.delay)
        url = _lro.polling_url(state)
        if url not in parsed:
            parsed[url] = httpx.URL(url)
        poll = requests.get_url(ctx, parsed[url])
        response = yield from send(poll, idempotent=True)
        state, final = _lro.advance(state, response, policy=policy)
    yield Checkpoint(state)
    return from_wire(cls, final.body)


def assess_patches(
    ctx: RequestContext,
    policy: PollingPolicy,
    resource_group: str,
    vm_name: str,
    *,
    continuation_token: str | None = None,
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
    )


def install_patches(
    ctx: RequestContext,
    policy: PollingPolicy,
    resource_group: str,
    vm_name: str,
    parameters: VirtualMachineInstallPatchesParameters,
    *,
    continuation_token: str | None = None,
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
    )


# -- registration ----------------------------------------------------------------------------


R = TypeVar("R", FeatureResult, Provider)


@attrs.frozen
class Registration(Generic[R]):
    """Something that registers (a feature, a provider): its name and how to read it."""

    name: str
    read: Callable[[], httpx.Request]
    cls: type[R]


def feature_registration(
    ctx: RequestContext, namespace: str, feature_name: str
) -> Registration[FeatureResult]:
    check_namespace(namespace)  # now, not at the first poll
    check_feature_name(feature_name)
    return Registration(
        f"{namespace}/{feature_name}",
        lambda: requests.feature(ctx, namespace, feature_name),
        FeatureResult,
    )


def provider_registration(ctx: RequestContext, namespace: str) -> Registration[Provider]:
    check_namespace(namespace)
    return Registration(namespace, lambda: requests.provider(ctx, namespace), Provider)


def _state_of(result: FeatureResult | Provider) -> str:
    if isinstance(result, Provider):
        return str(result.registration_state or "")
    return str(result.properties.state or "") if result.properties else ""


def _is_registered(result: FeatureResult | Provider) -> bool:
    return _state_of(result).casefold() == _REGISTERED


def _wait_registered(
    policy: PollingPolicy,
    targets: Sequence[Registration[R]],
    *,
    timeout: float,
    on_progress: ProgressCallback | None,
) -> Flow[list[R]]:
    """Poll every target until all read Registered (in any case), or time runs out."""
    started = yield from now()
    results: dict[str, R] = {}
    while True:
        for target in targets:
            if target.name in results:
                continue
            result = yield from call(target.read(), target.cls)
            state = _state_of(result)
            elapsed = (yield from now()) - started
            registered = _is_registered(result)
            if on_progress is not None:
                on_progress(
                    RegistrationProgress(
                        name=target.name, state=state, elapsed=elapsed, registered=registered
                    )
                )
            if registered:
                results[target.name] = result
            elif state.casefold() in _NOT_REGISTERING:
                raise OperationFailedError(
                    status=state, error=None, operation=f"registration of {target.name}"
                )
        if len(results) == len(targets):
            return [results[target.name] for target in targets]
        elapsed = (yield from now()) - started
        if elapsed + policy.interval > timeout:
            waiting = ", ".join(t.name for t in targets if t.name not in results)
            raise PollingTimeoutError(
                f"{waiting} not Registered after {elapsed:.0f}s (timeout {timeout:.0f}s)",
                last_status=None,
                continuation_token=None,
            )
        yield Sleep(policy.interval)


def wait_until_registered(
    policy: PollingPolicy,
    target: Registration[R],
    *,
    timeout: float,
    on_progress: ProgressCallback | None,
) -> Flow[R]:
    (result,) = yield from _wait_registered(
        policy, [target], timeout=timeout, on_progress=on_progress
    )
    return result


def enable_guest_patching_preview(
    ctx: RequestContext,
    policy: PollingPolicy,
    *,
    timeout: float,
    on_progress: ProgressCallback | None,
) -> Flow[GuestPatchingPreview]:
    """Register both preview features, wait, then re-register Microsoft.Compute and wait.

    Whatever is Registered already is left alone; when everything is, nothing is written.
    """
    started = yield from now()
    targets = [feature_registration(ctx, COMPUTE, name) for name in PREVIEW_FEATURES]
    features: list[FeatureResult] = []
    for name in PREVIEW_FEATURES:
        feature = yield from call(requests.feature(ctx, COMPUTE, name), FeatureResult)
        if not _is_registered(feature):
            feature = yield from call(requests.register_feature(ctx, COMPUTE, name), FeatureResult)
        features.append(feature)
    changed = not all(_is_registered(f) for f in features)
    if changed:
        features = yield from _wait_registered(
            policy, targets, timeout=timeout, on_progress=on_progress
        )
    provider = yield from call(requests.provider(ctx, COMPUTE), Provider)
    if changed or not _is_registered(provider):
        # Registering the provider again propagates the new features to it.
        yield from call(requests.register_provider(ctx, COMPUTE), Provider)
        changed = True
        remaining = timeout - ((yield from now()) - started)
        provider = yield from wait_until_registered(
            policy, provider_registration(ctx, COMPUTE), timeout=remaining, on_progress=on_progress
        )
    return GuestPatchingPreview(features=tuple(features), provider=provider, changed=changed)


# -- patch mode ------------------------------------------------------------------------------

_MODE_STATE = "PatchModeConfigurationState/"


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


def _patch_mode_state(view: VirtualMachineInstanceView) -> str:
    statuses = view.patch_status.configuration_statuses if view.patch_status else None
    for status in statuses or ():
        if status.code and status.code.startswith(_MODE_STATE):
            return status.code.removeprefix(_MODE_STATE)
    return "Unknown"


def wait_for_patch_mode_ready(
    ctx: RequestContext,
    policy: PollingPolicy,
    resource_group: str,
    vm_name: str,
    *,
    timeout: float,
    on_progress: PatchModeProgressCallback | None,
) -> Flow[VirtualMachineInstanceView]:
    """Poll the instance view until its PatchModeConfigurationState is Ready.

    Enablement runs in the VM's off-peak hours and can take more than three hours.
    """
    started = yield from now()
    while True:
        view = yield from call(
            requests.instance_view(ctx, resource_group, vm_name), VirtualMachineInstanceView
        )
        state = _patch_mode_state(view)
        elapsed = (yield from now()) - started
        ready = state.casefold() == "ready"
        if on_progress is not None:
            on_progress(
                PatchModeProgress(
                    vm=f"{resource_group}/{vm_name}", state=state, elapsed=elapsed, ready=ready
                )
            )
        if ready:
            return view
        if elapsed + policy.interval > timeout:
            raise PollingTimeoutError(
                f"the patch mode of {resource_group}/{vm_name} is still {state} after"
                f" {elapsed:.0f}s (timeout {timeout:.0f}s)",
                last_status=state,
                continuation_token=None,
            )
        yield Sleep(policy.interval)
