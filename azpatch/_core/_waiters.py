"""Flows that poll until something is ready: registrations and a VM's patch mode.

They back off between polls (see ``_pacing``), honour a Retry-After sent with
a poll's answer, report every poll to ``on_progress``, and end by their
``timeout``: a poll in flight at the deadline is cut, and the wait ends with
``PollingTimeoutError``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import attrs
import httpx

from .._exceptions import OperationFailedError, PollingTimeoutError
from .._policies import PollingPolicy
from .._registration_results import (
    GuestPatchingPreview,
    PatchModeProgress,
    PatchModeProgressCallback,
    ProgressCallback,
    RegistrationProgress,
)
from ..models import FeatureResult, Provider, VirtualMachineInstanceView, WireModel
from . import _requests as requests
from ._context import RequestContext
from ._flow import DeadlinePassed, Flow, Sleep, now, send
from ._flows import call
from ._pacing import poll_interval, within_deadline
from ._responses import parse, raise_for_status
from ._retry import retry_after_seconds
from ._validation import check_feature_name, check_namespace

__all__ = [
    "PREVIEW_FEATURES",
    "Registration",
    "enable_guest_patching_preview",
    "feature_registration",
    "provider_registration",
    "wait_for_patch_mode_ready",
    "wait_until_registered",
]

M = TypeVar("M", bound=WireModel)
COMPUTE = "Microsoft.Compute"
PREVIEW_FEATURES = ("InGuestAutoPatchVMPreview", "InGuestPatchVMPreview")
_REGISTERED = "registered"
# States from which a feature or provider will not become Registered by waiting.
_NOT_REGISTERING = frozenset({"notregistered", "unregistered", "unregistering"})
_MODE_STATE = "PatchModeConfigurationState/"


@attrs.define
class _Waiting:
    """One wait's deadline and pace: how many rounds of polls so far, and the URL polled
    and the Retry-After sent with the last answer."""

    policy: PollingPolicy
    deadline: float
    rounds: int = 0
    asked: float | None = None
    polled: str = ""

    def poll(
        self, request: httpx.Request, cls: type[M], timed_out: Callable[[], PollingTimeoutError]
    ) -> Flow[M]:
        try:
            response = yield from send(request, idempotent=True, deadline=self.deadline)
        except DeadlinePassed:
            raise timed_out() from None
        raise_for_status(response)
        self.asked = retry_after_seconds(response.headers, now=None)
        self.polled = str(request.url)
        return parse(response, cls)

    def pause(self) -> Flow[bool]:
        """Sleep until the next round; False when the deadline leaves no time for one."""
        wait = poll_interval(self.policy, self.rounds, asked=self.asked, key=self.polled)
        self.rounds += 1
        wait_left = within_deadline(
            wait, left=self.deadline - (yield from now()), policy=self.policy
        )
        if wait_left is None:
            return False
        yield Sleep(wait_left)
        return True


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
    waiting = _Waiting(policy, started + timeout)
    results: dict[str, R] = {}

    def timed_out() -> PollingTimeoutError:
        names = ", ".join(t.name for t in targets if t.name not in results)
        return PollingTimeoutError(
            f"{names} not Registered within the timeout of {timeout:g}s",
            last_status=None,
            continuation_token=None,
        )

    while True:
        for target in targets:
            if target.name in results:
                continue
            result = yield from waiting.poll(target.read(), target.cls, timed_out)
            state = _state_of(result)
            registered = _is_registered(result)
            if on_progress is not None:
                elapsed = (yield from now()) - started
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
        if not (yield from waiting.pause()):
            raise timed_out()


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

    Enablement runs in the VM's off-peak hours and can take more than three hours,
    which is why the polls back off.
    """
    started = yield from now()
    waiting = _Waiting(policy, started + timeout)
    state = "Unknown"

    def timed_out() -> PollingTimeoutError:
        return PollingTimeoutError(
            f"the patch mode of {resource_group}/{vm_name} is still {state} at the timeout"
            f" of {timeout:g}s",
            last_status=state,
            continuation_token=None,
        )

    while True:
        request = requests.instance_view(ctx, resource_group, vm_name)
        view = yield from waiting.poll(request, VirtualMachineInstanceView, timed_out)
        state = _patch_mode_state(view)
        ready = state.casefold() == "ready"
        if on_progress is not None:
            elapsed = (yield from now()) - started
            on_progress(
                PatchModeProgress(
                    vm=f"{resource_group}/{vm_name}", state=state, elapsed=elapsed, ready=ready
                )
            )
        if ready:
            return view
        if not (yield from waiting.pause()):
            raise timed_out()
