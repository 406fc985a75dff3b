"""The virtual clock: time moves only when told, and events run in time order."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import azpatch
from azpatch_fake import VirtualClock

START = datetime(2026, 3, 1, tzinfo=timezone.utc)


def test_it_is_a_client_clock() -> None:
    clock = VirtualClock(START)
    assert isinstance(clock, azpatch.Clock)
    assert clock.time() == START.timestamp()
    clock.sleep(90)
    assert clock.now() == START + timedelta(seconds=90)
    assert clock.monotonic() == 90.0
    assert clock.slept == [90]


def test_events_run_in_time_order_as_time_passes() -> None:
    clock = VirtualClock(START)
    ran: list[tuple[str, float]] = []
    clock.call_later(30, lambda: ran.append(("b", clock.monotonic())))
    clock.call_later(10, lambda: ran.append(("a", clock.monotonic())))
    clock.call_at(START + timedelta(hours=1), lambda: ran.append(("c", clock.monotonic())))
    clock.advance(20)
    assert ran == [("a", 10.0)]
    clock.run_until(START + timedelta(hours=2))
    assert ran == [("a", 10.0), ("b", 30.0), ("c", 3600.0)]
    assert clock.monotonic() == 7200.0


def test_an_event_in_the_past_runs_at_once() -> None:
    clock = VirtualClock(START)
    clock.advance(60)
    ran: list[float] = []
    clock.call_at(START, lambda: ran.append(clock.monotonic()))
    assert ran == [60.0]


def test_time_never_goes_backwards() -> None:
    clock = VirtualClock(START)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="timezone-aware"):
        VirtualClock(datetime(2026, 3, 1))


@pytest.mark.anyio
async def test_async_sleep_advances_too() -> None:
    clock = VirtualClock(START)
    await clock.asleep(5)
    assert clock.monotonic() == 5.0
