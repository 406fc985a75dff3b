"""Arguments that become URL path segments, checked before they can reach the wire.

A name with a slash, a ``..`` or a ``?`` would address another resource than
the caller meant, so every segment is checked against what Azure allows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import attrs

from .._exceptions import InvalidArgumentError

__all__ = [
    "check_feature_name",
    "check_namespace",
    "check_resource_group",
    "check_subscription_id",
    "check_vm_name",
]


@attrs.frozen
class _Segment:
    """A kind of URL path segment: what it must look like, and the code for a misfit."""

    what: str
    pattern: re.Pattern[str]
    rule: str
    code: str
    each_char: Callable[[str], bool] = lambda _: True

    def check(self, value: object) -> str:
        if (
            not isinstance(value, str)
            or self.pattern.fullmatch(value) is None
            or not all(map(self.each_char, value))
        ):
            raise InvalidArgumentError(
                f"{self.what} {value!r} is not valid: {self.rule}", code=self.code, target=self.what
            )
        return value


check_subscription_id = _Segment(
    "subscription_id",
    re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"),
    "it must be a GUID such as 00000000-0000-0000-0000-000000000000",
    "InvalidSubscriptionId",
).check
# ARM's letters and digits are .NET's Char.IsLetterOrDigit: Python's \w also takes other
# numbers (such as '²') and combining marks, which ARM refuses.
_LETTER_OR_DIGIT = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nd"})


def _group_char(char: str) -> bool:
    return char.isascii() or unicodedata.category(char) in _LETTER_OR_DIGIT


check_resource_group = _Segment(
    "resource_group",
    re.compile(r"[-\w.()]{0,89}[-\w()]"),
    "1 to 90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'",
    "InvalidResourceGroupName",
    _group_char,
).check
check_vm_name = _Segment(
    "vm_name",
    re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9_])?"),
    "1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit"
    " and ending with a letter, digit or '_'",
    "InvalidResourceName",
).check
check_namespace = _Segment(
    "namespace",
    re.compile(r"[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)+"),
    "a resource provider namespace such as Microsoft.Compute",
    "InvalidResourceNamespace",
).check
check_feature_name = _Segment(
    "feature_name",
    re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}"),
    "1 to 128 letters, digits, '-', '_' or '.'",
    "InvalidFeatureName",
).check
