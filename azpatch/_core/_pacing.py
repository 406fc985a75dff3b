"""How long a waiter waits before its next poll, and why it never waits past its deadline.

A wait is ARM's Retry-After when it sent one, clamped to the policy's
``min_interval`` and ``max_interval``. Otherwise it grows from ``interval`` by
``backoff`` after each poll, up to ``max_interval``, and is shortened by up to
``jitter`` of itself, by a fraction drawn from what is polled and the poll's
number: waits on different resources spread out, so clients that started
together do not poll together, and a run under the fake replays exactly.
A waiter with a deadline makes its last poll shortly before it, in time for
the answer, and never sleeps past it.
"""

from __future__ import annotations

import zlib

from .._policies import PollingPolicy

__all__ = ["LAST_POLL_LEAD", "poll_interval", "within_deadline"]

LAST_POLL_LEAD = 1.0
_MAX_EXPONENT = 64  # far past any max_interval, and no float overflow


def poll_interval(policy: PollingPolicy, polls: int, *, asked: float | None, key: str) -> float:
    """The wait after ``polls`` polls (0: after the first answer) of ``key`` (a URL)."""
    if asked is not None:
        return min(max(asked, policy.min_interval), policy.max_interval)
    grown = policy.interval * policy.backoff ** min(polls, _MAX_EXPONENT)
    spread = zlib.crc32(f"{polls} {key}".encode()) / 2**32
    return min(grown, policy.max_interval) * (1 - policy.jitter * spread)


def within_deadline(wait: float, *, left: float, policy: PollingPolicy) -> float | None:
    """``wait`` cut so the next poll starts before the deadline ``left`` seconds away;
    ``None`` when there is no time for another poll.

    The last poll starts ``LAST_POLL_LEAD`` seconds (at most the policy's first
    interval) before the deadline, so its answer can arrive in time.
    """
    lead = min(LAST_POLL_LEAD, policy.interval)
    if left <= lead:
        return None
    return min(wait, left - lead)
