"""Echoing what clients wrote: a VM GET returns every property a client PUT or PATCHed,
not only the fields the fake models, less what ARM never returns (write-only fields)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["beneath", "written"]

JSON = dict[str, Any]

# Write-only in Microsoft's schema: accepted on PUT, never returned.
_NEVER_RETURNED = {
    ("properties", "osProfile", "adminPassword"),
    ("properties", "osProfile", "customData"),
    ("properties", "userData"),
}


def written(body: Mapping[str, Any], *, onto: JSON | None = None) -> JSON:
    """What a GET echoes of a PUT (``onto`` None) or a PATCH (a JSON merge patch onto what
    was written before), less the write-only fields."""
    merged = _merge_patch(onto or {}, body)
    for path in _NEVER_RETURNED:
        parent: Any = merged
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    return merged


def _merge_patch(target: JSON, patch: Mapping[str, Any]) -> JSON:
    result = dict(target)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(result.get(key), dict):
            result[key] = _merge_patch(result[key], value)
        elif isinstance(value, Mapping):
            result[key] = _merge_patch({}, value)
        else:
            result[key] = value
    return result


def beneath(echoed: Mapping[str, Any], modeled: JSON) -> JSON:
    """``modeled`` with the fields of ``echoed`` it lacks: what the fake models wins."""
    result = dict(echoed)
    for key, value in modeled.items():
        below = result.get(key)
        result[key] = (
            beneath(below, value)
            if isinstance(below, Mapping) and isinstance(value, dict)
            else value
        )
    return result
