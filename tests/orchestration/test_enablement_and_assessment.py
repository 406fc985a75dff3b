"""Enablement and periodic assessment in off-peak hours (R16 to R22, R10, Q5)."""

from __future__ import annotations

from datetime import time, timedelta

import httpx

from azpatch import models as m
from azpatch_fake import (
    DEFAULT_SUBSCRIPTION,
    OrchestrationPolicy,
    check_timeline,
    load_fleet,
)

from .fleets import RELEASE, START, in_install, moment, patch_time_zone, vm, world


def local(event: dict[str, object]) -> str:
    return str(event["local_time"])


def test_r16_enablement_waits_for_the_off_peak_window() -> None:
    fake = world(vm("web1"))  # 13:00 in Amsterdam
    fake.advance(timedelta(hours=8))
    assert not fake.vm("rg", "web1").patch_mode_ready
    assert fake.why_not_patched(fake.vm("rg", "web1")).rule == "R16"
    fake.run_until(START + timedelta(days=1))
    started, finished = (
        fake.timeline.events("enablement_started")[0],
        fake.timeline.events("enablement_finished")[0],
    )
    assert local(started) == "2027-01-04T22:00:00+01:00"
    assert local(finished) == "2027-01-05T02:00:00+01:00"  # four hours of work (the default)
    assert fake.vm("rg", "web1").patch_mode_ready


def test_r16_enablement_longer_than_a_window_resumes_in_the_next() -> None:
    fake = world(vm("web1"), policy=OrchestrationPolicy(enablement_work=timedelta(hours=10)))
    fake.run_until(START + timedelta(days=3))
    events = [
        (e["event"], local(e))
        for e in fake.timeline.events(vm=fake.vm("rg", "web1").resource_id)
        if e["event"].startswith("enablement")
    ]
    assert events == [
        ("enablement_started", "2027-01-04T22:00:00+01:00"),
        ("enablement_paused", "2027-01-05T06:00:00+01:00"),
        ("enablement_started", "2027-01-05T22:00:00+01:00"),
        ("enablement_finished", "2027-01-06T00:00:00+01:00"),
    ]


def test_q1_a_windows_time_zone_moves_the_window() -> None:
    fake = world(vm("tokyo-clock", time_zone="Tokyo Standard Time"))  # in West Europe
    fake.run_until(START + timedelta(days=1))
    # 12:00 UTC is 21:00 in Tokyo: the window opens an hour later.
    assert local(fake.timeline.events("enablement_started")[0]) == "2027-01-04T22:00:00+09:00"


def test_q1_off_peak_hours_are_configurable_per_region() -> None:
    hours = {"westeurope": __import__("azpatch_fake").OffPeakHours(time(1), time(5))}
    fake = world(vm("web1"), policy=OrchestrationPolicy(region_off_peak=hours))
    fake.run_until(START + timedelta(days=1))
    assert local(fake.timeline.events("enablement_started")[0]) == "2027-01-05T01:00:00+01:00"


def test_r17_r18_completion_shows_over_the_wire_and_is_assessed_at_once() -> None:
    fake = world(vm("web1"), vm("lin1", os="Linux"))
    with fake.client() as client:
        before = client.virtual_machines.get_instance_view("rg", "web1")
        assert before.patch_status.configuration_statuses[0].code == (
            "PatchModeConfigurationState/Pending"
        )
        assert not before.extensions
        fake.run_until(START + timedelta(days=1))
        for name, extension in [
            ("web1", "Microsoft.CPlat.Core.WindowsPatchExtension"),
            ("lin1", "Microsoft.CPlat.Core.LinuxPatchExtension"),
        ]:
            view = client.virtual_machines.get_instance_view("rg", name)
            assert view.patch_status.configuration_statuses[0].code == (
                "PatchModeConfigurationState/Ready"
            )
            assert [e.type for e in view.extensions] == [extension]
            # R18: the platform assessed at once, in the window
            summary = view.patch_status.available_patch_summary
            assert str(summary.status) == "Succeeded"
            assert summary.critical_and_security_patch_count > 0


def test_r19_assessments_run_daily_with_assessment_mode_abp_else_every_three_days() -> None:
    fake = world(vm("daily", assessment_mode="AutomaticByPlatform"), vm("default"))
    fake.run_until(RELEASE)  # before the rollout installs anything
    by_vm: dict[str, list[str]] = {"daily": [], "default": []}
    for event in fake.timeline.events("assessment_started"):
        by_vm[event["vm"].rsplit("/", 1)[1]].append(local(event))
    # Enabled at 02:00 on the 5th and assessed at once; then in the windows 24 hours
    # apart (less two hours of slack for daylight saving), or 72.
    assert by_vm["daily"] == [
        "2027-01-05T02:00:00+01:00",
        *(f"2027-01-{day:02d}T22:00:00+01:00" for day in range(6, 12)),
    ]
    assert by_vm["default"] == [
        "2027-01-05T02:00:00+01:00",
        "2027-01-08T22:00:00+01:00",  # 68 hours after the first is too soon
        "2027-01-11T22:00:00+01:00",
    ]


