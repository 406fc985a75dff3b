"""A fleet run through 5xx, resets, throttling it did not cause, and slow VMs."""

from __future__ import annotations

from collections import Counter

import pytest

import azpatch
from azpatch import FleetProgress, OutcomeStatus
from azpatch_fake import FakeAzure
from azpatch_fake._arm._faults import ConnectionReset, ServerError, Slow, Throttle

from .test_scenarios import CREDENTIAL, LINUX, statuses

pytestmark = pytest.mark.azpatch_fake(throttling="azure")


def _group(fake: FakeAzure, count: int) -> str:
    for index in range(count):
        fake.add_vm("rg", f"vm{index}")
    return f"/subscriptions/{fake.subscription_id}/resourceGroups/rg"


def test_idempotent_requests_are_retried_through_5xx_resets_and_injected_429s(
    azpatch_fake: FakeAzure,
) -> None:
    fake = azpatch_fake
    group = _group(fake, 10)
    fake.faults.add("get_operation", ServerError(503), on_calls={2, 5, 9})
    fake.faults.add("assess_patches", ConnectionReset(after=True), on_calls={1})
    fake.faults.add("assess_patches", ConnectionReset(after=False), on_calls={4})
    fake.faults.add("get_instance_view", Throttle(retry_after=20), on_calls={1})
    fake.faults.add("list_vms", Throttle(retry_after=20), on_calls={1})
    fake.faults.add("get_operation", Slow(seconds=40), on_calls={7})
    with azpatch.Client(fake.subscription_id, CREDENTIAL) as client:
        outcomes = list(client.fleet.assess(group))
    assert statuses(outcomes) == {"succeeded": 10}
    assert fake.faults.calls("list_vms") == 2


def test_an_installation_that_may_have_arrived_is_not_sent_again(azpatch_fake: FakeAzure) -> None:
    fake = azpatch_fake
    group = _group(fake, 6)
    fake.faults.add("install_patches", ConnectionReset(after=True), on_calls={2})
    fake.faults.add("install_patches", ServerError(500), on_calls={3})
    fake.faults.add("install_patches", Throttle(retry_after=10), on_calls={4})
    with azpatch.Client(fake.subscription_id, CREDENTIAL) as client:
        outcomes = list(client.fleet.install(group, LINUX))
    counts = statuses(outcomes)
    # the reset after arrival: unfinished; the 500 (may have acted): failed; the 429: sent again
    assert counts == {"succeeded": 4, "unfinished": 1, "failed": 1}
    assert fake.faults.calls("install_patches") == 7
    (unfinished,) = (o for o in outcomes if o.status is OutcomeStatus.UNFINISHED)
    assert unfinished.code == "MayHaveStarted"
    (failed,) = (o for o in outcomes if o.status is OutcomeStatus.FAILED)
    assert failed.code == "InternalServerError"


def test_failed_runs_and_hung_vms_are_outcomes_not_exceptions(azpatch_fake: FakeAzure) -> None:
    fake = azpatch_fake
    group = _group(fake, 4)
    fake.vm("rg", "vm0").fail_installs = True
    fake.vm("rg", "vm1").hang = True
    fake.set_power(fake.vm("rg", "vm2"), "deallocated")
    with azpatch.Client(fake.subscription_id, CREDENTIAL) as client:
        outcomes = {
            o.target.rsplit("/", 1)[-1]: o
            for o in client.fleet.install(group, LINUX, deadline=7200)
        }
    assert outcomes["vm0"].status is OutcomeStatus.FAILED
    assert outcomes["vm1"].status is OutcomeStatus.UNFINISHED
    assert outcomes["vm1"].continuation_token
    assert outcomes["vm2"].status is OutcomeStatus.FAILED
    assert outcomes["vm2"].code == "OperationNotAllowed"
    assert outcomes["vm3"].status is OutcomeStatus.SUCCEEDED


def test_progress_is_reported_after_each_outcome(azpatch_fake: FakeAzure) -> None:
    group = _group(azpatch_fake, 12)
    seen: list[FleetProgress] = []
    with azpatch.Client(azpatch_fake.subscription_id, CREDENTIAL) as client:
        outcomes = list(client.fleet.assess(group, on_progress=seen.append))
    assert [p.done for p in seen] == sorted(p.done for p in seen)
    assert seen[-1].done == seen[-1].total == len(outcomes) == 12
    assert seen[-1].succeeded == 12
    assert seen[-1].failed == seen[-1].in_flight == seen[-1].throttled == 0
    assert all(0 <= p.budget_left <= 1 for p in seen)
    assert seen[-1].requests == sum(Counter(azpatch_fake.handled).values())
