"""Routing every httpx request for the ARM host to a fake, and refusing every other one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from ._app import FakeAzure

__all__ = ["intercept"]


class OutboundRequestError(AssertionError):
    """A test tried to reach a host that is not the fake."""


def _refuse(request: httpx.Request) -> httpx.Response:
    raise OutboundRequestError(
        f"{request.method} {request.url.scheme}://{request.url.host} left the test: only"
        " the fake ARM host is reachable inside azpatch_fake.intercept()"
    )


@contextmanager
def intercept(fake: FakeAzure) -> Iterator[FakeAzure]:
    try:
        import respx  # noqa: PLC0415  (an extra: pip install "azpatch[fake]")
    except ImportError as missing:  # pragma: no cover - depends on the environment
        raise RuntimeError('intercept() needs respx: pip install "azpatch[fake]"') from missing
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        router.route(url__startswith=fake.base_url).mock(side_effect=fake.handle)
        router.route().mock(side_effect=_refuse)
        yield fake
