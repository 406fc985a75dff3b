"""Identity for the emulator: token endpoints real credentials use unchanged, and the check
``--require-auth`` makes of every ARM request.

- The managed-identity protocol of App Service (``IDENTITY_ENDPOINT`` and
  ``IDENTITY_HEADER``): what azure-identity's ``ManagedIdentityCredential`` and
  ``az login --identity`` use. ``GET /msi/token?resource=...`` with the
  ``X-IDENTITY-HEADER`` secret.
- ARM's cloud metadata (``/metadata/endpoints``), so ``az cloud register
  --endpoint-resource-manager URL`` learns every endpoint from the emulator.
- OAuth 2.0 client credentials under an authority path
  (``POST /{tenant}/oauth2/v2.0/token``), with the OpenID discovery documents
  MSAL reads first, for ``ClientSecretCredential`` with
  ``AZURE_AUTHORITY_HOST`` pointing at the emulator.

Tokens are JWT-shaped (``tid``, ``oid``, ``aud``, ``exp``) and unsigned; the
emulator remembers those it issued. Their lifetime is real time: they are for
clients outside the world.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from urllib.parse import parse_qs

import httpx

__all__ = ["Identity"]

TOKEN_LIFETIME = 3600
MANAGED_IDENTITY_PATH = "/msi/token"


def _b64(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unauthorized(code: str, message: str, tenant: str) -> httpx.Response:
    challenge = (
        f'Bearer authorization_uri="https://login.microsoftonline.com/{tenant}",'
        f' error="invalid_token", error_description="{message}"'
    )
    return httpx.Response(
        401,
        json={"error": {"code": code, "message": message}},
        headers={"WWW-Authenticate": challenge},
    )


def _oauth_error(status: int, error: str, description: str) -> httpx.Response:
    return httpx.Response(status, json={"error": error, "error_description": description})


class Identity:
    """The tokens of one emulator; ``identity_header`` is the managed-identity secret."""

    def __init__(
        self, *, tenant: str, require_auth: bool, identity_header: str | None = None
    ) -> None:
        self.tenant = tenant
        self.require_auth = require_auth
        self.identity_header = identity_header or secrets.token_urlsafe(24)
        self.client_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"azpatch-fake:{tenant}"))
        self._issued: dict[str, float] = {}  # token -> expiry, epoch seconds

    # -- issuing ---------------------------------------------------------------------------

    def issue(self, resource: str, *, subject: str) -> tuple[str, int]:
        now = int(time.time())  # noqa: TID251  (tokens live in real time)
        expires = now + TOKEN_LIFETIME
        claims = {
            "aud": resource,
            "iss": f"https://sts.windows.net/{self.tenant}/",
            "iat": now,
            "nbf": now,
            "exp": expires,
            "tid": self.tenant,
            "oid": subject,
            "sub": subject,
            "appid": self.client_id,
            "jti": secrets.token_hex(8),
        }
        token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
        self._issued = {t: e for t, e in self._issued.items() if e > now}  # forget the expired
        self._issued[token] = expires
        return token, expires

    def answer(self, request: httpx.Request) -> httpx.Response | None:
        """The response of a token endpoint, or None for any other request."""
        path = request.url.path
        if path == MANAGED_IDENTITY_PATH and request.method == "GET":
            return self._managed_identity(request)
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"]:
            return self._client_credentials(request, parts[0]) if request.method == "POST" else None
        if parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            return self._openid_configuration(request, parts[0])
        if parts == ["common", "discovery", "instance"]:
            return self._instance_discovery(request)
        if parts == ["metadata", "endpoints"] and request.method == "GET":
            return self._cloud_metadata(request)
        return None

    def _managed_identity(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("X-IDENTITY-HEADER") != self.identity_header:
            return _oauth_error(401, "invalid_request", "X-IDENTITY-HEADER is missing or wrong.")
        resource = request.url.params.get("resource", "https://management.azure.com")
        token, expires = self.issue(resource, subject=self.client_id)
        return httpx.Response(
            200,
            json={
                "access_token": token,
                "expires_on": str(expires),
                "resource": resource,
                "token_type": "Bearer",
                "client_id": self.client_id,
            },
        )

    def _client_credentials(self, request: httpx.Request, tenant: str) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials" or not form.get("client_id"):
            return _oauth_error(
                400, "unsupported_grant_type", "Only client_credentials with a client_id."
            )
        scope = form.get("scope", "https://management.azure.com/.default")
        resource = scope.split()[0].removesuffix("/.default")
        token, _ = self.issue(resource, subject=form["client_id"])
        return httpx.Response(
            200,
            json={
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME,
                "ext_expires_in": TOKEN_LIFETIME,
                "access_token": token,
            },
        )

    def _openid_configuration(self, request: httpx.Request, tenant: str) -> httpx.Response:
        origin = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
        return httpx.Response(
            200,
            json={
                "issuer": f"{origin}/{tenant}/v2.0",
                "authorization_endpoint": f"{origin}/{tenant}/oauth2/v2.0/authorize",
                "token_endpoint": f"{origin}/{tenant}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{origin}/{tenant}/oauth2/v2.0/devicecode",
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
                "response_types_supported": ["code", "id_token", "token"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["none"],
                "tenant_region_scope": "WW",
            },
        )

    def _instance_discovery(self, request: httpx.Request) -> httpx.Response:
        host = request.url.netloc.decode("ascii")
        discovery = f"{request.url.scheme}://{host}/common/v2.0/.well-known/openid-configuration"
        return httpx.Response(
            200,
            json={
                "tenant_discovery_endpoint": discovery,
                "api-version": "1.1",
                "metadata": [
                    {"preferred_network": host, "preferred_cache": host, "aliases": [host]}
                ],
            },
        )

    def _cloud_metadata(self, request: httpx.Request) -> httpx.Response:
        """ARM's cloud metadata (``/metadata/endpoints``), pointing at the emulator: what
        ``az cloud register --endpoint-resource-manager URL`` reads."""
        origin = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
        return httpx.Response(
            200,
            json={
                "name": "AzpatchFake",
                "resourceManager": f"{origin}/",
                "portal": f"{origin}/",
                "gallery": f"{origin}/",
                "graphAudience": "https://graph.windows.net/",
                "microsoftGraphResourceId": "https://graph.microsoft.com/",
                "authentication": {
                    "loginEndpoint": f"{origin}/",
                    "audiences": [
                        "https://management.core.windows.net/",
                        "https://management.azure.com/",
                    ],
                    "tenant": "common",
                    "identityProvider": "AAD",
                },
                "suffixes": {
                    "acrLoginServer": "azurecr.io",
                    "keyVaultDns": "vault.azure.net",
                    "sqlServerHostname": "database.windows.net",
                    "storage": "core.windows.net",
                },
            },
        )

    # -- checking --------------------------------------------------------------------------

    def check(self, request: httpx.Request) -> httpx.Response | None:
        """With ``require_auth``: ARM's 401 unless the request bears a live token issued here."""
        if not self.require_auth:
            return None
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            return _unauthorized(
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
                self.tenant,
            )
        expires = self._issued.get(token) if scheme.lower() == "bearer" else None
        if expires is None:
            return _unauthorized(
                "InvalidAuthenticationToken", "The access token is invalid.", self.tenant
            )
        if expires <= time.time():  # noqa: TID251
            return _unauthorized(
                "ExpiredAuthenticationToken",
                "The access token has expired; get a new one and try again.",
                self.tenant,
            )
        return None
