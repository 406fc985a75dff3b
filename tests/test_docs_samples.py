"""Every Python sample in the README and docs/ runs, against a fake world instead of Azure.

Samples are run as written. Those written for real Azure build their client
from ``azure.identity``: here ``DefaultAzureCredential`` is the fake's
credential and the client is wired to the fake's transport and virtual clock,
as a user's hermetic test would do. Fragments that continue an earlier
example find ``client``, ``fake``, ``vm``-level names and ``pytest`` ready.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import io
import re
import sys
import textwrap
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import azpatch
from azpatch import models as m
from azpatch_fake import FakeAzure
from azpatch_fake._doors._clients import async_client as async_client_of
from azpatch_fake._doors._clients import sync_client
from azpatch_fake._doors._server import serve

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^( *)```python\n(.*?)^\1```", re.DOTALL | re.MULTILINE)
PROJECT_FILE = "# file: "
EXAMPLE_URL = "http://127.0.0.1:41789"  # where the emulator page's samples find a server
INSTALL_RESULT = {"status": "Succeeded", "installedPatchCount": 2, "rebootStatus": "NotNeeded"}


def _samples(page: Path) -> Iterator[tuple[int, str]]:
    """(line, source) of each sample of the page, in order; files of a user's project
    (``# file: NAME.py``) are run by pytest itself, in compat/test_testing_page.py."""
    text = page.read_text(encoding="utf-8")
    for match in BLOCK.finditer(text):
        source = textwrap.dedent(match.group(2))
        if not source.startswith(PROJECT_FILE):
            yield text.count("\n", 0, match.start()) + 2, source


def _world() -> FakeAzure:
    fake = FakeAzure(seed=1)
    for group, name in (("my-rg", "my-vm"), ("rg", "vm1"), ("rg", "web1")):
        fake.add_vm(group, name, os_type="Windows")
    return fake


def _azpatch_on(fake: FakeAzure) -> types.ModuleType:
    """``azpatch`` as a sample imports it, its clients wired to the fake."""
    shim = types.ModuleType("azpatch")
    shim.__dict__.update({name: getattr(azpatch, name) for name in azpatch.__all__})
    shim.models = m  # type: ignore[attr-defined]

    def client(subscription_id: str, credential: Any, **options: Any) -> azpatch.Client:
        return sync_client(fake, **options)

    def async_client(subscription_id: str, credential: Any, **options: Any) -> Any:
        options.pop("transport", None)  # the fake's own transport takes its place
        return async_client_of(fake, **options)

    shim.Client = client  # type: ignore[attr-defined]
    shim.AsyncClient = async_client  # type: ignore[attr-defined]
    return shim


def _identity(fake: FakeAzure) -> types.ModuleType:
    identity = types.ModuleType("azure.identity")
    identity.DefaultAzureCredential = lambda: fake.credential  # type: ignore[attr-defined]
    aio = types.ModuleType("azure.identity.aio")
    aio.DefaultAzureCredential = lambda: fake.credential  # type: ignore[attr-defined]
    identity.aio = aio  # type: ignore[attr-defined]
    return identity


def test_every_page_with_code_is_checked() -> None:
    project_files = sum(
        page.read_text("utf-8").count(f"```python\n{PROJECT_FILE}") for page in PAGES
    )
    assert project_files >= 4
    assert sum(1 for page in PAGES for _ in _samples(page)) + project_files >= 18


@pytest.mark.parametrize("page", [p for p in PAGES if any(_samples(p))], ids=lambda p: p.name)
def test_samples_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's samples run in order, in one namespace: later ones continue earlier ones."""
    fake = _world()
    identity = _identity(fake)
    azure = types.ModuleType("azure")
    azure.identity = identity  # type: ignore[attr-defined]
    for name, module in {
        "azure": azure,
        "azure.identity": identity,
        "azure.identity.aio": identity.aio,  # type: ignore[attr-defined]
        "azpatch": _azpatch_on(fake),
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setitem(sys.modules, "azpatch.models", m)
    with fake.client() as client:
        names: dict[str, Any] = {
            "__name__": "sample",
            "azure": azure,
            "azpatch": sys.modules["azpatch"],
            "client": client,
            "fake": fake,
            "pytest": pytest,
            "m": m,
            "subscription_id": fake.subscription_id,
            "response_json": INSTALL_RESULT,
            "parameters": m.VirtualMachineInstallPatchesParameters(
                reboot_setting="IfRequired",
                windows_parameters=m.WindowsParameters(classifications_to_include=("Security",)),
            ),
        }
        with _served_if_needed(page) as url:
            for line, source in _samples(page):
                _run(source.replace(EXAMPLE_URL, url), f"{page.name}:{line}", names)
        for name, value in list(names.items()):  # a sample that is a test: run it too
            if name.startswith("test_") and callable(value):
                fixtures = {"azpatch_fake": fake, "azpatch_client": client}
                wanted = inspect.signature(value).parameters
                value(**{name: fixtures[name] for name in wanted})


@contextmanager
def _served_if_needed(page: Path) -> Iterator[str]:
    """For a page whose samples talk to ``serve`` at ``EXAMPLE_URL``: a server there."""
    if EXAMPLE_URL not in page.read_text(encoding="utf-8"):
        yield EXAMPLE_URL
        return
    fake, ready, stop = FakeAzure(), threading.Event(), threading.Event()
    options = {"ready": ready, "stop": stop, "out": io.StringIO()}
    worker = threading.Thread(target=serve, args=(fake,), kwargs=options)
    worker.start()
    try:
        assert ready.wait(10)
        yield fake.base_url
    finally:
        stop.set()
        worker.join(10)


def _run(source: str, where: str, names: dict[str, Any]) -> None:
    code = compile(source, where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    if code.co_flags & inspect.CO_COROUTINE:
        asyncio.run(eval(code, names))
    else:
        exec(code, names)
