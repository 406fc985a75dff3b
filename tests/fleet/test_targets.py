"""Targets are ARM ids, checked before any request; the journal reads back what it wrote."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azpatch import (
    GroupTarget,
    InvalidArgumentError,
    OutcomeStatus,
    SubscriptionTarget,
    TenantTarget,
    VmRef,
)
from azpatch._fleet._journal import Journal, header, read_journal
from azpatch._fleet._targets import parse_targets

SUB = "00000000-0000-0000-0000-000000000001"
names = st.from_regex(r"[a-zA-Z0-9][-a-zA-Z0-9_.]{0,20}[a-zA-Z0-9_]", fullmatch=True)


@given(group=names, name=names)
def test_a_vm_id_round_trips(group: str, name: str) -> None:
    vm = VmRef(SUB, group, name)
    assert VmRef.from_id(vm.id) == vm
    assert parse_targets([vm.id, vm.id.upper().replace("/SUBSCRIPTIONS/", "/subscriptions/")]) == [
        vm
    ]


def test_groups_and_subscriptions_are_targets_and_duplicates_go() -> None:
    targets = parse_targets(
        [
            f"/subscriptions/{SUB}",
            f"/subscriptions/{SUB}/resourceGroups/rg/",
            f"/SUBSCRIPTIONS/{SUB}",
        ]
    )
    assert targets == [SubscriptionTarget(SUB), GroupTarget(SUB, "rg")]


def test_slash_subscriptions_is_every_subscription_once() -> None:
    assert parse_targets(["/subscriptions", "/SUBSCRIPTIONS/", TenantTarget()]) == [TenantTarget()]
    assert TenantTarget().id == "/subscriptions"


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("rg/vm", "is not a target"),
        (f"/subscriptions/{SUB}/resourceGroups/a b", "resource_group 'a b' is not valid"),
        (
            f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/x/y",
            "is not a target",
        ),
        ("/subscriptions/nope", "target '/subscriptions/nope': subscription_id"),
    ],
)
def test_a_bad_target_is_named_in_the_error(target: str, words: str) -> None:
    with pytest.raises(InvalidArgumentError, match=words.replace("(", r"\(")):
        parse_targets([target])
    with pytest.raises(InvalidArgumentError):
        VmRef.from_id(f"/subscriptions/{SUB}")


def test_the_journal_reads_back_and_skips_a_line_cut_short() -> None:
    first = header("install", "install {}", [SubscriptionTarget(SUB)])
    journal = Journal()
    journal.sending("a")
    journal.token("a", "token-a")
    journal.ended("b", OutcomeStatus.FAILED, "Conflict", "no")
    lines = [json.dumps(first), *journal.take(), '{"vm": "c", "end']
    resumed = read_journal(lines, first)
    assert resumed.tokens == {"a": "token-a"}
    assert resumed.sending == {"a"}
    assert resumed.ended["b"].status is OutcomeStatus.FAILED
    assert "c" not in resumed.ended
