"""Features (Microsoft.Features), resource providers and resource groups (Microsoft.Resources).

Registering answers at once with Registering; the state turns Registered
after the world's configured virtual delay, as ARM's does after minutes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._world._records import FeatureRecord, ProviderRecord
from . import _wire as wire
from ._requests import Body
from ._routes import FEATURES, SUBSCRIPTION, Call, route
from ._wire import ArmError, Reply

if TYPE_CHECKING:
    from .._app import FakeAzure

__all__: list[str] = []


def _feature(fake: FakeAzure, subscription: str, namespace: str, name: str) -> FeatureRecord:
    return fake.subscription(subscription).feature_record(namespace, name)


@route("GET", FEATURES + r"/(?P<name>[^/]+)", "features")
def get_feature(
    fake: FakeAzure, call: Call, *, subscription: str, namespace: str, name: str
) -> Reply:
    record = _feature(fake, subscription, namespace, name)
    return Reply(200, wire.feature(subscription, record))


@route("GET", FEATURES, "features")
def list_features(fake: FakeAzure, call: Call, *, subscription: str, namespace: str) -> Reply:
    records = fake.subscription(subscription).features_of(namespace)
    return Reply(200, {"value": [wire.feature(subscription, r) for r in records]})


@route("POST", FEATURES + r"/(?P<name>[^/]+)/register", "features")
def register_feature(
    fake: FakeAzure, call: Call, *, subscription: str, namespace: str, name: str
) -> Reply:
    record = _feature(fake, subscription, namespace, name)
    if record.state != "Registered":
        record.state = "Registering"

        def settle() -> None:
            if record.state == "Registering":
                record.state = "Registered"
                record.registered_at = fake.clock.now()

        fake.clock.call_later(fake.feature_registration_delay, settle)
    return Reply(200, wire.feature(subscription, record))


@route("POST", FEATURES + r"/(?P<name>[^/]+)/unregister", "features")
def unregister_feature(
    fake: FakeAzure, call: Call, *, subscription: str, namespace: str, name: str
) -> Reply:
    record = _feature(fake, subscription, namespace, name)
    record.state = "Unregistered"
    record.registered_at = None
    return Reply(200, wire.feature(subscription, record))


def _provider(fake: FakeAzure, subscription: str, namespace: str) -> ProviderRecord:
    owner = fake.subscription(subscription)
    if "." not in namespace:
        raise ArmError(
            404, "InvalidResourceNamespace", f"The resource namespace '{namespace}' is invalid."
        )
    return owner.provider_record(namespace)


@route("GET", SUBSCRIPTION + r"/providers/(?P<namespace>[^/]+)", "resources")
def get_provider(fake: FakeAzure, call: Call, *, subscription: str, namespace: str) -> Reply:
    record = _provider(fake, subscription, namespace)
    return Reply(200, wire.provider(subscription, record))


@route("POST", SUBSCRIPTION + r"/providers/(?P<namespace>[^/]+)/register", "resources")
def register_provider(fake: FakeAzure, call: Call, *, subscription: str, namespace: str) -> Reply:
    record = _provider(fake, subscription, namespace)
    record.state = "Registering"
    registered_at = fake.subscription(subscription).provider_registered_at
    registered_at.pop(record.namespace.casefold(), None)

    def settle() -> None:
        if record.state == "Registering":
            record.state = "Registered"
            registered_at[record.namespace.casefold()] = fake.clock.now()

    fake.clock.call_later(fake.provider_registration_delay, settle)
    return Reply(200, wire.provider(subscription, record))


_GROUP = SUBSCRIPTION + r"/resourcegroups/(?P<resource_group>[^/]+)"


def _group_json(fake: FakeAzure, name: str, location: str) -> dict[str, object]:
    return {
        "id": f"/subscriptions/{fake.subscription_id}/resourceGroups/{name}",
        "name": name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": location,
        "properties": {"provisioningState": "Succeeded"},
    }


@route("PUT", _GROUP, "resources")
def put_resource_group(
    fake: FakeAzure, call: Call, *, subscription: str, resource_group: str
) -> Reply:
    owner = fake.subscription(subscription)
    body = Body.parse(call.request.content, required=True)
    location = body.location()
    existing = owner.resource_group(resource_group)
    if existing is not None:
        return Reply(200, _group_json(fake, *existing))
    owner.add_resource_group(resource_group, location)
    return Reply(201, _group_json(fake, resource_group, location))


@route("GET", _GROUP, "resources")
def get_resource_group(
    fake: FakeAzure, call: Call, *, subscription: str, resource_group: str
) -> Reply:
    existing = fake.subscription(subscription).resource_group(resource_group)
    if existing is None:
        raise ArmError(
            404, "ResourceGroupNotFound", f"Resource group '{resource_group}' could not be found."
        )
    return Reply(200, _group_json(fake, *existing))
