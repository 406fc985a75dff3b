from __future__ import annotations

import uuid

import pytest

from azpatch_fake import FakeAzure

REGIONS = (
    "westeurope",
    "northeurope",
    "eastus",
    "westus",
    "uksouth",
    "francecentral",
    "japaneast",
    "australiaeast",
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the async fleet runner runs on asyncio


def subscription(index: int) -> str:
    return str(uuid.UUID(int=0xF1EE7 << 64 | index))


def seed(fake: FakeAzure, *, subscriptions: int, regions: int, per_region: int) -> list[str]:
    """``per_region`` Linux VMs in group ``rg-<region>`` of each region of each subscription;
    returns the subscription ids."""
    ids = [subscription(index) for index in range(subscriptions)]
    for subscription_id in ids:
        for location in REGIONS[:regions]:
            for index in range(per_region):
                fake.add_vm(
                    f"rg-{location}",
                    f"vm-{index}",
                    subscription_id=subscription_id,
                    location=location,
                )
    return ids
