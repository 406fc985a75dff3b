"""``FakeAzure``: the public entry, a world with its platform, its ARM surface and its doors.

The state and the seeding API are the world's (``_world``); this facade adds
the simulated platform (``_orchestration``), answers requests through the ARM
room (``_arm``) and opens the doors (``_doors``): a transport, interception,
clients and azure-core transports.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import httpx

from ._arm import _wire as wire
from ._arm._service import ArmService
from ._doors._credential import FakeCredential
from ._orchestration._holds import PlannedSlot
from ._orchestration._orchestrator import Hold, Orchestrator
from ._orchestration._timeline import Timeline
from ._world._records import VmRecord
from ._world._world import DEFAULT_START, DEFAULT_SUBSCRIPTION, World

if TYPE_CHECKING:
    import azure.core.pipeline.transport

    import azpatch


__all__ = ["DEFAULT_START", "DEFAULT_SUBSCRIPTION", "FakeAzure", "FakeCredential"]


class FakeAzure(World):
    """An in-memory Azure Resource Manager for VM guest patching, on a virtual clock.

    Every instance is a world of its own: nothing is shared, nothing needs a
    reset. Seed it with ``add_resource_group`` and ``add_vm``, talk to it
    through ``transport`` (or ``client()``), move time with ``advance``.
    """

    def _attach(self) -> None:
        self.orchestrator = Orchestrator(self)
        self.platform = self.orchestrator
        self.arm = ArmService(self)
        self.faults = self.arm.faults
        self.unhandled = self.arm.unhandled
        self.handled = self.arm.handled
        # "METHOD scheme://host" of each request interception refused (nothing was sent).
        self.refused: list[str] = []
        self.credential = FakeCredential()

    def vm_json(self, vm: VmRecord) -> dict[str, Any]:
        """``vm`` as ARM's GET returns it (without the instance view)."""
        return wire.virtual_machine(vm, with_instance_view=False, now=self.clock.now())

    # -- orchestration (beyond the platform: it answers no such questions) --------------------

    @property
    def timeline(self) -> Timeline:
        """Every orchestration event so far, in time order."""
        return self.orchestrator.timeline

    def why_not_patched(self, vm: VmRecord) -> Hold:
        """The rule holding ``vm`` back from its update right now, and why."""
        return self.orchestrator.why_not_patched(vm)

    def what_if(self, month: str) -> list[PlannedSlot]:
        """Each AutomaticByPlatform VM's predicted first install in rollout ``month``
        ("YYYY-MM"), simulated on a copy of this world (installed patches are not copied)."""
        from ._tools._what_if import fleet_of, plan_rollout  # noqa: PLC0415  (imports the fleet loader)

        return plan_rollout(fleet_of(self), month, seed=self.seed, policy=self.policy)

    # -- the wire --------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request as ARM would; the handler behind ``transport``."""
        return self.arm.handle(request)

    @property
    def transport(self) -> httpx.MockTransport:
        """An httpx transport that serves both ``httpx.Client`` and ``httpx.AsyncClient``."""
        return httpx.MockTransport(self.handle)

    def intercept(self) -> AbstractContextManager[FakeAzure]:
        """Serve every in-process request for ``base_url`` from this world; refuse all others.

        Code that builds its own clients (azpatch's, or the official SDK's with
        no ``transport=``) then talks to the fake without being told, waits on
        the virtual clock, and can never reach real Azure: httpx, azure-core,
        requests and aiohttp are covered. Refused requests land in ``refused``.
        """
        from ._doors._intercept import intercept  # noqa: PLC0415

        return intercept(self)

    def assert_no_unhandled_requests(self) -> None:
        """Fail if a request was refused (it would have left the machine) or found no route."""
        if self.refused:
            listed = ", ".join(self.refused)
            raise AssertionError(f"requests that left the test, refused before sending: {listed}")
        if self.unhandled:
            listed = ", ".join(f"{r.method} {r.url}" for r in self.unhandled)
            raise AssertionError(f"requests the fake does not serve: {listed}")

    def azure_core_transport(self) -> azure.core.pipeline.transport.HttpTransport:  # type: ignore[type-arg]
        """An azure-core transport serving this world, for the official SDK's
        ``transport=``; its waits move the virtual clock. Needs azure-core."""
        from ._doors._azure_core import FakeTransport  # noqa: PLC0415  (azure-core is optional)

        return FakeTransport(self)

    def async_azure_core_transport(self) -> azure.core.pipeline.transport.AsyncHttpTransport:  # type: ignore[type-arg]
        """The async twin of ``azure_core_transport``, for the SDK's ``.aio`` clients."""
        from ._doors._azure_core import AsyncFakeTransport  # noqa: PLC0415

        return AsyncFakeTransport(self)

    # -- clients wired to this world ---------------------------------------------------------

    def client(self, **kwargs: Any) -> azpatch.Client:
        """An ``azpatch.Client`` for this world, on its transport and its clock; pass
        ``subscription_id=`` for a subscription other than the first."""
        from ._doors._clients import sync_client  # noqa: PLC0415  (the only way into azpatch)

        return sync_client(self, **kwargs)

    def async_client(self, **kwargs: Any) -> azpatch.AsyncClient:
        """An ``azpatch.AsyncClient`` for this world, as ``client()`` is a sync one."""
        from ._doors._clients import async_client  # noqa: PLC0415

        return async_client(self, **kwargs)
