"""Request budgets: ARM's and Compute's token buckets as a fleet run believes them to be.

Azure refuses a request beyond a budget with 429, and the wait that follows
costs every request queued behind it. A fleet run therefore keeps its own
copy of each bucket it spends from: it starts from Microsoft's published
limits (``RateLimits``), takes a token before each request, lowers its copy to
what the ``x-ms-ratelimit-remaining-*`` headers report, empties it for the
``Retry-After`` of a 429, and leaves a ``reserve`` for other clients. A
request is sent when every bucket it spends from has a token to spare.

Azure names Compute's buckets by their window (``HighCostGet3Min;159``,
``HighCostGet30Min;799``), not by the published table's categories. A bucket
the run has not heard of is learned from its first report: its capacity is
the most it has reported left plus one, refilled over the window its name
states, and later requests of the same kind in that subscription and
region spend from it too.

Pure: no I/O and no clock; ``now`` is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    import httpx

__all__ = ["COMPUTE_LIMITS", "Key", "Limit", "Pacer", "RateLimits", "Spend", "per_minute"]

Key = tuple[str, ...]


@attrs.frozen
class Limit:
    """A token bucket: ``capacity`` requests at once, ``per_second`` tokens back each second."""

    capacity: float
    per_second: float


def per_minute(capacity: float, refill: float) -> Limit:
    """A bucket of ``capacity`` refilled by ``refill`` tokens a minute, as Compute states them."""
    return Limit(capacity, refill / 60)


# "Compute throttling limits", virtual machines: (per VM, per subscription and region).
COMPUTE_LIMITS: Mapping[str, tuple[Limit | None, Limit]] = {
    "PutVM": (per_minute(12, 4), per_minute(1500, 500)),
    "UpdateVM": (per_minute(12, 4), per_minute(1500, 500)),
    "DeleteVM": (per_minute(12, 4), per_minute(1500, 500)),
    "LowCostGetVM": (per_minute(36, 12), per_minute(24000, 8000)),
    "HighCostGetVM": (None, per_minute(900, 300)),
    "GetOperation": (per_minute(45, 15), per_minute(15000, 5000)),
    "VMGuestPatchOperations": (per_minute(6, 2), per_minute(600, 200)),
}


def _fraction(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0 <= value < 1:
        raise ValueError(f"{attribute.name} is a fraction from 0 up to 1, not {value!r}")


@attrs.frozen(kw_only=True)
class RateLimits:
    """The budgets a fleet run paces itself by; Microsoft's published numbers by default.

    ``reserve`` is the fraction of each bucket the run leaves unspent, for
    other clients of the same subscription and for requests in flight.
    """

    subscription_reads: Limit = Limit(250, 25)
    subscription_writes: Limit = Limit(200, 10)
    subscription_deletes: Limit = Limit(200, 10)
    tenant_reads: Limit = Limit(250, 25)
    compute: Mapping[str, tuple[Limit | None, Limit]] = COMPUTE_LIMITS
    reserve: float = attrs.field(default=0.1, validator=_fraction)


@attrs.frozen
class Spend:
    """The buckets one request takes a token from: ARM's, then Compute's (if any)."""

    arm: Key
    policy: str | None = None
    region: Key | None = None
    own: Key | None = None
    learned: tuple[Key, ...] = ()  # buckets Azure's headers named, beyond the table's

    @property
    def keys(self) -> tuple[Key, ...]:
        known = tuple(key for key in (self.arm, self.region, self.own) if key is not None)
        return known + self.learned

    @property
    def shared(self) -> tuple[Key, ...]:
        """The buckets other VMs' requests spend from too."""
        return tuple(key for key in (self.arm, self.region) if key is not None) + self.learned


