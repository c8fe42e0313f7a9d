"""OCSP stapling of the production site, for real: a certificate chain as certbot leaves it
(the leaf naming its CA's OCSP responder, then the issuer), the responder and a DNS server on
this machine, and the compose rendering of nginx pointed at them by NGINX_RESOLVER alone."""

from __future__ import annotations

import base64
import datetime
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from .nginx_configs import (
    nginx_test,
    on_this_machine,
    production_variables,
    render,
    running_nginx,
)

NOW = datetime.datetime.now(datetime.UTC)


Issuer = tuple[x509.Certificate, ec.EllipticCurvePrivateKey]


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: Issuer | None,
    responder: str | None = None,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer[0].subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(minutes=5))
        .not_valid_after(NOW + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if issuer:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(subject)]), False)
    if responder:
        access = x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(responder)
        )
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), False)
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256())


class Responder(BaseHTTPRequestHandler):
    """The CA's OCSP responder: `good` for the leaf it was given, signed by the CA."""

    leaf: x509.Certificate
    ca: x509.Certificate
    ca_key: ec.EllipticCurvePrivateKey

    def do_GET(self) -> None:  # nginx asks by GET, the request base64'd in the path
        request = ocsp.load_der_ocsp_request(
            base64.b64decode(urllib.parse.unquote(self.path.lstrip("/")))
        )
        assert request.serial_number == self.leaf.serial_number
        response = (
            ocsp.OCSPResponseBuilder()
            .add_response(
                cert=self.leaf,
                issuer=self.ca,
                # The CertID's hash nginx and OpenSSL send: an identifier, not a signature.
                algorithm=hashes.SHA1(),  # noqa: S303
                cert_status=ocsp.OCSPCertStatus.GOOD,
                this_update=NOW,
                next_update=NOW + datetime.timedelta(hours=1),
                revocation_time=None,
                revocation_reason=None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.ca)
            .sign(self.ca_key, hashes.SHA256())
            .public_bytes(serialization.Encoding.DER)
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/ocsp-response")
        self.send_header("Content-Length", str(len(response)))
        self.end_headers()
        self.wfile.write(response)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _dns_answer(query: bytes) -> bytes:
    """127.0.0.1 for any A question, no record for any other."""
    end = 12
    while query[end]:
        end += query[end] + 1
    end += 5
    is_a = query[end - 4 : end - 2] == b"\x00\x01"
    answer = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x7f\x00\x00\x01" if is_a else b""
    header = query[:2] + b"\x81\x80\x00\x01" + (b"\x00\x01" if is_a else b"\x00\x00")
    return header + b"\x00\x00\x00\x00" + query[12:end] + answer


@pytest.fixture
def dns_server() -> Iterator[tuple[str, list[bytes]]]:
    """A DNS server on a loopback UDP port; yields its address and the questions it got."""
    questions: list[bytes] = []
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                query, client = sock.recvfrom(512)
            except TimeoutError:
                continue
            questions.append(query[12:])
            sock.sendto(_dns_answer(query), client)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}", questions
    finally:
        stop.set()
        thread.join(2)
        sock.close()


def _staple(address: str, name: str) -> str:
    """What `openssl s_client -status` says of the stapled OCSP response."""
    result = subprocess.run(
        ["openssl", "s_client", "-connect", address, "-servername", name, "-status"],
        input="", capture_output=True, text=True, timeout=10, check=False,
    )  # fmt: skip
    return result.stdout.split("---")[0]


def test_nginx_staples_the_responders_answer_found_through_its_resolver(
    tmp_path: Path, dns_server: tuple[str, list[bytes]]
) -> None:
    resolver, questions = dns_server
    variables = on_this_machine(production_variables(), tmp_path)
    name = variables["NGINX_SERVER_NAME"]
    ca_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Test CA", ca_key, None)
    handler = type("Handler", (Responder,), {"ca": ca, "ca_key": ca_key})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # `localhost`: nginx checks at start that the responder's name resolves, then asks the
    # resolver (the DNS server above, standing in for Docker's) each time it fetches.
    responder = f"http://localhost:{server.server_address[1]}/"
    leaf = _certificate(name, leaf_key, (ca, ca_key), responder)
    setattr(handler, "leaf", leaf)  # noqa: B010 (the class is made above, before the leaf)
    chain, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    chain.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, ca)))
    key.write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    variables |= {
        "NGINX_TLS_CERTIFICATE": str(chain),
        "NGINX_TLS_CERTIFICATE_KEY": str(key),
        "NGINX_RESOLVER": resolver,
    }
    conf = render(variables, tmp_path)
    checked = nginx_test(conf)
    assert checked.returncode == 0, checked.stderr
    assert "[warn]" not in checked.stderr, checked.stderr

    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with running_nginx(conf, variables["NGINX_INTERNAL_LISTEN"]) as nginx:
            # The first handshakes start the fetch; a later one carries the answer.
            deadline = time.monotonic() + 15
            address = variables["NGINX_HTTPS_LISTEN"]
            while "Response Status: successful" not in (said := _staple(address, name)):
                assert time.monotonic() < deadline, said
                time.sleep(0.5)
            log = nginx.log_file.read_text()
    finally:
        server.shutdown()
        server.server_close()
    assert "Cert Status: good" in said, said
    assert any(b"\x09localhost\x00" in q for q in questions), questions
    assert "no resolver defined" not in log, log
