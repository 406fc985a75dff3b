"""What a fleet operation is run over: VMs, resource groups and subscriptions, named by id.

A target is an ARM resource id: a VM's, a resource group's or a
subscription's, or ``/subscriptions`` for every subscription the credential
can see; a ``VmRef`` names one VM. Groups and subscriptions are listed when
the run reaches them. Everything is checked before any request
is sent, and the same VM named twice (in any case) is one target.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from .._core._validation import check_resource_group, check_subscription_id, check_vm_name
from .._exceptions import InvalidArgumentError

__all__ = [
    "GroupTarget",
    "SubscriptionTarget",
    "Target",
    "TenantTarget",
    "VmRef",
    "parse_targets",
]

_ID = re.compile(
    r"/subscriptions(?:/(?P<subscription>[^/]+)"
    r"(?:/resourceGroups/(?P<group>[^/]+)"
    r"(?:/providers/Microsoft\.Compute/virtualMachines/(?P<vm>[^/]+))?)?)?/?",
    re.IGNORECASE,
)


@attrs.frozen
class VmRef:
    """One VM: its subscription, resource group and name; ``location`` when a listing said it."""

    subscription_id: str
    resource_group: str
    name: str
    location: str | None = attrs.field(default=None, eq=False)

    @property
    def id(self) -> str:
        """The VM's ARM resource id."""
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.Compute/virtualMachines/{self.name}"
        )

    @property
    def key(self) -> str:
        """The id in one case: ARM's names are case-insensitive."""
        return self.id.casefold()

    @classmethod
    def from_id(cls, resource_id: str) -> VmRef:
        """The VM of ``resource_id``; ``InvalidArgumentError`` when it names no VM."""
        target = _parse(resource_id)
        if not isinstance(target, VmRef):
            raise InvalidArgumentError(
                f"{resource_id!r} is not a VM's resource id", code="InvalidTarget", target="vm"
            )
        return target


@attrs.frozen
class GroupTarget:
    """Every VM of a resource group, listed when the run reaches it."""

    subscription_id: str
    resource_group: str

    @property
    def id(self) -> str:
        """The resource group's ARM resource id."""
        return f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"


@attrs.frozen
class SubscriptionTarget:
    """Every VM of a subscription, listed when the run reaches it."""

    subscription_id: str

    @property
    def id(self) -> str:
        """The subscription's ARM resource id."""
        return f"/subscriptions/{self.subscription_id}"


@attrs.frozen
class TenantTarget:
    """Every VM of every subscription the credential can list (``GET /subscriptions``).

    Subscriptions Azure lists as ``Disabled`` or ``Deleted`` are skipped: their VMs are
    deallocated and their writes refused.
    """

    @property
    def subscription_id(self) -> str:
        """No one subscription: the listing is the tenant's."""
        return ""

    @property
    def id(self) -> str:
        """The collection's path, ``/subscriptions``."""
        return "/subscriptions"


Target = VmRef | GroupTarget | SubscriptionTarget | TenantTarget
_TARGETS = (VmRef, GroupTarget, SubscriptionTarget, TenantTarget)


def _parse(resource_id: str) -> Target:
    match = _ID.fullmatch(resource_id)
    if match is None:
        raise InvalidArgumentError(
            f"{resource_id!r} is not a target: give a VM's, a resource group's or a"
            " subscription's resource id (/subscriptions/<id>[/resourceGroups/<name>"
            "[/providers/Microsoft.Compute/virtualMachines/<name>]]), or /subscriptions"
            " for every subscription you can see",
            code="InvalidTarget",
            target="targets",
        )
    if match["subscription"] is None:
        return TenantTarget()
    try:
        subscription = check_subscription_id(match["subscription"])
        if match["group"] is None:
            return SubscriptionTarget(subscription)
        group = check_resource_group(match["group"])
        if match["vm"] is None:
            return GroupTarget(subscription, group)
        return VmRef(subscription, group, check_vm_name(match["vm"]))
    except InvalidArgumentError as error:
        raise InvalidArgumentError(
            f"target {resource_id!r}: {error.message}", code=error.code, target="targets"
        ) from None


def parse_targets(targets: Iterable[str | Target] | str | Target) -> list[Target]:
    """Targets in the order given, each once (ids compared without case)."""
    if isinstance(targets, (str, *_TARGETS)):
        targets = [targets]
    seen: set[str] = set()
    parsed: list[Target] = []
    for item in targets:
        target = _parse(item) if isinstance(item, str) else item
        if not isinstance(target, _TARGETS):
            raise InvalidArgumentError(
                f"{item!r} is not a target", code="InvalidTarget", target="targets"
            )
        key = target.id.casefold()
        if key not in seen:
            seen.add(key)
            parsed.append(target)
    if not parsed:
        raise InvalidArgumentError("no targets were given", code="InvalidTarget", target="targets")
    return parsed
