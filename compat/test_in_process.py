"""The official Azure SDK in-process: clients built by the code under test, with no extra
arguments, served by the ``azpatch_fake`` fixture with no socket, on virtual time."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import requests
from azure.core.credentials import AccessToken
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute.aio import ComputeManagementClient as AsyncComputeManagementClient

from azpatch_fake import FakeAzure, Throttle

from .sdk_script import patch_new_vm, patch_new_vm_async

SUBSCRIPTION = "7d1e4b2a-9c3f-4a8e-b6d5-0f2e9a1c3b57"
SLOW_WORLD = pytest.mark.azpatch_fake(
    feature_registration_delay=timedelta(minutes=15),
    install_time_per_patch=timedelta(minutes=70),
)


class Credential:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("sdk-token", 2**31 - 1)


class AsyncCredential:
    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("sdk-token", 2**31 - 1)

    async def close(self) -> None:
        pass


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", SUBSCRIPTION)


def _check(fake: FakeAzure, results: tuple[Any, Any, str], real_started: float) -> None:
    assessment, installation, feature_state = results
    assert assessment.status == "Succeeded"
    assert assessment.critical_and_security_patch_count == 3
    assert installation.status == "Succeeded"
    assert installation.installed_patch_count == 3
    assert feature_state == "Registered"  # the polls of a 15-minute registration
    vm = fake.vm("rg", "web1", subscription_id=SUBSCRIPTION)
    assert vm.installed_patch_ids
    assert fake.clock.monotonic() > 3 * 3600  # a 3.5-hour installation, waited out virtually
    assert time.monotonic() - real_started < 1.0


@SLOW_WORLD
def test_sync_clients_built_by_the_script(azpatch_fake: FakeAzure) -> None:
    started = time.monotonic()
    results = patch_new_vm(Credential())
    _check(azpatch_fake, results, started)


@SLOW_WORLD
@pytest.mark.anyio
async def test_aio_clients_built_by_the_script(azpatch_fake: FakeAzure) -> None:
    started = time.monotonic()
    results = await patch_new_vm_async(AsyncCredential())
    _check(azpatch_fake, results, started)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_explicit_transports_serve_a_world_without_interception() -> None:
    fake = FakeAzure()
    fake.add_vm("rg", "vm1", subscription_id=SUBSCRIPTION)
    transport = fake.azure_core_transport()
    compute = ComputeManagementClient(Credential(), SUBSCRIPTION, transport=transport)
    assessment = compute.virtual_machines.begin_assess_patches("rg", "vm1").result()
    assert assessment.status == "Succeeded"
    assert fake.clock.slept  # the SDK's polling_interval, waited on the virtual clock


@pytest.mark.anyio
async def test_the_async_transport_serves_the_aio_clients() -> None:
    fake = FakeAzure()
    fake.add_vm("rg", "vm1", subscription_id=SUBSCRIPTION)
    transport = fake.async_azure_core_transport()
    async with AsyncComputeManagementClient(
        AsyncCredential(), SUBSCRIPTION, transport=transport
    ) as compute:
        poller = await compute.virtual_machines.begin_assess_patches("rg", "vm1")
        assert (await poller.result()).status == "Succeeded"
    assert fake.clock.slept


def test_an_sdk_client_for_another_cloud_is_refused(azpatch_fake: FakeAzure) -> None:
    sovereign = "https://management.usgovcloudapi.net"
    compute = ComputeManagementClient(Credential(), SUBSCRIPTION, base_url=sovereign)
    with pytest.raises(AssertionError, match=r"GET https://management\.usgovcloudapi\.net left"):
        compute.virtual_machines.get("rg", "vm1")
    assert not azpatch_fake.handled
    azpatch_fake.refused.clear()


def test_requests_reaches_the_fake_and_nothing_else(azpatch_fake: FakeAzure) -> None:
    azpatch_fake.add_vm("rg", "vm1", subscription_id=SUBSCRIPTION)
    url = f"{azpatch_fake.base_url}/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers"
    url += "/Microsoft.Compute/virtualMachines/vm1?api-version=2024-07-01"
    response = requests.get(url, headers={"Authorization": "Bearer t"}, timeout=5)
    assert response.status_code == 200
    assert response.json()["name"] == "vm1"
    with pytest.raises(AssertionError, match=r"POST https://example\.com left the test"):
        requests.post("https://example.com/hook", json={}, timeout=5)
    assert azpatch_fake.refused == ["POST https://example.com"]
    azpatch_fake.refused.clear()


@pytest.mark.anyio
async def test_aiohttp_used_directly_is_refused(azpatch_fake: FakeAzure) -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(AssertionError, match=r"GET https://example\.com left the test"):
            await session.get("https://example.com/")
    assert azpatch_fake.refused == ["GET https://example.com"]
    azpatch_fake.refused.clear()


def test_the_sdks_retry_waits_are_virtual(azpatch_fake: FakeAzure) -> None:
    azpatch_fake.add_vm("rg", "vm1", subscription_id=SUBSCRIPTION)
    azpatch_fake.faults.add("get_vm", Throttle(retry_after=120), times=2)
    started = time.monotonic()
    compute = ComputeManagementClient(Credential(), SUBSCRIPTION)
    assert compute.virtual_machines.get("rg", "vm1").name == "vm1"
    assert azpatch_fake.faults.calls("get_vm") == 3
    assert azpatch_fake.clock.slept == [120, 120]  # azure-core's RetryPolicy honoured them
    assert time.monotonic() - started < 1.0


@pytest.mark.azpatch_fake(throttling="azure")
def test_the_sdk_rides_through_the_fakes_throttling(azpatch_fake: FakeAzure) -> None:
    """Forty instance views of one VM in a row: Compute's per-VM budget (36) runs out, and
    azure-core waits out each 429's Retry-After on the virtual clock."""
    azpatch_fake.add_vm("rg", "vm1", subscription_id=SUBSCRIPTION)
    compute = ComputeManagementClient(Credential(), SUBSCRIPTION)
    views = [compute.virtual_machines.instance_view("rg", "vm1") for _ in range(40)]
    assert len(views) == 40
    throttled = azpatch_fake.timeline.events("request_throttled")
    assert throttled
    assert {e["refused_by"] for e in throttled} == {"Microsoft.Compute/LowCostGetVMResource"}
    assert azpatch_fake.clock.slept  # the waits were virtual
