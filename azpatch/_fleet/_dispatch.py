"""Which queued request goes next: by budget, by concurrency, and fairly between buckets.

Requests wait in one queue per set of shared buckets (a subscription's
writes and its region's patch operations, say), so a spent budget holds up
only the requests that would spend from it. A queue whose next request
would overdraw a bucket sleeps until the bucket refills; the others go on.
Concurrency adapts: halved after a 429, a 5xx or a transport failure, grown
by one request per round trip after a success, never over the ceiling.

Pure: the caller passes ``now`` and performs what it is handed.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from typing import Generic, TypeVar

import attrs

from ._budgets import Key, Pacer, Spend

__all__ = ["Dispatcher", "Queued"]

J = TypeVar("J")
Group = tuple[Key, ...]


@attrs.frozen
class Queued(Generic[J]):
    """A request's owner (``job``) and what it spends; the dispatcher never looks inside."""

    job: J
    spend: Spend


class Dispatcher(Generic[J]):
    def __init__(self, pacer: Pacer, *, max_concurrency: int) -> None:
        self.pacer = pacer
        self.max_concurrency = max_concurrency
        self.limit = float(max_concurrency)
        self.in_flight = 0
        self.queued = 0
        self._queues: dict[Group, deque[Queued[J]]] = {}
        self._runnable: dict[Group, None] = {}  # ordered: dispatched in turn
        self._blocked: list[tuple[float, int, Group]] = []
        self._order = itertools.count()

    def add(self, item: Queued[J], *, first: bool = False) -> None:
        group = item.spend.shared
        queue = self._queues.get(group)
        if queue is None:
            queue = self._queues[group] = deque()
        if first:
            queue.appendleft(item)
        else:
            queue.append(item)
        self.queued += 1
        self._runnable[group] = None

    def next_ready(self) -> float | None:
        """When a queue that is waiting for a budget may go on."""
        return self._blocked[0][0] if self._blocked else None

    def take(self, now: float) -> list[Queued[J]]:
        """The requests to send now; each one's tokens are taken."""
        while self._blocked and self._blocked[0][0] <= now:
            group = heapq.heappop(self._blocked)[2]
            if group in self._queues:  # not emptied since it was blocked
                self._runnable[group] = None
        taken: list[Queued[J]] = []
        for group in list(self._runnable):
            if self.in_flight >= int(self.limit):
                break
            del self._runnable[group]  # back at the end of the turn if it stays runnable
            queue = self._queues.get(group)
            if queue is None:
                continue
            while queue and self.in_flight < int(self.limit):
                spend = queue[0].spend
                ready = self.pacer.ready_at(spend.keys, now)
                if ready > now:
                    heapq.heappush(self._blocked, (ready, next(self._order), group))
                    break
                self.pacer.take(spend.keys, now)
                taken.append(queue.popleft())
                self.in_flight += 1
                self.queued -= 1
            else:
                if queue:
                    self._runnable[group] = None
                else:
                    del self._queues[group]
        return taken

    def answered(self, *, trouble: bool) -> None:
        """A request came back; ``trouble`` (429, 5xx, transport failure) halves concurrency."""
        self.in_flight -= 1
        if trouble:
            self.limit = max(1.0, self.limit / 2)
        else:
            self.limit = min(float(self.max_concurrency), self.limit + 1 / self.limit)

    def drain(self) -> list[Queued[J]]:
        """Everything still queued, removed (the run is winding down)."""
        items = [item for queue in self._queues.values() for item in queue]
        self._queues.clear()
        self._runnable.clear()
        self._blocked.clear()
        self.queued = 0
        return items
