"""Time, injected: the only module of azpatch that reads the system clock or sleeps.

A client built without ``clock=`` waits on ``DEFAULT_CLOCK``: the system's
clock, unless a test harness has installed another with ``default_clock()``.
That is how a script that builds its own client runs on a fake's virtual
time without being changed; azpatch knows nothing of the fake.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, runtime_checkable

__all__ = ["DEFAULT_CLOCK", "Clock", "SystemClock", "default_clock"]


@runtime_checkable
class Clock(Protocol):
    """What a client needs of time; azpatch_fake's virtual clock is one.

    ``time`` is seconds since the epoch (token expiry, HTTP dates),
    ``monotonic`` measures waits, ``sleep`` and ``asleep`` wait.
    """

    def time(self) -> float:
        """Seconds since the epoch."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start that never goes back: waits are measured on it."""

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (a virtual clock moves on instead)."""

    async def asleep(self, seconds: float) -> None:
        """Wait ``seconds`` without blocking the event loop."""


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        """``time.time()``."""
        return time.time()  # noqa: TID251

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """``time.sleep(seconds)``."""
        time.sleep(seconds)  # noqa: TID251

    async def asleep(self, seconds: float) -> None:
        """``anyio.sleep(seconds)``: asyncio or trio."""
        import anyio  # noqa: PLC0415  (only async callers pay for it)

        await anyio.sleep(seconds)  # noqa: TID251

    def __repr__(self) -> str:
        return "SystemClock()"


_SYSTEM = SystemClock()
# Process-wide, not per context: a client built in another thread of a test
# must follow the same clock as the test.
_installed: list[Clock] = []
_installed_lock = threading.Lock()


class _DefaultClock:
    """The clock of clients built without one; asks, at every call, which clock is current,
    so a client built before a harness installed its clock follows it too."""

    @staticmethod
    def current() -> Clock:
        return _installed[-1] if _installed else _SYSTEM

    def time(self) -> float:
        return self.current().time()

    def monotonic(self) -> float:
        return self.current().monotonic()

    def sleep(self, seconds: float) -> None:
        self.current().sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        await self.current().asleep(seconds)

    def __repr__(self) -> str:
        return f"DefaultClock({self.current()!r})"


DEFAULT_CLOCK = _DefaultClock()


@contextmanager
def default_clock(clock: Clock) -> Iterator[Clock]:
    """While active, every client built without ``clock=`` waits on ``clock``.

    For test harnesses: ``azpatch_fake``'s fixture installs its virtual clock
    this way, so a Retry-After of 30 s or a 4-hour installation costs no real
    time. Clients given a clock keep theirs. Installations nest; leaving one
    restores the clock that was current before it.
    """
    if not isinstance(clock, Clock):
        raise TypeError("clock needs time(), monotonic(), sleep() and asleep(), as azpatch.Clock")
    with _installed_lock:
        _installed.append(clock)
    try:
        yield clock
    finally:
        with _installed_lock:
            # Remove this installation, even if another thread's left out of order.
            for index in range(len(_installed) - 1, -1, -1):
                if _installed[index] is clock:
                    del _installed[index]
                    break
