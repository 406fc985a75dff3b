"""The timeline as Parquet (the ``parquet`` extra): the same events as JSON Lines, read back by
``read_timeline``, checked by ``check_timeline``, and columns pandas or duckdb take as they are."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from azpatch_fake import check_timeline, example_fleet, load_fleet, read_timeline
from azpatch_fake.__main__ import main

pq = pytest.importorskip("pyarrow.parquet")


def test_a_parquet_timeline_reads_back_as_the_json_lines_events(tmp_path: Path) -> None:
    fake = load_fleet(example_fleet(80, seed=6), seed=6)
    fake.run_until(datetime(2027, 2, 1, tzinfo=timezone.utc))
    path = tmp_path / "timeline.parquet"
    assert fake.timeline.write(path) == len(fake.timeline)
    events = read_timeline(path)
    assert events == [json.loads(json.dumps(e)) for e in fake.timeline]
    assert check_timeline(events) == []


def test_writing_leaves_arrows_memory_pool_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer borrows a faster pool for its own allocations, never the user's choice."""
    pa = pytest.importorskip("pyarrow")
    fake = load_fleet(example_fleet(10, seed=3), seed=3)
    fake.run_until(datetime(2027, 1, 3, tzinfo=timezone.utc))
    before = pa.default_memory_pool()
    fake.timeline.write(tmp_path / "a.parquet")
    assert pa.default_memory_pool().backend_name == before.backend_name
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "system")  # the user's choice
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        fake.timeline.write(tmp_path / "b.parquet")
        assert pa.default_memory_pool().backend_name == "system"
    finally:
        pa.set_memory_pool(before)
    assert read_timeline(tmp_path / "b.parquet") == read_timeline(tmp_path / "a.parquet")


def test_the_columns_are_typed_for_dataframes(tmp_path: Path) -> None:
    fake = load_fleet(example_fleet(30, seed=2), seed=2)
    fake.run_until(datetime(2027, 1, 20, tzinfo=timezone.utc))
    path = tmp_path / "timeline.parquet"
    fake.timeline.write(path)
    table = pq.read_table(path)
    assert table.column_names == [
        "time",
        "event",
        "vm",
        "subscription",
        "location",
        "zone",
        "availability_set",
        "update_domain",
        "local_time",
        "detail",
    ]
    assert str(table.schema.field("time").type) == "timestamp[ms, tz=UTC]"  # Parquet has no s
    first = table.slice(0, 1).to_pylist()[0]
    event = next(iter(fake.timeline))
    assert first["time"] == datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
    assert (first["event"], first["vm"], first["local_time"]) == (
        event["event"],
        event["vm"],
        event["local_time"],
    )


def test_simulate_writes_parquet_when_the_name_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = tmp_path / "fleet.json"
    fleet.write_text(json.dumps(example_fleet(40, seed=3)))
    plain, columnar = tmp_path / "timeline.jsonl", tmp_path / "timeline.parquet"
    for out in (plain, columnar):
        main(
            [
                "simulate",
                "--fleet",
                str(fleet),
                "--until",
                "2027-02-01T00:00:00Z",
                "--timeline",
                str(out),
            ]
        )
    capsys.readouterr()
    assert read_timeline(columnar) == read_timeline(plain)


def test_without_pyarrow_writing_parquet_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = load_fleet(example_fleet(5, seed=1), seed=1)
    fake.run_until(datetime(2027, 1, 3, tzinfo=timezone.utc))
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r'pip install "azpatch\[parquet\]"'):
        fake.timeline.write(tmp_path / "timeline.parquet")
    assert not (tmp_path / "timeline.parquet").exists()
