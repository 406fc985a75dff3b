"""Fixtures for azpatch against the fake: each test module seeds its own ``fake``."""

from __future__ import annotations

from typing import Any

import pytest

from azpatch_fake import FakeAzure


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["sync", "async"])
def client(request: pytest.FixtureRequest, fake: FakeAzure) -> Any:
    """An azpatch client of each kind, wired to the module's ``fake``."""
    return fake.async_client() if request.param == "async" else fake.client()
