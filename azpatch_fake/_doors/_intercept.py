"""Routing every in-process HTTP request for the ARM host to a fake, and refusing every other.

While a world intercepts, the HTTP stacks a script may use are patched
process-wide, as respx, responses and moto patch theirs: httpx's transports
(and azpatch's ``AiohttpTransport``), azure-core's transports (``send`` and
``sleep``), requests' adapter and aiohttp's session. A request for the
world's base URL is answered by the world; any other is refused before a
byte is sent, and recorded in ``fake.refused`` so that a script which
swallows the error still fails its test. Clients of azpatch built without a
clock wait on the world's virtual clock meanwhile
(``azpatch.default_clock``), and azure-core's waits go to it through the
transport's ``sleep``. Everything is undone on exit, however the block ends.
"""

from __future__ import annotations

import importlib
import io
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from .._app import FakeAzure

__all__ = ["OutboundRequestError", "intercept"]


class OutboundRequestError(AssertionError):
    """Code under test tried to reach a host that is not the fake; nothing was sent."""


class _Worlds:
    """The intercepting worlds, innermost last, and the patches that route to them."""

    def __init__(self) -> None:
        self._worlds: list[FakeAzure] = []
        self._lock = threading.Lock()
        self._saved: list[tuple[type, str, object]] = []

    def enter(self, fake: FakeAzure) -> None:
        with self._lock:
            if not self._worlds:
                self._apply(_patches())
            self._worlds.append(fake)

    def leave(self, fake: FakeAzure) -> None:
        with self._lock:
            self._worlds.remove(fake)
            if not self._worlds:
                self._restore()

    def innermost(self) -> FakeAzure:
        return self._worlds[-1]

    def world_for(self, method: str, url: httpx.URL) -> FakeAzure:
        """The world serving ``url``, or the refusal, recorded by the innermost world."""
        for fake in reversed(self._worlds):
            served = httpx.URL(fake.base_url)
            if (url.scheme, url.host, url.port) == (served.scheme, served.host, served.port):
                return fake
        fake = self.innermost()
        origin = f"{url.scheme}://{url.host}{'' if url.port is None else f':{url.port}'}"
        fake.refused.append(f"{method} {origin}")
        raise OutboundRequestError(
            f"{method} {origin} left the test, refused before it was sent: inside"
            f" azpatch_fake.intercept() only the fake's ARM host {fake.base_url} is reachable"
            " (for another cloud, FakeAzure(base_url=...))"
        )

    def _apply(self, patches: list[tuple[type, str, object]]) -> None:
        for owner, name, replacement in patches:
            self._saved.append((owner, name, owner.__dict__.get(name, _INHERITED)))
            setattr(owner, name, replacement)

    def _restore(self) -> None:
        while self._saved:
            owner, name, original = self._saved.pop()
            if original is _INHERITED:
                delattr(owner, name)
            else:
                setattr(owner, name, original)


_INHERITED = object()
_WORLDS = _Worlds()


@contextmanager
def intercept(fake: FakeAzure) -> Iterator[FakeAzure]:
    from ._clients import following_the_clock  # noqa: PLC0415  (azpatch is imported there)

    with ExitStack() as undo:
        _WORLDS.enter(fake)
        undo.callback(_WORLDS.leave, fake)
        undo.enter_context(following_the_clock(fake))
        yield fake


# -- httpx -------------------------------------------------------------------------------------


def _httpx_send(transport: httpx.BaseTransport, request: httpx.Request) -> httpx.Response:
    return _WORLDS.world_for(request.method, request.url).handle(request)


async def _httpx_send_async(
    transport: httpx.AsyncBaseTransport, request: httpx.Request
) -> httpx.Response:
    return _WORLDS.world_for(request.method, request.url).handle(request)


# -- azure-core: the official SDK's pipeline ----------------------------------------------------


def _core_send(transport: object, request: Any, **kwargs: Any) -> Any:
    from ._azure_core import answer  # noqa: PLC0415

    return answer(_WORLDS.world_for(request.method, httpx.URL(request.url)).handle, request)


async def _core_send_async(transport: object, request: Any, **kwargs: Any) -> Any:
    from ._azure_core import answer_async  # noqa: PLC0415

    fake = _WORLDS.world_for(request.method, httpx.URL(request.url))
    return await answer_async(fake.handle, request)


def _core_sleep(transport: object, duration: float) -> None:
    _WORLDS.innermost().clock.sleep(duration)


async def _core_sleep_async(transport: object, duration: float) -> None:
    await _WORLDS.innermost().clock.asleep(duration)


_AZURE_CORE_TRANSPORTS = (
    "RequestsTransport",
    "AioHttpTransport",
    "AsyncioRequestsTransport",
    "TrioRequestsTransport",
)


def _azure_core_patches() -> list[tuple[type, str, object]]:
    try:
        transports = importlib.import_module("azure.core.pipeline.transport")
    except ImportError:
        return []
    patches: list[tuple[type, str, object]] = []
    for name in _AZURE_CORE_TRANSPORTS:
        try:  # each needs its own HTTP library (aiohttp, trio), which may be missing
            cls = getattr(transports, name)
        except ImportError:
            continue
        is_async = issubclass(cls, transports.AsyncHttpTransport)
        patches.append((cls, "send", _core_send_async if is_async else _core_send))
        patches.append((cls, "sleep", _core_sleep_async if is_async else _core_sleep))
    return patches


# -- requests and aiohttp used directly ---------------------------------------------------------


def _requests_send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
    import requests  # noqa: PLC0415

    fake = _WORLDS.world_for(request.method, httpx.URL(request.url))
    body = request.body.encode() if isinstance(request.body, str) else request.body or b""
    served = fake.handle(
        httpx.Request(request.method, request.url, headers=dict(request.headers), content=body)
    )
    response = requests.Response()
    response.status_code = served.status_code
    response.reason = served.reason_phrase
    response.headers = requests.structures.CaseInsensitiveDict(served.headers)
    response._content = served.content
    response.raw = io.BytesIO(served.content)
    response.encoding = served.charset_encoding
    response.url = request.url
    response.request = request
    response.connection = adapter
    return response


async def _aiohttp_request(session: object, method: str, url: object, **kwargs: Any) -> Any:
    _WORLDS.world_for(method, httpx.URL(str(url)))
    raise OutboundRequestError(
        f"{method} {url}: aiohttp used directly is not served in-process; use httpx, requests"
        " or an Azure SDK client, or `python -m azpatch_fake serve`"
    )


def _optional_patch(module: str, owner: str, name: str, value: Callable[..., Any]) -> list[Any]:
    try:
        cls = getattr(importlib.import_module(module), owner)
    except ImportError:
        return []
    return [(cls, name, value)]


def _patches() -> list[tuple[type, str, object]]:
    from ._clients import azpatch_transport_patches  # noqa: PLC0415  (azpatch is imported there)

    return [
        (httpx.HTTPTransport, "handle_request", _httpx_send),
        (httpx.AsyncHTTPTransport, "handle_async_request", _httpx_send_async),
        *azpatch_transport_patches(_httpx_send_async),
        *_azure_core_patches(),
        *_optional_patch("requests.adapters", "HTTPAdapter", "send", _requests_send),
        *_optional_patch("aiohttp", "ClientSession", "_request", _aiohttp_request),
    ]
