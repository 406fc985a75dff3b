"""Reading responses: a body into its model, an error status into its typed exception."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import TypeVar

import httpx

from .. import _exceptions as errors
from .._serde import from_wire
from ..models import ApiError, CloudError, WireModel
from ._retry import retry_after_seconds

__all__ = ["json_body", "parse", "raise_for_status", "redact_url"]

M = TypeVar("M", bound=WireModel)

_STATUS_ERRORS: dict[int, type[errors.APIStatusError]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    409: errors.ConflictError,
    412: errors.PreconditionFailedError,
    429: errors.ThrottledError,
}
_KEPT_QUERY = frozenset({"api-version"})


def redact_url(url: httpx.URL) -> str:
    """The URL for logs and errors: query values other than api-version become REDACTED."""
    text, _, query = str(url).partition("?")
    if not query:
        return text
    pairs = (pair.partition("=") for pair in query.split("&"))
    return (
        text
        + "?"
        + "&".join(
            f"{key}{eq}{value if key in _KEPT_QUERY else 'REDACTED'}" for key, eq, value in pairs
        )
    )


def json_body(response: httpx.Response, model: str) -> object:
    """The decoded body; ``model`` names what it was meant to be, for the error."""
    try:
        return json.loads(response.content)
    except RecursionError:
        reason = "the body is nested too deeply"
    except (UnicodeDecodeError, ValueError):
        reason = "the body is empty" if not response.content else "the body is not JSON"
    raise errors.ResponseValidationError(model=model, path="$", reason=reason)


def parse(response: httpx.Response, cls: type[M]) -> M:
    return from_wire(cls, json_body(response, cls.__name__))


def _error_body(response: httpx.Response) -> ApiError | None:
    """ARM's error when the body is one; a garbled body still raises by its status."""
    try:
        return parse(response, CloudError).error
    except errors.ResponseValidationError:
        return None


def raise_for_status(response: httpx.Response) -> None:
    status = response.status_code
    if status < 300:
        return
    make: Callable[..., errors.APIStatusError]
    if status < 400:
        location = _redacted_location(response.headers.get("Location"))
        make = functools.partial(errors.RedirectError, location=location)
    else:
        make = _STATUS_ERRORS.get(status) or (
            errors.ServerError if status >= 500 else errors.APIStatusError
        )
    raise make(
        status_code=status,
        error=_error_body(response),
        headers=response.headers,
        method=response.request.method,
        url=redact_url(response.request.url),
        retry_after=retry_after_seconds(response.headers, now=None),
    )


def _redacted_location(location: str | None) -> str | None:
    try:
        return None if location is None else redact_url(httpx.URL(location))
    except httpx.InvalidURL:
        return "a malformed URL"
