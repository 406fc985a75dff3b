"""ISO 8601 date-times and durations as ARM writes and reads them.

ARM writes up to seven fractional digits, ``Z`` or an offset; Python keeps
microseconds, so the seventh digit is dropped. A date-time without an
offset is taken as UTC, on both sides. Durations map to ``timedelta``, so
years and months (which have no fixed length) are refused.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

__all__ = ["format_datetime", "format_duration", "parse_datetime", "parse_duration"]

_UTC = timezone.utc
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?"
)
_DURATION = re.compile(
    r"P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,](\d+))?S)?)?"
)


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 date-time; raise ValueError when it is not one."""
    try:
        # C-speed path; on 3.10 it refuses "Z" and 7 digits, which the regex takes.
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = _parse_datetime_slowly(text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=_UTC)
    return parsed


def _parse_datetime_slowly(text: str) -> datetime:
    match = _DATETIME.fullmatch(text)
    if match is None:
        raise ValueError("not an ISO 8601 date-time")
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    if zulu or sign is None:
        tz = _UTC
    else:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        tz = timezone(-offset if sign == "-" else offset)
    microsecond = int((fraction or "0")[:6].ljust(6, "0"))
    return datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), microsecond, tz
    )


def format_datetime(value: datetime) -> str:
    """Format a date-time as ARM does, with ``Z`` for UTC."""
    if value.tzinfo is None or value.utcoffset() == timedelta(0):
        return value.replace(tzinfo=None).isoformat() + "Z"
    return value.isoformat()


def parse_duration(text: str) -> timedelta:
    """Parse an ISO 8601 duration such as ``PT4H``, ``PT04H00M00S`` or ``P1DT2H``."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError("not an ISO 8601 duration of weeks, days, hours, minutes and seconds")
    weeks, days, hours, minutes, seconds, fraction = match.groups()
    return timedelta(
        weeks=int(weeks or 0),
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=int(seconds or 0),
        microseconds=int((fraction or "0")[:6].ljust(6, "0")),
    )


def format_duration(value: timedelta) -> str:
    """Format a non-negative duration in the shortest form ARM accepts (``PT4H``)."""
    if value < timedelta(0):
        raise ValueError("a duration cannot be negative")
    minutes, seconds = divmod(value.seconds, 60)
    hours, minutes = divmod(minutes, 60)
    date_part = f"{value.days}D" if value.days else ""
    time_part = "".join(
        f"{amount}{unit}" for amount, unit in ((hours, "H"), (minutes, "M")) if amount
    )
    if value.microseconds:
        time_part += f"{seconds}.{value.microseconds:06d}".rstrip("0") + "S"
    elif seconds or not (date_part or time_part):
        time_part += f"{seconds}S"
    return f"P{date_part}T{time_part}" if time_part else f"P{date_part}"
