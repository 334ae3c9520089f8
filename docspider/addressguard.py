"""Refuse redirects from outside sites to internal addresses (server-side request forgery).

An outside host answering ``302 Location: http://127.0.0.1:8080/…`` (or with a
``<meta http-equiv="refresh">`` to such a URL) would otherwise make the crawler fetch a page of
its own machine or network and put it in the feed and the WARC archive. A request made by
Scrapy's RedirectMiddleware or MetaRefreshMiddleware carries ``meta["redirect_urls"]`` (the
chain so far, the URL first requested first); :class:`InternalAddressGuard` refuses such a
request when its host is an internal address: loopback, private, link-local, multicast,
reserved, unspecified or otherwise not global (IPv4 and IPv6, IPv4-mapped IPv6 included; a
``localhost`` / ``*.localhost`` name counts as loopback). It is let through when

* the chain started on an internal address itself (a crawl of an internal site, such as the
  tests and `scrapy demo` on 127.0.0.1, follows its own redirects), or
* its host is allowed by ``DOCSPIDER_ALLOWED_INTERNAL_HOSTS``.

A refused request ends in the spider's errback as :class:`BlockedAddress`, an IgnoreRequest
counted as ``docspider/skipped/blocked_address``; its message names the URL and the address.

Switch: the guard is always on (it does not raise NotConfigured). The setting
``DOCSPIDER_ALLOWED_INTERNAL_HOSTS`` (a list, or a comma-separated string on the command line:
``-s DOCSPIDER_ALLOWED_INTERNAL_HOSTS=10.0.0.5,intranet.example``) names what redirects may
reach anyway: host names (matched exactly), IP addresses and networks (``10.1.0.0/16``).

Host names are checked by what they resolve to, with the running asyncio loop's
``getaddrinfo``: every internal address a name resolves to must be allowed. A name that does
not resolve (or not within ``DNS_TIMEOUT``) passes; its download fails on its own. A request
that goes through a proxy is not resolved here, since the proxy resolves it: only literal
addresses and localhost names are checked then. Limits: the downloader resolves the name again
itself, so a name whose DNS answer changes between the two look-ups (DNS rebinding) is not
caught; what a proxy reaches is the proxy's business.

Order: the guard runs before RobotsTxtMiddleware (100), because fetching a refused host's
``/robots.txt`` is already a request to it (and its answer would be archived). That is before
HttpProxyMiddleware (750) sets ``meta["proxy"]``, so the guard predicts its decision the same
way it will make it: an explicit ``meta["proxy"]`` (a redirect keeps its source's unless the
scheme changes) is used as it is; otherwise the environment's proxy for the scheme, unless
``no_proxy`` bypasses the host. A proxy middleware of another kind is not predicted: such
requests are resolved here, which can only refuse more, never less.
"""
from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from urllib.parse import urlsplit
from urllib.request import proxy_bypass  # type: ignore[attr-defined]

from scrapy.downloadermiddlewares.httpproxy import HttpProxyMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# What a C resolver takes as an IPv4 address besides dotted quads: `127.1`, `0x7f.1`, `2130706433`
_INET_ATON_FORM = re.compile(r"[0-9a-fA-FxX.]+")


class BlockedAddress(IgnoreRequest):
    """A redirect to an internal address, refused by :class:`InternalAddressGuard`."""

    skip_reason = "blocked_address"


