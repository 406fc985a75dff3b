"""``azpatch.default_clock``: what clients built without a clock wait on, installed by a
test harness (the azpatch_fake fixture does), process-wide and nesting."""

from __future__ import annotations

import threading

import httpx
import pytest

import azpatch
from azpatch._clock import DEFAULT_CLOCK
from tests.clock import ManualClock

SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"


def _throttled_once() -> httpx.MockTransport:
    calls: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "30"})
        return httpx.Response(200, json={"namespace": "Microsoft.Compute"})

    return httpx.MockTransport(handle)


def _client(**options: object) -> azpatch.Client:
    http = httpx.Client(transport=_throttled_once())
    credential = azpatch.StaticTokenCredential("t")
    return azpatch.Client(SUBSCRIPTION, credential, http_client=http, **options)  # type: ignore[arg-type]


def test_a_client_built_without_a_clock_waits_on_the_installed_one() -> None:
    clock = ManualClock()
    with azpatch.default_clock(clock), _client() as client:
        client.providers.get("Microsoft.Compute")
    assert clock.slept == [30.0]


def test_a_client_built_before_the_installation_follows_it_too() -> None:
    clock = ManualClock()
    with _client() as client, azpatch.default_clock(clock):
        client.providers.get("Microsoft.Compute")
    assert clock.slept == [30.0]


def test_a_client_given_a_clock_keeps_it() -> None:
    installed, own = ManualClock(), ManualClock()
    with azpatch.default_clock(installed), _client(clock=own) as client:
        client.providers.get("Microsoft.Compute")
    assert (installed.slept, own.slept) == ([], [30.0])


def test_installations_nest_and_are_process_wide() -> None:
    outer, inner = ManualClock(), ManualClock()
    seen: list[object] = []
    with azpatch.default_clock(outer):
        with azpatch.default_clock(inner):
            worker = threading.Thread(target=lambda: seen.append(DEFAULT_CLOCK.current()))
            worker.start()
            worker.join()
        assert DEFAULT_CLOCK.current() is outer
    assert seen == [inner]
    assert isinstance(DEFAULT_CLOCK.current(), azpatch.SystemClock)


def test_leaving_out_of_order_removes_the_right_installation() -> None:
    first, second = ManualClock(), ManualClock()
    entered_first = azpatch.default_clock(first)
    entered_second = azpatch.default_clock(second)
    entered_first.__enter__()
    entered_second.__enter__()
    entered_first.__exit__(None, None, None)
    assert DEFAULT_CLOCK.current() is second
    entered_second.__exit__(None, None, None)
    assert isinstance(DEFAULT_CLOCK.current(), azpatch.SystemClock)


def test_only_a_clock_can_be_installed() -> None:
    with (
        pytest.raises(TypeError, match="time\\(\\), monotonic\\(\\)"),
        azpatch.default_clock(
            object()  # type: ignore[arg-type]
        ),
    ):
        pass
    assert "SystemClock" in repr(DEFAULT_CLOCK)
