"""ARM's front door for one world: routing, faults, the envelope, and counts of what was served."""

from __future__ import annotations

from collections import Counter
from email.utils import format_datetime

import httpx

from .._world._errors import ArmError
from .._world._world import World
from . import (  # noqa: F401  (routes)
    _availability_sets,
    _compute,
    _registration,
    _subscriptions,
    _vm_writes,
)
from ._faults import FaultPlan
from ._routes import resolve
from ._throttling import Throttler
from ._wire import Reply, error_reply

__all__ = ["ArmService"]

KEPT_UNHANDLED = 100


class ArmService:
    """Answers requests for ``world`` as ARM would. Requests no route serves are kept in
    ``unhandled`` (the latest hundred, method and URL only) and calls per route name are
    counted in ``handled``, so a long-running server does not grow with its load."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.faults = FaultPlan()
        limits = world.throttling
        self.throttler = Throttler(world, limits) if limits is not None else None
        self.unhandled: list[httpx.Request] = []
        self.handled: Counter[str] = Counter()

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request as ARM would; the handler behind ``transport``."""
        world = self.world
        with world.lock:
            request.read()
            try:
                route, call, arguments = resolve(request)
            except ArmError as error:
                if error.code in ("InvalidResourceType", "MethodNotAllowed"):
                    self.unhandled.append(httpx.Request(request.method, request.url))
                    del self.unhandled[:-KEPT_UNHANDLED]
                return self._response(request, error_reply(error))
            self.handled[route.name] += 1
            budget: dict[str, str] = {}
            if self.throttler is not None:
                budget, refusal = self.throttler.admit(request, route.name, arguments)
                if refusal is not None:
                    world.platform.request_throttled(
                        request.method, request.url.path, refusal.budget, refusal.retry_after or 0
                    )
                    return self._response(request, error_reply(refusal), budget)

            def respond() -> httpx.Response:
                try:
                    reply = route.handler(world, call, **arguments)
                except ArmError as error:
                    reply = error_reply(error)
                return self._response(request, reply, budget)

            try:
                return self.faults.apply(route.name, request, respond, world.advance)
            except ArmError as error:
                return self._response(request, error_reply(error), budget)

    def _response(
        self, request: httpx.Request, reply: Reply, budget: dict[str, str] | None = None
    ) -> httpx.Response:
        headers = {
            "x-ms-request-id": self.world.new_id(),
            "x-ms-correlation-request-id": self.world.new_id(),
            "Date": format_datetime(self.world.clock.now(), usegmt=True),
            **(budget or {}),
            **reply.headers,
        }
        if request.headers.get("x-ms-return-client-request-id", "").lower() == "true":
            headers["x-ms-client-request-id"] = request.headers.get("x-ms-client-request-id", "")
        if reply.body is None:
            return httpx.Response(reply.status, headers=headers)
        return httpx.Response(reply.status, json=reply.body, headers=headers)