def test_r19_the_cadence_follows_an_assessment_mode_patched_over_the_wire() -> None:
    fake = world(vm("web1"))
    fake.run_until(START + timedelta(days=6))  # the 10th; last assessed on the 8th, every 72 h
    before = len(fake.timeline.events("assessment_started"))
    url = (
        f"{fake.base_url}/subscriptions/{fake.subscription_id}/resourceGroups/rg/providers"
        "/Microsoft.Compute/virtualMachines/web1"
    )
    settings = {"patchMode": "AutomaticByPlatform", "assessmentMode": "AutomaticByPlatform"}
    body = {"properties": {"osProfile": {"windowsConfiguration": {"patchSettings": settings}}}}
    with httpx.Client(transport=fake.transport) as http:
        answer = http.patch(url, params={"api-version": "2025-11-01"}, json=body)
    assert answer.status_code == 200, answer.text
    fake.run_until(START + timedelta(days=9))
    daily = [local(e) for e in fake.timeline.events("assessment_started")[before:]]
    assert [t[8:10] for t in daily] == ["10", "11", "12"]  # every window from now on


def test_r20_a_recent_assessment_postpones_the_periodic_one() -> None:
    fake = world(vm("web1", assessment_mode="AutomaticByPlatform"))
    fake.run_until(START + timedelta(days=2, hours=7))  # 20:00 local on the 6th
    with fake.client() as client:
        client.virtual_machines.assess_patches("rg", "web1")
    fake.run_until(START + timedelta(days=3))
    nights = [local(e) for e in fake.timeline.events("assessment_started")]
    assert "2027-01-06T22:00:00+01:00" not in nights  # two hours after the user's


def test_r22_on_demand_assessment_is_started_by_the_user_and_installs_nothing() -> None:
    fake = world(vm("web1"))
    fake.run_until(START + timedelta(days=1))
    with fake.client() as client:
        result = client.virtual_machines.assess_patches("rg", "web1")  # at 12:00 local
        view = client.virtual_machines.get_instance_view("rg", "web1")
    assert str(result.status) == "Succeeded"
    assert fake.vm("rg", "web1").assessment.started_by == "User"
    assert view.patch_status.last_patch_installation_summary is None
    assert not in_install(fake)


def test_r21_nothing_happens_to_a_deallocated_vm_in_its_window() -> None:
    fake = world(vm("web1", power_schedule=[{"off": "2027-01-04T18:00:00Z"}]))
    fake.run_until(START + timedelta(days=3))
    assert not fake.timeline.events("enablement_started")
    record = fake.vm("rg", "web1")
    assert fake.why_not_patched(record).rule == "R16"


def test_r10_an_agent_below_the_linux_minimum_never_gets_ready() -> None:
    fake = world(vm("old-agent", os="Linux"), vm("broken", faults=["agent_not_ready"]))
    fake.vm("rg", "old-agent").agent_version = "2.2.49"
    fake.run_until(RELEASE + timedelta(days=3))
    for name in ("old-agent", "broken"):
        record = fake.vm("rg", name)
        assert not record.patch_mode_ready
        assert fake.why_not_patched(record).rule == "R10"


def test_q5_custom_images_are_accepted_and_never_autopatched() -> None:
    custom = vm("golden")
    custom["image"] = {"publisher": "", "offer": "", "sku": ""}
    fake = world(custom)
    fake.run_until(RELEASE + timedelta(days=10))
    record = fake.vm("rg", "golden")
    assert not record.patch_mode_ready
    assert fake.why_not_patched(record).rule == "Q5"
    assert not in_install(fake)


def test_r3_vms_in_other_modes_are_never_scheduled() -> None:
    other = vm("by-os", patch_mode="AutomaticByOS")
    fake = world(other, vm("web1"))
    fake.run_until(RELEASE + timedelta(days=10))
    assert fake.why_not_patched(fake.vm("rg", "by-os")).rule == "R3"
    assert {span[2]["vm"].rsplit("/", 1)[1] for span in in_install(fake)} == {"web1"}
    assert DEFAULT_SUBSCRIPTION in fake.vm("rg", "web1").resource_id


