"""Microsoft.Compute: virtual machines, their instance view, power and patch operations.

Long-running actions answer 202 with Azure-AsyncOperation, Location and
Retry-After, take virtual time, and end by updating the VM, as ARM's do.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from .._world._images import UNSUPPORTED_IMAGE_MESSAGE, is_supported
from .._world._records import AssessmentRecord, InstallationRecord, OperationRecord, Patch, VmRecord
from . import _wire as wire
from ._requests import Body, parse_duration
from ._routes import OPERATION, RESOURCE_GROUP, SUBSCRIPTION, VM, Call, route
from ._wire import ArmError, Reply

if TYPE_CHECKING:
    from .._world._world import World

__all__: list[str] = []

WINDOWS_CLASSIFICATIONS = (
    "Critical",
    "Security",
    "UpdateRollUp",
    "FeaturePack",
    "ServicePack",
    "Definition",
    "Tools",
    "Updates",
)
LINUX_CLASSIFICATIONS = ("Critical", "Security", "Other")
REBOOT_SETTINGS = ("IfRequired", "Never", "Always")
INSTALL_PATCHES_SINCE = "2020-12-01"
_CRITICAL_OR_SECURITY = frozenset({"Critical", "Security"})


def _vm(world: World, subscription: str, resource_group: str, vm: str) -> VmRecord:
    owner = world.subscription(subscription)
    owner.check_resource_group(resource_group)
    record = owner.find_vm(resource_group, vm)
    if record is None:
        raise ArmError(
            404,
            "ResourceNotFound",
            f"The Resource 'Microsoft.Compute/virtualMachines/{vm}' under resource group"
            f" '{resource_group}' was not found.",
        )
    return record


@route("GET", VM, "compute")
def get_vm(world: World, call: Call, *, subscription: str, resource_group: str, vm: str) -> Reply:
    record = _vm(world, subscription, resource_group, vm)
    expand = call.params.get("$expand")
    if expand not in (None, "instanceView", "userData"):
        raise ArmError(400, "InvalidParameter", f"$expand '{expand}' is not supported.", "$expand")
    return wire.vm_reply(record, now=world.clock.now(), expand=expand == "instanceView")


@route("GET", VM + "/instanceView", "compute")
def get_instance_view(
    world: World, call: Call, *, subscription: str, resource_group: str, vm: str
) -> Reply:
    record = _vm(world, subscription, resource_group, vm)
    return Reply(200, wire.instance_view(record, now=world.clock.now()))


def _page(world: World, call: Call, records: list[VmRecord]) -> Reply:
    token = call.params.get("$skiptoken", "0") or "0"
    if not token.isdigit():
        raise ArmError(400, "InvalidParameter", f"The skip token '{token}' is not valid.")
    start = int(token)
    page = records[start : start + world.page_size]
    body: dict[str, object] = {
        "value": [
            wire.virtual_machine(r, with_instance_view=False, now=world.clock.now()) for r in page
        ]
    }
    if start + world.page_size < len(records):
        body["nextLink"] = str(
            call.request.url.copy_merge_params({"$skiptoken": str(start + world.page_size)})
        )
    return Reply(200, body)


@route("GET", RESOURCE_GROUP + r"/providers/microsoft\.compute/virtualmachines", "compute")
def list_vms(world: World, call: Call, *, subscription: str, resource_group: str) -> Reply:
    owner = world.subscription(subscription)
    owner.check_resource_group(resource_group)
    return _page(world, call, owner.vms_in(resource_group))


@route("GET", SUBSCRIPTION + r"/providers/microsoft\.compute/virtualmachines", "compute")
def list_all_vms(world: World, call: Call, *, subscription: str) -> Reply:
    return _page(world, call, world.subscription(subscription).vms_in(None))


# -- long-running operations ---------------------------------------------------------------


def _accepted(world: World, call: Call, record: VmRecord, operation: OperationRecord) -> Reply:
    status_url = (
        f"{call.origin}/subscriptions/{record.subscription_id}/providers/Microsoft.Compute"
        f"/locations/{record.location}/operations/{operation.operation_id}"
        f"?api-version={call.api_version}"
    )
    return Reply(
        202,
        None,
        {
            "Azure-AsyncOperation": status_url,
            "Location": f"{status_url}&monitor=true",
            "Retry-After": str(world.retry_after),
        },
    )


def _run_operation(
    world: World,
    call: Call,
    record: VmRecord,
    duration: timedelta,
    finish: Callable[[OperationRecord], None],
) -> Reply:
    operation = world.new_operation(record.location)

    def end() -> None:
        finish(operation)
        operation.status = "Succeeded"
        world.operation_ended(operation)

    if not record.hang:  # a hung VM's operations never end
        world.clock.call_later(duration.total_seconds(), end)
    return _accepted(world, call, record, operation)


@route("GET", OPERATION, "compute")
def get_operation(
    world: World, call: Call, *, subscription: str, location: str, operation: str
) -> Reply:
    world.subscription(subscription)
    record = world.find_operation(operation)
    if record is None:
        raise ArmError(404, "NotFound", f"The operation '{operation}' was not found.")
    if call.params.get("monitor") == "true":  # the Location URL
        if record.status == "InProgress":
            return Reply(202, None, {"Retry-After": str(world.retry_after)})
        return Reply(200, record.result)
    return Reply(200, wire.operation_status(record), {"Retry-After": str(world.retry_after)})


def _require_supported_image(record: VmRecord) -> None:
    if not is_supported(record.image):
        raise ArmError(400, "InvalidParameter", UNSUPPORTED_IMAGE_MESSAGE)


def _require_running(record: VmRecord, action: str) -> None:
    if record.power_state != "running":
        raise ArmError(
            409,
            "OperationNotAllowed",
            f"Operation '{action}' is not allowed on VM '{record.name}' since the VM is"
            f" {record.power_state}.",
        )


@route("POST", VM + r"/(?P<action>start|deallocate|poweroff|restart)", "compute")
def power_action(
    world: World, call: Call, *, subscription: str, resource_group: str, vm: str, action: str
) -> Reply:
    record = _vm(world, subscription, resource_group, vm)
    target = {"start": "running", "restart": "running", "deallocate": "deallocated"}.get(
        action.casefold(), "stopped"
    )

    def finish(operation: OperationRecord) -> None:
        if target == "running":
            record.healthy = True  # its owner acted (Q25): the platform may update it again
        if action.casefold() == "restart" and record.power_state == "running":
            world.set_power(record, "stopped")  # a restart cuts off a run in progress
        world.set_power(record, target)

    return _run_operation(world, call, record, world.power_duration, finish)


@route("POST", VM + "/assesspatches", "compute")
def assess_patches(
    world: World, call: Call, *, subscription: str, resource_group: str, vm: str
) -> Reply:
    record = _vm(world, subscription, resource_group, vm)
    world.check_preview(world.subscription(subscription))
    _require_supported_image(record)
    _require_running(record, "assessPatches")
    started = world.clock.now()
    activity = world.new_id()
    record.assessment = AssessmentRecord("InProgress", activity, started)
    world.platform.user_assessed(record)  # R20: the platform's next one keeps its distance

    def finish(operation: OperationRecord) -> None:
        available = world.available_patches(record)
        assessment = AssessmentRecord(
            "Succeeded",
            activity,
            started,
            finished=world.clock.now(),
            critical_and_security=sum(p.classification in _CRITICAL_OR_SECURITY for p in available),
            other=sum(p.classification not in _CRITICAL_OR_SECURITY for p in available),
            reboot_pending=record.assessment.reboot_pending if record.assessment else False,
            patches=available,
        )
        record.assessment = assessment
        operation.result = wire.assessment_result(record, assessment)

    return _run_operation(world, call, record, world.assessment_duration, finish)


def _selection(
    record: VmRecord, body: Body, available: list[Patch]
) -> tuple[list[Patch], list[Patch], list[Patch]]:
    """Split the available patches into (selected, excluded, not selected)."""
    windows = record.os_type == "Windows"
    parameters = body.object("windowsParameters" if windows else "linuxParameters")
    if parameters is None:
        return [], [], list(available)
    classes = parameters.choices(
        "classificationsToInclude", WINDOWS_CLASSIFICATIONS if windows else LINUX_CLASSIFICATIONS
    )
    if windows:
        include = set(parameters.strings("kbNumbersToInclude") or ())
        exclude = set(parameters.strings("kbNumbersToExclude") or ())
        skip_reboots = parameters.flag("excludeKbsRequiringReboot") or False
        newest = parameters.datetime("maxPatchPublishDate")
        excluded = [
            p
            for p in available
            if p.kb_id in exclude or (skip_reboots and p.reboot_behavior != "NeverReboots")
        ]
        wanted = [
            p
            for p in available
            if p not in excluded
            and ((classes is not None and p.classification in classes) or p.kb_id in include)
            and (newest is None or p.published <= newest)
        ]
    else:
        include_masks = parameters.strings("packageNameMasksToInclude") or []
        exclude_masks = parameters.strings("packageNameMasksToExclude") or []
        excluded = [p for p in available if any(_mask(p, m) for m in exclude_masks)]
        wanted = [
            p
            for p in available
            if p not in excluded
            and (
                (classes is not None and p.classification in classes)
                or any(_mask(p, m) for m in include_masks)
            )
        ]
    not_selected = [p for p in available if p not in excluded and p not in wanted]
    return wanted, excluded, not_selected


def _mask(patch: Patch, mask: str) -> bool:
    """A Linux package mask, ``name_version`` with ``*`` and ``?``, matched against a patch."""
    name, _, version = mask.partition("_")
    return fnmatch.fnmatch(patch.name, name) and (
        not version or fnmatch.fnmatch(patch.version, version)
    )


@route("POST", VM + "/installpatches", "compute")
def install_patches(
    world: World, call: Call, *, subscription: str, resource_group: str, vm: str
) -> Reply:
    record = _vm(world, subscription, resource_group, vm)
    if call.api_version < INSTALL_PATCHES_SINCE:
        raise ArmError(
            400,
            "InvalidApiVersionParameter",
            f"installPatches needs api-version {INSTALL_PATCHES_SINCE} or later.",
            "api-version",
        )  # synthetic: 2020-06-01 gave Windows assessment only (R10)
    body = Body.parse(call.request.content, required=True)
    reboot = body.choice("rebootSetting", REBOOT_SETTINGS)
    if reboot is None:
        raise ArmError(400, "InvalidParameter", "rebootSetting is required.", "rebootSetting")
    duration_text = body.text("maximumDuration")
    window = (
        parse_duration(duration_text, target="maximumDuration")
        if duration_text
        else timedelta(hours=4)
    )
    selected, excluded, not_selected = _selection(record, body, world.available_patches(record))
    _require_supported_image(record)
    _require_running(record, "installPatches")
    started = world.clock.now()
    activity = world.new_id()
    fits = max(int((window - world.install_overhead) / world.install_time_per_patch), 0)
    installed, pending = selected[:fits], selected[fits:]
    needs_reboot = any(p.reboot_behavior != "NeverReboots" for p in installed)
    record.installation = InstallationRecord("InProgress", activity, started)

    def finish(operation: OperationRecord) -> None:
        done, failed = ([], installed) if record.fail_installs else (installed, [])
        record.installed_patch_ids.update(p.patch_id for p in done)
        rebooting = reboot == "Always" or (reboot == "IfRequired" and needs_reboot)
        if rebooting:
            reboot_status = "Failed" if record.fail_reboots else "Completed"
        else:
            reboot_status = "Required" if needs_reboot and done else "NotNeeded"
        if failed or reboot_status == "Failed":
            status = "Failed"
        else:
            status = "CompletedWithWarnings" if pending else "Succeeded"
        installation = InstallationRecord(
            status,
            activity,
            started,
            finished=world.clock.now(),
            reboot_status=reboot_status,
            maintenance_window_exceeded=bool(pending),
            installed=done,
            failed=failed,
            pending=pending,
            excluded=excluded,
            not_selected=not_selected,
        )
        record.installation = installation
        if record.assessment is not None:
            record.assessment.reboot_pending = reboot_status == "Required"
        operation.result = wire.installation_result(record, installation)

    duration = world.install_overhead + world.install_time_per_patch * len(installed)
    return _run_operation(world, call, record, min(duration, window), finish)
