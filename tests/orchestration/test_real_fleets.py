"""Random fleets shaped like real customers' (R21, R27, R28, R44, R46 to R49, Q24 to Q27): VMs
that turn unhealthy, always fail, install slowly or are stopped at odd hours, in sets, zones
and time zones; whatever the mix, the rules hold and nobody is starved."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azpatch_fake import FakeAzure, check_timeline

from .fleets import vm, world

REGIONS = ("eastus2euap", "westcentralus", "eastus", "westus", "westeurope", "northeurope")
ZONES = ("UTC", "Asia/Kolkata", "America/Los_Angeles", "Europe/Amsterdam", "Australia/Adelaide")
SUBSCRIPTIONS = tuple(f"00000000-0000-0000-0000-00000000000{c}" for c in "abc")
FEBRUARY_RELEASE = "2027-02-09T17:00:00Z"
KINDS = ("plain", "plain", "plain", "slow", "failing", "stopping", "unhealthy")


@st.composite
def stops(draw: st.DrawFn) -> list[dict[str, str]]:
    """A few stops of one to forty hours in January, at any hour."""
    periods = []
    for _ in range(draw(st.integers(1, 3))):
        day, hour = draw(st.integers(5, 30)), draw(st.integers(0, 23))
        hours = draw(st.integers(1, 40))
        off = datetime(2027, 1, day, hour, tzinfo=timezone.utc).timestamp()
        on = off + hours * 3600
        periods.append((off, on))
    periods.sort()
    merged: list[dict[str, str]] = []
    last_on = 0.0
    for off, on in periods:
        if off <= last_on:
            continue  # periods may not overlap
        merged.append({"off": _iso(off), "on": _iso(on)})
        last_on = on
    return merged


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@st.composite
def fleets(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, str]]:
    specs: list[dict[str, Any]] = []
    kinds: dict[str, str] = {}
    unhealthy = 0
    for index in range(draw(st.integers(2, 24))):
        name = f"vm{index}"
        location = draw(st.sampled_from(REGIONS))
        kind = draw(st.sampled_from(KINDS))
        if kind == "unhealthy":
            unhealthy += 1
            if unhealthy > 2:  # each halts its rollout for three days (Q24)
                kind = "plain"
        extra: dict[str, Any] = {
            "subscription": draw(st.sampled_from(SUBSCRIPTIONS)),
            "resource_group": f"rg-{location}",
            "time_zone": draw(st.sampled_from(ZONES)),
            "enabled": draw(st.booleans()),
            "os": draw(st.sampled_from(["Windows", "Linux"])),
        }
        placement = draw(st.sampled_from(["none", "zone", "set"]))
        if placement == "zone":
            extra["zone"] = draw(st.sampled_from(["1", "2", "3"]))
        elif placement == "set":
            extra["availability_set"] = f"set-{location}-{draw(st.integers(0, 1))}"
        faults: list[Any] = {
            "plain": [],
            "slow": [{"kind": "slow_install", "minutes_per_patch": draw(st.integers(20, 120))}],
            "failing": ["install_failure"],
            "stopping": [],
            "unhealthy": ["unhealthy_after_patch"],
        }[kind]
        if faults:
            extra["faults"] = faults
        if kind == "stopping":
            extra["power_schedule"] = draw(stops())
        specs.append(vm(name, location, **extra))
        kinds[name] = kind
    return specs, kinds


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fleet=fleets(), seed=st.integers(0, 1000))
def test_whatever_the_fleet_the_rules_hold_and_nobody_is_starved(
    fleet: tuple[list[dict[str, Any]], dict[str, str]], seed: int
) -> None:
    specs, kinds = fleet
    fake = world(*specs, seed=seed)
    fake.run_until(datetime(2027, 3, 8, tzinfo=timezone.utc))  # January's and February's
    events = list(fake.timeline)
    # Every run inside its window, caps over running members, nothing on a stopped VM,
    # no first run after the 30 days, no run after three failed ones (check_timeline).
    assert check_timeline(events) == []
    _nobody_starved(fake, events, kinds)
    _no_inherited_halt(events)


def _nobody_starved(fake: FakeAzure, events: list[dict[str, Any]], kinds: dict[str, str]) -> None:
    """Every VM that stays on gets its first January run before February's release."""
    ran = {
        e["vm"].rsplit("/", 1)[1]
        for e in events
        if e["event"] == "install_started"
        and e["rollout"] == "2027-01"
        and e["time"] < FEBRUARY_RELEASE
    }
    for name, kind in kinds.items():
        if kind != "stopping":
            assert name in ran, (name, kind, _hold(fake, name))


def _hold(fake: FakeAzure, name: str) -> object:
    member = next(m for m in fake.orchestrator.members() if m.vm.name == name)
    return fake.why_not_patched(member.vm)


def _no_inherited_halt(events: list[dict[str, Any]]) -> None:
    """A halt comes from an unhealthy verdict of its own rollout, and ends (Q24)."""
    sick = {
        (e["rollout"], e["vm"])
        for e in events
        if e["event"] == "health_verdict" and not e["healthy"]
    }
    for halt in (e for e in events if e["event"] == "phase_halted"):
        culprit = halt["reason"].split(" ", 1)[0]
        assert (halt["rollout"], culprit) in sick
    halts = {e["rollout"] for e in events if e["event"] == "phase_halted"}
    resumed = {e["rollout"] for e in events if e["event"] == "rollout_resumed"}
    assert halts <= resumed
