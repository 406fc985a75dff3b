"""Structure hooks: decoded JSON to models, strictly typed, with the path of any misfit.

Parsing an instance view is on every caller's hot path, so each model gets
one generated straight-line function: an absent key costs a ``dict.get``,
strings, integers, booleans and enum values are checked inline, and other
values go through the converter's hook for their type. A misfit raises
``WireValueError``, which collects its JSON path as it unwinds.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, Union

import cattrs

from ..models import WireModel
from ..models._json import JSONValue
from ._wire_names import PROPERTIES, WireField, wire_fields
from ._wire_values import parse_datetime, parse_duration

__all__ = [
    "WireValueError",
    "is_json_object",
    "is_model",
    "is_open_enum",
    "is_str_dict",
    "is_tuple",
    "register_structure_hooks",
]

_INLINE = {str: "a string", int: "an integer", bool: "a boolean"}
_MISSING = object()
_fromisoformat = datetime.fromisoformat


class WireValueError(Exception):
    """A value did not fit; ``path`` collects keys and indexes innermost first."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: list[str | int] = []


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _wrong_type(expected: str, value: object) -> WireValueError:
    return WireValueError(f"expected {expected}, got {_json_type(value)}")


def _at(step: str | int, error: WireValueError) -> WireValueError:
    error.path.append(step)
    return error


def is_open_enum(tp: Any) -> bool:
    args = typing.get_args(tp)
    return (
        typing.get_origin(tp) in (Union, types.UnionType)
        and len(args) == 2
        and args[1] is str
        and isinstance(args[0], type)
        and issubclass(args[0], enum.Enum)
    )


def _enum_lookup(tp: Any) -> tuple[dict[str, enum.Enum], bool]:
    """The members by wire value, and whether the enum matches in any case."""
    enum_cls: type[enum.Enum] = typing.get_args(tp)[0]
    any_case = getattr(enum_cls._missing_, "__func__", None) is not enum.Enum._missing_.__func__  # type: ignore[attr-defined]
    return {member.value: member for member in enum_cls}, any_case


def _field_lines(
    index: int, field: WireField, converter: cattrs.Converter, namespace: dict[str, Any]
) -> list[str]:
    """The generated lines that read, check and convert one field."""
    source = "p" if field.under_properties else "o"
    located = f"at({field.key!r}, e)"
    if field.under_properties:
        located = f"at({PROPERTIES!r}, {located})"
    lines = [f"    v = {source}.get({field.key!r}, M)"]
    lines += [f"    v = {source}.get({other!r}, M) if v is M else v" for other in field.other_keys]
    lines.append("    if v is not M:")
    tp = field.value_type
    if tp in _INLINE or (is_open_enum(tp) and not _enum_lookup(tp)[1]):
        if tp in _INLINE:
            namespace[f"x{index}"] = tp
            check, converted, expected = f"v.__class__ is x{index}", "v", _INLINE[tp]
        else:
            namespace[f"e{index}"] = _enum_lookup(tp)[0]
            check, converted, expected = "v.__class__ is str", f"e{index}.get(v, v)", "a string"
        return [
            *lines,
            f"        if {check}:",
            f"            kw[{field.name!r}] = {converted}",
            "        elif v is None:",
            f"            nulls += ({field.name!r},)",
            "        else:",
            f"            e = wrong_type({expected!r}, v)",
            f"            raise {located}",
        ]
    namespace[f"h{index}"] = converter.get_structure_hook(tp)
    namespace[f"t{index}"] = tp
    return [
        *lines,
        "        if v is None:",
        f"            nulls += ({field.name!r},)",
        "        else:",
        "            try:",
        f"                kw[{field.name!r}] = h{index}(v, t{index})",
        "            except WireValueError as e:",
        f"                raise {located} from None",
    ]


