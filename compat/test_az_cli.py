"""The az CLI (installed from PyPI into the compat session's own virtual environment) against
``serve``: ``az cloud register`` from the emulator's own metadata, ``az login --identity``,
features, providers, groups and the VM patching commands, including an update the patch-mode
rules refuse. It runs in a network namespace of its own holding only loopback, so az can
reach nothing but the emulator."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

DRIVER = Path(__file__).parent / "az" / "drive.py"


@pytest.fixture(scope="module")
def az_results(tls: tuple[Path, Path]) -> dict[str, Any]:
    az = os.environ.get("AZPATCH_AZ")
    if not az:
        pytest.skip("AZPATCH_AZ names the az to test; nox -s compat installs one")
    unshare = shutil.which("unshare")
    assert unshare, "util-linux's unshare keeps az inside a loopback-only network namespace"
    cert, key = tls
    ran = subprocess.run(
        [unshare, "-rn", "--fork", sys.executable, str(DRIVER), az, str(cert), str(key)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr[-4000:]
    results: dict[str, Any] = json.loads(ran.stdout.strip().splitlines()[-1])
    return results


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("feature_show", "Registered"),
        ("provider_show", "Registered"),
        ("group_create", "rg"),
        ("group_exists", True),
        ("vm_put", "vm1"),
        ("vm_show", "AutomaticByOS"),
        ("instance_view", "2.10.0.8"),
        ("vm_list", ["vm1"]),
        ("assess", ["Succeeded", 3]),
        ("install", ["Succeeded", 3]),
        ("update", "AutomaticByPlatform"),
        ("after", "AutomaticByPlatform"),
        ("sp_list", ["vm1"]),
    ],
)
def test_az_against_the_emulator(az_results: dict[str, Any], step: str, expected: object) -> None:
    result = az_results[step]
    assert (result["rc"], result["out"]) == (0, expected), result["err"]


def test_az_logs_in_with_the_emulators_managed_identity(az_results: dict[str, Any]) -> None:
    login = az_results["login"]
    assert login["rc"] == 0, login["err"]
    assert login["out"][0]["id"] == "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
    assert login["out"][0]["user"]["assignedIdentityInfo"] == "MSI"


def test_az_logs_in_as_a_service_principal(az_results: dict[str, Any]) -> None:
    login = az_results["sp_login"]
    assert login["rc"] == 0, login["err"]
    assert login["out"][0]["user"] == {"name": "my-app", "type": "servicePrincipal"}


def test_az_shows_the_refusal_of_the_patch_mode_rules(az_results: dict[str, Any]) -> None:
    refused = az_results["refused"]
    assert refused["rc"] != 0
    assert "(InvalidParameter)" in refused["err"]
    assert "enableAutomaticUpdates" in refused["err"]
