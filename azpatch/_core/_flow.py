"""The effects a flow yields, and the reply each one gets from the driver that runs it.

A flow is a generator: it yields ``Send`` (reply: the fully read response),
``Sleep`` (reply: ``None``), ``Now`` (reply: the clock's monotonic seconds)
or ``Checkpoint`` (reply: ``None``), and returns the operation's result.
``Client`` and ``AsyncClient`` only run flows, so an operation behaves the
same on both.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TypeAlias, TypeVar

import attrs
import httpx

from ._lro import LroState

__all__ = [
    "NOW",
    "Checkpoint",
    "Effect",
    "Flow",
    "Now",
    "Reply",
    "Send",
    "Sleep",
    "now",
    "send",
]

T = TypeVar("T")


@attrs.frozen
class Send:
    """Send ``request``; ``idempotent`` says whether it may be re-sent after it may have arrived."""

    request: httpx.Request
    idempotent: bool


@attrs.frozen
class Sleep:
    seconds: float


@attrs.frozen
class Checkpoint:
    """A long-running operation's state, from which a poller reports status and resumes."""

    state: LroState


@attrs.frozen
class Now:
    """Ask the driver for its clock's monotonic time."""


NOW = Now()

Effect: TypeAlias = Send | Sleep | Now | Checkpoint
Reply: TypeAlias = httpx.Response | float | None
Flow: TypeAlias = Generator[Effect, Reply, T]


def send(request: httpx.Request, *, idempotent: bool) -> Generator[Effect, Reply, httpx.Response]:
    reply = yield Send(request, idempotent)
    if not isinstance(reply, httpx.Response):
        raise AssertionError("a driver answers Send with a response")
    return reply


def now() -> Generator[Effect, Reply, float]:
    reply = yield NOW
    if not isinstance(reply, float):
        raise AssertionError("a driver answers Now with a float")
    return reply
