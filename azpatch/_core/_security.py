"""Where a bearer token may go: only to the ARM host, and only over https or loopback."""

from __future__ import annotations

import ipaddress

import httpx

from .._exceptions import UntrustedURLError

__all__ = ["check_base_url", "check_same_host", "trusted_url"]


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


def _origin(url: httpx.URL) -> str:
    """Scheme, host and port (when one is given): what must match for the token to go."""
    return f"{url.scheme}://{url.host}" + ("" if url.port is None else f":{url.port}")


def check_same_host(url: httpx.URL, base_url: httpx.URL, *, source: str) -> None:
    """Refuse a URL from a response (polling, paging) that leaves the ARM host."""
    if (url.scheme, url.host, url.port) != (base_url.scheme, base_url.host, base_url.port):
        raise UntrustedURLError(
            f"{source} points to {_origin(url)}, not to {_origin(base_url)};"
            " it was not followed, so the token was not sent there"
        )


def trusted_url(text: str, *, base_url: httpx.URL, relative_to: httpx.URL, source: str) -> str:
    """``text`` (absolute, or relative to ``relative_to``) as an absolute URL on the ARM host.

    The common case, an absolute URL on the base URL's origin, is settled by
    comparing text, so it costs no URL parse.
    """
    origin = f"{base_url.scheme}://{base_url.netloc.decode('ascii')}"
    if text.startswith(origin + "/"):
        return text
    try:
        url = relative_to.join(text)
    except httpx.InvalidURL as error:
        raise UntrustedURLError(f"{source} is not a URL ({error}); it was not followed") from None
    check_same_host(url, base_url, source=source)
    return str(url)
