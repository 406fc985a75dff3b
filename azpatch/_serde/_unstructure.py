"""Unstructure hooks: models to JSON-ready data, omitting what was never set.

A model built by hand can hold what its type hints forbid (mypy is not
everywhere); every value is checked on the way out, so a wrong one is
refused with its field path before it can be sent.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import cattrs

from ..models import WireModel
from ..models._json import JSONValue
from ._structure import is_json_object, is_model, is_open_enum, is_str_dict, is_tuple
from ._wire_names import PROPERTIES, wire_fields
from ._wire_values import format_datetime, format_duration

__all__ = ["Misfit", "register_unstructure_hooks"]


class Misfit(Exception):
    """A model value that cannot be serialized; ``path`` collects field names outermost last."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: list[str | int] = []


def _expect(kind: str, value: object) -> Misfit:
    return Misfit(f"expected {kind}, not {type(value).__name__} {value!r}")


def _unstructure_model_factory(
    cls: type[WireModel], converter: cattrs.Converter
) -> Callable[[WireModel], dict[str, JSONValue]]:
    fields = [
        (
            field.name,
            field.key,
            field.under_properties,
            converter.get_unstructure_hook(field.value_type),
        )
        for field in wire_fields(cls)
    ]
    names = frozenset(name for name, *_ in fields)

    def unstructure(model: WireModel) -> dict[str, JSONValue]:
        if not isinstance(model, cls):
            raise _expect(f"a {cls.__name__}", model)
        nulls = model.explicit_nulls
        if not nulls <= names:
            unknown = ", ".join(sorted(nulls - names))
            raise Misfit(f"explicit_nulls names {unknown}, which is no field")
        out: dict[str, JSONValue] = {}
        properties: dict[str, JSONValue] = {}
        for name, key, nested, hook in fields:
            value = getattr(model, name)
            if value is not None:
                if name in nulls:
                    misfit = Misfit("it is set, so it cannot be sent as null")
                    misfit.path.append(name)
                    raise misfit
                try:
                    value = hook(value)
                except Misfit as misfit:
                    misfit.path.append(name)
                    raise
            elif name not in nulls:
                continue
            (properties if nested else out)[key] = value
        if properties:
            out[PROPERTIES] = properties
        return out

    return unstructure


def _checked(kind: str, accepts: Callable[[object], bool]) -> Callable[[Any], Any]:
    def unstructure(value: object) -> object:
        if accepts(value):
            return value
        raise _expect(kind, value)

    return unstructure


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _unstructure_open_enum(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, str):
        return value
    raise _expect("an enum member or a string", value)


def _unstructure_tuple_factory(
    tp: Any, converter: cattrs.Converter
) -> Callable[[tuple[object, ...]], list[object]]:
    item_hook = converter.get_unstructure_hook(typing.get_args(tp)[0])

    def unstructure(value: object) -> list[object]:
        if not isinstance(value, tuple | list):
            raise _expect("a tuple", value)
        items = []
        for index, item in enumerate(value):
            try:
                items.append(item_hook(item))
            except Misfit as misfit:
                misfit.path.append(index)
                raise
        return items

    return unstructure


def _unstructure_str_dict(value: object) -> dict[str, str]:
    if isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return dict(value)
    raise _expect("a mapping of strings to strings", value)


def _unstructure_json_object(value: object) -> dict[str, JSONValue]:
    if isinstance(value, Mapping):
        return dict(value)
    raise _expect("a mapping", value)


def _unstructure_datetime(value: object) -> str:
    if isinstance(value, datetime):
        return format_datetime(value)
    raise _expect("a datetime", value)


def _unstructure_duration(value: object) -> str:
    if not isinstance(value, timedelta):
        raise _expect("a timedelta", value)
    try:
        return format_duration(value)
    except ValueError as error:
        raise Misfit(str(error)) from None


def register_unstructure_hooks(converter: cattrs.Converter) -> None:
    converter.register_unstructure_hook_factory(is_model, _unstructure_model_factory)
    converter.register_unstructure_hook_factory(is_open_enum, lambda _: _unstructure_open_enum)
    converter.register_unstructure_hook_factory(is_tuple, _unstructure_tuple_factory)
    converter.register_unstructure_hook(str, _checked("a string", lambda v: isinstance(v, str)))
    converter.register_unstructure_hook(bool, _checked("a boolean", lambda v: isinstance(v, bool)))
    converter.register_unstructure_hook(int, _checked("an integer", _is_int))
    converter.register_unstructure_hook(float, _checked("a number", _is_number))
    converter.register_unstructure_hook(datetime, _unstructure_datetime)
    converter.register_unstructure_hook(timedelta, _unstructure_duration)
    converter.register_unstructure_hook_func(is_str_dict, _unstructure_str_dict)
    converter.register_unstructure_hook_func(is_json_object, _unstructure_json_object)
