"""The Azure SDK for JavaScript (``@azure/arm-compute``, ``@azure/arm-resources``,
``@azure/arm-features``, ``@azure/identity`` from npm, run with the machine's node) against
``serve`` over https with a CA file, on a subscription id this test invents, with
``--require-auth`` and the SDK's own ManagedIdentityCredential. ``nox -s compat`` runs
``npm ci`` in compat/js first."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

JS = Path(__file__).parent / "js"
SUBSCRIPTION = "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091"


@pytest.fixture(scope="module")
def served(tls: tuple[Path, Path]) -> Iterator[tuple[dict[str, str], Path]]:
    cert, key = tls
    command = [sys.executable, "-m", "azpatch_fake", "serve", "--require-auth"]
    command += ["--subscription", SUBSCRIPTION, "--tls-cert", str(cert), "--tls-key", str(key)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:
        assert server.stdout is not None
        assert server.stdout.readline().startswith("listening on https://")
        exports: dict[str, str] = {}
        while "AZURE_AUTHORITY_HOST" not in exports:
            name, _, value = server.stdout.readline().removeprefix("export ").strip().partition("=")
            exports[name] = value
        yield exports, cert
        server.terminate()


def test_the_javascript_sdk_patches_a_vm(served: tuple[dict[str, str], Path]) -> None:
    exports, cert = served
    node = shutil.which("node")
    assert node, "node is needed: the compat session runs the JavaScript SDK"
    assert (JS / "node_modules").is_dir(), "run `npm ci --prefix compat/js` (nox -s compat does)"
    environment = {
        **os.environ,
        **{k: v for k, v in exports.items() if not k.startswith("#")},
        "NODE_EXTRA_CA_CERTS": str(cert),
    }
    ran = subprocess.run(
        [node, "patching.mjs"],
        cwd=JS,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout.strip().splitlines()[-1])
    assert result["feature"] == "Registering"
    assert result["provider"] == "Registering"
    assert result["created"] == "Succeeded"
    assert result["patchMode"] == "AutomaticByPlatform"
    assert result["password"] is None  # write-only, never echoed
    assert result["listed"] == ["web1"]
    assert result["assessment"] == ["Succeeded", 3]
    assert result["installation"] == ["Succeeded", 3]
    assert result["refused"] == {"status": 400, "code": "InvalidParameter"}  # R6
    assert result["patchModeAfter"] == "AutomaticByPlatform"  # the refusal changed nothing
