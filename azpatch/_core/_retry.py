"""Retry decisions: which failures are worth another attempt, and how long ARM asked to wait.

Retry-After is read from ``retry-after-ms``, then ``x-ms-retry-after-ms``,
then ``retry-after`` (whole seconds or an HTTP date); the first one that
parses wins. A negative wait is zero.
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Mapping
from datetime import datetime, timezone

import httpx

from .._policies import RetryPolicy

__all__ = [
    "backoff_seconds",
    "may_have_reached_server",
    "retry_after_seconds",
    "should_retry_response",
]

# Statuses after which even a non-idempotent request was certainly not acted on.
_NOT_ACTED_ON = frozenset({408, 429, 503})


def _parse_float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def retry_after_seconds(headers: Mapping[str, str], *, now: datetime | None) -> float | None:
    """The wait ARM asked for, in seconds, or ``None`` when it asked for none.

    An HTTP date is measured from ``now``, or from the response's ``Date``
    header when ``now`` is not given.
    """
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        if name in headers and (millis := _parse_float(headers[name])) is not None:
            return max(millis / 1000, 0.0)
    text = headers.get("retry-after")
    if text is None:
        return None
    seconds = _parse_float(text)
    if seconds is not None:
        return max(seconds, 0.0)
    try:
        when = email.utils.parsedate_to_datetime(text)
        reference = now or email.utils.parsedate_to_datetime(headers["date"])
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    if reference.tzinfo is None:
        reference = reference.replace(tzinfo=timezone.utc)
    return max((when - reference).total_seconds(), 0.0)


def backoff_seconds(attempt: int, policy: RetryPolicy, *, random_fraction: float) -> float:
    """The wait before retry ``attempt`` (1-based) when ARM asked for none.

    ``initial_backoff`` doubles per attempt up to ``max_backoff``, plus up to
    ``jitter`` seconds, ``random_fraction`` (in [0, 1)) of it, so clients that
    failed together do not retry together.
    """
    exponential = math.ldexp(policy.initial_backoff, max(attempt - 1, 0))
    return min(exponential, policy.max_backoff) + policy.jitter * random_fraction


def should_retry_response(
    response: httpx.Response, *, idempotent: bool, policy: RetryPolicy, now: datetime | None
) -> bool:
    status = response.status_code
    if status not in policy.retry_statuses:
        return False
    wait = retry_after_seconds(response.headers, now=now)
    if wait is not None and wait > policy.max_retry_after:
        return False
    return idempotent or status in _NOT_ACTED_ON


def may_have_reached_server(error: httpx.TransportError) -> bool:
    """Whether the request may have been received: only connecting and pooling are certain."""
    return not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
