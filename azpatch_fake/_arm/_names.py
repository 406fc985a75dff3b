"""What ARM refuses in names and tags before a resource is created.

The limits are Microsoft's naming rules for Microsoft.Compute/virtualMachines
and resource groups, and ARM's tag limits (50 pairs, names of 512 characters,
values of 256). The messages are synthetic: they say the rule, as ARM's do.
"""

from __future__ import annotations

import re
import unicodedata

from .._world._errors import ArmError

__all__ = ["check_group_name", "check_tags", "check_vm_name"]

_VM_FORBIDDEN = re.compile(r"[\s~!@#$%^&*()=+\[\]{}\\|;:.'\",<>/?]")
_GROUP = re.compile(r"[-\w._()]+")
# .NET's Char.IsLetterOrDigit, which ARM applies: not Python's other numbers ('²') or marks.
_GROUP_LETTERS = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nd"})
MAX_TAGS = 50


def check_vm_name(name: str) -> None:
    if (
        not 1 <= len(name) <= 64
        or name.startswith("_")
        or name.endswith((".", "-"))
        or _VM_FORBIDDEN.search(name.rstrip("."))
    ):
        raise ArmError(  # synthetic
            400,
            "InvalidResourceName",
            f"Resource name {name!r} is invalid. A VM name is 1 to 64 characters, does not"
            " start with '_' or end with '.' or '-', and has no spaces or any of"
            " ~!@#$%^&*()=+[]{}\\|;:.'\",<>/?",
        )


def check_group_name(name: str) -> None:
    if (
        not 1 <= len(name) <= 90
        or name.endswith(".")
        or not _GROUP.fullmatch(name)
        or any(not c.isascii() and unicodedata.category(c) not in _GROUP_LETTERS for c in name)
    ):
        raise ArmError(  # synthetic
            400,
            "InvalidResourceGroupName",
            "Resource group names only allow up to 90 characters and can only include"
            " alphanumeric, underscore, parentheses, hyphen, period (except at end), and"
            " Unicode characters that match the allowed characters.",
        )


def check_tags(tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise ArmError(  # synthetic
            400, "InvalidTag", f"A resource can have at most {MAX_TAGS} tags.", "tags"
        )
    for name, value in tags.items():
        if not 1 <= len(name) <= 512 or len(value) > 256 or any(c in name for c in "<>%&\\?/"):
            raise ArmError(  # synthetic
                400,
                "InvalidTagNameCharacters" if len(name) <= 512 else "InvalidTag",
                f"The tag {name[:64]!r} is invalid: names are 1 to 512 characters without"
                " <>%&\\?/, values at most 256.",
                "tags",
            )
