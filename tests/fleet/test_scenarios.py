"""Fleet runs as users write them: their own client, under the fixture, with Azure's budgets on."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

import azpatch
from azpatch import OutcomeStatus, VmOutcome
from azpatch import models as m
from azpatch_fake import FakeAzure

from .conftest import seed

pytestmark = pytest.mark.azpatch_fake(throttling="azure")
CREDENTIAL = azpatch.StaticTokenCredential("a-secret-token")
LINUX = m.VirtualMachineInstallPatchesParameters(
    maximum_duration=timedelta(hours=2),
    reboot_setting="IfRequired",
    linux_parameters=m.LinuxParameters(classifications_to_include=("Critical", "Security")),
)


def statuses(outcomes: list[VmOutcome[object]]) -> Counter[str]:
    return Counter(outcome.status.value for outcome in outcomes)


def throttled(fake: FakeAzure) -> int:
    return sum(1 for _ in fake.timeline.events(("request_throttled",)))


def test_a_client_of_one_subscription_assesses_groups_of_several(azpatch_fake: FakeAzure) -> None:
    subscriptions = seed(azpatch_fake, subscriptions=3, regions=2, per_region=5)
    targets = [f"/subscriptions/{s}/resourceGroups/rg-westeurope" for s in subscriptions]
    with azpatch.Client(subscriptions[0], CREDENTIAL) as client:
        outcomes = list(client.fleet.assess(targets))
    assert statuses(outcomes) == {"succeeded": 15}
    assert all(isinstance(o.result, m.VirtualMachineAssessPatchesResult) for o in outcomes)
    assert throttled(azpatch_fake) == 0


@pytest.mark.anyio
async def test_the_async_runner_installs_once_on_every_vm_of_every_subscription(
    azpatch_fake: FakeAzure,
) -> None:
    subscriptions = seed(azpatch_fake, subscriptions=4, regions=3, per_region=4)
    async with azpatch.AsyncClient(subscriptions[0], CREDENTIAL) as client:
        outcomes = [
            o
            async for o in client.fleet.install(
                [f"/subscriptions/{s}" for s in subscriptions], LINUX
            )
        ]
    assert statuses(outcomes) == {"succeeded": 48}
    assert len({o.target.casefold() for o in outcomes}) == 48
    assert azpatch_fake.faults.calls("install_patches") == 48
    assert throttled(azpatch_fake) == 0


def test_every_vm_the_credential_can_list_is_assessed_once(azpatch_fake: FakeAzure) -> None:
    subscriptions = seed(azpatch_fake, subscriptions=3, regions=2, per_region=3)
    azpatch_fake.add_vm("rg", "home")  # the fixture's own subscription counts too
    one = f"/subscriptions/{subscriptions[1]}/resourceGroups/rg-westeurope"
    with azpatch.Client(subscriptions[0], CREDENTIAL) as client:
        outcomes = list(client.fleet.assess(["/subscriptions", one, azpatch.TenantTarget()]))
    assert statuses(outcomes) == {"succeeded": 19}
    assert len({o.target.casefold() for o in outcomes}) == 19
    assert azpatch_fake.faults.calls("list_subscriptions") == 1
    assert throttled(azpatch_fake) == 0


def test_patch_mode_changes_are_judged_per_vm_refused_skipped_or_made(
    azpatch_fake: FakeAzure,
) -> None:
    fake = azpatch_fake
    fake.add_vm("rg", "ready", patch_mode="AutomaticByPlatform")
    fake.add_vm("rg", "plain")
    fake.add_vm("rg", "no-agent", provision_vm_agent=False)
    with azpatch.Client(fake.subscription_id, CREDENTIAL) as client:
        outcomes = {
            o.target.rsplit("/", 1)[-1]: o
            for o in client.fleet.set_patch_mode(
                f"/subscriptions/{fake.subscription_id}/resourceGroups/rg", "AutomaticByPlatform"
            )
        }
    assert outcomes["ready"].status is OutcomeStatus.SKIPPED
    assert outcomes["plain"].status is OutcomeStatus.SUCCEEDED
    refused = outcomes["no-agent"]
    assert refused.status is OutcomeStatus.REFUSED
    assert refused.code
    assert refused.message
    assert fake.vm("rg", "no-agent").patch_settings.patch_mode is None  # nothing written
    assert fake.vm("rg", "plain").patch_settings.patch_mode == "AutomaticByPlatform"


def test_missing_groups_and_vms_are_reported_per_target_and_the_run_goes_on(
    azpatch_fake: FakeAzure,
) -> None:
    fake = azpatch_fake
    fake.add_vm("rg", "vm1")
    sub = fake.subscription_id
    targets = [
        f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
        f"/subscriptions/{sub}/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/VM1",
        f"/subscriptions/{sub}/resourceGroups/rg",  # lists vm1 again: still one outcome
        f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/gone",
        f"/subscriptions/{sub}/resourceGroups/nowhere",
    ]
    with azpatch.Client(sub, CREDENTIAL) as client:
        outcomes = {o.target.rsplit("/", 1)[-1].casefold(): o for o in client.fleet.assess(targets)}
    assert sorted(outcomes) == ["gone", "nowhere", "vm1"]
    assert outcomes["vm1"].status is OutcomeStatus.SUCCEEDED
    assert (outcomes["gone"].status, outcomes["gone"].code) == (
        OutcomeStatus.FAILED,
        "ResourceNotFound",
    )
    assert outcomes["nowhere"].status is OutcomeStatus.FAILED
    assert outcomes["nowhere"].code == "ResourceGroupNotFound"


def test_bad_targets_and_options_are_refused_before_any_request(azpatch_fake: FakeAzure) -> None:
    with azpatch.Client(azpatch_fake.subscription_id, CREDENTIAL) as client:
        for targets in ("/subscriptions/not-a-guid", "rg/vm", [], "/subscriptions/x/../y"):
            with pytest.raises(azpatch.InvalidArgumentError, match="target"):
                client.fleet.assess(targets)
        with pytest.raises(azpatch.InvalidArgumentError, match="max_concurrency"):
            client.fleet.assess(f"/subscriptions/{azpatch_fake.subscription_id}", max_concurrency=0)
        with pytest.raises(azpatch.InvalidArgumentError, match="deadline"):
            client.fleet.assess(f"/subscriptions/{azpatch_fake.subscription_id}", deadline=-1)
    assert not azpatch_fake.handled


def test_set_patch_mode_writes_nothing_when_the_vm_has_the_settings(
    azpatch_fake: FakeAzure,
) -> None:
    azpatch_fake.add_vm("rg", "ready", patch_mode="AutomaticByPlatform")
    with azpatch.Client(azpatch_fake.subscription_id, CREDENTIAL) as client:
        vm = client.virtual_machines.set_patch_mode("rg", "ready", "automaticbyplatform")
        client.virtual_machines.set_patch_mode(
            "rg", "ready", "AutomaticByPlatform", assessment_mode="AutomaticByPlatform"
        )
    assert vm.name == "ready"
    assert azpatch_fake.faults.calls("patch_vm") == 1  # only the assessment mode was new


def test_the_compliance_report_says_per_vm_what_is_missing_and_why_not_platform(
    azpatch_fake: FakeAzure,
) -> None:
    fake = azpatch_fake
    fake.add_vm("rg", "patched", patch_mode="AutomaticByPlatform")
    fake.add_vm("rg", "behind")
    fake.add_vm("rg", "never")
    fake.add_vm("rg", "no-agent", provision_vm_agent=False)
    group = f"/subscriptions/{fake.subscription_id}/resourceGroups/rg"
    with azpatch.Client(fake.subscription_id, CREDENTIAL) as client:
        client.virtual_machines.assess_patches("rg", "behind")
        client.virtual_machines.install_patches("rg", "patched", LINUX)
        client.virtual_machines.assess_patches("rg", "patched")
        fake.advance(3600)
        report = {o.result.name: o.result for o in client.fleet.status(group) if o.result}
    behind, patched = report["behind"], report["patched"]
    assert behind.compliant is False
    assert behind.critical_and_security
    assert behind.assessment_age is not None
    assert behind.assessment_age >= timedelta(hours=1)
    assert behind.not_automatic_by_platform == (
        "its patch mode is ImageDefault; the rules allow AutomaticByPlatform"
    )
    assert patched.compliant is True
    assert patched.last_install == "Succeeded"
    assert patched.not_automatic_by_platform is None
    assert report["never"].compliant is None
    assert report["never"].assessed_at is None
    refusal = report["no-agent"].not_automatic_by_platform
    assert refusal is not None
    assert refusal.startswith("InvalidParameter")
