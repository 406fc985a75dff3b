"""What the sync and async drivers share: signing, retry rules, error mapping and logging.

The drivers only perform I/O (send, sleep, ask the credential); every
decision about a request or a response is made here or in ``_core``.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import httpx
import tenacity

from ._clock import Clock
from ._core._auth import needs_refresh
from ._core._context import RequestContext
from ._core._responses import redact_url
from ._core._retry import (
    backoff_seconds,
    may_have_reached_server,
    retry_after_seconds,
    should_retry_response,
)
from ._core._security import check_same_host
from ._core._stepper import Stepper
from ._credentials import AccessTokenLike
from ._exceptions import RequestTimeoutError, TransportError
from ._policies import PollingPolicy, RetryPolicy

__all__ = ["Session", "logger"]

logger = logging.getLogger("azpatch")


class Session:
    """One client's settings and token cache."""

    def __init__(
        self,
        ctx: RequestContext,
        *,
        retry: RetryPolicy,
        polling: PollingPolicy,
        clock: Clock,
        timeout: httpx.Timeout,
        max_response_bytes: int,
    ) -> None:
        self.ctx = ctx
        self.max_response_bytes = max_response_bytes
        self.retry = retry
        self.polling = polling
        self.clock = clock
        self.timeout = timeout
        self._timeout = timeout.as_dict()
        self._token: AccessTokenLike | None = None

    # -- the bearer token ------------------------------------------------------------------

    def needs_token(self) -> bool:
        expires_on = None if self._token is None else self._token.expires_on
        return needs_refresh(expires_on, now=self.clock.time())

    def store_token(self, token: AccessTokenLike) -> None:
        self._token = token

    def forget_token(self) -> None:
        self._token = None

    @contextmanager
    def signed(self, request: httpx.Request) -> Iterator[httpx.Request]:
        """``request`` carrying the token while it is sent, and never after."""
        check_same_host(request.url, self.ctx.base_url, source="a request")
        if self._token is None:
            raise AssertionError("a driver fetches the token before signing")
        request.headers["Authorization"] = f"Bearer {self._token.token}"
        request.extensions["timeout"] = self._timeout
        try:
            yield request
        finally:
            del request.headers["Authorization"]

    # -- responses and failures ------------------------------------------------------------

    def received(self, request: httpx.Request, response: httpx.Response) -> httpx.Response:
        """Log the exchange."""
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "%s %s -> %d (x-ms-request-id %s)",
                request.method,
                redact_url(request.url),
                response.status_code,
                response.headers.get("x-ms-request-id", "-"),
            )
        return response

    def waiting(self, seconds: float, stepper: Stepper[Any]) -> None:
        """Log a poll decision: how long until the next poll, and where the operation stands."""
        if logger.isEnabledFor(logging.INFO):
            logger.info("polling again in %.1fs: %s", seconds, stepper.describe())

    def transport_error(self, error: httpx.HTTPError, request: httpx.Request) -> TransportError:
        cls = RequestTimeoutError if isinstance(error, httpx.TimeoutException) else TransportError
        converted = cls(
            f"{type(error).__name__}: the request got no usable response",
            method=request.method,
            url=redact_url(request.url),
            may_have_reached_server=not isinstance(error, httpx.TransportError)
            or may_have_reached_server(error),
        )
        logger.warning("%s %s failed: %s", request.method, redact_url(request.url), converted)
        return converted

    # -- retries ---------------------------------------------------------------------------

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.time(), tz=timezone.utc)

    def worth_retrying(self, outcome: httpx.Response | BaseException, *, idempotent: bool) -> bool:
        if isinstance(outcome, httpx.Response):
            return should_retry_response(
                outcome, idempotent=idempotent, policy=self.retry, now=self._now()
            )
        return isinstance(outcome, TransportError) and (
            idempotent or not outcome.may_have_reached_server
        )

    @staticmethod
    def settle(outcome: httpx.Response | TransportError) -> httpx.Response:
        """The response of an attempt, or its error raised again."""
        if isinstance(outcome, TransportError):
            raise outcome
        return outcome

    def retrying_options(
        self, request: httpx.Request, *, idempotent: bool, started: float
    ) -> dict[str, Any]:
        """tenacity options for the retries of one request; drivers add only their ``sleep``.

        Drivers make the first attempt themselves and call tenacity only when
        it is worth retrying, replaying that first outcome as its attempt 1.
        """
        policy = self.retry

        def should_retry(state: tenacity.RetryCallState) -> bool:
            outcome = state.outcome
            assert outcome is not None
            failure = outcome.exception() if outcome.failed else None
            return self.worth_retrying(failure or outcome.result(), idempotent=idempotent)

        def wait(state: tenacity.RetryCallState) -> float:
            outcome = state.outcome
            if outcome is not None and not outcome.failed:
                asked = retry_after_seconds(outcome.result().headers, now=self._now())
                if asked is not None:
                    return asked
            return backoff_seconds(state.attempt_number, policy, random_fraction=random.random())

        def stop(state: tenacity.RetryCallState) -> bool:
            spent = self.clock.monotonic() - started + state.upcoming_sleep
            return state.attempt_number >= policy.max_attempts or spent > policy.deadline

        def log_retry(state: tenacity.RetryCallState) -> None:
            outcome = state.outcome
            assert outcome is not None
            cause = (
                type(outcome.exception()).__name__
                if outcome.failed
                else f"status {outcome.result().status_code}"
            )
            logger.warning(
                "retrying %s %s in %.1fs after %s (attempt %d of %d)",
                request.method,
                redact_url(request.url),
                state.upcoming_sleep,
                cause,
                state.attempt_number + 1,
                policy.max_attempts,
            )

        last_outcome: Callable[[tenacity.RetryCallState], object] = lambda state: (  # noqa: E731
            state.outcome.result() if state.outcome else None
        )
        return {
            "retry": should_retry,
            "wait": wait,
            "stop": stop,
            "before_sleep": log_retry,
            "retry_error_callback": last_outcome,
            "reraise": True,
        }
