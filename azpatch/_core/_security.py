"""Where a bearer token may go: only to the ARM host, and only over https or loopback."""

from __future__ import annotations

import ipaddress

import httpx

from .._exceptions import UntrustedURLError

__all__ = ["check_base_url", "check_same_host"]


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: httpx.URL) -> None:
    """Refuse a base URL that would send the token in clear text to another machine."""
    if url.scheme == "https" or (url.scheme == "http" and _is_loopback(url.host)):
        return
    raise UntrustedURLError(
        f"base_url must be https (or http to a loopback host for a fake), not {url.scheme}://{url.host}"
    )


def check_same_host(url: httpx.URL, base_url: httpx.URL, *, source: str) -> None:
    """Refuse a URL from a response (polling, paging) that leaves the ARM host."""
    if (url.scheme, url.host, url.port) != (base_url.scheme, base_url.host, base_url.port):
        raise UntrustedURLError(
            f"{source} points to {url.scheme}://{url.host}, not to {base_url.host};"
            " it was not followed, so the token was not sent there"
        )
