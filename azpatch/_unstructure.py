"""Unstructure hooks: models to JSON-ready data, omitting what was never set."""

from __future__ import annotations

import enum
import typing
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import cattrs

from ._structure import is_json_object, is_model, is_open_enum, is_str_dict, is_tuple
from ._wire_names import PROPERTIES, wire_fields
from ._wire_values import format_datetime, format_duration
from .models import WireModel
from .models._json import JSONValue

__all__ = ["register_unstructure_hooks"]


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
        nulls = model.explicit_nulls
        if not nulls <= names:
            unknown = ", ".join(sorted(nulls - names))
            raise ValueError(f"{cls.__name__} has no field {unknown} to send as null")
        out: dict[str, JSONValue] = {}
        properties: dict[str, JSONValue] = {}
        for name, key, nested, hook in fields:
            value = getattr(model, name)
            if value is not None:
                if name in nulls:
                    raise ValueError(f"{cls.__name__}.{name} is set, so it cannot be sent as null")
                value = hook(value)
            elif name not in nulls:
                continue
            (properties if nested else out)[key] = value
        if properties:
            out[PROPERTIES] = properties
        return out

    return unstructure


def _unstructure_tuple_factory(
    tp: Any, converter: cattrs.Converter
) -> Callable[[tuple[object, ...]], list[object]]:
    item_hook = converter.get_unstructure_hook(typing.get_args(tp)[0])
    return lambda value: [item_hook(item) for item in value]


def _unstructure_open_enum(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


def register_unstructure_hooks(converter: cattrs.Converter) -> None:
    converter.register_unstructure_hook_factory(is_model, _unstructure_model_factory)
    converter.register_unstructure_hook_factory(is_open_enum, lambda _: _unstructure_open_enum)
    converter.register_unstructure_hook_factory(is_tuple, _unstructure_tuple_factory)
    converter.register_unstructure_hook(datetime, format_datetime)
    converter.register_unstructure_hook(timedelta, format_duration)
    converter.register_unstructure_hook_func(is_str_dict, dict)
    converter.register_unstructure_hook_func(is_json_object, dict)
