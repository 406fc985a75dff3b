"""The exceptions azpatch raises; no httpx, tenacity, cattrs or attrs exception reaches a caller.

    AzpatchError
    ├── TransportError                  nothing usable came back (connection, protocol)
    │   └── RequestTimeoutError
    ├── APIStatusError                  ARM answered with an error status
    │   ├── BadRequestError             400
    │   ├── AuthenticationError         401
    │   ├── PermissionDeniedError       403
    │   ├── NotFoundError               404
    │   ├── ConflictError               409
    │   ├── PreconditionFailedError     412
    │   ├── ThrottledError              429
    │   └── ServerError                 5xx
    ├── ResponseValidationError         a body did not fit its model
    ├── OperationError                  a long-running operation did not end well
    │   ├── OperationFailedError        it ended Failed or Canceled
    │   ├── PatchRunError               it succeeded, but the patch run reports a failure
    │   └── PollingTimeoutError         it did not end in time; resume from the token
    ├── UntrustedURLError               a URL would have carried the token elsewhere
    └── ConfigurationError              bad input, refused before any request
        ├── InvalidArgumentError
        └── PatchModeTransitionError    a patch-settings change Azure would refuse

Every error that ARM described carries its ``code``, ``message``, ``target``
and the ``x-ms-request-id``; ``str(error)`` shows them. No error carries a
request, so no error carries a token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import ApiError, WireModel

__all__ = [
    "APIStatusError",
    "AuthenticationError",
    "AzpatchError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "InvalidArgumentError",
    "NotFoundError",
    "OperationError",
    "OperationFailedError",
    "PatchModeTransitionError",
    "PatchRunError",
    "PermissionDeniedError",
    "PollingTimeoutError",
    "PreconditionFailedError",
    "RedirectError",
    "RequestTimeoutError",
    "ResponseValidationError",
    "ServerError",
    "ThrottledError",
    "TransportError",
    "UntrustedURLError",
]


class AzpatchError(Exception):
    """The base of every error azpatch raises."""


class TransportError(AzpatchError):
    """The request failed below HTTP: connection refused or reset, protocol error."""

    def __init__(
        self, message: str, *, method: str, url: str, may_have_reached_server: bool = True
    ) -> None:
        super().__init__(f"{message} ({method} {url})")
        self.method = method
        self.url = url
        # False only when the request certainly never left (connecting failed).
        self.may_have_reached_server = may_have_reached_server


class RequestTimeoutError(TransportError):
    """Connecting, sending or reading took longer than the client's timeout."""


def _describe(code: str | None, message: str | None, request_id: str | None, status: int) -> str:
    text = f"({code}) {message}" if code else (message or "no error body")
    return f"{text} [status={status} request_id={request_id or '-'}]"


class APIStatusError(AzpatchError):
    """ARM answered with an error status; ``error`` is its parsed error body, when it had one."""

    def __init__(
        self,
        *,
        status_code: int,
        error: ApiError | None,
        headers: Mapping[str, str],
        method: str,
        url: str,
        retry_after: float | None = None,
    ) -> None:
        self.status_code = status_code
        self.error = error
        self.code = error.code if error else None
        self.message = error.message if error else None
        self.target = error.target if error else None
        self.details = (error.details if error else None) or ()
        self.headers = dict(headers)
        self.request_id = self.headers.get("x-ms-request-id")
        self.correlation_id = self.headers.get("x-ms-correlation-request-id")
        self.method = method
        self.url = url
        self.retry_after = retry_after
        super().__init__(_describe(self.code, self.message, self.request_id, status_code))


class RedirectError(APIStatusError):
    """3xx: ARM answers these calls without redirects, so one is neither followed (the
    token would go with it) nor read as a result; ``location`` says where it pointed."""

    def __init__(self, *, location: str | None, **status: Any) -> None:
        super().__init__(**status)
        self.location = location
        self.args = (
            f"a {self.status_code} redirect to {location or 'nowhere'} was not followed"
            f" and is not a result [status={self.status_code}"
            f" request_id={self.request_id or '-'}]",
        )


