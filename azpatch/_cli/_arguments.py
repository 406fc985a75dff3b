"""What the command line accepts: bad input is refused by the parser, in the CLI's words and
with exit code 2, before any credential is read or any request is sent."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from datetime import timedelta
from enum import Enum

import httpx

from .._core._security import check_base_url
from .._exceptions import UntrustedURLError
from ..models import (
    LinuxPatchAssessmentMode,
    LinuxVMGuestPatchMode,
    VMGuestPatchClassificationLinux,
    VMGuestPatchClassificationWindows,
    VMGuestPatchRebootSetting,
    WindowsPatchAssessmentMode,
    WindowsVMGuestPatchMode,
)

__all__ = [
    "ASSESSMENT_MODES",
    "CLASSIFICATIONS",
    "PATCH_MODES",
    "REBOOT_SETTINGS",
    "count",
    "duration",
    "endpoint",
    "one_of",
    "seconds",
]


def _names(*enums: type[Enum]) -> tuple[str, ...]:
    """The wire values of ``enums``, each once, in their order (Unknown is no choice)."""
    values = (member.value for enum in enums for member in enum)
    return tuple(dict.fromkeys(value for value in values if value != "Unknown"))


PATCH_MODES = _names(WindowsVMGuestPatchMode, LinuxVMGuestPatchMode)
ASSESSMENT_MODES = _names(WindowsPatchAssessmentMode, LinuxPatchAssessmentMode)
REBOOT_SETTINGS = _names(VMGuestPatchRebootSetting)
CLASSIFICATIONS = _names(VMGuestPatchClassificationWindows, VMGuestPatchClassificationLinux)
_DURATION = re.compile(r"^P?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$", re.IGNORECASE)


def one_of(values: tuple[str, ...]) -> Callable[[str], str]:
    """One of ``values``, in any case, given back as Azure spells it."""
    canonical = {value.casefold(): value for value in values}

    def parse(text: str) -> str:
        try:
            return canonical[text.casefold()]
        except KeyError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not one of {', '.join(values)}"
            ) from None

    return parse


def seconds(text: str) -> float:
    """A number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds above 0")
    return value


def endpoint(text: str) -> str:
    """ARM's URL, or a fake's: https, or http to this machine (the token goes nowhere else)."""
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL:
        url = httpx.URL()
    if url.scheme not in ("http", "https") or not url.host:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a URL like https://management.azure.com or http://127.0.0.1:8443"
        )
    try:
        check_base_url(url)
    except UntrustedURLError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: the token is sent only over https, or over http to this machine (a fake)"
        ) from None
    return text


def duration(text: str) -> timedelta:
    """Minutes (``90``) or ISO 8601 (``PT1H30M``), above zero."""
    if text.isdigit():
        value = timedelta(minutes=int(text))
    else:
        match = _DURATION.match(text)
        if not match or not any(match.groups()):
            raise argparse.ArgumentTypeError(
                f"{text!r} is neither minutes nor an ISO 8601 duration"
            )
        hours, minutes, secs = (int(part or 0) for part in match.groups())
        value = timedelta(hours=hours, minutes=minutes, seconds=secs)
    if value <= timedelta(0):
        raise argparse.ArgumentTypeError(f"{text!r}: give a duration above 0")
    return value


def count(text: str) -> int:
    """A whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value
