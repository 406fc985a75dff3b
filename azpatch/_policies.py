"""How long and how often azpatch retries requests and polls operations."""

from __future__ import annotations

import attrs
from attrs import validators as v

__all__ = ["PollingPolicy", "RetryPolicy"]


def _positive(_: object, attribute: attrs.Attribute[float], value: object) -> None:
    if not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{attribute.name} must be a number above 0, not {value!r}")


def _not_negative(_: object, attribute: attrs.Attribute[float], value: object) -> None:
    if not isinstance(value, int | float) or not value >= 0:
        raise ValueError(f"{attribute.name} must be a number of at least 0, not {value!r}")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Retries of one request after throttling, server errors and transport failures.

    A wait is ARM's ``Retry-After`` when it sent one, else jittered exponential
    backoff from ``initial_backoff`` up to ``max_backoff`` seconds. A
    ``Retry-After`` longer than ``max_retry_after`` is not waited out: the
    error is raised at once, carrying the value. ``deadline`` bounds the
    time one request may take including its retries.

    A request that is not idempotent (installPatches) is re-sent only when it
    cannot have reached the server, or when ARM answered 408, 429 or 503.
    """

    max_attempts: int = attrs.field(default=5, validator=[v.instance_of(int), v.ge(1)])
    initial_backoff: float = attrs.field(default=0.8, validator=_not_negative)
    max_backoff: float = attrs.field(default=60.0, validator=_not_negative)
    jitter: float = attrs.field(default=1.0, validator=_not_negative)
    max_retry_after: float = attrs.field(default=300.0, validator=_not_negative)
    deadline: float = attrs.field(default=900.0, validator=_positive)
    retry_statuses: frozenset[int] = attrs.field(
        default=frozenset({408, 429, 500, 502, 503, 504}), converter=frozenset
    )


def _fraction(_: object, attribute: attrs.Attribute[float], value: object) -> None:
    if not isinstance(value, int | float) or not 0 <= value < 1:
        raise ValueError(f"{attribute.name} must be a number from 0 up to 1, not {value!r}")


def _factor(_: object, attribute: attrs.Attribute[float], value: object) -> None:
    if not isinstance(value, int | float) or not 1 <= value <= 10:
        raise ValueError(f"{attribute.name} must be a number from 1 to 10, not {value!r}")


@attrs.frozen(kw_only=True)
class PollingPolicy:
    """How often long-running operations, registrations and patch-mode readiness are polled.

    Between polls azpatch waits what ARM's ``Retry-After`` says, clamped to
    ``min_interval`` and ``max_interval``. Without one, the first wait is
    ``interval`` seconds and each next one ``backoff`` times longer, up to
    ``max_interval``, shortened by up to ``jitter`` of itself so that waits on
    different resources spread out (by default 30 s, then 1, 2, 4, 8 and 16
    minutes, then every 30 minutes: about 40 polls in 16 hours). A waiter makes
    its last poll just before its deadline and never sleeps past it; a poll in
    flight at the deadline is cut. A poller gives up after ``deadline`` seconds
    or ``max_polls`` polls with ``PollingTimeoutError``, whose continuation
    token resumes it.
    """

    interval: float = attrs.field(default=30.0, validator=_positive)
    backoff: float = attrs.field(default=2.0, validator=_factor)
    jitter: float = attrs.field(default=0.1, validator=_fraction)
    min_interval: float = attrs.field(default=1.0, validator=_not_negative)
    max_interval: float = attrs.field(default=1800.0, validator=_positive)
    deadline: float = attrs.field(default=6 * 3600.0, validator=_positive)
    max_polls: int = attrs.field(default=5000, validator=[v.instance_of(int), v.ge(1)])
