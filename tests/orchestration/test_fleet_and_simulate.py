"""Fleet files and ``python -m azpatch_fake simulate``."""

from __future__ import annotations

import gc
import gzip
import io
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from azpatch_fake import (
    FleetError,
    check_timeline,
    example_fleet,
    load_fleet,
    outcomes,
    read_timeline,
)
from azpatch_fake.__main__ import main
from azpatch_fake._orchestration import _holds
from azpatch_fake._tools._simulate import _HELD_BY

from .fleets import START, vm


def fleet(*vms: dict[str, Any]) -> dict[str, Any]:
    return {"start": START.isoformat(), "vms": list(vms)}


def simulate_command(fleet_path: Path, timeline: Path, *extra: str) -> None:
    arguments = ["--fleet", str(fleet_path), "--until", "2027-02-01T00:00:00Z"]
    main(["simulate", *arguments, "--timeline", str(timeline), *extra])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"os": "Solaris"}, r"vms\[0\]\.os: 'Windows' or 'Linux'"),
        ({"patch_mode": "ImageDefault"}, r"vms\[0\]\.patch_mode: Windows takes"),
        ({"time_zone": "Mars Standard Time"}, r"vms\[0\]\.time_zone: unknown time zone"),
        ({"faults": ["gremlins"]}, r"vms\[0\]\.faults\[0\]: one of agent_not_ready"),
        ({"power_schedule": [{"off": "2027-01-05T00:00:00"}]}, r"needs a UTC offset"),
        (
            {"power_schedule": [{"off": "2027-01-05T00:00:00Z", "on": "2027-01-04T00:00:00Z"}]},
            r"'on' must come after 'off'",
        ),
        ({"image": "ubuntu"}, r"vms\[0\]\.image: expected"),
    ],
)
def test_a_bad_fleet_names_the_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(FleetError, match=message):
        load_fleet(fleet(vm("web1") | change))


def test_a_fleet_needs_its_shape_and_required_fields() -> None:
    with pytest.raises(FleetError, match="a fleet is"):
        load_fleet([])
    with pytest.raises(FleetError, match=r"start: expected an ISO 8601 time"):
        load_fleet({"vms": []})
    spec = vm("web1")
    del spec["location"]
    with pytest.raises(FleetError, match=r"vms\[0\]\.location: required"):
        load_fleet(fleet(spec))


def test_a_fleet_places_vms_in_sets_zones_and_subscriptions() -> None:
    fake = load_fleet(
        fleet(
            vm("a", availability_set="web"),
            vm("b", availability_set="web"),
            vm("c", zone=2, subscription="00000000-0000-0000-0000-00000000000b"),
        )
    )
    assert [fake.vm("rg", n).platform_update_domain for n in "ab"] == [0, 1]
    other = fake.vm("rg", "c", subscription_id="00000000-0000-0000-0000-00000000000b")
    assert other.zones == ("2",)
    assert all(not fake.vm("rg", n).patch_mode_ready for n in "ab")


def test_simulate_prints_a_summary_and_writes_the_timeline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fleet.json"
    spec = fleet(
        vm("canary", "eastus2euap"),
        vm("web1"),
        vm("web2", faults=["install_failure"]),
        vm("east", "eastus", os="Linux"),
    )
    path.write_text(json.dumps(spec))
    out = tmp_path / "timeline.jsonl"
    simulate_command(path, out, "--seed", "3")
    printed = capsys.readouterr().out
    assert "rollout 2027-01" in printed
    assert "eastus2euap" in printed
    lines = out.read_text().splitlines()
    assert f"{len(lines)} events written" in printed
    with out.open() as lines:
        events = read_timeline(lines)
    assert check_timeline(events) == []
    assert {"rollout_started", "phase_started", "install_started", "health_verdict"} <= {
        e["event"] for e in events
    }


def test_outcomes_per_phase_and_region() -> None:
    fake = load_fleet(
        fleet(vm("canary", "eastus2euap"), vm("web1"), vm("web2", faults=["install_failure"]))
    )
    fake.run_until(START.replace(month=2))
    rows = {(r.phase, r.region): r for r in outcomes(fake)}
    assert rows[(1, "eastus2euap")].patched == 1
    assert (rows[(2, "westeurope")].patched, rows[(2, "westeurope")].failed) == (1, 1)


def test_simulate_refuses_a_bad_fleet_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(fleet(vm("web1", os="BeOS"))))
    with pytest.raises(SystemExit) as exited:
        simulate_command(path, tmp_path / "t")
    assert exited.value.code == 2
    assert "vms[0].os" in capsys.readouterr().err


def test_example_fleet_is_seeded_and_loads() -> None:
    first = example_fleet(200, seed=4)
    assert first == example_fleet(200, seed=4)
    assert len(first["vms"]) == 200
    fake = load_fleet(first)
    assert len(fake.orchestrator.members()) == 200


