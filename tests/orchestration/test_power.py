"""Power state is live (R21, R54, R46 to R49): the platform sees a VM start or stop when it
happens, not only when a window opens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from azpatch_fake import FakeAzure, check_timeline

from .fleets import RELEASE, START, in_install, month, vm, world


def runs(fake: FakeAzure, name: str) -> list[dict[str, Any]]:
    return fake.timeline.events(vm=fake.vm("rg", name).resource_id)


def kinds(fake: FakeAzure, name: str, since: str = "2027-01-12T20") -> list[str]:
    return [e["event"] for e in runs(fake, name) if e["time"] >= since]


def test_r21_a_vm_off_for_ten_minutes_as_its_window_opens_is_served_in_that_window() -> None:
    blink = [{"off": "2027-01-12T20:55:00Z", "on": "2027-01-12T21:05:00Z"}]  # 21:55-22:05
    fake = world(vm("web1", power_schedule=blink))
    fake.run_until(RELEASE + timedelta(days=1))
    starts = [e for e in runs(fake, "web1") if e["event"] == "install_started"]
    assert [e["time"] for e in starts] == ["2027-01-12T21:07:00Z"]  # assessed at 22:05, then
    assert not check_timeline(fake.timeline)


def test_r21_a_vm_started_during_its_window_is_assessed_and_enabled_in_it() -> None:
    late = [{"off": "2027-01-04T18:00:00Z", "on": "2027-01-04T23:00:00Z"}]  # on at midnight
    fake = world(vm("web1", power_schedule=late))
    fake.run_until(RELEASE - timedelta(days=7))
    started = fake.timeline.events("enablement_started")[0]
    assert started["time"] == "2027-01-04T23:00:00Z"
    assert fake.vm("rg", "web1").patch_mode_ready  # four hours, finished at 04:00 local


def test_r21_a_vm_stopped_during_enablement_pauses_it_and_the_work_done_counts() -> None:
    stop = [{"off": "2027-01-04T22:00:00Z", "on": "2027-01-05T12:00:00Z"}]  # after 1 h of work
    fake = world(vm("web1", power_schedule=stop))
    fake.run_until(RELEASE - timedelta(days=5))
    steps = [
        (e["event"], e["time"]) for e in runs(fake, "web1") if e["event"].startswith("enablement")
    ]
    assert steps == [
        ("enablement_started", "2027-01-04T21:00:00Z"),
        ("enablement_paused", "2027-01-04T22:00:00Z"),
        ("enablement_started", "2027-01-05T21:00:00Z"),
        ("enablement_finished", "2027-01-06T00:00:00Z"),  # the three hours left
    ]


def test_r21_a_vm_stopped_during_its_assessment_does_not_finish_it() -> None:
    stop = [{"off": "2027-01-12T21:01:00Z", "on": "2027-01-13T12:00:00Z"}]
    fake = world(vm("web1", enabled=True, power_schedule=stop))
    fake.run_until(RELEASE + timedelta(hours=10))
    assert "assessment_finished" not in kinds(fake, "web1")
    assert fake.vm("rg", "web1").assessment.status == "Failed"
    assert not in_install(fake)


def test_r21_r20_a_cut_off_assessment_is_due_again_six_hours_after_it_began() -> None:
    stop = [{"off": "2027-01-07T21:01:00Z", "on": "2027-01-08T03:30:00Z"}]  # 22:01-04:30
    fake = world(vm("web1", enabled=True, power_schedule=stop))
    fake.run_until(START + timedelta(days=4))
    starts = [e["time"] for e in runs(fake, "web1") if e["event"] == "assessment_started"]
    assert starts[-2:] == ["2027-01-07T21:00:00Z", "2027-01-08T03:30:00Z"]  # not in 3 days


def test_r21_a_vm_stopped_mid_install_ends_its_run_with_patches_pending_and_no_verdict() -> None:
    stop = [{"off": "2027-01-12T22:30:00Z", "on": "2027-01-13T12:00:00Z"}]
    fake = world(vm("web1", enabled=True, faults=["slow_install"], power_schedule=stop))
    fake.run_until(RELEASE + timedelta(hours=10))
    assert kinds(fake, "web1")[-3:] == ["install_started", "power_changed", "install_interrupted"]
    cut = fake.timeline.events("install_interrupted")[0]
    assert cut["stage"] == "install"
    assert cut["power_state"] == "deallocated"
    states = [p["state"] for p in cut["patches"]]
    assert states[0] == "Installed"  # 21:02 + a minute of set-up + an hour
    assert set(states[1:]) == {"Pending"}
    record = fake.vm("rg", "web1").installation
    assert record.status == "Failed"
    assert record.pending
    assert not fake.timeline.events("health_verdict")
    month(fake)
    retried = [e for e in runs(fake, "web1") if e["event"] == "install_started"]
    assert retried[1]["time"].startswith("2027-01-13T21:")  # its next window
    assert not check_timeline(fake.timeline)


def test_r21_a_vm_stopped_mid_run_neither_holds_nor_halts_its_phase() -> None:
    stop = [{"off": "2027-01-12T21:05:00Z"}]  # and never started again
    fake = world(
        vm("canary", "eastus2euap", enabled=True, faults=["slow_install"], power_schedule=stop),
        vm("prod", "eastus", enabled=True),
    )
    month(fake)
    assert "prod" in {e["vm"].rsplit("/", 1)[1] for e in fake.timeline.events("install_started")}
    assert not fake.timeline.events("phase_halted")


def test_r47_r49_caps_count_only_members_that_can_be_patched() -> None:
    off = [{"off": "2027-01-10T00:00:00Z"}]
    fleet = [
        vm(
            f"s{i}",
            enabled=True,
            availability_set="big",
            **({} if i < 2 else {"power_schedule": off}),
        )
        for i in range(10)
    ]
    fake = world(*fleet)
    month(fake)
    spans = in_install(fake)
    assert len(spans) == 2
    first, second = sorted(spans, key=lambda span: span[0])
    assert first[1] <= second[0]  # one at a time: a set of two live VMs, not of ten
    assert {span[2]["set_size"] for span in spans} == {2}
    assert not check_timeline(fake.timeline)
