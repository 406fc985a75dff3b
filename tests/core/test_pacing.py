"""The wait between polls: Retry-After when sent, else a bounded, spread backoff."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azpatch import PollingPolicy
from azpatch._core._pacing import poll_interval, within_deadline

URL = "https://management.azure.com/operations/1"


def test_without_retry_after_the_wait_doubles_up_to_thirty_minutes() -> None:
    policy = PollingPolicy(jitter=0)
    waits = [poll_interval(policy, polls, asked=None, key=URL) for polls in range(8)]
    assert waits == [30, 60, 120, 240, 480, 960, 1800, 1800]


def test_retry_after_is_honoured_within_the_policys_bounds() -> None:
    policy = PollingPolicy()
    assert poll_interval(policy, 7, asked=12.5, key=URL) == 12.5
    assert poll_interval(policy, 0, asked=0, key=URL) == 1.0
    assert poll_interval(policy, 0, asked=7200, key=URL) == 1800.0


def test_the_spread_differs_between_resources_and_repeats_for_one() -> None:
    policy = PollingPolicy()
    waits = {poll_interval(policy, 3, asked=None, key=f"{URL}/vm{n}") for n in range(50)}
    assert len(waits) > 40
    assert poll_interval(policy, 3, asked=None, key=URL) == poll_interval(
        policy, 3, asked=None, key=URL
    )


@given(
    polls=st.integers(0, 10_000),
    interval=st.floats(0.001, 3600),
    backoff=st.floats(1, 10),
    jitter=st.floats(0, 0.99),
    key=st.text(max_size=20),
)
def test_a_backoff_wait_stays_within_its_bounds(
    polls: int, interval: float, backoff: float, jitter: float, key: str
) -> None:
    policy = PollingPolicy(interval=interval, backoff=backoff, jitter=jitter, max_interval=900)
    wait = poll_interval(policy, polls, asked=None, key=key)
    assert min(interval, 900) * (1 - jitter) <= wait <= 900


@given(wait=st.floats(0, 10_000), left=st.floats(-10, 10_000))
def test_a_waiter_never_sleeps_past_its_deadline(wait: float, left: float) -> None:
    cut = within_deadline(wait, left=left, policy=PollingPolicy())
    if cut is None:
        assert left <= 1.0
    else:
        assert 0 < cut <= wait or cut == wait == 0
        assert cut <= left - 1.0


@pytest.mark.parametrize(
    ("field", "value"), [("backoff", 0.5), ("backoff", 11), ("jitter", 1), ("jitter", -0.1)]
)
def test_bad_knobs_are_refused(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=field):
        PollingPolicy(**{field: value})
