"""``client.features`` and ``client.providers``: registration, and waiting for it.

Registering answers at once with the current state; the wait methods poll
until the state reads Registered (in any case), with a deadline and an
optional progress callback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._core import _flows as flows
from .._core import _requests as requests
from .._core import _waiters as waiters
from .._pagination import AsyncPager, Pager
from .._registration_results import GuestPatchingPreview, ProgressCallback
from ..models import FeatureOperationsListResult, FeatureResult, Provider

if TYPE_CHECKING:
    from .._async_client import AsyncDriver
    from .._client import SyncDriver

__all__ = ["AsyncFeatures", "AsyncProviders", "Features", "Providers"]


class Features:
    """``client.features``: the subscription's preview features (Microsoft.Features)."""

    def __init__(self, driver: SyncDriver) -> None:
        self._driver = driver
        self._ctx = driver.session.ctx

    def get(self, namespace: str, feature_name: str) -> FeatureResult:
        """The feature and its registration state."""
        request = requests.feature(self._ctx, namespace, feature_name)
        return self._driver.run(flows.call(request, FeatureResult))

    def list(self, namespace: str) -> Pager[FeatureResult]:
        """The features of a resource provider, fetched page by page."""
        request = requests.list_features(self._ctx, namespace)
        return Pager(self._driver, request, FeatureOperationsListResult)

    def register(self, namespace: str, feature_name: str) -> FeatureResult:
        """Ask for the feature; the answer is its state now, usually Registering."""
        request = requests.register_feature(self._ctx, namespace, feature_name)
        return self._driver.run(flows.call(request, FeatureResult))

    def unregister(self, namespace: str, feature_name: str) -> FeatureResult:
        """Withdraw the feature; the answer is its state now, usually Unregistering."""
        request = requests.unregister_feature(self._ctx, namespace, feature_name)
        return self._driver.run(flows.call(request, FeatureResult))

    def wait_until_registered(
        self,
        namespace: str,
        feature_name: str,
        *,
        timeout: float,
        on_progress: ProgressCallback | None = None,
    ) -> FeatureResult:
        """Poll until the feature is Registered; registration can take 15 minutes."""
        flow = waiters.wait_until_registered(
            self._driver.session.polling,
            waiters.feature_registration(self._ctx, namespace, feature_name),
            timeout=timeout,
            on_progress=on_progress,
        )
        return self._driver.run(flow)

    def enable_guest_patching_preview(
        self, *, timeout: float, on_progress: ProgressCallback | None = None
    ) -> GuestPatchingPreview:
        """The whole preview opt-in: both features, then Microsoft.Compute re-registered."""
        flow = waiters.enable_guest_patching_preview(
            self._ctx, self._driver.session.polling, timeout=timeout, on_progress=on_progress
        )
        return self._driver.run(flow)


class AsyncFeatures:
    """``AsyncClient.features``: as ``Features``, as coroutines."""

    def __init__(self, driver: AsyncDriver) -> None:
        self._driver = driver
        self._ctx = driver.session.ctx

    async def get(self, namespace: str, feature_name: str) -> FeatureResult:
        """The feature and its registration state."""
        request = requests.feature(self._ctx, namespace, feature_name)
        return await self._driver.run(flows.call(request, FeatureResult))

    def list(self, namespace: str) -> AsyncPager[FeatureResult]:
        """The features of a resource provider, fetched page by page."""
        request = requests.list_features(self._ctx, namespace)
        return AsyncPager(self._driver, request, FeatureOperationsListResult)

    async def register(self, namespace: str, feature_name: str) -> FeatureResult:
        """Ask for the feature; the answer is its state now, usually Registering."""
        request = requests.register_feature(self._ctx, namespace, feature_name)
        return await self._driver.run(flows.call(request, FeatureResult))

    async def unregister(self, namespace: str, feature_name: str) -> FeatureResult:
        """Withdraw the feature; the answer is its state now, usually Unregistering."""
        request = requests.unregister_feature(self._ctx, namespace, feature_name)
        return await self._driver.run(flows.call(request, FeatureResult))

    async def wait_until_registered(
        self,
        namespace: str,
        feature_name: str,
        *,
        timeout: float,
        on_progress: ProgressCallback | None = None,
    ) -> FeatureResult:
        """Poll until the feature is Registered; registration can take 15 minutes."""
        flow = waiters.wait_until_registered(
            self._driver.session.polling,
            waiters.feature_registration(self._ctx, namespace, feature_name),
            timeout=timeout,
            on_progress=on_progress,
        )
        return await self._driver.run(flow)

    async def enable_guest_patching_preview(
        self, *, timeout: float, on_progress: ProgressCallback | None = None
    ) -> GuestPatchingPreview:
        """The whole preview opt-in: both features, then Microsoft.Compute re-registered."""
        flow = waiters.enable_guest_patching_preview(
            self._ctx, self._driver.session.polling, timeout=timeout, on_progress=on_progress
        )
        return await self._driver.run(flow)


class Providers:
    """``client.providers``: the subscription's resource providers (registration)."""

    def __init__(self, driver: SyncDriver) -> None:
        self._driver = driver
        self._ctx = driver.session.ctx

    def get(self, namespace: str) -> Provider:
        """The provider and its registration state."""
        return self._driver.run(flows.call(requests.provider(self._ctx, namespace), Provider))

    def register(self, namespace: str) -> Provider:
        """Register (or re-register) the provider; the answer is usually Registering."""
        request = requests.register_provider(self._ctx, namespace)
        return self._driver.run(flows.call(request, Provider))

    def wait_until_registered(
        self, namespace: str, *, timeout: float, on_progress: ProgressCallback | None = None
    ) -> Provider:
        """Poll until the provider is Registered, within ``timeout`` seconds."""
        flow = waiters.wait_until_registered(
            self._driver.session.polling,
            waiters.provider_registration(self._ctx, namespace),
            timeout=timeout,
            on_progress=on_progress,
        )
        return self._driver.run(flow)


class AsyncProviders:
    """``AsyncClient.providers``: as ``Providers``, as coroutines."""

    def __init__(self, driver: AsyncDriver) -> None:
        self._driver = driver
        self._ctx = driver.session.ctx

    async def get(self, namespace: str) -> Provider:
        """The provider and its registration state."""
        request = requests.provider(self._ctx, namespace)
        return await self._driver.run(flows.call(request, Provider))

    async def register(self, namespace: str) -> Provider:
        """Register (or re-register) the provider; the answer is usually Registering."""
        request = requests.register_provider(self._ctx, namespace)
        return await self._driver.run(flows.call(request, Provider))

    async def wait_until_registered(
        self, namespace: str, *, timeout: float, on_progress: ProgressCallback | None = None
    ) -> Provider:
        """Poll until the provider is Registered, within ``timeout`` seconds."""
        flow = waiters.wait_until_registered(
            self._driver.session.polling,
            waiters.provider_registration(self._ctx, namespace),
            timeout=timeout,
            on_progress=on_progress,
        )
        return await self._driver.run(flow)
