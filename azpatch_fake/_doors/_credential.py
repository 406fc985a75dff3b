"""A credential for clients of a fake world: the fake accepts any bearer token."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["FakeCredential", "FakeToken"]


@attrs.frozen
class FakeToken:
    token: str = attrs.field(repr=False)
    expires_on: int


class FakeCredential:
    """A credential for the fake: any token works, so this one never expires."""

    def get_token(self, *scopes: str, **kwargs: Any) -> FakeToken:
        """A token any fake accepts, whatever the scopes."""
        return FakeToken("fake-token", 2**31 - 1)

    def __repr__(self) -> str:
        return "FakeCredential()"
