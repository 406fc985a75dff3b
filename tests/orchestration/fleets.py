"""Small fleets for the orchestration tests, and what tests read back from a timeline."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import httpx

from azpatch_fake import DEFAULT_SUBSCRIPTION, FakeAzure, OrchestrationPolicy, load_fleet
from azpatch_fake._world._regions import region

START = datetime(2027, 1, 4, 12, tzinfo=timezone.utc)  # a Monday; 13:00 in West Europe
RELEASE = datetime(2027, 1, 12, 17, tzinfo=timezone.utc)  # Patch Tuesday, January 2027
WINDOWS_IMAGE = {
    "publisher": "MicrosoftWindowsServer",
    "offer": "WindowsServer",
    "sku": "2022-datacenter-azure-edition",
}
LINUX_IMAGE = {
    "publisher": "Canonical",
    "offer": "0001-com-ubuntu-server-jammy",
    "sku": "22_04-lts-gen2",
}


def vm(name: str, location: str = "westeurope", **extra: Any) -> dict[str, Any]:
    """An AutomaticByPlatform VM whose guest clock is set to its region's time zone (a VM
    with none set keeps UTC, as Azure's do: pass ``time_zone=None``)."""
    os_type = extra.pop("os", "Windows")
    zone = extra.pop("time_zone", region(location).time_zone)
    return {
        "subscription": extra.pop("subscription", DEFAULT_SUBSCRIPTION),
        "resource_group": extra.pop("resource_group", "rg"),
        "name": name,
        "location": location,
        "os": os_type,
        "image": WINDOWS_IMAGE if os_type == "Windows" else LINUX_IMAGE,
        "patch_mode": "AutomaticByPlatform",
        **({"time_zone": zone} if zone else {}),
        **extra,
    }


EXACT_ENABLEMENT = {"enablement_work": timedelta(hours=4), "enablement_spread": timedelta(0)}


def world(
    *vms: dict[str, Any], seed: int = 0, policy: OrchestrationPolicy | None = None
) -> FakeAzure:
    """The VMs, loaded as a fleet file; enablement takes exactly four hours where the
    test's policy leaves its duration at the defaults (which vary it per VM)."""
    policy = policy or OrchestrationPolicy()
    defaults = OrchestrationPolicy()
    exact = {
        k: v for k, v in EXACT_ENABLEMENT.items() if getattr(policy, k) == getattr(defaults, k)
    }
    policy = attrs.evolve(policy, **exact)
    return load_fleet({"start": START.isoformat(), "vms": list(vms)}, seed=seed, policy=policy)


def month(fake: FakeAzure) -> None:
    """Run through January's rollout, to just before February's release ends it (Q19)."""
    fake.run_until(datetime(2027, 2, 9, 16, tzinfo=timezone.utc))


def moment(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["time"].replace("Z", "+00:00"))


def in_install(fake: FakeAzure) -> list[tuple[datetime, datetime, dict[str, Any]]]:
    """Each run's (install start, health verdict, install_started event)."""
    opened: dict[str, dict[str, Any]] = {}
    spans = []
    for event in fake.timeline:
        if event["event"] == "install_started":
            opened[event["vm"]] = event
        elif event["event"] in ("health_verdict", "install_interrupted"):
            started = opened.pop(event["vm"], None)
            if started is None:
                continue  # cut off in its assessment, before it installed anything
            spans.append((moment(started), moment(event), started))
    return spans


def most_at_once(
    spans: list[tuple[datetime, datetime, dict[str, Any]]], key: Any
) -> dict[Any, int]:
    """Per ``key(event)``, the most runs in install at one instant."""
    edges: dict[Any, list[tuple[datetime, int]]] = defaultdict(list)
    for start, end, event in spans:
        edges[key(event)] += [(start, 1), (end, -1)]
    peaks = {}
    for group, points in edges.items():
        busy = peak = 0
        for _, step in sorted(points, key=lambda p: (p[0], p[1])):
            busy += step
            peak = max(peak, busy)
        peaks[group] = peak
    return peaks


def overlaps(a: tuple[datetime, datetime, Any], b: tuple[datetime, datetime, Any]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def patch_time_zone(fake: FakeAzure, name: str, time_zone: str) -> httpx.Response:
    """PATCH the Windows VM ``name`` (in ``rg``) with a new guest time zone, as a client would."""
    url = (
        f"{fake.base_url}/subscriptions/{fake.subscription_id}/resourceGroups/rg/providers"
        f"/Microsoft.Compute/virtualMachines/{name}"
    )
    body = {"properties": {"osProfile": {"windowsConfiguration": {"timeZone": time_zone}}}}
    with httpx.Client(transport=fake.transport) as http:
        return http.patch(url, params={"api-version": "2025-11-01"}, json=body)
