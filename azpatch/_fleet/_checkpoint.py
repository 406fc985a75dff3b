"""The checkpoint file: read when a run resumes, appended to as the run goes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO

from ._journal import Resumed, read_journal

__all__ = ["CheckpointFile"]


class CheckpointFile:
    """A journal on disk; ``None`` as the path keeps nothing."""

    def __init__(self, path: str | os.PathLike[str] | None, header: dict[str, object]) -> None:
        self._file: IO[str] | None = None
        self.resumed = Resumed()
        if path is None:
            return
        target = Path(path)
        text = target.read_text(encoding="utf-8") if target.exists() else ""
        lines = text.splitlines()
        self.resumed = read_journal(lines, header)
        self._file = target.open("a", encoding="utf-8")
        if text and not text.endswith("\n"):
            self._file.write("\n")  # end the line a killed run left cut short
        if not lines:
            self.write([json.dumps(header, separators=(",", ":"))])

    def write(self, lines: list[str]) -> None:
        """Append ``lines`` and hand them to the OS: they survive the process being killed."""
        if self._file is not None and lines:
            self._file.write("\n".join(lines) + "\n")
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
