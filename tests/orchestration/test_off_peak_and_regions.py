"""Off-peak windows (R16, R27, Q1), region pairs (R42, Q18) and the phase plan (R43, Q6)."""

from __future__ import annotations

from datetime import datetime, time, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azpatch_fake import OffPeakHours
from azpatch_fake._orchestration._phases import plan_phases
from azpatch_fake._world._off_peak import resolve_time_zone
from azpatch_fake._world._regions import PUBLIC_REGIONS, REGIONS, conflicts, region


def _utc(*args: int) -> float:
    return datetime(*args, tzinfo=timezone.utc).timestamp()


def test_q1_default_window_is_22_to_6_local_and_follows_daylight_saving() -> None:
    amsterdam = resolve_time_zone("Europe/Amsterdam")
    hours = OffPeakHours()
    assert hours.window(amsterdam, _utc(2027, 1, 15, 12)) == (
        _utc(2027, 1, 15, 21),
        _utc(2027, 1, 16, 5),
    )
    assert hours.window(amsterdam, _utc(2027, 7, 15, 12)) == (
        _utc(2027, 7, 15, 20),
        _utc(2027, 7, 16, 4),
    )


def test_q1_a_moment_inside_the_window_gets_that_window() -> None:
    tokyo = resolve_time_zone("Asia/Tokyo")  # UTC+9, 22:00 local is 13:00 UTC
    assert OffPeakHours().window(tokyo, _utc(2027, 1, 15, 18)) == (
        _utc(2027, 1, 15, 13),
        _utc(2027, 1, 15, 21),
    )


def test_q1_a_window_within_one_day_is_configurable() -> None:
    utc = resolve_time_zone("UTC")
    hours = OffPeakHours(time(1), time(4, 30))
    assert hours.window(utc, _utc(2027, 1, 15, 5)) == (
        _utc(2027, 1, 16, 1),
        _utc(2027, 1, 16, 4, 30),
    )
    assert hours.contains(time(2))
    assert not hours.contains(time(5))
    with pytest.raises(ValueError, match="start different"):
        OffPeakHours(time(3), time(3))


def test_q1_windows_time_zone_names_are_understood() -> None:
    assert resolve_time_zone("Pacific Standard Time").key == "America/Los_Angeles"
    assert resolve_time_zone("W. Europe Standard Time").key == "Europe/Berlin"
    with pytest.raises(ValueError, match="unknown time zone 'Mars Standard Time'"):
        resolve_time_zone("Mars Standard Time")


@given(moment=st.floats(min_value=_utc(2026, 1, 1), max_value=_utc(2030, 1, 1)))
def test_q1_windows_are_eight_local_hours_and_never_behind(moment: float) -> None:
    zone = resolve_time_zone("America/New_York")
    start, end = OffPeakHours().window(zone, moment)
    assert moment < end
    assert 7 * 3600 <= end - start <= 9 * 3600  # a daylight-saving night is an hour off
    assert datetime.fromtimestamp(start, zone).time() == time(22)


def test_every_region_has_a_time_zone_and_the_public_cloud_is_complete() -> None:
    for known in REGIONS.values():
        resolve_time_zone(known.time_zone)
    assert {"eastus", "westeurope", "eastus2euap", "westcentralus"} <= set(PUBLIC_REGIONS)
    assert region("West Europe").name == "westeurope"
    assert region("atlantis").time_zone == "UTC"


@pytest.mark.parametrize(
    ("location", "partners"),
    [
        ("southcentralus", {"northcentralus", "brazilsouth"}),
        ("eastus", {"westus", "westus3"}),
        ("southindia", {"centralindia", "westindia"}),
        ("brazilsouth", {"southcentralus", "brazilsoutheast"}),
        ("usgovtexas", {"usgovvirginia", "usgovarizona"}),
        ("italynorth", set()),
    ],
)
def test_r42_q18_the_conflict_graph_is_the_undirected_union_of_pairs(
    location: str, partners: set[str]
) -> None:
    assert conflicts(location) == partners


def test_r43_canary_then_pilot_then_the_rest() -> None:
    counts = {"eastus2euap": 1, "centraluseuap": 2, "westcentralus": 3, "westus2": 5, "eastus": 9}
    phases = plan_phases(counts)
    assert phases[0] == ("centraluseuap", "eastus2euap")
    assert phases[1] == ("westcentralus",)
    assert {r for phase in phases[2:] for r in phase} == {"westus2", "eastus"}


@given(st.dictionaries(st.sampled_from(PUBLIC_REGIONS), st.integers(0, 50)))
def test_r42_q6_no_phase_holds_both_regions_of_a_pair(counts: dict[str, int]) -> None:
    phases = plan_phases(counts)
    assert sorted(r for phase in phases for r in phase) == sorted(r for r, n in counts.items() if n)
    for phase in phases:
        for member in phase:
            assert not conflicts(member) & set(phase)


def test_q6_smaller_fleets_are_coloured_first() -> None:
    phases = plan_phases({"eastus": 10, "westus": 1, "westus3": 2})
    assert phases == [("westus", "westus3"), ("eastus",)]
