"""``check_timeline``: replay a timeline against the availability-first invariants.

It reads only the documented event format (JSON Lines or the dicts of
``fake.timeline``), so it checks any timeline, including one written by a
different build: geo-pairs (R42), zones (R45), subscription batches (R46),
availability sets (R47 to R49), off-peak starts and ends (R27), Critical and
Security only (R26), the 30-day bound on first runs (R28), phase order (R41),
halts (R44), nothing running on a VM that is off (R21), and no run after a VM's
allowance of failed runs (Q26).
"""

from __future__ import annotations

import gzip
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta
from typing import IO, Any

import attrs

from .._world._off_peak import OffPeakHours, utc_seconds
from .._world._regions import conflicts
from ._install_run import AUTOMATIC_CLASSIFICATIONS
from ._timeline_parquet import read_parquet

__all__ = ["Violation", "check_timeline", "read_timeline"]


@attrs.frozen(order=True)
class Violation:
    """A rule that an event of a timeline breaks: when, which rule, and how."""

    time: str
    rule: str
    message: str


def read_timeline(source: IO[str] | str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Events from a timeline file: an open JSON Lines text file, or a path (``.gz``: gzip,
    ``.parquet``: Parquet, with the ``parquet`` extra)."""
    if isinstance(source, (str, os.PathLike)):
        if os.fspath(source).endswith(".parquet"):
            return read_parquet(source)
        if os.fspath(source).endswith(".gz"):
            with gzip.open(source, "rt", encoding="utf-8") as packed:
                return read_timeline(packed)
        with open(source, encoding="utf-8") as plain:
            return read_timeline(plain)
    return [json.loads(line) for line in source if line.strip()]


def _in_window(local_time: str, window: str, *, ending: bool = False) -> bool:
    """Whether ``local_time`` lies in an ``off_peak`` field such as ``22:00-06:00``; with
    ``ending``, the window's last instant counts too (something may end as it closes)."""
    start, end = (time.fromisoformat(part) for part in window.split("-"))
    local = datetime.fromisoformat(local_time).time()
    return OffPeakHours(start, end).contains(local) or (ending and local == end)


_RUN_STEPS = frozenset({"install_finished", "reboot_started", "reboot_finished", "health_verdict"})


def _cap(size: int, share: float, minimum_size: int = 0) -> int:
    return 1 if size < minimum_size else max(1, int(share * size))


class _Replay:
    def __init__(self, share: float, small_set: int, rollout_days: int, failed_runs: int) -> None:
        self.share = share
        self.failed_runs = failed_runs
        self.failures: Counter[tuple[str, str]] = Counter()  # (rollout, VM) -> failed runs
        self.outcome: dict[str, bool] = {}  # VM -> whether its run in progress failed
        self.small_set = small_set
        self.bound = timedelta(days=rollout_days).total_seconds()
        self.found: list[Violation] = []
        self.released: dict[str, float] = {}
        self.completed: dict[tuple[str, int], float] = {}
        self.halted: dict[str, float] = {}  # rollout -> when it halted, until it resumes
        self.open: dict[str, Mapping[str, Any]] = {}
        self.zones: dict[tuple[str, str], Counter[str | None]] = defaultdict(Counter)
        self.sets: dict[tuple[str, str], Counter[int | None]] = defaultdict(Counter)
        self.pools: dict[tuple[str, str, str, str | None], int] = defaultdict(int)
        self.off: set[str] = set()  # VMs stopped or deallocated

    def flag(self, event: Mapping[str, Any], rule: str, message: str) -> None:
        self.found.append(Violation(event["time"], rule, message))

    def event(self, event: Mapping[str, Any]) -> None:
        kind = event["event"]
        moment = utc_seconds(event["time"])
        if kind == "rollout_started":
            self.released[event["rollout"]] = moment
        elif kind == "phase_completed":
            self.completed[(event["rollout"], event["phase"])] = moment
        elif kind == "phase_halted":
            self.halted.setdefault(event["rollout"], moment)
        elif kind == "rollout_resumed":
            self.halted.pop(event["rollout"], None)
        elif kind == "power_changed":
            if event["power_state"] == "running":
                self.off.discard(event["vm"])
            else:
                self.off.add(event["vm"])
        elif kind == "install_started":
            if event["vm"] in self.off:
                self.flag(event, "R21", f"{event['vm']} starts a run while it is off")
            self.started(event, moment)
        elif kind == "install_finished":
            states = Counter(patch["state"] for patch in event.get("patches", []))
            failed = event.get("status") == "Failed" or (
                states["Pending"] > 0 and not states["Installed"]
            )
            self.outcome[event["vm"]] = failed  # counted at its verdict: a cut-off run is not
            for patch in event.get("patches", []):
                if patch["state"] != "NotSelected" and (
                    patch["classification"] not in AUTOMATIC_CLASSIFICATIONS
                ):
                    self.flag(event, "R26", f"{event['vm']} installs {patch['name']}")
        if kind in ("install_finished", "reboot_finished") and event["vm"] in self.open:
            window = self.open[event["vm"]].get("off_peak")
            local = event.get("local_time")
            if window and local and not _in_window(local, window, ending=True):
                self.flag(event, "R27", f"{event['vm']} ends its {kind[:-9]} at {local}, late")
        if kind in _RUN_STEPS and event["vm"] in self.off:
            self.flag(event, "R21", f"{event['vm']} goes on with its run while it is off")
        if kind == "health_verdict" and self.outcome.pop(event["vm"], False):
            self.failures[(event["rollout"], event["vm"])] += 1
        if kind == "install_interrupted":
            self.outcome.pop(event["vm"], None)
        if kind in ("health_verdict", "install_interrupted") and event["vm"] in self.open:
            self.ended(self.open.pop(event["vm"]))

    def started(self, event: Mapping[str, Any], moment: float) -> None:
        vm, rollout, phase = event["vm"], event["rollout"], event["phase"]
        if event.get("off_peak") and not _in_window(event["local_time"], event["off_peak"]):
            self.flag(event, "R27", f"{vm} starts at {event['local_time']}, not off-peak")
        release = self.released.get(rollout)
        first = event.get("attempt", 1) == 1  # retries go on after the 30 days (R33)
        if release is not None and moment - release > self.bound and first:
            self.flag(event, "R28", f"{vm} starts after rollout {rollout}'s 30 days")
        if self.failures[(rollout, vm)] >= self.failed_runs:
            self.flag(event, "Q26", f"{vm} runs again after {self.failed_runs} failed runs")
        if phase > 1 and self.completed.get((rollout, phase - 1), moment + 1) > moment:
            self.flag(event, "R41", f"{vm} (phase {phase}) starts before phase {phase - 1} ended")
        if rollout in self.halted and moment > self.halted[rollout]:
            self.flag(event, "R44", f"{vm} starts while rollout {rollout} is halted")
        self.open[vm] = event
        self.busy(event, +1)
        self.check(event)

    def ended(self, event: Mapping[str, Any]) -> None:
        self.busy(event, -1)

    def busy(self, event: Mapping[str, Any], step: int) -> None:
        rollout, location = event["rollout"], event["location"]
        self.zones[(rollout, location)][event["zone"]] += step
        if event["availability_set"]:
            self.sets[(rollout, event["availability_set"].casefold())][event["update_domain"]] += (
                step
            )
        else:
            key = (rollout, event["subscription"].casefold(), location, event["zone"])
            self.pools[key] += step

    def check(self, event: Mapping[str, Any]) -> None:
        vm, rollout, location = event["vm"], event["rollout"], event["location"]
        for partner in conflicts(location):
            if any(self.zones[(rollout, partner)].values()):
                self.flag(event, "R42", f"{vm} installs while paired {partner} does")
        zones = [zone for zone, count in self.zones[(rollout, location)].items() if count]
        if len(zones) > 1:
            self.flag(event, "R45", f"zones {sorted(map(str, zones))} of {location} at once")
        if event["availability_set"]:
            uds = self.sets[(rollout, event["availability_set"].casefold())]
            busy = sum(uds.values())
            size = event.get("set_size") or 0
            if len([ud for ud, count in uds.items() if count]) > 1:
                self.flag(event, "R48", f"two update domains of {event['availability_set']}")
            if size >= 2 and busy >= size:
                self.flag(event, "R47", f"all of {event['availability_set']} at once")
            if size and busy > _cap(size, self.share, self.small_set):
                self.flag(event, "R49", f"{busy} of {size} VMs of {event['availability_set']}")
        else:
            key = (rollout, event["subscription"].casefold(), location, event["zone"])
            busy, size = self.pools[key], event.get("pool_size") or 0
            if size >= 2 and busy >= size:
                self.flag(event, "R46", f"all of {event['subscription']}'s VMs in {location}")
            if size and busy > _cap(size, self.share):
                self.flag(event, "R46", f"{busy} of {size} VMs of one batch pool in {location}")


def check_timeline(
    events: Iterable[Mapping[str, Any]],
    *,
    share: float = 0.2,
    small_set: int = 10,
    rollout_days: int = 30,
    failed_runs: int = 3,
) -> list[Violation]:
    """Every violation of the invariants, in time order; an empty list means none.

    ``share``, ``small_set``, ``rollout_days`` and ``failed_runs`` (the policy's
    ``failed_runs_per_rollout``) are the policy the timeline was made with (the
    defaults are the fake's).
    """
    replay = _Replay(share, small_set, rollout_days, failed_runs)
    # Events come in time order; at one instant, a VM's verdict frees its slot before
    # another VM takes it, as in the simulation.
    ordered = sorted(
        enumerate(events),
        key=lambda item: (item[1]["time"], item[1]["event"] != "health_verdict", item[0]),
    )
    for _, event in ordered:
        replay.event(event)
    return sorted(replay.found)
