"""azpatch_fake: an in-memory Azure Resource Manager for hermetic tests of patching scripts.

It keeps its own models and serialization and never imports azpatch
(except in the convenience clients and the pytest plugin), so a wire bug
cannot pass on both sides.
"""

from __future__ import annotations

from ._app import DEFAULT_START, DEFAULT_SUBSCRIPTION, FakeAzure, FakeCredential
from ._arm._faults import (
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
from ._doors._remote import Remote, remote
from ._orchestration._holds import PlannedSlot
from ._orchestration._orchestrator import Hold
from ._orchestration._timeline import Timeline
from ._orchestration._timeline_check import Violation, check_timeline, read_timeline
from ._tools._example_fleet import example_fleet
from ._tools._fleet import FleetError, load_fleet
from ._tools._simulate import RegionOutcome, outcomes, simulate
from ._tools._what_if import plan_rollout
from ._world._catalog import patch_tuesday
from ._world._clock import VirtualClock
from ._world._off_peak import OffPeakHours
from ._world._policy import OrchestrationPolicy
from ._world._records import ImageRecord, Patch, VmRecord
from ._world._throttling import Bucket, ThrottlingLimits, per_minute

__all__ = [
    "Bucket",
    "ConnectionReset",
    "DEFAULT_START",
    "DEFAULT_SUBSCRIPTION",
    "FakeAzure",
    "FakeCredential",
    "Fault",
    "FaultPlan",
    "FleetError",
    "Hold",
    "ImageRecord",
    "Malformed",
    "OffPeakHours",
    "OrchestrationPolicy",
    "Patch",
    "PlannedSlot",
    "ReadTimeout",
    "RegionOutcome",
    "Remote",
    "ServerError",
    "Slow",
    "Throttle",
    "ThrottlingLimits",
    "Timeline",
    "Truncated",
    "Violation",
    "VirtualClock",
    "VmRecord",
    "check_timeline",
    "example_fleet",
    "load_fleet",
    "outcomes",
    "patch_tuesday",
    "per_minute",
    "plan_rollout",
    "read_timeline",
    "remote",
    "simulate",
]
