"""The long-running-operation state machine, fed responses by hand."""

from __future__ import annotations

from typing import Any

import attrs
import httpx
import pytest

from azpatch import OperationFailedError, PollingPolicy, UntrustedURLError
from azpatch._core._lro import Final, LroState, advance, polling_url, start

BASE = httpx.URL("https://management.azure.com")
ACTION = "https://management.azure.com/subscriptions/s/vm/assessPatches"
STATUS = "https://management.azure.com/operations/1"
RESULT = "https://management.azure.com/operations/1?monitor=true"
POLICY = PollingPolicy(jitter=0)


def _response(
    status: int,
    *,
    json: Any = None,
    headers: dict[str, str] | None = None,
    url: str = ACTION,
    method: str = "POST",
) -> httpx.Response:
    return httpx.Response(status, json=json, headers=headers, request=httpx.Request(method, url))


def _start(response: httpx.Response) -> tuple[LroState, Final | None]:
    return start("assess_patches", response, policy=POLICY, base_url=BASE)


def test_azure_async_operation_is_preferred_then_location_for_the_result() -> None:
    state, final = _start(
        _response(202, headers={"Azure-AsyncOperation": STATUS, "Location": RESULT})
    )
    assert final is None
    assert polling_url(state) == STATUS
    state, final = advance(
        state,
        _response(200, json={"status": "InProgress"}, url=STATUS, method="GET"),
        policy=POLICY,
    )
    assert (state.status, state.polls, final) == ("InProgress", 1, None)
    state, final = advance(
        state, _response(200, json={"status": "succeeded"}, url=STATUS, method="GET"), policy=POLICY
    )
    assert final is None
    assert state.delay == 0.0
    assert polling_url(state) == RESULT
    state, final = advance(
        state, _response(200, json={"status": "Failed"}, url=RESULT, method="GET"), policy=POLICY
    )
    assert final == Final({"status": "Failed"})


def test_without_location_the_result_is_the_status_output() -> None:
    state, _ = _start(_response(202, headers={"Azure-AsyncOperation": STATUS}))
    body = {"status": "Succeeded", "properties": {"output": {"otherPatchCount": 3}}}
    _, final = advance(state, _response(200, json=body, url=STATUS, method="GET"), policy=POLICY)
    assert final == Final({"otherPatchCount": 3})


@pytest.mark.parametrize("status", ["Failed", "failed", "Canceled", "CANCELED"])
def test_failed_and_canceled_raise_with_the_arm_error(status: str) -> None:
    state, _ = _start(_response(202, headers={"Azure-AsyncOperation": STATUS}))
    body = {"status": status, "error": {"code": "PatchInstallationFailed", "message": "no"}}
    with pytest.raises(OperationFailedError) as caught:
        advance(state, _response(200, json=body, url=STATUS, method="GET"), policy=POLICY)
    assert caught.value.status == status
    assert caught.value.code == "PatchInstallationFailed"


def test_location_polling() -> None:
    state, _ = _start(_response(202, headers={"Location": RESULT}))
    state, final = advance(state, _response(202, url=RESULT, method="GET"), policy=POLICY)
    assert final is None
    _, final = advance(
        state, _response(200, json={"a": 1}, url=RESULT, method="GET"), policy=POLICY
    )
    assert final == Final({"a": 1})


def test_body_provisioning_state_polls_the_resource() -> None:
    vm = "https://management.azure.com/subscriptions/s/vm"
    state, final = _start(
        _response(
            200, json={"properties": {"provisioningState": "Updating"}}, url=vm, method="PATCH"
        )
    )
    assert final is None
    assert polling_url(state) == vm
    done = {"properties": {"provisioningState": "Succeeded"}}
    _, final = advance(state, _response(200, json=done, url=vm, method="GET"), policy=POLICY)
    assert final == Final(done)


def test_a_200_without_headers_is_the_result_at_once() -> None:
    state, final = _start(_response(200, json={"status": "Succeeded"}))
    assert final == Final({"status": "Succeeded"})
    assert state.status == "Succeeded"


@pytest.mark.parametrize(
    ("headers", "delay"),
    [
        ({}, 30.0),
        ({"Retry-After": "10"}, 10.0),
        ({"Retry-After": "0"}, 1.0),
        ({"Retry-After": "3600"}, 1800.0),
    ],
)
def test_the_wait_between_polls_is_retry_after_clamped(
    headers: dict[str, str], delay: float
) -> None:
    state, _ = _start(_response(202, headers={"Location": RESULT, **headers}))
    assert state.delay == delay


def test_relative_and_foreign_urls() -> None:
    state, _ = _start(_response(202, headers={"Location": "/operations/2"}))
    assert polling_url(state) == "https://management.azure.com/operations/2"
    with pytest.raises(UntrustedURLError):
        _start(_response(202, headers={"Location": "https://evil.example/operations/2"}))
    with pytest.raises(UntrustedURLError):
        _start(_response(202, headers={"Location": "http://management.azure.com/operations/2"}))


def test_a_foreign_port_is_named_and_a_malformed_url_is_untrusted() -> None:
    with pytest.raises(
        UntrustedURLError, match=r"management\.azure\.com:444, not to https://manag"
    ):
        _start(_response(202, headers={"Location": "https://management.azure.com:444/op"}))
    with pytest.raises(UntrustedURLError, match="not a URL"):
        _start(_response(202, headers={"Azure-AsyncOperation": "/operations/\t2"}))


def test_a_state_round_trips_through_attrs() -> None:
    state, _ = _start(_response(202, headers={"Location": RESULT}))
    assert LroState(**attrs.asdict(state)) == state
