"""HTTP clients for the live tests, each from its own loopback address.

nginx rate-limits log-in and sign-up per client address; every test that signs up or logs in
speaks from an address of its own (the whole 127.0.0.0/8 reaches nginx's 127.0.0.1), so one
test exhausting a limit never starves another, nor the browser on 127.0.0.1.
"""

from __future__ import annotations

import uuid

import httpx

PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts only


def client_from(base_url: str, address: str = "127.0.0.1") -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=base_url, transport=transport, timeout=10)


def new_email() -> str:
    return f"edge-{uuid.uuid4().hex[:12]}@example.com"


def sign_up_and_log_in(client: httpx.Client) -> str:
    """A fresh account; returns its bearer token."""
    email = new_email()
    signup = client.post(
        "/api/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "full_name": "Edge Test"},
    )
    assert signup.status_code == 201, signup.text
    login = client.post("/api/v1/auth/login", data={"username": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    token: str = login.json()["access_token"]
    return token
