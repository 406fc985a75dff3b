"""What every request of one client shares: where it goes, for whom, and how it is labelled."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import httpx

__all__ = ["API_VERSIONS", "RequestContext"]

# The api-version each resource provider is called with.
API_VERSIONS = {
    "Microsoft.Compute": "2025-11-01",
    "Microsoft.Features": "2021-07-01",
    "Microsoft.Resources": "2024-07-01",
    "Microsoft.Resources/subscriptions": "2022-12-01",  # a spec of its own
}


@attrs.frozen
class RequestContext:
    base_url: httpx.URL
    subscription_id: str
    user_agent: str
    new_request_id: Callable[[], str]
    # The base URL as text without a trailing slash, for building request URLs.
    root: str = attrs.field(init=False)

    @root.default
    def _root(self) -> str:
        return str(self.base_url).rstrip("/")
