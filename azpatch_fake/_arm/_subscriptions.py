"""Subscriptions and tenants, in ARM's shapes: what ``az account list`` and the SDK's
``SubscriptionClient`` read after logging in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._routes import SUBSCRIPTION, Call, route
from ._wire import JSON, Reply

if TYPE_CHECKING:
    from .._world._subscription import Subscription
    from .._world._world import World

__all__ = ["get_subscription", "list_subscriptions", "list_tenants"]


def _subscription(world: World, subscription: Subscription) -> JSON:
    return {
        "id": f"/subscriptions/{subscription.subscription_id}",
        "authorizationSource": "RoleBased",
        "subscriptionId": subscription.subscription_id,
        "tenantId": world.tenant_id,
        "displayName": f"azpatch_fake {subscription.subscription_id[:8]}",
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    }


@route("GET", r"/subscriptions", "resources")
def list_subscriptions(world: World, call: Call) -> Reply:
    return Reply(200, {"value": [_subscription(world, s) for s in world.subscriptions()]})


@route("GET", SUBSCRIPTION, "resources")
def get_subscription(world: World, call: Call, *, subscription: str) -> Reply:
    return Reply(200, _subscription(world, world.subscription(subscription)))


@route("GET", r"/tenants", "resources")
def list_tenants(world: World, call: Call) -> Reply:
    tenant = {
        "id": f"/tenants/{world.tenant_id}",
        "tenantId": world.tenant_id,
        "tenantCategory": "Home",
        "displayName": "azpatch_fake",
        "defaultDomain": "azpatch-fake.example",
    }
    return Reply(200, {"value": [tenant]})
