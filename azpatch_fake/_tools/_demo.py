"""``python -m azpatch_fake demo``: the main job, end to end, on a fresh embedded fake.

The client side (preview opt-in, switching every eligible VM to
AutomaticByPlatform, an on-demand assessment of the fleet) goes through the
azpatch async client in ``_clients.main_job``, the fake's one door to azpatch;
then a month of the simulated platform's rollout, a summary,
``timeline.jsonl`` and ``rollout.html``.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING

import attrs

from .._world._catalog import release_after
from ._demo_world import SUBSCRIPTIONS, demo_world
from ._rollout_html import rollout_html
from ._simulate import print_summary

if TYPE_CHECKING:
    from .._app import FakeAzure

__all__ = ["DemoResult", "run_demo"]


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


def run_demo(
    out_dir: Path, *, seed: int = 0, out: IO[str] | None = None, progress: IO[str] | None = None
) -> DemoResult:
    """The whole story; prints as it goes and returns what it did."""
    from .._doors._clients import main_job  # noqa: PLC0415  (the one way into azpatch)

    out, progress = out or sys.stdout, progress or sys.stderr
    fake = demo_world(seed)
    steps = main_job(fake, SUBSCRIPTIONS, lambda text: _say(out, text))
    release = release_after(fake.clock.now())
    following = release_after(release)
    _say(out, f"4. The platform's rollout: released {release:%Y-%m-%d %H:%M} UTC, one month")
    _month(fake, following - timedelta(hours=1), progress)
    _say(out, "5. Summary per phase and region")
    print_summary(fake, out)
    out_dir.mkdir(parents=True, exist_ok=True)
    timeline, page = out_dir / "timeline.jsonl", out_dir / "rollout.html"
    with timeline.open("w", encoding="utf-8") as lines:
        fake.timeline.write_jsonl(lines)
    page.write_text(rollout_html(fake.timeline, title="azpatch demo"), encoding="utf-8")
    _say(out, f"6. Wrote {timeline} ({len(fake.timeline)} events) and {page}")
    return DemoResult(steps.vms, steps.switched, steps.refused, steps.assessed, timeline, page)
