"""The three WebDAV requests the CalDAV backend makes to follow a calendar, as XML in and out. Pure: no I/O.

* ``sync-collection`` REPORT (RFC 6578): what changed since a token, with each member's ETag, and a new token;
* ``calendar-multiget`` REPORT (RFC 4791 7.9): the iCalendar text of named members;
* a depth-1 ``PROPFIND`` of ``getetag``: every member's ETag, for servers without sync-collection.

The ``caldav`` library sends them (and handles discovery and authentication); these bodies and parsers are ours so
that the backend sees every status and precondition the same way across the library's versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.sax.saxutils import escape

DAV = "{DAV:}"
CALDAV = "{urn:ietf:params:xml:ns:caldav}"
HEADERS = {"Content-Type": 'application/xml; charset="utf-8"'}

ETAG_PROPFIND = ('<?xml version="1.0" encoding="utf-8"?>'
                 '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>')


@dataclass(frozen=True)
class Member:
    href: str  # the path, unquoted: one spelling per object whatever the server's escaping
    status: int  # 200, or 404 for a member the sync-collection names as deleted
    etag: str = ""
    data: str = ""  # calendar-data, from a multiget


def sync_collection_body(token: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:">'
            f"<d:sync-token>{escape(token)}</d:sync-token><d:sync-level>1</d:sync-level>"
            "<d:prop><d:getetag/></d:prop></d:sync-collection>")


def multiget_body(hrefs: list[str]) -> str:
    quoted = "".join(f"<d:href>{escape(quote_path(href))}</d:href>" for href in hrefs)
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            f"<d:prop><d:getetag/><c:calendar-data/></d:prop>{quoted}</c:calendar-multiget>")


def members(tree, base_url: str) -> list[Member]:
    """The ``DAV:response`` elements of a multistatus, except the collection itself."""
    own = href_of(base_url)
    found = []
    for response in tree.iter(f"{DAV}response"):
        href = response.findtext(f"{DAV}href")
        if not href:
            continue
        href = href_of(urljoin(base_url, href.strip()))
        if href.rstrip("/") == own.rstrip("/"):
            continue
        status = _status(response.findtext(f"{DAV}status"))
        etag, data = "", ""
        for propstat in response.iter(f"{DAV}propstat"):
            if _status(propstat.findtext(f"{DAV}status")) != 200:
                continue
            etag = propstat.findtext(f".//{DAV}getetag") or etag
            data = propstat.findtext(f".//{CALDAV}calendar-data") or data
        found.append(Member(href=href, status=status or 200, etag=etag.strip(), data=data))
    return found


def sync_token(tree) -> str:
    return (tree.findtext(f".//{DAV}sync-token") or "").strip()


def truncated(tree, base_url: str) -> bool:
    """RFC 6578 3.6: a 507 on the collection itself means "more changes: ask again with the new token"."""
    own = href_of(base_url).rstrip("/")
    for response in tree.iter(f"{DAV}response"):
        href = response.findtext(f"{DAV}href") or ""
        if href_of(urljoin(base_url, href.strip())).rstrip("/") == own:
            return _status(response.findtext(f"{DAV}status")) == 507
    return False


def href_of(url: str) -> str:
    return unquote(urlsplit(str(url)).path)


def quote_path(path: str) -> str:
    return quote(path, safe="/")


def _status(line: str | None) -> int:
    """200 from "HTTP/1.1 200 OK"; 0 when there is none."""
    parts = (line or "").split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
