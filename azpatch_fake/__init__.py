"""azpatch_fake: an in-memory Azure Resource Manager for hermetic tests of patching scripts.

It keeps its own models and serialization and never imports azpatch
(except in the convenience clients and the pytest plugin), so a wire bug
cannot pass on both sides.
"""

from __future__ import annotations

from ._app import DEFAULT_START, DEFAULT_SUBSCRIPTION, FakeAzure, FakeCredential
from ._catalog import patch_tuesday
from ._clock import VirtualClock
from ._state import ImageRecord, Patch, VmRecord

__all__ = [
    "DEFAULT_START",
    "DEFAULT_SUBSCRIPTION",
    "FakeAzure",
    "FakeCredential",
    "ImageRecord",
    "Patch",
    "VirtualClock",
    "VmRecord",
    "patch_tuesday",
]
