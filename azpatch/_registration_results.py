"""What the waits report while they wait, and what the preview opt-in returns."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import attrs

from .models import FeatureResult, Provider

__all__ = [
    "GuestPatchingPreview",
    "OperationProgress",
    "OperationProgressCallback",
    "PatchModeProgress",
    "PatchModeProgressCallback",
    "ProgressCallback",
    "RegistrationProgress",
]


@attrs.frozen(kw_only=True)
class RegistrationProgress:
    """One poll of a registration: ``name`` is ``Namespace/Feature`` or a provider namespace."""

    name: str
    state: str
    elapsed: float
    registered: bool


ProgressCallback: TypeAlias = Callable[[RegistrationProgress], None]


@attrs.frozen(kw_only=True)
class PatchModeProgress:
    """One poll of a VM's patch mode: ``state`` is its PatchModeConfigurationState."""

    vm: str
    state: str
    elapsed: float
    ready: bool


PatchModeProgressCallback: TypeAlias = Callable[[PatchModeProgress], None]


@attrs.frozen(kw_only=True)
class OperationProgress:
    """One poll of a long-running operation (``assess_patches``, ``install_patches``) on
    ``vm`` (``group/name``): its status as ARM wrote it, and whether it has ended."""

    vm: str
    operation: str
    status: str
    polls: int
    elapsed: float
    done: bool


OperationProgressCallback: TypeAlias = Callable[[OperationProgress], None]


@attrs.frozen(kw_only=True)
class GuestPatchingPreview:
    """The preview features and the Microsoft.Compute provider, all Registered.

    ``changed`` is false when everything was registered already and nothing was written.
    """

    features: tuple[FeatureResult, ...]
    provider: Provider
    changed: bool
