"""Runs that stop halfway: killed, cancelled, or out of time, and resumed from their checkpoint."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

import azpatch
from azpatch import OutcomeStatus
from azpatch_fake import FakeAzure

from .conftest import seed
from .test_scenarios import CREDENTIAL, LINUX, statuses

pytestmark = pytest.mark.azpatch_fake(
    throttling="azure", install_time_per_patch=timedelta(minutes=20)
)


@pytest.mark.anyio
async def test_a_run_killed_halfway_resumes_without_repeating_or_resending(
    azpatch_fake: FakeAzure, tmp_path: Path
) -> None:
    subscriptions = seed(azpatch_fake, subscriptions=2, regions=2, per_region=10)
    targets = [f"/subscriptions/{s}" for s in subscriptions]
    checkpoint = tmp_path / "install.jsonl"
    async with azpatch.AsyncClient(subscriptions[0], CREDENTIAL) as client:
        killed = client.fleet.install(targets, LINUX, checkpoint=checkpoint)
        before = [await killed.__anext__() for _ in range(15)]  # then never resumed nor closed
        after = [o async for o in client.fleet.install(targets, LINUX, checkpoint=checkpoint)]
        await killed.aclose()  # the test's own cleanup, after the facts
    assert len(after) == 40
    assert {o.target for o in before} <= {o.target for o in after if o.from_checkpoint}
    # An installation whose answer the killed run never read is not sent again: it is named.
    counts = statuses(after)
    assert counts["succeeded"] + counts["unfinished"] == 40
    unfinished = [o for o in after if o.status is OutcomeStatus.UNFINISHED]
    assert all(o.code == "MayHaveStarted" for o in unfinished)
    assert azpatch_fake.faults.calls("install_patches") == 40  # each sent once, by either run


def test_a_deadline_leaves_operations_in_flight_to_resume(
    azpatch_fake: FakeAzure, tmp_path: Path
) -> None:
    fake = azpatch_fake
    for index in range(6):
        fake.add_vm("rg", f"vm{index}")
    group = f"/subscriptions/{fake.subscription_id}/resourceGroups/rg"
    checkpoint = tmp_path / "install.jsonl"
    with azpatch.Client(fake.subscription_id, CREDENTIAL) as client:
        first = list(client.fleet.install(group, LINUX, deadline=600, checkpoint=checkpoint))
        assert statuses(first) == {"unfinished": 6}
        assert all(o.continuation_token for o in first)
        second = list(client.fleet.install(group, LINUX, checkpoint=checkpoint))
    assert statuses(second) == {"succeeded": 6}
    assert fake.faults.calls("install_patches") == 6


def test_breaking_out_of_the_loop_journals_what_was_in_flight(
    azpatch_fake: FakeAzure, tmp_path: Path
) -> None:
    fake = azpatch_fake
    for index in range(30):
        fake.add_vm("rg", f"vm{index}")
    group = f"/subscriptions/{fake.subscription_id}/resourceGroups/rg"
    checkpoint = tmp_path / "install.jsonl"
    with azpatch.Client(fake.subscription_id, CREDENTIAL) as client:
        for _ in client.fleet.install(group, LINUX, checkpoint=checkpoint, max_concurrency=4):
            break
        resumed = list(client.fleet.install(group, LINUX, checkpoint=checkpoint))
    assert statuses(resumed) == {"succeeded": 30}
    assert fake.faults.calls("install_patches") == 30
    text = checkpoint.read_text()
    assert "a-secret-token" not in text
    assert "Authorization" not in text


def test_a_checkpoint_of_another_run_or_a_newer_format_is_refused(
    azpatch_fake: FakeAzure, tmp_path: Path
) -> None:
    fake = azpatch_fake
    fake.add_vm("rg", "vm")
    group = f"/subscriptions/{fake.subscription_id}/resourceGroups/rg"
    checkpoint = tmp_path / "assess.jsonl"
    with azpatch.Client(fake.subscription_id, CREDENTIAL) as client:
        list(client.fleet.assess(group, checkpoint=checkpoint))
        with pytest.raises(azpatch.InvalidArgumentError, match=r"another run.*assess over 1"):
            client.fleet.install(group, LINUX, checkpoint=checkpoint)
        with pytest.raises(azpatch.InvalidArgumentError, match="another run"):
            client.fleet.assess(f"/subscriptions/{fake.subscription_id}", checkpoint=checkpoint)
        newer = tmp_path / "newer.jsonl"
        newer.write_text(json.dumps({"azpatch-fleet": 99, "operation": "assess"}) + "\n")
        with pytest.raises(azpatch.InvalidArgumentError, match="format 99, written by a newer"):
            client.fleet.assess(group, checkpoint=newer)
        other = tmp_path / "other.jsonl"
        other.write_text("hello\n")
        with pytest.raises(azpatch.InvalidArgumentError, match="not an azpatch fleet checkpoint"):
            client.fleet.assess(group, checkpoint=other)
    assert other.read_text() == "hello\n"  # left as it was


def test_an_installation_sent_by_a_killed_run_without_an_answer_is_never_sent_again(
    azpatch_fake: FakeAzure, tmp_path: Path
) -> None:
    from azpatch._fleet._journal import header
    from azpatch._fleet._operations import install
    from azpatch._fleet._targets import parse_targets

    fake = azpatch_fake
    fake.add_vm("rg", "sent")
    fake.add_vm("rg", "fresh")
    ids = [
        f"/subscriptions/{fake.subscription_id}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/{name}"
        for name in ("sent", "fresh")
    ]
    operation = install(LINUX)
    first = header(operation.name, operation.fingerprint, parse_targets(ids))
    checkpoint = tmp_path / "install.jsonl"
    lines = [json.dumps(first), json.dumps({"vm": ids[0].casefold(), "sending": True})]
    checkpoint.write_text("\n".join(lines) + "\n")
    with azpatch.Client(fake.subscription_id, CREDENTIAL) as client:
        outcomes = {o.target: o for o in client.fleet.install(ids, LINUX, checkpoint=checkpoint)}
    assert outcomes[ids[0]].status is OutcomeStatus.UNFINISHED
    assert outcomes[ids[0]].code == "MayHaveStarted"
    assert outcomes[ids[1]].status is OutcomeStatus.SUCCEEDED
    assert fake.faults.calls("install_patches") == 1
