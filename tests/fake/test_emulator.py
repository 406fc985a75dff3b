"""``serve`` as an emulator, through real sockets: identity, subscriptions, pacing, the
request log, and HTTP that misbehaves."""

from __future__ import annotations

import base64
import io
import json
import socket
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

import azpatch
from azpatch_fake import FakeAzure
from azpatch_fake._doors._server import serve

MINE = "6e1f0a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"


class Emulator:
    def __init__(self, fake: FakeAzure, out: io.StringIO, log: io.StringIO) -> None:
        self.fake, self.out, self.log = fake, out, log

    @property
    def url(self) -> str:
        return self.fake.base_url

    def exports(self) -> dict[str, str]:
        lines = self.out.getvalue().splitlines()
        pairs = [line.removeprefix("export ").split("=", 1) for line in lines]
        return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


def _start(**options: Any) -> Iterator[Emulator]:
    fake = FakeAzure(seed=1, subscription_id=MINE)
    fake.add_vm("rg", "vm1", os_type="Windows", subscription_id=MINE)
    out, log = io.StringIO(), io.StringIO()
    ready, stop = threading.Event(), threading.Event()
    kwargs = {"ready": ready, "stop": stop, "out": out, "request_log": log, **options}
    worker = threading.Thread(target=serve, args=(fake,), kwargs=kwargs)
    worker.start()
    assert ready.wait(10)
    yield Emulator(fake, out, log)
    stop.set()
    worker.join(10)
    assert not worker.is_alive()


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    yield from _start()


@pytest.fixture
def strict_emulator() -> Iterator[Emulator]:
    yield from _start(require_auth=True)


def _arm(url: str, path: str, version: str = "2022-12-01") -> str:
    return f"{url}{path}?api-version={version}"


def test_the_first_line_says_where_and_the_rest_can_be_evaluated(emulator: Emulator) -> None:
    lines = emulator.out.getvalue().splitlines()
    assert lines[0] == f"listening on {emulator.url}"
    assert all(line.startswith(("export ", "#")) for line in lines[1:])
    exports = emulator.exports()
    assert exports["AZURE_SUBSCRIPTION_ID"] == MINE
    assert exports["IDENTITY_ENDPOINT"] == f"{emulator.url}/msi/token"
    assert exports["AZURE_AUTHORITY_HOST"] == emulator.url


def test_subscriptions_and_tenants_in_arms_shapes(emulator: Emulator) -> None:
    other = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
    assert httpx.get(_arm(emulator.url, f"/subscriptions/{other}")).status_code == 200
    listed = httpx.get(_arm(emulator.url, "/subscriptions")).json()["value"]
    assert [s["subscriptionId"] for s in listed] == [MINE, other]
    assert listed[0]["state"] == "Enabled"
    assert listed[0]["tenantId"] == emulator.fake.tenant_id
    tenants = httpx.get(_arm(emulator.url, "/tenants")).json()["value"]
    assert [t["tenantId"] for t in tenants] == [emulator.fake.tenant_id]


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def test_the_managed_identity_endpoint_issues_jwt_shaped_tokens(emulator: Emulator) -> None:
    exports = emulator.exports()
    endpoint = exports["IDENTITY_ENDPOINT"]
    params = {"api-version": "2019-08-01", "resource": "https://management.azure.com"}
    refused = httpx.get(endpoint, params=params)
    assert refused.status_code == 401
    granted = httpx.get(
        endpoint, params=params, headers={"X-IDENTITY-HEADER": exports["IDENTITY_HEADER"]}
    ).json()
    claims = _claims(granted["access_token"])
    assert claims["tid"] == emulator.fake.tenant_id
    assert claims["aud"] == "https://management.azure.com"
    assert {"oid", "exp"} <= set(claims)
    assert int(granted["expires_on"]) == claims["exp"]


def test_client_credentials_and_the_discovery_documents(emulator: Emulator) -> None:
    tenant = emulator.fake.tenant_id
    config = httpx.get(f"{emulator.url}/{tenant}/v2.0/.well-known/openid-configuration").json()
    assert config["token_endpoint"] == f"{emulator.url}/{tenant}/oauth2/v2.0/token"
    form = {
        "grant_type": "client_credentials",
        "client_id": "my-app",
        "client_secret": "s3cret",
        "scope": "https://management.azure.com/.default",
    }
    token = httpx.post(config["token_endpoint"], data=form).json()
    assert token["token_type"] == "Bearer"
    assert _claims(token["access_token"])["oid"] == "my-app"


