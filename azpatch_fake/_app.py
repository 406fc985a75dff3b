"""``FakeAzure``: one independent in-memory world, its seeding API, and its request handler."""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from contextlib import AbstractContextManager
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from ._arm import _availability_sets, _compute, _registration, _vm_writes  # noqa: F401  (routes)
from ._arm import _wire as wire
from ._arm._faults import FaultPlan
from ._arm._routes import resolve
from ._arm._wire import ArmError, Reply
from ._orchestration._orchestrator import Hold, Orchestrator
from ._orchestration._policy import OrchestrationPolicy
from ._orchestration._timeline import Timeline
from ._world._catalog import Catalog
from ._world._clock import VirtualClock
from ._world._images import DEFAULT_IMAGES
from ._world._patch_rules import PROFILES
from ._world._records import (
    AvailabilitySetRecord,
    ImageRecord,
    OperationRecord,
    Patch,
    PatchSettingsRecord,
    VmRecord,
)
from ._world._subscription import Subscription

if TYPE_CHECKING:
    import azure.core.pipeline.transport

    import azpatch

    from ._tools._what_if import PlannedSlot

__all__ = ["DEFAULT_START", "DEFAULT_SUBSCRIPTION", "FakeAzure", "FakeCredential"]

DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-00000000000a"
PREVIEW_FEATURES = ("InGuestAutoPatchVMPreview", "InGuestPatchVMPreview")
DEFAULT_START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
_SUBSCRIPTION_ID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))  # the version and variant bits of a UUID
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)  # version 4, RFC 4122 variant


@attrs.frozen
class FakeToken:
    token: str = attrs.field(repr=False)
    expires_on: int


class FakeCredential:
    """A credential for the fake: any token works, so this one never expires."""

    def get_token(self, *scopes: str, **kwargs: Any) -> FakeToken:
        return FakeToken("fake-token", 2**31 - 1)

    def __repr__(self) -> str:
        return "FakeCredential()"


