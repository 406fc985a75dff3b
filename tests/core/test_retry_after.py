"""Retry-After in every form ARM and its proxies send, read in the documented order."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from azpatch import RetryPolicy
from azpatch._core._retry import (
    may_have_reached_server,
    retry_after_seconds,
    should_retry_response,
)

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "10"}, 10.0),
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": "-5"}, 0.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "Thu, 26 Nov 2026 12:00:30 GMT"}, 30.0),
        ({"retry-after": "Thu, 26 Nov 2026 11:59:00 GMT"}, 0.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"x-ms-retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "10"}, 0.25),
        ({"x-ms-retry-after-ms": "100", "retry-after": "10"}, 0.1),
        ({"retry-after-ms": "garbage", "retry-after": "10"}, 10.0),
    ],
)
def test_retry_after_forms_and_order(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_seconds(httpx.Headers(headers), now=NOW) == expected


def test_an_http_date_without_now_is_measured_from_the_date_header() -> None:
    headers = httpx.Headers(
        {"retry-after": "Thu, 26 Nov 2026 12:00:45 GMT", "date": "Thu, 26 Nov 2026 12:00:00 GMT"}
    )
    assert retry_after_seconds(headers, now=None) == 45.0
    assert (
        retry_after_seconds(
            httpx.Headers({"retry-after": "Thu, 26 Nov 2026 12:00:45 GMT"}), now=None
        )
        is None
    )


def _response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=httpx.Request("GET", "https://x"))


@pytest.mark.parametrize(
    ("status", "headers", "idempotent", "expected"),
    [
        (200, {}, True, False),
        (404, {}, True, False),
        (408, {}, False, True),
        (429, {}, False, True),
        (503, {}, False, True),
        (500, {}, True, True),
        (500, {}, False, False),
        (502, {}, False, False),
        (504, {}, True, True),
        (429, {"retry-after": "301"}, True, False),
        (429, {"retry-after": "300"}, True, True),
    ],
)
def test_which_responses_are_retried(
    status: int, headers: dict[str, str], idempotent: bool, expected: bool
) -> None:
    decision = should_retry_response(
        _response(status, headers), idempotent=idempotent, policy=RetryPolicy(), now=NOW
    )
    assert decision is expected


@pytest.mark.parametrize(
    ("error", "reached"),
    [
        (httpx.ConnectError("refused"), False),
        (httpx.ConnectTimeout("slow"), False),
        (httpx.PoolTimeout("busy"), False),
        (httpx.WriteError("broken pipe"), True),
        (httpx.ReadError("reset"), True),
        (httpx.ReadTimeout("slow"), True),
        (httpx.RemoteProtocolError("garbled"), True),
    ],
)
def test_only_connect_failures_certainly_never_reached_the_server(
    error: httpx.TransportError, reached: bool
) -> None:
    assert may_have_reached_server(error) is reached
