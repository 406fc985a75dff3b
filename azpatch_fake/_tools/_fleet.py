"""Fleet files: a JSON description of many VMs, loaded into a fresh world.

The format is documented in docs/orchestration.md and kept stable:
``{"start": ISO time, "vms": [...]}``, each VM with its placement, image,
patch settings and optional power schedule and faults.
"""

from __future__ import annotations

import difflib
import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from .._app import FakeAzure
from .._world._images import is_hotpatchable, is_supported
from .._world._off_peak import resolve_time_zone
from .._world._policy import OrchestrationPolicy
from .._world._records import AvailabilitySetRecord, ImageRecord, VmRecord
from .._world._regions import REGIONS, region

__all__ = ["FAULTS", "FAULT_FLAGS", "FleetError", "load_fleet"]

# A fleet's fault names and the VmRecord flags they set; slow_install sets a duration.
FAULT_FLAGS = {
    "agent_not_ready": "agent_broken",
    "install_failure": "fail_installs",
    "reboot_failure": "fail_reboots",
    "unhealthy_after_patch": "unhealthy_after_patching",
}
FAULTS = (*sorted(FAULT_FLAGS), "slow_install")
_MODES = {
    "Windows": ("AutomaticByOS", "AutomaticByPlatform", "Manual"),
    "Linux": ("ImageDefault", "AutomaticByPlatform"),
}
_REQUIRED = ("subscription", "resource_group", "name", "location", "os", "image", "patch_mode")


class FleetError(ValueError):
    """A fleet file that cannot be loaded; the message names the field."""


