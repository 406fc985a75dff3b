"""``Client``: the synchronous client, and the driver that runs flows with blocking I/O."""

from __future__ import annotations

from types import TracebackType
from typing import TypeVar

import httpx
import tenacity

from ._client_setup import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, check_http_choice, new_session
from ._clock import Clock
from ._core._auth import ARM_SCOPE
from ._core._body import DEFAULT_MAX_RESPONSE_BYTES, BodyReader
from ._core._flow import Flow, Send
from ._core._stepper import Finished, Stepper, TimedOut, Wait
from ._credentials import TokenCredential
from ._deadline_transport import DeadlineTransport, within
from ._exceptions import TransportError
from ._fleet._budgets import RateLimits
from ._fleet._runner import Fleet
from ._policies import PollingPolicy, RetryPolicy
from ._resources._registration import Features, Providers
from ._resources._virtual_machines import VirtualMachines
from ._session import Deadline, Session

__all__ = ["Client", "SyncDriver"]

T = TypeVar("T")


class SyncDriver:
    """Performs a flow's effects with blocking I/O: the only loop on the sync side."""

    def __init__(self, session: Session, credential: TokenCredential, http: httpx.Client) -> None:
        self.session = session
        self._credential = credential
        self._http = http

    def send_once(self, request: httpx.Request, deadline: Deadline | None = None) -> httpx.Response:
        """One attempt, signed (a 401 is answered once with a fresh token); no retries.

        It ends by ``deadline`` (by default the retry policy's, from now) at the latest.
        """
        session = self.session
        deadline = deadline or session.deadline()
        for attempt in range(2):  # a 401 is answered once with a fresh token
            if session.needs_token():
                session.store_token(self._credential.get_token(ARM_SCOPE))
            left = session.seconds_left(deadline, request)
            try:
                with session.signed(request, within=left) as signed, within(left):
                    response = self._receive(signed)
            except httpx.HTTPError as error:
                raise session.transport_error(error, request, deadline=deadline) from None
            if response.status_code != 401 or attempt:
                return session.received(request, response)
            session.forget_token()
        raise AssertionError("unreachable")

    def _receive(self, request: httpx.Request) -> httpx.Response:
        streamed = self._http.send(request, stream=True)
        try:
            body = BodyReader(streamed, self.session.max_response_bytes)
            if body.whole:
                streamed.read()
            else:
                for chunk in streamed.iter_bytes():
                    body.add(chunk)
        finally:
            streamed.close()
        return body.response()

    def send(self, effect: Send, deadline: Deadline) -> httpx.Response:
        """``effect``'s request, retried as the policy allows until ``deadline``."""
        session, request = self.session, effect.request
        try:
            first: httpx.Response | TransportError = self.send_once(request, deadline)
        except TransportError as error:
            first = error
        if not session.worth_retrying(first, idempotent=effect.idempotent):
            return session.settle(first)
        replay = [first]

        def attempt() -> httpx.Response:
            return session.settle(replay.pop()) if replay else self.send_once(request, deadline)

        options = session.retrying_options(request, idempotent=effect.idempotent, deadline=deadline)
        response: httpx.Response = tenacity.Retrying(sleep=session.clock.sleep, **options)(attempt)
        return response

    def drive(
        self, stepper: Stepper[T], *, timeout: float | None = None, block: bool = True
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
                clock.sleep(action.seconds)
                continue
            effect = action.effect
            if not isinstance(effect, Send):
                stepper.reply(float(clock.monotonic()), now=clock.monotonic())
                continue
            deadline = self.session.deadline(effect, until=until)
            reply = None
            try:
                reply = self.send(effect, deadline)
            except TransportError:
                if deadline.late_for is None:
                    raise
            if not self.session.answer(stepper, deadline, reply):
                return False

    def run(self, flow: Flow[T]) -> T:
        stepper = Stepper(flow)
        self.drive(stepper)
        return stepper.result()


class Client:
    """The synchronous azpatch client.

    ``credential`` is anything with azure-identity's ``get_token`` (such as
    ``azure.identity.DefaultAzureCredential()``) or a
    ``StaticTokenCredential``. Use it as a context manager, or call
    ``close()``: it closes the HTTP client it created, never one passed in.
    ``transport`` is the wire of the HTTP client it creates (httpx's by default).
    """

    def __init__(
        self,
        subscription_id: str,
        credential: TokenCredential,
        *,
        base_url: str | httpx.URL = DEFAULT_BASE_URL,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008  (frozen, so sharing is safe)
        polling: PollingPolicy = PollingPolicy(),  # noqa: B008
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
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
            else httpx.Client(timeout=session.timeout, transport=transport or DeadlineTransport())
        )
        self._driver = SyncDriver(session, credential, http)
        self._http = http
        self.virtual_machines = VirtualMachines(self._driver)
        self.features = Features(self._driver)
        self.fleet = Fleet(self._driver, rate_limits)
        self.providers = Providers(self._driver)

    @property
    def subscription_id(self) -> str:
        """The subscription every request of this client is made in."""
        return self._driver.session.ctx.subscription_id

    def close(self) -> None:
        """Close the HTTP client it made (one passed as ``http_client`` stays open)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        ctx = self._driver.session.ctx
        return f"Client(subscription_id={ctx.subscription_id!r}, base_url={str(ctx.base_url)!r})"
