"""``python -m azpatch_fake demo``: the main job, end to end, on a fresh embedded fake.

It drives the fake only through the azpatch async client, as a user's
script would (so, like ``_clients``, it may import azpatch): the preview
opt-in, switching every eligible VM to AutomaticByPlatform, an on-demand
assessment of the fleet, then a month of the simulated platform's rollout,
a summary, ``timeline.jsonl`` and ``rollout.html``.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING

import anyio
import attrs

import azpatch

from ._catalog import patch_tuesday
from ._demo_world import SUBSCRIPTIONS, demo_world
from ._rollout_html import rollout_html
from ._simulate import outcomes

if TYPE_CHECKING:
    from ._app import FakeAzure

__all__ = ["DemoResult", "run_demo"]

ASSESSMENT_CONCURRENCY = 8


@attrs.frozen
class DemoResult:
    vms: int
    switched: int
    refused: tuple[tuple[str, str, str], ...]  # (VM, ARM code, message)
    assessed: int
    timeline: Path
    page: Path


def _say(out: IO[str], text: str) -> None:
    out.write(text + "\n")
    out.flush()


def _state_changes(out: IO[str]) -> azpatch.ProgressCallback:
    """A progress callback that prints one line per state, not one per poll."""
    seen: dict[str, str] = {}

    def changed(step: azpatch.RegistrationProgress) -> None:
        if seen.get(step.name) != step.state:
            seen[step.name] = step.state
            _say(out, f"   ... {step.name}: {step.state} after {step.elapsed:.0f}s")

    return changed


async def _opt_in(clients: dict[str, azpatch.AsyncClient], out: IO[str]) -> None:
    _say(out, "1. Preview opt-in: features InGuestAutoPatchVMPreview and InGuestPatchVMPreview")
    for subscription, client in clients.items():
        preview = await client.features.enable_guest_patching_preview(
            timeout=3600, on_progress=_state_changes(out)
        )
        states = ", ".join(
            f"{(f.name or '').rsplit('/', 1)[-1]} {f.properties.state if f.properties else None}"
            for f in preview.features
        )
        _say(
            out,
            f"   {subscription}: {states}; Microsoft.Compute {preview.provider.registration_state}",
        )


async def _switch(
    clients: dict[str, azpatch.AsyncClient], out: IO[str]
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]], int]:
    """Every VM to AutomaticByPlatform where the rules allow it; the refusals, with reasons."""
    _say(out, "2. Switching VMs to AutomaticByPlatform (checked before anything is written)")
    switched: list[tuple[str, str, str]] = []
    refused: list[tuple[str, str, str]] = []
    count = 0
    for subscription, client in clients.items():
        async for vm in client.virtual_machines.list_all():
            count += 1
            group = (vm.id or "").split("/")[4]
            try:
                await client.virtual_machines.set_patch_mode(
                    group, vm.name or "", "AutomaticByPlatform", reboot_setting="IfRequired"
                )
            except azpatch.PatchModeTransitionError as error:
                refused.append((vm.name or "", error.code or "", str(error)))
            else:
                switched.append((subscription, group, vm.name or ""))
    _say(out, f"   {len(switched)} of {count} switched; {len(refused)} refused:")
    for name, _, message in refused:
        _say(out, f"   - {name}: {message}")
    return switched, refused, count


async def _assess(
    clients: dict[str, azpatch.AsyncClient], vms: list[tuple[str, str, str]], out: IO[str]
) -> int:
    _say(out, f"3. On-demand assessment of {len(vms)} VMs, {ASSESSMENT_CONCURRENCY} at a time")
    limit = anyio.Semaphore(ASSESSMENT_CONCURRENCY)
    results: Counter[str] = Counter()

    async def one(subscription: str, group: str, name: str) -> None:
        async with limit:
            result = await clients[subscription].virtual_machines.assess_patches(group, name)
            results[str(result.status)] += 1

    async with anyio.create_task_group() as tasks:
        for subscription, group, name in vms:
            tasks.start_soon(one, subscription, group, name)
    _say(out, "   " + ", ".join(f"{status}: {n}" for status, n in sorted(results.items())))
    return sum(results.values())


def _month(fake: FakeAzure, until: datetime, progress: IO[str]) -> None:
    """Run the platform day by day with a progress bar."""
    start = fake.clock.now()
    days = max(int((until - start) / timedelta(days=1)), 1)
    live = progress.isatty()
    for day in range(1, days + 1):
        fake.run_until(min(start + timedelta(days=day), until))
        if live or day == days:
            done = sum(m.done_rollout is not None for m in fake.orchestrator.members())
            bar = "#" * (30 * day // days)
            progress.write(f"\r   [{bar:<30}] {fake.clock.now():%Y-%m-%d}  patched {done}")
            progress.flush()
    fake.run_until(until)
    progress.write("\n")


class _Counting(logging.Handler):
    """Counts azpatch's warnings instead of printing one per VM."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.messages[record.getMessage().split(": ", 1)[-1]] += 1


