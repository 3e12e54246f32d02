"""Send one webhook POST without letting it reach the platform's own network.

The host's addresses are resolved first, and the request is refused when any of them is
loopback, private, link-local (cloud metadata at 169.254.169.254 included), multicast,
reserved or unspecified, unless the host is named in WEBHOOK_ALLOWED_HOSTS (the tests'
local receiver). The connection then goes to the address that was checked, so a second DNS
answer cannot swap it (DNS rebinding), and redirects are not followed (http.client never
follows them).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class UnsafeURL(Exception):
    pass


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


def _unsafe(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(
        ip in METADATA
        or ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def check(url: str, allowed_hosts: frozenset[str]) -> None:
    """What can be said before DNS: the scheme, no credentials, and no literal unsafe
    address or localhost name (delivery checks the resolved addresses again)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL("Only http and https URLs with a host are allowed.")
    if parts.username or parts.password:
        raise UnsafeURL("URLs with credentials are not allowed.")
    host = parts.hostname.lower()
    if host in allowed_hosts:
        return
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            raise UnsafeURL("Deliveries to localhost are refused.") from None
        return
    if _unsafe(ip):
        raise UnsafeURL(
            f"{host} is a loopback, private, link-local or metadata address; deliveries "
            "there are refused (WEBHOOK_ALLOWED_HOSTS names exceptions)."
        )


def resolve(url: str, allowed_hosts: frozenset[str]) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to) or ``UnsafeURL`` saying why not."""
    check(url, allowed_hosts)
    parts = urlsplit(url)
    host = str(parts.hostname)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    # A name that does not resolve raises socket.gaierror (an OSError): retried later.
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if host.lower() not in allowed_hosts and any(_unsafe(ip) for ip in addresses):
        raise UnsafeURL(
            f"{host} resolves to a loopback, private, link-local or metadata address; "
            "deliveries there are refused (WEBHOOK_ALLOWED_HOSTS names exceptions)."
        )
    return parts.scheme, host, port, str(addresses[0])


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a checked address, with the certificate checked for the host name."""

    def __init__(self, address: str, host: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(
    url: str, body: bytes, headers: dict[str, str], allowed_hosts: frozenset[str], timeout: float
) -> Answer:
    scheme, host, port, address = resolve(url, allowed_hosts)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn: http.client.HTTPConnection
    if scheme == "https":
        conn = _PinnedHTTPS(address, host, port, timeout)
    else:
        conn = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={
                **headers,
                "Host": host if parts.port is None else f"{host}:{port}",
                "Content-Type": "application/json",
                "User-Agent": "Forethought-Webhooks/1",
            },
        )
        response = conn.getresponse()
        return Answer(response.status, response.read(2000).decode("utf-8", "replace"))
    finally:
        conn.close()
