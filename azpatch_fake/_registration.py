"""Features (Microsoft.Features) and resource providers (Microsoft.Resources).

Registering answers at once with Registering; the state turns Registered
after the world's configured virtual delay, as ARM's does after minutes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _wire as wire
from ._routes import FEATURES, SUBSCRIPTION, Call, route
from ._state import FeatureRecord, ProviderRecord
from ._wire import ArmError, Reply

if TYPE_CHECKING:
    from ._app import FakeAzure

__all__: list[str] = []


def _feature(fake: FakeAzure, subscription: str, namespace: str, name: str) -> FeatureRecord:
    fake.check_subscription(subscription)
    return fake.feature_record(namespace, name)


@route("GET", FEATURES + r"/(?P<name>[^/]+)", "features")
def get_feature(
    fake: FakeAzure, call: Call, *, subscription: str, namespace: str, name: str
) -> Reply:
    record = _feature(fake, subscription, namespace, name)
    return Reply(200, wire.feature(fake.subscription_id, record))


@route("GET", FEATURES, "features")
def list_features(fake: FakeAzure, call: Call, *, subscription: str, namespace: str) -> Reply:
    fake.check_subscription(subscription)
    records = fake.features_of(namespace)
    return Reply(200, {"value": [wire.feature(fake.subscription_id, r) for r in records]})


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
    return Reply(200, wire.feature(fake.subscription_id, record))


@route("POST", FEATURES + r"/(?P<name>[^/]+)/unregister", "features")
def unregister_feature(
    fake: FakeAzure, call: Call, *, subscription: str, namespace: str, name: str
) -> Reply:
    record = _feature(fake, subscription, namespace, name)
    record.state = "Unregistered"
    record.registered_at = None
    return Reply(200, wire.feature(fake.subscription_id, record))


def _provider(fake: FakeAzure, subscription: str, namespace: str) -> ProviderRecord:
    fake.check_subscription(subscription)
    if "." not in namespace:
        raise ArmError(
            404, "InvalidResourceNamespace", f"The resource namespace '{namespace}' is invalid."
        )
    return fake.provider_record(namespace)


@route("GET", SUBSCRIPTION + r"/providers/(?P<namespace>[^/]+)", "resources")
def get_provider(fake: FakeAzure, call: Call, *, subscription: str, namespace: str) -> Reply:
    record = _provider(fake, subscription, namespace)
    return Reply(200, wire.provider(fake.subscription_id, record))


@route("POST", SUBSCRIPTION + r"/providers/(?P<namespace>[^/]+)/register", "resources")
def register_provider(fake: FakeAzure, call: Call, *, subscription: str, namespace: str) -> Reply:
    record = _provider(fake, subscription, namespace)
    record.state = "Registering"
    fake.provider_registered_at.pop(record.namespace.casefold(), None)

    def settle() -> None:
        if record.state == "Registering":
            record.state = "Registered"
            fake.provider_registered_at[record.namespace.casefold()] = fake.clock.now()

    fake.clock.call_later(fake.provider_registration_delay, settle)
    return Reply(200, wire.provider(fake.subscription_id, record))
