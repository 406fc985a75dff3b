"""``client.fleet``: fleet operations, run by the sync or the async client.

Both runners drive the same ``FleetRun``: they send what it hands them
(several at once: threads on the sync side, tasks on the async side), answer
it, write its journal before sending, and sleep on the client's clock only
when nothing is in flight, so a virtual clock sees one sleeper.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timezone
from typing import TYPE_CHECKING, TypeVar

import attrs
import httpx

from .._core._context import RequestContext
from .._exceptions import AzpatchError, InvalidArgumentError
from .._rules._patch_plan import PatchModeChange
from ..models import (
    VirtualMachine,
    VirtualMachineAssessPatchesResult,
    VirtualMachineInstallPatchesParameters,
    VirtualMachineInstallPatchesResult,
)
from . import _operations as operations
from ._budgets import Pacer, RateLimits
from ._checkpoint import CheckpointFile
from ._compliance import PatchCompliance
from ._journal import header
from ._operations import FleetOperation
from ._outcomes import FleetProgressCallback, VmOutcome
from ._scheduler import FleetRun
from ._targets import Target, parse_targets

if TYPE_CHECKING:
    from .._async_client import AsyncDriver
    from .._client import SyncDriver
    from .._session import Session

__all__ = ["AsyncFleet", "Fleet", "Targets"]

R = TypeVar("R")
Targets = Iterable[str | Target] | str | Target
Checkpoint = str | os.PathLike[str] | None


@attrs.frozen(kw_only=True)
class _Options:
    max_concurrency: int
    deadline: float | None
    checkpoint: Checkpoint
    on_progress: FleetProgressCallback | None


def _options(
    max_concurrency: int,
    deadline: float | None,
    checkpoint: Checkpoint,
    on_progress: FleetProgressCallback | None,
) -> _Options:
    if type(max_concurrency) is not int or max_concurrency < 1:
        raise InvalidArgumentError(
            f"max_concurrency must be a whole number of at least 1, not {max_concurrency!r}",
            code="InvalidArgument",
            target="max_concurrency",
        )
    if deadline is not None and not deadline > 0:
        raise InvalidArgumentError(
            f"deadline must be a number of seconds above 0, not {deadline!r}",
            code="InvalidArgument",
            target="deadline",
        )
    return _Options(
        max_concurrency=max_concurrency,
        deadline=deadline,
        checkpoint=checkpoint,
        on_progress=on_progress,
    )


class _FleetBase:
    """What both runners share: arguments, operations, and the run they drive."""

    def __init__(self, session: Session, limits: RateLimits) -> None:
        self._session = session
        self._pacer = Pacer(limits)  # shared by every run of this client

    def _wall_clock(self) -> datetime:
        return datetime.fromtimestamp(self._session.clock.time(), tz=timezone.utc)

    @staticmethod
    def _change(
        mode: str, assessment_mode: str | None, reboot_setting: str | None
    ) -> PatchModeChange:
        return PatchModeChange(
            mode=mode, assessment_mode=assessment_mode, reboot_setting=reboot_setting
        )

    def _new_run(
        self, operation: FleetOperation[R], targets: Targets, options: _Options
    ) -> tuple[FleetRun[R], CheckpointFile]:
        parsed = parse_targets(targets)
        checkpoint = CheckpointFile(
            options.checkpoint, header(operation.name, operation.fingerprint, parsed)
        )
        session = self._session
        now = session.clock.monotonic()
        ctx = session.ctx
        contexts: dict[str, RequestContext] = {}

        def context(subscription_id: str) -> RequestContext:
            key = subscription_id.casefold()
            if key not in contexts:
                contexts[key] = attrs.evolve(ctx, subscription_id=subscription_id)
            return contexts[key]

        run = FleetRun(
            operation,
            parsed,
            context=context,
            polling=session.polling,
            retry=session.retry,
            pacer=self._pacer,
            max_concurrency=options.max_concurrency,
            deadline=None if options.deadline is None else now + options.deadline,
            resumed=checkpoint.resumed,
            now=now,
        )
        return run, checkpoint


class Fleet(_FleetBase):
    """Operations over many VMs, paced to ARM's and Compute's budgets: ``client.fleet``.

    Each method yields one ``VmOutcome`` per target as it ends. ``deadline``
    bounds the whole run in seconds; ``checkpoint`` names a journal file that
    a run killed halfway resumes from; ``on_progress`` is called after each
    outcome. Breaking out of the loop stops the run: requests in flight are
    answered and journaled first, so nothing is left half-written.
    """

    def __init__(self, driver: SyncDriver, limits: RateLimits = RateLimits()) -> None:  # noqa: B008
        super().__init__(driver.session, limits)
        self._driver = driver

    def assess(
        self,
        targets: Targets,
        *,
        max_concurrency: int = 32,
        deadline: float | None = None,
        checkpoint: Checkpoint = None,
        on_progress: FleetProgressCallback | None = None,
    ) -> Iterator[VmOutcome[VirtualMachineAssessPatchesResult]]:
        """Assess every target VM (on demand; it installs nothing)."""
        options = _options(max_concurrency, deadline, checkpoint, on_progress)
        return self._run(operations.assess(), targets, options)

    def install(
        self,
        targets: Targets,
        parameters: VirtualMachineInstallPatchesParameters,
        *,
        max_concurrency: int = 32,
        deadline: float | None = None,
        checkpoint: Checkpoint = None,
        on_progress: FleetProgressCallback | None = None,
    ) -> Iterator[VmOutcome[VirtualMachineInstallPatchesResult]]:
        """Install patches on every target VM; an installation is never sent twice."""
        options = _options(max_concurrency, deadline, checkpoint, on_progress)
        return self._run(operations.install(parameters), targets, options)

    def set_patch_mode(
        self,
        targets: Targets,
        mode: str,
        *,
        assessment_mode: str | None = None,
        reboot_setting: str | None = None,
        dry_run: bool = False,
        max_concurrency: int = 32,
        deadline: float | None = None,
        checkpoint: Checkpoint = None,
        on_progress: FleetProgressCallback | None = None,
    ) -> Iterator[VmOutcome[tuple[VirtualMachine, bool]]]:
        """Change every target VM's patch mode where Azure would accept it; a refusal by the
        rules is the VM's outcome (``refused``), not an exception."""
        change = self._change(mode, assessment_mode, reboot_setting)
        options = _options(max_concurrency, deadline, checkpoint, on_progress)
        return self._run(operations.set_patch_mode(change, dry_run=dry_run), targets, options)

    def status(
        self,
        targets: Targets,
        *,
        max_concurrency: int = 32,
        deadline: float | None = None,
        on_progress: FleetProgressCallback | None = None,
    ) -> Iterator[VmOutcome[PatchCompliance]]:
        """Read every target VM with its instance view: its patch compliance, as a report row."""
        options = _options(max_concurrency, deadline, None, on_progress)
        return self._run(operations.patch_status(self._wall_clock()), targets, options)

    def _run(
        self, operation: FleetOperation[R], targets: Targets, options: _Options
    ) -> Iterator[VmOutcome[R]]:
        run, checkpoint = self._new_run(operation, targets, options)
        return self._drive(run, checkpoint, options)

    def _drive(
        self, run: FleetRun[R], checkpoint: CheckpointFile, options: _Options
    ) -> Iterator[VmOutcome[R]]:
        clock = self._driver.session.clock
        pool = ThreadPoolExecutor(options.max_concurrency, thread_name_prefix="azpatch-fleet")
        in_flight: dict[Future[httpx.Response], int] = {}

        def answer(done: Iterable[Future[httpx.Response]]) -> None:
            for future in done:
                ticket = in_flight.pop(future)
                error = future.exception()
                reply = future.result() if error is None else error
                run.answered(ticket, _reply(reply), clock.monotonic())

        try:
            while True:
                now = clock.monotonic()
                for transmit in run.step(now):
                    checkpoint.write(run.tally.journal.take())
                    in_flight[pool.submit(self._driver.send_once, transmit.request)] = (
                        transmit.ticket
                    )
                checkpoint.write(run.tally.journal.take())
                yield from _report(run, clock.monotonic(), options)
                if run.finished and not in_flight:
                    return
                wake = run.wake_at()
                if in_flight:
                    timeout = None if wake is None else max(wake - now, 0.0)
                    answer(wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)[0])
                elif wake is not None:
                    clock.sleep(max(wake - now, 0.0))
        finally:
            run.stop()
            answer(wait(in_flight)[0])
            checkpoint.write(run.tally.journal.take())
            checkpoint.close()
            pool.shutdown()


