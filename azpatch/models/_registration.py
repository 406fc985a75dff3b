"""Subscription feature and resource provider registration.

Registering is synchronous on the wire: the call answers 200 with the
current state, and the caller polls until it reads ``Registered``. States
arrive in any case (``registered``), so they are parsed case-insensitively.
"""

from __future__ import annotations

from datetime import datetime

from ._base import WireModel, wire_model
from ._enums import (
    ProviderRegistrationState,
    SubscriptionFeatureRegistrationApprovalType,
    SubscriptionFeatureRegistrationState,
)

__all__ = [
    "AuthorizationProfile",
    "FeatureOperationsListResult",
    "FeatureProperties",
    "FeatureResult",
    "Provider",
    "ProviderListResult",
    "ProviderResourceType",
    "SubscriptionFeatureRegistration",
    "SubscriptionFeatureRegistrationProperties",
]


@wire_model
class FeatureProperties(WireModel):
    state: SubscriptionFeatureRegistrationState | str | None = None


@wire_model
class FeatureResult(WireModel):
    """A preview feature of a resource provider, as Microsoft.Features reports it."""

    id: str | None = None
    name: str | None = None
    type: str | None = None
    properties: FeatureProperties | None = None


@wire_model
class FeatureOperationsListResult(WireModel):
    value: tuple[FeatureResult, ...] | None = None
    next_link: str | None = None


@wire_model
class AuthorizationProfile(WireModel):
    """Who asked for and approved a feature; keys are PascalCase before 2025-03-01."""

    requested_time: datetime | None = None
    requester: str | None = None
    requester_object_id: str | None = None
    approved_time: datetime | None = None
    approver: str | None = None


@wire_model
class SubscriptionFeatureRegistrationProperties(WireModel):
    tenant_id: str | None = None
    subscription_id: str | None = None
    feature_name: str | None = None
    display_name: str | None = None
    provider_namespace: str | None = None
    state: SubscriptionFeatureRegistrationState | str | None = None
    authorization_profile: AuthorizationProfile | None = None
    metadata: dict[str, str] | None = None
    release_date: datetime | None = None
    registration_date: datetime | None = None
    documentation_link: str | None = None
    approval_type: SubscriptionFeatureRegistrationApprovalType | str | None = None
    should_feature_display_in_portal: bool | None = None
    description: str | None = None


@wire_model
class SubscriptionFeatureRegistration(WireModel):
    """A feature registration in the newer subscriptionFeatureRegistrations API."""

    id: str | None = None
    name: str | None = None
    type: str | None = None
    properties: SubscriptionFeatureRegistrationProperties | None = None


@wire_model
class ProviderResourceType(WireModel):
    resource_type: str | None = None
    locations: tuple[str, ...] | None = None
    api_versions: tuple[str, ...] | None = None
    capabilities: str | None = None


@wire_model
class Provider(WireModel):
    """A resource provider such as Microsoft.Compute and its registration state."""

    id: str | None = None
    namespace: str | None = None
    registration_state: ProviderRegistrationState | str | None = None
    registration_policy: str | None = None
    resource_types: tuple[ProviderResourceType, ...] | None = None
    provider_authorization_consent_state: str | None = None


@wire_model
class ProviderListResult(WireModel):
    value: tuple[Provider, ...] | None = None
    next_link: str | None = None
