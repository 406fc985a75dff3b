"""Whatever a server sends, the client's response path ends in a model or a
``ResponseValidationError``: never a built-in exception.

Microsoft's examples are mutated at one node (deep nesting, huge numbers, NaN,
odd date-times and durations, wrong shapes), and raw bytes are fed too.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st

from azpatch import ResponseValidationError
from azpatch import models as m
from azpatch._core._responses import parse, raise_for_status
from azpatch._exceptions import APIStatusError

from ..wire.examples import bodies, example_files

BODIES = [(model, body) for path in example_files() for _, model, body in bodies(path)]
DEEP = "__deeply_nested__"
HOSTILE = st.one_of(
    st.sampled_from(
        [
            DEEP,
            10**400,
            -(10**400),
            float("nan"),
            float("inf"),
            1e308,
            "P1000000000D",
            "PT99999999999999999999H",
            "-P1D",
            "P",
            "9999-12-31T23:59:60Z",
            "0000-00-00T00:00:00Z",
            "+275760-09-13T00:00:00Z",
            "2024-02-30T00:00:00Z",
            "\x00",
            "",
            None,
            True,
            [],
            {},
        ]
    ),
    st.text(max_size=20),
    st.integers(),
    st.floats(),
)


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _nodes(item, (*path, index))
    return found


def _replaced(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = body.copy()
    copy[path[0]] = _replaced(body[path[0]], path[1:], value)
    return copy


def _answer(status: int, content: bytes) -> httpx.Response:
    request = httpx.Request("GET", "https://management.azure.com/subscriptions/x")
    return httpx.Response(status, content=content, request=request)


def _read(model: type[m.WireModel], response: httpx.Response) -> None:
    """What the client does with an answer: raise for its status, or parse it."""
    try:
        raise_for_status(response)
        parse(response, model)
    except (ResponseValidationError, APIStatusError):
        pass


@given(
    which=st.integers(0, len(BODIES) - 1),
    where=st.integers(0),
    value=HOSTILE,
    depth=st.integers(500, 5000),
    status=st.sampled_from([200, 201, 400, 404, 409, 429, 500]),
)
def test_a_mutated_example_is_parsed_or_refused(
    which: int, where: int, value: Any, depth: int, status: int
) -> None:
    model, body = BODIES[which]
    nodes = _nodes(body)
    mutated = _replaced(body, nodes[where % len(nodes)], value)
    text = json.dumps(mutated).replace(json.dumps(DEEP), "[" * depth + "]" * depth)
    _read(model, _answer(status, text.encode()))


@given(which=st.integers(0, len(BODIES) - 1), content=st.binary(max_size=200))
def test_raw_bytes_are_parsed_or_refused(which: int, content: bytes) -> None:
    _read(BODIES[which][0], _answer(200, content))


def test_a_body_nested_a_thousand_deep_is_refused_by_name() -> None:
    deep = b'{"statuses": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    try:
        parse(_answer(200, deep), m.VirtualMachineInstanceView)
    except ResponseValidationError as error:
        assert "nested too deeply" in str(error) or "statuses" in str(error)
    else:
        raise AssertionError("a thousand-deep body was taken as an instance view")


def test_a_duration_past_timedeltas_range_is_refused_by_name() -> None:
    from azpatch import from_wire

    body = {"maximumDuration": "P1000000000D", "rebootSetting": "Never"}
    try:
        from_wire(m.VirtualMachineInstallPatchesParameters, body)
    except ResponseValidationError as error:
        assert error.path == "$.maximumDuration"
    else:
        raise AssertionError("P1000000000D was taken as a duration")
