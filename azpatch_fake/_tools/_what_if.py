"""The what-if plan: each VM's predicted install slot in one monthly rollout.

The orchestrator is deterministic for a seed and a fleet (R53), so the
prediction is the simulation itself, run on a copy of the fleet: the first
run each VM gets in the rollout, or the rule that keeps it from getting one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .._orchestration._holds import PlannedSlot
from .._world._catalog import patch_tuesday, release_after
from .._world._policy import OrchestrationPolicy
from .._world._records import VmRecord
from ._fleet import FAULT_FLAGS, FleetError, load_fleet

if TYPE_CHECKING:
    from .._app import FakeAzure

__all__ = ["fleet_of", "plan_rollout"]


def plan_rollout(
    fleet: Mapping[str, Any],
    month: str,
    *,
    seed: int = 0,
    policy: OrchestrationPolicy | None = None,
) -> list[PlannedSlot]:
    """Predict rollout ``month`` ("YYYY-MM") for ``fleet``, which must start before it."""
    try:
        year, number = (int(part) for part in month.split("-"))
        release = patch_tuesday(year, number)
    except ValueError:
        raise FleetError(f"month: {month!r} is not YYYY-MM") from None
    fake = load_fleet(fleet, seed=seed, policy=policy)
    if fake.clock.now() >= release:
        raise FleetError(f"start: the fleet must start before the {month} release ({release})")
    days = fake.policy.rollout_days
    following = release_after(release)
    fake.run_until(min(release + timedelta(days=days), following - timedelta(seconds=1)))
    first: dict[str, dict[str, Any]] = {}
    for event in fake.timeline.events("install_started"):
        if event["rollout"] == month:
            first.setdefault(event["vm"], event)
    slots = []
    for member in fake.orchestrator.members():
        started = first.get(member.resource_id)
        if started is not None:
            slots.append(
                PlannedSlot(
                    member.resource_id,
                    member.location,
                    started["phase"],
                    started["time"],
                    started["local_time"],
                    None,
                )
            )
        else:
            hold = fake.why_not_patched(member.vm)
            slots.append(
                PlannedSlot(
                    member.resource_id,
                    member.location,
                    None,
                    None,
                    None,
                    f"{hold.rule}: {hold.reason}",
                )
            )
    return sorted(slots, key=lambda s: (s.start or "~", s.vm))


def fleet_of(fake: FakeAzure) -> dict[str, Any]:
    """The world's VMs as a fleet file starting now (patches installed so far are not kept)."""
    vms = []
    records = sorted(
        (vm for subscription in fake.subscriptions() for vm in subscription.vms.values()),
        key=lambda vm: (vm.availability_set or "", vm.platform_update_domain, vm.resource_id),
    )
    for vm in records:
        spec: dict[str, Any] = {
            "subscription": vm.subscription_id,
            "resource_group": vm.resource_group,
            "name": vm.name,
            "location": vm.location,
            "os": vm.os_type,
            "image": {
                "publisher": vm.image.publisher,
                "offer": vm.image.offer,
                "sku": vm.image.sku,
            },
            "patch_mode": vm.patch_settings.patch_mode
            or ("AutomaticByOS" if vm.os_type == "Windows" else "ImageDefault"),
            "enabled": vm.patch_mode_ready,
        }
        optional = {
            "zone": vm.zones[0] if vm.zones else None,
            "availability_set": vm.availability_set.rsplit("/", 1)[1]
            if vm.availability_set
            else None,
            "time_zone": vm.time_zone,
            "assessment_mode": vm.patch_settings.assessment_mode,
            "reboot_setting": vm.patch_settings.reboot_setting,
            "hotpatch": vm.patch_settings.enable_hotpatching or None,
            "faults": _faults(vm) or None,
        }
        spec |= {key: value for key, value in optional.items() if value is not None}
        if vm.power_state != "running":
            spec["power_schedule"] = [{"off": fake.clock.now().isoformat()}]
        vms.append(spec)
    return {"start": fake.clock.now().isoformat(), "vms": vms}


def _faults(vm: VmRecord) -> list[Any]:
    faults: list[Any] = [name for name, flag in FAULT_FLAGS.items() if getattr(vm, flag)]
    if vm.install_time_per_patch is not None:
        minutes = vm.install_time_per_patch.total_seconds() / 60
        faults.append({"kind": "slow_install", "minutes_per_patch": minutes})
    return faults
