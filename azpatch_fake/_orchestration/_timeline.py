"""The rollout timeline: every orchestration event, kept compact, exported as JSON Lines.

A month of 100,000 VMs is millions of events, so each is stored as a
tuple and becomes a dict (the documented, stable format) only when read.
"""

from __future__ import annotations

import gzip
import json
import os
from array import array
from collections.abc import Collection, Iterable, Iterator, Sequence
from itertools import repeat
from typing import IO, Any, Protocol
from zoneinfo import ZoneInfo

from .._world._off_peak import local_iso, utc_iso
from ._timeline_parquet import Columns

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
    "rollout_resumed",
    "power_changed",
    "install_interrupted",
    "vm_given_up",
    "rollout_closed",
    "request_throttled",
)
_CODES = {event: code for code, event in enumerate(EVENTS)}


_PATCH_FIELDS = ("name", "classification", "state")


Detail = tuple[tuple[str, Any], ...]  # an event's detail: (name, value) pairs


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


class Timeline:
    """Events in the order they happened (which is time order: the clock never goes back).

    Stored as columns (times, event codes, VM indexes, details) rather than one object
    per event: millions of small objects would cost memory and make the garbage
    collector walk them again and again.
    """

    def __init__(self) -> None:
        self._times = array("d")
        self._codes = array("B")
        self._vms = array("i")  # 32-bit indexes (here and in details): rows are many
        self._subjects: list[Subject] = []
        # Details repeat (the same counts, rollout and phase for thousands of VMs): each
        # distinct one is kept once, and a row holds its index (-1: none).
        self._details = array("i")
        self._detail_values: list[Detail] = []
        self._detail_index: dict[Detail, int] = {}
        # add_indexed's details by their keys, then by their values.
        self._rows: dict[tuple[str, ...], dict[tuple[Any, ...], int]] = {}

    def add(self, moment: float, event: str, vm: Subject | None = None, **detail: Any) -> None:
        """Record an event; sequences in ``detail`` must be tuples (they become lists),
        ``patches`` a tuple of (name, classification, state)."""
        index = -1 if vm is None else self.index(vm)
        self._times.append(moment)
        self._codes.append(_CODES[event])
        self._vms.append(index)
        self._details.append(self._detail(tuple(detail.items())) if detail else -1)

    def add_indexed(
        self, moment: float, event: str, vms: Sequence[int], **columns: Sequence[Any]
    ) -> None:
        """Record one event per VM at one moment, for VMs given by their ``index`` (taken by a
        caller that touches each VM anyway, while it is at hand): ``columns`` give each its
        detail (``add_indexed(t, e, [i, j], count=[1, 2])`` records ``count=1`` for VM ``i``,
        then ``count=2`` for VM ``j``), in one step for the thousands of VMs of a window."""
        count = len(vms)
        if count == 1:  # a run's own assessment, an enablement's: appends are cheaper
            self._times.append(moment)
            self._codes.append(_CODES[event])
            self._vms.append(vms[0])
            pairs = tuple((key, got[0]) for key, got in columns.items())
            self._details.append(self._detail(pairs) if pairs else -1)
            return
        self._times.extend(array("d", (moment,)) * count)
        self._codes.extend(array("B", (_CODES[event],)) * count)
        self._vms.extend(vms if isinstance(vms, array) else array("i", vms))
        if not columns:
            self._details.extend(array("i", (-1,)) * count)
            return
        keys = tuple(columns)
        rows = self._rows.setdefault(keys, {})
        rows_of = list(zip(*columns.values(), strict=True))
        details = array("i", map(rows.get, rows_of, repeat(-1)))
        if -1 in details:  # details not seen before
            for at, values in enumerate(rows_of):
                if details[at] < 0:
                    index = rows.get(values)
                    if index is None:
                        index = rows[values] = self._detail(tuple(zip(keys, values, strict=True)))
                    details[at] = index
        self._details.extend(details)

    def _detail(self, pairs: Detail) -> int:
        index = self._detail_index.get(pairs)
        if index is None:
            index = self._detail_index[pairs] = len(self._detail_values)
            self._detail_values.append(pairs)
        return index

    def index(self, vm: Subject) -> int:
        """The index of ``vm`` among the VMs the timeline names, given on first mention."""
        index = vm.timeline_index
        if index < 0:
            index = vm.timeline_index = len(self._subjects)
            self._subjects.append(vm)
        return index

    def __len__(self) -> int:
        return len(self._times)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self._as_json(row) for row in range(len(self._times)))

    def events(
        self, event: str | Collection[str] | None = None, *, vm: str | None = None
    ) -> list[dict[str, Any]]:
        """The events in time order, optionally of one kind (or several) or of one VM (its
        resource id, any case)."""
        rows: Iterable[int] = range(len(self._times))
        if event is not None:
            kinds = [event] if isinstance(event, str) else event
            codes = {_CODES[kind] for kind in kinds}
            rows = sorted(row for code in codes for row in self._rows_of(code))
        if vm is not None:
            wanted = vm.casefold()
            named = {i for i, s in enumerate(self._subjects) if s.resource_id.casefold() == wanted}
            rows = [row for row in rows if self._vms[row] in named]
        return [self._as_json(row) for row in rows]

    def _rows_of(self, code: int) -> Iterator[int]:
        """The rows of one kind of event, found by C's byte search, not a Python loop."""
        codes, mark = self._codes.tobytes(), bytes((code,))
        row = codes.find(mark)
        while row >= 0:
            yield row
            row = codes.find(mark, row + 1)

    def write(self, path: str | os.PathLike[str]) -> int:
        """Write the timeline to ``path`` as JSON Lines, gzip-compressed when its name ends
        in ``.gz`` (about 25 times smaller), or as Parquet when it ends in ``.parquet``
        (the ``parquet`` extra; ten times faster to write); pandas, duckdb and
        ``read_timeline`` read each as it is. Returns the number of events."""
        if os.fspath(path).endswith(".parquet"):
            from ._timeline_parquet import write_parquet  # noqa: PLC0415  (needs pyarrow)

            return write_parquet(self._columns(), path)
        if os.fspath(path).endswith(".gz"):
            with gzip.open(path, "wt", encoding="utf-8", compresslevel=3) as packed:
                return self.write_jsonl(packed)
        with open(path, "w", encoding="utf-8") as plain:
            return self.write_jsonl(plain)

    def write_jsonl(self, out: IO[str]) -> int:
        """One JSON object per line, the same as ``json.dumps`` of each event would give;
        returns the number of lines.

        Each line is put together from pieces serialized once: a VM's fields, a shared
        detail, a moment's time; so a month of 100,000 VMs writes in seconds.
        """
        dumps = json.JSONEncoder(separators=(",", ":")).encode
        subjects: dict[int, str] = {}
        details: dict[int, str] = {}
        times: dict[float, str] = {}
        locals_: dict[tuple[float, str], str] = {}
        names = [f',"event":{dumps(event)}' for event in EVENTS]
        chunk: list[str] = []
        for row in range(len(self._times)):
            moment = self._times[row]
            stamp = times.get(moment)
            if stamp is None:
                stamp = times[moment] = f'{{"time":"{utc_iso(moment)}"'
            parts = [stamp, names[self._codes[row]]]
            index = self._vms[row]
            if index >= 0:
                subject = self._subjects[index]
                fields = subjects.get(index)
                if fields is None:
                    fields = subjects[index] = "," + dumps(_subject_fields(subject))[1:-1]
                key = (moment, subject.zone_info.key)
                local = locals_.get(key)
                if local is None:
                    local = locals_[key] = f',"local_time":"{local_iso(moment, subject.zone_info)}"'
                parts += (fields, local)
            detail = self._details[row]
            if detail >= 0:
                text = details.get(detail)
                if text is None:  # one serialization each distinct detail
                    body = dumps(_detail_fields(self._detail_values[detail]))
                    text = details[detail] = "," + body[1:-1]
                parts.append(text)
            parts.append("}\n")
            chunk.append("".join(parts))
            if len(chunk) >= 4096:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk))
        return len(self._times)

    def _columns(self) -> Columns:
        dumps = json.JSONEncoder(separators=(",", ":")).encode
        return Columns(
            self._times,
            self._codes,
            self._vms,
            self._details,
            EVENTS,
            self._subjects,
            [dumps(_detail_fields(detail)) for detail in self._detail_values],
        )

    def _as_json(self, row: int) -> dict[str, Any]:
        index = self._vms[row]
        return _as_json(
            self._times[row],
            EVENTS[self._codes[row]],
            self._subjects[index] if index >= 0 else None,
            self._detail_values[detail] if (detail := self._details[row]) >= 0 else (),
        )


def _subject_fields(vm: Subject) -> dict[str, Any]:
    return {
        "vm": vm.resource_id,
        "subscription": vm.subscription,
        "location": vm.location,
        "zone": vm.zone,
        "availability_set": vm.availability_set,
        "update_domain": vm.update_domain,
    }


def _detail_fields(detail: Detail) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key, value in detail:
        if key == "patches":
            body[key] = [dict(zip(_PATCH_FIELDS, patch, strict=True)) for patch in value]
        elif isinstance(value, tuple):
            body[key] = [list(item) if isinstance(item, tuple) else item for item in value]
        else:
            body[key] = value
    return body


def _as_json(moment: float, event: str, vm: Subject | None, detail: Detail) -> dict[str, Any]:
    body: dict[str, Any] = {"time": utc_iso(moment), "event": event}
    if vm is not None:
        body |= _subject_fields(vm)
        body["local_time"] = local_iso(moment, vm.zone_info)
    return body | _detail_fields(detail)
