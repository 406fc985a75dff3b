"""Long-running operations as a pure state machine, in ARM's order of preference.

1. ``Azure-AsyncOperation``: poll it; its body's ``status`` says when the
   operation ended. On success the result of a POST is fetched from
   ``Location`` (``final-state-via: location``), else taken from
   ``properties.output``; the result of a PUT or PATCH is the resource itself.
2. ``Location``: poll it; 202 means running, 200 carries the result.
3. The body's ``properties.provisioningState``: poll the resource itself.

Terminal states are compared case-insensitively. ``Failed`` and ``Canceled``
raise ``OperationFailedError``; ``Succeeded`` yields the result's JSON. A
result whose own ``status`` is Failed is a successful operation: the caller
reads it.
"""

from __future__ import annotations

import attrs
import httpx

from .._exceptions import OperationFailedError
from .._policies import PollingPolicy
from .._serde import from_wire
from ..models import OperationStatusResult
from ._pacing import poll_interval
from ._responses import json_body, raise_for_status
from ._retry import retry_after_seconds
from ._security import trusted_url

__all__ = ["Final", "LroState", "advance", "polling_url", "start"]

SUCCEEDED = "succeeded"
_FAILED = frozenset({"failed", "canceled", "cancelled"})


@attrs.frozen(kw_only=True)
class LroState:
    """Where an operation stands; all of it fits in a continuation token."""

    operation: str
    status: str
    delay: float
    polls: int = 0
    async_operation_url: str | None = None
    location_url: str | None = None
    resource_url: str | None = None


@attrs.frozen
class Final:
    """The operation's result as decoded JSON (``None`` when it ended with no body)."""

    body: object


def polling_url(state: LroState) -> str:
    succeeded = state.status.casefold() == SUCCEEDED
    url = (
        state.async_operation_url
        if state.async_operation_url and not succeeded
        else state.location_url or state.resource_url
    )
    if url is None:
        raise AssertionError("an unfinished operation always has a URL to poll")
    return url


def _delay(response: httpx.Response, policy: PollingPolicy, polls: int) -> float:
    asked = retry_after_seconds(response.headers, now=None)
    return poll_interval(policy, polls, asked=asked, key=str(response.request.url))


def _trusted(response: httpx.Response, header: str, base_url: httpx.URL) -> str | None:
    value = response.headers.get(header)
    if value is None:
        return None
    return trusted_url(
        value, base_url=base_url, relative_to=response.request.url, source=f"the {header} header"
    )


def _provisioning_state(body: object) -> str | None:
    if isinstance(body, dict) and isinstance(properties := body.get("properties"), dict):
        state = properties.get("provisioningState")
        return state if isinstance(state, str) else None
    return None


def _failed(operation: str, status: str, body: object) -> OperationFailedError:
    result = from_wire(OperationStatusResult, body) if isinstance(body, dict) else None
    return OperationFailedError(
        status=status, error=result.error if result else None, operation=operation
    )


def start(
    operation: str, response: httpx.Response, *, policy: PollingPolicy, base_url: httpx.URL
) -> tuple[LroState, Final | None]:
    """Read the initial response: the operation is either done or has a way to be polled."""
    raise_for_status(response)
    async_operation_url = _trusted(response, "Azure-AsyncOperation", base_url)
    location_url = _trusted(response, "Location", base_url)
    writes_resource = response.request.method in ("PUT", "PATCH")
    if response.status_code not in (201, 202) or (writes_resource and async_operation_url):
        location_url = None  # a 200 with a Location header is already the result
    resource_url = str(response.request.url) if writes_resource else None
    body = json_body(response, operation) if response.content else None
    state = LroState(
        operation=operation,
        status="InProgress",
        delay=_delay(response, policy, 0),
        async_operation_url=async_operation_url,
        location_url=location_url,
        resource_url=resource_url if async_operation_url else None,
    )
    if async_operation_url or location_url:
        return state, None
    provisioning = _provisioning_state(body)
    if provisioning is None or provisioning.casefold() == SUCCEEDED:
        return attrs.evolve(state, status="Succeeded"), Final(body)
    if provisioning.casefold() in _FAILED:
        raise _failed(operation, provisioning, body)
    resource_url = str(response.request.url)
    return attrs.evolve(state, status=provisioning, resource_url=resource_url), None


def advance(
    state: LroState, response: httpx.Response, *, policy: PollingPolicy
) -> tuple[LroState, Final | None]:
    """Read one poll's response."""
    raise_for_status(response)
    polls = state.polls + 1
    polled = attrs.evolve(state, polls=polls, delay=_delay(response, policy, polls))
    succeeded = state.status.casefold() == SUCCEEDED
    if state.async_operation_url and not succeeded:
        body = json_body(response, "OperationStatusResult")
        status = from_wire(OperationStatusResult, body).status or "InProgress"
        if status.casefold() in _FAILED:
            raise _failed(state.operation, status, body)
        if status.casefold() != SUCCEEDED:
            return attrs.evolve(polled, status=status), None
        if state.location_url or state.resource_url:  # fetch the result without waiting
            return attrs.evolve(polled, status=status, delay=0.0), None
        output = body.get("properties", {}).get("output") if isinstance(body, dict) else None
        return attrs.evolve(polled, status=status), Final(output)
    if state.location_url:
        if response.status_code == 202:
            return polled, None
        body = json_body(response, state.operation) if response.content else None
        return attrs.evolve(polled, status="Succeeded"), Final(body)
    body = json_body(response, state.operation)
    provisioning = _provisioning_state(body) or "Succeeded"
    if provisioning.casefold() in _FAILED:
        raise _failed(state.operation, provisioning, body)
    if provisioning.casefold() == SUCCEEDED:
        return attrs.evolve(polled, status=provisioning), Final(body)
    return attrs.evolve(polled, status=provisioning), None
