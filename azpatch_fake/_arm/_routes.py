"""The route table: (method, path pattern) to handler, with api-version checks.

Paths match case-insensitively, as ARM's do. A request no route takes is
answered as ARM answers it and recorded as unhandled.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import attrs
import httpx

from ._wire import ArmError, Reply

__all__ = [
    "FEATURES",
    "OPERATION",
    "RESOURCE_GROUP",
    "ROUTES",
    "SUBSCRIPTION",
    "VM",
    "Call",
    "Route",
    "resolve",
    "route",
]

SUBSCRIPTION = r"/subscriptions/(?P<subscription>[^/]+)"
RESOURCE_GROUP = SUBSCRIPTION + r"/resourcegroups/(?P<resource_group>[^/]+)"
VM = RESOURCE_GROUP + r"/providers/microsoft\.compute/virtualmachines/(?P<vm>[^/]+)"
OPERATION = (
    SUBSCRIPTION
    + r"/providers/microsoft\.compute/locations/(?P<location>[^/]+)/operations/(?P<operation>[^/]+)"
)
FEATURES = SUBSCRIPTION + r"/providers/microsoft\.features/providers/(?P<namespace>[^/]+)/features"
_API_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}(-preview)?")
# The oldest api-version each provider is served with here.
_OLDEST = {"compute": "2020-06-01", "features": "2015-12-01", "resources": "2019-10-01"}


@attrs.frozen
class Call:
    """One request as the handlers see it."""

    request: httpx.Request
    params: dict[str, str]
    api_version: str

    @property
    def origin(self) -> str:
        url = self.request.url
        return f"{url.scheme}://{url.netloc.decode('ascii')}"


Handler = Callable[..., Reply]


@attrs.frozen
class Route:
    method: str
    pattern: re.Pattern[str]
    provider: str
    handler: Handler
    name: str


ROUTES: list[Route] = []


def route(method: str, path: str, provider: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES.append(
            Route(
                method, re.compile(path + "/?", re.IGNORECASE), provider, handler, handler.__name__
            )
        )
        return handler

    return register


def resolve(request: httpx.Request) -> tuple[Route, Call, dict[str, str]]:
    """The route that takes ``request``, or the ARM error for a request none takes."""
    path = request.url.path
    matched = [(r, m) for r in ROUTES if (m := r.pattern.fullmatch(path))]
    if not matched:
        raise ArmError(404, "InvalidResourceType", f"No route for {path}.")
    allowed = [(r, m) for r, m in matched if r.method == request.method]
    if not allowed:
        raise ArmError(405, "MethodNotAllowed", f"{request.method} is not allowed on {path}.")
    chosen, match = allowed[0]
    api_version = request.url.params.get("api-version")
    if api_version is None:
        raise ArmError(
            400, "MissingApiVersionParameter", "The api-version query parameter is required."
        )
    if not _API_VERSION.fullmatch(api_version) or api_version < _OLDEST[chosen.provider]:
        raise ArmError(
            400,
            "InvalidApiVersionParameter",
            f"The api-version '{api_version}' is invalid. The supported versions are"
            f" '{_OLDEST[chosen.provider]}' and every later YYYY-MM-DD[-preview].",
            "api-version",
        )
    return chosen, Call(request, dict(request.url.params), api_version), match.groupdict()
