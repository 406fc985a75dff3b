"""One subscription of the fake world: its resource groups, VMs, sets, features and providers."""

from __future__ import annotations

from datetime import datetime

from ._errors import ArmError
from ._records import (
    AvailabilitySetRecord,
    FeatureRecord,
    ProviderRecord,
    VmRecord,
)

__all__ = ["PREVIEW_FEATURES", "Subscription"]

PREVIEW_FEATURES = ("InGuestAutoPatchVMPreview", "InGuestPatchVMPreview")


class Subscription:
    """Everything ARM scopes to a subscription; names compare without case, as ARM's do."""

    def __init__(self, subscription_id: str) -> None:
        self.subscription_id = subscription_id
        self.resource_groups: dict[str, tuple[str, str]] = {}
        self.vms: dict[tuple[str, str], VmRecord] = {}
        self._vm_order: list[tuple[str, str]] | None = None  # sorted keys, until a VM is added
        self.availability_sets: dict[tuple[str, str], AvailabilitySetRecord] = {}
        self.features: dict[tuple[str, str], FeatureRecord] = {}
        self.providers: dict[str, ProviderRecord] = {}
        self.provider_registered_at: dict[str, datetime] = {}

    def add_resource_group(self, name: str, location: str) -> tuple[str, str]:
        return self.resource_groups.setdefault(name.casefold(), (name, location))

    def resource_group(self, name: str) -> tuple[str, str] | None:
        """The resource group's name as created, and its location."""
        return self.resource_groups.get(name.casefold())

    def check_resource_group(self, name: str) -> tuple[str, str]:
        group = self.resource_group(name)
        if group is None:
            raise ArmError(
                404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found."
            )
        return group

    def find_vm(self, resource_group: str, name: str) -> VmRecord | None:
        return self.vms.get((resource_group.casefold(), name.casefold()))

    def add_vm(self, record: VmRecord) -> None:
        self.vms[(record.resource_group.casefold(), record.name.casefold())] = record
        self._vm_order = None

    def vms_in(self, resource_group: str | None) -> list[VmRecord]:
        """In name order; sorted once per change, not once per page of a long list."""
        if self._vm_order is None:
            self._vm_order = sorted(self.vms)
        wanted = None if resource_group is None else resource_group.casefold()
        return [self.vms[key] for key in self._vm_order if wanted is None or key[0] == wanted]

    def find_availability_set(self, resource_group: str, name: str) -> AvailabilitySetRecord | None:
        return self.availability_sets.get((resource_group.casefold(), name.casefold()))

    def availability_set_by_id(self, availability_set_id: str) -> AvailabilitySetRecord:
        parts = availability_set_id.strip("/").split("/")
        record = self.find_availability_set(parts[3], parts[-1]) if len(parts) >= 8 else None
        if record is None:
            raise ArmError(
                404,
                "NotFound",
                f"Availability set '{availability_set_id}' was not found.",
                "properties.availabilitySet.id",
            )
        return record

    def feature_record(self, namespace: str, name: str) -> FeatureRecord:
        key = (namespace.casefold(), name.casefold())
        return self.features.setdefault(key, FeatureRecord(namespace, name))

    def features_of(self, namespace: str) -> list[FeatureRecord]:
        return [r for (ns, _), r in sorted(self.features.items()) if ns == namespace.casefold()]

    def provider_record(self, namespace: str) -> ProviderRecord:
        return self.providers.setdefault(namespace.casefold(), ProviderRecord(namespace))

    def check_preview(self) -> None:
        """Refuse, as ARM did in the preview, until both preview features are Registered
        and Microsoft.Compute was registered again after them."""
        features = [self.feature_record("Microsoft.Compute", name) for name in PREVIEW_FEATURES]
        registered = [
            f.registered_at for f in features if f.state == "Registered" and f.registered_at
        ]
        for feature in features:
            if feature.state != "Registered":
                raise ArmError(
                    400,
                    "SubscriptionNotRegisteredForFeature",
                    f"Subscription {self.subscription_id} is not registered for feature"
                    f" Microsoft.Compute/{feature.name} required to carry out the requested"
                    " operation.",
                )
        provider_at = self.provider_registered_at.get("microsoft.compute")
        if provider_at is None or (registered and provider_at < max(registered)):
            raise ArmError(
                409,
                "MissingSubscriptionRegistration",
                "The subscription is not registered to use the preview features of namespace"
                " 'Microsoft.Compute'. Register the provider again after registering them.",
            )
