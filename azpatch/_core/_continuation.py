"""Continuation tokens: versioned JSON in base64, never pickle, never a secret.

A token holds the operation's name, status and polling URLs, nothing else:
no token, no header, no body. Resuming checks the version, the operation
and every field's type, and the URLs go through the same host check as
URLs from headers.
"""

from __future__ import annotations

import base64
import binascii
import json

import attrs

from .._exceptions import InvalidArgumentError
from ._lro import LroState

__all__ = ["decode", "encode"]

_VERSION = 1
_PREFIX = "azpatch-lro:"
_URLS = ("async_operation_url", "location_url", "resource_url")
_FIELDS = frozenset(field.name for field in attrs.fields(LroState))


def encode(state: LroState) -> str:
    document = {"v": _VERSION, **attrs.asdict(state)}
    payload = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
    return _PREFIX + base64.urlsafe_b64encode(payload).decode().rstrip("=")


def _invalid(reason: str) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"not a continuation token azpatch can resume: {reason}",
        code="InvalidContinuationToken",
        target="continuation_token",
    )


def decode(token: object, *, operation: str) -> LroState:
    if not isinstance(token, str) or not token.startswith(_PREFIX):
        raise _invalid("it does not start with 'azpatch-lro:'")
    payload = token[len(_PREFIX) :]
    try:
        document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _invalid("it is not base64 of JSON") from None
    if not isinstance(document, dict) or document.pop("v", None) != _VERSION:
        raise _invalid(f"its version is not {_VERSION}")
    if document.get("operation") != operation:
        raise _invalid(f"it belongs to {document.get('operation')!r}, not {operation!r}")
    if set(document) != _FIELDS:
        raise _invalid("its fields are not those of a version 1 token")
    urls = [document[name] for name in _URLS]
    if not (
        isinstance(document["status"], str)
        and isinstance(document["delay"], int | float)
        and isinstance(document["polls"], int)
        and all(url is None or isinstance(url, str) for url in urls)
    ):
        raise _invalid("a field has the wrong type")
    if all(url is None for url in urls):
        raise _invalid("the operation had ended when it was issued; there is nothing to wait for")
    return LroState(**document)
