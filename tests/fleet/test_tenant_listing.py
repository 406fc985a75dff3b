"""The tenant's listing as Azure may answer it: pages, and subscriptions that cannot be patched."""

from __future__ import annotations

import httpx

import azpatch
from azpatch import OutcomeStatus

HOME = "00000000-0000-0000-0000-00000000000a"
DISABLED = "00000000-0000-0000-0000-00000000000b"
PAST_DUE = "00000000-0000-0000-0000-00000000000c"
ROOT = "https://management.azure.com"


def subscription(subscription_id: str, state: str) -> dict[str, str]:
    return {
        "id": f"/subscriptions/{subscription_id}",
        "subscriptionId": subscription_id,
        "displayName": "x",
        "state": state,
    }


def vm(subscription_id: str, name: str) -> dict[str, str]:
    return {
        "id": f"/subscriptions/{subscription_id}/resourceGroups/rg/providers/"
        f"Microsoft.Compute/virtualMachines/{name}",
        "name": name,
        "location": "westeurope",
    }


def azure(request: httpx.Request) -> httpx.Response:
    """Two pages of subscriptions; a VM in each readable one; every status read answers."""
    path = request.url.path
    if path == "/subscriptions" and "page" not in request.url.params:
        body = {
            "value": [subscription(HOME, "Enabled"), subscription(DISABLED, "disabled")],
            "nextLink": f"{ROOT}/subscriptions?api-version=2022-12-01&page=2",
        }
    elif path == "/subscriptions":
        body = {"value": [subscription(PAST_DUE, "PastDue"), subscription(HOME, "Enabled")]}
    elif path.endswith("/virtualMachines"):
        sub = path.split("/")[2]
        body = {"value": [vm(sub, f"vm-{sub[-1]}")]}
    else:
        body = vm(path.split("/")[2], path.rsplit("/", 1)[1])
    return httpx.Response(200, json=body)


def test_disabled_subscriptions_are_skipped_and_every_page_is_read() -> None:
    http = httpx.Client(transport=httpx.MockTransport(azure))
    credential = azpatch.StaticTokenCredential("a-secret-token")
    with azpatch.Client(HOME, credential, http_client=http) as client:
        outcomes = {o.target: o for o in client.fleet.status("/subscriptions")}
    vms = {f"{vm(s, 'vm-' + s[-1])['id']}" for s in (HOME, PAST_DUE)}
    assert set(outcomes) == {f"/subscriptions/{DISABLED}", *vms}
    skipped = outcomes[f"/subscriptions/{DISABLED}"]
    assert (skipped.status, skipped.code) == (OutcomeStatus.SKIPPED, "SubscriptionDisabled")
    assert "Disabled" in (skipped.message or "")
    assert all(outcomes[v].status is OutcomeStatus.SUCCEEDED for v in vms)


def test_a_listing_that_names_no_subscription_fails_that_target_alone() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"value": [{"id": "/subscriptions/nope"}]})

    http = httpx.Client(transport=httpx.MockTransport(broken))
    credential = azpatch.StaticTokenCredential("a-secret-token")
    with azpatch.Client(HOME, credential, http_client=http) as client:
        (outcome,) = client.fleet.assess("/subscriptions")
    assert outcome.target == "/subscriptions"
    assert outcome.status is OutcomeStatus.FAILED
    assert "nope" in (outcome.message or "")
