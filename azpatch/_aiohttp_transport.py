"""An httpx transport that sends through aiohttp: the async client's faster wire.

httpx's own async transport spends about 1.2 ms of CPU a request (some 800
a second from a core, measured in ``benchmarks/async_throughput.py``); the
client on aiohttp's C-accelerated connection code spends about 0.35 ms
(some 2,800 a second). ``AiohttpTransport``
plugs aiohttp in under httpx, so the client, its flows, retries and errors
are the same: aiohttp's errors become the httpx errors they correspond to,
which say whether the request may have reached the server. Redirects are
never followed and bodies are left encoded, as httpx's transport leaves
them. ``pip install "azpatch[aiohttp]"``; asyncio only.
"""

from __future__ import annotations

import asyncio
import importlib.util
import ssl
import urllib.request
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    import aiohttp

__all__ = ["AiohttpTransport"]


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Pass as ``AsyncClient(..., transport=AiohttpTransport())``.

    ``verify``: ``True`` checks certificates against the system's store, an
    ``ssl.SSLContext`` is used as given, ``False`` checks nothing.
    ``max_connections`` bounds the pool, as httpx's ``Limits`` do;
    ``trust_env`` takes proxies from the environment (``HTTPS_PROXY``,
    ``NO_PROXY``) as httpx does, read once here: aiohttp's own reading of them
    costs more CPU a request than all the rest of it.
    """

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        max_connections: int = 100,
        trust_env: bool = True,
    ) -> None:
        if importlib.util.find_spec("aiohttp") is None:
            raise ImportError('AiohttpTransport needs aiohttp: pip install "azpatch[aiohttp]"')
        if max_connections < 1:
            raise ValueError(f"max_connections is at least 1, not {max_connections!r}")
        self._verify, self._max_connections = verify, max_connections
        self._proxies = urllib.request.getproxies() if trust_env else {}
        self._proxy_of: dict[tuple[str, str], str | None] = {}
        self._session: aiohttp.ClientSession | None = None

    def _opened(self) -> aiohttp.ClientSession:
        """The session, made on first use: aiohttp binds it to the running event loop."""
        if self._session is None:
            import aiohttp  # noqa: PLC0415  (an extra, loaded when first sent through)

            connector = aiohttp.TCPConnector(limit=self._max_connections, ssl=self._verify)
            self._session = aiohttp.ClientSession(connector=connector, auto_decompress=False)
        return self._session

    def _proxy(self, url: httpx.URL) -> str | None:
        """The proxy for ``url``'s scheme and host, unless ``NO_PROXY`` names the host."""
        key = (url.scheme, url.host)
        if key not in self._proxy_of:
            proxy = self._proxies.get(url.scheme)
            if proxy and urllib.request.proxy_bypass(url.host):
                proxy = None
            self._proxy_of[key] = proxy
        return self._proxy_of[key]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` as it is and read the whole answer (httpx calls this)."""
        import aiohttp  # noqa: PLC0415

        session = self._opened()
        timeout = request.extensions.get("timeout", {})
        body = await request.aread()
        try:
            async with session.request(
                request.method,
                str(request.url),
                headers=request.headers.multi_items(),
                data=body or None,
                allow_redirects=False,
                proxy=self._proxy(request.url),
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=_sum(timeout.get("pool"), timeout.get("connect")),
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                ),
            ) as answer:
                content = await answer.read()
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise _as_httpx(error, request) from error
        return httpx.Response(
            answer.status,
            headers=answer.raw_headers,
            content=content,
            request=request,
            extensions={
                "http_version": f"HTTP/{answer.version.major}.{answer.version.minor}".encode()
                if answer.version
                else b"HTTP/1.1",
                "reason_phrase": (answer.reason or "").encode(),
            },
        )

    async def aclose(self) -> None:
        """Close the connections (the client that made it closes it)."""
        if self._session is not None:
            await self._session.close()
            self._session = None


def _sum(pool: float | None, connect: float | None) -> float | None:
    """aiohttp's ``connect`` bounds waiting for the pool and connecting together."""
    return None if pool is None or connect is None else pool + connect


def _as_httpx(error: BaseException, request: httpx.Request) -> httpx.TransportError:
    """The httpx error that says the same: connecting failed (nothing was sent), or the
    request may have been received."""
    import aiohttp  # noqa: PLC0415

    cls: type[httpx.TransportError]
    connect_timeout: Any = getattr(aiohttp, "ConnectionTimeoutError", ())  # aiohttp >= 3.10
    if isinstance(error, aiohttp.ClientConnectorError):
        cls = httpx.ConnectError
    elif isinstance(error, connect_timeout):
        cls = httpx.ConnectTimeout
    elif isinstance(error, asyncio.TimeoutError):
        cls = httpx.ReadTimeout
    elif isinstance(error, aiohttp.ServerDisconnectedError):
        cls = httpx.RemoteProtocolError
    elif isinstance(error, aiohttp.ClientPayloadError | aiohttp.ClientOSError):
        cls = httpx.ReadError
    else:
        cls = httpx.TransportError
    return cls(f"{type(error).__name__}: {error}", request=request)
