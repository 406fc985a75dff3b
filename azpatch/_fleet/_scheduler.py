"""A fleet run, sans I/O: which requests to send now, when to look again, what has ended.

Each target becomes a job: a listing for a group, subscription or tenant, or the
operation's flow for a VM (the flows ``client.virtual_machines`` runs). The
run steps every job's flow itself, so retries, Retry-After and polling
waits are decided here for all of them at once: a 429 closes its budget for
everyone rather than for one caller, and a VM waiting for its next poll
holds no slot. New VMs are started in turn across subscriptions, so every
subscription's budget is spent from the start.

A driver calls ``step(now)`` and sends what it is handed, answers each with
``answered``, writes ``journal.take()`` before sending, and sleeps until
``wake_at`` when nothing is in flight.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import attrs
import httpx

from .._core._context import RequestContext
from .._core._flow import Now, Send
from .._core._retry import backoff_seconds, retry_after_seconds, should_retry_response
from .._core._stepper import Finished, Perform, Stepper, Wait
from .._exceptions import AzpatchError, TransportError
from .._policies import PollingPolicy, RetryPolicy
from ._budgets import Pacer
from ._dispatch import Dispatcher, Queued
from ._journal import Resumed
from ._operations import FleetOperation, listing
from ._outcomes import FleetProgress, OutcomeStatus, VmOutcome
from ._settle import MAY_HAVE_STARTED, settle
from ._tally import Tally
from ._targets import Target, VmRef

__all__ = ["FleetRun", "Transmit"]

R = TypeVar("R")


@attrs.frozen
class Transmit:
    """Send ``request`` and answer with ``FleetRun.answered(ticket, ...)``."""

    ticket: int
    request: httpx.Request


class _Job:
    __slots__ = ("attempts", "journaled", "send", "stepper", "target", "throttled")

    def __init__(self, target: Target, stepper: Stepper[Any]) -> None:
        self.target, self.stepper = target, stepper
        self.send: Send | None = None  # the request waiting to go (again)
        self.attempts = self.throttled = 0
        self.journaled = False  # the operation's continuation token is in the journal


class FleetRun(Generic[R]):
    def __init__(
        self,
        operation: FleetOperation[R],
        targets: list[Target],
        *,
        context: Callable[[str], RequestContext],
        polling: PollingPolicy,
        retry: RetryPolicy,
        pacer: Pacer,
        max_concurrency: int,
        deadline: float | None,
        resumed: Resumed,
        now: float,
    ) -> None:
        self.operation, self._context, self._polling, self._retry = (
            operation,
            context,
            polling,
            retry,
        )
        self.pacer = pacer
        self._dispatch: Dispatcher[_Job] = Dispatcher(pacer, max_concurrency=max_concurrency)
        self._deadline, self._resumed, self._started = deadline, resumed, now
        self._pending: dict[str, deque[Target]] = {}
        for target in targets:
            self._pending.setdefault(target.subscription_id.casefold(), deque()).append(target)
        self._seen = {t.id.casefold() for t in targets}
        self._sleeping: list[tuple[float, int, _Job]] = []
        self._order = itertools.count()
        self._in_flight: dict[int, tuple[_Job, Send, Queued[_Job]]] = {}
        self._tickets = itertools.count()
        self.tally: Tally[R] = Tally(len(targets))
        self.winding_down = False
        self._jobs = 0

    # -- what the driver asks -------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return not (self._pending or self._jobs)

    def wake_at(self) -> float | None:
        """When to step again if nothing in flight answers first."""
        times = [t for t in (self._dispatch.next_ready(), self._deadline) if t is not None]
        if self._sleeping:
            times.append(self._sleeping[0][0])
        return min(times, default=None) if not self.finished else None

    def step(self, now: float) -> list[Transmit]:
        if self._deadline is not None and now >= self._deadline:
            self.stop()
        while self._sleeping and self._sleeping[0][0] <= now:
            self._advance(heapq.heappop(self._sleeping)[2], now)
        self._start_jobs(now)
        transmits = []
        for item in self._dispatch.take(now):
            job = item.job
            assert job.send is not None
            if not job.send.idempotent and self.operation.resumable:
                self.tally.journal.sending(job.target.id.casefold())
            ticket = next(self._tickets)
            self._in_flight[ticket] = (job, job.send, item)
            transmits.append(Transmit(ticket, job.send.request))
        return transmits

    def answered(self, ticket: int, reply: httpx.Response | AzpatchError, now: float) -> None:
        """The answer to a transmit: a response, or the error that took its place."""
        job, send, item = self._in_flight.pop(ticket)
        self.tally.requests += 1
        if isinstance(reply, AzpatchError) and not isinstance(reply, TransportError):
            self._dispatch.answered(trouble=False)  # refused before sending: no retry helps
            self._jobs -= 1
            self.tally.record(settle(job.target.id, reply, may_have_started=False), journal=True)
            return
        if isinstance(reply, TransportError):
            self._dispatch.answered(trouble=True)
            if send.idempotent or not reply.may_have_reached_server:
                self._retry_later(job, send, None, now, error=reply)
            else:
                self._end_with_error(job, reply)
            return
        self.pacer.observe(item.spend, reply.headers, now)
        if self.winding_down and reply.status_code == 429:
            self._dispatch.answered(trouble=True)
            self._unfinished(job)
            return
        if reply.status_code == 429 and job.throttled < 2 * self._retry.max_attempts:
            wait = retry_after_seconds(reply.headers, now=None) or backoff_seconds(
                1, self._retry, random_fraction=random.random()
            )
            if wait <= self._retry.max_retry_after:
                self.tally.throttled += 1
                job.throttled += 1
                self.pacer.refused(item.spend, reply.headers, wait, now)
                self._dispatch.answered(trouble=True)
                self._dispatch.add(Queued(job, item.spend), first=True)  # not acted on
                return
        trouble = reply.status_code >= 500
        self._dispatch.answered(trouble=trouble)
        if reply.status_code != 429 and should_retry_response(
            reply, idempotent=send.idempotent, policy=self._retry, now=None
        ):
            self._retry_later(job, send, reply, now, error=None)
            return
        job.attempts = 0
        job.send = None
        job.stepper.reply(reply, now=now)
        self._advance(job, now)

    def stop(self) -> None:
        """End the run: nothing new starts, queued and sleeping VMs end now, requests in
        flight end when answered."""
        if self.winding_down:
            return
        self.winding_down = True
        for target in (t for queue in self._pending.values() for t in queue):
            self.tally.ended_early(target.id, None)
        self._pending.clear()
        jobs = [item.job for item in self._dispatch.drain()]
        jobs += [job for _, _, job in self._sleeping]
        self._sleeping.clear()
        for job in jobs:
            self._unfinished(job)

    def progress(self, now: float) -> FleetProgress:
        tally = self.tally
        return FleetProgress(
            total=tally.total,
            done=tally.done,
            succeeded=tally.succeeded,
            failed=tally.failed,
            in_flight=len(self._in_flight),
            requests=tally.requests,
            throttled=tally.throttled,
            elapsed=now - self._started,
            budget_left=self.pacer.budget_left(now),
        )

    # -- jobs -----------------------------------------------------------------------------

    def _start_jobs(self, now: float) -> None:
        """New jobs, one subscription after another, while few requests wait for budget."""
        room = self._dispatch.max_concurrency * 2
        while self._pending and self._dispatch.queued < room and not self.winding_down:
            subscription = next(iter(self._pending))
            queue = self._pending.pop(subscription)
            target = queue.popleft()
            if queue:
                self._pending[subscription] = queue  # to the back of the turn
            self._start(target, now)

    def _start(self, target: Target, now: float) -> None:
        ctx = self._context(target.subscription_id)
        if not isinstance(target, VmRef):
            self._jobs += 1
            self._advance(_Job(target, Stepper(listing(ctx, target))), now)
            return
        key = target.id.casefold()
        ended = self._resumed.ended.get(key)
        if ended is not None:
            outcome: VmOutcome[R] = VmOutcome(
                target.id,
                ended.status,
                code=ended.code,
                message=ended.message,
                from_checkpoint=True,
            )
            self.tally.record(outcome, journal=False)
            return
        token = self._resumed.tokens.get(key) if self.operation.resumable else None
        if token is None and key in self._resumed.sending:
            outcome = VmOutcome(
                target.id, OutcomeStatus.UNFINISHED, code="MayHaveStarted", message=MAY_HAVE_STARTED
            )
            self.tally.record(outcome, journal=False)
            return
        self._jobs += 1
        flow = self.operation.start(ctx, self._polling, target, token)
        job = _Job(target, Stepper(flow))
        job.journaled = token is not None
        self._advance(job, now)

    def _advance(self, job: _Job, now: float) -> None:
        """Run ``job``'s flow to its next request, wait or end."""
        if job.send is not None:  # woken to send again
            self._queue(job, now)
            return
        stepper = job.stepper
        while True:
            action = stepper.decide(now)
            if isinstance(action, Perform) and isinstance(action.effect, Now):
                stepper.reply(float(now), now=now)
                continue
            break
        self._note_token(job)
        if isinstance(action, Perform):
            assert isinstance(action.effect, Send)
            job.send = action.effect
            self._queue(job, now)
        elif isinstance(action, Wait):
            if self.winding_down:
                self._unfinished(job)
            else:
                heapq.heappush(self._sleeping, (now + action.seconds, next(self._order), job))
        else:
            assert isinstance(action, Finished)
            self._finish(job)

    def _queue(self, job: _Job, now: float) -> None:
        if self.winding_down:
            self._unfinished(job)
            return
        assert job.send is not None
        location = job.target.location if isinstance(job.target, VmRef) else None
        self._dispatch.add(Queued(job, self.pacer.spend_of(job.send.request, region=location)))

    def _note_token(self, job: _Job) -> None:
        stepper = job.stepper
        if stepper.checkpoint is not None and not job.journaled and self.operation.resumable:
            job.journaled = True
            self.tally.journal.token(job.target.id.casefold(), stepper.continuation_token())

    def _retry_later(
        self,
        job: _Job,
        send: Send,
        reply: httpx.Response | None,
        now: float,
        *,
        error: TransportError | None,
    ) -> None:
        job.attempts += 1
        if self.winding_down:
            self._unfinished(job)
            return
        if job.attempts >= self._retry.max_attempts:
            if error is not None:
                self._end_with_error(job, error)
            else:
                assert reply is not None
                job.send = None
                job.stepper.reply(reply, now=now)
                self._advance(job, now)
            return
        wait = (
            reply is not None and retry_after_seconds(reply.headers, now=None)
        ) or backoff_seconds(job.attempts, self._retry, random_fraction=random.random())
        job.send = send
        heapq.heappush(self._sleeping, (now + wait, next(self._order), job))

    # -- endings --------------------------------------------------------------------------

    def _finish(self, job: _Job) -> None:
        self._jobs -= 1
        target = job.target
        try:
            result = job.stepper.result()
        except Exception as error:  # the flow ended with an error: the VM's outcome says it
            self.tally.record(settle(target.id, error, may_have_started=False), journal=True)
            return
        if isinstance(target, VmRef):
            status, code, message = self.operation.judge(result)
            self.tally.record(VmOutcome(target.id, status, result, code, message), journal=True)
            return
        self.tally.total -= 1  # a listing: what it found takes its place
        for found in result:
            key = found.target.casefold() if isinstance(found, VmOutcome) else found.id.casefold()
            if key in self._seen:
                continue
            self._seen.add(key)
            self.tally.total += 1
            if isinstance(found, VmOutcome):
                self.tally.record(found, journal=False)
            else:
                self._pending.setdefault(found.subscription_id.casefold(), deque()).append(found)

    def _end_with_error(self, job: _Job, error: TransportError) -> None:
        self._jobs -= 1
        may_have_started = job.send is not None and not job.send.idempotent
        outcome = settle(job.target.id, error, may_have_started=may_have_started)
        self.tally.record(outcome, journal=True)

    def _unfinished(self, job: _Job) -> None:
        self._jobs -= 1
        stepper = job.stepper
        token = stepper.continuation_token() if stepper.checkpoint is not None else None
        self.tally.ended_early(job.target.id, token)
