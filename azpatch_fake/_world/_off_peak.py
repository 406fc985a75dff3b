"""Off-peak hours: when a VM's platform work may start, in the VM's own local time.

The documentation never defines "off-peak" (I8); the simulator's default is
22:00 to 06:00 in the VM's time zone (Q1), following daylight saving, so
the same window is a different UTC span in winter and in summer.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from ._windows_time_zones import WINDOWS_TO_IANA

__all__ = ["OffPeakHours", "local_iso", "resolve_time_zone", "utc_iso", "utc_seconds"]


@cache
def resolve_time_zone(name: str) -> ZoneInfo:
    """An IANA name, or a Windows name as ``windowsConfiguration.timeZone`` takes it."""
    iana = WINDOWS_TO_IANA.get(name, name)
    try:
        return ZoneInfo(iana)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: give an IANA name (Europe/Paris)"
            " or a Windows name (Romance Standard Time)"
        ) from None


@attrs.frozen
class OffPeakHours:
    """A daily local window; ``start`` after ``end`` means it spans midnight."""

    start: time = time(22)
    end: time = time(6)

    def __attrs_post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("off-peak hours need a start different from their end")

    def window(self, zone: ZoneInfo, moment: float) -> tuple[float, float]:
        """The window (UTC epoch seconds) holding ``moment``, else the next one."""
        local_day = datetime.fromtimestamp(moment, zone).date()
        for offset in (-1, 0, 1, 2):
            start, end = self._on(local_day + timedelta(days=offset), zone)
            if moment < end:
                return start, end
        raise AssertionError("a daily window always ends within two days")  # pragma: no cover

    def _on(self, day: date, zone: ZoneInfo) -> tuple[float, float]:
        end_day = day + timedelta(days=1) if self.end < self.start else day
        start = datetime.combine(day, self.start, zone)
        end = datetime.combine(end_day, self.end, zone)
        return start.timestamp(), end.timestamp()

    def contains(self, local: time) -> bool:
        """Whether the local time of day ``local`` falls in these hours."""
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def describe(self) -> str:
        """``22:00-06:00``; every install run's event says it."""
        return _describe(self.start, self.end)


@cache
def _describe(start: time, end: time) -> str:
    return f"{start:%H:%M}-{end:%H:%M}"


def local_iso(moment: float, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(moment, zone).isoformat(timespec="seconds")


def utc_iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_seconds(text: str) -> float:
    """``utc_iso`` undone (Python 3.10's ``fromisoformat`` does not read ``Z``)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
