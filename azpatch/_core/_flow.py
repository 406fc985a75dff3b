"""The effects a flow yields, and the reply each one gets from the driver that runs it.

A flow is a generator: it yields ``Send`` (reply: the fully read response),
``Sleep`` (reply: ``None``), ``Now`` (reply: the clock's monotonic seconds)
or ``Checkpoint`` (reply: ``None``), and returns the operation's result. A
``Send`` with a ``deadline`` that passes before its answer is answered by
throwing ``DeadlinePassed`` into the flow, which says what that means.
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
    "DeadlinePassed",
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
    """Send ``request``; ``idempotent`` says whether it may be re-sent after it may have arrived.

    ``deadline`` (the clock's monotonic seconds) is when the flow stops waiting for the
    answer, retries included; the retry policy's own deadline bounds it in any case.
    """

    request: httpx.Request
    idempotent: bool
    deadline: float | None = None


class DeadlinePassed(Exception):
    """Thrown into a flow whose ``Send`` got no answer by its ``deadline``; a signal to the
    flow, which raises its own error, never one for a caller."""


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


def send(
    request: httpx.Request, *, idempotent: bool, deadline: float | None = None
) -> Generator[Effect, Reply, httpx.Response]:
    reply = yield Send(request, idempotent, deadline)
    if not isinstance(reply, httpx.Response):
        raise AssertionError("a driver answers Send with a response")
    return reply


def now() -> Generator[Effect, Reply, float]:
    reply = yield NOW
    if not isinstance(reply, float):
        raise AssertionError("a driver answers Now with a float")
    return reply
