"""azure-identity's ClientSecretCredential through the emulator's client-credentials token
endpoint, over https with the emulator's certificate, against ``--require-auth``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.identity import ClientSecretCredential
from azure.mgmt.compute import ComputeManagementClient

SUBSCRIPTION = "8e7d6c5b-4a39-4281-9f0e-1d2c3b4a5968"


@pytest.fixture(scope="module")
def served(tls: tuple[Path, Path]) -> Iterator[tuple[str, str, Path]]:
    cert, key = tls
    command = [sys.executable, "-m", "azpatch_fake", "serve", "--require-auth", "--example-world"]
    command += ["--subscription", SUBSCRIPTION, "--tls-cert", str(cert), "--tls-key", str(key)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:
        assert server.stdout is not None
        url = server.stdout.readline().strip().removeprefix("listening on ")
        tenant = ""
        while not tenant:
            line = server.stdout.readline()
            if line.startswith("export AZURE_TENANT_ID="):
                tenant = line.strip().partition("=")[2]
        yield url, tenant, cert
        server.terminate()


def test_a_service_principal_lists_vms(
    served: tuple[str, str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, tenant, cert = served
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    credential = ClientSecretCredential(
        tenant, "my-app", "s3cret", authority=url, disable_instance_discovery=True
    )
    token = credential.get_token("https://management.azure.com/.default")
    assert token.token.count(".") == 2  # JWT-shaped
    compute = ComputeManagementClient(credential, SUBSCRIPTION, base_url=url)
    assert list(compute.virtual_machines.list_all()) == []  # an invented subscription: empty
