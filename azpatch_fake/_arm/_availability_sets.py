"""Availability sets: their update and fault domain counts, and who is in them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._world._records import AvailabilitySetRecord
from ._requests import Body
from ._routes import RESOURCE_GROUP, Call, route
from ._wire import ArmError, Reply

if TYPE_CHECKING:
    from .._world._world import World

__all__: list[str] = []

_SET = RESOURCE_GROUP + r"/providers/microsoft\.compute/availabilitysets/(?P<name>[^/]+)"


def _json(record: AvailabilitySetRecord) -> dict[str, Any]:
    prefix = record.resource_id.rsplit("/availabilitySets/", 1)[0]
    return {
        "id": record.resource_id,
        "name": record.name,
        "type": "Microsoft.Compute/availabilitySets",
        "location": record.location,
        "properties": {
            "platformUpdateDomainCount": record.update_domains,
            "platformFaultDomainCount": record.fault_domains,
            "virtualMachines": [
                {"id": f"{prefix}/virtualMachines/{member}"} for member in record.members
            ],
        },
    }


def _count(properties: Body | None, key: str, default: int, limit: int) -> int:
    value = properties.integer(key) if properties else None
    if value is None:
        return default
    if not 1 <= value <= limit:
        raise ArmError(
            400, "InvalidParameter", f"{key} must be between 1 and {limit}.", f"properties.{key}"
        )
    return int(value)


@route("PUT", _SET, "compute")
def put_availability_set(
    world: World, call: Call, *, subscription: str, resource_group: str, name: str
) -> Reply:
    owner = world.subscription(subscription)
    owner.check_resource_group(resource_group)
    body = Body.parse(call.request.content, required=True)
    location = body.location()
    properties = body.object("properties")
    update_domains = _count(properties, "platformUpdateDomainCount", 5, 20)
    fault_domains = _count(properties, "platformFaultDomainCount", 2, 3)
    existing = owner.find_availability_set(resource_group, name)
    if existing is not None:
        return Reply(200, _json(existing))
    record = world.add_availability_set(
        resource_group,
        name,
        subscription_id=owner.subscription_id,
        update_domains=update_domains,
        fault_domains=fault_domains,
        location=location,
    )
    return Reply(201, _json(record))


@route("GET", _SET, "compute")
def get_availability_set(
    world: World, call: Call, *, subscription: str, resource_group: str, name: str
) -> Reply:
    owner = world.subscription(subscription)
    owner.check_resource_group(resource_group)
    record = owner.find_availability_set(resource_group, name)
    if record is None:
        raise ArmError(404, "ResourceNotFound", f"The availability set '{name}' was not found.")
    return Reply(200, _json(record))
