"""azpatch against the fake, sync and async: every operation, end to end, in virtual time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

import azpatch
from azpatch import models as m
from azpatch_fake import FakeAzure
from tests.client.conftest import collect, maybe

pytestmark = pytest.mark.anyio


@pytest.fixture
def fake() -> FakeAzure:
    world = FakeAzure(seed=7, page_size=2)
    world.add_vm("rg", "win1", os_type="Windows")
    world.add_vm("rg", "lin1", os_type="Linux")
    world.add_vm("other", "lin2", os_type="Linux")
    return world


async def test_get_and_instance_view(client: Any, fake: FakeAzure) -> None:
    vm = await maybe(client.virtual_machines.get("RG", "WIN1", expand="instanceView"))
    assert vm.name == "win1"
    assert vm.etag == '"1"'
    assert vm.storage_profile.os_disk.os_type == "Windows"
    windows = vm.os_profile.windows_configuration
    assert windows.enable_automatic_updates is True
    assert vm.instance_view.vm_agent.vm_agent_version == "2.10.0.8"
    view = await maybe(client.virtual_machines.get_instance_view("rg", "lin1"))
    assert [s.code for s in view.statuses][-1] == "PowerState/running"
    assert view.patch_status.configuration_statuses[0].code == "PatchModeConfigurationState/Ready"
    assert fake.unhandled == []


async def test_listing_pages(client: Any) -> None:
    names = [vm.name for vm in await collect(client.virtual_machines.list_all())]
    assert sorted(names) == ["lin1", "lin2", "win1"]
    in_rg = [vm.name for vm in await collect(client.virtual_machines.list("rg"))]
    assert sorted(in_rg) == ["lin1", "win1"]


async def test_assess_then_install_updates_the_patch_status(client: Any, fake: FakeAzure) -> None:
    assessment = await maybe(client.virtual_machines.assess_patches("rg", "win1"))
    assert assessment.succeeded
    assert assessment.critical_and_security_patch_count == 3
    assert len(assessment.available_patches) == 5  # the newest of each line: one a kind
    assert "Security Updates" in assessment.available_patches[0].classifications
    parameters = m.VirtualMachineInstallPatchesParameters(
        maximum_duration=timedelta(hours=2),
        reboot_setting=m.VMGuestPatchRebootSetting.IF_REQUIRED,
        windows_parameters=m.WindowsParameters(
            classifications_to_include=(
                m.VMGuestPatchClassificationWindows.CRITICAL,
                m.VMGuestPatchClassificationWindows.SECURITY,
            )
        ),
    )
    installed = await maybe(client.virtual_machines.install_patches("rg", "win1", parameters))
    installed.raise_for_status()
    assert installed.installed_patch_count == 3
    assert installed.not_selected_patch_count == 2
    assert installed.reboot_status is m.VMGuestPatchRebootStatus.COMPLETED
    view = await maybe(client.virtual_machines.get_instance_view("rg", "win1"))
    summary = view.patch_status.last_patch_installation_summary
    assert (summary.installed_patch_count, summary.status) == (3, "Succeeded")
    again = await maybe(client.virtual_machines.assess_patches("rg", "win1"))
    assert again.critical_and_security_patch_count == 0
    assert again.other_patch_count == 2
    assert all(slept == 30.0 for slept in fake.clock.slept)  # the fake's Retry-After


async def test_a_short_window_leaves_patches_pending(client: Any) -> None:
    parameters = m.VirtualMachineInstallPatchesParameters(
        maximum_duration=timedelta(minutes=7),
        reboot_setting=m.VMGuestPatchRebootSetting.NEVER,
        linux_parameters=m.LinuxParameters(
            classifications_to_include=(
                m.VMGuestPatchClassificationLinux.CRITICAL,
                m.VMGuestPatchClassificationLinux.SECURITY,
                m.VMGuestPatchClassificationLinux.OTHER,
            )
        ),
    )
    result = await maybe(client.virtual_machines.install_patches("rg", "lin1", parameters))
    assert result.maintenance_window_exceeded
    # Two minutes of overhead, then one minute per patch: five of the six fit in seven.
    assert result.installed_patch_count == 5
    assert result.pending_patch_count == 1
    assert not result.succeeded


async def test_a_deallocated_vm_refuses_patching(client: Any, fake: FakeAzure) -> None:
    fake.vm("rg", "lin1").power_state = "deallocated"
    with pytest.raises(azpatch.ConflictError) as caught:
        await maybe(client.virtual_machines.begin_assess_patches("rg", "lin1"))
    assert caught.value.code == "OperationNotAllowed"


async def test_unknown_vm_and_resource_group(client: Any) -> None:
    with pytest.raises(azpatch.NotFoundError) as caught:
        await maybe(client.virtual_machines.get("rg", "nope"))
    assert caught.value.code == "ResourceNotFound"
    with pytest.raises(azpatch.NotFoundError) as caught:
        await maybe(client.virtual_machines.get("nope", "vm"))
    assert caught.value.code == "ResourceGroupNotFound"


async def test_bad_install_parameters_are_refused_with_a_target(
    client: Any, fake: FakeAzure
) -> None:
    parameters = m.VirtualMachineInstallPatchesParameters(
        reboot_setting="Sometimes",
        windows_parameters=m.WindowsParameters(classifications_to_include=("Critical",)),
    )
    with pytest.raises(azpatch.BadRequestError) as caught:
        await maybe(client.virtual_machines.begin_install_patches("rg", "win1", parameters))
    assert (caught.value.code, caught.value.target) == ("InvalidParameter", "rebootSetting")
    assert fake.vm("rg", "win1").installation is None


async def test_features_and_providers(client: Any, fake: FakeAzure) -> None:
    feature = await maybe(client.features.register("Microsoft.Compute", "InGuestPatchVMPreview"))
    assert str(feature.properties.state) == "Registering"
    seen: list[azpatch.RegistrationProgress] = []
    feature = await maybe(
        client.features.wait_until_registered(
            "Microsoft.Compute", "InGuestPatchVMPreview", timeout=600, on_progress=seen.append
        )
    )
    assert feature.properties.state is m.SubscriptionFeatureRegistrationState.REGISTERED
    assert 180.0 <= seen[-1].elapsed <= 210.0  # Registered at 180 s, seen at the next poll
    listed = await collect(client.features.list("Microsoft.Compute"))
    assert [f.name for f in listed] == ["Microsoft.Compute/InGuestPatchVMPreview"]
    feature = await maybe(client.features.unregister("Microsoft.Compute", "InGuestPatchVMPreview"))
    assert str(feature.properties.state) == "Unregistered"
    provider = await maybe(client.providers.register("Microsoft.Compute"))
    assert str(provider.registration_state) == "Registering"
    provider = await maybe(client.providers.wait_until_registered("Microsoft.Compute", timeout=300))
    assert str(provider.registration_state) == "Registered"


async def test_the_preview_opt_in_end_to_end(client: Any, fake: FakeAzure) -> None:
    preview = await maybe(client.features.enable_guest_patching_preview(timeout=3600))
    assert preview.changed
    assert "microsoft.compute" in fake.subscription(fake.subscription_id).provider_registered_at
    again = await maybe(client.features.enable_guest_patching_preview(timeout=3600))
    assert not again.changed


async def test_a_resumed_poller_finishes(client: Any, fake: FakeAzure) -> None:
    poller = await maybe(client.virtual_machines.begin_assess_patches("rg", "lin1"))
    token = poller.continuation_token()
    fake.advance(timedelta(minutes=5))
    resumed = await maybe(
        client.virtual_machines.begin_assess_patches("rg", "lin1", continuation_token=token)
    )
    assert (await maybe(resumed.result())).succeeded


async def test_kb_and_package_filters(client: Any, fake: FakeAzure) -> None:
    windows_patches = fake.available_patches(fake.vm("rg", "win1"))
    security = [p for p in windows_patches if p.classification == "Security"]
    parameters = m.VirtualMachineInstallPatchesParameters(
        reboot_setting=m.VMGuestPatchRebootSetting.NEVER,
        windows_parameters=m.WindowsParameters(
            classifications_to_include=("Security",), kb_numbers_to_exclude=(security[0].kb_id,)
        ),
    )
    result = await maybe(client.virtual_machines.install_patches("rg", "win1", parameters))
    assert (result.installed_patch_count, result.excluded_patch_count) == (1, 1)
    linux_patches = fake.available_patches(fake.vm("rg", "lin1"))
    wanted = linux_patches[0]
    parameters = m.VirtualMachineInstallPatchesParameters(
        reboot_setting=m.VMGuestPatchRebootSetting.NEVER,
        linux_parameters=m.LinuxParameters(
            package_name_masks_to_include=(f"{wanted.name}_{wanted.version}",)
        ),
    )
    result = await maybe(client.virtual_machines.install_patches("rg", "lin1", parameters))
    assert [p.name for p in result.patches if p.installation_state == "Installed"] == [wanted.name]


async def test_subscriptions_are_worlds_apart(fake: FakeAzure) -> None:
    other = "11111111-1111-1111-1111-111111111111"
    fake.add_vm("rg", "win1", subscription_id=other, os_type="Windows")
    fake.add_vm("rg", "only-there", subscription_id=other)
    with fake.client() as home:
        assert "only-there" not in [vm.name for vm in home.virtual_machines.list_all()]
    # A client for the other subscription, built as a user would:
    with azpatch.Client(
        other,
        fake.credential,
        http_client=httpx.Client(transport=fake.transport),
        clock=fake.clock,
    ) as there:
        names = sorted(vm.name for vm in there.virtual_machines.list_all())
        assert names == ["only-there", "win1"]
        assert there.features.register("Microsoft.Compute", "F").name == "Microsoft.Compute/F"
    assert fake.subscription(fake.subscription_id).features == {}
    assert fake.vm("rg", "win1", subscription_id=other).subscription_id == other
    with (
        pytest.raises(azpatch.NotFoundError) as caught,
        azpatch.Client(
            "22222222-2222-2222-2222-222222222222",
            fake.credential,
            http_client=httpx.Client(transport=fake.transport),
            clock=fake.clock,
        ) as nowhere,
    ):
        nowhere.virtual_machines.get("rg", "win1")
    # A subscription the world never saw exists on first use, empty.
    assert caught.value.code == "ResourceGroupNotFound"
    assert fake.subscription("22222222-2222-2222-2222-222222222222").vms == {}


def test_strict_subscriptions_answer_subscription_not_found() -> None:
    fake = FakeAzure(strict_subscriptions=True)
    unknown = "22222222-2222-2222-2222-222222222222"
    with (
        pytest.raises(azpatch.NotFoundError) as caught,
        azpatch.Client(
            unknown,
            fake.credential,
            http_client=httpx.Client(transport=fake.transport),
            clock=fake.clock,
        ) as nowhere,
    ):
        nowhere.virtual_machines.get("rg", "vm")
    assert caught.value.code == "SubscriptionNotFound"
    assert [s.subscription_id for s in fake.subscriptions()] == [fake.subscription_id]


def test_a_malformed_subscription_id_is_refused_and_not_created() -> None:
    fake = FakeAzure()
    url = f"{fake.base_url}/subscriptions/not-a-guid/resourceGroups/rg/providers"
    url += "/Microsoft.Compute/virtualMachines/vm?api-version=2024-07-01"
    response = fake.handle(httpx.Request("GET", url))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidSubscriptionId"
    assert len(fake.subscriptions()) == 1


async def test_an_operation_reports_every_poll(client: Any, fake: FakeAzure) -> None:
    seen: list[azpatch.OperationProgress] = []
    result = await maybe(
        client.virtual_machines.assess_patches("rg", "lin1", on_progress=seen.append)
    )
    assert result.succeeded
    assert [p.polls for p in seen] == list(range(1, len(seen) + 1))
    assert {(p.vm, p.operation) for p in seen} == {("rg/lin1", "assess_patches")}
    assert [p.done for p in seen] == [False] * (len(seen) - 1) + [True]
    assert seen[-1].status.casefold() == "succeeded"
    assert [p.elapsed for p in seen] == sorted(p.elapsed for p in seen)
