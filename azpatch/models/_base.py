"""The base every wire model shares: frozen, keyword-only, and null-aware."""

from __future__ import annotations

import attrs

__all__ = ["WireModel"]


@attrs.frozen(kw_only=True)
class WireModel:
    """A JSON object of the ARM wire format, as a frozen attrs class.

    Fields left at ``None`` are omitted when serialized. ``explicit_nulls``
    names the fields that are sent as JSON ``null`` instead (a PATCH clears a
    value that way); parsing records the keys that arrived as ``null``, so a
    body round-trips unchanged. It takes no part in equality.
    """

    explicit_nulls: frozenset[str] = attrs.field(
        default=frozenset(), eq=False, repr=False, kw_only=True
    )