def test_r23_a_periodic_assessment_is_in_progress_then_succeeded_over_the_wire() -> None:
    fake = world(vm("web1", enabled=True))
    window = START.replace(hour=21)  # 22:00 in Amsterdam
    with fake.client() as client:
        fake.run_until(window + timedelta(minutes=1))
        during = client.virtual_machines.get_instance_view("rg", "web1")
        fake.run_until(window + timedelta(minutes=3))
        after = client.virtual_machines.get_instance_view("rg", "web1")
    assert str(during.patch_status.available_patch_summary.status) == "InProgress"
    summary = after.patch_status.available_patch_summary
    assert str(summary.status) == "Succeeded"
    assert summary.start_time == window
    assert summary.critical_and_security_patch_count == 3  # the newest of three lines


def test_r52_assessments_do_not_count_as_installing() -> None:
    # "early" opens its window an hour before "late" (UTC+2 against UTC+1) and installs
    # slowly; "late", in the same set, is assessed meanwhile.
    slow = {"kind": "slow_install", "minutes_per_patch": 30}
    early = vm("early", availability_set="web", enabled=True, faults=[slow])
    early["time_zone"] = "E. Europe Standard Time"
    late = vm("late", availability_set="web", enabled=True, assessment_mode="AutomaticByPlatform")
    fake = world(early, late)
    fake.run_until(RELEASE + timedelta(days=1))
    (start, end, _), *_ = in_install(fake)
    late_id = fake.vm("rg", "late").resource_id
    assessed = [moment(e) for e in fake.timeline.events("assessment_started", vm=late_id)]
    assert any(start <= when < end for when in assessed)
    assert check_timeline(fake.timeline) == []


def test_r24_assessed_patches_carry_the_publishers_classification_names() -> None:
    fake = world(vm("web1", enabled=True), vm("lin1", os="Linux", enabled=True))
    with fake.client() as client:
        windows = client.virtual_machines.assess_patches("rg", "web1")
        linux = client.virtual_machines.assess_patches("rg", "lin1")
    names = {c for p in windows.available_patches for c in p.classifications}
    assert {"Security Updates", "Critical Updates", "Definition Updates"} <= names
    assert {c for p in linux.available_patches for c in p.classifications} <= {
        "Critical",
        "Security",
        "Other",
    }


def test_r37_an_on_demand_install_runs_at_once_outside_the_rollout() -> None:
    fake = world(vm("web1", enabled=True))  # 13:00 in Amsterdam, no rollout yet
    parameters = m.VirtualMachineInstallPatchesParameters(
        maximum_duration=timedelta(hours=2),
        reboot_setting=m.VMGuestPatchRebootSetting.IF_REQUIRED,
        windows_parameters=m.WindowsParameters(
            classifications_to_include=(m.VMGuestPatchClassificationWindows.SECURITY,)
        ),
    )
    with fake.client() as client:
        result = client.virtual_machines.install_patches("rg", "web1", parameters)
    assert result.installed_patch_count > 0
    assert fake.vm("rg", "web1").installation.started_by == "User"
    assert not in_install(fake)  # not an availability-first run


def test_r16_switching_again_during_enablement_starts_it_over() -> None:
    fake = world(vm("web1", patch_mode="AutomaticByOS"))
    with fake.client() as client:
        client.virtual_machines.set_patch_mode("rg", "web1", "AutomaticByPlatform")
        fake.run_until(START.replace(hour=22))  # 23:00 in Amsterdam, an hour into enablement
        client.virtual_machines.set_patch_mode("rg", "web1", "AutomaticByOS")
        client.virtual_machines.set_patch_mode("rg", "web1", "AutomaticByPlatform")
    fake.run_until(START + timedelta(days=1))
    (finished,) = fake.timeline.events("enablement_finished")  # the first run's end is void
    assert local(finished).startswith("2027-01-05T03:")  # four hours from a little after 23:00


def test_q1_a_new_time_zone_moves_the_vms_window() -> None:
    fake = world(vm("web1", enabled=True, assessment_mode="AutomaticByPlatform"))
    assert patch_time_zone(fake, "web1", "Tokyo Standard Time").status_code == 200
    fake.run_until(START + timedelta(days=2))
    nights = {local(e)[11:16] for e in fake.timeline.events("assessment_started")}
    assert nights == {"22:00"}
    assert all(local(e).endswith("+09:00") for e in fake.timeline.events("assessment_started"))


def test_q1_an_unknown_time_zone_is_refused_and_changes_nothing() -> None:
    fake = world(vm("web1", enabled=True, time_zone=None))
    answer = patch_time_zone(fake, "web1", "Mars Standard Time")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidParameter"
    assert answer.json()["error"]["target"] == "windowsConfiguration.timeZone"
    assert fake.vm("rg", "web1").time_zone is None


