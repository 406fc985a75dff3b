"""The fake on the wire, with plain httpx: what ARM accepts, refuses, and how it says so."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import azpatch
from azpatch import models as m
from azpatch_fake import FakeAzure
from tests.wire.examples import EXAMPLES

SUB = "00000000-0000-0000-0000-00000000000a"
RG = f"https://management.azure.com/subscriptions/{SUB}/resourceGroups/rg"
VM = f"{RG}/providers/Microsoft.Compute/virtualMachines"
API = {"api-version": "2025-11-01"}


@pytest.fixture
def fake() -> FakeAzure:
    world = FakeAzure()
    world.add_resource_group("rg")
    return world


@pytest.fixture
def http(fake: FakeAzure) -> httpx.Client:
    return httpx.Client(transport=fake.transport)


def _example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text())["parameters"]["parameters"]


@pytest.mark.parametrize(
    ("example", "os_type", "mode"),
    [
        (
            "2020-12-01/CreateALinuxVmWithPatchSettingModeOfAutomaticByPlatform.json",
            "Linux",
            "AutomaticByPlatform",
        ),
        (
            "2026-03-01/VirtualMachine_Create_WindowsVmWithAutomaticByPlatformSettings.json",
            "Windows",
            "AutomaticByPlatform",
        ),
    ],
)
def test_microsofts_create_examples_are_accepted(
    http: httpx.Client, fake: FakeAzure, example: str, os_type: str, mode: str
) -> None:
    response = http.put(f"{VM}/myVM", params=API, json=_example(example))
    assert response.status_code == 201
    vm = azpatch.from_wire(m.VirtualMachine, response.json())
    assert vm.storage_profile.os_disk.os_type == os_type
    config = vm.os_profile.windows_configuration or vm.os_profile.linux_configuration
    assert str(config.patch_settings.patch_mode) == mode
    assert response.headers["ETag"] == vm.etag
    assert fake.vm("rg", "myVM").os_type == os_type


MANUAL_EXAMPLE = "2020-12-01/CreateAWindowsVmWithPatchSettingModeOfManual.json"


def test_the_manual_example_breaks_rule_r6_and_its_corrected_copy_is_accepted(
    http: httpx.Client, fake: FakeAzure
) -> None:
    """The example sends Manual with enableAutomaticUpdates true, which R6 refuses."""
    refused = http.put(f"{VM}/vm1", params=API, json=_example(MANUAL_EXAMPLE))
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert (error["code"], error["target"]) == (
        "InvalidParameter",
        "windowsConfiguration.patchSettings.patchMode",
    )
    assert fake.find_vm("rg", "vm1") is None
    assert _create(http).status_code == 201


def _create(http: httpx.Client) -> httpx.Response:
    """Microsoft's Manual example, corrected to enableAutomaticUpdates false (R6)."""
    body = _example(MANUAL_EXAMPLE)
    body["properties"]["osProfile"]["windowsConfiguration"]["enableAutomaticUpdates"] = False
    return http.put(f"{VM}/vm1", params=API, json=body)


def test_patch_honours_if_match(http: httpx.Client, fake: FakeAzure) -> None:
    etag = _create(http).headers["ETag"]
    change = {
        "properties": {
            "osProfile": {
                "windowsConfiguration": {"patchSettings": {"patchMode": "AutomaticByPlatform"}}
            }
        }
    }
    stale = http.patch(f"{VM}/vm1", params=API, json=change, headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    assert fake.vm("rg", "vm1").patch_settings.patch_mode == "Manual"
    fresh = http.patch(f"{VM}/vm1", params=API, json=change, headers={"If-Match": etag})
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] != etag
    assert fake.vm("rg", "vm1").patch_settings.patch_mode == "AutomaticByPlatform"


def test_enable_automatic_updates_cannot_change_after_creation(
    http: httpx.Client, fake: FakeAzure
) -> None:
    _create(http)
    change = {
        "properties": {"osProfile": {"windowsConfiguration": {"enableAutomaticUpdates": True}}}
    }
    response = http.patch(f"{VM}/vm1", params=API, json=change)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "PropertyChangeNotAllowed"


