"""10,000 assessments against the fake with Azure's budgets, on virtual time, three ways.

azpatch's fleet runner, a naive ``asyncio.gather`` of ``assess_patches`` calls under a
semaphore of 50 (50 workers, the same thing), and one call after another: each in a fresh
world of 20 subscriptions of 500 VMs in 8 regions, with ``FakeAzure(throttling="azure")``.
Reported: virtual wall time, 429s drawn, and the runner's own CPU per VM (the process's
CPU less the fake's, timed around each request it answers). The fastest time the budgets
allow is computed from the limits, for a client that spends every token the moment it is
back and sees each assessment end at its first poll after it does (Retry-After).

The slow ways are measured on part of the fleet and scaled: one after another on its first
500 VMs, 50 at a time on every fifth VM (neither is throttled, each VM costs the same
virtual time), all at once on one subscription (ARM throttles each subscription apart, so
its 429s and losses are per subscription).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import time
import uuid
from collections.abc import Callable

import attrs
import httpx

import azpatch
from azpatch_fake import FakeAzure

SUBSCRIPTIONS, REGIONS, PER_SUBSCRIPTION = 20, 8, 500
VMS = SUBSCRIPTIONS * PER_SUBSCRIPTION
REGION_NAMES = (
    "westeurope", "northeurope", "eastus", "westus", "uksouth", "francecentral", "japaneast",
    "australiaeast",
)  # fmt: skip
# Not a divisor of the 2-minute assessment: no poll lands on the very instant one ends.
RETRY_AFTER = 45
SEQUENTIAL_SAMPLE = 500


def _world() -> tuple[FakeAzure, list[tuple[str, str, str]]]:
    fake = FakeAzure(throttling="azure", retry_after=RETRY_AFTER)
    vms = []
    for s in range(SUBSCRIPTIONS):
        subscription = str(uuid.UUID(int=s + 1))
        for index in range(PER_SUBSCRIPTION):
            region = REGION_NAMES[index % REGIONS]
            fake.add_vm(f"rg-{region}", f"vm{index}", subscription_id=subscription, location=region)
            vms.append((subscription, f"rg-{region}", f"vm{index}"))
    return fake, vms


def _timed_transport(fake: FakeAzure, spent: list[float]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        started = time.process_time()
        try:
            return fake.handle(request)
        finally:
            spent[0] += time.process_time() - started

    return httpx.MockTransport(handle)


def _throttled(fake: FakeAzure) -> int:
    return sum(1 for _ in fake.timeline.events(("request_throttled",)))


class SharedVirtualTime:
    """Virtual time for concurrent sleepers: the clock moves to the earliest wake-up only
    when every worker sleeps, as real time would pass for all of them at once."""

    def __init__(self, fake: FakeAzure, workers: int) -> None:
        self._clock, self._active = fake.clock, workers
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def time(self) -> float:
        return self._clock.time()

    def monotonic(self) -> float:
        return self._clock.monotonic()

    def sleep(self, seconds: float) -> None:
        raise AssertionError("the naive ways are async")

    async def asleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(
            self._sleepers, (self.monotonic() + max(seconds, 0), next(self._order), future)
        )
        self._move_on()
        await future

    def leave(self) -> None:
        self._active -= 1
        self._move_on()

    def _move_on(self) -> None:
        if self._sleepers and len(self._sleepers) == self._active:
            wake, _, future = heapq.heappop(self._sleepers)
            self._clock.advance(max(wake - self.monotonic(), 0.0))
            future.set_result(None)


async def _naive(
    fake: FakeAzure, vms: list[tuple[str, str, str]], workers: int, spent: list[float]
) -> int:
    """``workers`` tasks assessing one VM after another; returns how many were lost."""
    clock = SharedVirtualTime(fake, workers)
    transport = _timed_transport(fake, spent)
    queue = iter(vms)
    clients: dict[str, azpatch.AsyncClient] = {}

    def client(subscription: str) -> azpatch.AsyncClient:
        if subscription not in clients:
            clients[subscription] = azpatch.AsyncClient(
                subscription, fake.credential, base_url=fake.base_url, clock=clock,
                http_client=httpx.AsyncClient(transport=transport),
            )  # fmt: skip
        return clients[subscription]

    lost = [0]

    async def worker() -> None:
        try:
            for subscription, group, name in queue:
                try:
                    await client(subscription).virtual_machines.assess_patches(group, name)
                except azpatch.AzpatchError:
                    lost[0] += 1  # a naive script counts on retries; beyond them, it is lost
        finally:
            clock.leave()

    await asyncio.gather(*(worker() for _ in range(workers)))
    return lost[0]


async def _runner(fake: FakeAzure, spent: list[float]) -> int:
    http = httpx.AsyncClient(transport=_timed_transport(fake, spent))
    first = str(uuid.UUID(int=1))
    targets = [f"/subscriptions/{uuid.UUID(int=s + 1)}" for s in range(SUBSCRIPTIONS)]
    async with azpatch.AsyncClient(
        first, fake.credential, base_url=fake.base_url, clock=fake.clock, http_client=http
    ) as client:
        outcomes = [o async for o in client.fleet.assess(targets, max_concurrency=64)]
    return sum(o.status is azpatch.OutcomeStatus.SUCCEEDED for o in outcomes)


class _Bucket:
    def __init__(self, limit: azpatch.Limit) -> None:
        self.limit, self.tokens, self.stamp = limit, float(limit.capacity), 0.0

    def spend(self, at: float) -> float:
        """The earliest moment from ``at`` a token is there; it is taken then."""
        self.tokens = min(
            self.limit.capacity, self.tokens + (at - self.stamp) * self.limit.per_second
        )
        self.stamp = at
        if self.tokens < 1:
            wait = (1 - self.tokens) / self.limit.per_second
            at, self.tokens, self.stamp = at + wait, 1.0, at + wait
        self.tokens -= 1
        return at


def fastest_allowed(fake: FakeAzure) -> float:
    """The least virtual time the assessments can take within the budgets, for a client that
    follows the API: a subscription's POSTs as fast as ARM's write bucket gives tokens,
    each VM polled every Retry-After until the assessment has ended, then its result
    read from the Location URL, every read as soon as the read bucket has a token
    (Compute's buckets hold more than a subscription's 500 VMs need). Subscriptions
    are alike and independent, so one is computed."""
    limits = azpatch.RateLimits()
    writes, reads = _Bucket(limits.subscription_writes), _Bucket(limits.subscription_reads)
    duration = fake.assessment_duration.total_seconds()
    polls = math.ceil(duration / RETRY_AFTER)
    pending: list[tuple[float, int, int]] = []  # (when wanted, order, polls left after it)
    order = itertools.count()
    for _ in range(PER_SUBSCRIPTION):
        heapq.heappush(pending, (writes.spend(0.0) + RETRY_AFTER, next(order), polls - 1))
    end = 0.0
    while pending:
        wanted, _, left = heapq.heappop(pending)
        at = reads.spend(wanted)
        if left > 0:
            heapq.heappush(pending, (at + RETRY_AFTER, next(order), left - 1))
        elif left == 0:  # the poll that sees it ended; the result is read at once
            heapq.heappush(pending, (at, next(order), -1))
        else:
            end = max(end, at)
    return end


@attrs.frozen
class _Run:
    seconds: float
    throttled: int
    own_cpu: float
    lost: int
    fake: FakeAzure


def _measure(how: Callable[[FakeAzure, list[tuple[str, str, str]], list[float]], int]) -> _Run:
    fake, vms = _world()
    spent = [0.0]
    started, cpu = fake.clock.monotonic(), time.process_time()
    lost = how(fake, vms, spent)
    own_cpu = time.process_time() - cpu - spent[0]
    return _Run(fake.clock.monotonic() - started, _throttled(fake), own_cpu, lost, fake)


def bench_fleet_pacing() -> None:
    print(f"\nfleet: {VMS:,} assessments, {SUBSCRIPTIONS} subscriptions x {REGIONS} regions,"
          " Azure's budgets, virtual time (Retry-After 45 s, assessments 2 min)")  # fmt: skip
    logging.getLogger("azpatch").setLevel(logging.ERROR)  # the naive ways log every retry
    runner = _measure(lambda fake, vms, spent: asyncio.run(_runner(fake, spent)))
    best = fastest_allowed(runner.fake)
    # 50 at a time draw no 429 here: its time grows with the VMs, so 2,000 are run and scaled.
    some = _measure(lambda fake, vms, spent: asyncio.run(_naive(fake, vms[::5], 50, spent)))
    rows = {
        "gather, semaphore of 50 (scaled)": attrs.evolve(
            some, seconds=some.seconds * 5, own_cpu=some.own_cpu * 5, lost=some.lost * 5
        )
    }
    # Subscriptions are throttled apart: the all-at-once way is run on one and scaled.
    one = _measure(
        lambda fake, vms, spent: asyncio.run(
            _naive(fake, vms[:PER_SUBSCRIPTION], PER_SUBSCRIPTION, spent)
        )
    )
    rows["gather, all at once (scaled)"] = attrs.evolve(
        one, throttled=one.throttled * SUBSCRIPTIONS, lost=one.lost * SUBSCRIPTIONS
    )
    sample = _measure(
        lambda fake, vms, spent: asyncio.run(_naive(fake, vms[:SEQUENTIAL_SAMPLE], 1, spent))
    )
    scale = VMS / SEQUENTIAL_SAMPLE
    rows["one after another (scaled)"] = attrs.evolve(
        sample, seconds=sample.seconds * scale, throttled=round(sample.throttled * scale)
    )
    print(f"  fastest the budgets allow      {best:10,.0f} s")
    ratio = runner.seconds / best
    print(
        f"  client.fleet.assess            {runner.seconds:10,.0f} s  {runner.throttled:6} 429s"
        f"  {ratio:5.2f}x the fastest  (goal: 0 429s, at most 1.10x)"
    )
    for name, run in rows.items():
        times = run.seconds / runner.seconds
        print(
            f"  {name:<30} {run.seconds:10,.0f} s  {run.throttled:6} 429s"
            f"  {times:7.1f}x the runner's time, {run.lost:,} VMs lost"
        )
    naive_cpu = rows["gather, semaphore of 50 (scaled)"].own_cpu / VMS * 1000
    print(
        f"  runner's own CPU per VM        {runner.own_cpu / VMS * 1000:10.2f} ms"
        f"  (semaphore of 50: {naive_cpu:.2f} ms; the fake's CPU left out)"
    )


if __name__ == "__main__":
    bench_fleet_pacing()