def test_q1_a_vm_with_no_time_zone_keeps_utc_as_an_azure_vms_clock_does() -> None:
    fake = world(vm("web1", "japaneast", time_zone=None))
    fake.run_until(START + timedelta(days=1))
    started = fake.timeline.events("enablement_started")[0]
    assert local(started) == "2027-01-04T22:00:00+00:00"  # not 22:00 in Tokyo


def test_q1_a_fleet_file_may_give_a_linux_guest_clock_its_zone() -> None:
    fake = world(vm("lin1", os="Linux", time_zone="Asia/Tokyo"))
    fake.run_until(START + timedelta(days=1))
    assert local(fake.timeline.events("enablement_started")[0]).endswith("+09:00")


def test_q1_arm_refuses_a_time_zone_in_a_linux_configuration_and_keeps_the_vm() -> None:
    fake = world(vm("lin1", os="Linux", time_zone=None, enabled=True))
    url = (
        f"{fake.base_url}/subscriptions/{fake.subscription_id}/resourceGroups/rg/providers"
        "/Microsoft.Compute/virtualMachines/lin1"
    )
    body = {"properties": {"osProfile": {"linuxConfiguration": {"timeZone": "Asia/Tokyo"}}}}
    with httpx.Client(transport=fake.transport) as http:
        answer = http.patch(url, params={"api-version": "2025-11-01"}, json=body)
        after = http.get(url, params={"api-version": "2025-11-01"}).json()
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidRequestContent"
    assert "LinuxConfiguration" in answer.json()["error"]["message"]
    assert fake.vm("rg", "lin1").time_zone is None
    assert "timeZone" not in after["properties"]["osProfile"]["linuxConfiguration"]


def test_r11_assessment_mode_abp_alone_gets_daily_assessments_and_no_patches() -> None:
    fake = world(
        vm("manual", patch_mode="AutomaticByOS", assessment_mode="AutomaticByPlatform"),
        vm("plain", patch_mode="AutomaticByOS"),
    )
    fake.run_until(RELEASE + timedelta(days=10))
    assessed = {e["vm"].rsplit("/", 1)[1] for e in fake.timeline.events("assessment_started")}
    assert assessed == {"manual"}
    nights = [local(e) for e in fake.timeline.events("assessment_started")]
    assert len(nights) >= 15  # daily
    assert all("T22:00:00" in n for n in nights)  # off-peak
    assert fake.vm("rg", "manual").assessment.started_by == "Platform"
    assert not in_install(fake)
    assert fake.why_not_patched(fake.vm("rg", "manual")).rule == "R3"


def test_r11_setting_and_clearing_assessment_mode_over_the_wire() -> None:
    fake = world(vm("byos", patch_mode="AutomaticByOS", enabled=True))
    url = (
        f"{fake.base_url}/subscriptions/{fake.subscription_id}/resourceGroups/rg/providers"
        "/Microsoft.Compute/virtualMachines/byos"
    )

    def assessment_mode(mode: str) -> None:
        settings = {"patchMode": "AutomaticByOS", "assessmentMode": mode}
        body = {"properties": {"osProfile": {"windowsConfiguration": {"patchSettings": settings}}}}
        with httpx.Client(transport=fake.transport) as http:
            answer = http.patch(url, params={"api-version": "2025-11-01"}, json=body)
        assert answer.status_code == 200, answer.text

    assessment_mode("AutomaticByPlatform")
    fake.run_until(START + timedelta(days=3))
    count = len(fake.timeline.events("assessment_started"))
    assert count >= 2
    assessment_mode("ImageDefault")
    fake.run_until(START + timedelta(days=6))
    assert len(fake.timeline.events("assessment_started")) == count


def test_r16_enablement_takes_between_one_and_five_hours_seeded_per_vm() -> None:
    fleet = {"start": START.isoformat(), "vms": [vm(f"web{i}", time_zone="UTC") for i in range(30)]}
    durations = set()
    for _ in range(2):
        fake = load_fleet(fleet, seed=7)  # the default policy: 3 h ± 2 h
        fake.run_until(START + timedelta(days=1))
        started = {e["vm"]: moment(e) for e in fake.timeline.events("enablement_started")}
        finished = {e["vm"]: moment(e) for e in fake.timeline.events("enablement_finished")}
        hours = tuple(sorted((finished[k] - started[k]).total_seconds() / 3600 for k in finished))
        durations.add(hours)
    (hours,) = durations  # the same seed, the same durations
    assert len(hours) == 30
    assert 1 <= min(hours) < 2
    assert 4 < max(hours) <= 5
