"""Credentials: anything shaped like azure-identity's, plus a static token for scripts and tests."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import attrs

__all__ = [
    "AccessToken",
    "AccessTokenLike",
    "AsyncTokenCredential",
    "StaticTokenCredential",
    "TokenCredential",
]


class AccessTokenLike(Protocol):
    """azure-core's ``AccessToken``: a bearer token and its expiry in epoch seconds."""

    @property
    def token(self) -> str:
        """The bearer token itself: it goes only to the ARM host, never into logs or errors."""

    @property
    def expires_on(self) -> int:
        """When the token expires, in seconds since the epoch."""


@runtime_checkable
class TokenCredential(Protocol):
    """azure-identity's sync credential protocol; ``DefaultAzureCredential()`` is one."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessTokenLike:
        """A token for ``scopes`` (azpatch asks for ARM's, ``.../.default``)."""


@runtime_checkable
class AsyncTokenCredential(Protocol):
    """azure-identity's async credential protocol (``azure.identity.aio``)."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessTokenLike:
        """A token for ``scopes`` (azpatch asks for ARM's, ``.../.default``)."""


@attrs.frozen
class AccessToken:
    """A bearer token and its expiry (epoch seconds); its repr leaves the token out."""

    token: str = attrs.field(repr=False)
    expires_on: int


class StaticTokenCredential:
    """A token obtained elsewhere (``az account get-access-token``), used as it is.

    ``expires_on`` (epoch seconds) defaults to 2038: the token is used until
    ARM answers 401, and then the error is raised.
    """

    def __init__(self, token: str, *, expires_on: int = 2**31 - 1) -> None:
        if not token:
            raise TypeError("token must be a non-empty string")
        self._token = AccessToken(token, expires_on)

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        """The token it was given, whatever the scopes."""
        return self._token

    def __repr__(self) -> str:
        return "StaticTokenCredential(token=<redacted>)"
