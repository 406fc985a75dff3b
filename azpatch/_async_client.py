"""``AsyncClient``: the asynchronous client, and the driver that runs flows with async I/O."""

from __future__ import annotations

import inspect
from types import TracebackType
from typing import TypeVar

import anyio
import httpx
import tenacity

from ._client_setup import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, check_http_choice, new_session
from ._clock import Clock
from ._core._auth import ARM_SCOPE
from ._core._body import DEFAULT_MAX_RESPONSE_BYTES, BodyReader
from ._core._flow import Flow, Send
from ._core._stepper import Finished, Stepper, TimedOut, Wait
from ._credentials import AccessTokenLike, AsyncTokenCredential, TokenCredential
from ._exceptions import TransportError
from ._fleet._budgets import RateLimits
from ._fleet._runner import AsyncFleet
from ._policies import PollingPolicy, RetryPolicy
from ._resources._registration import AsyncFeatures, AsyncProviders
from ._resources._virtual_machines import AsyncVirtualMachines
from ._session import Deadline, Session

__all__ = ["AsyncClient", "AsyncDriver"]

T = TypeVar("T")


class AsyncDriver:
    """Performs a flow's effects with async I/O: the only loop on the async side."""

    def __init__(
        self,
        session: Session,
        credential: AsyncTokenCredential | TokenCredential,
        http: httpx.AsyncClient,
    ) -> None:
        self.session = session
        self._credential = credential
        self._http = http

    async def _token(self) -> AccessTokenLike:
        token = self._credential.get_token(ARM_SCOPE)
        return await token if inspect.isawaitable(token) else token

    async def send_once(
        self, request: httpx.Request, deadline: Deadline | None = None
    ) -> httpx.Response:
        """One attempt, signed (a 401 is answered once with a fresh token); no retries.

        It is cancelled at ``deadline`` (by default the retry policy's, from now).
        """
        session = self.session
        deadline = deadline or session.deadline()
        for attempt in range(2):  # a 401 is answered once with a fresh token
            if session.needs_token():
                session.store_token(await self._token())
            left = session.seconds_left(deadline, request)
            try:
                with session.signed(request, within=left) as signed, anyio.fail_after(left):
                    response = await self._receive(signed)
            except (httpx.HTTPError, TimeoutError) as error:
                raise session.transport_error(error, request, deadline=deadline) from None
            if response.status_code != 401 or attempt:
                return session.received(request, response)
            session.forget_token()
        raise AssertionError("unreachable")

    async def _receive(self, request: httpx.Request) -> httpx.Response:
        streamed = await self._http.send(request, stream=True)
        try:
            body = BodyReader(streamed, self.session.max_response_bytes)
            if body.whole:
                await streamed.aread()
            else:
                async for chunk in streamed.aiter_bytes():
                    body.add(chunk)
        finally:
            await streamed.aclose()
        return body.response()

    async def send(self, effect: Send, deadline: Deadline) -> httpx.Response:
        """``effect``'s request, retried as the policy allows until ``deadline``."""
        session, request = self.session, effect.request
        try:
            first: httpx.Response | TransportError = await self.send_once(request, deadline)
        except TransportError as error:
            first = error
        if not session.worth_retrying(first, idempotent=effect.idempotent):
            return session.settle(first)
        replay = [first]

        async def attempt() -> httpx.Response:
            if replay:
                return session.settle(replay.pop())
            return await self.send_once(request, deadline)

        options = session.retrying_options(request, idempotent=effect.idempotent, deadline=deadline)
        retrying = tenacity.AsyncRetrying(sleep=session.clock.asleep, **options)
        response: httpx.Response = await retrying(attempt)
        return response

    async def drive(
        self,
        stepper: Stepper[T],
        *,
        timeout: float | None = None,  # noqa: ASYNC109  (the poller's wait, kept per request)
        block: bool = True,
    ) -> bool:
        """Run ``stepper`` until it finishes (True) or ``timeout`` seconds pass (False)."""
        clock = self.session.clock
        until = None if timeout is None else clock.monotonic() + timeout
        while True:
            action = stepper.decide(clock.monotonic(), until=until, block=block)
            if isinstance(action, Finished):
                return True
            if isinstance(action, TimedOut):
                return False
            if isinstance(action, Wait):
                self.session.waiting(action.seconds, stepper)
                await clock.asleep(action.seconds)
                continue
            effect = action.effect
            if not isinstance(effect, Send):
                stepper.reply(float(clock.monotonic()), now=clock.monotonic())
                continue
            deadline = self.session.deadline(effect, until=until)
            reply = None
            try:
                reply = await self.send(effect, deadline)
            except TransportError:
                if deadline.late_for is None:
                    raise
            if not self.session.answer(stepper, deadline, reply):
                return False

    async def run(self, flow: Flow[T]) -> T:
        stepper = Stepper(flow)
        await self.drive(stepper)
        return stepper.result()


class AsyncClient:
    """The asynchronous azpatch client; the twin of ``Client``.

    ``credential`` may be async (``azure.identity.aio.DefaultAzureCredential()``)
    or sync. Use it with ``async with``, or call ``await aclose()``.
    ``transport=AiohttpTransport()`` (``azpatch[aiohttp]``) sends more than three times
    as many requests a second from a core as httpx's own async transport.
    """

    def __init__(
        self,
        subscription_id: str,
        credential: AsyncTokenCredential | TokenCredential,
        *,
        base_url: str | httpx.URL = DEFAULT_BASE_URL,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008  (frozen, so sharing is safe)
        polling: PollingPolicy = PollingPolicy(),  # noqa: B008
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        rate_limits: RateLimits = RateLimits(),  # noqa: B008
    ) -> None:
        check_http_choice(http_client, transport)
        session = new_session(
            subscription_id,
            credential,
            base_url=base_url,
            retry=retry,
            polling=polling,
            timeout=timeout,
            max_response_bytes=max_response_bytes,
            clock=clock,
        )
        self._owns_http = http_client is None
        http = (
            http_client
            if http_client is not None
            else httpx.AsyncClient(timeout=session.timeout, transport=transport)
        )
        self._driver = AsyncDriver(session, credential, http)
        self._http = http
        self.virtual_machines = AsyncVirtualMachines(self._driver)
        self.features = AsyncFeatures(self._driver)
        self.fleet = AsyncFleet(self._driver, rate_limits)
        self.providers = AsyncProviders(self._driver)

    @property
    def subscription_id(self) -> str:
        """The subscription every request of this client is made in."""
        return self._driver.session.ctx.subscription_id

    async def aclose(self) -> None:
        """Close the HTTP client it made (one passed as ``http_client`` stays open)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        ctx = self._driver.session.ctx
        return (
            f"AsyncClient(subscription_id={ctx.subscription_id!r}, base_url={str(ctx.base_url)!r})"
        )