def internal_kind(address: Address) -> str | None:
    """What makes ``address`` internal (``"loopback"``, ``"private"``, …), or None for a
    global unicast address. An IPv4-mapped IPv6 address is judged as its IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for kind, flag in (("unspecified", address.is_unspecified),
                       ("loopback", address.is_loopback),
                       ("link-local", address.is_link_local),
                       ("multicast", address.is_multicast),
                       ("private", address.is_private),
                       ("reserved", address.is_reserved),
                       ("non-global", not address.is_global)):
        if flag:
            return kind
    return None


def literal_address(host: str) -> Address | None:
    """The address ``host`` spells (a URL's host name, IPv6 without brackets), or None for a
    name. Also reads the short and numeric IPv4 forms resolvers accept (``127.1``)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _INET_ATON_FORM.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            pass
    return None


def is_localhost_name(host: str) -> bool:
    """``localhost`` and names under it (RFC 6761: they always mean the loopback address)."""
    return host == "localhost" or host.endswith(".localhost")


def _normal_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


_LOCALHOST = ipaddress.IPv4Address("127.0.0.1")


class InternalAddressGuard:
    """Downloader middleware refusing redirects to internal addresses (see the module)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.allowed_names: set[str] = set()
        self.allowed_networks: list[Network] = []
        for entry in crawler.settings.getlist("DOCSPIDER_ALLOWED_INTERNAL_HOSTS"):
            if not (entry := _normal_host(str(entry))):
                continue
            try:
                self.allowed_networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.allowed_names.add(entry)
        self.dns_timeout = crawler.settings.getfloat("DNS_TIMEOUT") or None
        self._http_proxy: HttpProxyMiddleware | None = None
        self._http_proxy_found = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request):
        chain = request.meta.get("redirect_urls")
        if not chain:
            return None
        host = _normal_host(urlparse_cached(request).hostname or "")
        if not host or host in self.allowed_names:
            return None
        proxied = self.proxied(request)
        if await self.internal_origin(chain[0], proxied):
            return None
        for address, how in await self.addresses(host, proxied):
            if (kind := internal_kind(address)) and not self.allowed(address):
                raise BlockedAddress(
                    f"redirect from {chain[-1]} to {request.url} blocked: "
                    + how.format(host=host, address=address, kind=kind))
        return None

    def allowed(self, address: Address) -> bool:
        return any(address in network for network in self.allowed_networks
                   if network.version == address.version)

    async def internal_origin(self, url: str, proxied: bool) -> bool:
        """Whether the chain started on an internal address (every address of its host is)."""
        host = _normal_host(urlsplit(url).hostname or "")
        found = await self.addresses(host, proxied) if host else []
        return bool(found) and all(internal_kind(address) for address, _how in found)

    async def addresses(self, host: str, proxied: bool) -> list[tuple[Address, str]]:
        """The addresses ``host`` stands for, each with how that was found (a message
        template): literally, by resolving it (not through a proxy), or by its localhost name."""
        if (literal := literal_address(host)) is not None:
            return [(literal, "{address} is a {kind} address")]
        if not proxied:
            resolved = await self.resolve(host)
            if resolved:
                return [(address, "{host} resolves to {address}, a {kind} address")
                        for address in resolved]
        if is_localhost_name(host):
            why = "the request goes through a proxy" if proxied else "it does not resolve here"
            return [(_LOCALHOST, "{host} is a localhost name, the {kind} address {address} "
                                 f"(checked by name: {why})")]
        return []

    async def resolve(self, host: str) -> list[Address]:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), self.dns_timeout)
        except (OSError, UnicodeError, asyncio.TimeoutError):
            return []               # not resolvable here: the download fails on its own
        found: list[Address] = []
        for _family, _type, _proto, _name, sockaddr in infos:
            try:
                address = ipaddress.ip_address(sockaddr[0])
            except ValueError:
                continue
            if address not in found:
                found.append(address)
        return found

    def proxied(self, request) -> bool:
        """Whether the request will go through a proxy: decided as HttpProxyMiddleware (750)
        will decide it, since the guard runs before it."""
        if "proxy" in request.meta:
            return bool(request.meta["proxy"])
        if not self._http_proxy_found:      # the engine exists once requests are made
            self._http_proxy = self.crawler.get_downloader_middleware(HttpProxyMiddleware)
            self._http_proxy_found = True
        if self._http_proxy is None:
            return False
        parts = urlparse_cached(request)
        return parts.scheme in self._http_proxy.proxies and (
            parts.scheme not in ("http", "https")
            or bool(parts.hostname and not proxy_bypass(parts.hostname)))
