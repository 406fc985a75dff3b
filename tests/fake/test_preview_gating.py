"""FakeAzure(require_preview_registration=True): the preview's opt-in, enforced as ARM did."""

from __future__ import annotations

import httpx
import pytest

import azpatch
from azpatch_fake import FakeAzure

VMS = (
    "https://management.azure.com/subscriptions/00000000-0000-0000-0000-00000000000a"
    "/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines"
)
PATCH_MODE = {
    "location": "westeurope",
    "properties": {
        "osProfile": {"linuxConfiguration": {"patchSettings": {"patchMode": "AutomaticByPlatform"}}}
    },
}


@pytest.fixture
def fake() -> FakeAzure:
    world = FakeAzure(require_preview_registration=True)
    world.add_vm("rg", "vm1")
    return world


def test_assessment_needs_the_features(fake: FakeAzure) -> None:
    with fake.client() as client, pytest.raises(azpatch.BadRequestError) as caught:
        client.virtual_machines.begin_assess_patches("rg", "vm1")
    assert caught.value.code == "SubscriptionNotRegisteredForFeature"
    assert fake.vm("rg", "vm1").assessment is None


def test_patch_settings_need_the_features_and_a_refused_create_leaves_nothing(
    fake: FakeAzure,
) -> None:
    http = httpx.Client(transport=fake.transport)
    response = http.put(f"{VMS}/vm2", params={"api-version": "2025-11-01"}, json=PATCH_MODE)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "SubscriptionNotRegisteredForFeature"
    assert fake.find_vm("rg", "vm2") is None


def test_the_provider_must_be_registered_again_after_the_features(fake: FakeAzure) -> None:
    with fake.client() as client:
        client.providers.register("Microsoft.Compute")
        client.providers.wait_until_registered("Microsoft.Compute", timeout=600)
        for name in ("InGuestAutoPatchVMPreview", "InGuestPatchVMPreview"):
            client.features.register("Microsoft.Compute", name)
            client.features.wait_until_registered("Microsoft.Compute", name, timeout=900)
        with pytest.raises(azpatch.ConflictError) as caught:
            client.virtual_machines.begin_assess_patches("rg", "vm1")
        assert caught.value.code == "MissingSubscriptionRegistration"


def test_the_whole_opt_in_unlocks_patching(fake: FakeAzure) -> None:
    with fake.client() as client:
        client.features.enable_guest_patching_preview(timeout=3600)
        assert client.virtual_machines.assess_patches("rg", "vm1").succeeded
