"""Hermetic tests of the example script, with the azpatch_fake pytest fixture: no Azure needed."""

from __future__ import annotations

import pytest
from enable_auto_patching import enable_and_assess, report

import azpatch
from azpatch_fake import FakeAzure, ImageRecord


def test_every_supported_vm_is_switched_and_assessed(
    azpatch_fake: FakeAzure, azpatch_client: azpatch.Client
) -> None:
    azpatch_fake.add_vm("web", "web1", os_type="Windows")
    azpatch_fake.add_vm("web", "web2", os_type="Linux")
    reports = enable_and_assess(azpatch_client, "web")
    assert [(r.name, r.switched) for r in reports] == [("web1", True), ("web2", True)]
    assert all(r.critical_and_security for r in reports)  # nothing installed yet
    assert azpatch_fake.vm("web", "web1").patch_settings.patch_mode == "AutomaticByPlatform"


def test_an_unsupported_image_is_reported_and_left_alone(
    azpatch_fake: FakeAzure, azpatch_client: azpatch.Client
) -> None:
    azpatch_fake.add_vm("web", "odd", image=ImageRecord("Contoso", "appliance", "1"))
    (odd,) = enable_and_assess(azpatch_client, "web")
    assert not odd.switched
    assert "not supported" in odd.reason
    assert azpatch_fake.vm("web", "odd").patch_settings.patch_mode is None
    assert "refused" in report([odd])


@pytest.mark.azpatch_fake(seed=4)
def test_an_empty_group_reports_nothing(
    azpatch_fake: FakeAzure, azpatch_client: azpatch.Client
) -> None:
    azpatch_fake.add_resource_group("empty")
    assert enable_and_assess(azpatch_client, "empty") == []
