"""azpatch: a typed SDK for Azure automatic VM guest patching.

The clients, pollers and pagers load on first use, with httpx: a script
that only parses models does not pay for the HTTP stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._clock import Clock, SystemClock, default_clock
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
    PatchModeTransitionError,
    PatchRunError,
    PermissionDeniedError,
    PollingTimeoutError,
    PreconditionFailedError,
    RedirectError,
    RequestTimeoutError,
    ResponseValidationError,
    ServerError,
    ThrottledError,
    TransportError,
    UntrustedURLError,
)
from ._fleet._budgets import Limit, RateLimits, per_minute
from ._fleet._compliance import PatchCompliance
from ._fleet._outcomes import FleetProgress, FleetProgressCallback, OutcomeStatus, VmOutcome
from ._fleet._targets import GroupTarget, SubscriptionTarget, TenantTarget, VmRef
from ._policies import PollingPolicy, RetryPolicy
from ._registration_results import (
    GuestPatchingPreview,
    OperationProgress,
    OperationProgressCallback,
    PatchModeProgress,
    PatchModeProgressCallback,
    ProgressCallback,
    RegistrationProgress,
)
from ._rules._patch_plan import (
    PatchRulesProfile,
    PatchSettingsPlan,
    PatchSettingsRefusal,
    patch_settings_for_new_vm,
    plan_patch_settings_change,
)
from ._serde import from_wire, to_wire

if TYPE_CHECKING:
    from ._aiohttp_transport import AiohttpTransport
    from ._async_client import AsyncClient
    from ._client import Client
    from ._fleet._runner import AsyncFleet, Fleet
    from ._pagination import AsyncPager, Pager
    from ._polling import AsyncLROPoller, LROPoller

_LOADED_ON_FIRST_USE = {
    "AiohttpTransport": "._aiohttp_transport",
    "AsyncClient": "._async_client",
    "AsyncFleet": "._fleet._runner",
    "Fleet": "._fleet._runner",
    "AsyncLROPoller": "._polling",
    "AsyncPager": "._pagination",
    "Client": "._client",
    "LROPoller": "._polling",
    "Pager": "._pagination",
}

__all__ = [
    "APIStatusError",
    "AccessToken",
    "AccessTokenLike",
    "AiohttpTransport",
    "AsyncClient",
    "AsyncFleet",
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
    "Fleet",
    "FleetProgress",
    "FleetProgressCallback",
    "GroupTarget",
    "GuestPatchingPreview",
    "InvalidArgumentError",
    "LROPoller",
    "Limit",
    "NotFoundError",
    "OperationError",
    "OperationFailedError",
    "OperationProgress",
    "OperationProgressCallback",
    "OutcomeStatus",
    "Pager",
    "PatchCompliance",
    "PatchModeProgress",
    "PatchModeProgressCallback",
    "PatchModeTransitionError",
    "PatchRulesProfile",
    "PatchRunError",
    "PatchSettingsPlan",
    "PatchSettingsRefusal",
    "PermissionDeniedError",
    "PollingPolicy",
    "PollingTimeoutError",
    "PreconditionFailedError",
    "ProgressCallback",
    "RateLimits",
    "RedirectError",
    "RegistrationProgress",
    "RequestTimeoutError",
    "ResponseValidationError",
    "RetryPolicy",
    "ServerError",
    "StaticTokenCredential",
    "SubscriptionTarget",
    "SystemClock",
    "TenantTarget",
    "ThrottledError",
    "TokenCredential",
    "TransportError",
    "UntrustedURLError",
    "VmOutcome",
    "VmRef",
    "__version__",
    "default_clock",
    "from_wire",
    "patch_settings_for_new_vm",
    "per_minute",
    "plan_patch_settings_change",
    "to_wire",
]


def __getattr__(name: str) -> Any:
    if name in _LOADED_ON_FIRST_USE:
        value = getattr(importlib.import_module(_LOADED_ON_FIRST_USE[name], __name__), name)
        globals()[name] = value
        return value
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415  (costs ms; rarely read)

        return version("azpatch")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
