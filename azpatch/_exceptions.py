"""The exceptions azpatch raises; no httpx, cattrs or attrs exception reaches a caller.

AzpatchError
└── ResponseValidationError   a body did not fit its model
"""

from __future__ import annotations

__all__ = ["AzpatchError", "ResponseValidationError"]


class AzpatchError(Exception):
    """The base of every error azpatch raises."""


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
