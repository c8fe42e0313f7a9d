"""The production site (TLS, redirect, certbot's challenges) served for real by this machine's
nginx from the compose rendering, with a self-signed certificate and no backend behind it."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .nginx_configs import on_this_machine, production_variables, render, running_nginx

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class Site:
    def __init__(self, variables: dict[str, str], folder: Path) -> None:
        self.name = variables["NGINX_SERVER_NAME"]
        self.http = f"http://{variables['NGINX_HTTP_LISTEN']}"
        self.https = f"https://{variables['NGINX_HTTPS_LISTEN']}"
        self.acme_root = Path(variables["NGINX_ACME_ROOT"])
        self.certificate = variables["NGINX_TLS_CERTIFICATE"]
        trust = ssl.create_default_context(cafile=variables["NGINX_TLS_CERTIFICATE"])
        self.client = httpx.Client(verify=trust, timeout=5)

    def get_https(self, path: str) -> httpx.Response:
        # The certificate names the public host, not 127.0.0.1: ask for it by SNI.
        return self.client.get(
            self.https + path,
            headers={"Host": self.name},
            extensions={"sni_hostname": self.name},
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("production-site")
    variables = on_this_machine(production_variables(), folder)
    with running_nginx(render(variables, folder), variables["NGINX_INTERNAL_LISTEN"]):
        site = Site(variables, folder)
        yield site
        site.client.close()


def test_plain_http_redirects_to_https_on_the_configured_name(site: Site) -> None:
    response = site.client.get(site.http + "/items?page=2", headers={"Host": site.name})
    assert response.status_code == 301
    assert response.headers["Location"] == f"https://{site.name}/items?page=2"
    assert response.headers["Content-Security-Policy"] == CSP
    assert "Strict-Transport-Security" not in response.headers


def test_plain_http_serves_certbot_challenges(site: Site) -> None:
    challenge = site.acme_root / ".well-known" / "acme-challenge" / "token-123"
    challenge.write_text("token-123.key-authorization")
    response = site.client.get(
        site.http + "/.well-known/acme-challenge/token-123", headers={"Host": site.name}
    )
    assert response.status_code == 200
    assert response.text == "token-123.key-authorization"


def test_https_serves_the_app_with_hsts(site: Site) -> None:
    response = site.get_https("/items")
    assert response.status_code == 200
    assert "<title>app</title>" in response.text
    assert response.headers["Strict-Transport-Security"].startswith("max-age=63072000")
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["Cache-Control"] == "no-cache"


def test_hashed_assets_are_cached_for_a_year_with_every_header(site: Site) -> None:
    response = site.get_https("/assets/index-abc123.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_missing_asset_is_a_json_404_that_is_not_cached(site: Site) -> None:
    response = site.get_https("/assets/gone-123.js")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["error"] == "not_found"
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_unreachable_backend_is_a_json_502(site: Site) -> None:
    response = site.get_https("/api/v1/items")
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["error"] == "bad_gateway"
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Request-ID"]


def test_metrics_are_not_public(site: Site) -> None:
    for path in ["/metrics", "/api/../metrics", "/api/%2e%2e/metrics"]:
        response = site.get_https(path)
        assert response.status_code == 404, path
        assert response.json()["error"] == "not_found"


def test_oversized_body_is_a_json_413(site: Site) -> None:
    response = site.client.post(
        site.https + "/api/v1/items",
        content=b"x" * (2 * 1024 * 1024),
        headers={"Host": site.name, "Content-Type": "application/json"},
        extensions={"sni_hostname": site.name},
    )
    assert response.status_code == 413
    assert response.json() == {
        "error": "payload_too_large",
        "detail": "Request body is too large",
    }


def test_unknown_host_names_get_no_answer(site: Site) -> None:
    # Plain HTTP: the connection is closed without a response, so nothing is reflected.
    with pytest.raises(httpx.TransportError):
        site.client.get(site.http + "/items", headers={"Host": "evil.example"})
    # TLS: the handshake for another name is refused before any certificate is shown.
    with pytest.raises(httpx.TransportError):
        site.client.get(
            site.https + "/items",
            headers={"Host": "evil.example"},
            extensions={"sni_hostname": "evil.example"},
        )


def test_tls_is_mozilla_intermediate(site: Site) -> None:
    host, port = site.https.removeprefix("https://").rsplit(":", 1)
    cipher = None
    for version, accepted in [
        (ssl.TLSVersion.TLSv1_1, False),
        (ssl.TLSVersion.TLSv1_2, True),
        (ssl.TLSVersion.TLSv1_3, True),
    ]:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(site.certificate)
        context.minimum_version = context.maximum_version = version
        if version == ssl.TLSVersion.TLSv1_1:
            context.set_ciphers("ALL:@SECLEVEL=0")
        try:
            with (
                socket.create_connection((host, int(port)), timeout=5) as raw,
                context.wrap_socket(raw, server_hostname=site.name) as tls,
            ):
                cipher = tls.cipher()
            handshake = True
        except (ssl.SSLError, ConnectionResetError):
            handshake = False
        assert handshake is accepted, version
        if accepted and version == ssl.TLSVersion.TLSv1_2:
            assert cipher is not None
            assert cipher[0].startswith("ECDHE-")
            assert "GCM" in cipher[0]
    # A TLS 1.2 client offering only CBC suites (no forward secrecy AEAD) is refused.
    legacy = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    legacy.load_verify_locations(site.certificate)
    legacy.maximum_version = ssl.TLSVersion.TLSv1_2
    legacy.set_ciphers("AES128-SHA:AES256-SHA:ECDHE-RSA-AES128-SHA")
    with (
        pytest.raises(ssl.SSLError),
        socket.create_connection((host, int(port)), timeout=5) as raw,
    ):
        legacy.wrap_socket(raw, server_hostname=site.name)
