"""The fault matrix, on both clients: each case ends in success or the right typed error.

No case hangs (the clock is manual and every wait is recorded), and the
bearer token never shows up in an error, a log line or a continuation token.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
import respx

import azpatch
from azpatch import models as m
from tests.client.conftest import (
    OPERATION_URL,
    SUB,
    TOKEN_PREFIX,
    VM_URL,
    AsyncIssuingCredential,
    IssuingCredential,
    collect,
    maybe,
)
from tests.clock import ManualClock

pytestmark = pytest.mark.anyio

INSTANCE_VIEW = f"{VM_URL}/instanceView"
PARAMETERS = m.VirtualMachineInstallPatchesParameters(
    maximum_duration=timedelta(hours=2), reboot_setting=m.VMGuestPatchRebootSetting.NEVER
)


def _assert_no_token(*texts: object) -> None:
    for text in texts:
        assert TOKEN_PREFIX not in str(text)
        assert TOKEN_PREFIX not in repr(text)


@pytest.fixture(autouse=True)
def _logs_never_hold_the_token(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.DEBUG, logger="azpatch")
    yield
    _assert_no_token(caplog.text)


def _http_date(clock: ManualClock, seconds: float) -> str:
    when = datetime.fromtimestamp(clock.time() + seconds, tz=timezone.utc)
    return format_datetime(when, usegmt=True)


@pytest.mark.parametrize(
    "retry_after",
    [
        {"Retry-After": "7"},
        {"retry-after-ms": "7000"},
        {"x-ms-retry-after-ms": "7000"},
        "http-date",
    ],
)
async def test_429_waits_what_arm_asked(
    client: Any, respx_mock: respx.MockRouter, clock: ManualClock, retry_after: Any
) -> None:
    headers = {"Retry-After": _http_date(clock, 7)} if retry_after == "http-date" else retry_after
    route = respx_mock.get(INSTANCE_VIEW).mock(
        side_effect=[httpx.Response(429, headers=headers), httpx.Response(200, json={})]
    )
    await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
    assert route.call_count == 2
    assert clock.slept == [7.0]


async def test_a_retry_after_beyond_the_cap_raises_at_once(
    client: Any, respx_mock: respx.MockRouter, clock: ManualClock
) -> None:
    body = {"error": {"code": "TooManyRequests", "message": "slow down"}}
    route = respx_mock.get(INSTANCE_VIEW).respond(429, json=body, headers={"Retry-After": "2700"})
    with pytest.raises(azpatch.ThrottledError) as caught:
        await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
    assert caught.value.retry_after == 2700.0
    assert caught.value.code == "TooManyRequests"
    assert route.call_count == 1
    assert clock.slept == []
    _assert_no_token(caught.value)


async def test_throttling_that_never_ends_raises_after_the_last_attempt(
    make_client: Callable[..., Any], respx_mock: respx.MockRouter, clock: ManualClock
) -> None:
    client = make_client(retry=azpatch.RetryPolicy(max_attempts=3, jitter=0))
    route = respx_mock.get(INSTANCE_VIEW).respond(
        429, headers={"Retry-After": "1", "x-ms-request-id": "req-9"}
    )
    with pytest.raises(azpatch.ThrottledError) as caught:
        await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
    assert route.call_count == 3
    assert clock.slept == [1.0, 1.0]
    assert caught.value.request_id == "req-9"
    assert "request_id=req-9" in str(caught.value)


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
async def test_server_errors_on_reads_are_retried_with_backoff(
    client: Any, respx_mock: respx.MockRouter, clock: ManualClock, status: int
) -> None:
    route = respx_mock.get(INSTANCE_VIEW).mock(
        side_effect=[httpx.Response(status), httpx.Response(status), httpx.Response(200, json={})]
    )
    await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
    assert route.call_count == 3
    assert clock.slept == [0.8, 1.6]


async def test_the_retry_deadline_bounds_all_attempts(
    make_client: Callable[..., Any], respx_mock: respx.MockRouter, clock: ManualClock
) -> None:
    client = make_client(retry=azpatch.RetryPolicy(max_attempts=100, deadline=10, jitter=0))
    respx_mock.get(INSTANCE_VIEW).respond(503)
    with pytest.raises(azpatch.ServerError):
        await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
    assert sum(clock.slept) <= 10
    assert clock.slept == [0.8, 1.6, 3.2]


async def test_install_patches_is_not_resent_after_a_server_error(
    client: Any, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(f"{VM_URL}/installPatches").respond(
        500, json={"error": {"code": "InternalServerError", "message": "oops"}}
    )
    with pytest.raises(azpatch.ServerError) as caught:
        await maybe(client.virtual_machines.begin_install_patches("rg", "vm1", PARAMETERS))
    assert route.call_count == 1
    assert caught.value.status_code == 500
    assert str(caught.value).startswith("(InternalServerError) oops [status=500")


async def test_install_patches_is_resent_after_503(
    client: Any, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(f"{VM_URL}/installPatches").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"status": "Succeeded"})]
    )
    result = await maybe(client.virtual_machines.install_patches("rg", "vm1", PARAMETERS))
    assert result.succeeded
    assert route.call_count == 2


@pytest.mark.parametrize(
    "error", [httpx.ReadError("connection reset"), httpx.RemoteProtocolError("garbled")]
)
async def test_a_reset_read_is_retried(
    client: Any, respx_mock: respx.MockRouter, error: Exception
) -> None:
    route = respx_mock.get(INSTANCE_VIEW).mock(side_effect=[error, httpx.Response(200, json={})])
    await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
    assert route.call_count == 2


@pytest.mark.parametrize("status", [301, 302, 307])
async def test_a_redirect_is_neither_followed_nor_a_result(
    client: Any, respx_mock: respx.MockRouter, status: int
) -> None:
    elsewhere = respx_mock.get("https://elsewhere.example/vm1").mock(
        return_value=httpx.Response(200, json={})
    )
    moved = httpx.Response(
        status, json={}, headers={"Location": "https://elsewhere.example/vm1?sig=secret"}
    )
    route = respx_mock.get(INSTANCE_VIEW).mock(return_value=moved)
    assess = respx_mock.post(f"{VM_URL}/assessPatches").mock(return_value=moved)
    with pytest.raises(azpatch.RedirectError) as caught:
        await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
    with pytest.raises(azpatch.RedirectError):
        await maybe(client.virtual_machines.assess_patches("rg", "vm1"))
    assert (route.call_count, assess.call_count, elsewhere.call_count) == (1, 1, 0)
    error = caught.value
    assert error.status_code == status
    assert error.location == "https://elsewhere.example/vm1?sig=REDACTED"
    assert f"a {status} redirect to https://elsewhere.example/vm1" in str(error)


async def test_a_reset_install_is_not_resent(client: Any, respx_mock: respx.MockRouter) -> None:
    route = respx_mock.post(f"{VM_URL}/installPatches").mock(
        side_effect=httpx.ReadError("connection reset")
    )
    with pytest.raises(azpatch.TransportError) as caught:
        await maybe(client.virtual_machines.begin_install_patches("rg", "vm1", PARAMETERS))
    assert route.call_count == 1
    assert caught.value.may_have_reached_server
    assert caught.value.__cause__ is None  # the httpx error held the signed request
    _assert_no_token(caught.value)


async def test_an_install_that_could_not_connect_is_resent(
    client: Any, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(f"{VM_URL}/installPatches").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json={})]
    )
    await maybe(client.virtual_machines.install_patches("rg", "vm1", PARAMETERS))
    assert route.call_count == 2


async def test_read_timeouts_end_in_request_timeout_error(
    client: Any, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.get(INSTANCE_VIEW).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(azpatch.RequestTimeoutError):
        await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
    assert route.call_count == 5


@pytest.mark.parametrize("body", [b"{not json", b'{"platformUpdateDomain": 1, "osNa', b""])
async def test_malformed_and_truncated_json(
    client: Any, respx_mock: respx.MockRouter, body: bytes
) -> None:
    respx_mock.get(INSTANCE_VIEW).respond(200, content=body)
    with pytest.raises(azpatch.ResponseValidationError) as caught:
        await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
    assert caught.value.path == "$"


async def test_an_error_status_with_a_garbled_body_still_raises_by_status(
    client: Any, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(INSTANCE_VIEW).respond(404, content=b"<html>not found</html>")
    with pytest.raises(azpatch.NotFoundError) as caught:
        await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
    assert caught.value.code is None


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, azpatch.BadRequestError),
        (401, azpatch.AuthenticationError),
        (403, azpatch.PermissionDeniedError),
        (404, azpatch.NotFoundError),
        (409, azpatch.ConflictError),
        (412, azpatch.PreconditionFailedError),
        (418, azpatch.APIStatusError),
    ],
)
async def test_each_status_has_its_error_class(
    client: Any, respx_mock: respx.MockRouter, status: int, cls: type[Exception]
) -> None:
    body = {
        "error": {
            "code": "PropertyChangeNotAllowed",
            "message": "Changing property 'x' is not allowed.",
            "target": "x",
            "details": [{"code": "Inner", "message": "more"}],
        }
    }
    respx_mock.get(INSTANCE_VIEW).respond(status, json=body, headers={"x-ms-request-id": "r1"})
    with pytest.raises(cls) as caught:
        await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
    error = caught.value
    assert type(error) is cls
    assert isinstance(error, azpatch.APIStatusError)
    assert (error.code, error.target, error.request_id) == ("PropertyChangeNotAllowed", "x", "r1")
    assert error.details[0].code == "Inner"
    assert str(error) == (
        f"(PropertyChangeNotAllowed) Changing property 'x' is not allowed. [status={status}"
        " request_id=r1]"
    )


def _accepted(status_url: str = OPERATION_URL, retry_after: str = "60") -> httpx.Response:
    return httpx.Response(
        202, headers={"Azure-AsyncOperation": status_url, "Retry-After": retry_after}
    )


async def test_an_operation_that_never_finishes_hits_the_polling_deadline(
    make_client: Callable[..., Any], respx_mock: respx.MockRouter, clock: ManualClock
) -> None:
    client = make_client(polling=azpatch.PollingPolicy(deadline=600))
    respx_mock.post(f"{VM_URL}/assessPatches").mock(return_value=_accepted())
    status = respx_mock.get(OPERATION_URL).respond(
        json={"status": "InProgress"}, headers={"Retry-After": "60"}
    )
    with pytest.raises(azpatch.PollingTimeoutError) as caught:
        await maybe(client.virtual_machines.assess_patches("rg", "vm1"))
    assert sum(clock.slept) <= 600
    assert status.call_count == 10
    assert caught.value.last_status == "InProgress"
    token = caught.value.continuation_token
    assert token is not None
    _assert_no_token(caught.value, base64.urlsafe_b64decode(token.split(":")[1] + "=="))

    status.respond(json={"status": "Succeeded", "properties": {"output": {"status": "Succeeded"}}})
    resumed = await maybe(
        client.virtual_machines.begin_assess_patches("rg", "vm1", continuation_token=token)
    )
    assert (await maybe(resumed.result())).succeeded


async def test_result_timeout_leaves_the_poller_usable(
    client: Any, respx_mock: respx.MockRouter, clock: ManualClock
) -> None:
    respx_mock.post(f"{VM_URL}/assessPatches").mock(return_value=_accepted())
    respx_mock.get(OPERATION_URL).mock(
        side_effect=[
            httpx.Response(200, json={"status": "InProgress"}, headers={"Retry-After": "60"}),
            httpx.Response(200, json={"status": "Succeeded", "properties": {"output": {}}}),
        ]
    )
    poller = await maybe(client.virtual_machines.begin_assess_patches("rg", "vm1"))
    with pytest.raises(azpatch.PollingTimeoutError) as caught:
        await maybe(poller.result(timeout=90))
    assert caught.value.continuation_token == poller.continuation_token()
    assert clock.slept == [60.0, 30.0]
    assert poller.status() == "InProgress"
    assert not await maybe(poller.done())
    await maybe(poller.result())
    assert await maybe(poller.done())
    assert poller.status() == "Succeeded"


async def test_done_polls_only_when_a_poll_is_due(
    client: Any, respx_mock: respx.MockRouter, clock: ManualClock
) -> None:
    respx_mock.post(f"{VM_URL}/assessPatches").mock(return_value=_accepted(retry_after="20"))
    status = respx_mock.get(OPERATION_URL).respond(
        json={"status": "Succeeded", "properties": {"output": {"status": "Succeeded"}}}
    )
    poller = await maybe(client.virtual_machines.begin_assess_patches("rg", "vm1"))
    assert not await maybe(poller.done())
    assert status.call_count == 0
    clock.advance(20)
    assert await maybe(poller.done())
    assert status.call_count == 1
    assert clock.slept == []


async def test_a_failed_operation_raises_with_the_arm_error(
    client: Any, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(f"{VM_URL}/installPatches").mock(return_value=_accepted())
    respx_mock.get(OPERATION_URL).respond(
        json={
            "status": "Failed",
            "error": {"code": "VMAgentStatusCommunicationError", "message": "agent not ready"},
        }
    )
    poller = await maybe(client.virtual_machines.begin_install_patches("rg", "vm1", PARAMETERS))
    with pytest.raises(azpatch.OperationFailedError) as caught:
        await maybe(poller.result())
    assert caught.value.status == "Failed"
    assert caught.value.code == "VMAgentStatusCommunicationError"
    assert await maybe(poller.done())
    with pytest.raises(azpatch.OperationFailedError):
        await maybe(poller.result())


async def test_a_token_expiring_during_polling_is_refreshed(
    kind: str,
    make_client: Callable[..., Any],
    respx_mock: respx.MockRouter,
    clock: ManualClock,
) -> None:
    credential = (AsyncIssuingCredential if kind == "async" else IssuingCredential)(
        clock, lifetime=900
    )
    client = make_client(credential=credential)
    respx_mock.post(f"{VM_URL}/assessPatches").mock(return_value=_accepted(retry_after="120"))
    status = respx_mock.get(OPERATION_URL).mock(
        side_effect=[
            *[
                httpx.Response(200, json={"status": "InProgress"}, headers={"Retry-After": "120"})
                for _ in range(15)
            ],
            httpx.Response(200, json={"status": "Succeeded", "properties": {"output": {}}}),
        ]
    )
    await maybe(client.virtual_machines.assess_patches("rg", "vm1"))
    assert len(credential.issued) >= 3
    used = [call.request.headers["Authorization"].split()[1] for call in status.calls]
    assert set(used) <= {token.token for token in credential.issued}
    assert len(set(used)) >= 3


async def test_a_401_is_answered_once_with_a_fresh_token(
    client: Any, credential: IssuingCredential, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.get(INSTANCE_VIEW).mock(
        side_effect=[httpx.Response(401), httpx.Response(200, json={})]
    )
    await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
    assert [c.request.headers["Authorization"] for c in route.calls] == [
        "Bearer secret-token-1",
        "Bearer secret-token-2",
    ]
    route.mock(side_effect=None, return_value=httpx.Response(401))
    with pytest.raises(azpatch.AuthenticationError) as caught:
        await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
    _assert_no_token(caught.value)


@pytest.mark.parametrize("header", ["Azure-AsyncOperation", "Location"])
async def test_a_polling_url_on_a_foreign_host_is_refused(
    client: Any, respx_mock: respx.MockRouter, header: str
) -> None:
    foreign = respx_mock.get(url__startswith="https://attacker.example").respond(json={})
    respx_mock.post(f"{VM_URL}/assessPatches").respond(
        202, headers={header: "https://attacker.example/operations/1"}
    )
    with pytest.raises(azpatch.UntrustedURLError, match=r"attacker\.example"):
        await maybe(client.virtual_machines.begin_assess_patches("rg", "vm1"))
    assert foreign.call_count == 0


async def test_a_next_link_on_a_foreign_host_is_refused(
    client: Any, respx_mock: respx.MockRouter
) -> None:
    foreign = respx_mock.get(url__startswith="https://attacker.example").respond(json={})
    respx_mock.get(url__regex=r".*/virtualMachines\?").respond(
        json={"value": [], "nextLink": "https://attacker.example/page2"}
    )
    with pytest.raises(azpatch.UntrustedURLError):
        await collect(client.virtual_machines.list_all())
    assert foreign.call_count == 0


async def test_a_continuation_token_with_a_foreign_url_is_refused(
    client: Any, respx_mock: respx.MockRouter
) -> None:
    from azpatch._core._continuation import encode
    from azpatch._core._lro import LroState

    token = encode(
        LroState(
            operation="assess_patches",
            status="InProgress",
            delay=1.0,
            async_operation_url="https://attacker.example/op",
        )
    )
    with pytest.raises(azpatch.UntrustedURLError):
        await maybe(
            client.virtual_machines.begin_assess_patches("rg", "vm1", continuation_token=token)
        )
    assert not respx_mock.calls


@pytest.mark.parametrize(
    "token",
    [
        "",
        "pickle:xyz",
        "azpatch-lro:!!!",
        "azpatch-lro:" + base64.urlsafe_b64encode(b"[]").decode(),
    ],
)
async def test_garbage_continuation_tokens_are_refused(
    client: Any, respx_mock: respx.MockRouter, token: str
) -> None:
    with pytest.raises(azpatch.InvalidArgumentError) as caught:
        await maybe(
            client.virtual_machines.begin_assess_patches("rg", "vm1", continuation_token=token)
        )
    assert caught.value.code == "InvalidContinuationToken"
    assert not respx_mock.calls


@pytest.mark.parametrize(
    ("resource_group", "vm_name"),
    [
        ("rg/../other", "vm1"),
        ("rg", "vm1/extensions"),
        ("", "vm1"),
        ("rg", ""),
        ("rg", "a?b"),
        ("rg", "vm 1"),
        ("rg.", "vm1"),
        ("rg", "x" * 65),
        ("r" * 91, "vm1"),
        ("rg", "vm1%2F"),
        ("rg²", "vm1"),  # Python's \w takes it; ARM's letters and digits do not
    ],
)
async def test_bad_names_never_reach_the_wire(
    client: Any, respx_mock: respx.MockRouter, resource_group: str, vm_name: str
) -> None:
    with pytest.raises(azpatch.InvalidArgumentError) as caught:
        await maybe(client.virtual_machines.get(resource_group, vm_name))
    assert caught.value.code in {"InvalidResourceGroupName", "InvalidResourceName"}
    assert isinstance(caught.value, ValueError)
    assert not respx_mock.calls


@pytest.mark.parametrize("subscription_id", ["", "not-a-guid", "../x", SUB + "/resourceGroups"])
def test_a_bad_subscription_id_is_refused_at_construction(
    kind: str, credential: IssuingCredential, subscription_id: str
) -> None:
    cls = azpatch.AsyncClient if kind == "async" else azpatch.Client
    with pytest.raises(azpatch.InvalidArgumentError, match="subscription_id"):
        cls(subscription_id, credential)


@pytest.mark.parametrize(
    ("base_url", "allowed"),
    [
        ("https://management.azure.com", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost:8080", True),
        ("http://[::1]:8080", True),
        ("http://management.azure.com", False),
        ("http://10.0.0.1", False),
        ("ftp://management.azure.com", False),
    ],
)
def test_the_token_goes_only_over_https_or_to_loopback(
    kind: str, credential: IssuingCredential, base_url: str, allowed: bool
) -> None:
    cls = azpatch.AsyncClient if kind == "async" else azpatch.Client
    if allowed:
        cls(SUB, credential, base_url=base_url)
    else:
        with pytest.raises(azpatch.UntrustedURLError):
            cls(SUB, credential, base_url=base_url)


async def test_logs_name_the_request_and_redact_query_values(
    client: Any, respx_mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    respx_mock.get(VM_URL).respond(json={}, headers={"x-ms-request-id": "req-1"})
    await maybe(client.virtual_machines.get("rg", "vm1", expand="instanceView"))
    (record,) = [r for r in caplog.records if r.name == "azpatch"]
    assert record.getMessage() == (
        f"GET {VM_URL}?api-version=2025-11-01&%24expand=REDACTED -> 200 (x-ms-request-id req-1)"
    )


async def test_poll_decisions_are_logged(
    client: Any, respx_mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    respx_mock.post(f"{VM_URL}/assessPatches").mock(return_value=_accepted(retry_after="20"))
    respx_mock.get(OPERATION_URL).respond(
        json={"status": "Succeeded", "properties": {"output": {"status": "Succeeded"}}}
    )
    await maybe(client.virtual_machines.assess_patches("rg", "vm1"))
    assert "polling again in 20.0s: assess_patches InProgress" in caplog.messages


async def test_retry_decisions_are_logged(
    client: Any, respx_mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    respx_mock.get(INSTANCE_VIEW).mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": "3"}),
            httpx.Response(200, json={}),
        ]
    )
    await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
    assert (
        f"retrying GET {INSTANCE_VIEW}?api-version=2025-11-01 in 3.0s after status 503"
        " (attempt 2 of 5)"
    ) in caplog.messages


async def test_reprs_hold_no_secret(client: Any) -> None:
    static = azpatch.StaticTokenCredential(TOKEN_PREFIX + "static")
    _assert_no_token(client, static, static.get_token("scope"))
    assert static.get_token("scope").token == TOKEN_PREFIX + "static"
