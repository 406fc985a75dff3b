"""10,000 VMs in 20 subscriptions and 8 regions, assessed then installed, with Azure's budgets on.

``AZPATCH_FLEET_PER_REGION`` VMs in each region of each subscription: 63 (10,080 VMs) by
default; nox runs the full size on the Python that runs it, and a smaller one on the others.
"""

from __future__ import annotations

import os

import pytest

import azpatch
from azpatch_fake import FakeAzure

from .conftest import seed
from .test_scenarios import CREDENTIAL, LINUX, statuses, throttled

PER_REGION = int(os.environ.get("AZPATCH_FLEET_PER_REGION", "63"))
VMS = 20 * 8 * PER_REGION
# One poll after ten minutes (Retry-After) sees an assessment or installation done: three
# requests a VM instead of ten, for CI's time; the pacing of the POSTs is the same.
pytestmark = pytest.mark.azpatch_fake(throttling="azure", retry_after=600)


def _targets(fake: FakeAzure) -> list[str]:
    return [
        f"/subscriptions/{s}"
        for s in seed(fake, subscriptions=20, regions=8, per_region=PER_REGION)
    ]


@pytest.mark.anyio
async def test_the_fleet_is_assessed_then_installed_through_both_runners_without_a_429(
    azpatch_fake: FakeAzure,
) -> None:
    """The async runner assesses, the sync runner installs (each runner runs both operations
    on smaller fleets elsewhere; at this size one each keeps CI's time)."""
    targets = _targets(azpatch_fake)
    subscription = targets[0].rsplit("/", 1)[-1]
    async with azpatch.AsyncClient(subscription, CREDENTIAL) as client:
        assessed = [o async for o in client.fleet.assess(targets, max_concurrency=64)]
    with azpatch.Client(subscription, CREDENTIAL) as client:
        # Few threads: in-process, the fake answers on the GIL, so more threads only contend.
        installed = list(client.fleet.install(targets, LINUX, max_concurrency=4))
    assert statuses(assessed) == statuses(installed) == {"succeeded": VMS}
    assert azpatch_fake.faults.calls("assess_patches") == VMS
    assert azpatch_fake.faults.calls("install_patches") == VMS
    assert throttled(azpatch_fake) == 0
