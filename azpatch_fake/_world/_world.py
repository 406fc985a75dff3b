"""``World``: one fake world's state, its seeding API, and what handlers ask of it.

No HTTP and no behaviour over time: the ARM room reads and changes the world
through this object, and the orchestration room acts on it as its
``platform``, told when a VM's patch mode or placement changes.
"""

from __future__ import annotations

import random
import re
import threading
from collections import deque
from datetime import datetime, timedelta, timezone
from typing import Protocol

from ._catalog import Catalog
from ._clock import VirtualClock
from ._errors import ArmError
from ._images import DEFAULT_IMAGES
from ._patch_rules import PROFILES
from ._policy import OrchestrationPolicy
from ._records import (
    AvailabilitySetRecord,
    ImageRecord,
    OperationRecord,
    Patch,
    PatchSettingsRecord,
    VmRecord,
    uuid4_text,
)
from ._subscription import Subscription
from ._throttling import ThrottlingLimits

__all__ = ["DEFAULT_START", "DEFAULT_SUBSCRIPTION", "DEFAULT_TENANT", "Platform", "World"]

DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-00000000000a"
DEFAULT_TENANT = "00000000-0000-0000-0000-0000000000f0"
DEFAULT_START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
KEPT_OPERATIONS = 10_000
OPERATION_RETENTION = timedelta(hours=1)
_SUBSCRIPTION_ID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


class Platform(Protocol):
    """What the world tells the simulated platform (the orchestration room implements it)."""

    def track(self, vm: VmRecord, *, enabled: bool) -> None: ...

    def placement_changed(self, vm: VmRecord) -> None: ...

    def power_changed(self, vm: VmRecord) -> None: ...

    def user_assessed(self, vm: VmRecord) -> None: ...

    def assessment_mode_changed(self, vm: VmRecord) -> None: ...

    def request_throttled(self, method: str, path: str, refused_by: str, retry_after: int) -> None:
        """ARM or Compute answered a request 429: the timeline shows what a script cost."""


class _NoPlatform:
    """Until a platform is attached: nothing orchestrates."""

    def track(self, vm: VmRecord, *, enabled: bool) -> None:
        pass

    def power_changed(self, vm: VmRecord) -> None:
        pass

    def placement_changed(self, vm: VmRecord) -> None:
        pass

    def user_assessed(self, vm: VmRecord) -> None:
        pass

    def assessment_mode_changed(self, vm: VmRecord) -> None:
        pass

    def request_throttled(self, method: str, path: str, refused_by: str, retry_after: int) -> None:
        pass


def _throttling(setting: ThrottlingLimits | str | None) -> ThrottlingLimits | None:
    """``"azure"``: Microsoft's published limits; ``None`` or ``"off"``: none."""
    if setting is None or setting == "off":
        return None
    if setting == "azure":
        return ThrottlingLimits()
    if isinstance(setting, ThrottlingLimits):
        return setting
    raise ValueError(f"throttling is 'azure', 'off' or a ThrottlingLimits, not {setting!r}")


