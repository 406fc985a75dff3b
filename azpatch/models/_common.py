"""Shapes shared by every resource: errors, statuses, references, async-operation bodies."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from ._base import WireModel, wire_model
from ._enums import StatusLevelTypes
from ._json import JSONValue

__all__ = [
    "ApiError",
    "ApiErrorBase",
    "CloudError",
    "InnerError",
    "InstanceViewStatus",
    "OperationStatusResult",
    "SubResource",
]


@wire_model
class ApiErrorBase(WireModel):
    code: str | None = None
    target: str | None = None
    message: str | None = None


@wire_model
class InnerError(WireModel):
    """Compute's inner error; on the wire its keys are all lower case."""

    exception_type: str | None = None
    error_detail: str | None = None


@wire_model
class ApiError(WireModel):
    code: str | None = None
    target: str | None = None
    message: str | None = None
    details: tuple[ApiErrorBase, ...] | None = None
    inner_error: InnerError | None = None


@wire_model
class CloudError(WireModel):
    """The body of every ARM error response: ``{"error": {...}}``."""

    error: ApiError | None = None


@wire_model
class InstanceViewStatus(WireModel):
    code: str | None = None
    level: StatusLevelTypes | str | None = None
    display_status: str | None = None
    message: str | None = None
    time: datetime | None = None


@wire_model
class SubResource(WireModel):
    id: str | None = None


@wire_model
class OperationStatusResult(WireModel):
    """The body of an Azure-AsyncOperation status URL.

    ``status`` is free text: ``Succeeded``, ``Failed`` and ``Canceled`` are
    terminal, anything else means the operation still runs. Compute puts the
    action's result under ``properties["output"]``.
    """

    id: str | None = None
    name: str | None = None
    status: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    percent_complete: float | None = None
    properties: Mapping[str, JSONValue] | None = None
    error: ApiError | None = None
