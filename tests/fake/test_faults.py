"""Fault plans and faulty VMs, as azpatch meets them: each ends in recovery or a typed error."""

from __future__ import annotations

from datetime import timedelta

import pytest

import azpatch
from azpatch import models as m
from azpatch_fake import (
    ConnectionReset,
    FakeAzure,
    Malformed,
    ReadTimeout,
    ServerError,
    Slow,
    Throttle,
    Truncated,
)

PARAMETERS = m.VirtualMachineInstallPatchesParameters(
    maximum_duration=timedelta(hours=3),
    reboot_setting=m.VMGuestPatchRebootSetting.IF_REQUIRED,
    windows_parameters=m.WindowsParameters(classifications_to_include=("Critical", "Security")),
)


@pytest.fixture
def fake() -> FakeAzure:
    world = FakeAzure(seed=2)
    world.add_vm("rg", "vm1", os_type="Windows")
    return world


@pytest.fixture
def client(fake: FakeAzure) -> azpatch.Client:
    return fake.client(retry=azpatch.RetryPolicy(jitter=0))


def test_throttling_is_waited_out(fake: FakeAzure, client: azpatch.Client) -> None:
    fake.faults.add("get_instance_view", Throttle(retry_after=40), on_calls={1, 2})
    client.virtual_machines.get_instance_view("rg", "vm1")
    assert fake.faults.calls("get_instance_view") == 3
    assert fake.clock.slept == [40, 40]


def test_server_errors_then_recovery(fake: FakeAzure, client: azpatch.Client) -> None:
    fake.faults.add("get_vm", ServerError(503), times=2)
    assert client.virtual_machines.get("rg", "vm1").name == "vm1"
    assert fake.faults.calls("get_vm") == 3


def test_a_reset_install_was_processed_and_is_not_sent_again(
    fake: FakeAzure, client: azpatch.Client
) -> None:
    fake.faults.add("install_patches", ConnectionReset(after=True), on_calls={1})
    with pytest.raises(azpatch.TransportError):
        client.virtual_machines.begin_install_patches("rg", "vm1", PARAMETERS)
    assert fake.faults.calls("install_patches") == 1
    assert fake.vm("rg", "vm1").installation is not None  # it did start


def test_read_timeouts_on_polls_are_retried(fake: FakeAzure, client: azpatch.Client) -> None:
    fake.faults.add("get_operation", ReadTimeout(), on_calls={1, 2})
    assert client.virtual_machines.assess_patches("rg", "vm1").succeeded


@pytest.mark.parametrize("fault", [Malformed(), Truncated()])
def test_garbled_bodies_raise_validation_errors(
    fake: FakeAzure, client: azpatch.Client, fault: Malformed | Truncated
) -> None:
    fake.faults.add("get_instance_view", fault, on_calls={1})
    with pytest.raises(azpatch.ResponseValidationError):
        client.virtual_machines.get_instance_view("rg", "vm1")
    client.virtual_machines.get_instance_view("rg", "vm1")


def test_slow_answers_take_virtual_time(fake: FakeAzure, client: azpatch.Client) -> None:
    fake.faults.add("get_vm", Slow(seconds=12.5))
    client.virtual_machines.get("rg", "vm1")
    assert fake.clock.monotonic() == 12.5


def test_a_failing_vm_reports_a_failed_run(fake: FakeAzure, client: azpatch.Client) -> None:
    fake.vm("rg", "vm1").fail_installs = True
    result = client.virtual_machines.install_patches("rg", "vm1", PARAMETERS)
    assert result.status is m.PatchOperationStatus.FAILED
    assert (result.installed_patch_count, result.failed_patch_count) == (0, 3)
    with pytest.raises(azpatch.PatchRunError):
        result.raise_for_status()


def test_a_failed_reboot(fake: FakeAzure, client: azpatch.Client) -> None:
    fake.vm("rg", "vm1").fail_reboots = True
    result = client.virtual_machines.install_patches("rg", "vm1", PARAMETERS)
    assert result.reboot_status is m.VMGuestPatchRebootStatus.FAILED
    assert not result.succeeded


def test_a_hung_vm_runs_into_the_polling_deadline(fake: FakeAzure) -> None:
    fake.vm("rg", "vm1").hang = True
    client = fake.client(polling=azpatch.PollingPolicy(deadline=3600))
    with pytest.raises(azpatch.PollingTimeoutError) as caught:
        client.virtual_machines.install_patches("rg", "vm1", PARAMETERS)
    assert caught.value.continuation_token


def test_health_shows_in_the_instance_view(fake: FakeAzure, client: azpatch.Client) -> None:
    fake.vm("rg", "vm1").healthy = False
    view = client.virtual_machines.get_instance_view("rg", "vm1")
    assert view.vm_health.status.code == "HealthState/unhealthy"
