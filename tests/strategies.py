"""Hypothesis strategies for models and JSON, built from the models' type hints."""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
from hypothesis import strategies as st

from azpatch import models as m

MODEL_CLASSES: list[type[m.WireModel]] = sorted(
    (
        obj
        for obj in vars(m).values()
        if isinstance(obj, type) and issubclass(obj, m.WireModel) and obj is not m.WireModel
    ),
    key=lambda cls: cls.__name__,
)

json_values: st.SearchStrategy[m.JSONValue] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

_OFFSETS = st.sampled_from(
    [timezone.utc, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
)


def _text_not_naming_a_member(enum_cls: type[enum.Enum]) -> st.SearchStrategy[str]:
    folded = {member.value.casefold() for member in enum_cls}
    return st.text(max_size=12).filter(lambda text: text.casefold() not in folded)


def for_type(tp: Any) -> st.SearchStrategy[Any]:
    """Values of a field type, ``None`` excluded."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        choices = [arg for arg in args if arg is not type(None)]
        if len(choices) == 2 and choices[1] is str and issubclass(choices[0], enum.Enum):
            return st.sampled_from(choices[0]) | _text_not_naming_a_member(choices[0])
        assert len(choices) == 1, tp
        return for_type(choices[0])
    if origin is tuple:
        return st.lists(for_type(args[0]), max_size=3).map(tuple)
    if tp == dict[str, str]:
        return st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3)
    if typing.get_origin(tp) is Mapping:
        return st.dictionaries(st.text(max_size=8), json_values, max_size=3)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: st.text(max_size=16),
        bool: st.booleans(),
        int: st.integers(min_value=-(2**31), max_value=2**31 - 1),
        float: st.floats(allow_nan=False, allow_infinity=False),
        datetime: st.datetimes(timezones=_OFFSETS),
        timedelta: st.timedeltas(min_value=timedelta(0)),
    }
    if tp in simple:
        return simple[tp]
    assert isinstance(tp, type), tp
    assert issubclass(tp, m.WireModel), tp
    return models(tp)


@st.composite
def _with_explicit_nulls(draw: st.DrawFn, model: m.WireModel) -> m.WireModel:
    unset = sorted(f.name for f in attrs.fields(type(model)) if getattr(model, f.name) is None)
    unset.remove("explicit_nulls") if "explicit_nulls" in unset else None
    nulls = draw(st.sets(st.sampled_from(unset))) if unset else set()
    return attrs.evolve(model, explicit_nulls=frozenset(nulls))


def models(cls: type[m.WireModel]) -> st.SearchStrategy[m.WireModel]:
    """Instances of ``cls`` with any subset of fields set, and some unset ones sent as null."""
    hints = typing.get_type_hints(cls)
    fields = {
        f.name: st.none() | st.deferred(lambda tp=hints[f.name]: for_type(tp))
        for f in attrs.fields(cls)
        if f.name != "explicit_nulls"
    }
    return st.builds(cls, **fields).flatmap(_with_explicit_nulls)
