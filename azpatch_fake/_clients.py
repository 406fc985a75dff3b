"""azpatch clients wired to a fake world: the one module of the fake that imports azpatch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

import azpatch

if TYPE_CHECKING:
    from ._app import FakeAzure

__all__ = ["async_client", "sync_client"]


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
