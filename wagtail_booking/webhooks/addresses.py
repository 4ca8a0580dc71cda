"""Webhooks go to the public internet only: never to the platform's own network (SSRF protection).

An owner types the endpoint's address, so without a check an endpoint such as ``https://169.254.169.254/...`` or
``https://10.0.0.5/`` would make the server POST into the network it runs in. The address is checked when it is
registered (a form error) and again at every delivery, because what a name resolves to can change: the name is
resolved, every address it has must be public, and the request then connects to the address that was checked (the
``Host`` header and the TLS server name stay the endpoint's name, so certificates are verified as usual), so a DNS
answer that changes between the check and the connection cannot slip in.

``WAGTAIL_BOOKING["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"]`` switches the check off, for a receiver on your own machine.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from ..conf import booking_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # IPv4 addresses seen through a NAT64 gateway
# Never let a proxy from the environment make the connection: it would resolve the name itself.
NO_PROXIES = {"http": None, "https": None, "all": None}


class RefusedAddress(Exception):
    """The endpoint's address is not a public internet address; the message says which address and why."""


def refusal(address: IPAddress) -> str:
    """Why the address is not allowed ("" when it is a public internet address)."""
    if address.version == 6:
        embedded = address.ipv4_mapped or (address in NAT64 and ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if embedded:
            return refusal(embedded)
    for flag, what in (("is_unspecified", "unspecified"), ("is_loopback", "a loopback address"),
                       ("is_link_local", "a link-local address (cloud metadata services live there)"),
                       ("is_multicast", "a multicast address"), ("is_private", "a private network address"),
                       ("is_reserved", "a reserved address"), ("is_site_local", "a site-local address")):
        if getattr(address, flag, False):
            return what
    return "" if address.is_global else "not a public internet address"


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` has (itself, when it is an address); raises socket.gaierror when it has none."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # getaddrinfo may add a scope ("fe80::1%eth0"); the address is what comes before it.
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in found))


def check(host: str, addresses: list[IPAddress]) -> None:
    """Raise RefusedAddress unless every one of the host's addresses is public (or the check is switched off)."""
    if booking_settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return
    for address in addresses:
        why = refusal(address)
        if why:
            name = host if _is_address(host) else f"{host} ({address})"
            raise RefusedAddress(f"{name} is {why}, not a public internet address; webhooks are only sent to "
                                 "the public internet.")


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def check_url(url: str) -> None:
    """For the registration form: refuse an address that is, or now resolves to, a non-public one.

    A name that does not resolve at all is let through: it is checked again at every delivery.
    """
    parts = urlsplit(url)
    try:
        addresses = resolve(parts.hostname or "", parts.port or default_port(parts.scheme))
    except (OSError, UnicodeError):
        return
    check(parts.hostname or "", addresses)


def default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


class PinnedHostAdapter(HTTPAdapter):
    """Sends to the URL's address (the one that was checked) while TLS checks the certificate for ``hostname``."""

    def __init__(self, hostname: str):
        self.hostname = hostname
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self.hostname  # SNI and the certificate's name
        return host_params, pool_kwargs


def post(url: str, *, data: bytes, headers: dict, timeout: float) -> requests.Response:
    """POST to a public address only, connecting to the address that was checked; redirects are not followed.

    Raises RefusedAddress, or requests' exceptions (the name does not resolve: ConnectionError).
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = resolve(host, parts.port or default_port(parts.scheme))
    except (OSError, UnicodeError) as error:
        raise requests.ConnectionError(f"Could not resolve {host}: {error}") from error
    check(host, addresses)
    address = addresses[0]
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (f"{userinfo}@" if userinfo else "") + (f"[{address}]" if address.version == 6 else str(address))
    if parts.port:
        netloc += f":{parts.port}"
    host_header = f"[{host}]" if ":" in host else host
    headers = {**headers, "Host": host_header + (f":{parts.port}" if parts.port else "")}
    with requests.Session() as session:
        session.mount(f"{parts.scheme}://", PinnedHostAdapter(host))
        return session.post(urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), data=data,
                            headers=headers, timeout=timeout, allow_redirects=False, proxies=dict(NO_PROXIES))
