"""The rollout timeline: every orchestration event, kept compact, exported as JSON Lines.

A month of 100,000 VMs is millions of events, so each is stored as a
tuple and becomes a dict (the documented, stable format) only when read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any, Protocol
from zoneinfo import ZoneInfo

from ._off_peak import local_iso, utc_iso

__all__ = ["EVENTS", "Timeline"]

EVENTS = (
    "enablement_started",
    "enablement_paused",
    "enablement_finished",
    "assessment_started",
    "assessment_finished",
    "rollout_started",
    "rollout_ended",
    "phase_started",
    "phase_completed",
    "phase_halted",
    "batch_started",
    "install_started",
    "install_finished",
    "reboot_started",
    "reboot_finished",
    "health_verdict",
    "gate_decision",
)


_PATCH_FIELDS = ("name", "classification", "state")


class Subject(Protocol):
    """What the timeline needs to know of a VM."""

    resource_id: str
    subscription: str
    location: str
    zone: str | None
    availability_set: str | None
    update_domain: int | None
    zone_info: ZoneInfo
    timeline_index: int  # -1 until the timeline first names it


# A row names its VM by index and holds its details as pairs: a tuple of plain values is
# left alone by the garbage collector, which would otherwise walk millions of rows again
# and again (a dict inside keeps a tuple tracked).
Row = tuple[float, str, int, "tuple[tuple[str, Any], ...]"]


class Timeline:
    """Events in the order they happened (which is time order: the clock never goes back)."""

    def __init__(self) -> None:
        self._rows: list[Row] = []
        self._subjects: list[Subject] = []

    def add(self, moment: float, event: str, vm: Subject | None = None, **detail: Any) -> None:
        """Record an event; sequences in ``detail`` must be tuples (they become lists),
        ``patches`` a tuple of (name, classification, state)."""
        index = -1
        if vm is not None:
            index = vm.timeline_index
            if index < 0:
                index = vm.timeline_index = len(self._subjects)
                self._subjects.append(vm)
        self._rows.append((moment, event, index, tuple(detail.items())))

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self._as_json(row) for row in self._rows)

    def events(self, event: str | None = None, *, vm: str | None = None) -> list[dict[str, Any]]:
        """The events, optionally of one kind or one VM (resource id, any case)."""
        wanted = vm.casefold() if vm else None
        return [
            self._as_json(row)
            for row in self._rows
            if (event is None or row[1] == event)
            and (
                wanted is None
                or (row[2] >= 0 and self._subjects[row[2]].resource_id.casefold() == wanted)
            )
        ]

    def write_jsonl(self, out: IO[str]) -> int:
        """One JSON object per line; returns the number of lines."""
        for row in self._rows:
            out.write(json.dumps(self._as_json(row), separators=(",", ":")))
            out.write("\n")
        return len(self._rows)

    def _as_json(self, row: Row) -> dict[str, Any]:
        moment, event, index, detail = row
        return _as_json(moment, event, self._subjects[index] if index >= 0 else None, detail)


def _as_json(
    moment: float, event: str, vm: Subject | None, detail: tuple[tuple[str, Any], ...]
) -> dict[str, Any]:
    body: dict[str, Any] = {"time": utc_iso(moment), "event": event}
    if vm is not None:
        body |= {
            "vm": vm.resource_id,
            "subscription": vm.subscription,
            "location": vm.location,
            "zone": vm.zone,
            "availability_set": vm.availability_set,
            "update_domain": vm.update_domain,
            "local_time": local_iso(moment, vm.zone_info),
        }
    for key, value in detail:
        if key == "patches":
            body[key] = [dict(zip(_PATCH_FIELDS, patch, strict=True)) for patch in value]
        elif isinstance(value, tuple):
            body[key] = [list(item) if isinstance(item, tuple) else item for item in value]
        else:
            body[key] = value
    return body
