"""``client.virtual_machines``: reading VMs and their instance view, assessing and installing.

Each method builds its flow and hands it to the driver; the async twin is
the same line with ``await``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from .._core import _flows as flows
from .._core import _requests as requests
from .._core import _waiters as waiters
from .._core._stepper import Stepper
from .._pagination import AsyncPager, Pager
from .._polling import AsyncLROPoller, LROPoller
from .._registration_results import OperationProgressCallback, PatchModeProgressCallback
from .._rules._patch_plan import PatchModeChange, PatchRulesProfile
from ..models import (
    VirtualMachine,
    VirtualMachineAssessPatchesResult,
    VirtualMachineInstallPatchesParameters,
    VirtualMachineInstallPatchesResult,
    VirtualMachineInstanceView,
    VirtualMachineListResult,
)

if TYPE_CHECKING:
    from .._async_client import AsyncDriver
    from .._client import SyncDriver

__all__ = ["AsyncVirtualMachines", "VirtualMachines"]

Expand = Literal["instanceView", "userData"]


class VirtualMachines:
    def __init__(self, driver: SyncDriver) -> None:
        self._driver = driver
        self._ctx = driver.session.ctx

    def get(
        self, resource_group: str, vm_name: str, *, expand: Expand | None = None
    ) -> VirtualMachine:
        """The VM; ``expand="instanceView"`` includes its instance view and patch status."""
        request = requests.virtual_machine(self._ctx, resource_group, vm_name, expand=expand)
        return self._driver.run(flows.call(request, VirtualMachine))

    def get_instance_view(self, resource_group: str, vm_name: str) -> VirtualMachineInstanceView:
        """The instance view: power state, VM agent, and ``patch_status``."""
        request = requests.instance_view(self._ctx, resource_group, vm_name)
        return self._driver.run(flows.call(request, VirtualMachineInstanceView))

    def list(self, resource_group: str) -> Pager[VirtualMachine]:
        """The VMs of a resource group, fetched page by page as iteration goes."""
        request = requests.virtual_machines(self._ctx, resource_group)
        return Pager(self._driver, request, VirtualMachineListResult)

    def list_all(self) -> Pager[VirtualMachine]:
        """Every VM of the subscription, fetched page by page as iteration goes."""
        return Pager(
            self._driver, requests.virtual_machines(self._ctx, None), VirtualMachineListResult
        )

    def begin_assess_patches(
        self,
        resource_group: str,
        vm_name: str,
        *,
        continuation_token: str | None = None,
        on_progress: OperationProgressCallback | None = None,
    ) -> LROPoller[VirtualMachineAssessPatchesResult]:
        """Start an on-demand assessment (it never installs), or resume waiting for one."""
        flow = flows.assess_patches(
            self._ctx,
            self._driver.session.polling,
            resource_group,
            vm_name,
            continuation_token=continuation_token,
            on_progress=on_progress,
        )
        return LROPoller(self._driver, Stepper(flow))

    def assess_patches(
        self,
        resource_group: str,
        vm_name: str,
        *,
        timeout: float | None = None,
        on_progress: OperationProgressCallback | None = None,
    ) -> VirtualMachineAssessPatchesResult:
        """Assess and wait; check the result's own ``status``, it can be Failed."""
        poller = self.begin_assess_patches(resource_group, vm_name, on_progress=on_progress)
        return poller.result(timeout)

    def begin_install_patches(
        self,
        resource_group: str,
        vm_name: str,
        parameters: VirtualMachineInstallPatchesParameters,
        *,
        continuation_token: str | None = None,
        on_progress: OperationProgressCallback | None = None,
    ) -> LROPoller[VirtualMachineInstallPatchesResult]:
        """Start installing patches, or resume waiting (``parameters`` are then not sent)."""
        flow = flows.install_patches(
            self._ctx,
            self._driver.session.polling,
            resource_group,
            vm_name,
            parameters,
            continuation_token=continuation_token,
            on_progress=on_progress,
        )
        return LROPoller(self._driver, Stepper(flow))

    def install_patches(
        self,
        resource_group: str,
        vm_name: str,
        parameters: VirtualMachineInstallPatchesParameters,
        *,
        timeout: float | None = None,
        on_progress: OperationProgressCallback | None = None,
    ) -> VirtualMachineInstallPatchesResult:
        """Install and wait; check the result's own ``status``, it can be Failed."""
        poller = self.begin_install_patches(
            resource_group, vm_name, parameters, on_progress=on_progress
        )
        return poller.result(timeout)

    def set_patch_mode(
        self,
        resource_group: str,
        vm_name: str,
        mode: str,
        *,
        assessment_mode: str | None = None,
        reboot_setting: str | None = None,
        bypass_platform_safety_checks_on_user_schedule: bool | None = None,
        enable_hotpatching: bool | None = None,
        profile: PatchRulesProfile = "ga",
        dry_run: bool = False,
    ) -> VirtualMachine:
        """Switch the VM's patch mode, or raise ``PatchModeTransitionError`` before writing.

        The PATCH carries If-Match, so a concurrent change fails instead of being
        overwritten. ``dry_run`` checks and returns the VM as it is.
        """
        change = PatchModeChange(
            mode=mode,
            assessment_mode=assessment_mode,
            reboot_setting=reboot_setting,
            bypass_platform_safety_checks_on_user_schedule=bypass_platform_safety_checks_on_user_schedule,
            enable_hotpatching=enable_hotpatching,
            profile=profile,
        )
        flow = flows.set_patch_mode(
            self._ctx,
            self._driver.session.polling,
            resource_group,
            vm_name,
            change,
            dry_run=dry_run,
        )
        return self._driver.run(flow)

    def wait_for_patch_mode_ready(
        self,
        resource_group: str,
        vm_name: str,
        *,
        timeout: float,
        on_progress: PatchModeProgressCallback | None = None,
    ) -> VirtualMachineInstanceView:
        """Wait until the patch mode is Ready; enablement can take more than three hours."""
        flow = waiters.wait_for_patch_mode_ready(
            self._ctx,
            self._driver.session.polling,
            resource_group,
            vm_name,
            timeout=timeout,
            on_progress=on_progress,
        )
        return self._driver.run(flow)