@pytest.mark.parametrize(
    ("vms", "message"),
    [
        (
            [vm("web1", "westeurop")],
            r"vms\[0\]\.location: 'westeurop' is not an Azure region; did you mean 'westeurope'\?",
        ),
        (
            [vm("web1", zone=1, availability_set="web")],
            r"vms\[0\]: a VM in an availability zone cannot be in an availability set",
        ),
        (
            [vm("web1", availability_set="web"), vm("web2", "northeurope", availability_set="web")],
            r"vms\[1\]\.availability_set: web is in westeurope; a set's VMs share its region",
        ),
        (
            [vm("odd") | {"image": {"publisher": "Contoso", "offer": "appliance", "sku": "1"}}],
            r"vms\[0\]\.image: Contoso/appliance/1 is not supported for AutomaticByPlatform \(R9\)",
        ),
    ],
    ids=["r42-unknown-region", "zone-and-set", "set-across-regions", "r9-unsupported-image"],
)
def test_a_fleet_is_refused_where_arm_would_refuse_it(
    vms: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(FleetError, match=message):
        load_fleet(fleet(*vms))


def test_simulate_writes_a_gzip_timeline_that_reads_back_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(example_fleet(60, seed=2)))
    plain, packed = tmp_path / "timeline.jsonl", tmp_path / "timeline.jsonl.gz"
    simulate_command(path, plain)
    simulate_command(path, packed)
    capsys.readouterr()
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()
    assert packed.stat().st_size * 10 < plain.stat().st_size
    events = read_timeline(packed)
    assert events == read_timeline(plain)
    assert check_timeline(events) == []


def test_the_written_lines_are_the_events_as_json() -> None:
    fake = load_fleet(example_fleet(40, seed=5), seed=5)
    fake.run_until(datetime(2027, 1, 20, tzinfo=timezone.utc))
    out = io.StringIO()
    assert fake.timeline.write_jsonl(out) == len(fake.timeline)
    expected = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in fake.timeline)
    assert out.getvalue() == expected


def test_events_of_several_kinds_come_in_time_order() -> None:
    fake = load_fleet(example_fleet(40, seed=5), seed=5)
    fake.run_until(datetime(2027, 2, 1, tzinfo=timezone.utc))
    kinds = ("install_started", "health_verdict", "rollout_started")
    every = list(fake.timeline)
    assert fake.timeline.events(kinds) == [e for e in every if e["event"] in kinds]
    assert fake.timeline.events("health_verdict") == [
        e for e in every if e["event"] == "health_verdict"
    ]
    one = every[-1]["vm"] if "vm" in every[-1] else next(e["vm"] for e in every if "vm" in e)
    assert fake.timeline.events(vm=one.upper()) == [e for e in every if e.get("vm") == one]


def test_simulate_leaves_the_garbage_collector_as_it_found_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(example_fleet(20, seed=1)))
    before = (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count())
    simulate_command(path, tmp_path / "timeline.jsonl")
    capsys.readouterr()
    assert (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()) == before


def test_a_month_makes_no_cyclic_garbage() -> None:
    """What lets ``simulate`` look at young objects only every million allocations: a month
    of a fleet with failing installs and reboots, VMs that halt the rollout and VMs stopped
    mid-run leaves nothing that only the collector frees."""
    from azpatch_fake._tools._simulate import loaded_for_a_long_run

    fleet = example_fleet(300, seed=4)
    faults = ("install_failure", "reboot_failure", "unhealthy_after_patch", "slow_install")
    for index, spec in enumerate(fleet["vms"][:40]):
        spec["faults"] = [faults[index % len(faults)]]
    for spec in fleet["vms"][40:60]:  # off at odd hours: runs cut off, assessments failed
        spec["power_schedule"] = [
            {
                "off": f"2027-01-{day:02}T{hour:02}:10:00Z",
                "on": f"2027-01-{day:02}T{hour:02}:50:00Z",
            }
            for day in range(2, 29, 3)
            for hour in (0, 3, 22)
        ]
    gc.collect()
    with loaded_for_a_long_run(fleet, seed=4) as fake:
        fake.run_until(datetime(2027, 2, 1, tzinfo=timezone.utc))
        kinds = {event["event"] for event in fake.timeline}
        assert {"install_interrupted", "phase_halted"} <= kinds, kinds
        assert gc.collect() == 0


def test_the_summary_names_every_rule_that_can_hold_a_vm_in_words() -> None:
    source = Path(_holds.__file__).read_text(encoding="utf-8")
    assert set(re.findall(r'Hold\(\s*"([A-Z]\d+)"', source)) == set(_HELD_BY)