@pytest.mark.parametrize(
    ("body", "status", "code", "target"),
    [
        (
            {
                "properties": {
                    "osProfile": {
                        "windowsConfiguration": {"patchSettings": {"patchMode": "ImageDefault"}}
                    }
                }
            },
            400,
            "InvalidParameter",
            "windowsConfiguration.patchSettings.patchMode",
        ),
        (
            {"properties": {"osProfile": {"windowsConfiguration": {"provisionVMAgent": "yes"}}}},
            400,
            "InvalidParameter",
            "properties.osProfile.windowsConfiguration.provisionVMAgent",
        ),
        ({"tags": ["a"]}, 400, "InvalidParameter", "tags"),
    ],
)
def test_bad_bodies_are_refused_and_change_nothing(
    http: httpx.Client, fake: FakeAzure, body: Any, status: int, code: str, target: str
) -> None:
    _create(http)
    before = fake.vm_json(fake.vm("rg", "vm1"))
    response = http.patch(f"{VM}/vm1", params=API, json=body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["target"] == target
    assert fake.vm_json(fake.vm("rg", "vm1")) == before


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"{not json", 400, "InvalidRequestContent"),
        (b"[1, 2]", 400, "InvalidRequestContent"),
        (b"", 400, "InvalidRequestContent"),
        (b'{"x": "' + b"a" * (1 << 20) + b'"}', 413, "RequestEntityTooLarge"),
    ],
)
def test_malformed_and_oversized_bodies(
    http: httpx.Client, content: bytes, status: int, code: str
) -> None:
    response = http.put(f"{VM}/vm1", params=API, content=content)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_api_versions(http: httpx.Client, fake: FakeAzure) -> None:
    fake.add_vm("rg", "vm1")
    missing = http.get(f"{VM}/vm1")
    assert (missing.status_code, missing.json()["error"]["code"]) == (
        400,
        "MissingApiVersionParameter",
    )
    old = http.get(f"{VM}/vm1", params={"api-version": "2019-07-01"})
    assert (old.status_code, old.json()["error"]["code"]) == (400, "InvalidApiVersionParameter")
    assert http.get(f"{VM}/vm1", params={"api-version": "2020-12-01"}).status_code == 200


def test_unknown_routes_are_answered_and_recorded(http: httpx.Client, fake: FakeAzure) -> None:
    response = http.get(f"{RG}/providers/Microsoft.Network/virtualNetworks/n", params=API)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "InvalidResourceType"
    assert [str(r.url.path) for r in fake.unhandled] == [
        f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/n"
    ]
    with pytest.raises(AssertionError, match="virtualNetworks"):
        fake.assert_no_unhandled_requests()


def test_every_response_carries_arm_headers(http: httpx.Client, fake: FakeAzure) -> None:
    fake.add_vm("rg", "vm1")
    response = http.get(
        f"{VM}/vm1",
        params=API,
        headers={"x-ms-client-request-id": "abc", "x-ms-return-client-request-id": "true"},
    )
    assert response.headers["x-ms-client-request-id"] == "abc"
    assert response.headers["x-ms-request-id"]
    assert response.headers["Date"] == "Mon, 05 Jan 2026 09:00:00 GMT"


def test_availability_sets_place_members_round_robin(http: httpx.Client, fake: FakeAzure) -> None:
    avset = f"{RG}/providers/Microsoft.Compute/availabilitySets/set1"
    created = http.put(
        avset,
        params=API,
        json={
            "location": "westeurope",
            "properties": {"platformUpdateDomainCount": 3, "platformFaultDomainCount": 2},
        },
    )
    assert created.status_code == 201
    set_id = created.json()["id"]
    domains = []
    for index in range(4):
        body = _example("2020-12-01/CreateALinuxVmWithPatchSettingModeOfAutomaticByPlatform.json")
        body["properties"]["availabilitySet"] = {"id": set_id}
        http.put(f"{VM}/vm{index}", params=API, json=body)
        view = http.get(f"{VM}/vm{index}/instanceView", params=API).json()
        domains.append((view["platformUpdateDomain"], view["platformFaultDomain"]))
    assert domains == [(0, 0), (1, 1), (2, 0), (0, 1)]
    listed = http.get(avset, params=API).json()
    assert len(listed["properties"]["virtualMachines"]) == 4