class BadRequestError(APIStatusError):
    """400: ARM refused the request (for example ``InvalidParameter``)."""


class AuthenticationError(APIStatusError):
    """401: the token was missing, expired or for the wrong audience."""


class PermissionDeniedError(APIStatusError):
    """403: the identity may not do this (``AuthorizationFailed``)."""


class NotFoundError(APIStatusError):
    """404: no such resource group, VM, feature or operation."""


class ConflictError(APIStatusError):
    """409: the change conflicts with the resource's state (``PropertyChangeNotAllowed``, ...)."""


class PreconditionFailedError(APIStatusError):
    """412: the resource changed since its etag was read."""


class ThrottledError(APIStatusError):
    """429: too many requests; ``retry_after`` is what ARM asked to wait, in seconds.

    Raised when retries ran out, or at once when ARM asked to wait longer
    than the retry policy's ``max_retry_after``.
    """


class ServerError(APIStatusError):
    """5xx: ARM or the resource provider failed."""


class ResponseValidationError(AzpatchError):
    """A JSON body did not fit the model it was parsed into.

    ``path`` is the JSON path of the offending value with wire names, for
    example ``$.patchStatus.availablePatchSummary.startTime``. The value itself
    is not repeated: a body may carry data that does not belong in a log.
    """

    def __init__(self, *, model: str, path: str, reason: str) -> None:
        super().__init__(f"{model} at {path}: {reason}")
        self.model = model
        self.path = path
        self.reason = reason


class OperationError(AzpatchError):
    """A long-running operation did not end well."""


class OperationFailedError(OperationError):
    """The operation ended ``Failed`` or ``Canceled``; ``error`` is ARM's account of why."""

    def __init__(self, *, status: str, error: ApiError | None, operation: str) -> None:
        self.status = status
        self.error = error
        self.code = error.code if error else None
        self.message = error.message if error else None
        self.target = error.target if error else None
        self.operation = operation
        reason = f"({self.code}) {self.message}" if self.code else (self.message or "no error")
        super().__init__(f"{operation} ended {status}: {reason}")


class PatchRunError(OperationError):
    """The operation succeeded but the patch run it carried did not: see ``result``.

    Raised by ``raise_for_status()`` of an assessment or installation result
    whose own ``status`` is Failed, CompletedWithWarnings or not final.
    """

    def __init__(self, *, status: str, error: ApiError | None, result: WireModel) -> None:
        self.status = status
        self.error = error
        self.code = error.code if error else None
        self.message = error.message if error else None
        self.result = result
        reason = f": ({self.code}) {self.message}" if self.code else ""
        super().__init__(f"{type(result).__name__} reports {status}{reason}")


class PollingTimeoutError(OperationError):
    """Waiting ended before the operation did; it may still be running in Azure.

    ``continuation_token`` resumes waiting, in this process or another:
    pass it as ``continuation_token=`` to the same ``begin_*`` method. It is
    ``None`` for registration waits, which are resumed by waiting again.
    """

    def __init__(
        self, message: str, *, last_status: str | None, continuation_token: str | None
    ) -> None:
        super().__init__(message)
        self.last_status = last_status
        self.continuation_token = continuation_token


class UntrustedURLError(AzpatchError):
    """A URL would have carried the bearer token off the ARM host, or in clear text."""


class ConfigurationError(AzpatchError):
    """Input that Azure would refuse, refused before any request; ``code`` is the ARM-style code."""

    def __init__(self, message: str, *, code: str, target: str | None = None) -> None:
        super().__init__(f"({code}) {message}")
        self.code = code
        self.message = message
        self.target = target


class InvalidArgumentError(ConfigurationError, ValueError):
    """An argument is malformed: a subscription id that is no GUID, a name with a slash."""


class PatchModeTransitionError(ConfigurationError):
    """Azure would refuse this patch-settings change; nothing was written.

    ``code``, ``target`` and ``message`` are what ARM answers with; ``status``
    its HTTP status.
    """

    def __init__(self, message: str, *, code: str, target: str | None, status: int) -> None:
        super().__init__(message, code=code, target=target)
        self.status = status
