"""The timeline as Parquet, for large fleets: pandas, polars and duckdb read it as it is.

Written straight from the timeline's columns by pyarrow, in C: a month of
100,000 VMs takes under two seconds where JSON Lines take ten. VM fields, local
times and details are dictionary-encoded (each distinct value stored once).
The columns are those of a JSON Lines event: ``time`` is a UTC timestamp,
``detail`` the event's own fields as JSON text; ``read_parquet`` gives back the
very dicts that ``read_timeline`` reads from JSON Lines.
"""

from __future__ import annotations

import json
import operator
import os
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timezone
from typing import Any, NamedTuple

from .._world._off_peak import local_iso, utc_iso

__all__ = ["Columns", "read_parquet", "write_parquet"]

_MISSING = 'writing and reading Parquet timelines needs pyarrow: pip install "azpatch[parquet]"'
_VM_FIELDS = ("vm", "subscription", "location", "zone", "availability_set", "update_domain")


class Columns(NamedTuple):
    """What a timeline holds, as ``Timeline`` keeps it."""

    times: array[float]  # UTC epoch seconds
    codes: array[int]  # an index into ``events``
    vms: array[int]  # an index into ``subjects``, -1 for none
    details: array[int]  # an index into ``details_json``, -1 for none
    events: Sequence[str]
    subjects: Sequence[Any]  # ``_timeline.Subject``
    details_json: Sequence[str]  # each distinct detail as a JSON object


def _pyarrow() -> Any:
    try:
        import pyarrow  # noqa: PLC0415  (an optional extra, imported when asked for)
        import pyarrow.compute  # noqa: PLC0415
        import pyarrow.parquet  # noqa: PLC0415
    except ImportError as error:
        raise ImportError(_MISSING) from error
    return pyarrow


def write_parquet(columns: Columns, path: str | os.PathLike[str]) -> int:
    """Write the timeline's ``columns`` to ``path`` (zstd-compressed); returns the rows."""
    pa = _pyarrow()
    count = len(columns.times)
    with _allocating_fresh_memory_fast(pa):
        converter = _Converter(pa, columns)
        for start in range(0, max(count, 1), _CHUNK):
            converter.convert(start, min(start + _CHUNK, count))
        pa.parquet.write_table(
            converter.table(),
            path,
            compression="zstd",
            compression_level=1,  # as small as the default level here, and a fifth faster
            write_statistics=["time"],  # min and max of long strings would cost half the writing
            # One row group, whose dictionaries (a VM's id, a detail) are each written once and
            # kept whole: split, the million VMs' ids would be written again in every group.
            row_group_size=max(count, 1),
            dictionary_pagesize_limit=2**31 - 1,
        )
    return count


@contextmanager
def _allocating_fresh_memory_fast(pa: Any) -> Iterator[None]:
    """Writing takes hundreds of MB that the process has not used before; Arrow's jemalloc
    pool gets them from the system faster than its default (mimalloc): a tenth of a large
    timeline's writing. The default comes back after; one the user chose is kept."""
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # a build without it
        pool = None
    if pool is None or os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        yield
        return
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


_CHUNK = 1 << 18  # rows converted at a time, so that what the conversion holds stays small
_PER_VM = {  # fields many VMs share, each kept once
    "subscription": operator.attrgetter("subscription"),
    "location": operator.attrgetter("location"),
    "zone": operator.attrgetter("zone"),
    "availability_set": operator.attrgetter("availability_set"),
}


