"""azpatch_fake: an in-memory Azure Resource Manager for hermetic tests of patching scripts.

It keeps its own models and serialization and never imports azpatch
(except in the convenience clients and the pytest plugin), so a wire bug
cannot pass on both sides.
"""

from __future__ import annotations

from ._app import DEFAULT_START, DEFAULT_SUBSCRIPTION, FakeAzure, FakeCredential
from ._catalog import patch_tuesday
from ._clock import VirtualClock
from ._faults import (
    ConnectionReset,
    Fault,
    FaultPlan,
    Malformed,
    ReadTimeout,
    ServerError,
    Slow,
    Throttle,
    Truncated,
)
from ._state import ImageRecord, Patch, VmRecord

__all__ = [
    "ConnectionReset",
    "DEFAULT_START",
    "DEFAULT_SUBSCRIPTION",
    "FakeAzure",
    "FakeCredential",
    "Fault",
    "FaultPlan",
    "ImageRecord",
    "Malformed",
    "Patch",
    "ReadTimeout",
    "ServerError",
    "Slow",
    "Throttle",
    "Truncated",
    "VirtualClock",
    "VmRecord",
    "patch_tuesday",
]
