"""How much of a response the client reads: bounded, so a server cannot fill its memory.

A body is read chunk by chunk (decoded, so a compressed bomb counts at its
real size) and refused once it passes the limit, or at once when its
``Content-Length`` says it will; nothing more of it is read.
"""

from __future__ import annotations

import httpx

from .._exceptions import ResponseValidationError

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "BodyReader"]

DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024  # a page of VMs is a few MB at most
_STALE = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class BodyReader:
    """One response's body, gathered by the driver that streams it."""

    def __init__(self, response: httpx.Response, limit: int) -> None:
        self._response, self._limit = response, limit
        self._chunks: list[bytes] = []
        self._size = 0
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise self._too_large(f"it declares {int(declared):,} bytes")
        # The common case: a plain body of a length within the limit, which HTTP/1.1 keeps
        # to; httpx reads it whole, and nothing needs counting.
        self.whole = declared.isdigit() and "Content-Encoding" not in response.headers

    def add(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self._limit:
            raise self._too_large(f"more than {self._limit:,} bytes arrived")
        self._chunks.append(chunk)

    def response(self) -> httpx.Response:
        """The response with its body read (and decoded: its encoding headers go)."""
        answer = self._response
        if self.whole:
            return answer
        headers = [(k, v) for k, v in answer.headers.multi_items() if k.lower() not in _STALE]
        return httpx.Response(
            answer.status_code,
            headers=headers,
            content=b"".join(self._chunks),
            request=answer.request,
            extensions=answer.extensions,
        )

    def _too_large(self, found: str) -> ResponseValidationError:
        return ResponseValidationError(
            model=f"a {self._response.status_code} response",
            path="$",
            reason=f"the body is too large ({found}; max_response_bytes is"
            f" {self._limit:,}), and was not read further",
        )
