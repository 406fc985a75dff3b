"""Features (Microsoft.Features), resource providers and resource groups (Microsoft.Resources).

Registering answers at once with Registering; the state turns Registered
after the world's configured virtual delay, as ARM's does after minutes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._world._records import FeatureRecord, ProviderRecord
from . import _wire as wire
from ._names import check_group_name
from ._requests import Body
from ._routes import FEATURES, SUBSCRIPTION, Call, route
from ._wire import ArmError, Reply

if TYPE_CHECKING:
    from .._world._world import World

__all__: list[str] = []


def _feature(world: World, subscription: str, namespace: str, name: str) -> FeatureRecord:
    return world.subscription(subscription).feature_record(namespace, name)


@route("GET", FEATURES + r"/(?P<name>[^/]+)", "features")
def get_feature(world: World, call: Call, *, subscription: str, namespace: str, name: str) -> Reply:
    record = _feature(world, subscription, namespace, name)
    return Reply(200, wire.feature(subscription, record))


@route("GET", FEATURES, "features")
def list_features(world: World, call: Call, *, subscription: str, namespace: str) -> Reply:
    records = world.subscription(subscription).features_of(namespace)
    return Reply(200, {"value": [wire.feature(subscription, r) for r in records]})


@route("POST", FEATURES + r"/(?P<name>[^/]+)/register", "features")
def register_feature(
    world: World, call: Call, *, subscription: str, namespace: str, name: str
) -> Reply:
    record = _feature(world, subscription, namespace, name)
    if record.state != "Registered":
        record.state = "Registering"

        def settle() -> None:
            if record.state == "Registering":
                record.state = "Registered"
                record.registered_at = world.clock.now()

        world.clock.call_later(world.feature_registration_delay, settle)
    return Reply(200, wire.feature(subscription, record))


@route("POST", FEATURES + r"/(?P<name>[^/]+)/unregister", "features")
def unregister_feature(
    world: World, call: Call, *, subscription: str, namespace: str, name: str
) -> Reply:
    record = _feature(world, subscription, namespace, name)
    record.state = "Unregistered"
    record.registered_at = None
    return Reply(200, wire.feature(subscription, record))


def _provider(world: World, subscription: str, namespace: str) -> ProviderRecord:
    owner = world.subscription(subscription)
    if "." not in namespace:
        raise ArmError(
            404, "InvalidResourceNamespace", f"The resource namespace '{namespace}' is invalid."
        )
    return owner.provider_record(namespace)


@route("GET", SUBSCRIPTION + r"/providers/(?P<namespace>[^/]+)", "resources")
def get_provider(world: World, call: Call, *, subscription: str, namespace: str) -> Reply:
    record = _provider(world, subscription, namespace)
    return Reply(200, wire.provider(subscription, record))


@route("POST", SUBSCRIPTION + r"/providers/(?P<namespace>[^/]+)/register", "resources")
def register_provider(world: World, call: Call, *, subscription: str, namespace: str) -> Reply:
    record = _provider(world, subscription, namespace)
    record.state = "Registering"
    registered_at = world.subscription(subscription).provider_registered_at
    registered_at.pop(record.namespace.casefold(), None)

    def settle() -> None:
        if record.state == "Registering":
            record.state = "Registered"
            registered_at[record.namespace.casefold()] = world.clock.now()

    world.clock.call_later(world.provider_registration_delay, settle)
    return Reply(200, wire.provider(subscription, record))


_GROUP = SUBSCRIPTION + r"/resourcegroups/(?P<resource_group>[^/]+)"


def _group_json(subscription: str, name: str, location: str) -> dict[str, object]:
    return {
        "id": f"/subscriptions/{subscription}/resourceGroups/{name}",
        "name": name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": location,
        "properties": {"provisioningState": "Succeeded"},
    }


@route("PUT", _GROUP, "resources")
def put_resource_group(
    world: World, call: Call, *, subscription: str, resource_group: str
) -> Reply:
    owner = world.subscription(subscription)
    body = Body.parse(call.request.content, required=True)
    location = body.location()
    existing = owner.resource_group(resource_group)
    if existing is not None:
        return Reply(200, _group_json(owner.subscription_id, *existing))
    check_group_name(resource_group)
    owner.add_resource_group(resource_group, location)
    return Reply(201, _group_json(owner.subscription_id, resource_group, location))


@route("GET", _GROUP, "resources")
def get_resource_group(
    world: World, call: Call, *, subscription: str, resource_group: str
) -> Reply:
    owner = world.subscription(subscription)
    existing = owner.resource_group(resource_group)
    if existing is None:
        raise ArmError(
            404, "ResourceGroupNotFound", f"Resource group '{resource_group}' could not be found."
        )
    return Reply(200, _group_json(owner.subscription_id, *existing))


@route("HEAD", _GROUP, "resources")
def resource_group_exists(
    world: World, call: Call, *, subscription: str, resource_group: str
) -> Reply:
    """``az group exists``: 204 or 404, with no body."""
    found = world.subscription(subscription).resource_group(resource_group) is not None
    return Reply(204 if found else 404)
