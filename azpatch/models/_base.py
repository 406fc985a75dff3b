"""The base every wire model shares: frozen, keyword-only, and null-aware."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import attrs

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: object) -> object:
        return lambda decorator: decorator


__all__ = ["WireModel", "wire_model"]

C = TypeVar("C", bound=type)


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(attrs.field,))
def wire_model(cls: C) -> C:
    """Make ``cls`` a frozen, keyword-only attrs class that uses ``WireModel``'s repr.

    One repr for every model instead of one generated per class: it shows
    only the fields that are set, and it keeps ``import azpatch`` fast.
    """
    return attrs.frozen(kw_only=True, repr=False)(cls)


@wire_model
class WireModel:
    """A JSON object of the ARM wire format, as a frozen attrs class.

    Fields left at ``None`` are omitted when serialized. ``explicit_nulls``
    names the fields that are sent as JSON ``null`` instead (a PATCH clears a
    value that way); parsing records the keys that arrived as ``null``, so a
    body round-trips unchanged. It takes no part in equality.
    """

    if TYPE_CHECKING:  # what attrs adds, so that attrs.fields() accepts a model class
        __attrs_attrs__: ClassVar[tuple[attrs.Attribute[Any], ...]]

    explicit_nulls: frozenset[str] = attrs.field(
        default=frozenset(), eq=False, repr=False, kw_only=True
    )

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{field.name}={value!r}"
            for field in attrs.fields(type(self))
            if field.repr and (value := getattr(self, field.name)) is not None
        )
        return f"{type(self).__name__}({shown})"
