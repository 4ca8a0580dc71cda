"""HTTPS for loopback fakes whose real clients refuse plain HTTP (msal accepts only ``https://`` authorities).

:meth:`TLSServer.use_new_certificate` makes a throwaway CA and a certificate it signed for the server's address,
and returns the CA's PEM file: point the client at it (``REQUESTS_CA_BUNDLE=<file>`` for requests and msal).
"""

from __future__ import annotations

import ipaddress
import ssl
import tempfile
from datetime import datetime
from http.server import ThreadingHTTPServer
from pathlib import Path


class TLSServer(ThreadingHTTPServer):
    """A threading HTTP server speaking TLS. Each handshake happens in the connection's own thread, so a client
    slow to finish it (or one that never does) holds up only itself, not the thread that accepts the others."""

    daemon_threads = True
    context: ssl.SSLContext | None = None

    def use_new_certificate(self, host: str) -> str:
        """Serve a new certificate for ``host`` (an IP address; "localhost" too); returns the CA file's path."""
        directory = Path(tempfile.mkdtemp(prefix="fake-tls-"))
        cert, key, ca = make_certificate(host)
        for name, pem in (("cert.pem", cert), ("key.pem", key), ("ca.pem", ca)):
            (directory / name).write_bytes(pem)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
        return str(directory / "ca.pem")

    def finish_request(self, request, client_address):
        request.settimeout(30)
        try:
            request = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            super().finish_request(request, client_address)
        finally:
            request.close()


def make_certificate(host: str) -> tuple[bytes, bytes, bytes]:
    """(server certificate, its key, the CA that signed it) in PEM. Fixed validity dates: tests pin the clock in
    Python, but OpenSSL checks certificates against the real one."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def build(subject, issuer, public_key, signing_key, ca, extensions=()):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(datetime(2000, 1, 1)).not_valid_after(datetime(2099, 1, 1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        for extension in extensions:
            builder = builder.add_extension(extension, critical=False)
        return builder.sign(signing_key, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Loopback fake test CA")])
    ca_usage = x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                             key_encipherment=False, data_encipherment=False, key_agreement=False,
                             encipher_only=False, decipher_only=False)
    ca = build(ca_name, ca_name, ca_key.public_key(), ca_key, True, [ca_usage])
    names = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host)), x509.DNSName("localhost")])
    server = build(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]), ca_name, key.public_key(), ca_key,
                   False, [names, x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH])])
    pem = serialization.Encoding.PEM
    return (server.public_bytes(pem),
            key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
            ca.public_bytes(pem))
