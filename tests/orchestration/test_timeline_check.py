"""check_timeline finds each kind of violation, and none in what the fake produces."""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azpatch_fake import check_timeline, read_timeline

from .fleets import in_install, month, vm, world

SUB = "00000000-0000-0000-0000-00000000000a"
GROUP = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute"
SET = f"{GROUP}/availabilitySets/web"


def run(name: str, start: str, end: str, **fields: Any) -> list[dict[str, Any]]:
    """One run's install_started and health_verdict events."""
    base = {
        "vm": f"{GROUP}/virtualMachines/{name}",
        "subscription": SUB,
        "location": "westeurope",
        "zone": None,
        "availability_set": None,
        "update_domain": None,
        "rollout": "2027-01",
        "phase": 1,
        "local_time": f"{start[:10]}T23:00:00+01:00",
        "off_peak": "22:00-06:00",
        "pool_size": 10,
    } | fields
    return [
        {"time": start, "event": "install_started", **base},
        {"time": end, "event": "health_verdict", **base, "healthy": True},
    ]


RELEASED = [{"time": "2027-01-12T17:00:00Z", "event": "rollout_started", "rollout": "2027-01"}]


def rules(events: list[dict[str, Any]]) -> list[str]:
    ordered = sorted(events, key=lambda e: e["time"])
    return [v.rule for v in check_timeline(ordered)]


def test_a_clean_timeline_has_no_violation() -> None:
    events = RELEASED + run("a", "2027-01-12T22:00:00Z", "2027-01-12T22:30:00Z")
    events += run("b", "2027-01-12T22:30:00Z", "2027-01-12T23:00:00Z")  # starts as a ends
    assert rules(events) == []


def test_r42_paired_regions_installing_together() -> None:
    events = RELEASED + run("a", "2027-01-12T22:00:00Z", "2027-01-12T23:00:00Z")
    events += run("b", "2027-01-12T22:10:00Z", "2027-01-12T23:00:00Z", location="northeurope")
    assert rules(events) == ["R42"]


def test_r45_two_zones_of_a_region() -> None:
    events = RELEASED + run("a", "2027-01-12T22:00:00Z", "2027-01-12T23:00:00Z", zone="1")
    events += run("b", "2027-01-12T22:10:00Z", "2027-01-12T23:00:00Z", zone="2")
    assert rules(events) == ["R45"]


def test_r46_too_much_of_a_subscription_at_once() -> None:
    events = list(RELEASED)
    for name in "abc":
        events += run(name, "2027-01-12T22:00:00Z", "2027-01-12T23:00:00Z")
    assert rules(events) == ["R46"]  # three of ten, above a fifth
    pair = RELEASED + run("a", "2027-01-12T22:00:00Z", "2027-01-12T23:00:00Z", pool_size=2)
    pair += run("b", "2027-01-12T22:00:00Z", "2027-01-12T23:00:00Z", pool_size=2)
    assert "R46" in rules(pair)  # all of them


def test_r47_to_r49_availability_sets() -> None:
    in_set = {"availability_set": SET, "set_size": 12}
    two_uds = RELEASED + run(
        "a", "2027-01-12T22:00:00Z", "2027-01-12T23:00:00Z", update_domain=0, **in_set
    )
    two_uds += run("b", "2027-01-12T22:10:00Z", "2027-01-12T23:00:00Z", update_domain=1, **in_set)
    assert rules(two_uds) == ["R48"]
    three = list(RELEASED)
    for name in "abc":
        three += run(
            name, "2027-01-12T22:00:00Z", "2027-01-12T23:00:00Z", update_domain=0, **in_set
        )
    assert rules(three) == ["R49"]
    small = {"availability_set": SET, "set_size": 2, "update_domain": 0}
    both = RELEASED + run("a", "2027-01-12T22:00:00Z", "2027-01-12T23:00:00Z", **small)
    both += run("b", "2027-01-12T22:00:00Z", "2027-01-12T23:00:00Z", **small)
    assert sorted(set(rules(both))) == ["R47", "R49"]


