"""The public surface is explicit: what ``__all__`` says, and nothing else without an underscore."""

from __future__ import annotations

import enum
import importlib
import importlib.metadata
import inspect
import pkgutil
import subprocess
import sys
import types
import typing
from pathlib import Path

import pytest

import azpatch
import azpatch.models
import azpatch_fake

PACKAGES = [azpatch, azpatch.models, azpatch_fake]
TYPING_NAMES = {"annotations", "TYPE_CHECKING", "Any"}
PUBLIC_MODULES = {"azpatch": {"models"}, "azpatch.models": set(), "azpatch_fake": {"pytest_plugin"}}


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_all_is_sorted_and_complete(package: types.ModuleType) -> None:
    exported = package.__all__
    assert exported == sorted(exported)
    for name in exported:  # names loaded on first use resolve too
        getattr(package, name)
    public = {
        name
        for name, value in vars(package).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name not in TYPING_NAMES
    }
    assert public == set(exported) - {"__version__"}
    assert set(dir(package)) >= set(exported)


def test_importing_azpatch_leaves_the_http_stack_for_first_use() -> None:
    code = (
        "import sys, azpatch; assert 'httpx' not in sys.modules;"
        " azpatch.Client; assert 'httpx' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_only_intended_modules_are_public(package: types.ModuleType) -> None:
    modules = {info.name for info in pkgutil.iter_modules(package.__path__)}
    assert {name for name in modules if not name.startswith("_")} == PUBLIC_MODULES[
        package.__name__
    ]


@pytest.mark.parametrize("package", ["azpatch", "azpatch_fake"])
def test_packages_ship_py_typed(package: str) -> None:
    module = importlib.import_module(package)
    assert (Path(module.__file__ or "").parent / "py.typed").is_file()


def test_every_model_and_enum_is_exported() -> None:
    defined = set()
    for info in pkgutil.iter_modules(azpatch.models.__path__):
        module = importlib.import_module(f"azpatch.models.{info.name}")
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and value.__module__ == module.__name__
                and not name.startswith("_")
                and (issubclass(value, azpatch.models.WireModel) or issubclass(value, enum.Enum))
            ):
                defined.add(name)
    assert defined <= set(azpatch.models.__all__)
    assert len(defined) > 60


def test_version_comes_from_the_distribution() -> None:
    assert azpatch.__version__ == importlib.metadata.version("azpatch")


def test_unknown_attributes_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        azpatch.nope  # type: ignore[attr-defined]  # noqa: B018


def _undocumented(owner: str, cls: type) -> list[str]:
    """The public methods and properties ``cls`` defines without a docstring."""
    missing = []
    for name, attribute in vars(cls).items():
        if name.startswith("_"):
            continue
        function = attribute.fget if isinstance(attribute, property) else attribute
        function = getattr(function, "__func__", function)
        if inspect.isfunction(function) and not inspect.getdoc(function):
            missing.append(f"{owner}.{name}")
    return missing


@pytest.mark.parametrize("package", [azpatch, azpatch_fake], ids=lambda p: p.__name__)
def test_every_public_class_function_and_method_has_a_docstring(
    package: types.ModuleType,
) -> None:
    """The API reference shows each with its signature, types and what it is for."""
    missing = []
    for name in package.__all__:
        value = getattr(package, name)
        if inspect.isclass(value) and typing.get_origin(value) is None:  # 3.10: aliases too
            if not value.__doc__ and not issubclass(value, enum.Enum):
                missing.append(name)
            for cls in value.__mro__:  # what it inherits from the package's own classes
                if cls.__module__.split(".")[0] == package.__name__:
                    missing += _undocumented(f"{name} ({cls.__name__})", cls)
        elif inspect.isfunction(value) and not inspect.getdoc(value):
            missing.append(name)
    if package is azpatch:  # what ``client.virtual_machines`` and the others offer
        for module in ("_virtual_machines", "_registration"):
            resources = importlib.import_module(f"azpatch._resources.{module}")
            for name, cls in vars(resources).items():
                if inspect.isclass(cls) and cls.__module__ == resources.__name__:
                    missing += _undocumented(name, cls)
    assert sorted(set(missing)) == []
