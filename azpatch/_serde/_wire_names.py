"""Where each model field lives in the JSON: the only place that knows wire names.

A field's JSON key is the camelCase of its name unless ``_WIRE_NAMES``
says otherwise; ``_UNDER_PROPERTIES`` lists the fields ARM nests under a
resource's ``properties`` object.
"""

from __future__ import annotations

import functools
import operator
import typing
from collections.abc import Mapping
from typing import Any

import attrs

from ..models import (
    ApiError,
    AuthorizationProfile,
    InnerError,
    LinuxConfiguration,
    VirtualMachine,
    VirtualMachineInstanceView,
    VirtualMachineUpdate,
    WindowsConfiguration,
    WireModel,
)

__all__ = ["PROPERTIES", "WireField", "wire_fields"]

PROPERTIES = "properties"

_WIRE_NAMES: Mapping[tuple[type[WireModel], str], str] = {
    (ApiError, "inner_error"): "innererror",
    (InnerError, "exception_type"): "exceptiontype",
    (InnerError, "error_detail"): "errordetail",
    (WindowsConfiguration, "provision_vm_agent"): "provisionVMAgent",
    (WindowsConfiguration, "enable_vm_agent_platform_updates"): "enableVMAgentPlatformUpdates",
    (LinuxConfiguration, "provision_vm_agent"): "provisionVMAgent",
    (LinuxConfiguration, "enable_vm_agent_platform_updates"): "enableVMAgentPlatformUpdates",
    (VirtualMachineInstanceView, "is_vm_in_standby_pool"): "isVMInStandbyPool",
}
_UNDER_PROPERTIES: Mapping[type[WireModel], frozenset[str]] = {
    VirtualMachine: frozenset(
        {
            "os_profile",
            "storage_profile",
            "availability_set",
            "provisioning_state",
            "instance_view",
            "vm_id",
            "time_created",
        }
    ),
    VirtualMachineUpdate: frozenset({"os_profile"}),
}
# api-version 2021-07-01 writes these keys in PascalCase, 2025-03-01 in camelCase.
_PASCAL_CASE_TOO: frozenset[type[WireModel]] = frozenset({AuthorizationProfile})


@attrs.frozen
class WireField:
    """One model field: its name, JSON key, value type (``None`` stripped) and nesting."""

    name: str
    key: str
    value_type: Any
    under_properties: bool
    other_keys: tuple[str, ...]


def wire_fields(cls: type[WireModel]) -> list[WireField]:
    """The wire fields of ``cls``, in declaration order."""
    hints = typing.get_type_hints(cls)
    nested = _UNDER_PROPERTIES.get(cls, frozenset())
    fields = []
    for field in attrs.fields(cls):
        if field.name == "explicit_nulls":
            continue
        key = _WIRE_NAMES.get((cls, field.name)) or _camel_case(field.name)
        other_keys = (key[0].upper() + key[1:],) if cls in _PASCAL_CASE_TOO else ()
        value_type = _without_none(hints[field.name])
        fields.append(WireField(field.name, key, value_type, field.name in nested, other_keys))
    return fields


def _camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _without_none(tp: Any) -> Any:
    args = typing.get_args(tp)
    if type(None) not in args:
        return tp
    rest = tuple(arg for arg in args if arg is not type(None))
    return functools.reduce(operator.or_, rest)
