"""Running a flow one decision at a time, so a driver only performs what it is told.

The stepper keeps the flow's pending effect, the time a pending sleep ends,
and the latest checkpoint. ``decide`` says what to do next given the time:
perform an effect, sleep, stop because the caller's wait is over, or stop
because the flow is finished. Pollers use it to make progress only when
asked, and without a thread.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import attrs

from .._exceptions import PollingTimeoutError
from . import _continuation
from ._flow import Checkpoint, Effect, Flow, Now, Reply, Send, Sleep
from ._lro import LroState

__all__ = ["Finished", "Perform", "Stepper", "TimedOut", "Wait"]

T = TypeVar("T")


@attrs.frozen
class Perform:
    """Perform this ``Send`` (reply with the response) or ``Now`` (reply with the time)."""

    effect: Send | Now


@attrs.frozen
class Wait:
    """Sleep this long, then decide again."""

    seconds: float


@attrs.frozen
class TimedOut:
    """The caller's wait is over before the flow is: raise ``stepper.timeout_error()``."""


@attrs.frozen
class Finished:
    """The flow returned, or the caller asked not to block and nothing is due yet."""


class Stepper(Generic[T]):
    def __init__(self, flow: Flow[T]) -> None:
        self._flow = flow
        self._started = False
        self._pending: Effect | None = None
        self._wake_at = 0.0
        self._done = False
        self._result: T | None = None
        self._error: BaseException | None = None
        self.checkpoint: LroState | None = None

    @property
    def done(self) -> bool:
        return self._done

    def result(self) -> T:
        """The flow's return value, or the exception it ended with, raised again."""
        if self._error is not None:
            raise self._error
        if not self._done:
            raise AssertionError("the flow has not finished")
        return self._result  # type: ignore[return-value]

    def _advance(self, reply: Reply, *, now: float, thrown: BaseException | None = None) -> None:
        self._started = True
        try:
            effect = self._flow.send(reply) if thrown is None else self._flow.throw(thrown)
            while isinstance(effect, Checkpoint):
                self.checkpoint = effect.state
                effect = self._flow.send(None)
        except StopIteration as stop:
            self._done, self._result, self._pending = True, stop.value, None
            return
        except Exception as error:  # the flow is over; result() raises why
            self._done, self._error, self._pending = True, error, None
            return
        self._pending = effect
        if isinstance(effect, Sleep):
            self._wake_at = now + effect.seconds

    def decide(
        self, now: float, *, until: float | None = None, block: bool = True
    ) -> Perform | Wait | TimedOut | Finished:
        if not self._started:
            self._advance(None, now=now)
        effect = self._pending
        if effect is None:
            return Finished()
        if isinstance(effect, Send | Now):
            return Perform(effect)
        if not isinstance(effect, Sleep):
            raise AssertionError("checkpoints are consumed as they come")
        if now >= self._wake_at:
            self._advance(None, now=now)
            return self.decide(now, until=until, block=block)
        if not block:
            return Finished()
        if until is not None and self._wake_at > until:
            return TimedOut() if now >= until else Wait(until - now)
        return Wait(self._wake_at - now)

    def reply(self, reply: Reply, *, now: float) -> None:
        """Answer the pending ``Send`` or ``Now``."""
        self._advance(reply, now=now)

    def fail(self, error: BaseException, *, now: float) -> None:
        """Answer the pending ``Send`` by raising ``error`` where the flow waits for it."""
        self._advance(None, now=now, thrown=error)

    def describe(self) -> str:
        operation = self.checkpoint.operation if self.checkpoint else "operation"
        return f"{operation} {self.status()}{' (done)' if self._done else ''}"

    def status(self) -> str:
        if self.checkpoint is None:
            return "InProgress"
        return self.checkpoint.status

    def continuation_token(self) -> str:
        if self.checkpoint is None:
            raise AssertionError("a poller exists only after the operation's first checkpoint")
        return _continuation.encode(self.checkpoint)

    def timeout_error(self, waited: float) -> PollingTimeoutError:
        operation = self.checkpoint.operation if self.checkpoint else "the operation"
        return PollingTimeoutError(
            f"{operation} still {self.status()} after waiting {waited:.0f}s;"
            " it may still be running in Azure",
            last_status=self.status(),
            continuation_token=self.continuation_token(),
        )
