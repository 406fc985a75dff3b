"""How a VM's flow ending in an error becomes its outcome; errors that are bugs propagate."""

from __future__ import annotations

from typing import Any

from .._exceptions import (
    APIStatusError,
    AzpatchError,
    ConfigurationError,
    OperationError,
    PatchModeTransitionError,
    PollingTimeoutError,
    ResponseValidationError,
    TransportError,
)
from ._outcomes import OutcomeStatus, VmOutcome

__all__ = ["MAY_HAVE_STARTED", "settle"]

MAY_HAVE_STARTED = (
    "the request may have reached Azure before its answer was lost; check the VM"
    " (its last installation or patch settings) before trying again"
)


def settle(target: str, error: Exception, *, may_have_started: bool) -> VmOutcome[Any]:
    """The outcome of ``target`` whose work ended with ``error``."""
    if isinstance(error, PatchModeTransitionError):
        return VmOutcome(target, OutcomeStatus.REFUSED, code=error.code, message=error.message)
    if isinstance(error, PollingTimeoutError):
        return VmOutcome(
            target,
            OutcomeStatus.UNFINISHED,
            code="PollingTimeout",
            message=str(error),
            continuation_token=error.continuation_token,
        )
    if isinstance(error, TransportError) and may_have_started:
        return VmOutcome(
            target, OutcomeStatus.UNFINISHED, code="MayHaveStarted", message=MAY_HAVE_STARTED
        )
    if isinstance(error, APIStatusError):
        code = error.code or f"HTTP{error.status_code}"
        return VmOutcome(
            target, OutcomeStatus.FAILED, code=code, message=error.message or str(error)
        )
    if isinstance(error, OperationError | ConfigurationError):
        code = getattr(error, "code", None) or type(error).__name__
        return VmOutcome(target, OutcomeStatus.FAILED, code=code, message=str(error))
    if isinstance(error, ResponseValidationError):
        return VmOutcome(target, OutcomeStatus.FAILED, code="InvalidResponse", message=str(error))
    if isinstance(error, AzpatchError):
        return VmOutcome(
            target, OutcomeStatus.FAILED, code=type(error).__name__, message=str(error)
        )
    raise error