def test_r27_r28_r41_r44_when_a_run_may_start() -> None:
    noon = run("a", "2027-01-13T11:00:00Z", "2027-01-13T12:00:00Z")
    noon[0]["local_time"] = "2027-01-13T12:00:00+01:00"
    assert rules(RELEASED + noon) == ["R27"]
    late = run("a", "2027-02-12T22:00:00Z", "2027-02-12T23:00:00Z")
    assert rules(RELEASED + late) == ["R28"]
    early = run("a", "2027-01-12T22:00:00Z", "2027-01-12T23:00:00Z", phase=2)
    assert rules(RELEASED + early) == ["R41"]
    halted = [{"time": "2027-01-12T21:00:00Z", "event": "phase_halted", "rollout": "2027-01"}]
    after = run("a", "2027-01-12T22:00:00Z", "2027-01-12T23:00:00Z")
    assert rules(RELEASED + halted + after) == ["R44"]


def test_r26_only_critical_and_security() -> None:
    finished = {
        "time": "2027-01-12T22:30:00Z",
        "event": "install_finished",
        "vm": "vm-a",
        "patches": [
            {"name": "kb1", "classification": "Security", "state": "Installed"},
            {"name": "defs", "classification": "Definition", "state": "Installed"},
            {"name": "rollup", "classification": "UpdateRollUp", "state": "NotSelected"},
        ],
    }
    assert rules([finished]) == ["R26"]


def test_the_fakes_timeline_passes_through_json_lines() -> None:
    fake = world(
        *(vm(f"s{i}", availability_set="web") for i in range(12)),
        *(vm(f"z{i}", "eastus", zone=str(1 + i % 3)) for i in range(6)),
        vm("w", "westus"),
    )
    month(fake)
    out = io.StringIO()
    written = fake.timeline.write_jsonl(out)
    events = read_timeline(io.StringIO(out.getvalue()))
    assert len(events) == written == len(fake.timeline)
    assert {"time", "event"} <= set(events[0])
    assert check_timeline(events) == []


REGIONS = [
    "eastus",
    "westus",
    "westus3",
    "northeurope",
    "westeurope",
    "eastus2euap",
    "westcentralus",
]
TIME_ZONES = [None, "Pacific Standard Time", "Tokyo Standard Time", "Europe/Paris"]
FAULTS = [
    [],
    [],
    [],
    ["install_failure"],
    ["reboot_failure"],
    ["agent_not_ready"],
    ["slow_install"],
]


@st.composite
def fleets(draw: st.DrawFn) -> list[dict[str, Any]]:
    vms: list[dict[str, Any]] = []
    for index in range(draw(st.integers(1, 6))):  # availability sets of many sizes
        location = draw(st.sampled_from(REGIONS))
        size = draw(st.integers(1, 14))
        vms += [
            vm(
                f"set{index}-{i}",
                location,
                availability_set=f"set{index}",
                os=draw(st.sampled_from(["Windows", "Linux"])),
            )
            for i in range(size)
        ]
    for index in range(draw(st.integers(0, 25))):  # VMs outside sets, zonal or not
        spec = vm(
            f"vm{index}",
            draw(st.sampled_from(REGIONS)),
            os=draw(st.sampled_from(["Windows", "Linux"])),
            subscription=f"00000000-0000-0000-0000-00000000000{draw(st.sampled_from('ab'))}",
            faults=draw(st.sampled_from(FAULTS)),
        )
        zone = draw(st.sampled_from([None, "1", "2", "3"]))
        if zone:
            spec["zone"] = zone
        time_zone = draw(st.sampled_from(TIME_ZONES))
        if time_zone:
            spec["time_zone"] = time_zone
        if draw(st.booleans()):
            spec["power_schedule"] = [{"off": "2027-01-13T00:00:00Z", "on": "2027-01-20T00:00:00Z"}]
        vms.append(spec)
    return vms


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fleet=fleets(), seed=st.integers(0, 3))
def test_generated_fleets_keep_every_invariant(fleet: list[dict[str, Any]], seed: int) -> None:
    fake = world(*fleet, seed=seed)
    month(fake)
    assert check_timeline(fake.timeline) == []
    ran = {span[2]["vm"] for span in in_install(fake)}
    for member in fake.orchestrator.members():
        record = member.vm
        if record.patch_mode_ready and not fake.timeline.events("phase_halted"):
            assert member.resource_id in ran  # R28: everyone Ready got a run


