"""The patch catalog: what each OS family can install, released monthly on Patch Tuesday.

Releases are generated from the world's seed, so two fakes with one seed
offer the same patches. Tests add their own with ``Catalog.add``. As on a real
machine, a newer patch of a line supersedes the older ones: this month's
cumulative update replaces last month's, and a package is offered once, at its
newest version.
"""

from __future__ import annotations

import bisect
import random
import uuid
from datetime import date, datetime, time, timedelta, timezone

from ._records import Patch

__all__ = ["Catalog", "patch_tuesday", "release_after"]

# Result bodies carry the publisher's display strings, not the request enum values.
WINDOWS_DISPLAY = {
    "Critical": "Critical Updates",
    "Security": "Security Updates",
    "UpdateRollUp": "Update Rollups",
    "FeaturePack": "Feature Packs",
    "ServicePack": "Service Packs",
    "Definition": "Definition Updates",
    "Tools": "Tools",
    "Updates": "Updates",
}
# Windows' monthly release, one update of each line: (line, name, classification, reboot).
_WINDOWS_LINES = (
    ("cumulative", "{month} Cumulative Update (KB{kb})", "Security", "CanRequestReboot"),
    ("servicing-stack", "{month} Servicing Stack Update (KB{kb})", "Critical", "NeverReboots"),
    (
        "dotnet",
        "{month} Cumulative Update for .NET Framework (KB{kb})",
        "Security",
        "CanRequestReboot",
    ),
    ("definitions", "Security Intelligence Update (KB{kb})", "Definition", "NeverReboots"),
    ("msrt", "Malicious Software Removal Tool - {month} (KB{kb})", "UpdateRollUp", "NeverReboots"),
)
# Ubuntu 22.04's packages, each with its version stem and its one classification.
_LINUX_PACKAGES = {
    "openssl": ("3.0.2-0ubuntu1.", "Security"),
    "curl": ("7.81.0-1ubuntu1.", "Security"),
    "linux-image-azure": ("6.8.0-1", "Security"),
    "sudo": ("1.9.9-1ubuntu2.", "Security"),
    "openssh-server": ("1:8.9p1-3ubuntu0.", "Security"),
    "libc6": ("2.35-0ubuntu3.", "Critical"),
    "tzdata": ("2024a-0ubuntu0.22.04.", "Other"),
    "python3-update-manager": ("1:22.04.", "Other"),
}
_RELEASE_HOUR = 17  # Patch Tuesday releases land at 10:00 Pacific, 17:00 UTC
_HISTORY_MONTHS = 3  # a new world already has this many months of releases


def patch_tuesday(year: int, month: int) -> datetime:
    """The release moment of a month: its second Tuesday, 17:00 UTC."""
    first = date(year, month, 1)
    tuesday = first + timedelta(days=(1 - first.weekday()) % 7 + 7)
    return datetime.combine(tuesday, time(_RELEASE_HOUR), tzinfo=timezone.utc)


def release_after(moment: datetime) -> datetime:
    """The first monthly release after ``moment``."""
    release = patch_tuesday(moment.year, moment.month)
    if release > moment:
        return release
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return patch_tuesday(year, month)


def _months(start: datetime, end: datetime) -> list[tuple[int, int]]:
    year, month = start.year, start.month
    months = []
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class Catalog:
    def __init__(self, *, seed: int, start: datetime) -> None:
        self._seed = seed
        self._origin = start - timedelta(days=31 * _HISTORY_MONTHS)
        self._added: dict[str, list[Patch]] = {"Windows": [], "Linux": []}
        # Per family: (newest month, patches added) -> every patch by then, and their times.
        self._cache: dict[tuple[str, int, int, int], tuple[list[Patch], list[datetime]]] = {}
        self._current: dict[tuple[str, int, int, int, int], list[Patch]] = {}
        self.version = 0
        """How many patches tests added: an answer from before an addition is stale."""

    def add(self, os_type: str, patch: Patch) -> None:
        self._added[_family(os_type)].append(patch)
        self.version += 1

    def published(self, os_type: str, now: datetime) -> list[Patch]:
        """The family's patches published by ``now`` that no newer one supersedes, oldest
        first: one shared list until the next release."""
        family = _family(os_type)
        key = (family, now.year, now.month, len(self._added[family]))
        cached = self._cache.get(key)
        if cached is None:
            released = [
                patch
                for year, month in _months(self._origin, now)
                for patch in self._release(family, year, month)
            ]
            patches = sorted(released + self._added[family], key=lambda p: p.published)
            cached = self._cache[key] = (patches, [p.published for p in patches])
        patches, times = cached
        cut = bisect.bisect_right(times, now)
        at = (*key, cut)
        current = self._current.get(at)
        if current is None:
            newest = {p.line or p.patch_id: p for p in patches[:cut]}
            kept = {id(p) for p in newest.values()}
            current = self._current[at] = [p for p in patches[:cut] if id(p) in kept]
        return current

    def _release(self, family: str, year: int, month: int) -> list[Patch]:
        when = patch_tuesday(year, month)
        rng = random.Random(f"{self._seed}:{family}:{year}-{month}")

        def patch_id() -> str:
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))

        if family == "Windows":
            kb = 5000000 + rng.randrange(100000)
            numbers = (kb, kb + 1, kb + 2, 2267602 + month, 890830)
            return [
                Patch(
                    patch_id(),
                    name.format(month=f"{year}-{month:02d}", kb=number),
                    classification,
                    when,
                    kb_id=str(number),
                    reboot_behavior=reboot,
                    line=line,
                )
                for (line, name, classification, reboot), number in zip(
                    _WINDOWS_LINES, numbers, strict=True
                )
            ]
        serial = (year - 2000) * 12 + month  # versions only go up, month after month
        return [
            Patch(
                patch_id(),
                name,
                _LINUX_PACKAGES[name][1],
                when,
                version=f"{_LINUX_PACKAGES[name][0]}{serial:03d}"
                + (f".{serial}~22.04.1" if name == "linux-image-azure" else ""),
                reboot_behavior="AlwaysRequiresReboot" if "linux-image" in name else "NeverReboots",
                line=name,
            )
            for name in sorted(rng.sample(sorted(_LINUX_PACKAGES), 3))
        ]


def _family(os_type: str) -> str:
    return "Windows" if os_type.casefold() == "windows" else "Linux"
