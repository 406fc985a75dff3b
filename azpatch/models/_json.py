"""The type of a JSON document, for the few fields that stay untyped."""

from __future__ import annotations

from typing import TypeAlias

__all__ = ["JSONValue"]

JSONValue: TypeAlias = str | int | float | bool | list["JSONValue"] | dict[str, "JSONValue"] | None
