"""Checking a client's arguments and building its session; shared by both clients."""

from __future__ import annotations

import functools
import platform
import uuid

import httpx

from ._clock import DEFAULT_CLOCK, Clock
from ._core._context import RequestContext
from ._core._security import check_base_url
from ._core._validation import check_subscription_id
from ._exceptions import InvalidArgumentError
from ._policies import PollingPolicy, RetryPolicy
from ._session import Session

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "check_http_choice", "new_session"]

DEFAULT_BASE_URL = "https://management.azure.com"
DEFAULT_TIMEOUT = 60.0


@functools.cache
def _user_agent() -> str:
    from importlib.metadata import version  # noqa: PLC0415  (costs ms; once per process)

    return f"azpatch/{version('azpatch')} python/{platform.python_version()}"


def _new_request_id() -> str:
    return str(uuid.uuid4())


def check_http_choice(http_client: object, transport: object) -> None:
    """An HTTP client of the caller's, or a transport for the client's own: not both."""
    if http_client is not None and transport is not None:
        raise InvalidArgumentError(
            "pass http_client or transport, not both: a transport goes into the client's own"
            " HTTP client, and one of yours has its own",
            code="InvalidArgument",
            target="transport",
        )


def new_session(
    subscription_id: str,
    credential: object,
    *,
    base_url: str | httpx.URL,
    retry: RetryPolicy,
    polling: PollingPolicy,
    timeout: float | httpx.Timeout,
    max_response_bytes: int,
    clock: Clock | None,
) -> Session:
    if not callable(getattr(credential, "get_token", None)):
        raise TypeError("credential must have a get_token(*scopes) method, as azure-identity's do")
    url = httpx.URL(base_url)
    check_base_url(url)
    ctx = RequestContext(
        base_url=url,
        subscription_id=check_subscription_id(subscription_id),
        user_agent=_user_agent(),
        new_request_id=_new_request_id,
    )
    return Session(
        ctx,
        retry=retry,
        polling=polling,
        clock=DEFAULT_CLOCK if clock is None else clock,
        timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
        max_response_bytes=_positive(max_response_bytes, "max_response_bytes"),
    )


def _positive(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(
            f"{name} is a number of bytes, at least 1, not {value!r}",
            code="InvalidArgument",
            target=name,
        )
    return value
