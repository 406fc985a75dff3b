"""``python -m azpatch_fake serve``: a real server on loopback, driven by azpatch over HTTP."""

from __future__ import annotations

import json
import signal
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

import azpatch
from azpatch_fake import FakeAzure
from azpatch_fake._doors._server import serve

from ..serving import serving


@pytest.fixture
def served() -> Iterator[FakeAzure]:
    fake = FakeAzure(seed=1, retry_after=0)
    fake.add_vm("rg", "vm1", os_type="Windows")
    # 1000 virtual seconds per real second: a two-minute assessment takes 0.12 s.
    with serving(fake, time_scale=1000.0):
        yield fake


def test_azpatch_over_real_http(served: FakeAzure) -> None:
    with azpatch.Client(
        served.subscription_id,
        azpatch.StaticTokenCredential("t"),
        base_url=served.base_url,
        polling=azpatch.PollingPolicy(min_interval=0.05),
    ) as client:
        assert client.virtual_machines.get("rg", "vm1").name == "vm1"
        result = client.virtual_machines.assess_patches("rg", "vm1", timeout=30)
        assert result.succeeded
        assert result.critical_and_security_patch_count == 3


def test_concurrent_patches_honour_etags(served: FakeAzure) -> None:
    url = (
        f"{served.base_url}/subscriptions/{served.subscription_id}/resourceGroups/rg"
        "/providers/Microsoft.Compute/virtualMachines/vm1?api-version=2025-11-01"
    )
    etag = httpx.get(url).headers["ETag"]
    body = {"tags": {"owner": "x"}}
    results: list[int] = []

    def patch() -> None:
        results.append(httpx.patch(url, json=body, headers={"If-Match": etag}).status_code)

    threads = [threading.Thread(target=patch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [200] + [412] * 7


USERS_OWN = "5b8e2f1c-3a7d-4c9e-8f6a-1d2b3c4e5f60"  # a subscription the server never saw


@contextmanager
def _serving(*flags: str, lines: int = 1) -> Iterator[list[str]]:
    """``python -m azpatch_fake serve`` with ``flags``: its first ``lines`` lines; on leaving,
    SIGTERM, which it must answer with exit status 0."""
    with subprocess.Popen(
        [sys.executable, "-m", "azpatch_fake", "serve", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        yield [process.stdout.readline().strip() for _ in range(lines)]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def _provider_of(base: str, subscription: str) -> httpx.Response:
    return httpx.get(
        f"{base}/subscriptions/{subscription}/providers/Microsoft.Compute?api-version=2024-07-01"
    )


@pytest.mark.parametrize(
    ("flags", "status"), [((), 200), (("--strict-subscriptions",), 404)], ids=["default", "strict"]
)
def test_the_command_line_prints_where_it_listens_and_stops_on_sigterm(
    flags: tuple[str, ...], status: int
) -> None:
    with _serving(*flags) as (line,):
        assert line.startswith("listening on http://127.0.0.1:")
        base = line.removeprefix("listening on ")
        first = _provider_of(base, "00000000-0000-0000-0000-00000000000a")
        assert first.json()["registrationState"] == "NotRegistered"
        # A script's own subscription id exists on first use, unless --strict-subscriptions.
        response = _provider_of(base, USERS_OWN)
        assert response.status_code == status
        if flags:
            assert response.json()["error"]["code"] == "SubscriptionNotFound"


def test_tls(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    fake = FakeAzure()
    ready, stop = threading.Event(), threading.Event()
    options = {"ready": ready, "stop": stop, "tls_cert": str(cert), "tls_key": str(key)}
    worker = threading.Thread(target=serve, args=(fake,), kwargs=options)
    worker.start()
    try:
        assert ready.wait(10)
        assert fake.base_url.startswith("https://127.0.0.1:")
        url = f"{fake.base_url}/subscriptions/{fake.subscription_id}/providers/Microsoft.Compute"
        context = ssl.create_default_context(cafile=str(cert))
        response = httpx.get(url, params={"api-version": "2024-07-01"}, verify=context)
        assert response.json()["namespace"] == "Microsoft.Compute"
    finally:
        stop.set()
        worker.join(10)


def _served_lines(*flags: str) -> tuple[list[str], str]:
    """The first lines ``serve`` prints with ``flags``, and the VM names of its first page."""
    with _serving(*flags, lines=3) as lines:
        base = lines[0].removeprefix("listening on ")
        subscription = lines[2].removeprefix("export AZURE_SUBSCRIPTION_ID=")
        listed = httpx.get(
            f"{base}/subscriptions/{subscription}/providers/Microsoft.Compute/virtualMachines",
            params={"api-version": "2024-07-01"},
        ).json()["value"]
    return lines, " ".join(vm["name"] for vm in listed)


def test_the_example_world_starts_populated() -> None:
    lines, names = _served_lines("--example-world")
    assert lines[0].startswith("listening on http://127.0.0.1:")
    assert "VMs" in lines[1]
    assert names  # the demo fleet, in its first subscription


def test_a_fleet_file_starts_populated(tmp_path: Path) -> None:
    from azpatch_fake import example_fleet

    fleet = tmp_path / "fleet.json"
    fleet.write_text(json.dumps(example_fleet(12, seed=2)), encoding="utf-8")
    lines, names = _served_lines("--fleet", str(fleet))
    assert "12 VMs" in lines[1]
    assert names


def test_a_missing_fleet_file_is_one_line_and_exit_status_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "azpatch_fake", "serve", "--fleet", str(tmp_path / "nope.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


def test_a_reset_loads_the_fleet_it_is_given() -> None:
    from azpatch_fake import example_fleet, remote

    with _serving("--example-world") as (line,):
        base = line.removeprefix("listening on ")
        with remote(base) as control:
            assert control.health()["vms"] > 100
            assert control.reset(example_fleet(5, seed=1))["vms"] == 5
            assert control.reset()["vms"] > 100  # as the server started
