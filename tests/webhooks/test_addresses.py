"""Webhooks reach the public internet only: private, loopback, link-local, ... addresses are refused at registration
and at every delivery; the connection goes to the address that was checked, with TLS verified for the name."""

import datetime
import http.server
import ipaddress
import socket
import ssl
import threading

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import override_settings

from tests.webhooks.conftest import LOOPBACK, book
from wagtail_booking.webhooks import addresses
from wagtail_booking.webhooks.models import WebhookDelivery, WebhookEndpoint

HTTP_ONLY = {"WEBHOOK_ALLOW_HTTP": True}  # plain HTTP allowed, private addresses not (the default)


@pytest.mark.parametrize("address", [
    "169.254.169.254", "10.0.0.5", "172.16.3.4", "192.168.1.10", "127.0.0.1", "127.8.9.10", "0.0.0.0",
    "100.64.0.1", "224.0.0.251", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::5", "fd12::1",
    "ff02::1", "::ffff:10.0.0.5", "::ffff:169.254.169.254", "::ffff:127.0.0.1", "64:ff9b::a00:5", "2001:db8::1",
])
def test_non_public_addresses_are_refused(address):
    assert addresses.refusal(ipaddress.ip_address(address)) != ""


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8",
                                     "64:ff9b::808:808"])
def test_public_addresses_are_allowed(address):
    assert addresses.refusal(ipaddress.ip_address(address)) == ""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url, shown", [
    ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("https://10.0.0.5/hooks", "10.0.0.5 is a private network address"),
    ("https://[::ffff:10.0.0.5]/hooks", "::ffff:10.0.0.5 is a private network address"),
    ("https://localhost/hooks", "localhost (127.0.0.1) is a loopback address"),
])
def test_registration_refuses_a_non_public_address_and_says_why(admin_client, business, url, shown):
    response = admin_client.post("/admin/booking/webhooks/add/", {"site": business.pk, "url": url})
    assert response.status_code == 200
    assert shown in response.text and "webhooks are only sent to the public internet" in response.text
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_registration_accepts_a_private_address_when_the_setting_allows_it(admin_client, business, settings):
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": True}
    response = admin_client.post("/admin/booking/webhooks/add/", {"site": business.pk, "url": "https://10.0.0.5/"})
    assert response.status_code == 302 and WebhookEndpoint.objects.get().url == "https://10.0.0.5/"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_delivery_to_an_address_that_is_not_public_is_refused_and_logged(service, monday, receiver, business, host):
    port = receiver.server.server_address[1]
    endpoint = WebhookEndpoint.objects.create(site=business, url=f"http://{host}:{port}/hooks")  # e.g. DNS changed
    with override_settings(WAGTAIL_BOOKING=HTTP_ONLY):
        book(service, monday)
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get(endpoint=endpoint, event_type="booking.created")
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.response_status is None
    assert delivery.error.startswith("Not sent: ") and "127.0.0.1" in delivery.error
    assert "is a loopback address, not a public internet address" in delivery.error


@pytest.mark.django_db(transaction=True)
def test_a_redirect_is_not_followed(service, monday, endpoint, receiver):
    receiver.fail(1, status=302)
    book(service, monday)
    first = WebhookDelivery.objects.get(event_type="booking.created")
    assert first.status == "pending" and first.response_status == 302
    assert "redirects are not followed" in first.error
    assert len(receiver.requests) == 1  # nothing else was requested because of the redirect


def test_the_connection_goes_to_the_address_that_was_checked(receiver, monkeypatch):
    """A name that resolves somewhere else on a second look (DNS rebinding) is looked up once only."""
    real_getaddrinfo, lookups = socket.getaddrinfo, []

    def rebinding_dns(host, port, *args, **kwargs):
        if host != "hooks.rebind.test":
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        address = "127.0.0.1" if len(lookups) == 1 else "10.255.255.1"  # the second answer: nowhere reachable
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    port = receiver.server.server_address[1]
    response = addresses.post(f"http://hooks.rebind.test:{port}/hooks", data=b"{}", headers={}, timeout=5)
    assert response.status_code == 200 and lookups == ["hooks.rebind.test"]
    assert receiver.requests[-1]["headers"]["Host"] == f"hooks.rebind.test:{port}"


@pytest.fixture(scope="module")
def tls_receiver(tmp_path_factory):
    """An HTTPS receiver on 127.0.0.1 whose certificate names "localhost", signed by a test authority."""
    folder = tmp_path_factory.mktemp("tls")
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test webhook CA")])
    start, end = datetime.datetime(2020, 1, 1), datetime.datetime(2040, 1, 1)
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "cert.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            seen.append((self.headers["Host"], self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"port": server.server_address[1], "ca": str(folder / "ca.pem"), "seen": seen}
    server.shutdown()
    server.server_close()


def test_tls_is_verified_for_the_name_while_connecting_to_the_checked_address(tls_receiver, settings, monkeypatch):
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, **LOOPBACK}
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls_receiver["ca"])
    port = tls_receiver["port"]
    response = addresses.post(f"https://localhost:{port}/hooks", data=b'{"a":1}', headers={}, timeout=5)
    assert response.status_code == 204 and tls_receiver["seen"][-1] == (f"localhost:{port}", b'{"a":1}')
    with pytest.raises(requests.exceptions.SSLError):  # the certificate does not name 127.0.0.1
        addresses.post(f"https://127.0.0.1:{port}/hooks", data=b"{}", headers={}, timeout=5)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    with pytest.raises(requests.exceptions.SSLError):  # an authority the system does not trust
        addresses.post(f"https://localhost:{port}/hooks", data=b"{}", headers={}, timeout=5)
