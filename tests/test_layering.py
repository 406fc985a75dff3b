"""The fake never imports azpatch (outside its plugin and convenience clients), and vice versa.

Were they to share code, a wire-format bug could pass on both sides.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Only these azpatch_fake modules may wire the SDK to the fake.
MAY_IMPORT_AZPATCH = {"pytest_plugin.py", "_client.py", "_clients.py"}


def _type_checking_blocks(tree: ast.AST) -> set[ast.AST]:
    """Nodes under ``if TYPE_CHECKING:``: imports there never run."""
    return {
        inner
        for node in ast.walk(tree)
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
        for statement in node.body
        for inner in ast.walk(statement)
    }


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    type_only = _type_checking_blocks(tree)
    found = set()
    for node in ast.walk(tree):
        if node in type_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", _sources("azpatch_fake"), ids=lambda p: p.name)
def test_the_fake_does_not_import_azpatch(path: Path) -> None:
    if path.name not in MAY_IMPORT_AZPATCH:
        assert "azpatch" not in _imported_packages(path)


@pytest.mark.parametrize("path", _sources("azpatch"), ids=lambda p: p.name)
def test_azpatch_does_not_import_the_fake(path: Path) -> None:
    assert "azpatch_fake" not in _imported_packages(path)


def test_tests_cannot_reach_the_network() -> None:
    import socket

    from pytest_socket import SocketConnectBlockedError

    with pytest.warns(UserWarning, match=r"192\.0\.2\.1"), pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 443), timeout=1)