@contextmanager
def _counted_warnings() -> Iterator[_Counting]:
    logger = logging.getLogger("azpatch")
    counting, propagate = _Counting(), logger.propagate
    logger.addHandler(counting)
    logger.propagate = False
    try:
        yield counting
    finally:
        logger.removeHandler(counting)
        logger.propagate = propagate


async def _through_the_client(
    fake: FakeAzure, out: IO[str], counting: _Counting
) -> tuple[int, list[tuple[str, str, str]], list[tuple[str, str, str]], int]:
    clients = {s: fake.async_client(subscription_id=s) for s in SUBSCRIPTIONS}
    try:
        await _opt_in(clients, out)
        switched, refused, count = await _switch(clients, out)
        for message, times in counting.messages.items():
            _say(out, f"   warned {times} times: {message}")
        assessed = await _assess(clients, switched, out)
    finally:
        for client in clients.values():
            await client.aclose()
    return count, switched, refused, assessed


def run_demo(
    out_dir: Path, *, seed: int = 0, out: IO[str] | None = None, progress: IO[str] | None = None
) -> DemoResult:
    """The whole story; prints as it goes and returns what it did."""
    out, progress = out or sys.stdout, progress or sys.stderr
    fake = demo_world(seed)
    with _counted_warnings() as counting:
        count, switched, refused, assessed = anyio.run(_through_the_client, fake, out, counting)
    now = fake.clock.now()
    release = patch_tuesday(now.year, now.month)
    following = patch_tuesday(now.year + now.month // 12, now.month % 12 + 1)
    _say(out, f"4. The platform's rollout: released {release:%Y-%m-%d %H:%M} UTC, one month")
    _month(fake, following - timedelta(hours=1), progress)
    _summary(fake, out)
    out_dir.mkdir(parents=True, exist_ok=True)
    timeline, page = out_dir / "timeline.jsonl", out_dir / "rollout.html"
    with timeline.open("w", encoding="utf-8") as lines:
        fake.timeline.write_jsonl(lines)
    page.write_text(rollout_html(fake.timeline, title="azpatch demo"), encoding="utf-8")
    _say(out, f"6. Wrote {timeline} ({len(fake.timeline)} events) and {page}")
    return DemoResult(count, len(switched), tuple(refused), assessed, timeline, page)


def _summary(fake: FakeAzure, out: IO[str]) -> None:
    _say(out, "5. Summary per phase and region")
    halted = {e["rollout"]: e["reason"] for e in fake.timeline.events("phase_halted")}
    columns = f"{'patched':>8}{'pending':>8}{'failed':>7}{'not run':>8}"
    _say(out, f"   {'phase':>5}  {'region':<16}{columns}  why not")
    for row in outcomes(fake):
        held = ", ".join(f"{rule} x{count}" for rule, count in sorted(row.held.items()))
        _say(
            out,
            f"   {row.phase:>5}  {row.region:<16}{row.patched:>8}{row.pending:>8}"
            f"{row.failed:>7}{row.not_run:>8}  {held}",
        )
    for rollout, reason in halted.items():
        _say(out, f"   rollout {rollout} HALTED: {reason} (R44)")
