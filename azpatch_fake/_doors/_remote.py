"""``azpatch_fake.remote(url)``: the emulator's control plane, from a test in another process."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any

import httpx

from ._control import CONTROL_PREFIX

__all__ = ["Remote", "remote"]


class Remote:
    """One served world, driven over HTTP: reset it, move its clock, script faults, read
    its timeline and its journal. ``url`` is what ``serve`` printed (``listening on URL``)."""

    def __init__(self, url: str, *, http: httpx.Client | None = None) -> None:
        self.url = url.rstrip("/")
        self._owns_http = http is None
        self._http = http or httpx.Client(timeout=30)

    def _call(self, method: str, action: str, body: object = None) -> httpx.Response:
        response = self._http.request(
            method,
            f"{self.url}{CONTROL_PREFIX}{action}",
            content=b"" if body is None else json.dumps(body).encode(),
        )
        if response.status_code >= 400:
            error = response.json().get("error", {})
            raise ValueError(f"{method} {action}: {error.get('code')}: {error.get('message')}")
        return response

    def health(self) -> dict[str, Any]:
        """``status``, the virtual ``now``, the ``subscriptions`` and the number of ``vms``."""
        return dict(self._call("GET", "health").json())

    def reset(self, fleet: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """A fresh world: as the server started, or holding ``fleet`` (a fleet file's dict)."""
        return dict(self._call("POST", "reset", fleet).json())

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the served world's clock on by ``seconds``; its health after."""
        return dict(self._call("POST", "clock", {"seconds": seconds}).json())

    def run_until(self, when: datetime) -> dict[str, Any]:
        """Move the served world's clock on to ``when``; its health after."""
        return dict(self._call("POST", "clock", {"until": when.isoformat()}).json())

    def add_fault(
        self,
        route: str,
        fault: str,
        *,
        on_calls: Iterable[int] | None = None,
        times: int | None = None,
        **fields: Any,
    ) -> None:
        """As ``fake.faults.add``: ``fault`` is throttle, server_error, connection_reset,
        read_timeout, malformed, truncated or slow, with that fault's ``fields``."""
        body = {"route": route, "fault": fault, "times": times, **fields}
        body["on_calls"] = None if on_calls is None else sorted(on_calls)
        self._call("POST", "faults", body)

    def clear_faults(self) -> None:
        """Drop every fault scripted with ``add_fault``."""
        self._call("DELETE", "faults")

    def timeline(self) -> list[dict[str, Any]]:
        """The served world's orchestration events, as ``read_timeline`` gives them."""
        return [json.loads(line) for line in self._call("GET", "timeline").text.splitlines()]

    def journal(self) -> list[dict[str, Any]]:
        """The latest requests the server answered, as ``--log-requests`` writes them."""
        return [json.loads(line) for line in self._call("GET", "journal").text.splitlines()]

    def close(self) -> None:
        """Close the HTTP client it made (one passed as ``http`` stays open)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Remote:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Remote({self.url!r})"


def remote(url: str) -> Remote:
    """The control plane of the emulator at ``url``."""
    return Remote(url)
