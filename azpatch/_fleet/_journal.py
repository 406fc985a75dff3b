"""The checkpoint of a fleet run: a JSON Lines journal, appended as the run goes.

The first line says which run it belongs to: the format, the operation and
a fingerprint of the operation's parameters and targets. Each later line
records one fact about one VM: an installation about to be sent (so a
resumed run never sends it again), a long-running operation's continuation
token, or how the VM ended. Appending a line is cheap, so every fact is
written before the run depends on it, and a run killed at any point resumes
from its last complete line. It holds resource ids, URLs and outcomes: never
a token or a secret (continuation tokens carry only Azure's status URLs).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

import attrs

from .._exceptions import InvalidArgumentError
from ._outcomes import OutcomeStatus
from ._targets import Target

__all__ = ["FORMAT", "Journal", "Resumed", "fingerprint", "header", "read_journal"]

FORMAT = 1


def fingerprint(operation: str, targets: Iterable[Target]) -> str:
    text = "\n".join([operation, *sorted(target.id.casefold() for target in targets)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def header(operation: str, parameters: str, targets: list[Target]) -> dict[str, object]:
    return {
        "azpatch-fleet": FORMAT,
        "operation": operation,
        "fingerprint": fingerprint(parameters, targets),
        "targets": len(targets),
    }


@attrs.frozen
class Ended:
    status: OutcomeStatus
    code: str | None
    message: str | None


@attrs.define
class Resumed:
    """What an earlier run of the same fleet recorded, by VM key (lower-case id)."""

    ended: dict[str, Ended] = attrs.Factory(dict)
    tokens: dict[str, str] = attrs.Factory(dict)
    sending: set[str] = attrs.Factory(set)


class Journal:
    """Lines for the journal, produced by the run and written by its driver."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.urgent = False

    def _add(self, record: dict[str, object]) -> None:
        self.lines.append(json.dumps(record, separators=(",", ":")))

    def sending(self, vm: str) -> None:
        """An installation is about to be sent: write this before sending it."""
        self._add({"vm": vm, "sending": True})
        self.urgent = True

    def token(self, vm: str, token: str) -> None:
        self._add({"vm": vm, "token": token})

    def ended(self, vm: str, status: OutcomeStatus, code: str | None, message: str | None) -> None:
        self._add({"vm": vm, "ended": status.value, "code": code, "message": message})

    def take(self) -> list[str]:
        lines, self.lines, self.urgent = self.lines, [], False
        return lines


def _refuse(why: str) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"the checkpoint cannot be resumed: {why}", code="InvalidCheckpoint", target="resume"
    )


def read_journal(lines: list[str], expected: dict[str, object]) -> Resumed:
    """The state ``lines`` record, when they are this run's (``expected`` is its header)."""
    if not lines:
        return Resumed()
    try:
        first = json.loads(lines[0])
    except ValueError:
        raise _refuse("it is not an azpatch fleet checkpoint") from None
    if not isinstance(first, dict) or "azpatch-fleet" not in first:
        raise _refuse("it is not an azpatch fleet checkpoint")
    version = first["azpatch-fleet"]
    if not isinstance(version, int) or version > FORMAT:
        raise _refuse(
            f"it is format {version!r}, written by a newer azpatch (this one reads {FORMAT})"
        )
    if (
        first.get("operation") != expected["operation"]
        or first.get("fingerprint") != expected["fingerprint"]
    ):
        raise _refuse(
            f"it belongs to another run ({first.get('operation')} over {first.get('targets')}"
            f" targets), not to this {expected['operation']} over {expected['targets']} targets"
        )
    resumed = Resumed()
    for line in lines[1:]:
        try:
            record = json.loads(line)
            vm = record["vm"]
        except (ValueError, KeyError, TypeError):
            continue  # a line cut short when the run was killed
        if "ended" in record:
            resumed.ended[vm] = Ended(
                OutcomeStatus(record["ended"]), record.get("code"), record.get("message")
            )
        elif "token" in record:
            resumed.tokens[vm] = record["token"]
        elif record.get("sending"):
            resumed.sending.add(vm)
    return resumed
