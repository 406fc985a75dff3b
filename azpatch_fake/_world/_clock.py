"""Virtual time: it moves only when told, or when a client sleeps through it.

A client built with ``clock=fake.clock`` (or any client built inside
``fake.intercept()``) sleeps by advancing this clock, so Retry-After, polling
and a month of rollout cost no real time. Events scheduled with ``call_at``
run in time order as the clock passes them. The world's lock is held while
time moves: clients in other threads (the official SDK polls in one) advance
it safely.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

__all__ = ["VirtualClock"]


class VirtualClock:
    """A clock for the fake world and for the clients that talk to it.

    ``time()`` and ``now()`` are the world's wall clock, ``monotonic()``
    counts seconds since the world began. Time never goes backwards.
    """

    def __init__(self, start: datetime, *, lock: threading.RLock | None = None) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware, for example datetime(..., tzinfo=UTC)")
        self._start = start.astimezone(timezone.utc)
        self._origin = self._start.timestamp()
        self._elapsed = 0.0
        self._events: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self.slept: list[float] = []
        self.lock = lock or threading.RLock()

    def now(self) -> datetime:
        """The world's wall clock, as an aware datetime in UTC."""
        return self._start + timedelta(seconds=self._elapsed)

    def time(self) -> float:
        """The world's wall clock, in seconds since the epoch."""
        return self._origin + self._elapsed

    def monotonic(self) -> float:
        """Virtual seconds since the world began."""
        return self._elapsed

    def call_at(self, when: datetime, callback: Callable[[], None]) -> None:
        """Run ``callback`` when the clock reaches ``when`` (at once if it has)."""
        with self.lock:
            at = max((when - self._start).total_seconds(), self._elapsed)
            heapq.heappush(self._events, (at, next(self._order), callback))
            self._run_due()

    def call_at_epoch(self, when: float, callback: Callable[[], None]) -> None:
        """Run ``callback`` at ``when`` (UTC epoch seconds), which must lie ahead."""
        with self.lock:
            at = when - self._origin
            if at <= self._elapsed:
                raise ValueError("call_at_epoch needs a moment ahead of now")
            heapq.heappush(self._events, (at, next(self._order), callback))

    def call_later(self, seconds: float, callback: Callable[[], None]) -> None:
        """Run ``callback`` when ``seconds`` more have passed on this clock."""
        self.call_at(self.now() + timedelta(seconds=seconds), callback)

    def advance(self, seconds: float | timedelta) -> None:
        """Move time forward, running every event due on the way, in time order."""
        step = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
        if step < 0:
            raise ValueError("time cannot go backwards")
        with self.lock:
            target = self._elapsed + step
            while self._events and self._events[0][0] <= target:
                at, _, callback = heapq.heappop(self._events)
                self._elapsed = max(self._elapsed, at)
                callback()
            self._elapsed = target

    def run_until(self, when: datetime) -> None:
        """Advance to ``when`` (nothing happens if it has passed)."""
        self.advance(max((when - self.now()).total_seconds(), 0.0))

    def _run_due(self) -> None:
        while self._events and self._events[0][0] <= self._elapsed:
            callback = heapq.heappop(self._events)[2]
            callback()

    # -- what a client needs of a clock (azpatch.Clock) --------------------------------------

    def sleep(self, seconds: float) -> None:
        """Advance the clock by ``seconds`` (a client's wait costs no real time)."""
        with self.lock:
            self.slept.append(seconds)
            self.advance(max(seconds, 0.0))

    async def asleep(self, seconds: float) -> None:
        """Let other tasks run, then advance the clock by ``seconds``."""
        import anyio  # noqa: PLC0415  (only async callers pay for it)

        await anyio.lowlevel.checkpoint()  # let other tasks run, as a real sleep would
        self.sleep(seconds)

    def __repr__(self) -> str:
        return f"VirtualClock(now={self.now().isoformat()})"