def test_require_auth_answers_401_as_arm_does(strict_emulator: Emulator) -> None:
    url = _arm(strict_emulator.url, f"/subscriptions/{MINE}")
    missing = httpx.get(url)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "AuthenticationFailed"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer authorization_uri=")
    forged = httpx.get(url, headers={"Authorization": "Bearer forged"})
    assert forged.json()["error"]["code"] == "InvalidAuthenticationToken"
    exports = strict_emulator.exports()
    granted = httpx.get(
        exports["IDENTITY_ENDPOINT"],
        params={"api-version": "2019-08-01", "resource": "https://management.azure.com"},
        headers={"X-IDENTITY-HEADER": exports["IDENTITY_HEADER"]},
    ).json()["access_token"]
    assert httpx.get(url, headers={"Authorization": f"Bearer {granted}"}).status_code == 200


def test_with_no_flags_an_assessment_and_an_installation_end_at_the_first_poll(
    emulator: Emulator,
) -> None:
    with azpatch.Client(MINE, azpatch.StaticTokenCredential("t"), base_url=emulator.url) as client:
        for step in (
            lambda: client.virtual_machines.begin_assess_patches("rg", "vm1"),
            lambda: client.virtual_machines.begin_install_patches(
                "rg",
                "vm1",
                azpatch.models.VirtualMachineInstallPatchesParameters(
                    reboot_setting="IfRequired",
                    windows_parameters=azpatch.models.WindowsParameters(
                        classifications_to_include=("Critical", "Security")
                    ),
                ),
            ),
        ):
            poller = step()
            assert poller.result(timeout=30).succeeded
    paths = [json.loads(line)["path"] for line in emulator.log.getvalue().splitlines()]
    # Each polled once, a second after it was accepted (Retry-After: 1), found done, and its
    # result read from Location: two requests to the operation each.
    assert sum("/operations/" in path for path in paths) == 4


def test_the_request_log_says_what_was_asked_and_never_a_token(emulator: Emulator) -> None:
    headers = {"Authorization": "Bearer very-secret", "x-ms-client-request-id": "abc-123"}
    httpx.get(_arm(emulator.url, "/subscriptions/not-a-guid"), headers=headers)
    entry = json.loads(emulator.log.getvalue().splitlines()[-1])
    assert entry["status"] == 400
    assert entry["error_code"] == "InvalidSubscriptionId"
    assert entry["api_version"] == "2022-12-01"
    assert entry["client_request_id"] == "abc-123"
    assert "very-secret" not in emulator.log.getvalue()


def _raw(emulator: Emulator, data: bytes) -> bytes:
    host, port = emulator.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(data)
        received = b""
        while b"\r\n\r\n" not in received and (chunk := connection.recv(65536)):
            received += chunk
        connection.settimeout(0.5)  # what follows the head, if the server closes at once
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except TimeoutError:
            pass  # kept alive: the answer is complete
        return received


def test_a_body_over_the_limit_is_refused_before_it_is_read_and_smuggles_nothing(
    emulator: Emulator,
) -> None:
    path = f"/subscriptions/{MINE}/resourceGroups/rg/providers/Microsoft.Compute"
    path += "/virtualMachines/vm1?api-version=2024-07-01"
    body = '{"tags": {"owner": "x"}}'
    hidden = f"PATCH {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n{body}"
    head = f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {2 << 20}\r\n\r\n".encode()
    answer = _raw(emulator, head + hidden.encode())
    assert answer.startswith(b"HTTP/1.1 413")
    assert answer.count(b"HTTP/1.1") == 1
    assert emulator.fake.vm("rg", "vm1", subscription_id=MINE).tags == {}


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: [::1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nX-Name: caf\u00e9\r\n\r\n".encode(),
        b"GET http://elsewhere.example/subscriptions HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
    ids=["length-not-a-number", "negative-length", "bad-host", "non-ascii-header", "absolute"],
)
def test_malformed_http_gets_an_answer_and_the_server_stays_up(
    emulator: Emulator, request_bytes: bytes
) -> None:
    answer = _raw(emulator, request_bytes)
    assert answer.startswith(b"HTTP/1.1 4"), answer[:80]
    assert httpx.get(_arm(emulator.url, "/tenants")).status_code == 200