def _structure_model_factory(
    cls: type[WireModel], converter: cattrs.Converter
) -> Callable[[Any, Any], WireModel]:
    fields = wire_fields(cls)
    namespace: dict[str, Any] = {
        "cls": cls,
        "M": _MISSING,
        "WireValueError": WireValueError,
        "wrong_type": _wrong_type,
        "at": _at,
        "set_attr": object.__setattr__,
    }
    lines = [
        "def structure(o, _):",
        "    if o.__class__ is not dict:",
        "        raise wrong_type('an object', o)",
        "    kw = {}",
        "    nulls = ()",
    ]
    if any(field.under_properties for field in fields):
        lines += [
            f"    p = o.get({PROPERTIES!r})",
            "    if p is None:",
            "        p = {}",
            "    elif p.__class__ is not dict:",
            f"        raise at({PROPERTIES!r}, wrong_type('an object', p))",
        ]
    for index, field in enumerate(fields):
        lines += _field_lines(index, field, converter, namespace)
    lines += [
        "    m = cls(**kw)",
        "    if nulls:",
        "        set_attr(m, 'explicit_nulls', frozenset(nulls))",
        "    return m",
    ]
    exec(compile("\n".join(lines), f"<azpatch structure {cls.__qualname__}>", "exec"), namespace)
    structure: Callable[[Any, Any], WireModel] = namespace["structure"]
    return structure


def _structure_open_enum_factory(tp: Any) -> Callable[[Any, Any], object]:
    members, any_case = _enum_lookup(tp)
    folded = {value.casefold(): member for value, member in members.items()} if any_case else {}

    def structure(value: object, _: object) -> object:
        if value.__class__ is not str:
            raise _wrong_type("a string", value)
        member = members.get(value)
        if member is None and any_case:
            return folded.get(value.casefold(), value)
        return value if member is None else member

    return structure


def _structure_tuple_factory(
    tp: Any, converter: cattrs.Converter
) -> Callable[[Any, Any], tuple[object, ...]]:
    item_type = typing.get_args(tp)[0]
    item_hook = converter.get_structure_hook(item_type)

    def structure(value: object, _: object) -> tuple[object, ...]:
        if value.__class__ is not list:
            raise _wrong_type("an array", value)
        try:
            return tuple([item_hook(item, item_type) for item in value])
        except WireValueError as exc:
            # Walk again to name the index: free on success, cheap on failure.
            for index, item in enumerate(value):
                try:
                    item_hook(item, item_type)
                except WireValueError as located:
                    raise _at(index, located) from None
            raise exc from None

    return structure


def _structure_strict(expected: type) -> Callable[[Any, Any], Any]:
    def structure(value: object, _: object) -> object:
        if value.__class__ is expected:
            return value
        raise _wrong_type(_INLINE[expected], value)

    return structure


def _structure_float(value: object, _: object) -> float:
    if value.__class__ is float or value.__class__ is int:
        return float(value)
    raise _wrong_type("a number", value)


def _structure_datetime(value: object, _: object) -> datetime:
    try:
        parsed = _fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        if value.__class__ is not str:
            raise _wrong_type("an ISO 8601 date-time string", value) from None
        try:
            return parse_datetime(value)
        except (ValueError, OverflowError):
            raise WireValueError("expected an ISO 8601 date-time") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def _structure_duration(value: object, _: object) -> timedelta:
    if value.__class__ is not str:
        raise _wrong_type("an ISO 8601 duration string", value)
    try:
        return parse_duration(value)
    except (ValueError, OverflowError):  # P1000000000D is past timedelta's range
        raise WireValueError("expected an ISO 8601 duration such as PT4H") from None


def _structure_str_dict(value: object, _: object) -> dict[str, str]:
    if value.__class__ is not dict:
        raise _wrong_type("an object", value)
    for key, item in value.items():
        if item.__class__ is not str:
            raise _at(key, _wrong_type("a string", item))
    return dict(value)


def _structure_json_object(value: object, _: object) -> Mapping[str, JSONValue]:
    if value.__class__ is not dict:
        raise _wrong_type("an object", value)
    return value


def is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, WireModel)


def is_tuple(tp: Any) -> bool:
    return typing.get_origin(tp) is tuple


def is_str_dict(tp: Any) -> bool:
    return bool(tp == dict[str, str])


def is_json_object(tp: Any) -> bool:
    """``Mapping[str, JSONValue]``, the only Mapping a model declares."""
    return typing.get_origin(tp) is Mapping


def register_structure_hooks(converter: cattrs.Converter) -> None:
    converter.register_structure_hook_factory(is_model, _structure_model_factory)
    converter.register_structure_hook_factory(is_open_enum, _structure_open_enum_factory)
    converter.register_structure_hook_factory(is_tuple, _structure_tuple_factory)
    for exact in _INLINE:
        converter.register_structure_hook(exact, _structure_strict(exact))
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_structure_hook(timedelta, _structure_duration)
    converter.register_structure_hook_func(is_str_dict, _structure_str_dict)
    converter.register_structure_hook_func(is_json_object, _structure_json_object)
