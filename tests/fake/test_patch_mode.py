"""set_patch_mode and wait_for_patch_mode_ready against the fake, sync and async."""

from __future__ import annotations

import itertools
import logging
from datetime import timedelta
from typing import Any

import pytest

import azpatch
from azpatch_fake import FakeAzure
from tests.client.conftest import maybe

pytestmark = pytest.mark.anyio


@pytest.fixture
def fake() -> FakeAzure:
    world = FakeAzure()
    world.add_vm("rg", "lin1", os_type="Linux")
    world.add_vm("rg", "win1", os_type="Windows")
    return world


async def test_switch_to_automatic_by_platform_and_wait_until_ready(
    client: Any, fake: FakeAzure, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="azpatch")
    vm = await maybe(
        client.virtual_machines.set_patch_mode(
            "rg", "lin1", "AutomaticByPlatform", reboot_setting="IfRequired"
        )
    )
    settings = vm.os_profile.linux_configuration.patch_settings
    assert str(settings.patch_mode) == "AutomaticByPlatform"
    assert str(settings.automatic_by_platform_settings.reboot_setting) == "IfRequired"
    assert any("off-peak" in message for message in caplog.messages)
    seen: list[azpatch.PatchModeProgress] = []
    view = await maybe(
        client.virtual_machines.wait_for_patch_mode_ready(
            "rg", "lin1", timeout=24 * 3600, on_progress=seen.append
        )
    )
    assert seen[0].state == "Pending"
    assert seen[-1].ready
    # R16: switched at 10:00 in West Europe, enabled from 22:00 local for four hours.
    assert seen[-1].elapsed >= 16 * 3600
    started = fake.timeline.events("enablement_started")[0]
    assert started["local_time"].startswith("2026-01-05T22:00:00")
    codes = [s.code for s in view.patch_status.configuration_statuses]
    assert "PatchModeConfigurationState/Ready" in codes


async def test_a_refused_change_writes_nothing(client: Any, fake: FakeAzure) -> None:
    with pytest.raises(azpatch.PatchModeTransitionError) as caught:
        await maybe(client.virtual_machines.set_patch_mode("rg", "win1", "Manual"))
    assert caught.value.code == "InvalidParameter"
    assert caught.value.target == "windowsConfiguration.patchSettings.patchMode"
    assert "patch_vm" not in fake.handled


async def test_a_dry_run_writes_nothing(client: Any, fake: FakeAzure) -> None:
    vm = await maybe(
        client.virtual_machines.set_patch_mode("rg", "win1", "AutomaticByPlatform", dry_run=True)
    )
    assert vm.os_profile.windows_configuration.patch_settings.patch_mode is None
    assert "patch_vm" not in fake.handled


async def test_waiting_gives_up_at_the_timeout(client: Any, fake: FakeAzure) -> None:
    await maybe(client.virtual_machines.set_patch_mode("rg", "lin1", "AutomaticByPlatform"))
    with pytest.raises(azpatch.PollingTimeoutError, match="still Pending"):
        await maybe(client.virtual_machines.wait_for_patch_mode_ready("rg", "lin1", timeout=600))


async def test_R16_a_16_hour_enablement_costs_a_few_dozen_reads(
    client: Any, fake: FakeAzure
) -> None:
    """Waiting backs off (30 s, doubling, up to 30 minutes): it used to read every 30 s."""
    await maybe(client.virtual_machines.set_patch_mode("rg", "lin1", "AutomaticByPlatform"))
    before = fake.handled["get_instance_view"]
    seen: list[azpatch.PatchModeProgress] = []
    await maybe(
        client.virtual_machines.wait_for_patch_mode_ready(
            "rg", "lin1", timeout=24 * 3600, on_progress=seen.append
        )
    )
    reads = fake.handled["get_instance_view"] - before
    assert seen[-1].elapsed >= 16 * 3600
    assert len(seen) == reads  # every poll reported
    hours = seen[-1].elapsed / 3600
    assert reads <= 4 * 12  # a few dozen: it was 1,913
    assert reads <= hours * 2 / 0.9 + 7, hours  # one every 30 minutes (less jitter), after six
    gaps = [later.elapsed - earlier.elapsed for earlier, later in itertools.pairwise(seen)]
    assert max(gaps) <= 30 * 60
    assert gaps[:3] == sorted(gaps[:3])  # growing


@pytest.mark.parametrize("minutes", [3, 15, 60])
def test_registration_waits_back_off(minutes: int) -> None:
    world = FakeAzure(feature_registration_delay=timedelta(minutes=minutes))
    with world.intercept():
        own = azpatch.Client(world.subscription_id, world.credential)
        seen: list[azpatch.RegistrationProgress] = []
        own.features.enable_guest_patching_preview(timeout=2 * 3600, on_progress=seen.append)
        own.close()
    feature_reads = world.handled["get_feature"]
    # two features read once before registering, then polled until Registered
    assert feature_reads <= 2 + 2 * (minutes * 60 // (30 * 60) + 7)
    assert len([p for p in seen if "Preview" in p.name]) == feature_reads - 2
