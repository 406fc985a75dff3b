"""The script of ``patch_tonight.py`` tested as its author would: only the ``azpatch_fake``
fixture, the script's own clients, its own subscription id, and hours of Azure's time in a
fraction of a second of real time."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import httpx
import pytest

import azpatch
from azpatch_fake import FakeAzure

from .patch_tonight import patch_tonight, patch_tonight_async

SUBSCRIPTION = "3f2c9a7e-1b4d-4e8a-9c6f-2d5e8b1a7c40"  # never seeded: exists on first use
EVENING = datetime(2026, 1, 5, 19, 0, tzinfo=timezone.utc)  # off-peak starts at 22:00 local
SLOW_WORLD = pytest.mark.azpatch_fake(
    start=EVENING,
    feature_registration_delay=timedelta(minutes=15),
    install_time_per_patch=timedelta(minutes=70),  # three patches: a 3.5-hour installation
)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", SUBSCRIPTION)
    monkeypatch.setenv("AZURE_ACCESS_TOKEN", "token-from-the-environment")


def _seed(fake: FakeAzure) -> None:
    fake.add_vm("rg", "web1", os_type="Windows", subscription_id=SUBSCRIPTION)


def _check(fake: FakeAzure, results: tuple[object, ...], real_started: float) -> None:
    assessment, installation = results
    assert assessment.critical_and_security_patch_count == 3  # type: ignore[attr-defined]
    assert installation.installed_patch_count == 3  # type: ignore[attr-defined]
    vm = fake.vm("rg", "web1", subscription_id=SUBSCRIPTION)
    assert vm.patch_settings.patch_mode == "AutomaticByPlatform"
    # Enablement waited for 22:00, the installation took hours: none of it in real time.
    assert fake.clock.now() - EVENING > timedelta(hours=6)
    assert time.monotonic() - real_started < 1.0


@SLOW_WORLD
def test_a_script_with_its_own_client_runs_on_virtual_time(azpatch_fake: FakeAzure) -> None:
    _seed(azpatch_fake)
    started = time.monotonic()
    results = patch_tonight("rg", "web1")
    _check(azpatch_fake, results, started)
    feature = azpatch_fake.subscription(SUBSCRIPTION).feature_record(
        "Microsoft.Compute", "InGuestAutoPatchVMPreview"
    )
    assert feature.state == "Registered"


@SLOW_WORLD
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
@pytest.mark.anyio
async def test_the_async_script_runs_on_virtual_time(azpatch_fake: FakeAzure) -> None:
    _seed(azpatch_fake)
    started = time.monotonic()
    results = await patch_tonight_async("rg", "web1")
    _check(azpatch_fake, results, started)


@SLOW_WORLD
def test_a_client_built_in_another_thread_follows_the_virtual_clock(
    azpatch_fake: FakeAzure,
) -> None:
    _seed(azpatch_fake)
    results: list[tuple[object, ...]] = []
    started = time.monotonic()
    worker = threading.Thread(target=lambda: results.append(patch_tonight("rg", "web1")))
    worker.start()
    worker.join(timeout=30)
    assert results, "the script did not finish in its thread"
    _check(azpatch_fake, results[0], started)


def _one_run(seed: int) -> tuple[datetime, list[dict[str, object]], list[str]]:
    fake = FakeAzure(seed=seed, start=EVENING)
    _seed(fake)
    with fake.intercept():
        patch_tonight("rg", "web1")
    vm = fake.vm("rg", "web1", subscription_id=SUBSCRIPTION)
    return fake.clock.now(), list(fake.timeline), sorted(vm.installed_patch_ids)


def test_the_same_seed_gives_the_same_timeline() -> None:
    first = _one_run(seed=11)
    assert first[1], "enablement and assessment are on the timeline"
    assert _one_run(seed=11) == first


class _StoppedClock:
    """A clock of the test's own: sleeping moves only it."""

    def __init__(self) -> None:
        self.slept: list[float] = []

    def time(self) -> float:
        return 1_800_000_000.0 + sum(self.slept)

    def monotonic(self) -> float:
        return sum(self.slept)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    async def asleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def test_a_client_given_a_clock_keeps_it(azpatch_fake: FakeAzure) -> None:
    azpatch_fake.add_vm("rg", "vm1", subscription_id=SUBSCRIPTION)
    clock = _StoppedClock()
    before = azpatch_fake.clock.now()
    credential = azpatch.StaticTokenCredential("t")
    with azpatch.Client(SUBSCRIPTION, credential, clock=clock) as client:
        poller = client.virtual_machines.begin_assess_patches("rg", "vm1")
        with pytest.raises(azpatch.PollingTimeoutError):
            poller.result(timeout=90)  # the world's clock never moves, so it never finishes
    assert clock.slept
    assert azpatch_fake.clock.now() == before


def test_a_client_for_another_cloud_is_refused_before_sending(azpatch_fake: FakeAzure) -> None:
    credential = azpatch.StaticTokenCredential("secret-token")
    sovereign = "https://management.usgovcloudapi.net"
    with (
        azpatch.Client(SUBSCRIPTION, credential, base_url=sovereign) as client,
        pytest.raises(AssertionError) as refused,
    ):
        client.virtual_machines.get("rg", "vm1")
    message = str(refused.value)
    assert "GET https://management.usgovcloudapi.net left the test" in message
    assert "FakeAzure(base_url=" in message
    assert "secret-token" not in message
    assert not azpatch_fake.handled  # never reached the fake either
    assert azpatch_fake.refused == ["GET https://management.usgovcloudapi.net"]
    azpatch_fake.refused.clear()


def test_the_fake_can_stand_in_for_another_cloud() -> None:
    sovereign = "https://management.chinacloudapi.cn"
    fake = FakeAzure(base_url=sovereign)
    fake.add_vm("rg", "vm1", subscription_id=SUBSCRIPTION)
    with (
        fake.intercept(),
        azpatch.Client(SUBSCRIPTION, azpatch.StaticTokenCredential("t"), base_url=sovereign) as c,
    ):
        assert c.virtual_machines.get("rg", "vm1").name == "vm1"


def test_interception_ends_with_its_block_even_when_the_block_raises() -> None:
    fake = FakeAzure()
    handle = httpx.HTTPTransport.__dict__["handle_request"]

    def failing_test() -> None:
        with fake.intercept():
            assert httpx.HTTPTransport.__dict__["handle_request"] is not handle
            raise RuntimeError("the test failed")

    with pytest.raises(RuntimeError, match="the test failed"):
        failing_test()
    assert httpx.HTTPTransport.__dict__["handle_request"] is handle
    assert isinstance(azpatch._clock.DEFAULT_CLOCK.current(), azpatch.SystemClock)
