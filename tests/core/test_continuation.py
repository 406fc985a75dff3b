"""Continuation tokens: versioned JSON, round-tripping, refusing anything else."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azpatch import InvalidArgumentError
from azpatch._core._continuation import decode, encode
from azpatch._core._lro import LroState

STATE = LroState(
    operation="install_patches",
    status="InProgress",
    delay=30.0,
    polls=4,
    async_operation_url="https://management.azure.com/operations/1",
    location_url="https://management.azure.com/operations/1?monitor=true",
)


def _token(document: object) -> str:
    return "azpatch-lro:" + base64.urlsafe_b64encode(json.dumps(document).encode()).decode()


def test_round_trip() -> None:
    assert decode(encode(STATE), operation="install_patches") == STATE


def test_the_token_is_plain_versioned_json() -> None:
    payload = encode(STATE).removeprefix("azpatch-lro:")
    document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert document["v"] == 1
    assert set(document) == {
        "v",
        "operation",
        "status",
        "delay",
        "polls",
        "async_operation_url",
        "location_url",
        "resource_url",
    }


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (42, "does not start"),
        ("gASVKAAAAAAAAAB9lC4=", "does not start"),
        ("azpatch-lro:%%%", "not base64 of JSON"),
        (_token([1]), "version"),
        (_token({"v": 2}), "version"),
        (_token({"v": 1, "operation": "assess_patches"}), "belongs to 'assess_patches'"),
        (_token({"v": 1, "operation": "install_patches", "status": "x"}), "fields"),
    ],
)
def test_anything_else_is_refused(token: object, reason: str) -> None:
    with pytest.raises(InvalidArgumentError, match=reason) as caught:
        decode(token, operation="install_patches")
    assert caught.value.code == "InvalidContinuationToken"


def test_wrong_types_and_finished_operations_are_refused() -> None:
    finished = {
        "v": 1,
        "operation": "install_patches",
        "status": "Succeeded",
        "delay": 1.0,
        "polls": 0,
        "async_operation_url": None,
        "location_url": None,
        "resource_url": None,
    }
    with pytest.raises(InvalidArgumentError, match="nothing to wait for"):
        decode(_token(finished), operation="install_patches")
    wrong = {**finished, "location_url": "https://management.azure.com/x", "polls": "many"}
    with pytest.raises(InvalidArgumentError, match="wrong type"):
        decode(_token(wrong), operation="install_patches")


@given(st.text())
def test_arbitrary_text_is_refused_cleanly(text: str) -> None:
    with pytest.raises(InvalidArgumentError):
        decode(text, operation="install_patches")
