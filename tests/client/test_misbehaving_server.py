"""Both clients against a real server that misbehaves on purpose (raw sockets on loopback).

Each case asserts the exact typed outcome, an upper bound on the real time it
took (generous: the figures themselves are in ``nox -s bench``), what the
server received (an installPatches that may have arrived is never sent
again), and that the bearer token appears in no log, exception, repr or
continuation token.
"""

from __future__ import annotations

import base64
import functools
import logging
import time
import traceback
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

import azpatch
import azpatch.models as m
from azpatch._deadline_transport import DeadlineTransport
from tests.misbehaving import (
    Answer,
    MisbehavingServer,
    Received,
    drip,
    hang,
    reset,
    response_bytes,
    serving,
)

from .conftest import maybe

pytestmark = pytest.mark.anyio
SUB = "00000000-0000-0000-0000-000000000001"
SECRET = "SECRET-bearer-do-not-leak"
VIEW = {"computerName": "vm1", "statuses": []}
INSTALL = m.VirtualMachineInstallPatchesParameters(
    maximum_duration=timedelta(hours=1),
    reboot_setting=m.VMGuestPatchRebootSetting.NEVER,
    windows_parameters=m.WindowsParameters(classifications_to_include=("Critical",)),
)
ASSESSED = {"status": "Succeeded", "assessmentActivityId": "a1"}
# Generous: CI machines are slow and shared; a deadline is honoured within a second.
SLACK = 1.0


def echo(request: Received) -> dict[str, str]:
    """What ARM sends back when asked for the client's request id."""
    return {"x-ms-client-request-id": request.headers["x-ms-client-request-id"]}


def answer(status: int, body: Any = None, **headers: str) -> Callable[[Received], Answer]:
    def act(request: Received) -> Answer:
        data = response_bytes(status, body, headers={**echo(request), **headers})
        return Answer(lambda connection, _: connection.sendall(data))

    return act


def script(*answers: Callable[[Received], Answer] | Answer) -> Callable[[int, Received], Answer]:
    """The n-th request gets the n-th answer; the last one repeats."""

    def play(n: int, request: Received) -> Answer:
        chosen = answers[min(n, len(answers) - 1)]
        return chosen if isinstance(chosen, Answer) else chosen(request)

    return play