def test_power_operations_take_virtual_time(http: httpx.Client, fake: FakeAzure) -> None:
    fake.add_vm("rg", "vm1")
    accepted = http.post(f"{VM}/vm1/deallocate", params=API)
    assert accepted.status_code == 202
    status_url = accepted.headers["Azure-AsyncOperation"]
    assert http.get(status_url).json()["status"] == "InProgress"
    assert http.get(accepted.headers["Location"]).status_code == 202
    fake.advance(30)
    assert http.get(status_url).json()["status"] == "Succeeded"
    assert fake.vm("rg", "vm1").power_state == "deallocated"


@pytest.mark.parametrize("duration", ["PT4H", "PT04H00M00S", "P0DT4H"])
def test_install_accepts_what_real_clients_send(
    http: httpx.Client, fake: FakeAzure, duration: str
) -> None:
    fake.add_vm("rg", "vm1", os_type="Windows")
    body = {
        "maximumDuration": duration,
        "rebootSetting": "IfRequired",
        "windowsParameters": {"classificationsToInclude": ["Security"]},
        "linuxParameters": {},
    }
    response = http.post(f"{VM}/vm1/installPatches", params=API, json=body)
    assert response.status_code == 202
    fake.advance(3600)
    result = http.get(response.headers["Location"]).json()
    assert result["installedPatchCount"] == 2  # the cumulative and .NET updates
    view = http.get(f"{VM}/vm1/instanceView", params=API).json()
    summary = view["patchStatus"]["lastPatchInstallationSummary"]
    assert summary["installedPatchCount"] == 2
    assert "startedBy" not in summary  # not in Microsoft's schema, so never sent


@pytest.mark.parametrize(
    ("body", "target"),
    [
        ({"rebootSetting": "IfRequired", "maximumDuration": "four hours"}, "maximumDuration"),
        (
            {
                "rebootSetting": "IfRequired",
                "windowsParameters": {"classificationsToInclude": ["Bugs"]},
            },
            "windowsParameters.classificationsToInclude",
        ),
        ({"maximumDuration": "PT4H"}, "rebootSetting"),
    ],
)
def test_bad_install_bodies_start_nothing(
    http: httpx.Client, fake: FakeAzure, body: Any, target: str
) -> None:
    fake.add_vm("rg", "vm1", os_type="Windows")
    response = http.post(f"{VM}/vm1/installPatches", params=API, json=body)
    assert response.status_code == 400
    assert response.json()["error"]["target"] == target
    assert fake.vm("rg", "vm1").installation is None


def _unsupported_image() -> Any:
    body = _example("2020-12-01/CreateALinuxVmWithPatchSettingModeOfAutomaticByPlatform.json")
    body["properties"]["storageProfile"]["imageReference"] = {
        "publisher": "SomeVendor",
        "offer": "appliance",
        "sku": "v1",
        "version": "latest",
    }
    return body


def test_automatic_by_platform_needs_a_supported_image(http: httpx.Client, fake: FakeAzure) -> None:
    response = http.put(f"{VM}/vm1", params=API, json=_unsupported_image())
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["target"] == "linuxConfiguration.patchSettings.patchMode"
    assert "not supported for VM Guest patch operations" in error["message"]
    assert fake.find_vm("rg", "vm1") is None


def test_on_demand_patching_needs_a_supported_image(http: httpx.Client, fake: FakeAzure) -> None:
    from azpatch_fake import ImageRecord

    fake.add_vm("rg", "vm1", image=ImageRecord("SomeVendor", "appliance", "v1"))
    response = http.post(f"{VM}/vm1/assessPatches", params=API)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidParameter"
    assert fake.vm("rg", "vm1").assessment is None


