"""Pollers for long-running operations: ``LROPoller`` and ``AsyncLROPoller``.

A poller makes progress only when asked (``result``, ``wait``, ``done``),
in the caller's thread or task; there is no background thread. ``done()``
polls once when a poll is due and returns at once otherwise, so an async
poller advances whenever ``await poller.done()`` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from ._core._stepper import Stepper

if TYPE_CHECKING:
    from ._async_client import AsyncDriver
    from ._client import SyncDriver

__all__ = ["AsyncLROPoller", "LROPoller"]

T = TypeVar("T")


class _Poller(Generic[T]):
    """What both pollers answer without waiting: they only read the stepper."""

    _stepper: Stepper[T]

    def status(self) -> str:
        """The operation's last known status, as ARM wrote it (``InProgress``, ``Succeeded``)."""
        return self._stepper.status()

    def continuation_token(self) -> str:
        """A token that resumes waiting, here or in another process; it holds no secret."""
        return self._stepper.continuation_token()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._stepper.describe()}>"


class LROPoller(_Poller[T]):
    """A running operation; ``result()`` waits for it and returns what it produced."""

    def __init__(self, driver: SyncDriver, stepper: Stepper[T]) -> None:
        self._driver = driver
        self._stepper = stepper
        driver.drive(stepper, block=False)  # the initial request; its errors surface here
        if stepper.done:
            stepper.result()

    def result(self, timeout: float | None = None) -> T:
        """Wait until the operation ends, at most ``timeout`` seconds.

        Raises ``PollingTimeoutError`` (with a continuation token) when the
        wait is over first; the poller can be waited on again.
        """
        self.wait(timeout)
        return self._stepper.result()

    def wait(self, timeout: float | None = None) -> None:
        """Like ``result()``, without returning the result or raising the operation's failure."""
        if not self._driver.drive(self._stepper, timeout=timeout):
            raise self._stepper.timeout_error(timeout or 0.0)

    def done(self) -> bool:
        """Poll if a poll is due, without waiting; whether the operation has ended."""
        if not self._stepper.done:
            self._driver.drive(self._stepper, block=False)
        return self._stepper.done


class AsyncLROPoller(_Poller[T]):
    """The async twin of ``LROPoller``; build it with ``await client....begin_*()``."""

    def __init__(self, driver: AsyncDriver, stepper: Stepper[T]) -> None:
        self._driver = driver
        self._stepper = stepper

    async def _start(self) -> AsyncLROPoller[T]:
        await self._driver.drive(self._stepper, block=False)
        if self._stepper.done:
            self._stepper.result()
        return self

    async def result(self, timeout: float | None = None) -> T:
        """Wait until the operation ends, at most ``timeout`` seconds (see ``LROPoller``)."""
        await self.wait(timeout)
        return self._stepper.result()

    async def wait(self, timeout: float | None = None) -> None:
        """Like ``result()``, without returning the result or raising the operation's failure."""
        if not await self._driver.drive(self._stepper, timeout=timeout):
            raise self._stepper.timeout_error(timeout or 0.0)

    async def done(self) -> bool:
        """Poll if a poll is due, without waiting; whether the operation has ended."""
        if not self._stepper.done:
            await self._driver.drive(self._stepper, block=False)
        return self._stepper.done
