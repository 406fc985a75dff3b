"""Fault injection: scripted failures per route and call count.

A plan says which call of which route fails and how: ``fake.faults.add(
"assess_patches", Throttle(retry_after=30), on_calls={1})``. Route names are
the handlers' names (``get_vm``, ``get_instance_view``, ``assess_patches``,
``install_patches``, ``get_operation``, ``register_feature``, ...).
Faults that stand for a request ARM never processed (throttling, server
errors, and connection failures with ``after=False``) leave the world unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

import attrs
import httpx

from ._wire import ArmError

__all__ = [
    "ConnectionReset",
    "Fault",
    "FaultPlan",
    "Malformed",
    "ReadTimeout",
    "ServerError",
    "Slow",
    "Throttle",
    "Truncated",
]


@attrs.frozen
class Throttle:
    """429 TooManyRequests with Retry-After, as ARM throttles."""

    retry_after: int = 30


@attrs.frozen
class ServerError:
    """An ARM error response: ``status`` with ARM's error body of ``code``."""

    status: int = 500
    code: str = "InternalServerError"


@attrs.frozen
class ConnectionReset:
    """The connection drops; with ``after=True`` the request was processed first."""

    after: bool = False


@attrs.frozen
class ReadTimeout:
    """No answer in time; with ``after=True`` the request was processed first."""

    after: bool = False


@attrs.frozen
class Malformed:
    """A 200 whose body is not JSON."""


@attrs.frozen
class Truncated:
    """The real answer, cut off half-way through its body."""


@attrs.frozen
class Slow:
    """The real answer, after ``seconds`` of virtual time."""

    seconds: float


Fault = Throttle | ServerError | ConnectionReset | ReadTimeout | Malformed | Truncated | Slow


@attrs.define
class _Rule:
    route: str
    fault: Fault
    on_calls: frozenset[int] | None
    remaining: int | None


class FaultPlan:
    """The faults of one world; ``apply`` is called for every request the fake routes."""

    def __init__(self) -> None:
        self._rules: list[_Rule] = []
        self._calls: Counter[str] = Counter()

    def add(
        self,
        route: str,
        fault: Fault,
        *,
        on_calls: Iterable[int] | None = None,
        times: int | None = None,
    ) -> None:
        """Make ``route`` fail with ``fault`` on the given 1-based calls, or the next ``times``.

        With neither, every call fails until ``clear()``.
        """
        calls = frozenset(on_calls) if on_calls is not None else None
        self._rules.append(_Rule(route, fault, calls, times))

    def clear(self) -> None:
        """Drop every fault added."""
        self._rules.clear()

    def calls(self, route: str) -> int:
        """How many requests ``route`` has received so far."""
        return self._calls[route]

    def _due(self, route: str) -> Fault | None:
        self._calls[route] += 1
        number = self._calls[route]
        for rule in self._rules:
            if rule.route != route:
                continue
            if rule.on_calls is not None and number not in rule.on_calls:
                continue
            if rule.remaining is not None:
                if rule.remaining <= 0:
                    continue
                rule.remaining -= 1
            return rule.fault
        return None

    def apply(
        self,
        route: str,
        request: httpx.Request,
        respond: Callable[[], httpx.Response],
        advance: Callable[[float], None],
    ) -> httpx.Response:
        """The response to ``request``, after whatever fault is planned for this call."""
        fault = self._due(route)
        if fault is None:
            return respond()
        if isinstance(fault, Throttle):
            raise ArmError(
                429,
                "TooManyRequests",
                "The request is being throttled.",
                retry_after=fault.retry_after,
            )
        if isinstance(fault, ServerError):
            raise ArmError(fault.status, fault.code, "The server failed to process the request.")
        if isinstance(fault, ConnectionReset | ReadTimeout):
            if fault.after:
                respond()
            error = httpx.ReadError if isinstance(fault, ConnectionReset) else httpx.ReadTimeout
            raise error("injected by azpatch_fake", request=request)
        if isinstance(fault, Malformed):
            return httpx.Response(
                200, content=b"{not json", headers={"Content-Type": "application/json"}
            )
        if isinstance(fault, Slow):
            advance(fault.seconds)
            return respond()
        response = respond()
        cut = response.content[: len(response.content) // 2]
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(response.status_code, content=cut, headers=headers)
