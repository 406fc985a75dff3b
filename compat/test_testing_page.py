"""The samples of docs/testing.md that form a user's project (``# file: NAME.py``) are
written out as files and run by pytest in a fresh process, with the plugin as installed:
the page's promise, kept as a user would meet it.

``nox -s compat`` runs them all; ``nox -s plain_install`` (azpatch alone, no Azure SDK)
runs those that do not use the official SDK.
"""

from __future__ import annotations

import importlib.util
import re
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

PAGE = Path(__file__).resolve().parents[1] / "docs" / "testing.md"
FILE_BLOCK = re.compile(r"^```python\n# file: (\S+)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _project() -> dict[str, str]:
    return {
        name: textwrap.dedent(body) for name, body in FILE_BLOCK.findall(PAGE.read_text("utf-8"))
    }


def _runnable_here(files: dict[str, str]) -> dict[str, str]:
    """The files this environment can run: those of the official SDK need it installed."""
    if importlib.util.find_spec("azure") and importlib.util.find_spec("azure.mgmt.compute"):
        return files
    sdk = {name.removesuffix(".py") for name, body in files.items() if "azure.mgmt" in body}
    return {
        name: body
        for name, body in files.items()
        if name.removesuffix(".py") not in sdk and not any(f"from {m} " in body for m in sdk)
    }


def test_the_page_has_a_project_for_azpatch_and_for_the_official_sdk() -> None:
    files = _project()
    assert {"patch_tonight.py", "test_patch_tonight.py", "sdk_patching.py"} <= set(files)
    assert "test_sdk_patching.py" in files


def test_the_pages_project_passes(pytester: pytest.Pytester) -> None:
    files = _runnable_here(_project())
    for name, body in files.items():
        pytester.path.joinpath(name).write_text(body, encoding="utf-8")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=sum(name.startswith("test_") for name in files))