def test_custom_images_are_let_through(http: httpx.Client, fake: FakeAzure) -> None:
    body = _unsupported_image()
    body["properties"]["storageProfile"]["imageReference"] = {
        "id": f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/images/golden"
    }
    assert http.put(f"{VM}/vm1", params=API, json=body).status_code == 201
    assert http.post(f"{VM}/vm1/assessPatches", params=API).status_code == 202


def test_linux_patch_settings_need_api_version_2020_12_01(
    http: httpx.Client, fake: FakeAzure
) -> None:
    """R10: Linux patch settings arrived in 2020-12-01; Windows had them in 2020-06-01."""
    fake.add_vm("rg", "lin1")
    fake.add_vm("rg", "win1", os_type="Windows")
    linux = {
        "properties": {
            "osProfile": {
                "linuxConfiguration": {"patchSettings": {"patchMode": "AutomaticByPlatform"}}
            }
        }
    }
    windows = {
        "properties": {
            "osProfile": {
                "windowsConfiguration": {"patchSettings": {"patchMode": "AutomaticByPlatform"}}
            }
        }
    }
    old = {"api-version": "2020-06-01"}
    refused = http.patch(f"{VM}/lin1", params=old, json=linux)
    assert refused.status_code == 400
    assert refused.json()["error"]["target"] == "linuxConfiguration.patchSettings"
    assert (
        http.patch(f"{VM}/lin1", params={"api-version": "2020-12-01"}, json=linux).status_code
        == 200
    )
    assert http.patch(f"{VM}/win1", params=old, json=windows).status_code == 200
    assert http.post(f"{VM}/win1/assessPatches", params=old).status_code == 202
    install = http.post(f"{VM}/win1/installPatches", params=old, json={"rebootSetting": "Never"})
    assert install.json()["error"]["code"] == "InvalidApiVersionParameter"


def test_a_get_echoes_what_a_client_wrote_and_never_a_password(
    fake: FakeAzure, http: httpx.Client
) -> None:
    request = _example(
        "2026-03-01/VirtualMachine_Create_WindowsVmWithAutomaticByPlatformSettings.json"
    )
    request["properties"]["osProfile"]["adminPassword"] = "Sup3r-Secret!"
    request["properties"]["diagnosticsProfile"] = {"bootDiagnostics": {"enabled": True}}
    request["identity"] = {"type": "SystemAssigned"}
    assert http.put(f"{VM}/echoed", params=API, json=request).status_code == 201
    got = http.get(f"{VM}/echoed", params=API).json()
    assert got["properties"]["hardwareProfile"] == request["properties"]["hardwareProfile"]
    assert got["properties"]["networkProfile"] == request["properties"]["networkProfile"]
    assert got["properties"]["diagnosticsProfile"] == {"bootDiagnostics": {"enabled": True}}
    assert got["identity"] == {"type": "SystemAssigned"}
    assert "adminPassword" not in got["properties"]["osProfile"]
    assert got["properties"]["provisioningState"] == "Succeeded"  # what the fake models wins
    patched = http.patch(
        f"{VM}/echoed",
        params=API,
        json={"properties": {"diagnosticsProfile": {"bootDiagnostics": {"enabled": False}}}},
    ).json()
    assert patched["properties"]["diagnosticsProfile"]["bootDiagnostics"]["enabled"] is False
    assert patched["properties"]["hardwareProfile"] == request["properties"]["hardwareProfile"]


def test_a_provider_lists_its_resource_types(fake: FakeAzure, http: httpx.Client) -> None:
    url = f"{fake.base_url}/subscriptions/{fake.subscription_id}/providers/Microsoft.Compute"
    types = http.get(url, params={"api-version": "2024-07-01"}).json()["resourceTypes"]
    vms = next(t for t in types if t["resourceType"] == "virtualMachines")
    assert "West Europe" in vms["locations"]
    assert "2025-11-01" in vms["apiVersions"]