class AsyncVirtualMachines:
    def __init__(self, driver: AsyncDriver) -> None:
        self._driver = driver
        self._ctx = driver.session.ctx

    async def get(
        self, resource_group: str, vm_name: str, *, expand: Expand | None = None
    ) -> VirtualMachine:
        """The VM; ``expand="instanceView"`` includes its instance view and patch status."""
        request = requests.virtual_machine(self._ctx, resource_group, vm_name, expand=expand)
        return await self._driver.run(flows.call(request, VirtualMachine))

    async def get_instance_view(
        self, resource_group: str, vm_name: str
    ) -> VirtualMachineInstanceView:
        """The instance view: power state, VM agent, and ``patch_status``."""
        request = requests.instance_view(self._ctx, resource_group, vm_name)
        return await self._driver.run(flows.call(request, VirtualMachineInstanceView))

    def list(self, resource_group: str) -> AsyncPager[VirtualMachine]:
        """The VMs of a resource group, fetched page by page as iteration goes."""
        request = requests.virtual_machines(self._ctx, resource_group)
        return AsyncPager(self._driver, request, VirtualMachineListResult)

    def list_all(self) -> AsyncPager[VirtualMachine]:
        """Every VM of the subscription, fetched page by page as iteration goes."""
        request = requests.virtual_machines(self._ctx, None)
        return AsyncPager(self._driver, request, VirtualMachineListResult)

    async def begin_assess_patches(
        self,
        resource_group: str,
        vm_name: str,
        *,
        continuation_token: str | None = None,
        on_progress: OperationProgressCallback | None = None,
    ) -> AsyncLROPoller[VirtualMachineAssessPatchesResult]:
        """Start an on-demand assessment (it never installs), or resume waiting for one."""
        flow = flows.assess_patches(
            self._ctx,
            self._driver.session.polling,
            resource_group,
            vm_name,
            continuation_token=continuation_token,
            on_progress=on_progress,
        )
        return await AsyncLROPoller(self._driver, Stepper(flow))._start()

    async def assess_patches(
        self,
        resource_group: str,
        vm_name: str,
        *,
        timeout: float | None = None,
        on_progress: OperationProgressCallback | None = None,
    ) -> VirtualMachineAssessPatchesResult:
        """Assess and wait; check the result's own ``status``, it can be Failed."""
        poller = await self.begin_assess_patches(resource_group, vm_name, on_progress=on_progress)
        return await poller.result(timeout)

    async def begin_install_patches(
        self,
        resource_group: str,
        vm_name: str,
        parameters: VirtualMachineInstallPatchesParameters,
        *,
        continuation_token: str | None = None,
        on_progress: OperationProgressCallback | None = None,
    ) -> AsyncLROPoller[VirtualMachineInstallPatchesResult]:
        """Start installing patches, or resume waiting (``parameters`` are then not sent)."""
        flow = flows.install_patches(
            self._ctx,
            self._driver.session.polling,
            resource_group,
            vm_name,
            parameters,
            continuation_token=continuation_token,
            on_progress=on_progress,
        )
        return await AsyncLROPoller(self._driver, Stepper(flow))._start()

    async def install_patches(
        self,
        resource_group: str,
        vm_name: str,
        parameters: VirtualMachineInstallPatchesParameters,
        *,
        timeout: float | None = None,
        on_progress: OperationProgressCallback | None = None,
    ) -> VirtualMachineInstallPatchesResult:
        """Install and wait; check the result's own ``status``, it can be Failed."""
        poller = await self.begin_install_patches(
            resource_group, vm_name, parameters, on_progress=on_progress
        )
        return await poller.result(timeout)

    async def set_patch_mode(
        self,
        resource_group: str,
        vm_name: str,
        mode: str,
        *,
        assessment_mode: str | None = None,
        reboot_setting: str | None = None,
        bypass_platform_safety_checks_on_user_schedule: bool | None = None,
        enable_hotpatching: bool | None = None,
        profile: PatchRulesProfile = "ga",
        dry_run: bool = False,
    ) -> VirtualMachine:
        """Switch the VM's patch mode, or raise ``PatchModeTransitionError`` before writing.

        The PATCH carries If-Match, so a concurrent change fails instead of being
        overwritten. ``dry_run`` checks and returns the VM as it is.
        """
        change = PatchModeChange(
            mode=mode,
            assessment_mode=assessment_mode,
            reboot_setting=reboot_setting,
            bypass_platform_safety_checks_on_user_schedule=bypass_platform_safety_checks_on_user_schedule,
            enable_hotpatching=enable_hotpatching,
            profile=profile,
        )
        flow = flows.set_patch_mode(
            self._ctx,
            self._driver.session.polling,
            resource_group,
            vm_name,
            change,
            dry_run=dry_run,
        )
        return await self._driver.run(flow)

    async def wait_for_patch_mode_ready(
        self,
        resource_group: str,
        vm_name: str,
        *,
        timeout: float,
        on_progress: PatchModeProgressCallback | None = None,
    ) -> VirtualMachineInstanceView:
        """Wait until the patch mode is Ready; enablement can take more than three hours."""
        flow = waiters.wait_for_patch_mode_ready(
            self._ctx,
            self._driver.session.polling,
            resource_group,
            vm_name,
            timeout=timeout,
            on_progress=on_progress,
        )
        return await self._driver.run(flow)
