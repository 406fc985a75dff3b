"""The request budgets of ARM and of Compute, as token buckets on the world's clock.

Off unless a world is built with ``throttling="azure"`` (or its own ``ThrottlingLimits``).
The numbers are Microsoft's published ones (docs/throttling.md lists each with its source);
every one is a knob.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = ["COMPUTE_POLICIES", "Bucket", "ThrottlingLimits", "TokenBuckets", "per_minute"]


@attrs.frozen
class Bucket:
    """A token bucket: ``capacity`` requests at once, refilled at ``per_second``."""

    capacity: float
    per_second: float


def per_minute(capacity: float, refill: float) -> Bucket:
    """A bucket as Compute publishes it: capacity, and tokens refilled per minute."""
    return Bucket(capacity, refill / 60)


# Compute's VM policies: (per VM, per subscription and region); None where only the
# subscription's applies. "Compute throttling limits", the Virtual machines table.
COMPUTE_POLICIES: Mapping[str, tuple[Bucket | None, Bucket]] = {
    "PutVM": (per_minute(12, 4), per_minute(1500, 500)),
    "UpdateVM": (per_minute(12, 4), per_minute(1500, 500)),
    "DeleteVM": (per_minute(12, 4), per_minute(1500, 500)),
    "LowCostGetVM": (per_minute(36, 12), per_minute(24000, 8000)),
    "HighCostGetVM": (None, per_minute(900, 300)),
    "GetOperation": (per_minute(45, 15), per_minute(15000, 5000)),
    "VMGuestPatchOperations": (per_minute(6, 2), per_minute(600, 200)),
}


@attrs.frozen(kw_only=True)
class ThrottlingLimits:
    """ARM's per-subscription (and tenant) buckets, and Compute's policies.

    ARM: "Throttling Resource Manager requests", the regional token-bucket limits.
    """

    subscription_reads: Bucket = Bucket(250, 25)
    subscription_writes: Bucket = Bucket(200, 10)
    subscription_deletes: Bucket = Bucket(200, 10)
    tenant_reads: Bucket = Bucket(250, 25)
    compute: Mapping[str, tuple[Bucket | None, Bucket]] = COMPUTE_POLICIES


class TokenBuckets:
    """The level of every bucket in use, refilled lazily when next asked."""

    def __init__(self) -> None:
        self._levels: dict[tuple[str, ...], tuple[float, float]] = {}  # key -> (tokens, at)

    def level(self, key: tuple[str, ...], bucket: Bucket, now: float) -> float:
        """The tokens in the bucket at ``now`` (a fresh bucket is full)."""
        tokens, at = self._levels.get(key, (bucket.capacity, now))
        return min(bucket.capacity, tokens + max(now - at, 0.0) * bucket.per_second)

    def take(self, key: tuple[str, ...], bucket: Bucket, now: float) -> float:
        """Spend one token (the caller saw one there); the tokens left."""
        left = self.level(key, bucket, now) - 1
        self._levels[key] = (left, now)
        return left

    @staticmethod
    def wait(level: float, bucket: Bucket) -> float:
        """Seconds until a bucket at ``level`` holds a whole token."""
        return max(1 - level, 0.0) / bucket.per_second