@pytest.fixture
def token_never_shown(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """Texts a test adds (exceptions, reprs, tokens) are checked with every log record."""
    shown: list[str] = []
    with caplog.at_level(logging.DEBUG):
        yield shown
    assert SECRET not in caplog.text
    for text in shown:
        assert SECRET not in text


def _client(kind: str, url: str, **options: Any) -> Any:
    options.setdefault("retry", azpatch.RetryPolicy(initial_backoff=0.01, jitter=0.0))
    options.setdefault("polling", azpatch.PollingPolicy(interval=0.05, jitter=0.0))
    cls = azpatch.Client if kind == "sync" else azpatch.AsyncClient
    return cls(SUB, azpatch.StaticTokenCredential(SECRET), base_url=url, **options)


async def _close(client: Any) -> None:
    if isinstance(client, azpatch.Client):
        client.close()
    else:
        await client.aclose()


async def outcome(shown: list[str], call: Callable[[], Any]) -> tuple[Any, float]:
    """What ``call`` returned or raised, and how long it took; the error's texts are shown."""
    started = time.monotonic()
    try:
        result: Any = await maybe(call())
    except azpatch.AzpatchError as error:
        shown += [str(error), repr(error), "".join(traceback.format_exception(error))]
        token = getattr(error, "continuation_token", None)
        if token:
            payload = token.removeprefix("azpatch-lro:")
            shown += [token, base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()]
        result = error
    return result, time.monotonic() - started


# -- 1. a total deadline per call -----------------------------------------------------------


@pytest.mark.parametrize(
    "misbehaviour",
    [
        pytest.param(
            lambda r: drip(response_bytes(200, VIEW, headers=echo(r)), every=0.1), id="body"
        ),
        pytest.param(lambda r: drip(b"HTTP/1.1 200 OK\r\n" * 50, every=0.1), id="headers"),
    ],
)
async def test_a_drip_ends_at_the_deadline(
    kind: str, misbehaviour: Any, token_never_shown: list[str]
) -> None:
    with serving(script(misbehaviour)) as server:
        client = _client(kind, server.url, timeout=3, retry=azpatch.RetryPolicy(deadline=1))
        error, took = await outcome(
            token_never_shown, lambda: client.virtual_machines.get_instance_view("rg", "vm1")
        )
        await _close(client)
    assert isinstance(error, azpatch.RequestTimeoutError)
    assert "within the retry policy's deadline of 1s" in str(error)
    assert error.may_have_reached_server
    assert took < 1 + SLACK
    assert server.methods == ["GET instanceView"]


async def test_a_silent_server_is_retried_until_the_deadline(
    kind: str, token_never_shown: list[str]
) -> None:
    retry = azpatch.RetryPolicy(deadline=1.5, initial_backoff=0.01, jitter=0)
    with serving(script(hang())) as server:
        client = _client(kind, server.url, timeout=1, retry=retry)
        error, took = await outcome(
            token_never_shown, lambda: client.virtual_machines.get_instance_view("rg", "vm1")
        )
        token_never_shown.append(repr(client))
        await _close(client)
    assert isinstance(error, azpatch.RequestTimeoutError)
    assert took < 1.5 + SLACK
    assert server.methods == ["GET instanceView"] * 2  # timed out at 1 s, then cut at 1.5 s


# -- 2. result(timeout=), the polling deadline and the waiters' timeouts --------------------


def _accepted(request: Received) -> Answer:
    return answer(202, Location="/operations/op1?monitor=true")(request)


async def test_result_timeout_bounds_a_hanging_poll_and_the_token_resumes(
    kind: str, token_never_shown: list[str]
) -> None:
    plan = script(_accepted, hang(), answer(200, ASSESSED))
    with serving(plan) as server:
        client = _client(kind, server.url)
        poller = await maybe(client.virtual_machines.begin_assess_patches("rg", "vm1"))
        error, took = await outcome(token_never_shown, lambda: poller.result(timeout=1))
        assert isinstance(error, azpatch.PollingTimeoutError)
        assert took < 1 + SLACK
        assert error.continuation_token
        token_never_shown.append(repr(poller))
        assert server.methods == ["POST assessPatches", "GET op1"]
        resumed = await maybe(
            client.virtual_machines.begin_assess_patches(
                "rg", "vm1", continuation_token=error.continuation_token
            )
        )
        result = await maybe(resumed.result(timeout=5))
        await _close(client)
    assert result.status == "Succeeded"
    assert server.methods == ["POST assessPatches", "GET op1", "GET op1"]


async def test_the_polling_deadline_cuts_a_hanging_poll(
    kind: str, token_never_shown: list[str]
) -> None:
    polling = azpatch.PollingPolicy(interval=0.05, jitter=0, deadline=1)
    with serving(script(_accepted, hang())) as server:
        client = _client(kind, server.url, polling=polling)
        error, took = await outcome(
            token_never_shown, lambda: client.virtual_machines.assess_patches("rg", "vm1")
        )
        await _close(client)
    assert isinstance(error, azpatch.PollingTimeoutError)
    assert error.continuation_token
    assert took < 1 + SLACK
    assert server.methods == ["POST assessPatches", "GET op1"]


async def test_an_endless_operation_ends_at_the_callers_timeout(
    kind: str, token_never_shown: list[str]
) -> None:
    with serving(script(_accepted, answer(202, Location="/operations/op1"))) as server:
        client = _client(kind, server.url)
        error, took = await outcome(
            token_never_shown,
            lambda: client.virtual_machines.assess_patches("rg", "vm1", timeout=1),
        )
        await _close(client)
    assert isinstance(error, azpatch.PollingTimeoutError)
    assert error.last_status == "InProgress"
    assert 1 <= took < 1 + SLACK


async def test_a_patch_mode_wait_ends_at_its_timeout_even_mid_poll(
    kind: str, token_never_shown: list[str]
) -> None:
    pending = {
        "patchStatus": {"configurationStatuses": [{"code": "PatchModeConfigurationState/Pending"}]}
    }
    with serving(script(answer(200, pending), hang())) as server:
        client = _client(kind, server.url, polling=azpatch.PollingPolicy(interval=0.2, jitter=0))
        error, took = await outcome(
            token_never_shown,
            lambda: client.virtual_machines.wait_for_patch_mode_ready("rg", "vm1", timeout=1.5),
        )
        await _close(client)
    assert isinstance(error, azpatch.PollingTimeoutError)
    assert error.last_status == "Pending"
    assert took < 1.5 + SLACK
    assert server.methods == ["GET instanceView"] * 2


# -- installPatches: never sent twice once it may have arrived ------------------------------


@pytest.mark.parametrize(
    ("misbehaviour", "error_type"),
    [
        pytest.param(reset(), azpatch.TransportError, id="reset-after-reading"),
        pytest.param(hang(), azpatch.RequestTimeoutError, id="hang"),
        pytest.param(answer(500), azpatch.ServerError, id="500"),
        pytest.param(
            lambda r: Answer(lambda c, _: c.sendall(response_bytes(202, headers=echo(r))[:-6])),
            azpatch.TransportError,
            id="truncated",
        ),
    ],
)
async def test_an_install_that_may_have_arrived_is_never_sent_again(
    kind: str, misbehaviour: Any, error_type: type[Exception], token_never_shown: list[str]
) -> None:
    with serving(script(misbehaviour)) as server:
        client = _client(kind, server.url, timeout=3, retry=azpatch.RetryPolicy(deadline=1))
        error, took = await outcome(
            token_never_shown,
            lambda: client.virtual_machines.begin_install_patches("rg", "vm1", INSTALL),
        )
        await _close(client)
    assert type(error) is error_type
    assert getattr(error, "may_have_reached_server", True)
    assert took < 1 + SLACK
    assert server.methods == ["POST installPatches"]


async def test_a_reset_before_the_request_was_read_is_the_same_on_both_clients(
    kind: str, token_never_shown: list[str]
) -> None:
    """The request may sit in the server's buffer unread: the client cannot know, so an
    install is not sent again, and a read is."""

    def first_connection_reset(n: int) -> Answer | None:
        return reset(unread=True) if n == 0 else None

    with serving(script(answer(200, VIEW)), before_reading=first_connection_reset) as server:
        client = _client(kind, server.url)
        view, _ = await outcome(
            token_never_shown, lambda: client.virtual_machines.get_instance_view("rg", "vm1")
        )
        await _close(client)
    assert view.computer_name == "vm1"
    assert (server.connections, server.methods) == (2, ["GET instanceView"])

    with serving(script(_accepted), before_reading=first_connection_reset) as server:
        client = _client(kind, server.url)
        error, _ = await outcome(
            token_never_shown,
            lambda: client.virtual_machines.begin_install_patches("rg", "vm1", INSTALL),
        )
        await _close(client)
    assert type(error) is azpatch.TransportError
    assert error.may_have_reached_server
    assert (server.connections, server.methods) == (1, [])


# -- what comes back is checked before it is believed ---------------------------------------


def _smuggling(request: Received) -> Answer:
    """A response followed, on the same connection, by another nobody asked for."""
    smuggled = response_bytes(
        200, {"computerName": "smuggled"}, close=False, headers={"x-ms-client-request-id": "x"}
    )
    data = response_bytes(200, VIEW, close=False, headers=echo(request)) + smuggled
    return Answer(lambda connection, _: connection.sendall(data), keep_open=True)


def _kept_open(request: Received) -> Answer:
    data = response_bytes(200, {"computerName": "vm2"}, close=False, headers=echo(request))
    return Answer(lambda connection, _: connection.sendall(data), keep_open=True)


async def test_a_smuggled_response_is_never_taken_for_an_answer(
    kind: str, token_never_shown: list[str]
) -> None:
    with serving(script(_smuggling, _kept_open)) as server:
        client = _client(kind, server.url)
        first = await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
        second, _ = await outcome(
            token_never_shown, lambda: client.virtual_machines.get_instance_view("rg", "vm2")
        )
        await _close(client)
    assert (first.computer_name, second.computer_name) == ("vm1", "vm2")


@pytest.mark.parametrize(
    ("plan", "error_type", "requests"),
    [
        pytest.param(
            script(answer(302, {}, Location="/elsewhere")), azpatch.RedirectError, 1, id="302"
        ),
        pytest.param(script(answer(503)), azpatch.ServerError, 5, id="503-always"),
        pytest.param(
            script(answer(429, **{"retry-after-ms": "100"}), answer(200, VIEW)),
            None,
            2,
            id="429-then-200",
        ),
        pytest.param(
            script(answer(429, **{"Retry-After": "0"}), answer(200, VIEW)),
            None,
            2,
            id="429-retry-after-seconds",
        ),
        pytest.param(
            script(
                answer(429, **{"Retry-After": "Thu, 01 Jan 2026 00:00:00 GMT"}), answer(200, VIEW)
            ),
            None,
            2,
            id="429-retry-after-date",
        ),
        pytest.param(
            script(answer(429, **{"Retry-After": "3600"})), azpatch.ThrottledError, 1, id="429-long"
        ),
        pytest.param(
            script(
                answer(401, {"error": {"code": "ExpiredAuthenticationToken"}}), answer(200, VIEW)
            ),
            None,
            2,
            id="401-then-200",
        ),
        pytest.param(
            script(
                lambda r: Answer(
                    lambda c, _: c.sendall(
                        response_bytes(200, raw_body=b"[" * 5000 + b"]" * 5000, headers=echo(r))
                    )
                )
            ),
            azpatch.ResponseValidationError,
            1,
            id="deep-nesting",
        ),
        pytest.param(
            script(answer(200, raw_body=b"{" * 1000)),  # type: ignore[arg-type]
            azpatch.ResponseValidationError,
            1,
            id="not-json",
        ),
    ],
)
async def test_the_fault_matrix_on_a_real_socket(
    kind: str,
    plan: Any,
    error_type: type[Exception] | None,
    requests: int,
    token_never_shown: list[str],
) -> None:
    with serving(plan) as server:
        client = _client(
            kind, server.url, retry=azpatch.RetryPolicy(initial_backoff=0.01, jitter=0)
        )
        got, took = await outcome(
            token_never_shown, lambda: client.virtual_machines.get_instance_view("rg", "vm1")
        )
        await _close(client)
    if error_type is None:
        assert got.computer_name == "vm1"
    else:
        assert type(got) is error_type
    assert len(server.received) == requests
    assert took < 5


async def test_a_poll_url_on_another_host_or_with_a_tab_is_never_requested(
    kind: str, token_never_shown: list[str]
) -> None:
    with serving(script(answer(200, VIEW))) as elsewhere:
        for location in (f"{elsewhere.url}/operations/op1", "/operations/op\t1"):
            plan = script(answer(202, **{"Azure-AsyncOperation": location}))
            with serving(plan) as server:
                client = _client(kind, server.url)
                begin = functools.partial(client.virtual_machines.begin_assess_patches, "rg", "vm1")
                error, _ = await outcome(token_never_shown, begin)
                await _close(client)
            assert type(error) is azpatch.UntrustedURLError
            assert server.methods == ["POST assessPatches"]
    assert elsewhere.received == []
    assert isinstance(elsewhere, MisbehavingServer)


def test_the_sync_transport_reaches_httpx_sockets() -> None:
    """The sync client's own transport cuts socket waits at the deadline through httpx's
    connection pool; an httpx release that moves it fails here, not silently."""
    assert DeadlineTransport().cuts_at_deadline
