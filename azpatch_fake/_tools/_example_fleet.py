"""``example_fleet``: a seeded, realistic fleet file for trying the orchestrator at any size.

Subscriptions spread over every public region; about a third of the VMs in
availability sets of several sizes, a third in zones, Windows and Linux on
supported images, most clocks set to their region's time zone (a Windows name
where one maps to it), some Windows VMs on another zone, the rest on UTC as
Azure leaves them, and a few with daily assessments or reboots set to Never.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from .._world._images import DEFAULT_IMAGES
from .._world._regions import PUBLIC_REGIONS, region
from .._world._windows_time_zones import WINDOWS_TO_IANA

__all__ = ["example_fleet"]

_WINDOWS_ZONES = ("Pacific Standard Time", "W. Europe Standard Time", "Tokyo Standard Time")
_SET_SIZES = (2, 3, 5, 9, 10, 12, 20, 40)
_IANA_TO_WINDOWS = {iana: name for name, iana in sorted(WINDOWS_TO_IANA.items(), reverse=True)}


def example_fleet(
    vms: int, *, seed: int = 0, start: datetime | None = None, subscriptions: int = 5
) -> dict[str, Any]:
    """A fleet file (as a dict) with ``vms`` AutomaticByPlatform VMs."""
    rng = random.Random(seed)
    moment = start.isoformat() if start else "2027-01-01T00:00:00+00:00"
    fleet: list[dict[str, Any]] = []
    while len(fleet) < vms:
        location = rng.choice(PUBLIC_REGIONS)
        subscription = f"00000000-0000-0000-0000-{rng.randrange(subscriptions):012d}"
        group = f"rg-{location}"
        layout = rng.random()
        if layout < 0.35:
            set_name = f"set-{len(fleet)}"
            members = min(rng.choice(_SET_SIZES), vms - len(fleet))
            fleet.extend(
                _vm(
                    rng,
                    subscription,
                    group,
                    location,
                    f"{set_name}-vm{i}",
                    availability_set=set_name,
                )
                for i in range(members)
            )
        else:
            zone = str(rng.randrange(1, 4)) if layout < 0.7 else None
            fleet.append(_vm(rng, subscription, group, location, f"vm{len(fleet)}", zone=zone))
    return {"start": moment, "vms": fleet}


def _vm(
    rng: random.Random,
    subscription: str,
    group: str,
    location: str,
    name: str,
    *,
    zone: str | None = None,
    availability_set: str | None = None,
) -> dict[str, Any]:
    os_type = "Windows" if rng.random() < 0.5 else "Linux"
    image = DEFAULT_IMAGES[os_type]
    spec: dict[str, Any] = {
        "subscription": subscription,
        "resource_group": group,
        "name": name,
        "location": location,
        "os": os_type,
        "image": {"publisher": image.publisher, "offer": image.offer, "sku": image.sku},
        "patch_mode": "AutomaticByPlatform",
    }
    if zone is not None:
        spec["zone"] = zone
    if availability_set is not None:
        spec["availability_set"] = availability_set
    clock = rng.random()
    local = region(location).time_zone
    if clock < 0.7:
        zone_name = _IANA_TO_WINDOWS.get(local) if os_type == "Windows" else local
        if zone_name:
            spec["time_zone"] = zone_name
    elif os_type == "Windows" and clock < 0.8:
        spec["time_zone"] = rng.choice(_WINDOWS_ZONES)
    if rng.random() < 0.2:
        spec["assessment_mode"] = "AutomaticByPlatform"
    if rng.random() < 0.1:
        spec["reboot_setting"] = "Never"
    return spec
