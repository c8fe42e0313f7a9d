"""The production site (TLS, redirect, certbot's challenges) served for real by this machine's
nginx from the compose rendering, with a self-signed certificate and no backend behind it."""

from __future__ import annotations

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
    response = site.client.get(site.http + "/items?page=2", headers={"Host": "evil.example"})
    assert response.status_code == 301
    assert response.headers["Location"] == f"https://{site.name}/items?page=2"
    assert response.headers["Content-Security-Policy"] == CSP
    assert "Strict-Transport-Security" not in response.headers


def test_plain_http_serves_certbot_challenges(site: Site) -> None:
    challenge = site.acme_root / ".well-known" / "acme-challenge" / "token-123"
    challenge.write_text("token-123.key-authorization")
    response = site.client.get(site.http + "/.well-known/acme-challenge/token-123")
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