@pytest.mark.parametrize("unhealthy", [True, False])
def test_unhealthy_vms_in_generated_fleets_still_keep_the_invariants(unhealthy: bool) -> None:
    faults = ["unhealthy_after_patch"] if unhealthy else []
    fake = world(
        vm("sick", "eastus2euap", faults=faults),
        *(vm(f"p{i}", region) for i, region in enumerate(REGIONS)),
    )
    month(fake)
    assert check_timeline(fake.timeline) == []
    assert bool(fake.timeline.events("phase_halted")) is unhealthy


def test_r27_an_install_or_reboot_that_ends_after_the_window_is_flagged() -> None:
    started, verdict = run("a", "2027-01-13T04:30:00Z", "2027-01-13T05:50:00Z")
    started["local_time"] = "2027-01-13T05:30:00+01:00"
    finished = {**started, "event": "install_finished", "time": "2027-01-13T05:40:00Z"}
    finished["local_time"] = "2027-01-13T06:40:00+01:00"
    assert rules([*RELEASED, started, finished, verdict]) == ["R27"]
    finished["local_time"] = "2027-01-13T06:00:00+01:00"  # ending as the window closes is fine
    assert rules([*RELEASED, started, finished, verdict]) == []


def _power(name: str, when: str, state: str) -> dict[str, Any]:
    return {
        "time": when,
        "event": "power_changed",
        "vm": f"{GROUP}/virtualMachines/{name}",
        "power_state": state,
    }


def test_r21_a_run_that_starts_or_goes_on_while_the_vm_is_off() -> None:
    starts_off = [_power("a", "2027-01-12T21:00:00Z", "deallocated")]
    starts_off += run("a", "2027-01-12T22:00:00Z", "2027-01-12T22:30:00Z")
    assert rules(RELEASED + starts_off) == ["R21", "R21"]  # the start and the verdict
    goes_on = run("b", "2027-01-12T22:00:00Z", "2027-01-12T22:30:00Z")
    goes_on += [_power("b", "2027-01-12T22:10:00Z", "stopped")]
    assert rules(RELEASED + goes_on) == ["R21"]


def test_r21_a_run_cut_off_as_the_vm_stops_is_clean() -> None:
    cut = run("a", "2027-01-12T22:00:00Z", "2027-01-12T22:30:00Z")[:1]
    cut += [_power("a", "2027-01-12T22:10:00Z", "deallocated")]
    cut += [{**cut[0], "time": "2027-01-12T22:10:00Z", "event": "install_interrupted"}]
    cut += run("b", "2027-01-12T22:10:00Z", "2027-01-12T22:30:00Z")  # the slot is free again
    assert rules(RELEASED + cut) == []


def test_r28_a_retry_after_the_30_days_is_clean_and_a_first_run_is_not() -> None:
    retry = run("a", "2027-02-12T22:00:00Z", "2027-02-12T22:30:00Z", attempt=2)
    first = run("b", "2027-02-12T22:00:00Z", "2027-02-12T22:30:00Z", attempt=1)
    assert rules(RELEASED + retry) == []
    assert rules(RELEASED + first) == ["R28"]


def test_q26_a_run_after_three_failed_runs() -> None:
    events = list(RELEASED)
    for day in range(13, 17):
        start, end = f"2027-01-{day}T22:00:00Z", f"2027-01-{day}T22:30:00Z"
        started, verdict = run("a", start, end, attempt=day - 12)
        done = f"2027-01-{day}T22:20:00Z"
        finished = {**started, "time": done, "event": "install_finished", "status": "Failed"}
        events += [started, finished, verdict]
    assert rules(events) == ["Q26"]  # the fourth