class World:
    """The state of one fake Azure: subscriptions, their resources, time and patches."""

    def __init__(
        self,
        *,
        seed: int = 0,
        start: datetime = DEFAULT_START,
        subscription_id: str = DEFAULT_SUBSCRIPTION,
        tenant_id: str = DEFAULT_TENANT,
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
        throttling: ThrottlingLimits | str | None = None,
    ) -> None:
        self.seed = seed
        self.lock = threading.RLock()
        self.clock = VirtualClock(start, lock=self.lock)
        self.catalog = Catalog(seed=seed, start=start)
        self.subscription_id = subscription_id
        self.tenant_id = tenant_id
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
        self.policy = policy or OrchestrationPolicy()
        self.throttling = _throttling(throttling)
        self._random = random.Random(seed)
        self._subscriptions: dict[str, Subscription] = {}
        self._operations: dict[str, OperationRecord] = {}
        self._ended_operations: deque[OperationRecord] = deque()
        self.platform: Platform = _NoPlatform()
        self.add_subscription(subscription_id)
        self._attach()

    def _attach(self) -> None:
        """The end of construction, where ``FakeAzure`` attaches its platform and doors."""

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
        """Every subscription of the world, in the order they were added."""
        return list(self._subscriptions.values())

    def _seeded(self, subscription_id: str | None) -> Subscription:
        return self.add_subscription(subscription_id or self.subscription_id)

    def add_resource_group(
        self, name: str, location: str = "westeurope", *, subscription_id: str | None = None
    ) -> None:
        """Seed a resource group (in ``subscription_id``, else the default subscription)."""
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
        subscription.add_vm(record)
        self.platform.track(record, enabled=enabled)
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
        self.platform.placement_changed(vm)

    def find_vm(
        self, resource_group: str, name: str, *, subscription_id: str | None = None
    ) -> VmRecord | None:
        """The VM, or None when there is none of that name."""
        subscription = self._subscriptions.get((subscription_id or self.subscription_id).casefold())
        return subscription.find_vm(resource_group, name) if subscription else None

    def vm(self, resource_group: str, name: str, *, subscription_id: str | None = None) -> VmRecord:
        """The VM's record, to read or seed (faults, power, time zone); KeyError when absent."""
        record = self.find_vm(resource_group, name, subscription_id=subscription_id)
        if record is None:
            raise KeyError(f"no VM {resource_group}/{name}")
        return record

    def patch_mode_changed(self, vm: VmRecord) -> None:
        """A PUT or PATCH gave ``vm`` a new patch mode: AutomaticByPlatform is enabled
        off-peak by the platform (R16), other modes after ``patch_mode_enable_delay``."""
        self.platform.track(vm, enabled=False)
        if vm.patch_settings.patch_mode == "AutomaticByPlatform":
            return
        vm.patch_mode_ready = False

        def ready() -> None:
            vm.patch_mode_ready = True

        self.clock.call_later(self.patch_mode_enable_delay, ready)

    def set_power(self, vm: VmRecord, power_state: str) -> None:
        """``vm`` starts or stops now (running, stopped or deallocated): the platform
        sees it at once (R21), not only when a window opens."""
        if power_state == vm.power_state:
            return
        vm.power_state = power_state
        self.platform.power_changed(vm)

    def assessment_mode_changed(self, vm: VmRecord) -> None:
        """A PUT or PATCH changed only ``vm``'s assessment mode: the platform's cadence of
        assessments follows (R11, R19)."""
        self.platform.assessment_mode_changed(vm)

    def add_patch(self, os_type: str, patch: Patch) -> None:
        """Publish ``patch`` for ``os_type`` (Windows or Linux) from its ``published`` time on."""
        self.catalog.add(os_type, patch)

    def advance(self, seconds: float | timedelta) -> None:
        """Move the virtual clock on by ``seconds``, running what falls due on the way."""
        self.clock.advance(seconds)

    def run_until(self, when: datetime) -> None:
        """Move the virtual clock on to ``when`` (aware), running what falls due on the way."""
        self.clock.run_until(when)

    # -- what handlers use -----------------------------------------------------------------

    def new_id(self) -> str:
        """A version-4 UUID from the world's seed."""
        return uuid4_text(self.new_bits())

    def new_bits(self) -> int:
        """What ``new_id`` makes its UUID of, for ids that may never be read."""
        return self._random.getrandbits(128)

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
        """Refuse as ARM did in the preview, when this world asks for registration."""
        if self.require_preview_registration:
            subscription.check_preview()

    def available_patches(self, vm: VmRecord) -> list[Patch]:
        """What the catalog offers ``vm`` now that it has not installed."""
        published = self.catalog.published(vm.os_type, self.clock.now())
        return [p for p in published if p.patch_id not in vm.installed_patch_ids]

    def new_operation(self, location: str) -> OperationRecord:
        """A new operation, kept while it runs; see ``operation_ended``."""
        operation = OperationRecord(self.new_id(), "operation", location, self.clock.now())
        self._operations[operation.operation_id] = operation
        return operation

    def operation_ended(self, operation: OperationRecord) -> None:
        """``operation`` has ended. Beyond the latest ``KEPT_OPERATIONS`` ended ones, those
        that ended over ``OPERATION_RETENTION`` ago are forgotten, so a server under load
        does not keep every one it ever ran, and a client polling a fleet's operations
        still finds each for an hour (one still running is never dropped)."""
        now = self.clock.now()
        operation.ended = now
        ended = self._ended_operations
        ended.append(operation)
        while len(ended) > KEPT_OPERATIONS and (ended[0].ended or now) <= now - OPERATION_RETENTION:
            self._operations.pop(ended.popleft().operation_id, None)

    def find_operation(self, operation_id: str) -> OperationRecord | None:
        """A long-running operation by its id, while it is still kept."""
        return self._operations.get(operation_id)
