"""Creating and changing VMs: PUT with defaults, PATCH of settings and tags, ETags honoured.

Every field is read and checked before anything is written, so a refused
request leaves the VM as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from .._world._images import DEFAULT_IMAGES, is_hotpatchable
from .._world._off_peak import resolve_time_zone
from .._world._patch_rules import Situation, check_patch_settings
from .._world._records import ImageRecord, PatchSettingsRecord, VmRecord
from .._world._subscription import Subscription
from ._echo import written
from ._names import MAX_TAGS, check_tags, check_vm_name
from ._requests import Body
from ._routes import VM, Call, route
from ._wire import ArmError, Reply, vm_reply

if TYPE_CHECKING:
    from .._world._world import World

__all__: list[str] = []


@attrs.frozen
class _OsChanges:
    """What a request asks to change in the OS profile, checked but not yet applied."""

    settings: PatchSettingsRecord
    touches_patch_settings: bool = False
    provision_vm_agent: bool | None = None
    enable_automatic_updates: bool | None = None
    time_zone: str | None = None
    computer_name: str | None = None


def _check_precondition(call: Call, record: VmRecord | None) -> None:
    if_match = call.request.headers.get("If-Match")
    if if_match == "*" and record is None:
        raise ArmError(412, "PreconditionFailed", "The VM does not exist (If-Match: *).")
    if if_match not in (None, "*") and (record is None or if_match != record.etag):
        raise ArmError(412, "PreconditionFailed", "The ETag in If-Match does not match the VM's.")
    if call.request.headers.get("If-None-Match") == "*" and record is not None:
        raise ArmError(412, "PreconditionFailed", "The VM already exists (If-None-Match: *).")


def _os_type(properties: Body | None) -> str:
    if properties is None:
        return "Linux"
    profile = properties.object("osProfile")
    if profile is not None and "windowsConfiguration" in profile:
        return "Windows"
    if profile is not None and "linuxConfiguration" in profile:
        return "Linux"
    storage = properties.object("storageProfile")
    disk = storage.object("osDisk") if storage else None
    os_type = disk.choice("osType", ("Windows", "Linux")) if disk else None
    if os_type:
        return os_type
    image = storage.object("imageReference") if storage else None
    publisher = (image.text("publisher") or "") if image else ""
    return "Windows" if "windows" in publisher.casefold() else "Linux"


def _read_os_changes(
    properties: Body | None, os_type: str, current: PatchSettingsRecord
) -> _OsChanges:
    profile = properties.object("osProfile") if properties else None
    key = "windowsConfiguration" if os_type == "Windows" else "linuxConfiguration"
    config = profile.object(key) if profile else None
    settings = attrs.evolve(current)
    if config is None:
        return _OsChanges(settings, computer_name=profile.text("computerName") if profile else None)
    patch = config.object("patchSettings")
    if patch is not None:  # values are judged by the patch rules, in ARM's order
        mode = patch.text("patchMode")
        assessment = patch.text("assessmentMode")
        hotpatching = patch.flag("enableHotpatching") if os_type == "Windows" else None
        platform = patch.object("automaticByPlatformSettings")
        reboot = platform.text("rebootSetting") if platform else None
        bypass = platform.flag("bypassPlatformSafetyChecksOnUserSchedule") if platform else None
        settings = PatchSettingsRecord(
            patch_mode=mode or current.patch_mode,
            assessment_mode=assessment or current.assessment_mode,
            enable_hotpatching=current.enable_hotpatching if hotpatching is None else hotpatching,
            reboot_setting=reboot or current.reboot_setting,
            bypass_platform_safety_checks_on_user_schedule=(
                current.bypass_platform_safety_checks_on_user_schedule if bypass is None else bypass
            ),
        )
    if os_type == "Linux" and "timeZone" in config:
        raise ArmError(  # ARM's LinuxConfiguration has no timeZone: the guest's own setting
            400,
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: 'Could not find"
            " member 'timeZone' on object of type 'LinuxConfiguration'. Path"
            " 'properties.osProfile.linuxConfiguration.timeZone'.'",
            "properties.osProfile.linuxConfiguration.timeZone",
        )
    time_zone = config.text("timeZone") if os_type == "Windows" else None
    if time_zone is not None:
        try:
            resolve_time_zone(time_zone)
        except ValueError:
            raise ArmError(
                400,
                "InvalidParameter",
                f"The value '{time_zone}' of parameter 'windowsConfiguration.timeZone' is invalid.",
                "windowsConfiguration.timeZone",
            ) from None  # synthetic
    return _OsChanges(
        settings,
        touches_patch_settings=patch is not None,
        provision_vm_agent=config.flag("provisionVMAgent"),
        enable_automatic_updates=config.flag("enableAutomaticUpdates")
        if os_type == "Windows"
        else None,
        time_zone=time_zone,
        computer_name=profile.text("computerName") if profile else None,
    )


# Linux patch settings arrived with this api-version (R10); Windows had them since 2020-06-01.
LINUX_PATCH_SETTINGS_SINCE = "2020-12-01"


def _check_rules(
    world: World,
    call: Call,
    changes: _OsChanges,
    *,
    owner: Subscription,
    record: VmRecord | None,
    os_type: str,
    image: ImageRecord,
) -> None:
    """The patch rules (R1 to R15) for the settings the request asks for."""
    if not changes.touches_patch_settings:
        return
    world.check_preview(owner)
    if os_type == "Linux" and call.api_version < LINUX_PATCH_SETTINGS_SINCE:
        raise ArmError(
            400,
            "InvalidParameter",
            f"Linux patch settings need api-version {LINUX_PATCH_SETTINGS_SINCE} or later.",
            "linuxConfiguration.patchSettings",
        )  # synthetic
    default_mode = "AutomaticByOS" if os_type == "Windows" else "ImageDefault"
    current = record.patch_settings.patch_mode if record else None
    eau = changes.enable_automatic_updates if record is None else record.enable_automatic_updates
    agent = changes.provision_vm_agent
    if agent is None:
        agent = record.provision_vm_agent if record else True
    situation = Situation(
        os_type=os_type,
        image=image,
        current_mode=current or default_mode,
        enable_automatic_updates=True if eau is None else eau,
        provision_vm_agent=agent,
    )
    check_patch_settings(situation, changes.settings, profile=world.patch_rules_profile)


def _apply(world: World, record: VmRecord, changes: _OsChanges, *, creating: bool) -> None:
    if changes.enable_automatic_updates is not None:
        if not creating and changes.enable_automatic_updates != record.enable_automatic_updates:
            raise ArmError(
                409,
                "PropertyChangeNotAllowed",
                "Changing property 'windowsConfiguration.enableAutomaticUpdates' is not allowed.",
                "windowsConfiguration.enableAutomaticUpdates",
            )
        record.enable_automatic_updates = changes.enable_automatic_updates
    if changes.provision_vm_agent is not None:
        record.provision_vm_agent = changes.provision_vm_agent
    if changes.time_zone is not None and changes.time_zone != record.time_zone:
        record.time_zone = changes.time_zone
        world.platform.placement_changed(record)  # its off-peak window moves
    if changes.computer_name and creating:
        record.computer_name = changes.computer_name
    before = record.patch_settings
    record.patch_settings = changes.settings
    if changes.settings.patch_mode != before.patch_mode and (
        not creating or changes.settings.patch_mode == "AutomaticByPlatform"
    ):
        world.patch_mode_changed(record)
    elif changes.settings.assessment_mode != before.assessment_mode:
        world.assessment_mode_changed(record)
    record.etag_version += 1


def _tags(body: Body) -> dict[str, str] | None:
    tags = body.object("tags")
    if tags is None:
        return None
    if len(tags.keys()) > MAX_TAGS:  # refused before a 40,000-tag body is read field by field
        check_tags(dict.fromkeys(tags.keys(), ""))
    values = {key: tags.text(key) for key in tags.keys()}  # noqa: SIM118  (Body, not dict)
    kept = {key: value for key, value in values.items() if value is not None}
    check_tags(kept)
    return kept


@route("PUT", VM, "compute")
def put_vm(world: World, call: Call, *, subscription: str, resource_group: str, vm: str) -> Reply:
    owner = world.subscription(subscription)
    owner.check_resource_group(resource_group)
    existing = owner.find_vm(resource_group, vm)
    _check_precondition(call, existing)
    if existing is None:
        check_vm_name(vm)
    body = Body.parse(call.request.content, required=True)
    location = body.location()
    properties = body.object("properties")
    tags = _tags(body)
    zones = body.strings("zones")
    if existing is not None:
        changes = _read_os_changes(properties, existing.os_type, existing.patch_settings)
        _check_rules(
            world,
            call,
            changes,
            owner=owner,
            record=existing,
            os_type=existing.os_type,
            image=existing.image,
        )
        _apply(world, existing, changes, creating=False)
        if tags is not None:
            existing.tags = tags
        existing.written = written(body.raw())  # a PUT replaces the resource
        return vm_reply(existing, now=world.clock.now())
    os_type = _os_type(properties)
    changes = _read_os_changes(properties, os_type, PatchSettingsRecord())
    storage = properties.object("storageProfile") if properties else None
    image_body = storage.object("imageReference") if storage else None
    availability = properties.object("availabilitySet") if properties else None
    availability_id = availability.text("id") if availability else None
    availability_set = owner.availability_set_by_id(availability_id) if availability_id else None
    image = None
    if image_body is not None:
        image = ImageRecord(
            image_body.text("publisher") or "",
            image_body.text("offer") or "",
            image_body.text("sku") or "",
            image_body.text("version") or "latest",
        )
    _check_rules(
        world,
        call,
        changes,
        owner=owner,
        record=None,
        os_type=os_type,
        image=image or DEFAULT_IMAGES[os_type],
    )
    if image is not None and is_hotpatchable(image) and not changes.touches_patch_settings:
        raise ArmError(  # R14
            400,
            "InvalidParameter",
            "PatchSettings must be specified for hotpatch compatible VMs.",
            "windowsConfiguration.patchSettings",
        )
    record = world.add_vm(
        resource_group,
        vm,
        subscription_id=owner.subscription_id,
        os_type=os_type,
        location=location,
        image=image,
        zones=tuple(zones or ()),
        tags=tags,
    )
    if availability_set is not None:
        world.place_in_availability_set(record, availability_set)
    _apply(world, record, changes, creating=True)
    record.written = written(body.raw())
    return vm_reply(record, now=world.clock.now(), status=201)


@route("PATCH", VM, "compute")
def patch_vm(world: World, call: Call, *, subscription: str, resource_group: str, vm: str) -> Reply:
    owner = world.subscription(subscription)
    owner.check_resource_group(resource_group)
    record = owner.find_vm(resource_group, vm)
    if record is None:
        raise ArmError(404, "ResourceNotFound", f"The VM '{vm}' was not found.")
    _check_precondition(call, record)
    body = Body.parse(call.request.content, required=True)
    tags = _tags(body)
    changes = _read_os_changes(body.object("properties"), record.os_type, record.patch_settings)
    _check_rules(
        world, call, changes, owner=owner, record=record, os_type=record.os_type, image=record.image
    )
    _apply(world, record, changes, creating=False)
    if tags is not None:
        record.tags = tags
    record.written = written(body.raw(), onto=record.written)
    return vm_reply(record, now=world.clock.now())
