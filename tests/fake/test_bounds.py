"""A long-running fake does not grow with its load: unhandled requests and finished
operations are bounded, and a long VM list is sorted once, not once per page."""

from __future__ import annotations

import httpx

from azpatch_fake import FakeAzure
from azpatch_fake._arm._service import KEPT_UNHANDLED
from azpatch_fake._world._world import KEPT_OPERATIONS, OPERATION_RETENTION


def test_unhandled_requests_keep_the_latest_hundred_without_their_bodies() -> None:
    fake = FakeAzure()
    url = f"{fake.base_url}/subscriptions/{fake.subscription_id}/providers/Microsoft.Network/x"
    for index in range(KEPT_UNHANDLED + 50):
        fake.handle(
            httpx.Request("PUT", f"{url}{index}?api-version=2024-01-01", content=b"x" * 1000)
        )
    assert len(fake.unhandled) == KEPT_UNHANDLED
    assert str(fake.unhandled[-1].url).endswith(f"x{KEPT_UNHANDLED + 49}?api-version=2024-01-01")
    assert all(not request.content for request in fake.unhandled)


def test_ended_operations_beyond_the_latest_are_kept_an_hour_and_running_ones_always() -> None:
    fake = FakeAzure()
    running = fake.new_operation("westeurope")
    started = [fake.new_operation("westeurope") for _ in range(KEPT_OPERATIONS + 1)]
    for operation in started:
        operation.status = "Succeeded"
        fake.operation_ended(operation)
    assert all(fake.find_operation(op.operation_id) is op for op in started)  # within the hour
    fake.advance(OPERATION_RETENTION)
    last = fake.new_operation("westeurope")
    fake.operation_ended(last)
    assert fake.find_operation(started[0].operation_id) is None
    assert fake.find_operation(started[1].operation_id) is None
    assert all(fake.find_operation(op.operation_id) is op for op in started[2:])
    assert fake.find_operation(last.operation_id) is last
    assert fake.find_operation(running.operation_id) is running


def test_a_long_list_pages_through_every_vm_in_name_order() -> None:
    fake = FakeAzure(page_size=500)
    for index in range(3000):
        fake.add_vm("rg", f"vm{index:05d}")
    with fake.client() as client:
        names = [vm.name for vm in client.virtual_machines.list("rg")]
    assert names == [f"vm{index:05d}" for index in range(3000)]
