"""The pytest plugin: a fresh fake world per test, with clients wired to it.

Fixtures: ``azpatch_fake`` (a ``FakeAzure``, with interception on, so code
that builds its own ``azpatch.Client`` talks to the fake and nothing else),
``azpatch_client`` and ``azpatch_async_client``. Configure the world with
``@pytest.mark.azpatch_fake(seed=..., start=..., ...)``. A test whose
requests the fake did not serve fails at teardown.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import azpatch

    from ._app import FakeAzure

__all__ = ["azpatch_async_client", "azpatch_client", "azpatch_fake"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "azpatch_fake(**options): keyword arguments for the FakeAzure of the azpatch_fake fixture",
    )


@pytest.fixture
def azpatch_fake(request: pytest.FixtureRequest) -> Iterator[FakeAzure]:
    """A fresh fake world; every httpx request for its ARM host goes to it, others fail."""
    from ._app import FakeAzure  # noqa: PLC0415  (keep the plugin's import cheap)

    marker = request.node.get_closest_marker("azpatch_fake")
    fake = FakeAzure(**(marker.kwargs if marker else {}))
    with fake.intercept():
        yield fake
    fake.assert_no_unhandled_requests()


@pytest.fixture
def azpatch_client(azpatch_fake: FakeAzure) -> Iterator[azpatch.Client]:
    """An ``azpatch.Client`` on the fake's transport and virtual clock."""
    with azpatch_fake.client() as client:
        yield client


@pytest.fixture
def azpatch_async_client(azpatch_fake: FakeAzure) -> azpatch.AsyncClient:
    """An ``azpatch.AsyncClient`` on the fake's transport and virtual clock.

    Its HTTP client needs no closing (it has no sockets), so any async test
    runner will do.
    """
    return azpatch_fake.async_client()
