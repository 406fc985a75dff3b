"""Retries that end and do not starve anyone (R33, Q26), the phase gate's counting (Q27), and
retries after the 30 days (R28, R33)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from azpatch_fake import FakeAzure, OrchestrationPolicy, check_timeline, outcomes

from .fleets import RELEASE, moment, month, patch_time_zone, vm, world

FAILING = ["install_failure", {"kind": "slow_install", "minutes_per_patch": 30}]


def tiling_failures(location: str, **extra: Any) -> list[dict[str, Any]]:
    """Twelve slow VMs that always fail, one window opening every two hours."""
    return [
        vm(
            f"bad{i}",
            location,
            time_zone=f"Etc/GMT{offset:+d}",
            enabled=True,
            faults=FAILING,
            **extra,
        )
        for i, offset in enumerate(range(-12, 12, 2))
    ]


def starts(fake: FakeAzure, name: str) -> list[dict[str, Any]]:
    return [e for e in fake.timeline.events("install_started") if e["vm"].endswith(f"/{name}")]


def test_q26_a_vm_that_keeps_failing_is_given_up_for_the_month_and_reported() -> None:
    fake = world(vm("bad", enabled=True, faults=["install_failure"]), vm("good", enabled=True))
    month(fake)
    assert [e["attempt"] for e in starts(fake, "bad")] == [1, 2, 3]
    given_up = fake.timeline.events("vm_given_up")
    assert [e["vm"].rsplit("/", 1)[1] for e in given_up] == ["bad"]
    assert given_up[0]["runs"] == 3
    assert given_up[0]["failed"] > 0
    hold = fake.why_not_patched(fake.vm("rg", "bad"))
    assert hold.rule == "Q26"
    assert "next release" in hold.reason
    (row,) = [r for r in outcomes(fake) if r.rollout == "2027-01"]
    assert (row.patched, row.failed, row.given_up) == (1, 1, 1)
    assert not check_timeline(fake.timeline)


def test_q26_the_next_release_tries_a_given_up_vm_again() -> None:
    fake = world(vm("bad", enabled=True, faults=["install_failure"]))
    fake.run_until(datetime(2027, 2, 12, tzinfo=timezone.utc))
    february = [e["attempt"] for e in starts(fake, "bad") if e["rollout"] == "2027-02"]
    assert february[0] == 1


def test_q26_retries_never_starve_first_attempts_of_other_zones() -> None:
    """Twelve always-failing slow VMs in zone 1 whose windows tile the day, their runs
    overlapping, would keep the zone lock (R45) around the clock; zone 2's VMs still get
    their first runs that night."""
    failing = tiling_failures("eastus", zone="1")
    others = [
        vm(f"web{i}", "eastus", zone="2", time_zone="UTC", enabled=True, subscription=OTHER)
        for i in range(3)
    ]
    patient = OrchestrationPolicy(failed_runs_per_rollout=100)  # only fairness protects them
    fake = world(*failing, *others, policy=patient)
    fake.run_until(RELEASE + timedelta(days=3))
    for name in ("web0", "web1", "web2"):
        (first, *_) = starts(fake, name)
        assert first["attempt"] == 1
        assert moment(first) < RELEASE + timedelta(days=1, hours=14)  # its first night
    retries = [e for e in fake.timeline.events("install_started") if e["attempt"] > 1]
    assert retries  # the failing VMs are retried too
    assert not check_timeline(fake.timeline, failed_runs=100)


def test_q26_a_first_attempt_that_moved_to_another_window_still_goes_first() -> None:
    """A queued VM whose time zone changes waits for its new window: that night the retries
    of the other zone still leave it the zone lock."""
    failing = tiling_failures("eastus", zone="1")
    waiting = vm("web", "eastus", zone="2", time_zone="Pacific Standard Time", enabled=True)
    fake = world(*failing, waiting, policy=OrchestrationPolicy(failed_runs_per_rollout=100))
    fake.run_until(RELEASE + timedelta(hours=1))  # queued; its Pacific night is hours away
    assert not starts(fake, "web")
    assert patch_time_zone(fake, "web", "UTC").status_code == 200
    fake.run_until(RELEASE + timedelta(days=3))
    (first, *_) = starts(fake, "web")
    assert first["local_time"].endswith("+00:00")
    assert moment(first) < RELEASE + timedelta(days=1, hours=14)  # its first UTC night
    assert not check_timeline(fake.timeline, failed_runs=100)


def test_q26_a_retry_waits_for_a_paired_regions_first_attempts() -> None:
    pair = vm("west", "westus", time_zone="UTC", enabled=True, subscription=OTHER)
    plan = OrchestrationPolicy(phase_plan=[["eastus", "westus"]], failed_runs_per_rollout=100)
    fake = world(*tiling_failures("eastus"), pair, policy=plan)
    fake.run_until(RELEASE + timedelta(days=3))
    (west,) = starts(fake, "west")
    # The first day goes to the failing VMs' own first runs (first come, first served);
    # once they only retry, the pair's first attempt goes ahead of them.
    assert moment(west) < RELEASE + timedelta(days=2)
    assert not check_timeline(fake.timeline, failed_runs=100)


def test_q27_the_gate_counts_first_runs_and_failed_patches_do_not_hold_it() -> None:
    fake = world(
        vm("canary-bad", "eastus2euap", enabled=True, faults=["install_failure"]),
        vm("canary-good", "eastus2euap", enabled=True),
        vm("prod", "eastus", enabled=True),
    )
    month(fake)
    decision = next(
        e
        for e in fake.timeline.events("gate_decision")
        if e["phase"] == 1 and e["decision"] == "advance"
    )
    assert (decision["succeeded"], decision["failed"], decision["pending"]) == (1, 1, 0)
    assert "Q27" in decision["reason"]
    assert starts(fake, "prod")


def test_r33_retries_go_on_after_the_30_days_and_first_runs_do_not() -> None:
    short = OrchestrationPolicy(rollout_days=20)  # the 30 days end on 1 February, 17:00 UTC
    late = [{"off": "2027-01-10T00:00:00Z", "on": "2027-01-31T12:00:00Z"}]
    later = [{"off": "2027-01-10T00:00:00Z", "on": "2027-02-02T12:00:00Z"}]
    slow = [{"kind": "slow_install", "minutes_per_patch": 150}]  # two of three fit a run
    fake = world(
        vm("slow", enabled=True, power_schedule=late, faults=slow),
        vm("late", enabled=True, power_schedule=later),
        policy=short,
    )
    month(fake)
    assert fake.timeline.events("rollout_closed")[0]["time"] == "2027-02-01T17:00:00Z"
    runs = starts(fake, "slow")
    assert [e["attempt"] for e in runs][:2] == [1, 2]
    assert runs[1]["time"] > "2027-02-01T17:00:00Z"  # a retry after the 30 days
    assert not starts(fake, "late")  # a first run after them waits for the next release
    assert fake.why_not_patched(fake.vm("rg", "late")).rule == "R28"
    assert not check_timeline(fake.timeline, rollout_days=20)


OTHER = "00000000-0000-0000-0000-00000000000b"
