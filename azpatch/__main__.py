"""``python -m azpatch``: the same as the ``azpatch`` command."""

from __future__ import annotations

from ._cli import run

run()
