"""Time, injected: the only module of azpatch that reads the system clock or sleeps."""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """What a client needs of time; azpatch_fake's virtual clock is one.

    ``time`` is seconds since the epoch (token expiry, HTTP dates),
    ``monotonic`` measures waits, ``sleep`` and ``asleep`` wait.
    """

    def time(self) -> float: ...

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    async def asleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        return time.time()  # noqa: TID251

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)  # noqa: TID251

    async def asleep(self, seconds: float) -> None:
        import anyio  # noqa: PLC0415  (only async callers pay for it)

        await anyio.sleep(seconds)  # noqa: TID251

    def __repr__(self) -> str:
        return "SystemClock()"
