"""The what-if plan, fleets of VMs already enabled, and the hotpatch calendar (R39)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from azpatch_fake import FleetError, OrchestrationPolicy, load_fleet, plan_rollout
from azpatch_fake.__main__ import main

from .fleets import START, in_install, month, vm, world

HOTPATCH_IMAGE = {
    "publisher": "MicrosoftWindowsServer",
    "offer": "WindowsServer",
    "sku": "2025-datacenter-azure-edition",
}


def fleet() -> dict[str, object]:
    return {
        "start": START.isoformat(),
        "vms": [
            vm("canary", "eastus2euap"),
            *(vm(f"web{i}", availability_set="web") for i in range(4)),
            vm("scheduled", "eastus"),
        ],
    }


def test_what_if_predicts_the_slots_the_simulation_takes() -> None:
    slots = plan_rollout(fleet(), "2027-01", seed=5)
    fake = load_fleet(fleet(), seed=5)
    month(fake)
    first = {}
    for _, _, event in in_install(fake):
        first.setdefault(event["vm"], event["time"])
    assert {s.vm: s.start for s in slots} == first
    assert slots[0].phase == 1  # the canary goes first
    assert all(s.hold is None for s in slots)


def test_what_if_names_the_rule_for_a_vm_without_a_slot() -> None:
    spec = fleet()
    spec["vms"][0]["faults"] = ["unhealthy_after_patch"]  # type: ignore[index]
    held = OrchestrationPolicy(halt_investigation=timedelta(days=40))  # past the month (Q24)
    slots = {s.vm.rsplit("/", 1)[1]: s for s in plan_rollout(spec, "2027-01", policy=held)}
    assert slots["canary"].start is not None
    assert slots["web0"].start is None
    assert slots["web0"].hold is not None
    assert slots["web0"].hold.startswith("R44")


def test_what_if_from_a_live_world() -> None:
    fake = world(*fleet()["vms"])  # type: ignore[arg-type]
    fake.run_until(START + timedelta(days=2))  # enabled by now
    slots = fake.what_if("2027-01")
    assert len(slots) == 6
    assert all(s.start is not None for s in slots)
    assert fake.clock.now() == START + timedelta(days=2)  # the world itself did not move


def test_what_if_needs_a_month_after_the_start() -> None:
    with pytest.raises(FleetError, match="must start before the 2026-12 release"):
        plan_rollout(fleet(), "2026-12")
    with pytest.raises(FleetError, match="not YYYY-MM"):
        plan_rollout(fleet(), "January")


def test_the_plan_command_prints_slots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(fleet()))
    main(["plan", "--fleet", str(path), "--month", "2027-01", "--output", "json"])
    slots = json.loads(capsys.readouterr().out)
    assert len(slots) == 6
    assert {"vm", "location", "phase", "start", "local_start", "hold"} == set(slots[0])
    main(["plan", "--fleet", str(path), "--month", "2027-01"])
    assert "phase 1 " in capsys.readouterr().out


def test_a_fleet_vm_can_start_enabled() -> None:
    spec = vm("ready", enabled=True)
    fake = world(spec)
    assert fake.vm("rg", "ready").patch_mode_ready
    month(fake)
    assert not fake.timeline.events("enablement_started")
    assert len(in_install(fake)) == 1


def test_r39_hotpatch_months_install_security_updates_without_a_reboot() -> None:
    hot = vm("hot", hotpatch=True, image=HOTPATCH_IMAGE)
    cold = vm("cold", image=HOTPATCH_IMAGE)
    fake = world(hot, cold)
    fake.run_until(datetime(2027, 3, 9, 16, tzinfo=timezone.utc))  # January and February
    reboots = [
        (e["vm"].rsplit("/", 1)[1], e["rollout"]) for e in fake.timeline.events("reboot_started")
    ]
    assert ("hot", "2027-01") in reboots  # January is a baseline month
    assert ("hot", "2027-02") not in reboots  # February is a hotpatch month
    assert ("cold", "2027-02") in reboots


def test_q21_an_unplanned_baseline_needs_its_reboot() -> None:
    policy = OrchestrationPolicy(unplanned_baselines=frozenset({"2027-02"}))
    fake = world(vm("hot", hotpatch=True, image=HOTPATCH_IMAGE), policy=policy)
    fake.run_until(datetime(2027, 3, 9, 16, tzinfo=timezone.utc))
    rollouts = {e["rollout"] for e in fake.timeline.events("reboot_started")}
    assert rollouts == {"2027-01", "2027-02"}


def test_r14_hotpatch_needs_a_hotpatchable_image() -> None:
    with pytest.raises(FleetError, match="hotpatch: the image is not a hotpatchable"):
        load_fleet({"start": START.isoformat(), "vms": [vm("hot", hotpatch=True)]})