class FakeAzure:
    """An in-memory Azure Resource Manager for VM guest patching, on a virtual clock.

    Every instance is a world of its own: nothing is shared, nothing needs a
    reset. Seed it with ``add_resource_group`` and ``add_vm``, talk to it
    through ``transport`` (or ``client()``), move time with ``advance``.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        start: datetime = DEFAULT_START,
        subscription_id: str = DEFAULT_SUBSCRIPTION,
        base_url: str = "https://management.azure.com",
        retry_after: int = 30,
        page_size: int = 50,
        assessment_duration: timedelta = timedelta(minutes=2),
        install_overhead: timedelta = timedelta(minutes=2),
        install_time_per_patch: timedelta = timedelta(minutes=1),
        power_duration: timedelta = timedelta(seconds=30),
        patch_mode_enable_delay: timedelta = timedelta(minutes=30),
        feature_registration_delay: timedelta = timedelta(minutes=3),
        provider_registration_delay: timedelta = timedelta(minutes=1),
        require_preview_registration: bool = False,
        strict_subscriptions: bool = False,
        patch_rules_profile: str = "ga",
        policy: OrchestrationPolicy | None = None,
    ) -> None:
        self.seed = seed
        self.lock = threading.RLock()
        self.clock = VirtualClock(start, lock=self.lock)
        self.catalog = Catalog(seed=seed, start=start)
        self.subscription_id = subscription_id
        self.base_url = base_url
        self.retry_after = retry_after
        self.page_size = page_size
        self.assessment_duration = assessment_duration
        self.install_overhead = install_overhead
        self.install_time_per_patch = install_time_per_patch
        self.power_duration = power_duration
        self.patch_mode_enable_delay = patch_mode_enable_delay.total_seconds()
        self.feature_registration_delay = feature_registration_delay.total_seconds()
        self.provider_registration_delay = provider_registration_delay.total_seconds()
        self.require_preview_registration = require_preview_registration
        self.strict_subscriptions = strict_subscriptions
        if patch_rules_profile not in PROFILES:
            raise ValueError(f"patch_rules_profile is one of {', '.join(PROFILES)}")
        self.patch_rules_profile = patch_rules_profile
        self.unhandled: list[httpx.Request] = []
        # "METHOD scheme://host" of each request interception refused (nothing was sent).
        self.refused: list[str] = []
        # Calls per route name; a count, so a long-running server does not grow it.
        self.handled: Counter[str] = Counter()
        self._random = random.Random(seed)
        self._subscriptions: dict[str, Subscription] = {}
        self._operations: dict[str, OperationRecord] = {}
        self.credential = FakeCredential()
        self.faults = FaultPlan()
        self.policy = policy or OrchestrationPolicy()
        self.orchestrator = Orchestrator(self)
        self.add_subscription(subscription_id)

    # -- seeding ---------------------------------------------------------------------------

    def add_subscription(self, subscription_id: str) -> Subscription:
        """Another subscription in this world (the first is ``subscription_id``)."""
        return self._subscriptions.setdefault(
            subscription_id.casefold(), Subscription(subscription_id)
        )

    @property
    def default_subscription(self) -> str:
        """The subscription id that seeding calls and ``client()`` use when given none."""
        return self.subscription_id

    def subscriptions(self) -> list[Subscription]:
        return list(self._subscriptions.values())

    def _seeded(self, subscription_id: str | None) -> Subscription:
        return self.add_subscription(subscription_id or self.subscription_id)

    def add_resource_group(
        self, name: str, location: str = "westeurope", *, subscription_id: str | None = None
    ) -> None:
        self._seeded(subscription_id).add_resource_group(name, location)

    def add_vm(
        self,
        resource_group: str,
        name: str,
        *,
        subscription_id: str | None = None,
        os_type: str = "Linux",
        location: str | None = None,
        image: ImageRecord | None = None,
        zones: tuple[str, ...] = (),
        agent_version: str = "2.10.0.8",
        time_zone: str | None = None,
        power_state: str = "running",
        patch_mode: str | None = None,
        assessment_mode: str | None = None,
        provision_vm_agent: bool = True,
        enable_automatic_updates: bool = True,
        tags: dict[str, str] | None = None,
        reboot_setting: str | None = None,
        enabled: bool = True,
    ) -> VmRecord:
        """Put a VM in the world (and its resource group, if new); returns its record.

        An AutomaticByPlatform VM is orchestrated from now on; ``enabled=False``
        makes it go through enablement in its off-peak hours first (R16).
        """
        if os_type not in ("Windows", "Linux"):
            raise ValueError("os_type is 'Windows' or 'Linux'")
        subscription = self._seeded(subscription_id)
        group_name, group_location = subscription.add_resource_group(
            resource_group, location or "westeurope"
        )
        record = VmRecord(
            subscription_id=subscription.subscription_id,
            resource_group=group_name,
            name=name,
            location=location or group_location,
            os_type=os_type,
            image=image or DEFAULT_IMAGES[os_type],
            vm_id=self.new_id(),
            created=self.clock.now(),
            zones=tuple(zones),
            tags=dict(tags or {}),
            agent_version=agent_version,
            time_zone=time_zone,
            power_state=power_state,
            provision_vm_agent=provision_vm_agent,
            enable_automatic_updates=enable_automatic_updates,
            patch_settings=PatchSettingsRecord(
                patch_mode=patch_mode,
                assessment_mode=assessment_mode,
                reboot_setting=reboot_setting,
            ),
        )
        subscription.vms[(group_name.casefold(), name.casefold())] = record
        self.orchestrator.track(record, enabled=enabled)
        return record

    def add_availability_set(
        self,
        resource_group: str,
        name: str,
        *,
        subscription_id: str | None = None,
        update_domains: int = 5,
        fault_domains: int = 2,
        location: str | None = None,
    ) -> AvailabilitySetRecord:
        """An availability set; VMs placed in it get update and fault domains round-robin."""
        subscription = self._seeded(subscription_id)
        group_name, group_location = subscription.add_resource_group(
            resource_group, location or "westeurope"
        )
        record = AvailabilitySetRecord(
            subscription.subscription_id,
            group_name,
            name,
            location or group_location,
            update_domains,
            fault_domains,
        )
        subscription.availability_sets[(group_name.casefold(), name.casefold())] = record
        return record

    def place_in_availability_set(self, vm: VmRecord, record: AvailabilitySetRecord) -> None:
        """Give ``vm`` its domains as Azure places members: round-robin over both counts."""
        index = len(record.members)
        record.members.append(vm.name)
        vm.availability_set = record.resource_id
        vm.platform_update_domain = index % record.update_domains
        vm.platform_fault_domain = index % record.fault_domains
        self.orchestrator.placement_changed(vm)

    def vm_json(self, vm: VmRecord) -> dict[str, Any]:
        return wire.virtual_machine(vm, with_instance_view=False, now=self.clock.now())

    def find_vm(
        self, resource_group: str, name: str, *, subscription_id: str | None = None
    ) -> VmRecord | None:
        subscription = self._subscriptions.get((subscription_id or self.subscription_id).casefold())
        return subscription.find_vm(resource_group, name) if subscription else None

    def vm(self, resource_group: str, name: str, *, subscription_id: str | None = None) -> VmRecord:
        record = self.find_vm(resource_group, name, subscription_id=subscription_id)
        if record is None:
            raise KeyError(f"no VM {resource_group}/{name}")
        return record

    def patch_mode_changed(self, vm: VmRecord) -> None:
        """A PUT or PATCH gave ``vm`` a new patch mode: AutomaticByPlatform is enabled
        off-peak by the orchestrator (R16), other modes after ``patch_mode_enable_delay``."""
        self.orchestrator.track(vm, enabled=False)
        if vm.patch_settings.patch_mode == "AutomaticByPlatform":
            return
        vm.patch_mode_ready = False

        def ready() -> None:
            vm.patch_mode_ready = True

        self.clock.call_later(self.patch_mode_enable_delay, ready)

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

    def add_patch(self, os_type: str, patch: Patch) -> None:
        self.catalog.add(os_type, patch)

    def advance(self, seconds: float | timedelta) -> None:
        self.clock.advance(seconds)

    def run_until(self, when: datetime) -> None:
        self.clock.run_until(when)

    # -- what handlers use -----------------------------------------------------------------

    def new_id(self) -> str:
        """A version-4 UUID from the world's seed (formatted by hand: the orchestrator
        takes millions of them)."""
        bits = self._random.getrandbits(128) & _UUID_CLEAR | _UUID_SET
        text = f"{bits:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def subscription(self, subscription_id: str) -> Subscription:
        """The subscription a request names: created empty on first use, as a user's own
        subscription id would find it, unless ``strict_subscriptions`` asks for ARM's 404."""
        subscription = self._subscriptions.get(subscription_id.casefold())
        if subscription is not None:
            return subscription
        if not _SUBSCRIPTION_ID.fullmatch(subscription_id):
            raise ArmError(
                400,
                "InvalidSubscriptionId",
                f"The provided subscription identifier '{subscription_id}' is malformed or"
                " invalid.",
            )
        if self.strict_subscriptions:
            raise ArmError(
                404,
                "SubscriptionNotFound",
                f"The subscription '{subscription_id}' could not be found.",
            )
        return self.add_subscription(subscription_id)

    def check_preview(self, subscription: Subscription) -> None:
        """Refuse, as ARM did in the preview, until both preview features are Registered
        and Microsoft.Compute was registered again after them."""
        if not self.require_preview_registration:
            return
        features = [
            subscription.feature_record("Microsoft.Compute", name) for name in PREVIEW_FEATURES
        ]
        registered = [
            f.registered_at for f in features if f.state == "Registered" and f.registered_at
        ]
        for feature in features:
            if feature.state != "Registered":
                raise ArmError(
                    400,
                    "SubscriptionNotRegisteredForFeature",
                    f"Subscription {subscription.subscription_id} is not registered for feature"
                    f" Microsoft.Compute/{feature.name} required to carry out the requested"
                    " operation.",
                )
        provider_at = subscription.provider_registered_at.get("microsoft.compute")
        if provider_at is None or (registered and provider_at < max(registered)):
            raise ArmError(
                409,
                "MissingSubscriptionRegistration",
                "The subscription is not registered to use the preview features of namespace"
                " 'Microsoft.Compute'. Register the provider again after registering them.",
            )

    def available_patches(self, vm: VmRecord) -> list[Patch]:
        published = self.catalog.published(vm.os_type, self.clock.now())
        return [p for p in published if p.patch_id not in vm.installed_patch_ids]

    def new_operation(self, location: str) -> OperationRecord:
        operation = OperationRecord(self.new_id(), "operation", location, self.clock.now())
        self._operations[operation.operation_id] = operation
        return operation

    def find_operation(self, operation_id: str) -> OperationRecord | None:
        return self._operations.get(operation_id)

    # -- the wire --------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request as ARM would; the handler behind ``transport``."""
        with self.lock:
            request.read()
            try:
                route, call, arguments = resolve(request)
            except ArmError as error:
                if error.code in ("InvalidResourceType", "MethodNotAllowed"):
                    self.unhandled.append(request)
                return self._response(request, error.reply())
            self.handled[route.name] += 1

            def respond() -> httpx.Response:
                try:
                    reply = route.handler(self, call, **arguments)
                except ArmError as error:
                    reply = error.reply()
                return self._response(request, reply)

            try:
                return self.faults.apply(route.name, request, respond, self.advance)
            except ArmError as error:
                return self._response(request, error.reply())

    def _response(self, request: httpx.Request, reply: Reply) -> httpx.Response:
        headers = {
            "x-ms-request-id": self.new_id(),
            "x-ms-correlation-request-id": self.new_id(),
            "Date": format_datetime(self.clock.now(), usegmt=True),
            **reply.headers,
        }
        if request.headers.get("x-ms-return-client-request-id", "").lower() == "true":
            headers["x-ms-client-request-id"] = request.headers.get("x-ms-client-request-id", "")
        if reply.body is None:
            return httpx.Response(reply.status, headers=headers)
        return httpx.Response(reply.status, json=reply.body, headers=headers)

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
        from ._doors._clients import async_client  # noqa: PLC0415

        return async_client(self, **kwargs)
