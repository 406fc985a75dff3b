"""Flows driven by hand: the exact sequence of effects an operation yields."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from azpatch import PollingPolicy, PollingTimeoutError
from azpatch import models as m
from azpatch._core import _flows as flows
from azpatch._core import _waiters as waiters
from azpatch._core._context import RequestContext
from azpatch._core._flow import NOW, Checkpoint, Effect, Send, Sleep

CTX = RequestContext(
    base_url=httpx.URL("https://management.azure.com"),
    subscription_id="00000000-0000-0000-0000-000000000001",
    user_agent="azpatch/test",
    new_request_id=lambda: "request-id",
)
STATUS = "https://management.azure.com/operations/1"


def _reply_to(effect: Effect, responses: list[httpx.Response], clock: list[float]) -> Any:
    if isinstance(effect, Send):
        response = responses.pop(0)
        response.request = effect.request
        return response
    if effect == NOW:
        return clock[0]
    if isinstance(effect, Sleep):
        clock[0] += effect.seconds
    return None


def _run(flow: Any, responses: list[httpx.Response]) -> tuple[list[str], Any]:
    """Run a flow against canned responses; return what it did and what it returned."""
    trace: list[str] = []
    clock = [0.0]
    reply: Any = None
    try:
        while True:
            effect = flow.send(reply)
            if isinstance(effect, Send):
                trace.append(
                    f"{effect.request.method} {effect.request.url.path}"
                    f"{'' if effect.idempotent else ' (once)'}"
                )
            elif isinstance(effect, Sleep):
                trace.append(f"sleep {effect.seconds:g}")
            elif isinstance(effect, Checkpoint):
                trace.append(f"checkpoint {effect.state.status}")
            reply = _reply_to(effect, responses, clock)
    except StopIteration as stop:
        return trace, stop.value


def _accepted() -> httpx.Response:
    return httpx.Response(202, headers={"Azure-AsyncOperation": STATUS, "Retry-After": "15"})


def _status(value: str, **extra: Any) -> httpx.Response:
    return httpx.Response(200, json={"status": value, **extra}, headers={"Retry-After": "5"})


def test_assess_patches_sequence() -> None:
    vm = (
        f"/subscriptions/{CTX.subscription_id}/resourceGroups/rg"
        "/providers/Microsoft.Compute/virtualMachines/vm"
    )
    trace, result = _run(
        flows.assess_patches(CTX, PollingPolicy(), "rg", "vm"),
        [
            _accepted(),
            _status("InProgress"),
            _status("Succeeded", properties={"output": {"status": "Succeeded"}}),
        ],
    )
    assert trace == [
        f"POST {vm}/assessPatches",
        "checkpoint InProgress",
        "sleep 15",
        "GET /operations/1",
        "checkpoint InProgress",
        "sleep 5",
        "GET /operations/1",
        "checkpoint Succeeded",
    ]
    assert result == m.VirtualMachineAssessPatchesResult(status=m.PatchOperationStatus.SUCCEEDED)


def test_install_patches_is_sent_once() -> None:
    parameters = m.VirtualMachineInstallPatchesParameters(reboot_setting="Never")
    trace, _ = _run(
        flows.install_patches(CTX, PollingPolicy(), "rg", "vm", parameters),
        [httpx.Response(200, json={"status": "Succeeded"})],
    )
    assert trace[0].endswith("/installPatches (once)")


def test_the_poll_limit_raises_with_a_token() -> None:
    with pytest.raises(PollingTimeoutError) as caught:
        _run(
            flows.assess_patches(CTX, PollingPolicy(max_polls=2), "rg", "vm"),
            [_accepted(), _status("InProgress"), _status("InProgress")],
        )
    assert caught.value.continuation_token is not None
    assert "after 2 polls" in str(caught.value)


def test_registration_polls_until_registered() -> None:
    progress: list[str] = []
    trace, result = _run(
        waiters.wait_until_registered(
            PollingPolicy(interval=20, jitter=0),
            waiters.feature_registration(CTX, "Microsoft.Compute", "F"),
            timeout=100,
            on_progress=lambda p: progress.append(f"{p.state}@{p.elapsed:g}"),
        ),
        [httpx.Response(200, json={"properties": {"state": s}}) for s in ("Pending", "Registered")],
    )
    assert [t for t in trace if not t.startswith("GET")] == ["sleep 20"]
    assert progress == ["Pending@0", "Registered@20"]
    assert result.properties.state == "Registered"
