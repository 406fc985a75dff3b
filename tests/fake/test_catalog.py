"""The patch catalog: monthly releases on Patch Tuesday, from the seed, plus the tests' own."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azpatch_fake import FakeAzure, Patch, patch_tuesday
from azpatch_fake._world._catalog import release_after

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
    assert len(after) == len(before)  # each line's newer patch supersedes the older
    assert {p.published for p in after} == {patch_tuesday(2026, 1)}
    assert {p.line for p in after} == {p.line for p in before}
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


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    months=st.integers(0, 18),
    os_type=st.sampled_from(["Windows", "Linux"]),
)
def test_an_assessment_lists_each_package_once_at_one_version(
    seed: int, months: int, os_type: str
) -> None:
    fake = FakeAzure(seed=seed)
    vm = fake.add_vm("rg", "vm1", os_type=os_type)
    fake.advance(timedelta(days=31 * months))
    patches = fake.available_patches(vm)
    names = [p.name for p in patches] if os_type == "Linux" else [p.line for p in patches]
    assert len(names) == len(set(names))  # one package (one update line) once


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text))


def test_linux_packages_keep_one_classification_and_their_versions_only_go_up() -> None:
    fake = FakeAzure(seed=3)
    vm = fake.add_vm("rg", "lin1", os_type="Linux")
    seen: dict[str, tuple[str, tuple[int, ...]]] = {}
    for _ in range(12):
        for patch in fake.available_patches(vm):
            assert re.fullmatch(r"[\d:.~a-z+-]+", patch.version), patch.version  # dpkg-like
            classification, version = seen.get(patch.name, (patch.classification, ()))
            assert patch.classification == classification
            assert _version(patch.version) >= version
            seen[patch.name] = (patch.classification, _version(patch.version))
        fake.advance(timedelta(days=31))


def test_a_cumulative_update_supersedes_last_months() -> None:
    fake = FakeAzure(seed=2)
    vm = fake.add_vm("rg", "win1", os_type="Windows")
    cumulative = [p for p in fake.available_patches(vm) if p.line == "cumulative"]
    assert len(cumulative) == 1  # not one for each month since the VM was last patched
    vm.installed_patch_ids.add(cumulative[0].patch_id)
    assert not [p for p in fake.available_patches(vm) if p.line == "cumulative"]
    fake.run_until(release_after(fake.clock.now()))
    (newer,) = [p for p in fake.available_patches(vm) if p.line == "cumulative"]
    assert newer.published > cumulative[0].published
