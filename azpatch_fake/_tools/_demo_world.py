"""The demo's world: a realistic fleet before anyone opted it into automatic guest patching.

Three subscriptions over canary, pilot and two geo-pairs of regions; zones;
availability sets of several sizes; Windows (automatic updates on, or off
and Manual) and Linux; a few images guest patching does not support; and one
VM that turns unhealthy after its update. Seeded: one seed, one world.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from .._app import FakeAzure
from .._world._images import DEFAULT_IMAGES
from .._world._records import ImageRecord, VmRecord

__all__ = ["DEMO_START", "SUBSCRIPTIONS", "UNHEALTHY_VM", "demo_world"]

DEMO_START = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)  # a week before Patch Tuesday
SUBSCRIPTIONS = (
    "00000000-0000-0000-0000-0000000000a1",  # web
    "00000000-0000-0000-0000-0000000000b2",  # data
    "00000000-0000-0000-0000-0000000000c3",  # tools
)
# (region, zones used, sets of these sizes, VMs outside sets)
_LAYOUT = (
    ("eastus2euap", (), (), 4),
    ("westcentralus", (), (5,), 4),
    ("eastus", ("1", "2", "3"), (12,), 18),
    ("westus", (), (20,), 8),
    ("northeurope", ("1", "2"), (5,), 10),
    ("westeurope", ("1", "2", "3"), (12, 3), 16),
    ("centralindia", (), (), 6),
)
_UNSUPPORTED = (
    ImageRecord("Contoso", "legacy-appliance", "7"),
    ImageRecord("OpenLogic", "CentOS", "6.10"),
)
UNHEALTHY_VM = "westeurope-vm3"  # in the last phase: the halt shows after the others


def demo_world(seed: int = 0, options: Mapping[str, Any] | None = None) -> FakeAzure:
    """A fresh world holding the demo fleet, with the 2020 preview's registration required
    unless ``options`` (further keyword arguments of ``FakeAzure``) say otherwise."""
    rng = random.Random(seed)
    fake = FakeAzure(
        **{
            "seed": seed,
            "start": DEMO_START,
            "subscription_id": SUBSCRIPTIONS[0],
            "require_preview_registration": True,
            **(options or {}),
        }
    )
    for subscription in SUBSCRIPTIONS:
        fake.add_subscription(subscription)
    for location, zones, set_sizes, loose in _LAYOUT:
        for number, size in enumerate(set_sizes):
            subscription = SUBSCRIPTIONS[number % len(SUBSCRIPTIONS)]
            group = f"rg-{location}"
            record = fake.add_availability_set(
                group, f"{location}-set{number}", subscription_id=subscription, location=location
            )
            for index in range(size):
                name = f"{location}-set{number}-vm{index}"
                vm = _vm(fake, rng, subscription, group, name, location=location)
                fake.place_in_availability_set(vm, record)
        for index in range(loose):
            subscription = SUBSCRIPTIONS[index % len(SUBSCRIPTIONS)]
            zone = (zones[index % len(zones)],) if zones and index % 4 else ()
            name = f"{location}-vm{index}"
            _vm(fake, rng, subscription, f"rg-{location}", name, location=location, zones=zone)
    for subscription in SUBSCRIPTIONS:
        found = fake.find_vm("rg-westeurope", UNHEALTHY_VM, subscription_id=subscription)
        if found is not None:
            found.unhealthy_after_patching = True
    return fake


def _vm(
    fake: FakeAzure,
    rng: random.Random,
    subscription: str,
    group: str,
    name: str,
    *,
    location: str,
    zones: tuple[str, ...] = (),
) -> VmRecord:
    windows = rng.random() < 0.55
    manual = windows and rng.random() < 0.2  # automatic updates off at creation: Manual (R6)
    image = DEFAULT_IMAGES["Windows" if windows else "Linux"]
    if rng.random() < 0.06:
        image = _UNSUPPORTED[0] if windows else _UNSUPPORTED[1]
    return fake.add_vm(
        group,
        name,
        subscription_id=subscription,
        os_type="Windows" if windows else "Linux",
        location=location,
        image=image,
        zones=zones,
        patch_mode="Manual" if manual else None,
        enable_automatic_updates=not manual,
        time_zone="Pacific Standard Time" if windows and rng.random() < 0.05 else None,
    )