class AsyncFleet(_FleetBase):
    """``Fleet`` for ``AsyncClient``: the same operations, as async iterators (asyncio)."""

    def __init__(self, driver: AsyncDriver, limits: RateLimits = RateLimits()) -> None:  # noqa: B008
        super().__init__(driver.session, limits)
        self._driver = driver

    def assess(
        self,
        targets: Targets,
        *,
        max_concurrency: int = 32,
        deadline: float | None = None,
        checkpoint: Checkpoint = None,
        on_progress: FleetProgressCallback | None = None,
    ) -> AsyncIterator[VmOutcome[VirtualMachineAssessPatchesResult]]:
        """Assess every target VM (on demand; it installs nothing)."""
        options = _options(max_concurrency, deadline, checkpoint, on_progress)
        return self._run(operations.assess(), targets, options)

    def install(
        self,
        targets: Targets,
        parameters: VirtualMachineInstallPatchesParameters,
        *,
        max_concurrency: int = 32,
        deadline: float | None = None,
        checkpoint: Checkpoint = None,
        on_progress: FleetProgressCallback | None = None,
    ) -> AsyncIterator[VmOutcome[VirtualMachineInstallPatchesResult]]:
        """Install patches on every target VM; an installation is never sent twice."""
        options = _options(max_concurrency, deadline, checkpoint, on_progress)
        return self._run(operations.install(parameters), targets, options)

    def set_patch_mode(
        self,
        targets: Targets,
        mode: str,
        *,
        assessment_mode: str | None = None,
        reboot_setting: str | None = None,
        dry_run: bool = False,
        max_concurrency: int = 32,
        deadline: float | None = None,
        checkpoint: Checkpoint = None,
        on_progress: FleetProgressCallback | None = None,
    ) -> AsyncIterator[VmOutcome[tuple[VirtualMachine, bool]]]:
        """Change every target VM's patch mode where Azure would accept it."""
        change = self._change(mode, assessment_mode, reboot_setting)
        options = _options(max_concurrency, deadline, checkpoint, on_progress)
        return self._run(operations.set_patch_mode(change, dry_run=dry_run), targets, options)

    def status(
        self,
        targets: Targets,
        *,
        max_concurrency: int = 32,
        deadline: float | None = None,
        on_progress: FleetProgressCallback | None = None,
    ) -> AsyncIterator[VmOutcome[PatchCompliance]]:
        """Read every target VM with its instance view: its patch compliance, as a report row."""
        options = _options(max_concurrency, deadline, None, on_progress)
        return self._run(operations.patch_status(self._wall_clock()), targets, options)

    def _run(
        self, operation: FleetOperation[R], targets: Targets, options: _Options
    ) -> AsyncIterator[VmOutcome[R]]:
        run, checkpoint = self._new_run(operation, targets, options)
        return self._drive(run, checkpoint, options)

    async def _drive(
        self, run: FleetRun[R], checkpoint: CheckpointFile, options: _Options
    ) -> AsyncIterator[VmOutcome[R]]:
        clock = self._driver.session.clock
        in_flight: dict[asyncio.Task[httpx.Response], int] = {}

        def answer(done: Iterable[asyncio.Task[httpx.Response]]) -> None:
            for task in done:
                ticket = in_flight.pop(task)
                error = task.exception()
                run.answered(
                    ticket, _reply(task.result() if error is None else error), clock.monotonic()
                )

        try:
            while True:
                now = clock.monotonic()
                for transmit in run.step(now):
                    checkpoint.write(run.tally.journal.take())
                    task = asyncio.ensure_future(self._driver.send_once(transmit.request))
                    in_flight[task] = transmit.ticket
                checkpoint.write(run.tally.journal.take())
                for outcome in _report(run, clock.monotonic(), options):
                    yield outcome
                if run.finished and not in_flight:
                    return
                wake = run.wake_at()
                if in_flight:
                    timeout = None if wake is None else max(wake - now, 0.0)
                    done, _ = await asyncio.wait(
                        in_flight, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                    )
                    answer(done)
                elif wake is not None:
                    await clock.asleep(max(wake - now, 0.0))
        finally:
            run.stop()
            if in_flight:
                answer((await asyncio.wait(in_flight))[0])
            checkpoint.write(run.tally.journal.take())
            checkpoint.close()


def _reply(reply: httpx.Response | BaseException) -> httpx.Response | AzpatchError:
    if isinstance(reply, httpx.Response | AzpatchError):
        return reply
    raise reply  # a bug, or an interrupt: not a VM's outcome


def _report(run: FleetRun[R], now: float, options: _Options) -> Iterator[VmOutcome[R]]:
    outcomes = run.tally.outcomes
    if not outcomes:
        return
    while outcomes:
        yield outcomes.popleft()
    if options.on_progress is not None:
        options.on_progress(run.progress(now))
