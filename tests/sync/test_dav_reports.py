"""The WebDAV bodies and multistatus parsing of the CalDAV backend (sync/backends/dav_reports.py): pure."""

from lxml import etree

from wagtail_booking.sync.backends import dav_reports

BASE = "https://dav.example.com/cal/maya/work/"


def multistatus(*responses: str, token: str = "") -> etree._Element:
    sync = f"<d:sync-token>{token}</d:sync-token>" if token else ""
    return etree.fromstring(f'<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
                            f'{"".join(responses)}{sync}</d:multistatus>'.encode())


def member(href, etag="", data="", status=None):
    if status:
        return f"<d:response><d:href>{href}</d:href><d:status>HTTP/1.1 {status}</d:status></d:response>"
    props = f"<d:getetag>{etag}</d:getetag>" + (f"<c:calendar-data>{data}</c:calendar-data>" if data else "")
    return (f"<d:response><d:href>{href}</d:href><d:propstat><d:prop>{props}</d:prop>"
            "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>")


def test_changed_and_deleted_members_and_the_new_token():
    tree = multistatus(member("/cal/maya/work/a%40phone.ics", etag='"1"'),
                       member("https://dav.example.com/cal/maya/work/b.ics", status="404 Not Found"),
                       token="https://example.com/sync/42")
    assert dav_reports.members(tree, BASE) == [
        dav_reports.Member(href="/cal/maya/work/a@phone.ics", status=200, etag='"1"'),
        dav_reports.Member(href="/cal/maya/work/b.ics", status=404)]
    assert dav_reports.sync_token(tree) == "https://example.com/sync/42"
    assert not dav_reports.truncated(tree, BASE)


def test_a_507_on_the_collection_means_more_pages_and_is_not_a_member():
    tree = multistatus(member("/cal/maya/work/a.ics", etag='"1"'),
                       member("/cal/maya/work/", status="507 Insufficient Storage"), token="t2")
    assert dav_reports.truncated(tree, BASE)
    assert [m.href for m in dav_reports.members(tree, BASE)] == ["/cal/maya/work/a.ics"]


def test_calendar_data_from_a_multiget_and_failed_propstats_ignored():
    tree = multistatus(member("/cal/maya/work/a.ics", etag='"1"', data="BEGIN:VCALENDAR&#13;\nEND:VCALENDAR"),
                       '<d:response><d:href>/cal/maya/work/b.ics</d:href><d:propstat><d:prop><d:getetag/>'
                       '</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>')
    a, b = dav_reports.members(tree, BASE)
    assert a.data.startswith("BEGIN:VCALENDAR") and a.etag == '"1"'
    assert (b.etag, b.data) == ("", "")


def test_bodies_escape_what_they_carry():
    assert "<d:sync-token>a&amp;b</d:sync-token>" in dav_reports.sync_collection_body("a&b")
    assert "<d:sync-token></d:sync-token>" in dav_reports.sync_collection_body("")
    body = dav_reports.multiget_body(["/cal/maya/work/a@phone.ics", "/cal/maya/work/x y.ics"])
    assert "<d:href>/cal/maya/work/a%40phone.ics</d:href>" in body
    assert "<d:href>/cal/maya/work/x%20y.ics</d:href>" in body
    etree.fromstring(body.encode())  # well-formed
