"""Arguments that become URL path segments, checked before they can reach the wire.

A name with a slash, a ``..`` or a ``?`` would address another resource than
the caller meant, so every segment is checked against what Azure allows.
"""

from __future__ import annotations

import re

from .._exceptions import InvalidArgumentError

__all__ = [
    "check_feature_name",
    "check_namespace",
    "check_resource_group",
    "check_subscription_id",
    "check_vm_name",
]

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_RESOURCE_GROUP = re.compile(r"[-\w.()]{0,89}[-\w()]")
_VM_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9_])?")
_NAMESPACE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)+")
_FEATURE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


def _check(value: object, pattern: re.Pattern[str], *, what: str, rule: str, code: str) -> str:
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        raise InvalidArgumentError(f"{what} {value!r} is not valid: {rule}", code=code, target=what)
    return value


def check_subscription_id(value: object) -> str:
    return _check(
        value,
        _GUID,
        what="subscription_id",
        rule="it must be a GUID such as 00000000-0000-0000-0000-000000000000",
        code="InvalidSubscriptionId",
    )


def check_resource_group(value: object) -> str:
    return _check(
        value,
        _RESOURCE_GROUP,
        what="resource_group",
        rule="1 to 90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'",
        code="InvalidResourceGroupName",
    )


def check_vm_name(value: object) -> str:
    return _check(
        value,
        _VM_NAME,
        what="vm_name",
        rule="1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit"
        " and ending with a letter, digit or '_'",
        code="InvalidResourceName",
    )


def check_namespace(value: object) -> str:
    return _check(
        value,
        _NAMESPACE,
        what="namespace",
        rule="a resource provider namespace such as Microsoft.Compute",
        code="InvalidResourceNamespace",
    )


def check_feature_name(value: object) -> str:
    return _check(
        value,
        _FEATURE,
        what="feature_name",
        rule="1 to 128 letters, digits, '-', '_' or '.'",
        code="InvalidFeatureName",
    )
