"""ARM's and Compute's request budgets in the fake (issue 16): off by default; with
``throttling="azure"`` every response reports what is left, one request too many is a 429
with Retry-After and the body ARM or Compute sends, and the world is unchanged by it."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from azpatch_fake import Bucket, FakeAzure, ThrottlingLimits

API = {"api-version": "2025-11-01"}


def _vm_url(fake: FakeAzure, name: str = "web1") -> str:
    return (
        f"{fake.base_url}/subscriptions/{fake.subscription_id}/resourceGroups/rg"
        f"/providers/Microsoft.Compute/virtualMachines/{name}"
    )


@pytest.fixture
def fake() -> FakeAzure:
    world = FakeAzure(throttling="azure")
    world.add_vm("rg", "web1", os_type="Windows")
    world.add_vm("rg", "web2", os_type="Windows")
    return world


def test_off_by_default_no_budget_headers() -> None:
    plain = FakeAzure()
    plain.add_vm("rg", "web1")
    with httpx.Client(transport=plain.transport) as http:
        answer = http.get(_vm_url(plain), params=API)
    assert answer.status_code == 200
    assert not [name for name in answer.headers if "ratelimit" in name]


def test_every_answer_reports_the_budgets_it_spent(fake: FakeAzure) -> None:
    with httpx.Client(transport=fake.transport) as http:
        got = http.get(_vm_url(fake), params=API)
        view = http.get(_vm_url(fake) + "/instanceView", params=API)
        listed = http.get(
            f"{fake.base_url}/subscriptions/{fake.subscription_id}/providers"
            "/Microsoft.Compute/virtualMachines",
            params=API,
        )
        assessed = http.post(_vm_url(fake) + "/assessPatches", params=API)
    assert got.headers["x-ms-ratelimit-remaining-subscription-reads"] == "249"
    assert got.headers["x-ms-ratelimit-remaining-resource"] == (
        "Microsoft.Compute/LowCostGetVMResource;35,Microsoft.Compute/LowCostGetVMSubscription;23999"
    )
    assert got.headers["x-ms-request-charge"] == "1"
    assert view.headers["x-ms-ratelimit-remaining-resource"].endswith("Subscription;23998")
    assert listed.headers["x-ms-ratelimit-remaining-resource"] == (
        "Microsoft.Compute/HighCostGetVMSubscription;899"
    )
    assert assessed.headers["x-ms-ratelimit-remaining-subscription-writes"] == "199"
    assert (
        "VMGuestPatchOperationsResource;5" in assessed.headers["x-ms-ratelimit-remaining-resource"]
    )


def test_the_seventh_assessment_of_a_vm_in_a_minute_is_refused_and_starts_nothing(
    fake: FakeAzure,
) -> None:
    with httpx.Client(transport=fake.transport) as http:
        for _ in range(6):  # the VM's guest patch bucket holds six
            assert http.post(_vm_url(fake) + "/assessPatches", params=API).status_code == 202
        activity = fake.vm("rg", "web1").assessment
        refused = http.post(_vm_url(fake) + "/assessPatches", params=API)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "30"  # two tokens a minute
        error = refused.json()["error"]
        assert error["code"] == "OperationNotAllowed"
        (detail,) = error["details"]
        assert (detail["code"], detail["target"]) == (
            "TooManyRequests",
            "VMGuestPatchOperationsResource",
        )
        assert json.loads(detail["message"])["allowedRequestCount"] == 6
        assert fake.vm("rg", "web1").assessment is activity  # the world is unchanged
        assert http.post(_vm_url(fake, "web2") + "/assessPatches", params=API).status_code == 202
        fake.advance(timedelta(seconds=30))
        assert http.post(_vm_url(fake) + "/assessPatches", params=API).status_code == 202
    (event,) = fake.timeline.events("request_throttled")
    assert event["refused_by"] == "Microsoft.Compute/VMGuestPatchOperationsResource"
    assert event["retry_after"] == 30
    assert event["path"].endswith("/virtualMachines/web1/assessPatches")


def test_arm_refuses_the_subscriptions_reads_beyond_its_bucket_before_compute_counts() -> None:
    fake = FakeAzure(throttling=ThrottlingLimits(subscription_reads=Bucket(3, 1)))
    fake.add_vm("rg", "web1")
    with httpx.Client(transport=fake.transport) as http:
        answers = [http.get(_vm_url(fake), params=API) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        refused = answers[-1]
        assert refused.json()["error"]["code"] == "TooManyRequests"
        assert refused.headers["Retry-After"] == "1"
        assert refused.headers["x-ms-ratelimit-remaining-subscription-reads"] == "0"
        assert "x-ms-ratelimit-remaining-resource" not in refused.headers
        fake.advance(1)
        assert http.get(_vm_url(fake), params=API).status_code == 200
    assert fake.timeline.events("request_throttled")[0]["refused_by"] == "subscription reads"


def test_a_client_that_honours_retry_after_gets_through_on_the_virtual_clock(
    fake: FakeAzure,
) -> None:
    with fake.client() as client:  # a user's loop: ten assessments of one VM, all started
        pollers = [client.virtual_machines.begin_assess_patches("rg", "web1") for _ in range(10)]
        results = [poller.result() for poller in pollers]
    assert len(results) == 10
    assert fake.timeline.events("request_throttled")  # it was throttled, and waited


def test_a_bad_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="throttling is 'azure', 'off' or a ThrottlingLimits"):
        FakeAzure(throttling="aws")


def test_serve_takes_the_same_setting() -> None:
    from azpatch_fake.__main__ import _parser, _world_factory

    served = _world_factory(_parser().parse_args(["serve", "--throttling", "azure"]))(None)
    assert served.throttling == ThrottlingLimits()
    plain = _world_factory(_parser().parse_args(["serve"]))(None)
    assert plain.throttling is None
