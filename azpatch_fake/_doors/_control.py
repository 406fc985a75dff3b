"""The emulator's control plane, under ``/azpatch-fake/`` (no ARM route uses it), as moto
keeps ``/moto-api/``: what a test in another process does to the world it talks to.

| request | what |
|---|---|
| ``GET health`` | ``{"status": "ok", "now", "subscriptions", "vms"}`` |
| ``POST reset`` | a fresh world, as the server started (an empty body), or the fleet in the body |
| ``POST clock`` | ``{"seconds": N}`` or ``{"until": ISO time}``: move virtual time |
| ``POST faults`` | ``{"route", "fault", "on_calls", "times", ...the fault's fields}`` |
| ``DELETE faults`` | clear every fault |
| ``GET timeline`` | the orchestration's timeline, JSON Lines |
| ``GET journal`` | the latest requests, as the request log writes them, JSON Lines |

It needs no credentials and answers clients on loopback only, unless the
server was started with ``--control-from``.
"""

from __future__ import annotations

import io
import ipaddress
import json
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx

from .._arm._faults import (
    ConnectionReset,
    Fault,
    Malformed,
    ReadTimeout,
    ServerError,
    Slow,
    Throttle,
    Truncated,
)

if TYPE_CHECKING:
    from .._app import FakeAzure

__all__ = ["CONTROL_PREFIX", "FAULT_KINDS", "ControlPlane", "WorldFactory"]

CONTROL_PREFIX = "/azpatch-fake/"
FAULT_KINDS: Mapping[str, Callable[..., Fault]] = {
    "throttle": Throttle,
    "server_error": ServerError,
    "connection_reset": ConnectionReset,
    "read_timeout": ReadTimeout,
    "malformed": Malformed,
    "truncated": Truncated,
    "slow": Slow,
}
WorldFactory = Callable[[Any], "FakeAzure"]  # a fleet (or None) to a fresh world


def _error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message}})


def _json_lines(text: str) -> httpx.Response:
    return httpx.Response(
        200, content=text.encode(), headers={"Content-Type": "application/x-ndjson"}
    )


class ControlPlane:
    """``world`` is the current world (reset replaces it); ``make_world`` builds a new one."""

    def __init__(
        self,
        fake: FakeAzure,
        make_world: WorldFactory,
        *,
        allowed_clients: tuple[str, ...] = (),
    ) -> None:
        self.world = fake
        self.make_world = make_world
        self.allowed_clients = allowed_clients
        self.journal: deque[dict[str, Any]] = deque(maxlen=1000)

    def allows(self, client: str | None) -> bool:
        if client in self.allowed_clients:
            return True
        try:
            return client is not None and ipaddress.ip_address(client).is_loopback
        except ValueError:
            return False

    def answer(self, request: httpx.Request, client: str | None) -> httpx.Response:
        if not self.allows(client):
            return _error(403, "Forbidden", "The control plane answers loopback clients only.")
        action = (request.method, request.url.path.removeprefix(CONTROL_PREFIX).strip("/"))
        try:
            body = json.loads(request.content) if request.content.strip() else None
        except (ValueError, RecursionError):
            return _error(400, "InvalidRequestContent", "The body is not JSON.")
        handler = {
            ("GET", "health"): self._health,
            ("POST", "reset"): self._reset,
            ("POST", "clock"): self._clock,
            ("POST", "faults"): self._add_fault,
            ("DELETE", "faults"): self._clear_faults,
            ("GET", "timeline"): self._timeline,
            ("GET", "journal"): self._journal,
        }.get(action)
        if handler is None:
            return _error(404, "NotFound", f"No control action {action[0]} {action[1]!r}.")
        try:
            return handler(body)
        except (TypeError, ValueError, KeyError) as error:
            return _error(400, "InvalidParameter", str(error))

    def _health(self, body: Any) -> httpx.Response:
        world = self.world
        subscriptions = world.subscriptions()
        return httpx.Response(
            200,
            json={
                "status": "ok",
                "now": world.clock.now().isoformat(),
                "subscriptions": [s.subscription_id for s in subscriptions],
                "vms": sum(len(s.vms) for s in subscriptions),
            },
        )

    def _reset(self, body: Any) -> httpx.Response:
        fresh = self.make_world(body)
        fresh.base_url = self.world.base_url
        self.world = fresh
        return self._health(None)

    def _clock(self, body: Any) -> httpx.Response:
        if not isinstance(body, dict) or not ({"seconds", "until"} & set(body)):
            raise ValueError('move the clock with {"seconds": N} or {"until": ISO time}')
        world = self.world
        with world.lock:
            if "until" in body:
                until = datetime.fromisoformat(str(body["until"]).replace("Z", "+00:00"))
                if until.tzinfo is None:
                    raise ValueError("until needs a UTC offset, for example Z")
                world.run_until(until)
            else:
                world.advance(float(body["seconds"]))
        return self._health(None)

    def _add_fault(self, body: Any) -> httpx.Response:
        if not isinstance(body, dict):
            raise ValueError('a fault is {"route": ..., "fault": ..., ...}')
        fields = dict(body)
        route, kind = str(fields.pop("route")), str(fields.pop("fault"))
        on_calls, times = fields.pop("on_calls", None), fields.pop("times", None)
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault is one of {', '.join(FAULT_KINDS)}")
        self.world.faults.add(route, FAULT_KINDS[kind](**fields), on_calls=on_calls, times=times)
        return httpx.Response(201, json={"route": route, "fault": kind})

    def _clear_faults(self, body: Any) -> httpx.Response:
        self.world.faults.clear()
        return httpx.Response(204)

    def _timeline(self, body: Any) -> httpx.Response:
        lines = io.StringIO()
        self.world.timeline.write_jsonl(lines)
        return _json_lines(lines.getvalue())

    def _journal(self, body: Any) -> httpx.Response:
        return _json_lines("".join(json.dumps(entry) + "\n" for entry in self.journal))
