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

import attrs
import httpx
import tenacity

from ._clock import Clock
from ._core._auth import needs_refresh
from ._core._context import RequestContext
from ._core._flow import DeadlinePassed, Send
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

__all__ = ["Deadline", "Session", "logger"]

logger = logging.getLogger("azpatch")
# A timeout this close to a deadline is the deadline's: a clock reads a little early at times.
_CLOCK_SLACK = 0.05


@attrs.define
class Deadline:
    """When a request and its retries must end (the clock's monotonic seconds), who said so
    (``retry``: the retry policy; ``flow``: a waiter's or poller's own; ``caller``:
    ``result(timeout=)``), and whether the request ended because of it."""

    at: float
    set_by: str
    retry_deadline: float
    reached: bool = False

    @property
    def late_for(self) -> str | None:
        """Whose wait the request ran out of (``flow`` or ``caller``); None for the retry
        policy's, whose end is the request's own error."""
        return self.set_by if self.reached and self.set_by != "retry" else None

    def describe(self) -> str:
        if self.set_by == "retry":
            return f"within the retry policy's deadline of {self.retry_deadline:g}s"
        return "before the wait's deadline"


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
    def signed(self, request: httpx.Request, *, within: float) -> Iterator[httpx.Request]:
        """``request`` carrying the token while it is sent, and never after.

        httpx's timeouts are cut to ``within``, the seconds left to the attempt's deadline.
        """
        check_same_host(request.url, self.ctx.base_url, source="a request")
        if self._token is None:
            raise AssertionError("a driver fetches the token before signing")
        request.headers["Authorization"] = f"Bearer {self._token.token}"
        request.extensions["timeout"] = {
            phase: within if limit is None else min(limit, within)
            for phase, limit in self._timeout.items()
        }
        try:
            yield request
        finally:
            del request.headers["Authorization"]

    # -- responses and failures ------------------------------------------------------------

    def received(self, request: httpx.Request, response: httpx.Response) -> httpx.Response:
        """Log the exchange; refuse a response that echoes another request's id."""
        echoed = response.headers.get("x-ms-client-request-id")
        if echoed is not None and echoed != request.headers["x-ms-client-request-id"]:
            raise self._refused(
                request,
                f"the response answers another request (x-ms-client-request-id {echoed!r},"
                f" sent {request.headers['x-ms-client-request-id']!r}): its connection is"
                " out of step",
            )
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

    def transport_error(
        self, error: httpx.HTTPError | TimeoutError, request: httpx.Request, *, deadline: Deadline
    ) -> TransportError:
        timed_out = isinstance(error, httpx.TimeoutException | TimeoutError)
        if timed_out and self.clock.monotonic() >= deadline.at - _CLOCK_SLACK:
            deadline.reached = True
            message = f"no complete response {deadline.describe()}"
        else:
            message = f"{type(error).__name__}: the request got no usable response"
        return self._refused(
            request,
            message,
            cls=RequestTimeoutError if timed_out else TransportError,
            may_have_arrived=not isinstance(error, httpx.TransportError)
            or may_have_reached_server(error),
        )

    def _refused(
        self,
        request: httpx.Request,
        message: str,
        *,
        cls: type[TransportError] = TransportError,
        may_have_arrived: bool = True,
    ) -> TransportError:
        error = cls(
            message,
            method=request.method,
            url=redact_url(request.url),
            may_have_reached_server=may_have_arrived,
        )
        logger.warning("%s %s failed: %s", request.method, redact_url(request.url), error)
        return error

    # -- deadlines -------------------------------------------------------------------------

    def deadline(self, effect: Send | None = None, *, until: float | None = None) -> Deadline:
        """When a request must be answered, retries included: the earliest of the retry
        policy's deadline, the flow's own (``effect.deadline``) and the caller's (``until``)."""
        at = self.clock.monotonic() + self.retry.deadline
        choices = [(at, "retry")]
        if effect is not None and effect.deadline is not None:
            choices.append((effect.deadline, "flow"))
        if until is not None:
            choices.append((until, "caller"))
        at, set_by = min(choices)
        return Deadline(at, set_by, self.retry.deadline)

    def answer(
        self, stepper: Stepper[Any], deadline: Deadline, reply: httpx.Response | None
    ) -> bool:
        """Give a flow the answer to its ``Send``: the response, or ``DeadlinePassed`` when its
        own deadline came first. False (and nothing given) when the caller's wait is over."""
        late, now = deadline.late_for, self.clock.monotonic()
        if late == "caller":
            return False
        if late == "flow" or reply is None:  # no reply: the flow's deadline ended the request
            stepper.fail(DeadlinePassed(), now=now)
        else:
            stepper.reply(reply, now=now)
        return True

    def seconds_left(self, deadline: Deadline, request: httpx.Request) -> float:
        """Seconds left to ``deadline``; when none are, the request is not sent."""
        left = deadline.at - self.clock.monotonic()
        if left <= 0:
            deadline.reached = True
            message = f"not sent: no time was left {deadline.describe()}"
            raise self._refused(request, message, cls=RequestTimeoutError, may_have_arrived=False)
        return left

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
        self, request: httpx.Request, *, idempotent: bool, deadline: Deadline
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
            if self.clock.monotonic() + state.upcoming_sleep >= deadline.at:
                deadline.reached = True
            return state.attempt_number >= policy.max_attempts or deadline.reached

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
