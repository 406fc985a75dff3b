"""azpatch: a typed SDK for Azure automatic VM guest patching."""

from __future__ import annotations

from ._exceptions import AzpatchError, ResponseValidationError
from ._serde import from_wire, to_wire

__all__ = ["AzpatchError", "ResponseValidationError", "__version__", "from_wire", "to_wire"]


def __getattr__(name: str) -> str:
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415  (costs ms; rarely read)

        return version("azpatch")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
