"""The monthly rollout: what it installs, when, in which order, and what stops it (R26 to R55)."""

from __future__ import annotations

import io
import itertools
from collections import Counter
from datetime import datetime, time, timedelta, timezone
from typing import Any

import httpx

from azpatch_fake import (
    FakeAzure,
    ImageRecord,
    OffPeakHours,
    OrchestrationPolicy,
    check_timeline,
    outcomes,
)

from .fleets import RELEASE, in_install, moment, month, most_at_once, overlaps, vm, world


def names(spans: list[tuple[Any, Any, dict[str, Any]]]) -> list[str]:
    return [span[2]["vm"].rsplit("/", 1)[1] for span in spans]


def test_r40_the_rollout_starts_at_the_monthly_release() -> None:
    fake = world(vm("web1"))
    month(fake)
    started = fake.timeline.events("rollout_started")
    assert [(e["time"], e["rollout"]) for e in started] == [("2027-01-12T17:00:00Z", "2027-01")]
    assert started[0]["deadline"] == "2027-02-11T17:00:00Z"  # R28: 30 days


def test_r26_only_critical_and_security_are_installed_and_the_rest_stays_counted() -> None:
    fake = world(vm("web1"), vm("lin1", os="Linux"))
    month(fake)
    for event in fake.timeline.events("install_finished"):
        states = {(p["classification"], p["state"]) for p in event["patches"]}
        assert {c for c, s in states if s == "Installed"} <= {"Critical", "Security"}
        assert {s for c, s in states if c not in ("Critical", "Security")} == {"NotSelected"}
    with fake.client() as client:
        view = client.virtual_machines.get_instance_view("rg", "web1")
    summary = view.patch_status.available_patch_summary
    assert summary.critical_and_security_patch_count == 0
    assert summary.other_patch_count > 0
    installation = view.patch_status.last_patch_installation_summary
    assert str(installation.status) == "Succeeded"
    assert installation.installed_patch_count > 0
    assert installation.not_selected_patch_count == summary.other_patch_count


def test_r27_installs_start_only_off_peak_in_each_vms_own_time_zone() -> None:
    fake = world(
        vm("web1"),
        vm("tokyo-clock", time_zone="Tokyo Standard Time"),
        vm("pacific", "eastus", time_zone="Pacific Standard Time"),
        vm("east", "eastus", os="Linux"),
    )
    month(fake)
    spans = in_install(fake)
    assert len(spans) == 4
    for _, _, started in spans:
        hour = int(started["local_time"][11:13])
        assert hour >= 22 or hour < 6, started
    assert not check_timeline(fake.timeline)


def test_r28_every_eligible_vm_is_patched_within_30_days() -> None:
    regions = ["eastus2euap", "westcentralus", "eastus", "westus", "westeurope", "northeurope"]
    fake = world(*(vm(f"{region}-{i}", region) for region in regions for i in range(3)))
    month(fake)
    finished = {e["vm"] for e in fake.timeline.events("install_finished")}
    assert len(finished) == len(regions) * 3
    for _, end, _ in in_install(fake):
        assert end - RELEASE < timedelta(days=30)


