"""Lazy listings that follow ``nextLink``: ``Pager`` and ``AsyncPager``.

No request is sent until iteration starts, and each page is fetched only
when the previous one is used up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

import httpx

from ._core._flows import Listing, list_page

if TYPE_CHECKING:
    from ._async_client import AsyncDriver
    from ._client import SyncDriver

__all__ = ["AsyncPager", "Pager"]

T = TypeVar("T")


class Pager(Generic[T]):
    """A listing, iterated item by item; each page (``nextLink``) is fetched when reached."""

    def __init__(self, driver: SyncDriver, first: httpx.Request, listing: type[Listing[T]]) -> None:
        self._driver = driver
        self._first = first
        self._listing = listing

    def __iter__(self) -> Iterator[T]:
        request: httpx.Request | None = self._first
        while request is not None:
            items, request = self._driver.run(
                list_page(self._driver.session.ctx, request, self._listing)
            )
            yield from items


class AsyncPager(Generic[T]):
    """A listing for ``async for``; each page (``nextLink``) is fetched when reached."""

    def __init__(
        self, driver: AsyncDriver, first: httpx.Request, listing: type[Listing[T]]
    ) -> None:
        self._driver = driver
        self._first = first
        self._listing = listing

    async def __aiter__(self) -> AsyncIterator[T]:
        request: httpx.Request | None = self._first
        while request is not None:
            items, request = await self._driver.run(
                list_page(self._driver.session.ctx, request, self._listing)
            )
            for item in items:
                yield item