_VM = re.compile(
    r"/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/microsoft\.compute"
    r"/virtualmachines/([^/]+)(/[a-z]+)?/?"
)
_LIST = re.compile(
    r"/subscriptions/([^/]+)(?:/resourcegroups/[^/]+)?/providers/microsoft\.compute"
    r"/virtualmachines/?"
)
_OPERATION = re.compile(
    r"/subscriptions/([^/]+)/providers/microsoft\.compute/locations/([^/]+)/operations/.*"
)
_SUBSCRIPTION = re.compile(r"/subscriptions/([^/]+).*")
_VM_ACTIONS = {
    ("GET", ""): "LowCostGetVM",
    ("GET", "/instanceview"): "LowCostGetVM",
    ("PUT", ""): "PutVM",
    ("PATCH", ""): "UpdateVM",
    ("DELETE", ""): "DeleteVM",
    ("POST", "/assesspatches"): "VMGuestPatchOperations",
    ("POST", "/installpatches"): "VMGuestPatchOperations",
    ("POST", "/start"): "UpdateVM",
    ("POST", "/poweroff"): "UpdateVM",
    ("POST", "/restart"): "UpdateVM",
    ("POST", "/deallocate"): "DeleteVM",
}
_ARM_KIND = {"GET": "reads", "HEAD": "reads", "DELETE": "deletes"}
_SLACK = 0.001
_ARM_HEADER = "x-ms-ratelimit-remaining-"
_ARM_KINDS = ("-reads", "-writes", "-deletes")
_RESOURCE_HEADER = re.compile(r"Microsoft\.Compute/(\w+);(\d+)")
_TABLE_NAME = re.compile(r"(\w+?)(Resource|Subscription)")
_WINDOW = re.compile(r"\w*?(\d+)(Sec|Min|Hour)", re.IGNORECASE)
_WINDOW_SECONDS = {"sec": 1, "min": 60, "hour": 3600}


class _Level:
    """One bucket as the run believes it: tokens at a moment, and a refusal's end."""

    __slots__ = ("blocked_until", "limit", "reserve", "stamp", "tokens")

    def __init__(self, limit: Limit, reserve: float, now: float) -> None:
        self.limit, self.reserve = limit, reserve * limit.capacity
        self.tokens, self.stamp, self.blocked_until = float(limit.capacity), now, 0.0

    def level(self, now: float) -> float:
        return min(self.limit.capacity, self.tokens + (now - self.stamp) * self.limit.per_second)

    def ready_at(self, now: float) -> float:
        short = 1 + self.reserve - self.level(now)
        # A millisecond more than the arithmetic says, so rounding never lands a request
        # a hair before Azure's bucket holds the token.
        at = now if short <= 0 else now + short / self.limit.per_second + _SLACK
        return max(at, self.blocked_until)

    def set(self, tokens: float, now: float) -> None:
        self.tokens, self.stamp = tokens, now


