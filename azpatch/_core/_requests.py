"""Request builders: one ``httpx.Request`` per ARM call, with path, api-version, headers, body."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import httpx

from .._serde import to_wire
from ..models import VirtualMachineInstallPatchesParameters, VirtualMachineUpdate
from ._context import API_VERSIONS, RequestContext
from ._validation import (
    check_feature_name,
    check_namespace,
    check_resource_group,
    check_vm_name,
)

__all__ = [
    "assess_patches",
    "feature",
    "get_url",
    "install_patches",
    "instance_view",
    "list_features",
    "provider",
    "register_feature",
    "register_provider",
    "subscriptions",
    "unregister_feature",
    "update_virtual_machine",
    "virtual_machine",
    "virtual_machines",
]

_COMPUTE = API_VERSIONS["Microsoft.Compute"]
_FEATURES = API_VERSIONS["Microsoft.Features"]
_RESOURCES = API_VERSIONS["Microsoft.Resources"]
_SUBSCRIPTIONS = API_VERSIONS["Microsoft.Resources/subscriptions"]


def _build(
    ctx: RequestContext,
    method: str,
    path: str,
    *,
    api_version: str,
    params: dict[str, str] | None = None,
    body: object = None,
) -> httpx.Request:
    headers = _headers(ctx)
    content = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        content = json.dumps(body, separators=(",", ":")).encode()
    # Path segments were validated to need no quoting; one string means one URL parse.
    query = urlencode({"api-version": api_version, **(params or {})})
    url = f"{ctx.root}/subscriptions/{ctx.subscription_id}{path}?{query}"
    return httpx.Request(method, url, headers=headers, content=content)


def _headers(ctx: RequestContext) -> dict[str, str]:
    # ARM echoes the request id when asked to: a response carrying another request's id
    # came out of step on its connection, and is refused (see ``_session``).
    return {
        "Accept": "application/json",
        "User-Agent": ctx.user_agent,
        "x-ms-client-request-id": ctx.new_request_id(),
        "x-ms-return-client-request-id": "true",
    }


def subscriptions(ctx: RequestContext) -> httpx.Request:
    """Every subscription the credential can see: the tenant's listing, above any one."""
    return get_url(ctx, f"{ctx.root}/subscriptions?api-version={_SUBSCRIPTIONS}")


def get_url(ctx: RequestContext, url: str | httpx.URL) -> httpx.Request:
    """A GET of a URL ARM handed out (polling, next page); it keeps its own query."""
    return httpx.Request("GET", url, headers=_headers(ctx))


def _vm_path(resource_group: str, vm_name: str) -> str:
    return (
        f"/resourceGroups/{check_resource_group(resource_group)}"
        f"/providers/Microsoft.Compute/virtualMachines/{check_vm_name(vm_name)}"
    )


def virtual_machine(
    ctx: RequestContext, resource_group: str, vm_name: str, *, expand: str | None = None
) -> httpx.Request:
    params = {"$expand": expand} if expand else None
    return _build(
        ctx, "GET", _vm_path(resource_group, vm_name), api_version=_COMPUTE, params=params
    )


def instance_view(ctx: RequestContext, resource_group: str, vm_name: str) -> httpx.Request:
    path = _vm_path(resource_group, vm_name) + "/instanceView"
    return _build(ctx, "GET", path, api_version=_COMPUTE)


def virtual_machines(ctx: RequestContext, resource_group: str | None) -> httpx.Request:
    scope = f"/resourceGroups/{check_resource_group(resource_group)}" if resource_group else ""
    path = f"{scope}/providers/Microsoft.Compute/virtualMachines"
    return _build(ctx, "GET", path, api_version=_COMPUTE)


def update_virtual_machine(
    ctx: RequestContext,
    resource_group: str,
    vm_name: str,
    update: VirtualMachineUpdate,
    *,
    if_match: str | None,
) -> httpx.Request:
    """A PATCH of the VM; with ``if_match`` it fails (412) if the VM changed since it was read."""
    request = _build(
        ctx, "PATCH", _vm_path(resource_group, vm_name), api_version=_COMPUTE, body=to_wire(update)
    )
    if if_match is not None:
        request.headers["If-Match"] = if_match
    return request


def assess_patches(ctx: RequestContext, resource_group: str, vm_name: str) -> httpx.Request:
    path = _vm_path(resource_group, vm_name) + "/assessPatches"
    return _build(ctx, "POST", path, api_version=_COMPUTE)


def install_patches(
    ctx: RequestContext,
    resource_group: str,
    vm_name: str,
    parameters: VirtualMachineInstallPatchesParameters,
) -> httpx.Request:
    path = _vm_path(resource_group, vm_name) + "/installPatches"
    return _build(ctx, "POST", path, api_version=_COMPUTE, body=to_wire(parameters))


def _feature_path(namespace: str, feature_name: str | None = None) -> str:
    path = f"/providers/Microsoft.Features/providers/{check_namespace(namespace)}/features"
    return path if feature_name is None else f"{path}/{check_feature_name(feature_name)}"


def feature(ctx: RequestContext, namespace: str, feature_name: str) -> httpx.Request:
    return _build(ctx, "GET", _feature_path(namespace, feature_name), api_version=_FEATURES)


def list_features(ctx: RequestContext, namespace: str) -> httpx.Request:
    return _build(ctx, "GET", _feature_path(namespace), api_version=_FEATURES)


def register_feature(ctx: RequestContext, namespace: str, feature_name: str) -> httpx.Request:
    path = _feature_path(namespace, feature_name) + "/register"
    return _build(ctx, "POST", path, api_version=_FEATURES)


def unregister_feature(ctx: RequestContext, namespace: str, feature_name: str) -> httpx.Request:
    path = _feature_path(namespace, feature_name) + "/unregister"
    return _build(ctx, "POST", path, api_version=_FEATURES)


def provider(ctx: RequestContext, namespace: str) -> httpx.Request:
    path = f"/providers/{check_namespace(namespace)}"
    return _build(ctx, "GET", path, api_version=_RESOURCES)


def register_provider(ctx: RequestContext, namespace: str) -> httpx.Request:
    path = f"/providers/{check_namespace(namespace)}/register"
    return _build(ctx, "POST", path, api_version=_RESOURCES)
