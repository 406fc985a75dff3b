"""Which budgets a request spends, ARM's headers that report them, and the 429 that refuses it.

ARM counts reads, writes and deletes per subscription (tenant requests per tenant); then
Compute counts the request against its policy for the VM and for the subscription in the
VM's region. A refused request reaches no handler: the world is unchanged.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone

import httpx

from .._world._errors import ArmError
from .._world._throttling import Bucket, ThrottlingLimits, TokenBuckets
from .._world._world import World

__all__ = ["Throttler"]

# The Compute policy each route's requests count against ("Compute throttling limits").
POLICY_OF_ROUTE = {
    "get_vm": "LowCostGetVM",
    "get_instance_view": "LowCostGetVM",
    "list_vms": "HighCostGetVM",
    "list_all_vms": "HighCostGetVM",
    "get_operation": "GetOperation",
    "put_vm": "PutVM",
    "patch_vm": "UpdateVM",
    "power_action": "UpdateVM",  # start, power off, restart; deallocate is DeleteVM's
    "assess_patches": "VMGuestPatchOperations",
    "install_patches": "VMGuestPatchOperations",
}
_COMPUTE_REFUSAL = (
    "The server rejected the request because too many requests have been received for this"
    " subscription."
)


class Throttler:
    """Admits or refuses each request against ``limits``, on ``world``'s clock."""

    def __init__(self, world: World, limits: ThrottlingLimits) -> None:
        self.world, self.limits = world, limits
        self.buckets = TokenBuckets()

    def admit(
        self, request: httpx.Request, route: str, arguments: dict[str, str]
    ) -> tuple[dict[str, str], ArmError | None]:
        """The rate-limit headers for the response, and the refusal if the request is one
        too many (its ``target`` names the budget it found spent)."""
        now = self.world.clock.time()
        headers: dict[str, str] = {}
        refusal = self._arm(request.method, arguments, now, headers)
        policy = POLICY_OF_ROUTE.get(route)
        if refusal is None and policy is not None:
            if route == "power_action" and arguments.get("action", "").lower() == "deallocate":
                policy = "DeleteVM"
            refusal = self._compute(policy, arguments, now, headers)
        return headers, refusal

    def _arm(
        self, method: str, arguments: dict[str, str], now: float, headers: dict[str, str]
    ) -> ArmError | None:
        subscription = arguments.get("subscription")
        kind = {"GET": "reads", "HEAD": "reads", "DELETE": "deletes"}.get(method, "writes")
        if subscription is None:
            scope, kind, bucket = "tenant", "reads", self.limits.tenant_reads
            key: tuple[str, ...] = ("tenant", self.world.tenant_id)
        else:
            scope, bucket = "subscription", getattr(self.limits, f"subscription_{kind}")
            key = ("subscription", subscription.casefold(), kind)
        level = self.buckets.level(key, bucket, now)
        header = f"x-ms-ratelimit-remaining-{scope}-{kind}"
        if level < 1:
            headers[header] = "0"
            return ArmError(
                429,
                "TooManyRequests",
                f"The request is being throttled: the {scope}'s {kind} budget is spent.",
                retry_after=_seconds(TokenBuckets.wait(level, bucket)),
                budget=f"{scope} {kind}",
            )
        headers[header] = str(int(self.buckets.take(key, bucket, now)))
        return None

    def _compute(
        self, policy: str, arguments: dict[str, str], now: float, headers: dict[str, str]
    ) -> ArmError | None:
        per_vm, per_subscription = self.limits.compute[policy]
        subscription = arguments["subscription"].casefold()
        spends: list[tuple[str, tuple[str, ...], Bucket]] = []
        if per_vm is not None and "vm" in arguments:
            vm = (arguments["resource_group"].casefold(), arguments["vm"].casefold())
            spends.append(("Resource", ("vm", subscription, *vm, policy), per_vm))
        region = self._region(arguments)
        spends.append(("Subscription", ("region", subscription, region, policy), per_subscription))
        levels = [self.buckets.level(key, bucket, now) for _, key, bucket in spends]
        short = [(s, level) for s, level in zip(spends, levels, strict=True) if level < 1]
        if short:  # nothing is spent: the request never reached Compute's handlers
            headers["x-ms-ratelimit-remaining-resource"] = _remaining(policy, spends, levels)
            (level_name, _, bucket), level = max(
                short, key=lambda item: TokenBuckets.wait(item[1], item[0][2])
            )
            return _refusal(policy + level_name, bucket, level, now)
        left = [self.buckets.take(key, bucket, now) for _, key, bucket in spends]
        headers["x-ms-ratelimit-remaining-resource"] = _remaining(policy, spends, left)
        headers["x-ms-request-charge"] = "1"
        return None

    def _region(self, arguments: dict[str, str]) -> str:
        """The region whose budget the request spends: its VM's, or its path's."""
        if "location" in arguments:
            return arguments["location"].casefold()
        if "vm" in arguments:
            record = self.world.find_vm(
                arguments["resource_group"],
                arguments["vm"],
                subscription_id=arguments["subscription"],
            )
            if record is not None:
                return record.location.casefold()
        return ""


def _remaining(
    policy: str, spends: list[tuple[str, tuple[str, ...], Bucket]], levels: list[float]
) -> str:
    return ",".join(
        f"Microsoft.Compute/{policy}{level_name};{max(int(level), 0)}"
        for (level_name, _, _), level in zip(spends, levels, strict=True)
    )


def _refusal(policy: str, bucket: Bucket, level: float, now: float) -> ArmError:
    wait = _seconds(TokenBuckets.wait(level, bucket))
    window = {
        "operationGroup": policy,
        "startTime": _iso(now - 60),
        "endTime": _iso(now),
        "allowedRequestCount": int(bucket.capacity),
    }
    details = [{"code": "TooManyRequests", "target": policy, "message": json.dumps(window)}]
    return ArmError(
        429,
        "OperationNotAllowed",
        _COMPUTE_REFUSAL,
        retry_after=wait,
        details=details,
        budget=f"Microsoft.Compute/{policy}",
    )


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait - 1e-9))


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