def test_r33_a_window_too_short_leaves_patches_pending_for_the_next_one() -> None:
    slow = {"kind": "slow_install", "minutes_per_patch": 30}
    fake = world(
        vm("web1", faults=[slow]), policy=OrchestrationPolicy(run_duration=timedelta(hours=1))
    )
    fake.run_until(RELEASE + timedelta(hours=12))
    with fake.client() as client:
        first = client.virtual_machines.get_instance_view("rg", "web1")
        summary = first.patch_status.last_patch_installation_summary
        assert summary.maintenance_window_exceeded is True
        assert str(summary.status) == "CompletedWithWarnings"
        assert summary.pending_patch_count > 0
        assert summary.installed_patch_count == 2  # starts at 4 and 34 of 60 minutes (R30)
        pending = summary.pending_patch_count
        assert fake.why_not_patched(fake.vm("rg", "web1")).rule in ("R33", "R27")
        month(fake)
        last = client.virtual_machines.get_instance_view("rg", "web1")
    runs = in_install(fake)
    assert len(runs) == 1 + -(-pending // 2)  # two a night until none is left
    days = [start.date() for start, _, _ in runs]
    assert days == sorted(set(days))  # R33: one run per window, the next window each time
    assert str(last.patch_status.last_patch_installation_summary.status) == "Succeeded"
    assert last.patch_status.available_patch_summary.critical_and_security_patch_count == 0


def test_r36_reboots_follow_the_reboot_setting() -> None:
    fake = world(
        vm("if-required"),
        vm("never", reboot_setting="Never"),
        vm("always", os="Linux", reboot_setting="Always"),
    )
    month(fake)
    reboots = {e["vm"].rsplit("/", 1)[1] for e in fake.timeline.events("reboot_finished")}
    assert reboots == {"if-required", "always"}  # the cumulative update may ask for one
    with fake.client() as client:
        never = client.virtual_machines.get_instance_view("rg", "never").patch_status
    assert never.available_patch_summary.reboot_pending is True
    assert fake.vm("rg", "never").installation.reboot_status == "Required"
    assert fake.vm("rg", "if-required").installation.reboot_status == "Completed"


def test_r41_r43_canary_pilot_then_the_rest_each_after_the_last_completed_and_baked() -> None:
    fake = world(vm("prod", "eastus"), vm("pilot", "westcentralus"), vm("canary", "eastus2euap"))
    month(fake)
    plan = fake.timeline.events("rollout_started")[0]["phases"]
    assert plan == [["eastus2euap"], ["westcentralus"], ["eastus"]]
    completed = {e["phase"]: moment(e) for e in fake.timeline.events("phase_completed")}
    started = {e["phase"]: moment(e) for e in fake.timeline.events("phase_started")}
    assert started[2] - completed[1] == timedelta(hours=24)
    assert started[3] - completed[2] == timedelta(hours=24)
    order = names(sorted(in_install(fake), key=lambda span: span[0]))
    assert order == ["canary", "pilot", "prod"]


def test_r42_paired_regions_are_in_different_phases_and_never_install_together() -> None:
    fake = world(*(vm(f"{r}-{i}", r) for r in ("eastus", "westus", "westus3") for i in range(4)))
    month(fake)
    phases = fake.timeline.events("rollout_started")[0]["phases"]
    phase_of = {region: i for i, phase in enumerate(phases) for region in phase}
    assert phase_of["eastus"] not in (phase_of["westus"], phase_of["westus3"])
    spans = in_install(fake)
    for a in spans:
        for b in spans:
            if {a[2]["location"], b[2]["location"]} in (
                {"eastus", "westus"},
                {"eastus", "westus3"},
            ):
                assert not overlaps(a, b)
    assert not check_timeline(fake.timeline)


def test_r44_a_vm_unhealthy_after_its_update_halts_the_rollout_at_its_phase() -> None:
    fake = world(
        vm("canary-sick", "eastus2euap", faults=["unhealthy_after_patch"]),
        vm("canary-ok", "eastus2euap"),
        vm("prod", "eastus"),
        policy=UNTIL_NEXT_MONTH,  # an investigation longer than the month: the halt holds
    )
    month(fake)
    halted = fake.timeline.events("phase_halted")
    assert [(e["phase"], e["rollout"]) for e in halted] == [(1, "2027-01")]
    assert "canary-sick" in halted[0]["reason"]
    assert "prod" not in names(in_install(fake))
    decision = fake.timeline.events("gate_decision")[-1]
    assert decision["decision"] == "halt"
    hold = fake.why_not_patched(fake.vm("rg", "prod"))
    assert hold.rule in ("R44", "R28")
    with fake.client() as client:
        view = client.virtual_machines.get_instance_view("rg", "canary-sick")
    assert view.vm_health.status.code == "HealthState/unhealthy"


def test_r44_while_halted_the_hold_names_the_unhealthy_vm() -> None:
    fake = world(
        vm("canary-sick", "eastus2euap", faults=["unhealthy_after_patch"]), vm("prod", "eastus")
    )
    fake.run_until(RELEASE + timedelta(days=2))
    hold = fake.why_not_patched(fake.vm("rg", "prod"))
    assert hold.rule == "R44"
    assert "canary-sick" in hold.reason
    assert "resumes at 2027-01-1" in hold.reason  # Q24: and says when


def _sick_canary_world(**options: Any) -> FakeAzure:
    return world(
        vm("canary-sick", "eastus2euap", faults=["unhealthy_after_patch"]),
        vm("canary-ok", "eastus2euap"),
        vm("prod", "eastus"),
        **options,
    )


def test_q24_a_halt_lifts_after_the_investigation_and_the_rollout_goes_on() -> None:
    fake = _sick_canary_world()
    month(fake)
    halted = fake.timeline.events("phase_halted")[0]
    resumed = fake.timeline.events("rollout_resumed")
    assert len(resumed) == 1
    assert moment(resumed[0]) - moment(halted) == timedelta(hours=72)
    assert resumed[0]["excluded"] == [fake.vm("rg", "canary-sick").resource_id]
    assert "prod" in names(in_install(fake))  # later phases are patched after all
    assert all(start > moment(resumed[0]) for start, _, e in in_install(fake) if "prod" in e["vm"])
    assert not check_timeline(fake.timeline)


def test_q25_the_unhealthy_vm_is_excluded_and_no_later_month_inherits_its_halt() -> None:
    fake = _sick_canary_world()
    fake.run_until(datetime(2027, 3, 8, tzinfo=timezone.utc))  # January and February
    halts = fake.timeline.events("phase_halted")
    assert [e["rollout"] for e in halts] == ["2027-01"]  # February is not halted again
    sick = fake.vm("rg", "canary-sick")
    hold = fake.why_not_patched(sick)
    assert (hold.rule, "Q25" in hold.reason) == ("R44", True)
    february = [e for e in fake.timeline.events("install_started") if e["rollout"] == "2027-02"]
    assert sick.resource_id not in {e["vm"] for e in february}
    assert fake.vm("rg", "prod").resource_id in {e["vm"] for e in february}


def test_q25_a_restart_by_its_owner_clears_the_mark() -> None:
    fake = _sick_canary_world(policy=UNTIL_NEXT_MONTH)
    fake.run_until(RELEASE + timedelta(days=2))
    sick = fake.vm("rg", "canary-sick")
    assert "Q25" in fake.why_not_patched(sick).reason
    http = httpx.Client(transport=fake.transport)
    restart = f"{fake.base_url}{sick.resource_id}/restart"
    assert http.post(restart, params={"api-version": "2024-07-01"}).status_code == 202
    fake.advance(120)  # the restart's 30 s, and a poll's worth
    assert sick.healthy
    assert "Q25" not in fake.why_not_patched(sick).reason


def test_r41_a_later_phase_names_the_vm_its_gate_waits_on() -> None:
    fake = world(vm("canary", "eastus2euap"), vm("prod", "eastus"))
    fake.run_until(RELEASE + timedelta(hours=1))  # released at 12:00 in East US 2 EUAP
    hold = fake.why_not_patched(fake.vm("rg", "prod"))
    assert hold.rule == "R41"
    assert "canary" in hold.reason
    assert fake.why_not_patched(fake.vm("rg", "canary")).rule == "R27"


def test_r21_a_vm_off_during_its_phase_is_caught_up_after_it_starts() -> None:
    off = [{"off": "2027-01-12T00:00:00Z", "on": "2027-01-25T12:00:00Z"}]
    fake = world(vm("web1"), vm("web2", power_schedule=off), vm("prod", "eastus"))
    fake.run_until(RELEASE + timedelta(days=5))
    assert fake.why_not_patched(fake.vm("rg", "web2")).rule == "R21"
    assert "prod" in names(in_install(fake))  # R54: it did not hold its phase back
    month(fake)
    caught_up = [span for span in in_install(fake) if names([span]) == ["web2"]]
    assert len(caught_up) == 1
    assert caught_up[0][2]["local_time"].startswith("2027-01-25T22:0")  # its next window
    assessed = fake.timeline.events("assessment_started", vm=fake.vm("rg", "web2").resource_id)
    assert "2027-01-25T21:00:00Z" in [e["time"] for e in assessed]  # assessed, then patched


def test_r45_one_availability_zone_of_a_region_at_a_time() -> None:
    fake = world(*(vm(f"z{z}-{i}", "eastus", zone=str(z)) for z in (1, 2, 3) for i in range(3)))
    month(fake)
    spans = in_install(fake)
    for a in spans:
        for b in spans:
            if a[2]["zone"] != b[2]["zone"]:
                assert not overlaps(a, b)
    assert most_at_once(spans, lambda e: e["zone"]) == {"1": 1, "2": 1, "3": 1}


def test_r46_a_subscriptions_vms_outside_sets_go_in_batches_of_a_fifth() -> None:
    fake = world(*(vm(f"web{i}", "westeurope") for i in range(10)))
    month(fake)
    spans = in_install(fake)
    assert len(spans) == 10
    assert most_at_once(spans, lambda e: e["subscription"]) == {spans[0][2]["subscription"]: 2}


def test_r47_r48_r49_availability_sets_one_update_domain_and_a_fifth_at_a_time() -> None:
    big = [vm(f"big{i}", availability_set="big") for i in range(12)]
    small = [vm(f"small{i}", availability_set="small") for i in range(5)]
    fake = world(*big, *small)
    month(fake)
    spans = in_install(fake)
    assert len(spans) == 17
    peaks = most_at_once(spans, lambda e: e["availability_set"].rsplit("/", 1)[1])
    assert peaks == {"big": 2, "small": 1}  # R49: 20% of 12, and one of fewer than 10
    for a in spans:
        for b in spans:
            same_set = a[2]["availability_set"] == b[2]["availability_set"]
            if same_set and a[2]["update_domain"] != b[2]["update_domain"]:
                assert not overlaps(a, b)  # R48
    assert not check_timeline(fake.timeline)


def test_r50_update_domains_of_a_set_are_30_minutes_apart() -> None:
    fake = world(*(vm(f"s{i}", availability_set="web") for i in range(12)))
    month(fake)
    spans = sorted(in_install(fake), key=lambda s: s[0])
    switches = 0
    for previous, span in itertools.pairwise(spans):
        if span[2]["update_domain"] != previous[2]["update_domain"]:
            switches += 1
            idle_since = max(s[1] for s in spans if s[0] < span[0])
            assert span[0] - idle_since >= timedelta(minutes=30)
    assert switches >= 4
    assert sorted({s[2]["update_domain"] for s in spans}) == [0, 1, 2, 3, 4]


def test_r53_the_same_seed_and_fleet_give_the_same_timeline() -> None:
    fleet = [vm(f"web{i}", "westeurope", availability_set="web") for i in range(12)]
    fleet += [vm(f"api{i}", "westeurope", zone=str(1 + i % 3)) for i in range(10)]

    def timeline(seed: int) -> str:
        fake = world(*fleet, seed=seed)
        month(fake)
        out = io.StringIO()
        fake.timeline.write_jsonl(out)
        return out.getvalue()

    def install_order(text: str) -> list[str]:
        return [line for line in text.splitlines() if '"event":"install_started"' in line]

    assert timeline(1) == timeline(1)
    assert install_order(timeline(1)) != install_order(timeline(2))  # seeded, not fixed


def test_r54_vms_that_never_get_ready_do_not_hold_their_phase() -> None:
    fake = world(vm("canary", "eastus2euap", faults=["agent_not_ready"]), vm("prod", "eastus"))
    month(fake)
    assert names(in_install(fake)) == ["prod"]
    assert fake.timeline.events("phase_started")[0]["eligible"] == 0


def test_r55_a_vm_with_the_bypass_flag_is_never_part_of_the_rollout() -> None:
    fake = world(vm("scheduled"), vm("auto"))
    fake.vm("rg", "scheduled").patch_settings.bypass_platform_safety_checks_on_user_schedule = True
    month(fake)
    assert names(in_install(fake)) == ["auto"]
    assert fake.why_not_patched(fake.vm("rg", "scheduled")).rule == "R55"


UNTIL_NEXT_MONTH = OrchestrationPolicy(halt_investigation=timedelta(days=40))


def test_r9_an_unsupported_marketplace_image_is_never_patched() -> None:
    # ARM refuses AutomaticByPlatform on such an image (so does a fleet file): seed it.
    fake = world()
    odd = ImageRecord("Contoso", "appliance", "1")
    fake.add_vm("rg", "odd", os_type="Windows", image=odd, patch_mode="AutomaticByPlatform")
    month(fake)
    assert not in_install(fake)
    assert fake.why_not_patched(fake.vm("rg", "odd")).rule == "R9"


def test_q19_the_next_release_ends_the_last_rollout_and_starts_its_own() -> None:
    fake = world(vm("web1"))
    fake.run_until(RELEASE + timedelta(days=60))
    rollouts = [(e["rollout"], e["time"]) for e in fake.timeline.events("rollout_started")]
    assert rollouts == [
        ("2027-01", "2027-01-12T17:00:00Z"),
        ("2027-02", "2027-02-09T17:00:00Z"),
        ("2027-03", "2027-03-09T17:00:00Z"),
    ]
    assert Counter(e["rollout"] for e in fake.timeline.events("install_started")) == {
        "2027-01": 1,
        "2027-02": 1,
        "2027-03": 1,
    }
    ended = fake.timeline.events("rollout_ended")
    assert [e["reason"] for e in ended] == ["Q19: the next monthly release began"] * 2


def test_outcomes_count_each_region_and_say_what_holds_the_rest() -> None:
    fake = world(vm("web1"), vm("web2", faults=["install_failure"]), vm("prod", "eastus"))
    month(fake)
    rows = {row.region: row for row in outcomes(fake)}
    assert (rows["westeurope"].patched, rows["westeurope"].failed) == (1, 1)
    assert rows["eastus"].patched == 1
    fake.run_until(datetime(2027, 2, 9, 18, tzinfo=timezone.utc))  # February's, at release
    current = [row for row in outcomes(fake) if row.rollout == "2027-02"]
    assert {row.region: dict(row.held) for row in current} == {
        "westeurope": {"R27": 2},  # 19:00 in Amsterdam, 13:00 in Virginia: not off-peak yet
        "eastus": {"R27": 1},
    }


def test_r38_windows_vms_in_different_phases_get_the_same_patch_set() -> None:
    fake = world(vm("canary", "eastus2euap"), vm("web1"))
    month(fake)
    installed = {
        event["vm"].rsplit("/", 1)[1]: sorted(
            p["name"] for p in event["patches"] if p["state"] == "Installed"
        )
        for event in fake.timeline.events("install_finished")
    }
    phases = {
        e["vm"].rsplit("/", 1)[1]: e["phase"] for e in fake.timeline.events("install_started")
    }
    assert phases == {"canary": 1, "web1": 2}
    assert installed["canary"] == installed["web1"]  # public Windows Update: one set a month


ONE_HOUR_WINDOW = OffPeakHours(time(22), time(23))


def test_r27_a_short_window_ends_the_run_its_installs_and_its_reboot() -> None:
    slow = {"kind": "slow_install", "minutes_per_patch": 30}
    fake = world(vm("web1", faults=[slow]), policy=OrchestrationPolicy(off_peak=ONE_HOUR_WINDOW))
    month(fake)
    assert in_install(fake)
    ends = [
        datetime.fromisoformat(e["local_time"]).time()
        for e in fake.timeline
        if e["event"] in ("install_finished", "reboot_finished")
    ]
    assert ends
    assert all(time(22) <= end <= time(23) for end in ends)  # 235 minutes do not outlast it
    assert check_timeline(fake.timeline) == []


def test_r27_an_assessment_due_as_the_window_closes_waits_for_the_next_one() -> None:
    policy = OrchestrationPolicy(off_peak=ONE_HOUR_WINDOW, enablement_work=timedelta(hours=1))
    fake = world(vm("web1"), policy=policy)
    fake.run_until(datetime(2027, 1, 7, tzinfo=timezone.utc))
    finished = fake.timeline.events("enablement_finished")[0]
    assert datetime.fromisoformat(finished["local_time"]).time() == time(23)
    first = fake.timeline.events("assessment_started")[0]
    assert datetime.fromisoformat(first["local_time"]).time() == time(22)
    assert moment(first) - moment(finished) == timedelta(hours=23)


def test_r41_a_region_the_plan_did_not_know_is_patched_in_the_same_month() -> None:
    fake = world(vm("canary", "eastus2euap"), vm("web1", "westeurope"))
    fake.run_until(RELEASE + timedelta(days=5))  # the plan was made at the release
    fake.add_vm(
        "rg", "late", os_type="Windows", location="brazilsouth", patch_mode="AutomaticByPlatform"
    )
    month(fake)
    late = [e for e in fake.timeline.events("install_started") if e["vm"].endswith("/late")]
    assert [e["rollout"] for e in late] == ["2027-01"]  # this month, not the next
    assert not check_timeline(fake.timeline)


def test_r41_a_vm_switched_to_automatic_by_platform_mid_month_joins_the_rollout() -> None:
    fake = world(vm("canary", "eastus2euap"), vm("web1"), vm("web2", patch_mode="AutomaticByOS"))
    fake.run_until(RELEASE + timedelta(days=6))  # its region's phase is done by now
    url = f"{fake.base_url}{fake.vm('rg', 'web2').resource_id}"
    settings = {"patchMode": "AutomaticByPlatform"}
    body = {"properties": {"osProfile": {"windowsConfiguration": {"patchSettings": settings}}}}
    with httpx.Client(transport=fake.transport) as http:
        assert http.patch(url, params={"api-version": "2024-07-01"}, json=body).status_code == 200
    month(fake)
    joined = [e for e in fake.timeline.events("install_started") if e["vm"].endswith("/web2")]
    assert [e["rollout"] for e in joined] == ["2027-01"]  # enabled off-peak, then patched
    assert moment(joined[0]) > RELEASE + timedelta(days=6)
    assert not check_timeline(fake.timeline)
