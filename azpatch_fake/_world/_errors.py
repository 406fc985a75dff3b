"""What the world refuses with: ARM's status, code, message and target.

The world's rules (subscriptions, resource groups, patch modes) speak ARM's
error codes; the ARM room puts them in ARM's envelope.
"""

from __future__ import annotations

__all__ = ["ArmError"]


class ArmError(Exception):
    """An error ARM would answer with; the world and the handlers raise it."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        target: str | None = None,
        *,
        retry_after: int | None = None,
        details: list[dict[str, str]] | None = None,
        budget: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.retry_after = retry_after
        self.details = details
        self.budget = budget  # a 429's: the request budget it found spent (not sent)
