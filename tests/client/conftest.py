"""Both clients, driven the same way, against respx routes and a manual clock."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

import azpatch
from azpatch import AccessToken, AsyncClient, Client, PollingPolicy, RetryPolicy
from tests.clock import ManualClock

SUB = "00000000-0000-0000-0000-000000000001"
BASE = "https://management.azure.com"
SUB_URL = f"{BASE}/subscriptions/{SUB}"
VM_URL = f"{SUB_URL}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"
OPERATION_URL = f"{SUB_URL}/providers/Microsoft.Compute/locations/westeurope/operations/op1"
TOKEN_PREFIX = "secret-token-"


class IssuingCredential:
    """Issues a new token per call, valid ``lifetime`` seconds on the test clock."""

    def __init__(self, clock: ManualClock, *, lifetime: float = 3600.0) -> None:
        self._clock = clock
        self._lifetime = lifetime
        self.issued: list[AccessToken] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        assert scopes == ("https://management.azure.com/.default",)
        token = AccessToken(
            f"{TOKEN_PREFIX}{len(self.issued) + 1}", int(self._clock.time() + self._lifetime)
        )
        self.issued.append(token)
        return token


class AsyncIssuingCredential(IssuingCredential):
    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:  # type: ignore[override]
        return super().get_token(*scopes, **kwargs)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def credential(clock: ManualClock, kind: str) -> IssuingCredential:
    return AsyncIssuingCredential(clock) if kind == "async" else IssuingCredential(clock)


@pytest.fixture
def make_client(
    kind: str, clock: ManualClock, credential: IssuingCredential
) -> Callable[..., Client | AsyncClient]:
    """Build the client of this test's kind; no jitter, so waits are exact."""

    def make(**kwargs: Any) -> Client | AsyncClient:
        kwargs.setdefault("retry", RetryPolicy(jitter=0.0))
        kwargs.setdefault("polling", PollingPolicy(jitter=0.0))
        kwargs.setdefault("clock", clock)
        cls = AsyncClient if kind == "async" else Client
        return cls(SUB, kwargs.pop("credential", credential), **kwargs)

    return make


@pytest.fixture
def client(make_client: Callable[..., Client | AsyncClient]) -> Client | AsyncClient:
    return make_client()


async def maybe(value: Any) -> Any:
    """Await what the async client returns; take what the sync client returns."""
    return await value if inspect.isawaitable(value) else value


async def collect(pager: azpatch.Pager[Any] | azpatch.AsyncPager[Any]) -> list[Any]:
    if isinstance(pager, azpatch.AsyncPager):
        return [item async for item in pager]
    return list(pager)
