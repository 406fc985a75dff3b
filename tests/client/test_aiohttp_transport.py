"""``AiohttpTransport``: the client over aiohttp's wire, on real sockets and under the fixture."""

from __future__ import annotations

import asyncio
import gzip
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest

import azpatch
from azpatch_fake import FakeAzure

from ..serving import serving

pytestmark = pytest.mark.anyio
CREDENTIAL = azpatch.StaticTokenCredential("a-secret-token")
SUB = "00000000-0000-0000-0000-000000000001"
ONE_TRY = azpatch.RetryPolicy(max_attempts=1)


async def close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Hang up without an answer."""


Answer = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@pytest.fixture
def served() -> Iterator[FakeAzure]:
    fake = FakeAzure(seed=1, retry_after=0)
    fake.add_vm("rg", "vm1", os_type="Windows")
    with serving(fake, time_scale=1000.0):
        yield fake


@asynccontextmanager
async def raw_server(answer: Answer) -> AsyncIterator[str]:
    """A loopback server that reads a request's head and then does what ``answer`` says."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        try:
            await answer(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


def client(base_url: str, subscription: str = SUB, **options: object) -> azpatch.AsyncClient:
    return azpatch.AsyncClient(
        subscription, CREDENTIAL, base_url=base_url, transport=azpatch.AiohttpTransport(), **options
    )


async def test_a_vm_is_read_and_assessed_over_a_real_socket(served: FakeAzure) -> None:
    polling = azpatch.PollingPolicy(min_interval=0.05)
    async with client(served.base_url, served.subscription_id, polling=polling) as azure:
        vm = await azure.virtual_machines.get("rg", "vm1")
        result = await azure.virtual_machines.assess_patches("rg", "vm1", timeout=30)
        with pytest.raises(azpatch.NotFoundError):
            await azure.virtual_machines.get("rg", "missing")
    assert vm.name == "vm1"
    assert result.succeeded
    assert served.faults.calls("assess_patches") == 1


async def test_the_fixture_serves_it_on_the_virtual_clock(azpatch_fake: FakeAzure) -> None:
    azpatch_fake.add_vm("rg", "vm1")
    async with azpatch.AsyncClient(
        azpatch_fake.subscription_id, CREDENTIAL, transport=azpatch.AiohttpTransport()
    ) as azure:
        result = await azure.virtual_machines.assess_patches("rg", "vm1")
    assert result.succeeded
    assert azpatch_fake.refused == []


async def test_nothing_listening_is_an_error_that_says_nothing_was_sent() -> None:
    async def close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        return

    async with raw_server(close) as url:
        pass  # closed: its port now refuses connections
    async with client(url, retry=ONE_TRY) as azure:
        with pytest.raises(azpatch.TransportError) as caught:
            await azure.virtual_machines.get("rg", "vm1")
    assert caught.value.may_have_reached_server is False


async def test_a_connection_closed_after_the_request_may_have_reached_azure() -> None:
    async with raw_server(close) as url, client(url, retry=ONE_TRY) as azure:
        with pytest.raises(azpatch.TransportError) as caught:
            await azure.virtual_machines.get("rg", "vm1")
    assert caught.value.may_have_reached_server is True
    assert "a-secret-token" not in str(caught.value)


async def test_no_answer_within_the_read_timeout_is_a_timeout() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up

    async with raw_server(silent) as url, client(url, retry=ONE_TRY, timeout=0.3) as azure:
        with pytest.raises(azpatch.RequestTimeoutError):
            await azure.virtual_machines.get("rg", "vm1")


async def test_redirects_are_not_followed_and_bodies_are_decoded_once() -> None:
    body = gzip.compress(b'{"name": "vm1"}')

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 302 Found\r\nLocation: https://elsewhere.example/\r\n"
            b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        await writer.drain()

    transport = azpatch.AiohttpTransport()
    async with raw_server(answer) as url, httpx.AsyncClient(transport=transport) as http:
        response = await http.get(url)
    assert response.status_code == 302
    assert response.headers["location"] == "https://elsewhere.example/"
    assert response.json() == {"name": "vm1"}


def test_without_aiohttp_it_says_which_extra_to_install() -> None:
    code = (
        "import sys; sys.modules['aiohttp'] = None\n"
        "import azpatch\n"
        "try:\n    azpatch.AiohttpTransport()\n"
        "except ImportError as error:\n    print(error)\n"
    )
    printed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert 'pip install "azpatch[aiohttp]"' in printed


def test_http_client_and_transport_are_not_both_taken() -> None:
    with pytest.raises(azpatch.InvalidArgumentError, match="not both"):
        azpatch.Client(SUB, CREDENTIAL, http_client=httpx.Client(), transport=httpx.HTTPTransport())


async def test_proxies_come_from_the_environment_as_with_httpx(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        await writer.drain()

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(b"direct")
        await proxy(reader, writer)

    async with raw_server(proxy) as proxy_url, raw_server(record) as direct:
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        monkeypatch.setenv("NO_PROXY", "localhost")
        async with httpx.AsyncClient(transport=azpatch.AiohttpTransport()) as http:
            through_proxy = await http.get("http://azure.invalid/")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with httpx.AsyncClient(transport=azpatch.AiohttpTransport()) as http:
            await http.get(direct)
    assert through_proxy.json() == {}  # the proxy answered for a host that does not exist
    assert seen == [b"direct"]
