"""Subscriptions as ``GET /subscriptions`` lists them: the ones a credential can see."""

from __future__ import annotations

from ._base import WireModel, wire_model
from ._enums import SubscriptionState

__all__ = ["Subscription", "SubscriptionListResult"]


@wire_model
class Subscription(WireModel):
    id: str | None = None
    subscription_id: str | None = None
    tenant_id: str | None = None
    display_name: str | None = None
    state: SubscriptionState | str | None = None


@wire_model
class SubscriptionListResult(WireModel):
    value: tuple[Subscription, ...] | None = None
    next_link: str | None = None
