"""The sync and async surfaces are the same, apart from ``async``: a parity check.

Behaviour cannot differ (both clients run the same flows); this keeps the
signatures from drifting apart.
"""

from __future__ import annotations

import inspect

import pytest

import azpatch
from azpatch._resources._registration import AsyncFeatures, AsyncProviders, Features, Providers
from azpatch._resources._virtual_machines import AsyncVirtualMachines, VirtualMachines

TWINS = [
    (azpatch.Client, azpatch.AsyncClient),
    (VirtualMachines, AsyncVirtualMachines),
    (Features, AsyncFeatures),
    (Providers, AsyncProviders),
    (azpatch.LROPoller, azpatch.AsyncLROPoller),
    (azpatch.Pager, azpatch.AsyncPager),
]
# Where the async twin spells a name its own way.
RENAMED = {
    "close": "aclose",
    "__enter__": "__aenter__",
    "__exit__": "__aexit__",
    "__iter__": "__aiter__",
}
SPECIAL = {"__init__", *RENAMED, *RENAMED.values()}
# Types that differ by design: the HTTP client, the credential, pagers and pollers.
ASYNC_SPELLING = {
    "httpx.Client": "httpx.AsyncClient",
    "httpx.BaseTransport": "httpx.AsyncBaseTransport",
    "TokenCredential": "AsyncTokenCredential | TokenCredential",
    "Pager[": "AsyncPager[",
    "LROPoller[": "AsyncLROPoller[",
    "SyncDriver": "AsyncDriver",
}


def _public(cls: type) -> dict[str, object]:
    return {
        name: member
        for name, member in vars(cls).items()
        if not name.startswith("_") or name in SPECIAL
    }


def _as_async(annotation: str) -> str:
    for sync, async_ in ASYNC_SPELLING.items():
        annotation = annotation.replace(sync, async_)
    return annotation


@pytest.mark.parametrize(("sync", "async_"), TWINS, ids=lambda cls: cls.__name__)
def test_twins_have_the_same_members(sync: type, async_: type) -> None:
    expected = {RENAMED.get(name, name) for name in _public(sync)}
    assert expected == set(_public(async_))


@pytest.mark.parametrize(("sync", "async_"), TWINS, ids=lambda cls: cls.__name__)
def test_twins_have_the_same_signatures(sync: type, async_: type) -> None:
    for name, member in _public(sync).items():
        twin = _public(async_)[RENAMED.get(name, name)]
        if isinstance(member, property):
            assert isinstance(twin, property), name
            continue
        ours, theirs = inspect.signature(member), inspect.signature(twin)  # type: ignore[arg-type]
        assert list(ours.parameters) == list(theirs.parameters), name
        for parameter, other in zip(
            ours.parameters.values(), theirs.parameters.values(), strict=True
        ):
            assert parameter.kind == other.kind, (name, parameter.name)
            assert parameter.default == other.default, (name, parameter.name)
            assert _as_async(str(parameter.annotation)) == str(other.annotation), (
                name,
                parameter.name,
            )
        if name not in RENAMED and name != "__init__":
            assert _as_async(str(ours.return_annotation)) == str(theirs.return_annotation), name


@pytest.mark.parametrize(("sync", "async_"), TWINS, ids=lambda cls: cls.__name__)
def test_what_does_io_is_a_coroutine_on_the_async_side(sync: type, async_: type) -> None:
    for name, member in _public(sync).items():
        twin = _public(async_)[RENAMED.get(name, name)]
        if not callable(member) or name in {"__init__", "__iter__", "__aiter__"}:
            continue
        sync_returns = str(inspect.signature(member).return_annotation)
        does_io = not (
            sync_returns.startswith(("Pager", "str")) or name in {"status", "continuation_token"}
        )
        assert inspect.iscoroutinefunction(twin) is does_io, name
        assert not inspect.iscoroutinefunction(member), name
