"""Reading what a client sent: the JSON body and its fields, refusing what ARM refuses.

Every check raises ``ArmError`` before a handler changes anything, so a bad
request leaves the world as it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from ._wire import ArmError

__all__ = ["MAX_BODY", "Body", "parse_duration"]

MAX_BODY = 1 << 20
_DURATION = re.compile(r"P(?!$)(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.\d+)?S)?)?")


def parse_duration(text: str, *, target: str) -> timedelta:
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ArmError(400, "InvalidParameter", f"'{text}' is not an ISO 8601 duration.", target)
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    try:
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise ArmError(
            400, "InvalidParameter", f"The duration '{text}' is out of range.", target
        ) from None


class Body:
    """A JSON object from a request, read field by field with ARM's type checks."""

    def __init__(self, data: Mapping[str, Any], *, path: str = "") -> None:
        self._data = data
        self._path = path

    @classmethod
    def parse(cls, content: bytes, *, required: bool) -> Body:
        if len(content) > MAX_BODY:
            raise ArmError(413, "RequestEntityTooLarge", "The request body exceeds 1 MiB.")
        if not content.strip():
            if required:
                raise ArmError(400, "InvalidRequestContent", "The request content is empty.")
            return cls({})
        try:
            data = json.loads(content)
        except (UnicodeDecodeError, ValueError, RecursionError):  # nested 100,000 deep
            raise ArmError(
                400,
                "InvalidRequestContent",
                "The request content was invalid and could not be deserialized.",
            ) from None
        if not isinstance(data, dict):
            raise ArmError(
                400, "InvalidRequestContent", "The request content must be a JSON object."
            )
        return cls(data)

    def raw(self) -> Mapping[str, Any]:
        """The JSON object as the client sent it."""
        return self._data

    def _target(self, key: str) -> str:
        return f"{self._path}.{key}" if self._path else key

    def __contains__(self, key: str) -> bool:
        return self._data.get(key) is not None

    def keys(self) -> list[str]:
        return list(self._data)

    def _typed(self, key: str, types: type | tuple[type, ...], kind: str) -> Any:
        value = self._data.get(key)
        if value is None:
            return None
        if not isinstance(value, types) or (
            isinstance(value, bool) and bool not in _as_tuple(types)
        ):
            raise ArmError(
                400,
                "InvalidParameter",
                f"The value of parameter {self._target(key)} is invalid: expected {kind}.",
                self._target(key),
            )
        return value

    def location(self) -> str:
        """The resource's ``location``, which every PUT of a tracked resource needs."""
        location = self.text("location")
        if location is None:
            raise ArmError(
                400, "LocationRequired", "The location property is required.", "location"
            )
        return location

    def text(self, key: str) -> str | None:
        value: str | None = self._typed(key, str, "a string")
        return value

    def integer(self, key: str) -> int | None:
        value: int | None = self._typed(key, int, "an integer")
        return value

    def flag(self, key: str) -> bool | None:
        value: bool | None = self._typed(key, bool, "a boolean")
        return value

    def choice(self, key: str, allowed: tuple[str, ...]) -> str | None:
        value = self.text(key)
        if value is None:
            return None
        for option in allowed:
            if option.casefold() == value.casefold():
                return option
        raise ArmError(
            400,
            "InvalidParameter",
            f"The value '{value}' of parameter {self._target(key)} is not allowed."
            f" Allowed values: {', '.join(allowed)}.",
            self._target(key),
        )

    def strings(self, key: str) -> list[str] | None:
        values = self._typed(key, list, "an array of strings")
        if values is None:
            return None
        if not all(isinstance(v, str) for v in values):
            raise ArmError(
                400, "InvalidParameter", "Expected an array of strings.", self._target(key)
            )
        return list(values)

    def choices(self, key: str, allowed: tuple[str, ...]) -> list[str] | None:
        values = self.strings(key)
        if values is None:
            return None
        folded = {option.casefold(): option for option in allowed}
        unknown = [v for v in values if v.casefold() not in folded]
        if unknown:
            raise ArmError(
                400,
                "InvalidParameter",
                f"The value '{unknown[0]}' of parameter {self._target(key)} is not allowed."
                f" Allowed values: {', '.join(allowed)}.",
                self._target(key),
            )
        return [folded[v.casefold()] for v in values]

    def datetime(self, key: str) -> datetime | None:
        text = self.text(key)
        if text is None:
            return None
        try:
            head, _, fraction = text.replace("Z", "+00:00").partition(".")
            if fraction:  # up to 7 digits on the wire; Python keeps 6
                digits = re.match(r"\d+", fraction)
                rest = fraction[digits.end() :] if digits else fraction
                head = f"{head}.{(digits.group() if digits else '0')[:6]}{rest}"
            parsed = datetime.fromisoformat(head)
        except ValueError:
            raise ArmError(
                400, "InvalidParameter", f"'{text}' is not a date-time.", self._target(key)
            ) from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)

    def object(self, key: str) -> Body | None:
        value = self._typed(key, dict, "an object")
        return None if value is None else Body(value, path=self._target(key))


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)
