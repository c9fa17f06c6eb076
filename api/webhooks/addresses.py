"""Where a webhook may be sent: an http(s) URL on the public internet.

An integrator chooses the URL, so it must never become a way into the service's own network
(SSRF): loopback, private, link-local and other special addresses are refused, when the
endpoint is saved (a literal address) and again before each attempt (what the name resolves
to), unless ``webhook_allow_private_addresses`` is set for development and tests.

The address checked is the address called: ``destination`` resolves the name once and the
attempt connects to that address (the Host header and TLS server name stay the endpoint's),
so a name that answers a public address to the check and a private one to the connection
(DNS rebinding) cannot reach inside.
"""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from api.errors import Invalid

LONGEST_URL = 2000


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL as given if it can be an endpoint (422 with the reason otherwise)."""
    url = url.strip()
    if len(url) > LONGEST_URL:
        raise Invalid.field("url", f"Please keep the URL under {LONGEST_URL} characters.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise Invalid.field("url", "This isn't a URL we can send to.") from None
    if parts.scheme not in ("https", "http"):
        raise Invalid.field("url", "Webhooks are sent to http:// or https:// URLs only.")
    if not parts.hostname:
        raise Invalid.field("url", "The URL needs a host name.")
    if parts.username or parts.password:
        raise Invalid.field("url", "Leave credentials out of the URL; verify the signature.")
    if parts.fragment:
        raise Invalid.field("url", "A webhook URL has no #fragment.")
    literal = _ip(parts.hostname)
    if literal is not None and not allow_private and not _public(literal):
        raise Invalid.field("url", "This address isn't on the public internet.")
    if not allow_private and parts.hostname.lower() in ("localhost", "localhost."):
        raise Invalid.field("url", "This address isn't on the public internet.")
    return url


@dataclass(frozen=True)
class Destination:
    """Where an attempt connects: the URL to call, and the headers and TLS server name that
    keep it addressed to the endpoint's host."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    sni_hostname: str | None = None


async def destination(url: str, *, allow_private: bool) -> Destination | str:
    """Where to send an attempt to this URL now, or why it may not be sent (in words for the
    delivery log)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "refused: not an http(s) URL"
    literal = _ip(parts.hostname)
    if literal is not None and not allow_private and not _public(literal):
        return "refused: the address isn't on the public internet"
    if literal is not None or allow_private:
        return Destination(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, port, type=socket.SOCK_STREAM
        )
    except OSError:
        return "could not resolve the host name"
    addresses = [str(info[4][0]).split("%")[0] for info in found]
    if not addresses or any(not _public(ipaddress.ip_address(a)) for a in addresses):
        return "refused: the host name resolves to a private address"
    pinned = ipaddress.ip_address(addresses[0])
    host = f"[{pinned}]" if pinned.version == 6 else str(pinned)
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    return Destination(
        url=urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")),
        headers={"Host": host_header},
        sni_hostname=parts.hostname if parts.scheme == "https" else None,
    )
