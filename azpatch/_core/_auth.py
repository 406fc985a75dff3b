"""When a cached bearer token must be replaced."""

from __future__ import annotations

__all__ = ["ARM_SCOPE", "REFRESH_MARGIN", "needs_refresh"]

ARM_SCOPE = "https://management.azure.com/.default"
# Refresh this long before expiry, so a token never expires on the way to ARM.
REFRESH_MARGIN = 300.0


def needs_refresh(expires_on: float | None, *, now: float) -> bool:
    return expires_on is None or now >= expires_on - REFRESH_MARGIN
