"""How the command line prints results: ``--output json`` for scripts, ``table`` for people."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import IO, Any

__all__ = ["Row", "print_rows", "scalar"]

Row = Mapping[str, Any]
# Columns whose empty cell means it never happened: a person reads "never", a script null.
NEVER = frozenset({"assessment", "assessedAt", "lastInstall"})


def scalar(value: Any) -> Any:
    """A JSON-ready value: enums as their wire value, times in ISO 8601."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def print_rows(rows: Sequence[Row], output: str, out: IO[str], *, single: bool = False) -> None:
    """``single``: one object (JSON object, two-column table) rather than a list."""
    if output == "csv":
        _csv(rows, out)
        return
    if output == "json":
        body: Any = rows[0] if single and rows else list(rows)
        json.dump(body, out, indent=2, default=_as_json)
        out.write("\n")
        return
    if single and rows:
        width = max(len(key) for key in rows[0])
        for key, value in rows[0].items():
            out.write(f"{key:<{width}}  {_cell(value, key)}\n".rstrip() + "\n")
        return
    if not rows:
        return
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(_cell(row.get(c), c)) for row in rows)) for c in columns}
    out.write("  ".join(f"{c:<{widths[c]}}" for c in columns).rstrip() + "\n")
    out.write("  ".join("-" * widths[c] for c in columns) + "\n")
    for row in rows:
        out.write(
            "  ".join(f"{_cell(row.get(c), c):<{widths[c]}}" for c in columns).rstrip() + "\n"
        )


def _as_json(value: Any) -> Any:
    converted = scalar(value)
    return str(value) if converted is value else converted


def _cell(value: Any, column: str = "") -> str:
    if value is None:
        return "never" if column in NEVER else ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return str(scalar(value))


def _csv(rows: Sequence[Row], out: IO[str]) -> None:
    """Every column any row has, in first-seen order; empty cells for what a row lacks."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in columns])
