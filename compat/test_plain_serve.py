"""On a plain ``pip install azpatch`` (no ``server`` extra), ``serve`` says in one line what
to install, and exits with status 2. ``nox -s plain_install`` runs this; where uvicorn is
installed there is nothing to show."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest


@pytest.mark.skipif(
    importlib.util.find_spec("uvicorn") is not None, reason="uvicorn is installed here"
)
def test_serve_without_the_server_extra_names_it() -> None:
    ran = subprocess.run(
        [sys.executable, "-m", "azpatch_fake", "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 2
    assert ran.stderr.strip().splitlines() == [
        'error: python -m azpatch_fake serve needs uvicorn: pip install "azpatch[server]"'
        " (the fixture and fake.intercept() need nothing more than azpatch)"
    ]
