"""Properties of the converter over every model: round trips and total error handling."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azpatch import ResponseValidationError, from_wire, to_wire
from azpatch import models as m
from tests.strategies import MODEL_CLASSES, json_values, models


def _paths(value: Any, path: str = "$") -> list[tuple[str, list[str | int]]]:
    found: list[tuple[str, list[str | int]]] = [(path, [])]
    if isinstance(value, dict):
        items: list[tuple[str | int, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        items = []
    for step, child in items:
        text = f"[{step}]" if isinstance(step, int) else f".{step}"
        found += [(path + text + sub, [step, *steps]) for sub, steps in _paths(child, "")]
    return found


def _replace(value: Any, steps: list[str | int], new: Any) -> Any:
    if not steps:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[steps[0]] = _replace(value[steps[0]], steps[1:], new)  # type: ignore[call-overload,index]
    return copy


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_generated_models_round_trip_through_json(
    cls: type[m.WireModel], data: st.DataObject
) -> None:
    model = data.draw(models(cls))
    wire = json.loads(json.dumps(to_wire(model)))
    parsed = from_wire(cls, wire)
    assert parsed == model
    assert parsed.explicit_nulls == model.explicit_nulls


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: cls.__name__)
@given(body=json_values)
def test_arbitrary_json_parses_or_raises_validation_error(
    cls: type[m.WireModel], body: Any
) -> None:
    try:
        parsed = from_wire(cls, body)
    except ResponseValidationError as error:
        assert error.path.startswith("$")
    else:
        assert isinstance(parsed, cls)


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_a_corrupted_value_is_reported_at_its_path(
    cls: type[m.WireModel], data: st.DataObject
) -> None:
    wire = json.loads(json.dumps(to_wire(data.draw(models(cls)))))
    path, steps = data.draw(st.sampled_from(_paths(wire)))
    corrupted = _replace(wire, steps, data.draw(json_values))
    try:
        parsed = from_wire(cls, corrupted)
    except ResponseValidationError as error:
        assert error.path.startswith(path), (error.path, path)
    else:
        assert isinstance(parsed, cls)
