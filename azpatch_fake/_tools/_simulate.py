"""``python -m azpatch_fake simulate``: run a fleet to a date, summarize, write the timeline."""

from __future__ import annotations

import gc
import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import attrs

from .._app import FakeAzure
from .._orchestration._members import Member
from ._fleet import load_fleet

__all__ = ["RegionOutcome", "outcomes", "print_summary", "simulate"]


@attrs.define
class RegionOutcome:
    """What one rollout did in one region: VMs by the result of their last run."""

    rollout: str
    phase: int
    region: str
    patched: int = 0
    pending: int = 0
    failed: int = 0
    not_run: int = 0
    given_up: int = 0  # of those failed or pending: given up for the month (Q26)
    held: Counter[str] = attrs.Factory(Counter)  # rule -> VMs, for the current rollout


def outcomes(fake: FakeAzure) -> list[RegionOutcome]:
    """Per rollout, phase and region, from the timeline (and, for the rollout in
    progress, the rule holding each VM that has not run)."""
    rows: dict[tuple[str, str], RegionOutcome] = {}
    last: dict[tuple[str, str], str] = {}
    given_up: set[tuple[str, str]] = set()
    vms_by_region: dict[str, list[Member]] = defaultdict(list)
    for member in fake.orchestrator.members():
        vms_by_region[member.location].append(member)
    kinds = ("rollout_started", "install_finished", "install_interrupted", "vm_given_up")
    for event in fake.timeline.events(kinds):
        if event["event"] == "rollout_started":
            for index, phase in enumerate(event["phases"]):
                for region in phase:
                    rows[(event["rollout"], region)] = RegionOutcome(
                        event["rollout"], index + 1, region
                    )
        elif event["event"] == "install_finished":
            last[(event["rollout"], event["vm"])] = event["status"]
        elif event["event"] == "install_interrupted":  # the VM stopped: its patches wait
            last[(event["rollout"], event["vm"])] = "CompletedWithWarnings"
        elif event["event"] == "vm_given_up":
            given_up.add((event["rollout"], event["vm"]))
    current = fake.orchestrator.rollout
    for (rollout, region), row in rows.items():
        for member in vms_by_region.get(region, []):
            status = last.get((rollout, member.resource_id))
            row.given_up += (rollout, member.resource_id) in given_up
            if status == "Succeeded":
                row.patched += 1
            elif status == "CompletedWithWarnings":
                row.pending += 1
            elif status == "Failed":
                row.failed += 1
            else:
                row.not_run += 1
                if current is not None and rollout == current.rollout_id:
                    row.held[fake.why_not_patched(member.vm).rule] += 1
    return sorted(rows.values(), key=lambda r: (r.rollout, r.phase, r.region))


# What each rule that holds a VM back means, in the few words a summary line has room for.
_HELD_BY = {
    "R3": "not AutomaticByPlatform",
    "Q5": "custom image",
    "R9": "unsupported image",
    "R10": "VM agent not ready",
    "R16": "enablement pending",
    "R21": "stopped",
    "R27": "outside off-peak hours",
    "R28": "the 30 days are over",
    "R32": "installing",
    "R33": "retry in the next window",
    "Q26": "retry behind first attempts",
    "R40": "no rollout",
    "R41": "a later phase",
    "R42": "paired region installing",
    "R44": "halted, or unhealthy",
    "R45": "another zone installing",
    "R46": "subscription batch full",
    "R48": "another update domain installing",
    "R49": "set share full",
    "R50": "update domain baking",
    "R53": "in the next batch",
    "R55": "user schedule only",
}


def print_summary(fake: FakeAzure, out: IO[str]) -> None:
    """Per rollout (and why it halted, if it did), a line per phase and region."""
    halted = {e["rollout"]: e for e in fake.timeline.events("phase_halted")}
    resumed = {e["rollout"]: e for e in fake.timeline.events("rollout_resumed")}
    header = f"{'phase':>5}  {'region':<22}{'patched':>8}{'pending':>8}{'failed':>7}{'not run':>8}"
    rollout = None
    for row in outcomes(fake):
        if row.rollout != rollout:
            rollout = row.rollout
            note = f"  HALTED (R44): {halted[rollout]['reason']}" if rollout in halted else ""
            if rollout in resumed:
                note += f"; resumed {resumed[rollout]['time']} (Q24)"
            out.write(f"\nrollout {rollout}{note}\n{header}\n")
        held = ", ".join(
            f"{count} {rule} {_HELD_BY.get(rule, '')}".rstrip()
            for rule, count in sorted(row.held.items())
        )
        out.write(
            f"{row.phase:>5}  {row.region:<22}{row.patched:>8}{row.pending:>8}"
            f"{row.failed:>7}{row.not_run:>8}{'  (' + held + ')' if held else ''}\n"
        )


def simulate(
    fleet: Mapping[str, Any],
    *,
    until: datetime,
    seed: int = 0,
    timeline: IO[str] | None = None,
    out: IO[str] | None = None,
) -> FakeAzure:
    """Load ``fleet``, run it to ``until``, write the timeline and a summary."""
    fake = load_fleet(fleet, seed=seed)
    return _run(fake, until, timeline, out)


def _run(
    fake: FakeAzure, until: datetime, timeline: IO[str] | None, out: IO[str] | None
) -> FakeAzure:
    fake.run_until(until)
    if timeline is not None:
        fake.timeline.write_jsonl(timeline)
    if out is not None:
        print_summary(fake, out)
    return fake


@contextmanager
def loaded_for_a_long_run(fleet: Mapping[str, Any], *, seed: int) -> Iterator[FakeAzure]:
    """``load_fleet`` for a command whose world lives as long as it does: out of the garbage
    collector's sight until the block ends, the world's millions of records are not walked
    again and again (a quarter of a large fleet's month); and as a month makes no cyclic
    garbage, young objects are looked at only after a million more were made than freed (the
    walks every 50,000 cost another 4 %), a safety net left on. The caller drops ``fleet``:
    so does this."""
    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    gc.disable()  # and not enabled again before the freeze: that would walk the whole world
    try:
        fake = load_fleet(fleet, seed=seed)
        del fleet
        gc.freeze()
        gc.set_threshold(1_000_000, 10, 10)
        gc.enable()
        yield fake
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        (gc.enable if enabled else gc.disable)()


def run_command(
    fleet_path: Path, until: datetime, timeline_path: Path, seed: int, out: IO[str]
) -> None:
    with fleet_path.open(encoding="utf-8") as source:
        fleet = json.load(source)
    with loaded_for_a_long_run(fleet, seed=seed) as fake:
        del fleet  # dropped before the run: the world keeps what it needs of it
        _run(fake, until, None, out)
        fake.timeline.write(timeline_path)
        out.write(f"\n{len(fake.timeline)} events written to {timeline_path}\n")
