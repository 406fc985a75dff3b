"""azpatch wired to a fake world: the one module of the fake that imports azpatch.

The convenience clients, the clock that clients built by code under test
follow while the world intercepts, and the demo's client side (``main_job``): the
preview opt-in, switching every VM to AutomaticByPlatform where allowed, and
an on-demand assessment with bounded concurrency, as a user's script would.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

import anyio
import attrs
import httpx

import azpatch

if TYPE_CHECKING:
    from .._app import FakeAzure

__all__ = ["MainJob", "async_client", "following_the_clock", "main_job", "sync_client"]

ASSESSMENT_CONCURRENCY = 8
Say = Callable[[str], None]


@attrs.frozen
class MainJob:
    vms: int
    switched: int
    refused: tuple[tuple[str, str, str], ...]  # (VM, ARM code, message)
    assessed: int


def following_the_clock(fake: FakeAzure) -> AbstractContextManager[object]:
    """Every azpatch client built without ``clock=`` waits on the world's clock meanwhile."""
    return azpatch.default_clock(fake.clock)


def azpatch_transport_patches(send: Callable[..., Any]) -> list[tuple[type, str, object]]:
    """azpatch's own transports that do not go through httpx's: each sends through ``send``."""
    from azpatch._aiohttp_transport import AiohttpTransport  # noqa: PLC0415

    return [(AiohttpTransport, "handle_async_request", send)]


def _options(fake: FakeAzure, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"base_url": fake.base_url, "clock": fake.clock, **kwargs}


def sync_client(
    fake: FakeAzure, *, subscription_id: str | None = None, **kwargs: Any
) -> azpatch.Client:
    http = httpx.Client(transport=fake.transport)
    subscription = subscription_id or fake.subscription_id
    return azpatch.Client(subscription, fake.credential, http_client=http, **_options(fake, kwargs))


def async_client(
    fake: FakeAzure, *, subscription_id: str | None = None, **kwargs: Any
) -> azpatch.AsyncClient:
    http = httpx.AsyncClient(transport=fake.transport)
    subscription = subscription_id or fake.subscription_id
    return azpatch.AsyncClient(
        subscription, fake.credential, http_client=http, **_options(fake, kwargs)
    )


async def _opt_in(clients: dict[str, azpatch.AsyncClient], say: Say) -> None:
    say("1. Preview opt-in: features InGuestAutoPatchVMPreview and InGuestPatchVMPreview")
    for subscription, client in clients.items():
        preview = await client.features.enable_guest_patching_preview(timeout=3600)
        states = ", ".join(
            f"{(f.name or '').rsplit('/', 1)[-1]} {f.properties.state if f.properties else None}"
            for f in preview.features
        )
        provider = preview.provider.registration_state
        say(f"   {subscription}: {states}; Microsoft.Compute {provider}")


async def _switch(
    clients: dict[str, azpatch.AsyncClient], say: Say
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]], int]:
    """Every VM to AutomaticByPlatform where the rules allow it; the refusals, with reasons."""
    say("2. Switching VMs to AutomaticByPlatform (checked before anything is written)")
    switched: list[tuple[str, str, str]] = []
    refused: list[tuple[str, str, str]] = []
    count = 0
    for subscription, client in clients.items():
        async for vm in client.virtual_machines.list_all():
            count += 1
            group = (vm.id or "").split("/")[4]
            try:
                await client.virtual_machines.set_patch_mode(
                    group, vm.name or "", "AutomaticByPlatform", reboot_setting="IfRequired"
                )
            except azpatch.PatchModeTransitionError as error:
                refused.append((vm.name or "", error.code or "", str(error)))
            else:
                switched.append((subscription, group, vm.name or ""))
    say(f"   {len(switched)} of {count} switched; {len(refused)} refused")
    reasons: dict[str, list[str]] = {}
    for name, _, message in refused:
        reasons.setdefault(message, []).append(name)
    for message, names in reasons.items():  # one line per reason, with how many and which
        say(f"   {len(names)} refused: {message}")
        say(f"      {', '.join(sorted(names))}")
    return switched, refused, count


async def _assess(
    clients: dict[str, azpatch.AsyncClient], vms: list[tuple[str, str, str]], say: Say
) -> int:
    say(f"3. On-demand assessment of {len(vms)} VMs, {ASSESSMENT_CONCURRENCY} at a time")
    limit = anyio.Semaphore(ASSESSMENT_CONCURRENCY)
    results: Counter[str] = Counter()

    async def one(subscription: str, group: str, name: str) -> None:
        async with limit:
            result = await clients[subscription].virtual_machines.assess_patches(group, name)
            results[str(result.status)] += 1

    async with anyio.create_task_group() as tasks:
        for subscription, group, name in vms:
            tasks.start_soon(one, subscription, group, name)
    say("   " + ", ".join(f"{status}: {n}" for status, n in sorted(results.items())))
    return sum(results.values())


class _Counting(logging.Handler):
    """Counts azpatch's warnings instead of printing one per VM."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.messages[record.getMessage().split(": ", 1)[-1]] += 1


@contextmanager
def _counted_warnings() -> Iterator[_Counting]:
    logger = logging.getLogger("azpatch")
    counting, propagate = _Counting(), logger.propagate
    logger.addHandler(counting)
    logger.propagate = False
    try:
        yield counting
    finally:
        logger.removeHandler(counting)
        logger.propagate = propagate


async def _through_the_client(
    fake: FakeAzure, subscriptions: Sequence[str], say: Say, counting: _Counting
) -> MainJob:
    clients = {s: fake.async_client(subscription_id=s) for s in subscriptions}
    try:
        await _opt_in(clients, say)
        switched, refused, count = await _switch(clients, say)
        for message, times in counting.messages.items():
            say(f"   warned {times} times: {message}")
        assessed = await _assess(clients, switched, say)
    finally:
        for client in clients.values():
            await client.aclose()
    return MainJob(count, len(switched), tuple(refused), assessed)


def main_job(fake: FakeAzure, subscriptions: Sequence[str], say: Say) -> MainJob:
    """The demo's client side: what a user's script does to a fleet, through azpatch."""
    with _counted_warnings() as counting:
        return anyio.run(_through_the_client, fake, subscriptions, say, counting)
