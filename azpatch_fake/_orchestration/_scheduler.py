"""Events of the orchestration on the virtual clock, bucketed by moment.

Millions of actions wait for later moments in a month of a large fleet; they
are kept as two parallel lists per distinct moment, with one clock event
each, not as a closure or a pair per action: those would reach the garbage
collector's oldest generation by millions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._world._clock import VirtualClock

__all__ = ["Action", "EventScheduler"]

Action = Callable[[Any, float], None]


class EventScheduler:
    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock
        self._buckets: dict[float, tuple[list[Action], list[Any]]] = {}

    def at(self, when: float, action: Action, subject: Any) -> None:
        """Run ``action(subject, when)`` at ``when`` (UTC epoch seconds)."""
        bucket = self._buckets.get(when)
        if bucket is None:
            bucket = self._buckets[when] = ([], [])
            self._clock.call_at_epoch(when, lambda: self._run(when))
        bucket[0].append(action)
        bucket[1].append(subject)

    def at_each(self, when: float, action: Action, subjects: list[Any]) -> None:
        """Run ``action(subjects, when)`` at ``when``; ``subjects`` join those of the same
        action if it was the last one scheduled for that moment: one call for many."""
        bucket = self._buckets.get(when)
        if bucket is not None and bucket[0][-1] is action:
            bucket[1][-1].extend(subjects)
        else:
            self.at(when, action, list(subjects))  # its own list: later ones extend it

    def _run(self, when: float) -> None:
        actions, subjects = self._buckets.pop(when)
        for action, subject in zip(actions, subjects, strict=True):
            action(subject, when)
