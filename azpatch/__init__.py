"""azpatch: a typed SDK for Azure automatic VM guest patching."""

from __future__ import annotations

from ._async_client import AsyncClient
from ._client import Client
from ._clock import Clock, SystemClock
from ._credentials import (
    AccessToken,
    AccessTokenLike,
    AsyncTokenCredential,
    StaticTokenCredential,
    TokenCredential,
)
from ._exceptions import (
    APIStatusError,
    AuthenticationError,
    AzpatchError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InvalidArgumentError,
    NotFoundError,
    OperationError,
    OperationFailedError,
    PatchRunError,
    PermissionDeniedError,
    PollingTimeoutError,
    PreconditionFailedError,
    RequestTimeoutError,
    ResponseValidationError,
    ServerError,
    ThrottledError,
    TransportError,
    UntrustedURLError,
)
from ._pagination import AsyncPager, Pager
from ._policies import PollingPolicy, RetryPolicy
from ._polling import AsyncLROPoller, LROPoller
from ._registration_results import GuestPatchingPreview, ProgressCallback, RegistrationProgress
from ._serde import from_wire, to_wire

__all__ = [
    "APIStatusError",
    "AccessToken",
    "AccessTokenLike",
    "AsyncClient",
    "AsyncLROPoller",
    "AsyncPager",
    "AsyncTokenCredential",
    "AuthenticationError",
    "AzpatchError",
    "BadRequestError",
    "Client",
    "Clock",
    "ConfigurationError",
    "ConflictError",
    "GuestPatchingPreview",
    "InvalidArgumentError",
    "LROPoller",
    "NotFoundError",
    "OperationError",
    "OperationFailedError",
    "Pager",
    "PatchRunError",
    "PermissionDeniedError",
    "PollingPolicy",
    "PollingTimeoutError",
    "PreconditionFailedError",
    "ProgressCallback",
    "RegistrationProgress",
    "RequestTimeoutError",
    "ResponseValidationError",
    "RetryPolicy",
    "ServerError",
    "StaticTokenCredential",
    "SystemClock",
    "ThrottledError",
    "TokenCredential",
    "TransportError",
    "UntrustedURLError",
    "__version__",
    "from_wire",
    "to_wire",
]


def __getattr__(name: str) -> str:
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415  (costs ms; rarely read)

        return version("azpatch")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
