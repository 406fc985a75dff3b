"""A manual clock for tests: sleeping moves time forward at once, and is recorded."""

from __future__ import annotations


class ManualClock:
    def __init__(self, *, start: float = 1_800_000_000.0) -> None:
        self._epoch = start
        self._monotonic = 1000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self._epoch

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        self._epoch += seconds
        self._monotonic += seconds

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, seconds
        self.slept.append(seconds)
        self.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