class _Converter:
    """The timeline's arrays as Arrow columns, a chunk of rows at a time: each row holds
    indexes into dictionaries (the VMs' fields, local times, details) made once."""

    def __init__(self, pa: Any, columns: Columns) -> None:
        self.pa, self.columns = pa, columns
        subjects = columns.subjects
        self.ids = pa.array([s.resource_id for s in subjects], pa.string())  # one a VM
        self.per_vm = {
            name: _narrow(pa, pa.array(list(map(field, subjects)), pa.string()).dictionary_encode())
            for name, field in _PER_VM.items()
        }
        self.update_domains = pa.array([s.update_domain for s in subjects], pa.int16())
        zones = pa.array([s.zone_info.key for s in subjects], pa.string()).dictionary_encode()
        self.zone_of = zones.indices
        infos = {s.zone_info.key: s.zone_info for s in subjects}
        self.zone_infos = [infos[key] for key in zones.dictionary.to_pylist()]
        self.local_index: dict[int, int] = {}  # (second, zone) -> index of its local time
        self.local_times: list[str] = []
        self.chunks: dict[str, list[Any]] = {}

    def convert(self, start: int, stop: int) -> None:
        pa, pc, columns = self.pa, self.pa.compute, self.columns
        count = stop - start

        def view(kind: Any, values: Any) -> Any:  # a slice of an array.array, for Arrow
            return pa.Array.from_buffers(kind, count, [None, pa.py_buffer(values[start:stop])])

        def index(values: Any) -> Any:  # -1 means none: null
            return pc.if_else(pc.less(values, 0), None, values)

        # Whole seconds, as JSON Lines has them.
        seconds = pc.cast(pc.floor(view(pa.float64(), columns.times)), pa.int64())
        vm = index(view(pa.int32(), columns.vms))
        add = self.chunks.setdefault
        add("time", []).append(seconds.view(pa.timestamp("s", tz="UTC")))
        add("event", []).append(view(pa.int8(), columns.codes))
        add("vm", []).append(vm)
        for name, encoded in self.per_vm.items():
            add(name, []).append(pc.take(encoded.indices, vm))
        add("update_domain", []).append(pc.take(self.update_domains, vm))
        add("local_time", []).append(self._local_times(seconds, vm))
        add("detail", []).append(index(view(pa.int32(), columns.details)))

    def _local_times(self, seconds: Any, vm: Any) -> Any:
        """One local time per (second, time zone) that occurs: formatted in Python once."""
        pa, pc = self.pa, self.pa.compute
        width = max(len(self.zone_infos), 1)
        zone = pc.cast(pc.take(self.zone_of, vm), pa.int64())
        keys = pc.add(pc.multiply(seconds, width), zone).dictionary_encode()
        known = self.local_index
        for key in keys.dictionary.to_pylist():
            if key not in known:
                known[key] = len(self.local_times)
                self.local_times.append(local_iso(key // width, self.zone_infos[key % width]))
        return pc.take(
            pa.array([known[k] for k in keys.dictionary.to_pylist()], pa.int32()), keys.indices
        )

    def table(self) -> Any:
        pa, columns = self.pa, self.columns
        dictionaries = {name: encoded.dictionary for name, encoded in self.per_vm.items()}
        dictionaries["vm"] = self.ids
        dictionaries["event"] = pa.array(columns.events, pa.string())
        dictionaries["local_time"] = pa.array(self.local_times, pa.string())
        dictionaries["detail"] = pa.array(columns.details_json, pa.string())
        return pa.table(
            {
                name: pa.chunked_array(
                    [
                        pa.DictionaryArray.from_arrays(c, dictionaries[name], safe=False)
                        for c in chunks
                    ]
                    if name in dictionaries
                    else chunks
                )
                for name, chunks in self.chunks.items()
            }
        )


def _narrow(pa: Any, encoded: Any) -> Any:
    """``encoded`` with the narrowest indexes its dictionary allows: a region's index is one
    byte in each of a large timeline's millions of rows, not four."""
    for kind in (pa.int8(), pa.int16()):
        if len(encoded.dictionary) <= 2 ** (kind.bit_width - 1):
            return pa.DictionaryArray.from_arrays(encoded.indices.cast(kind), encoded.dictionary)
    return encoded


def read_parquet(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The events of a Parquet timeline, as ``read_timeline`` gives them from JSON Lines."""
    table = _pyarrow().parquet.read_table(path)
    data = {name: _column(table, name) for name in table.column_names}
    events: list[dict[str, Any]] = []
    for row, moment in enumerate(data["time"]):
        event: dict[str, Any] = {"time": moment, "event": data["event"][row]}
        if data["vm"][row] is not None:
            for name in _VM_FIELDS:
                event[name] = data[name][row]
            event["local_time"] = data["local_time"][row]
        detail = data["detail"][row]
        if detail is not None:
            event |= json.loads(detail)
        events.append(event)
    return events


def _column(table: Any, name: str) -> Sequence[Any]:
    values = table.column(name).to_pylist()
    if name == "time":
        return [utc_iso(v.astimezone(timezone.utc).timestamp()) for v in values]
    return values  # type: ignore[no-any-return]