class Pacer:
    """The run's copy of every bucket it has spent from."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._levels: dict[Key, _Level] = {}
        # (subscription, region, policy) -> the learned buckets its requests spend from
        self._learned: dict[Key, set[Key]] = {}

    def spend_of(self, request: httpx.Request, *, region: str | None) -> Spend:
        """The buckets ``request`` spends from; ``region`` is its VM's, when known."""
        path = request.url.path.casefold()
        method = request.method
        match = _SUBSCRIPTION.fullmatch(path)
        if match is None:
            return Spend(("tenant", "reads"))
        subscription = match[1]
        arm = ("arm", subscription, _ARM_KIND.get(method, "writes"))
        if (vm := _VM.fullmatch(path)) is not None:
            policy = _VM_ACTIONS.get((method, vm[4] or ""))
            if policy is None:
                return Spend(arm)
            where = (region or "").casefold()
            own = ("vm", subscription, vm[2], vm[3], policy)
            return self._compute(arm, policy, ("region", subscription, where, policy), own)
        if method == "GET" and _LIST.fullmatch(path):
            policy = "HighCostGetVM"
            return self._compute(arm, policy, ("region", subscription, "", policy), None)
        if method == "GET" and (operation := _OPERATION.fullmatch(path)) is not None:
            policy = "GetOperation"
            return self._compute(arm, policy, ("region", subscription, operation[2], policy), None)
        return Spend(arm)

    def _compute(self, arm: Key, policy: str, region: Key, own: Key | None) -> Spend:
        learned = tuple(sorted(self._learned.get(region, ())))
        return Spend(arm, policy, region, own, learned)

    def _limit_of(self, key: Key) -> Limit | None:
        limits = self.limits
        if key[0] == "tenant":
            return limits.tenant_reads
        if key[0] == "arm":
            limit: Limit = getattr(limits, f"subscription_{key[2]}")
            return limit
        per_vm, per_region = limits.compute.get(key[-1], (None, None))
        return per_vm if key[0] == "vm" else per_region

    def _level(self, key: Key, now: float) -> _Level | None:
        level = self._levels.get(key)
        if level is None:
            limit = self._limit_of(key)
            if limit is None:
                return None
            level = self._levels[key] = _Level(limit, self.limits.reserve, now)
        return level

    def ready_at(self, keys: tuple[Key, ...], now: float) -> float:
        """The earliest moment every bucket of ``keys`` has a token beyond its reserve."""
        at = now
        for key in keys:
            level = self._level(key, now)
            if level is not None:
                at = max(at, level.ready_at(now))
        return at

    def take(self, keys: tuple[Key, ...], now: float) -> None:
        for key in keys:
            level = self._level(key, now)
            if level is not None:
                level.set(level.level(now) - 1, now)

    def _reported(self, spend: Spend, headers: httpx.Headers, now: float) -> dict[Key, int]:
        """What the response says is left, by bucket; a bucket new to the run is learned."""
        left: dict[Key, int] = {}
        for raw_name, value in headers.multi_items():
            name = raw_name.casefold()
            if name.startswith(_ARM_HEADER) and name.endswith(_ARM_KINDS) and value.isdigit():
                left[spend.arm] = int(value)
            if name == "x-ms-ratelimit-remaining-resource":
                for bucket, count in _RESOURCE_HEADER.findall(value):
                    key = self._bucket_key(spend, bucket)
                    if key is not None:
                        left[key] = int(count)
                    if key is not None and key[0] == "learned":
                        self._learn(spend, key, int(count), now)
        return left

    @staticmethod
    def _bucket_key(spend: Spend, bucket: str) -> Key | None:
        """The run's key for a bucket a header names: the table's, or one to learn."""
        table = _TABLE_NAME.fullmatch(bucket)
        if table is not None:
            key = spend.own if table[2] == "Resource" else spend.region
            return key if table[1] == spend.policy else None
        if spend.region is None or _WINDOW.fullmatch(bucket) is None:
            return None  # no window named: honoured when it refuses, not paced
        return ("learned", *spend.region[1:3], bucket)

    def _learn(self, spend: Spend, key: Key, count: int, now: float) -> None:
        assert spend.region is not None
        self._learned.setdefault(spend.region, set()).add(key)
        window = _WINDOW.fullmatch(key[-1])
        assert window is not None
        seconds = int(window[1]) * _WINDOW_SECONDS[window[2].casefold()]
        level = self._levels.get(key)
        capacity = max(count + 1, level.limit.capacity if level else 0)
        limit = Limit(capacity, capacity / seconds)
        if level is None:
            level = self._levels[key] = _Level(limit, self.limits.reserve, now)
            level.set(count, now)
        elif limit != level.limit:
            level.limit, level.reserve = limit, self.limits.reserve * limit.capacity

    def observe(self, spend: Spend, headers: httpx.Headers, now: float) -> None:
        """Lower each bucket to what Azure reports left (never raise it: requests in flight
        are not counted there yet); learn the buckets it names that the run did not know."""
        for key, count in self._reported(spend, headers, now).items():
            level = self._level(key, now)
            if level is not None and count < level.level(now):
                level.set(count, now)

    def refused(self, spend: Spend, headers: httpx.Headers, wait: float, now: float) -> None:
        """A 429: the buckets reported spent (all of the request's, if none is named) are
        empty, and closed for ``wait`` seconds."""
        spent = [key for key, count in self._reported(spend, headers, now).items() if count == 0]
        for key in spent or spend.keys:
            level = self._level(key, now)
            if level is not None:
                level.set(0, now)
                level.blocked_until = max(level.blocked_until, now + wait)

    def budget_left(self, now: float) -> float:
        """The smallest fraction left of any shared bucket (1.0 before any request)."""
        fractions = [
            level.level(now) / level.limit.capacity
            for key, level in self._levels.items()
            if key[0] != "vm"
        ]
        return min(fractions, default=1.0)
