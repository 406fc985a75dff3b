"""Every operation's wire form, on both clients: method, path, api-version, headers, body."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

import azpatch
from azpatch import models as m
from tests.client.conftest import (
    OPERATION_URL,
    SUB_URL,
    VM_URL,
    IssuingCredential,
    collect,
    maybe,
)
from tests.clock import ManualClock

pytestmark = pytest.mark.anyio

COMPUTE = "2025-11-01"
FEATURES = "2021-07-01"
RESOURCES = "2024-07-01"
FEATURE_URL = f"{SUB_URL}/providers/Microsoft.Features/providers/Microsoft.Compute/features"


def _only(route: respx.Route) -> httpx.Request:
    assert route.call_count == 1
    return route.calls.last.request


async def test_get_vm(client: Any, respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get(VM_URL).respond(json={"name": "vm1", "properties": {"vmId": "x"}})
    vm = await maybe(client.virtual_machines.get("rg", "vm1", expand="instanceView"))
    assert vm == m.VirtualMachine(name="vm1", vm_id="x")
    request = _only(route)
    assert request.method == "GET"
    assert request.url.params["api-version"] == COMPUTE
    assert request.url.params["$expand"] == "instanceView"
    assert request.headers["Authorization"] == "Bearer secret-token-1"
    assert re.fullmatch(r"azpatch/\S+ python/3\.\d+\.\d+", request.headers["User-Agent"])
    assert re.fullmatch(r"[0-9a-f-]{36}", request.headers["x-ms-client-request-id"])
    assert request.headers["Accept"] == "application/json"


async def test_every_request_gets_its_own_client_request_id(
    client: Any, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.get(VM_URL).respond(json={})
    await maybe(client.virtual_machines.get("rg", "vm1"))
    await maybe(client.virtual_machines.get("rg", "vm1"))
    ids = {call.request.headers["x-ms-client-request-id"] for call in route.calls}
    assert len(ids) == 2


async def test_get_instance_view(client: Any, respx_mock: respx.MockRouter) -> None:
    body = {"patchStatus": {"availablePatchSummary": {"status": "Succeeded"}}}
    route = respx_mock.get(f"{VM_URL}/instanceView").respond(json=body)
    view = await maybe(client.virtual_machines.get_instance_view("rg", "vm1"))
    assert view.patch_status.available_patch_summary.status is m.PatchOperationStatus.SUCCEEDED
    assert _only(route).url.params["api-version"] == COMPUTE


async def test_list_follows_next_link_lazily(client: Any, respx_mock: respx.MockRouter) -> None:
    listing = f"{SUB_URL}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines"
    second = f"{listing}?api-version={COMPUTE}&$skiptoken=abc"
    second_route = respx_mock.get(listing, params={"$skiptoken": "abc"}).respond(
        json={"value": [{"name": "b"}, {"name": "c"}]}
    )
    first_route = respx_mock.get(listing, params={"api-version": COMPUTE}).respond(
        json={"value": [{"name": "a"}], "nextLink": second}
    )
    pager = client.virtual_machines.list("rg")
    assert first_route.call_count == 0
    names = [vm.name for vm in await collect(pager)]
    assert names == ["a", "b", "c"]
    assert first_route.call_count == second_route.call_count == 1


async def test_list_all(client: Any, respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get(f"{SUB_URL}/providers/Microsoft.Compute/virtualMachines").respond(
        json={"value": [{"name": "a"}]}
    )
    assert [vm.name for vm in await collect(client.virtual_machines.list_all())] == ["a"]
    assert _only(route).url.params["api-version"] == COMPUTE


def _async_operation(respx_mock: respx.MockRouter, statuses: list[str], result: Any) -> respx.Route:
    status_route = respx_mock.get(OPERATION_URL).mock(
        side_effect=[
            httpx.Response(200, json={"name": "op1", "status": s}, headers={"Retry-After": "10"})
            for s in statuses
        ]
    )
    respx_mock.get(f"{OPERATION_URL}/result").respond(json=result)
    return status_route


ACCEPTED = {
    "Azure-AsyncOperation": OPERATION_URL,
    "Location": f"{OPERATION_URL}/result",
    "Retry-After": "15",
}


async def test_assess_patches(
    client: Any, respx_mock: respx.MockRouter, clock: ManualClock
) -> None:
    post = respx_mock.post(f"{VM_URL}/assessPatches").respond(202, headers=ACCEPTED)
    status = _async_operation(
        respx_mock,
        ["InProgress", "InProgress", "Succeeded"],
        {"status": "Succeeded", "criticalAndSecurityPatchCount": 2},
    )
    result = await maybe(client.virtual_machines.assess_patches("rg", "vm1"))
    assert result.critical_and_security_patch_count == 2
    assert result.succeeded
    request = _only(post)
    assert request.url.params["api-version"] == COMPUTE
    assert request.content == b""
    assert status.call_count == 3
    assert clock.slept == [15.0, 10.0, 10.0]


async def test_install_patches_sends_the_parameters(
    client: Any, respx_mock: respx.MockRouter
) -> None:
    post = respx_mock.post(f"{VM_URL}/installPatches").respond(202, headers=ACCEPTED)
    _async_operation(respx_mock, ["Succeeded"], {"status": "Failed", "installedPatchCount": 0})
    parameters = m.VirtualMachineInstallPatchesParameters(
        maximum_duration=__import__("datetime").timedelta(hours=4),
        reboot_setting=m.VMGuestPatchRebootSetting.IF_REQUIRED,
        windows_parameters=m.WindowsParameters(
            classifications_to_include=(
                m.VMGuestPatchClassificationWindows.CRITICAL,
                m.VMGuestPatchClassificationWindows.SECURITY,
            )
        ),
    )
    result = await maybe(client.virtual_machines.install_patches("rg", "vm1", parameters))
    request = _only(post)
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "maximumDuration": "PT4H",
        "rebootSetting": "IfRequired",
        "windowsParameters": {"classificationsToInclude": ["Critical", "Security"]},
    }
    assert not result.succeeded
    with pytest.raises(azpatch.PatchRunError, match="reports Failed"):
        result.raise_for_status()


async def test_location_only_operation(
    client: Any, respx_mock: respx.MockRouter, clock: ManualClock
) -> None:
    location = f"{OPERATION_URL}?monitor=true&api-version={COMPUTE}"
    respx_mock.post(f"{VM_URL}/assessPatches").respond(202, headers={"Location": location})
    monitor = respx_mock.get(OPERATION_URL).mock(
        side_effect=[
            httpx.Response(202, headers={"Retry-After": "5"}),
            httpx.Response(200, json={"status": "Succeeded", "otherPatchCount": 7}),
        ]
    )
    result = await maybe(client.virtual_machines.assess_patches("rg", "vm1"))
    assert result.other_patch_count == 7
    assert monitor.call_count == 2
    assert monitor.calls.last.request.url.params["monitor"] == "true"
    assert clock.slept == [30.0, 5.0]  # no Retry-After on the 202: the policy's interval


async def test_an_initial_200_is_the_result(client: Any, respx_mock: respx.MockRouter) -> None:
    respx_mock.post(f"{VM_URL}/assessPatches").respond(200, json={"status": "Succeeded"})
    poller = await maybe(client.virtual_machines.begin_assess_patches("rg", "vm1"))
    assert await maybe(poller.done())
    assert poller.status() == "Succeeded"
    assert (await maybe(poller.result())).succeeded


async def test_features(client: Any, respx_mock: respx.MockRouter) -> None:
    feature = {"name": "Microsoft.Compute/F", "properties": {"state": "Registering"}}
    get = respx_mock.get(f"{FEATURE_URL}/F").respond(json=feature)
    listing = respx_mock.get(FEATURE_URL).respond(json={"value": [feature]})
    register = respx_mock.post(f"{FEATURE_URL}/F/register").respond(json=feature)
    unregister = respx_mock.post(f"{FEATURE_URL}/F/unregister").respond(json=feature)
    features = client.features
    assert (await maybe(features.get("Microsoft.Compute", "F"))).name == "Microsoft.Compute/F"
    assert len(await collect(features.list("Microsoft.Compute"))) == 1
    await maybe(features.register("Microsoft.Compute", "F"))
    await maybe(features.unregister("Microsoft.Compute", "F"))
    for route in (get, listing, register, unregister):
        assert _only(route).url.params["api-version"] == FEATURES


async def test_providers(client: Any, respx_mock: respx.MockRouter) -> None:
    provider = {"namespace": "Microsoft.Compute", "registrationState": "Registered"}
    get = respx_mock.get(f"{SUB_URL}/providers/Microsoft.Compute").respond(json=provider)
    register = respx_mock.post(f"{SUB_URL}/providers/Microsoft.Compute/register").respond(
        json=provider
    )
    found = await maybe(client.providers.get("Microsoft.Compute"))
    assert found.registration_state is m.ProviderRegistrationState.REGISTERED
    await maybe(client.providers.register("Microsoft.Compute"))
    assert _only(get).url.params["api-version"] == RESOURCES
    assert _only(register).method == "POST"


async def test_wait_until_registered_reports_progress(
    client: Any, respx_mock: respx.MockRouter, clock: ManualClock
) -> None:
    states = ["Registering", "Pending", "registered"]
    respx_mock.get(f"{FEATURE_URL}/F").mock(
        side_effect=[httpx.Response(200, json={"properties": {"state": s}}) for s in states]
    )
    seen: list[azpatch.RegistrationProgress] = []
    feature = await maybe(
        client.features.wait_until_registered(
            "Microsoft.Compute", "F", timeout=900, on_progress=seen.append
        )
    )
    assert feature.properties.state is m.SubscriptionFeatureRegistrationState.REGISTERED
    assert [(p.state, p.elapsed, p.registered) for p in seen] == [
        ("Registering", 0.0, False),
        ("Pending", 30.0, False),
        ("Registered", 90.0, True),
    ]
    assert clock.slept == [30.0, 60.0]  # backing off


async def test_wait_until_registered_gives_up_at_the_timeout(
    client: Any, respx_mock: respx.MockRouter, clock: ManualClock
) -> None:
    respx_mock.get(f"{FEATURE_URL}/F").respond(json={"properties": {"state": "Registering"}})
    with pytest.raises(azpatch.PollingTimeoutError, match="not Registered within the timeout"):
        await maybe(client.features.wait_until_registered("Microsoft.Compute", "F", timeout=100))
    assert clock.slept == [30.0, 60.0, 9.0]  # the last poll just before the deadline


async def test_waiting_for_a_feature_nobody_registers_fails_fast(
    client: Any, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(f"{FEATURE_URL}/F").respond(json={"properties": {"state": "NotRegistered"}})
    with pytest.raises(azpatch.OperationFailedError, match="NotRegistered"):
        await maybe(client.features.wait_until_registered("Microsoft.Compute", "F", timeout=100))


def _preview_routes(
    respx_mock: respx.MockRouter, feature_states: list[str], provider_states: list[str]
) -> dict[str, respx.Route]:
    routes = {}
    for name in ("InGuestAutoPatchVMPreview", "InGuestPatchVMPreview"):
        routes[name] = respx_mock.get(f"{FEATURE_URL}/{name}").mock(
            side_effect=[
                httpx.Response(200, json={"name": name, "properties": {"state": s}})
                for s in feature_states
            ]
        )
        routes[f"{name}/register"] = respx_mock.post(f"{FEATURE_URL}/{name}/register").respond(
            json={"name": name, "properties": {"state": "Registering"}}
        )
    routes["provider"] = respx_mock.get(f"{SUB_URL}/providers/Microsoft.Compute").mock(
        side_effect=[httpx.Response(200, json={"registrationState": s}) for s in provider_states]
    )
    routes["provider/register"] = respx_mock.post(
        f"{SUB_URL}/providers/Microsoft.Compute/register"
    ).respond(json={"registrationState": "Registering"})
    return routes


async def test_enable_guest_patching_preview(client: Any, respx_mock: respx.MockRouter) -> None:
    routes = _preview_routes(
        respx_mock,
        ["NotRegistered", "Registering", "Registered"],
        ["Registered", "Registering", "Registered"],
    )
    seen: list[azpatch.RegistrationProgress] = []
    preview = await maybe(
        client.features.enable_guest_patching_preview(timeout=1800, on_progress=seen.append)
    )
    assert preview.changed
    assert [f.name for f in preview.features] == [
        "InGuestAutoPatchVMPreview",
        "InGuestPatchVMPreview",
    ]
    assert str(preview.provider.registration_state) == "Registered"
    assert routes["InGuestAutoPatchVMPreview/register"].call_count == 1
    assert routes["InGuestPatchVMPreview/register"].call_count == 1
    assert routes["provider/register"].call_count == 1
    assert seen[-1] == azpatch.RegistrationProgress(
        name="Microsoft.Compute", state="Registered", elapsed=seen[-1].elapsed, registered=True
    )


async def test_enable_guest_patching_preview_is_idempotent(
    client: Any, respx_mock: respx.MockRouter
) -> None:
    routes = _preview_routes(respx_mock, ["registered"], ["Registered"])
    preview = await maybe(client.features.enable_guest_patching_preview(timeout=60))
    assert not preview.changed
    writes = [r for name, r in routes.items() if name.endswith("register")]
    assert all(route.call_count == 0 for route in writes)


async def test_clients_close_what_they_own(
    kind: str, make_client: Callable[..., Any], credential: IssuingCredential
) -> None:
    if kind == "sync":
        owned = make_client()
        with owned:
            pass
        assert owned._http.is_closed
        given = httpx.Client()
        with make_client(http_client=given):
            pass
        assert not given.is_closed
        given.close()  # noqa: ASYNC212  (the sync client's own http client)
    else:
        owned = make_client()
        async with owned:
            pass
        assert owned._http.is_closed
        given_async = httpx.AsyncClient()
        async with make_client(http_client=given_async):
            pass
        assert not given_async.is_closed
        await given_async.aclose()


async def test_providers_wait_until_registered(
    client: Any, respx_mock: respx.MockRouter, clock: ManualClock
) -> None:
    respx_mock.get(f"{SUB_URL}/providers/Microsoft.Compute").mock(
        side_effect=[
            httpx.Response(200, json={"registrationState": state})
            for state in ("Registering", "Registered")
        ]
    )
    provider = await maybe(client.providers.wait_until_registered("Microsoft.Compute", timeout=60))
    assert provider.registration_state is m.ProviderRegistrationState.REGISTERED
    assert clock.slept == [30.0]


async def test_the_async_client_takes_a_sync_credential(
    kind: str, make_client: Callable[..., Any], respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.get(VM_URL).respond(json={})
    client = make_client(credential=azpatch.StaticTokenCredential("plain-token"))
    await maybe(client.virtual_machines.get("rg", "vm1"))
    assert route.calls.last.request.headers["Authorization"] == "Bearer plain-token"


def test_a_credential_without_get_token_is_refused(kind: str) -> None:
    cls = azpatch.AsyncClient if kind == "async" else azpatch.Client
    with pytest.raises(TypeError, match="get_token"):
        cls("00000000-0000-0000-0000-000000000001", "a-token-string")  # type: ignore[arg-type]


WINDOWS_VM = {
    "name": "vm1",
    "etag": '"7"',
    "properties": {
        "osProfile": {
            "windowsConfiguration": {
                "enableAutomaticUpdates": True,
                "provisionVMAgent": True,
                "patchSettings": {"patchMode": "AutomaticByOS"},
            }
        },
        "storageProfile": {
            "imageReference": {
                "publisher": "MicrosoftWindowsServer",
                "offer": "WindowsServer",
                "sku": "2019-Datacenter",
            }
        },
    },
}


async def test_set_patch_mode_patches_with_if_match_and_follows_the_operation(
    client: Any, respx_mock: respx.MockRouter
) -> None:
    updated = json.loads(json.dumps(WINDOWS_VM))
    updated["properties"]["osProfile"]["windowsConfiguration"]["patchSettings"]["patchMode"] = (
        "AutomaticByPlatform"
    )
    updating = json.loads(json.dumps(updated))
    updating["properties"]["provisioningState"] = "Updating"
    vm_route = respx_mock.get(VM_URL).mock(
        side_effect=[httpx.Response(200, json=WINDOWS_VM), httpx.Response(200, json=updated)]
    )
    patch = respx_mock.patch(VM_URL).respond(
        200, json=updating, headers={"Azure-AsyncOperation": OPERATION_URL, "Retry-After": "1"}
    )
    respx_mock.get(OPERATION_URL).respond(json={"status": "Succeeded"})
    vm = await maybe(client.virtual_machines.set_patch_mode("rg", "vm1", "AutomaticByPlatform"))
    assert str(vm.os_profile.windows_configuration.patch_settings.patch_mode) == (
        "AutomaticByPlatform"
    )
    request = _only(patch)
    assert request.headers["If-Match"] == '"7"'
    assert json.loads(request.content) == {
        "properties": {
            "osProfile": {
                "windowsConfiguration": {"patchSettings": {"patchMode": "AutomaticByPlatform"}}
            }
        }
    }
    assert vm_route.calls[0].request.url.params["$expand"] == "instanceView"
    assert vm_route.call_count == 2  # the read, and the resource once the operation ended


async def test_a_concurrent_change_is_not_overwritten(
    client: Any, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(VM_URL).respond(json=WINDOWS_VM)
    respx_mock.patch(VM_URL).respond(
        412, json={"error": {"code": "PreconditionFailed", "message": "etag mismatch"}}
    )
    with pytest.raises(azpatch.PreconditionFailedError):
        await maybe(client.virtual_machines.set_patch_mode("rg", "vm1", "AutomaticByPlatform"))
