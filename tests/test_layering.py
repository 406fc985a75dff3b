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


# -- the fake's rooms (docs/development.md draws them) ------------------------------------------

FAKE = ROOT / "azpatch_fake"
ROOMS = ("_world", "_arm", "_orchestration", "_doors", "_tools")
# What each room may import besides itself; the facade (_app) and the entry points may
# import anything, doors and tools the facade too.
ALLOWED = {
    "_world": set(),
    "_arm": {"_world"},
    "_orchestration": {"_world"},
    "_doors": {"_world", "_arm", "_orchestration", "_app"},
    "_tools": {"_world", "_arm", "_orchestration", "_doors", "_app"},
}
FACADE_AND_ENTRY_POINTS = {"_app", "__init__", "__main__", "pytest_plugin"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    relative = Path(*name.split("."))
    return (ROOT / relative).with_suffix(".py").is_file() or (
        ROOT / relative / "__init__.py"
    ).is_file()


def _fake_imports(path: Path) -> list[tuple[str, bool]]:
    """(module of azpatch_fake, imported at module level) for each import in ``path``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    deferred = {
        inner
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for inner in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            for alias in node.names:
                target = f"{module}.{alias.name}"
                found.append((target if _is_module(target) else module, node not in deferred))
        elif isinstance(node, ast.Import):
            found += [(alias.name, node not in deferred) for alias in node.names]
    return [(name, top) for name, top in found if name.startswith("azpatch_fake.")]


def _room(module: str) -> str:
    return module.split(".")[1]


@pytest.mark.parametrize("path", sorted(FAKE.rglob("*.py")), ids=_module_name)
def test_each_room_imports_only_the_rooms_below_it(path: Path) -> None:
    room = _room(_module_name(path)) if path.parent != FAKE else path.stem
    for target, at_module_level in _fake_imports(path):
        if room in FACADE_AND_ENTRY_POINTS or _room(target) == room:
            continue
        assert room in ALLOWED, f"{path.name} is outside every room"
        assert _room(target) in ALLOWED[room], f"{_module_name(path)} imports {target}"
        assert at_module_level or _room(target) not in ("_app",), (
            f"{_module_name(path)} reaches up to {target}"
        )


def test_the_fake_has_no_import_circle() -> None:
    """Counting imports for type checking too: a handler that names ``FakeAzure`` in an
    annotation depends on the facade as much as one that calls it."""
    graph = {
        _module_name(path): {t for t, top in _fake_imports(path) if top}
        for path in FAKE.rglob("*.py")
    }
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        if state.get(module) == "done":
            return
        assert state.get(module) != "open", " -> ".join([*trail, module])
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            visit(target, [*trail, module])
        state[module] = "done"

    for module in sorted(graph):
        visit(module, [])


def test_no_module_of_the_fake_is_over_400_lines() -> None:
    for path in FAKE.rglob("*.py"):
        if path.name != "_windows_time_zones.py":  # a table transcribed from Microsoft
            assert len(path.read_text().splitlines()) <= 400, path.name


def test_no_class_of_the_fake_is_over_300_lines() -> None:
    for path in FAKE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                assert length <= 300, f"{path.name}: {node.name} has {length} lines"


# -- the SDK's rooms: the converter and the patch-mode rules stand on the models alone --------

PURE_ROOMS = {"_serde": {"models", "_exceptions"}, "_rules": {"models", "_exceptions"}}


@pytest.mark.parametrize("room", sorted(PURE_ROOMS))
def test_the_converter_and_the_rules_import_only_the_models_and_errors(room: str) -> None:
    for path in sorted((ROOT / "azpatch" / room).glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                target = (node.module or "").split(".")[0]
                inside = node.level == 1
                assert inside or target in PURE_ROOMS[room], f"{path.name} imports {target}"


# -- the fleet room: a sans-I/O core the runners drive ---------------------------------------

FLEET_DRIVERS = {"_runner.py", "_checkpoint.py"}  # they send, sleep and write files
IO_MODULES = {"asyncio", "concurrent", "socket", "threading", "time", "os", "pathlib"}


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (ROOT / "azpatch" / "_fleet").glob("*.py") if p.name not in FLEET_DRIVERS),
    ids=lambda p: p.name,
)
def test_the_fleet_core_does_no_io_and_knows_no_client(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            module = node.module or ""
            assert module.split(".")[0] not in ("_client", "_async_client", "_runner"), path.name
            assert not module.startswith("_checkpoint"), path.name
        if isinstance(node, ast.Import):
            assert not {a.name.split(".")[0] for a in node.names} & IO_MODULES, path.name