def _moment(text: object, where: str) -> datetime:
    if not isinstance(text, str):
        raise FleetError(f"{where}: expected an ISO 8601 time")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FleetError(f"{where}: {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise FleetError(f"{where}: {text!r} needs a UTC offset (for example Z)")
    return moment


def _text(spec: Mapping[str, Any], key: str, where: str) -> str:
    value = spec.get(key)
    if not isinstance(value, str) or not value:
        raise FleetError(f"{where}.{key}: expected a non-empty string")
    return value


def load_fleet(
    fleet: object,
    *,
    seed: int = 0,
    policy: OrchestrationPolicy | None = None,
    options: Mapping[str, Any] | None = None,
) -> FakeAzure:
    """A world at the fleet's ``start`` holding its VMs, each enabling off-peak (R16);
    ``options`` are further keyword arguments of ``FakeAzure``."""
    if not isinstance(fleet, Mapping) or not isinstance(fleet.get("vms"), list):
        raise FleetError('a fleet is {"start": ISO time, "vms": [...]}')
    start = _moment(fleet.get("start"), "start")
    fake = FakeAzure(seed=seed, start=start, policy=policy, **(options or {}))
    sets: dict[tuple[str, str, str], AvailabilitySetRecord] = {}
    images: dict[tuple[str, str, str], ImageRecord] = {}  # one record per image, as add_vm's
    with _no_garbage_collection():
        for index, spec in enumerate(fleet["vms"]):
            where = f"vms[{index}]"
            if not isinstance(spec, Mapping):
                raise FleetError(f"{where}: expected an object")
            _add(fake, spec, where, sets, images)
    return fake


@contextmanager
def _no_garbage_collection() -> Iterator[None]:
    """Building 100,000 VMs makes no garbage, yet the collector would walk the new
    records again and again (half the loading time); pause it meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _add(
    fake: FakeAzure,
    spec: Mapping[str, Any],
    where: str,
    sets: dict[tuple[str, str, str], AvailabilitySetRecord],
    images: dict[tuple[str, str, str], ImageRecord],
) -> None:
    for key in _REQUIRED:
        if key not in spec:
            raise FleetError(f"{where}.{key}: required")
    os_type = _text(spec, "os", where)
    if os_type not in ("Windows", "Linux"):
        raise FleetError(f"{where}.os: 'Windows' or 'Linux', not {os_type!r}")
    image = spec["image"]
    if not isinstance(image, Mapping):
        raise FleetError(f"{where}.image: expected {{publisher, offer, sku}}")
    triple = (
        str(image.get("publisher", "")),
        str(image.get("offer", "")),
        str(image.get("sku", "")),
    )
    time_zone = spec.get("time_zone")
    if time_zone is not None:
        try:
            resolve_time_zone(time_zone)
        except (ValueError, TypeError) as error:
            raise FleetError(f"{where}.time_zone: {error}") from None
    patch_mode = _text(spec, "patch_mode", where)
    if patch_mode not in _MODES[os_type]:  # R1
        raise FleetError(f"{where}.patch_mode: {os_type} takes {', '.join(_MODES[os_type])}")
    subscription = _text(spec, "subscription", where)
    group = _text(spec, "resource_group", where)
    location = _known_region(_text(spec, "location", where), where)
    zone = spec.get("zone")
    set_name = spec.get("availability_set")
    if zone is not None and set_name:
        raise FleetError(  # as ARM refuses it
            f"{where}: a VM in an availability zone cannot be in an availability set as well"
        )
    image_record = images.setdefault(triple, ImageRecord(*triple))
    if patch_mode == "AutomaticByPlatform" and not is_supported(image_record):  # R9
        raise FleetError(
            f"{where}.image: {'/'.join(triple)} is not supported for AutomaticByPlatform (R9)"
        )
    record = fake.add_vm(
        group,
        _text(spec, "name", where),
        subscription_id=subscription,
        os_type=os_type,
        location=location,
        image=image_record,
        zones=(str(zone),) if zone is not None else (),
        time_zone=time_zone,
        assessment_mode=spec.get("assessment_mode"),
        reboot_setting=spec.get("reboot_setting"),
        enable_automatic_updates=patch_mode != "Manual",
        enabled=False,
    )
    if set_name:
        set_key = (subscription.casefold(), group.casefold(), str(set_name).casefold())
        if set_key not in sets:
            sets[set_key] = fake.add_availability_set(
                group, str(set_name), subscription_id=subscription, location=location
            )
        elif region(sets[set_key].location).name != region(location).name:
            raise FleetError(
                f"{where}.availability_set: {set_name} is in {sets[set_key].location};"
                " a set's VMs share its region"
            )
        fake.place_in_availability_set(record, sets[set_key])
    _faults(record, spec.get("faults") or [], where)
    if spec.get("hotpatch"):
        if not is_hotpatchable(record.image):  # R14
            raise FleetError(f"{where}.hotpatch: the image is not a hotpatchable Azure Edition")
        record.patch_settings.enable_hotpatching = True
    # The mode last, so that placement and faults are in place when enablement starts.
    record.patch_settings.patch_mode = patch_mode
    fake.orchestrator.track(record, enabled=bool(spec.get("enabled", False)))
    _power_schedule(fake, record, spec.get("power_schedule") or [], where)


def _known_region(location: str, where: str) -> str:
    """An ARM location the fake knows; a typo is refused, not made an unpaired region."""
    key = location.replace(" ", "").casefold()
    if key not in REGIONS:
        close = difflib.get_close_matches(key, REGIONS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise FleetError(f"{where}.location: {location!r} is not an Azure region{hint}")
    return location


def _faults(record: VmRecord, faults: list[Any], where: str) -> None:
    for position, fault in enumerate(faults):
        kind = fault.get("kind") if isinstance(fault, Mapping) else fault
        if kind not in FAULTS:
            raise FleetError(f"{where}.faults[{position}]: one of {', '.join(FAULTS)}")
        if kind in FAULT_FLAGS:
            setattr(record, FAULT_FLAGS[kind], True)
        else:
            minutes = fault.get("minutes_per_patch", 60) if isinstance(fault, Mapping) else 60
            record.install_time_per_patch = timedelta(minutes=float(minutes))


def _power_schedule(fake: FakeAzure, record: VmRecord, periods: list[Any], where: str) -> None:
    """``[{"off": ISO, "on": ISO}, ...]``: the VM is deallocated from ``off`` until ``on``."""
    for position, period in enumerate(periods):
        here = f"{where}.power_schedule[{position}]"
        if not isinstance(period, Mapping):
            raise FleetError(f"{here}: expected {{off, on}}")
        off = _moment(period.get("off"), f"{here}.off")
        on = _moment(period["on"], f"{here}.on") if period.get("on") else None
        if on is not None and on <= off:
            raise FleetError(f"{here}: 'on' must come after 'off'")
        fake.clock.call_at(off, lambda: fake.set_power(record, "deallocated"))
        if on is not None:
            fake.clock.call_at(on, lambda: fake.set_power(record, "running"))
