"""The fake behind azure-core: what the official Azure SDK for Python sends through.

``FakeTransport`` and ``AsyncFakeTransport`` serve a world in-process (no
socket), and their ``sleep`` moves the world's virtual clock: azure-core's
retry policy and ARM polling both sleep through the transport, so
``begin_install_patches(...).result()`` of a four-hour installation returns
at once. Interception (``_intercept``) lends the same ``send`` and ``sleep``
to azure-core's own transports, so SDK clients built with no ``transport=``
reach the fake too. Only imported where azure-core is installed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx
from azure.core.exceptions import HttpResponseError
from azure.core.pipeline.transport import AsyncHttpTransport, HttpTransport
from azure.core.rest import AsyncHttpResponse, HttpRequest, HttpResponse
from azure.core.utils import CaseInsensitiveDict

if TYPE_CHECKING:
    from .._app import FakeAzure

__all__ = ["AsyncFakeTransport", "FakeTransport", "answer", "answer_async"]

Serve = Callable[[httpx.Request], httpx.Response]


def _to_httpx(request: HttpRequest) -> httpx.Request:
    if not isinstance(request, HttpRequest):
        raise TypeError(
            "azpatch_fake serves azure.core.rest.HttpRequest, which every current Azure"
            f" management SDK sends; got {type(request).__name__}"
        )
    content = request.content
    if isinstance(content, str):
        content = content.encode("utf-8")
    elif content is None:
        content = b""
    elif not isinstance(content, bytes):
        raise TypeError("azpatch_fake reads JSON bodies, not files or streams")
    return httpx.Request(
        request.method, request.url, headers=dict(request.headers), content=content
    )


class _Loaded:
    """A response whose body is read already: what both response classes share."""

    def __init__(self, request: HttpRequest, response: httpx.Response) -> None:
        self._request = request
        self._status = response.status_code
        self._headers = CaseInsensitiveDict(response.headers.multi_items())
        self._reason = response.reason_phrase
        self._content = response.content
        self._encoding: str | None = response.charset_encoding

    @property
    def request(self) -> HttpRequest:
        return self._request

    @property
    def status_code(self) -> int:
        return self._status

    @property
    def headers(self) -> CaseInsensitiveDict:
        return self._headers

    @property
    def reason(self) -> str:
        return self._reason

    @property
    def content_type(self) -> str | None:
        return self._headers.get("Content-Type")

    @property
    def is_closed(self) -> bool:
        return True

    @property
    def is_stream_consumed(self) -> bool:
        return True

    @property
    def encoding(self) -> str | None:
        return self._encoding

    @encoding.setter
    def encoding(self, value: str | None) -> None:
        self._encoding = value

    @property
    def url(self) -> str:
        return str(self._request.url)

    @property
    def content(self) -> bytes:
        return self._content

    def body(self) -> bytes:
        """The legacy accessor, which the SDKs' generated deserializers look for."""
        return self._content

    def text(self, encoding: str | None = None) -> str:
        return self._content.decode(encoding or self._encoding or "utf-8")

    def json(self) -> Any:
        return json.loads(self._content)

    def raise_for_status(self) -> None:
        if self._status >= 400:
            raise HttpResponseError(response=self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self._status} {self._reason}>"


class FakeResponse(_Loaded, HttpResponse):
    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *args: object) -> None:
        pass

    def close(self) -> None:
        pass

    def read(self) -> bytes:
        return self._content

    def iter_raw(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._content

    def iter_bytes(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._content


class AsyncFakeResponse(_Loaded, AsyncHttpResponse):
    async def __aenter__(self) -> AsyncFakeResponse:
        return self

    async def __aexit__(self, *args: object) -> None:
        pass

    async def close(self) -> None:
        pass

    async def read(self) -> bytes:
        return self._content

    async def iter_raw(self, **kwargs: Any) -> AsyncIterator[bytes]:
        yield self._content

    async def iter_bytes(self, **kwargs: Any) -> AsyncIterator[bytes]:
        yield self._content


def answer(serve: Serve, request: HttpRequest) -> FakeResponse:
    return FakeResponse(request, serve(_to_httpx(request)))


async def answer_async(serve: Serve, request: HttpRequest) -> AsyncFakeResponse:
    return AsyncFakeResponse(request, serve(_to_httpx(request)))


class FakeTransport(HttpTransport):  # type: ignore[type-arg]
    """An azure-core transport for one world: ``ComputeManagementClient(..., transport=it)``."""

    def __init__(self, fake: FakeAzure) -> None:
        self._fake = fake

    def send(self, request: HttpRequest, **kwargs: Any) -> FakeResponse:
        return answer(self._fake.handle, request)

    def sleep(self, duration: float) -> None:
        self._fake.clock.sleep(duration)

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> FakeTransport:
        return self

    def __exit__(self, *args: object) -> None:
        pass

    def __repr__(self) -> str:
        return f"FakeTransport({self._fake.base_url})"


class AsyncFakeTransport(AsyncHttpTransport):  # type: ignore[type-arg]
    """The async twin, for the SDKs' ``.aio`` clients."""

    def __init__(self, fake: FakeAzure) -> None:
        self._fake = fake

    async def send(self, request: HttpRequest, **kwargs: Any) -> AsyncFakeResponse:
        return await answer_async(self._fake.handle, request)

    async def sleep(self, duration: float) -> None:
        await self._fake.clock.asleep(duration)

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> AsyncFakeTransport:
        return self

    async def __aexit__(self, *args: object) -> None:
        pass

    def __repr__(self) -> str:
        return f"AsyncFakeTransport({self._fake.base_url})"
