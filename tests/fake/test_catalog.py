"""The patch catalog: monthly releases on Patch Tuesday, from the seed, plus the tests' own."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from azpatch_fake import FakeAzure, Patch, patch_tuesday

UTC = timezone.utc


@pytest.mark.parametrize(
    ("year", "month", "day"),
    [(2026, 1, 13), (2026, 2, 10), (2026, 3, 10), (2026, 9, 8), (2026, 12, 8)],
)
def test_patch_tuesday_is_the_second_tuesday(year: int, month: int, day: int) -> None:
    assert patch_tuesday(year, month) == datetime(year, month, day, 17, tzinfo=UTC)


def test_releases_land_on_patch_tuesday_and_follow_the_seed() -> None:
    fake = FakeAzure(seed=4)
    vm = fake.add_vm("rg", "vm1", os_type="Windows")
    before = fake.available_patches(vm)
    fake.run_until(patch_tuesday(2026, 1) - timedelta(minutes=1))
    assert fake.available_patches(vm) == before
    fake.run_until(patch_tuesday(2026, 1))
    after = fake.available_patches(vm)
    assert len(after) == len(before) + 4
    assert {p.published for p in after[len(before) :]} == {patch_tuesday(2026, 1)}
    twin = FakeAzure(seed=4)
    twin.run_until(patch_tuesday(2026, 1))
    assert twin.available_patches(twin.add_vm("rg", "vm1", os_type="Windows")) == after
    other = FakeAzure(seed=5)
    assert other.available_patches(other.add_vm("rg", "vm1", os_type="Windows")) != before


def test_tests_add_their_own_patches() -> None:
    fake = FakeAzure()
    vm = fake.add_vm("rg", "vm1")
    custom = Patch("custom-1", "openssl", "Critical", fake.clock.now(), version="3.0.99")
    fake.add_patch("Linux", custom)
    assert custom in fake.available_patches(vm)
    with fake.client() as client:
        assessment = client.virtual_machines.assess_patches("rg", "vm1")
    assert "custom-1" in {p.patch_id for p in assessment.available_patches}
