"""The pacer: which buckets a request spends from, and that pacing by them draws no 429."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from azpatch import Limit, RateLimits, per_minute
from azpatch._fleet._budgets import Pacer

SUB = "00000000-0000-0000-0000-000000000001"
VM = f"https://management.azure.com/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"


@pytest.mark.parametrize(
    ("method", "url", "policy", "kind"),
    [
        ("GET", VM, "LowCostGetVM", "reads"),
        ("GET", f"{VM}/instanceView", "LowCostGetVM", "reads"),
        ("PATCH", VM, "UpdateVM", "writes"),
        ("POST", f"{VM}/assessPatches", "VMGuestPatchOperations", "writes"),
        ("POST", f"{VM}/installPatches", "VMGuestPatchOperations", "writes"),
        (
            "GET",
            f"https://management.azure.com/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines",
            "HighCostGetVM",
            "reads",
        ),
        (
            "GET",
            f"https://management.azure.com/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines",
            "HighCostGetVM",
            "reads",
        ),
        (
            "GET",
            f"https://management.azure.com/subscriptions/{SUB}/providers/Microsoft.Compute/locations/westeurope/operations/1",
            "GetOperation",
            "reads",
        ),
        (
            "GET",
            f"https://management.azure.com/subscriptions/{SUB}/providers/Microsoft.Features/providers/Microsoft.Compute/features/x",
            None,
            "reads",
        ),
        (
            "POST",
            f"https://management.azure.com/subscriptions/{SUB}/providers/Microsoft.Compute/register",
            None,
            "writes",
        ),
    ],
)
def test_each_request_spends_from_arm_and_its_compute_policy(
    method: str, url: str, policy: str | None, kind: str
) -> None:
    spend = Pacer(RateLimits()).spend_of(httpx.Request(method, url), region="westeurope")
    assert spend.arm == ("arm", SUB, kind)
    assert spend.policy == policy


def test_the_vm_region_and_the_operation_path_pick_the_regional_bucket() -> None:
    pacer = Pacer(RateLimits())
    assert pacer.spend_of(httpx.Request("GET", VM), region="WestEurope").region == (
        "region",
        SUB,
        "westeurope",
        "LowCostGetVM",
    )
    assert pacer.spend_of(httpx.Request("GET", VM), region=None).region == (
        "region",
        SUB,
        "",
        "LowCostGetVM",
    )  # unknown: one bucket for all regions (cautious)
    tenant = pacer.spend_of(
        httpx.Request("GET", "https://management.azure.com/subscriptions"), region=None
    )
    assert tenant.keys == (("tenant", "reads"),)


def test_headers_lower_a_bucket_and_a_429_closes_it_for_its_retry_after() -> None:
    pacer = Pacer(RateLimits(reserve=0))
    spend = pacer.spend_of(httpx.Request("POST", f"{VM}/assessPatches"), region="westeurope")
    assert pacer.ready_at(spend.keys, 0.0) == 0.0
    pacer.take(spend.keys, 0.0)
    pacer.observe(spend, httpx.Headers({"x-ms-ratelimit-remaining-subscription-writes": "0"}), 0.0)
    assert pacer.ready_at(spend.keys, 0.0) == pytest.approx(0.1, abs=0.002)  # 10 writes a second
    pacer.refused(
        spend,
        httpx.Headers(
            {
                "x-ms-ratelimit-remaining-resource": (
                    "Microsoft.Compute/VMGuestPatchOperationsResource;0,"
                    "Microsoft.Compute/VMGuestPatchOperationsSubscription;400"
                )
            }
        ),
        wait=30,
        now=1.0,
    )
    assert pacer.ready_at(spend.keys, 1.0) == pytest.approx(31.0, abs=0.002)  # the VM bucket only
    other = pacer.spend_of(httpx.Request("POST", f"{VM[:-1]}2/assessPatches"), region="westeurope")
    assert pacer.ready_at(other.keys, 1.0) == 1.0


def test_a_header_never_raises_a_bucket_above_the_runs_own_count() -> None:
    pacer = Pacer(RateLimits(reserve=0, subscription_reads=Limit(2, 1)))
    spend = pacer.spend_of(httpx.Request("GET", VM), region=None)
    pacer.take(spend.keys, 0.0)
    pacer.take(spend.keys, 0.0)
    pacer.observe(spend, httpx.Headers({"x-ms-ratelimit-remaining-subscription-reads": "249"}), 0.0)
    assert pacer.ready_at(spend.keys, 0.0) == pytest.approx(1.0, abs=0.002)


class _Server:
    """A token bucket as Azure keeps one, to check the pacer against."""

    def __init__(self, limit: Limit) -> None:
        self.limit, self.tokens, self.stamp = limit, float(limit.capacity), 0.0

    def admit(self, now: float) -> bool:
        self.tokens = min(
            self.limit.capacity, self.tokens + (now - self.stamp) * self.limit.per_second
        )
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@given(
    capacity=st.integers(1, 50),
    per_minute_refill=st.integers(1, 600),
    reserve=st.sampled_from([0.0, 0.1, 0.5]),
    gaps=st.lists(st.floats(0, 5, allow_nan=False), min_size=1, max_size=200),
)
def test_requests_sent_when_the_pacer_says_ready_are_never_refused(
    capacity: int, per_minute_refill: int, reserve: float, gaps: list[float]
) -> None:
    limit = per_minute(capacity, per_minute_refill)
    pacer = Pacer(RateLimits(reserve=reserve, subscription_writes=limit))
    server = _Server(limit)
    spend = pacer.spend_of(
        httpx.Request("PATCH", f"https://management.azure.com/subscriptions/{SUB}/x"), region=None
    )
    now = 0.0
    for gap in gaps:  # a caller that wants to send every `gap` seconds, and waits when told
        now = max(now + gap, pacer.ready_at(spend.keys, now + gap))
        pacer.take(spend.keys, now)
        assert server.admit(now)


@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["add", "take", "answer", "wait"]),
            st.integers(0, 3),  # which subscription
            st.floats(0, 2, allow_nan=False),
        ),
        max_size=300,
    )
)
def test_the_dispatcher_hands_out_every_request_once_within_budget(
    steps: list[tuple[str, int, float]],
) -> None:
    from azpatch._fleet._dispatch import Dispatcher, Queued

    tight = RateLimits(reserve=0, subscription_writes=Limit(3, 2))
    dispatcher: Dispatcher[int] = Dispatcher(Pacer(tight), max_concurrency=2)
    servers = {index: _Server(tight.subscription_writes) for index in range(4)}
    now, added, taken, in_flight = 0.0, 0, [], 0

    def spend(index: int) -> Queued[int]:
        # Two subscriptions, two regions each: queues that share ARM's write bucket.
        url = (
            f"https://management.azure.com/subscriptions/{SUB[:-1]}{index % 2}/resourceGroups"
            f"/rg/providers/Microsoft.Compute/virtualMachines/vm{index}"
        )
        request = httpx.Request("PATCH", url)
        region = ("westeurope", "eastus")[index // 2]
        return Queued(index % 2, dispatcher.pacer.spend_of(request, region=region))

    def take() -> None:
        nonlocal in_flight
        for item in dispatcher.take(now):
            assert servers[item.job].admit(now)
            taken.append(item.job)
            in_flight += 1

    for action, index, gap in steps:
        if action == "add":
            dispatcher.add(spend(index))
            added += 1
        elif action == "take":
            take()
        elif action == "answer" and in_flight:
            dispatcher.answered(trouble=gap > 1.5)
            in_flight -= 1
        else:
            now += gap
    while len(taken) < added:  # everything queued goes, in time
        while in_flight:
            dispatcher.answered(trouble=False)
            in_flight -= 1
        now = max(now, dispatcher.next_ready() or now)
        take()
    assert dispatcher.queued == 0


def _named(bucket: str, left: int) -> httpx.Headers:
    return httpx.Headers(
        {"x-ms-ratelimit-remaining-resource": f"Microsoft.Compute/{bucket};{left}"}
    )


def test_a_bucket_named_by_its_window_is_learned_for_that_kind_of_request() -> None:
    pacer = Pacer(RateLimits(reserve=0))
    get = httpx.Request("GET", VM)
    first = pacer.spend_of(get, region="westeurope")
    assert first.learned == ()
    pacer.take(first.keys, 0.0)
    both = "Microsoft.Compute/HighCostGet3Min;2,Microsoft.Compute/HighCostGet30Min;100"
    pacer.observe(first, httpx.Headers({"x-ms-ratelimit-remaining-resource": both}), 0.0)
    later = pacer.spend_of(get, region="westeurope")
    assert {key[-1] for key in later.learned} == {"HighCostGet3Min", "HighCostGet30Min"}
    pacer.take(later.keys, 0.0)
    pacer.take(later.keys, 0.0)
    # Three in three minutes (two left after one): the next token comes a minute later.
    assert pacer.ready_at(later.keys, 0.0) == pytest.approx(60.0, abs=0.01)
    elsewhere = pacer.spend_of(get, region="eastus")
    assert elsewhere.learned == ()
    writes = pacer.spend_of(httpx.Request("PATCH", VM), region="westeurope")
    assert writes.learned == ()


def test_a_refusal_by_a_bucket_new_to_the_run_closes_it_for_its_retry_after() -> None:
    pacer = Pacer(RateLimits(reserve=0))
    spend = pacer.spend_of(httpx.Request("GET", VM), region="westeurope")
    pacer.refused(spend, _named("HighCostGet3Min", 0), wait=120, now=0.0)
    assert (
        pacer.ready_at(pacer.spend_of(httpx.Request("GET", VM), region="westeurope").keys, 0.0)
        >= 120
    )
    unnamed = pacer.spend_of(httpx.Request("GET", VM[:-1] + "2"), region="westeurope")
    pacer.observe(unnamed, _named("VmssQueuedVMOperations", 3), 0.0)  # no window: not paced
    assert pacer.spend_of(httpx.Request("GET", VM[:-1] + "2"), region="eastus").learned == ()


@given(
    capacity=st.integers(2, 200),
    drained=st.floats(0, 0.9),
    gaps=st.lists(st.floats(0, 5, allow_nan=False), min_size=1, max_size=300),
)
def test_pacing_by_a_learned_bucket_is_never_refused(
    capacity: int, drained: float, gaps: list[float]
) -> None:
    """Azure's bucket, known only by its name and what it reports, maybe half spent by others."""
    limit = Limit(capacity, capacity / 180)
    server = _Server(limit)
    server.tokens = max(1.0, round(capacity * (1 - drained)))
    pacer = Pacer(RateLimits(reserve=0.1))
    request = httpx.Request("GET", f"{VM}/instanceView")
    now = 0.0
    for gap in gaps:
        spend = pacer.spend_of(request, region="westeurope")
        now = max(now + gap, pacer.ready_at(spend.keys, now + gap))
        pacer.take(spend.keys, now)
        assert server.admit(now)
        pacer.observe(spend, _named("HighCostGet3Min", int(server.tokens)), now)