def test_idle_connections_and_a_half_sent_request_do_not_stall_others(emulator: Emulator) -> None:
    host, port = emulator.url.removeprefix("http://").rsplit(":", 1)
    idle = [socket.create_connection((host, int(port)), timeout=5) for _ in range(200)]
    stalled = socket.create_connection((host, int(port)), timeout=5)
    stalled.sendall(b"PUT /subscriptions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
    try:
        with httpx.Client(timeout=5) as client:
            for _ in range(20):  # a stalled server would time out here
                assert client.get(_arm(emulator.url, "/tenants")).status_code == 200
    finally:
        for connection in [*idle, stalled]:
            connection.close()


def test_sixteen_writers_with_if_match_lose_no_update(emulator: Emulator) -> None:
    url = f"{emulator.url}/subscriptions/{MINE}/resourceGroups/rg/providers"
    url += "/Microsoft.Compute/virtualMachines/vm1?api-version=2024-07-01"

    def writer(index: int) -> None:
        with httpx.Client(timeout=10) as client:
            while True:
                current = client.get(url)
                tags = dict(current.json().get("tags") or {})
                tags[f"w{index}"] = "1"
                patched = client.patch(
                    url, json={"tags": tags}, headers={"If-Match": current.headers["ETag"]}
                )
                if patched.status_code == 200:
                    return
                assert patched.status_code == 412

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    tags = emulator.fake.vm("rg", "vm1", subscription_id=MINE).tags
    assert sorted(tags) == sorted(f"w{i}" for i in range(16))


VM_PATH = f"/subscriptions/{MINE}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines"
NEW_VM = {
    "location": "westeurope",
    "properties": {"storageProfile": {"imageReference": {"publisher": "Canonical"}}},
}


def _deep(depth: int) -> bytes:
    return b'{"location": "westeurope", "tags": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "code"),
    [
        ("PUT", f"{VM_PATH}/deep", _deep(100_000), {}, 400, "InvalidRequestContent"),
        ("PUT", f"{VM_PATH}/notjson", b"{not json", {}, 400, "InvalidRequestContent"),
        ("PUT", f"{VM_PATH}/typed", b'{"location": 7}', {}, 400, "InvalidParameter"),
        (
            "POST",
            f"{VM_PATH}/vm1/installPatches",
            b'{"maximumDuration": "P1000000000D", "rebootSetting": "Never"}',
            {},
            400,
            "InvalidParameter",
        ),
        ("GET", f"{VM_PATH}?$skiptoken=abc", b"", {}, 400, "InvalidParameter"),
        (
            "PUT",
            f"{VM_PATH}/ghost",
            json.dumps(NEW_VM).encode(),
            {"If-Match": "*"},
            412,
            "PreconditionFailed",
        ),
        (
            "PUT",
            f"{VM_PATH}/ends-with-dot.",
            json.dumps(NEW_VM).encode(),
            {},
            400,
            "InvalidResourceName",
        ),
        ("PUT", f"{VM_PATH}/star*", json.dumps(NEW_VM).encode(), {}, 400, "InvalidResourceName"),
        (
            "PUT",
            f"{VM_PATH}/{'v' * 65}",
            json.dumps(NEW_VM).encode(),
            {},
            400,
            "InvalidResourceName",
        ),
        (
            "PUT",
            f"/subscriptions/{MINE}/resourceGroups/{'g' * 91}",
            b'{"location": "westeurope"}',
            {},
            400,
            "InvalidResourceGroupName",
        ),
        (
            "PUT",
            f"/subscriptions/{MINE}/resourceGroups/rg²",
            b'{"location": "westeurope"}',
            {},
            400,
            "InvalidResourceGroupName",
        ),
        (
            "PUT",
            f"{VM_PATH}/tagged",
            json.dumps({**NEW_VM, "tags": {f"t{i}": "v" for i in range(40_000)}}).encode(),
            {},
            400,
            "InvalidTag",
        ),
        ("DELETE", f"{VM_PATH}/vm1", b"", {}, 405, "MethodNotAllowed"),
    ],
    ids=[
        "nested-100000-deep",
        "not-json",
        "wrong-type",
        "duration-overflow",
        "bad-skiptoken",
        "if-match-star-on-nothing",
        "name-ends-with-dot",
        "name-with-star",
        "name-too-long",
        "group-name-too-long",
        "group-name-with-superscript-two",
        "forty-thousand-tags",
        "unsupported-method",
    ],
)
def test_bad_input_gets_arms_envelope_and_changes_nothing(
    emulator: Emulator,
    method: str,
    path: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    before = sorted(vm.name for vm in emulator.fake.subscription(MINE).vms.values())
    separator = "&" if "?" in path else "?"
    url = f"{emulator.url}{path}{separator}api-version=2024-07-01"
    response = httpx.request(method, url, content=body, headers=headers, timeout=30)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert sorted(vm.name for vm in emulator.fake.subscription(MINE).vms.values()) == before
    assert json.loads(emulator.log.getvalue().splitlines()[-1])["error_code"] == code
    assert httpx.get(_arm(emulator.url, "/tenants")).status_code == 200


def test_an_unknown_api_version_is_refused_with_the_supported_ones(emulator: Emulator) -> None:
    response = httpx.get(f"{emulator.url}{VM_PATH}/vm1?api-version=2001-01-01")
    error = response.json()["error"]
    assert (response.status_code, error["code"]) == (400, "InvalidApiVersionParameter")
    assert "2020-06-01" in error["message"]


def test_head_on_a_resource_group_says_whether_it_exists(emulator: Emulator) -> None:
    group = f"{emulator.url}/subscriptions/{MINE}/resourcegroups"
    assert httpx.head(f"{group}/rg?api-version=2022-09-01").status_code == 204
    assert httpx.head(f"{group}/nope?api-version=2022-09-01").status_code == 404


def test_a_chunked_body_is_read(emulator: Emulator) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"tags": '
        yield b'{"via": "chunks"}}'

    url = f"{emulator.url}{VM_PATH}/vm1?api-version=2024-07-01"
    assert httpx.patch(url, content=chunks()).status_code == 200
    assert emulator.fake.vm("rg", "vm1", subscription_id=MINE).tags == {"via": "chunks"}


def test_the_control_plane_drives_the_served_world(emulator: Emulator) -> None:
    from azpatch_fake import remote

    vm = f"{emulator.url}{VM_PATH}/vm1?api-version=2024-07-01"
    with remote(emulator.url) as control:
        health = control.health()
        assert (health["status"], health["vms"], health["subscriptions"]) == ("ok", 1, [MINE])
        before = datetime.fromisoformat(health["now"])
        assert datetime.fromisoformat(control.advance(3600)["now"]) >= before + timedelta(hours=1)
        control.add_fault("get_vm", "throttle", retry_after=7, times=1)
        throttled = httpx.get(vm)
        assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "1")
        assert httpx.get(vm).status_code == 200  # times=1: once only
        control.add_fault("get_vm", "server_error", status=503)
        assert httpx.get(vm).status_code == 503
        control.clear_faults()
        assert httpx.get(vm).status_code == 200
        journal = control.journal()
        assert [entry["status"] for entry in journal[-4:]] == [429, 200, 503, 200]
        month = control.run_until(datetime(2026, 3, 1, tzinfo=timezone.utc))
        assert month["now"].startswith("2026-03-01")
        assert isinstance(control.timeline(), list)
        with pytest.raises(ValueError, match="InvalidParameter"):
            control.add_fault("get_vm", "earthquake")
        assert control.reset()["vms"] == 0  # a fresh world, as the server started
    assert httpx.get(vm).status_code == 404


def test_the_control_plane_answers_loopback_only() -> None:
    from azpatch_fake._doors._control import ControlPlane

    control = ControlPlane(FakeAzure(), lambda fleet: FakeAzure(), allowed_clients=("10.1.2.3",))
    assert control.allows("127.0.0.1")
    assert control.allows("::1")
    assert control.allows("10.1.2.3")  # --control-from
    assert not control.allows("10.9.9.9")
    assert not control.allows(None)
    refused = control.answer(httpx.Request("GET", "http://x/azpatch-fake/health"), "10.9.9.9")
    assert refused.status_code == 403
