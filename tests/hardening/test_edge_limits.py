"""nginx in front of the live stack: slow clients cannot starve it, a forged X-Forwarded-For
buys no fresh rate-limit budget, IPv6 clients are limited by /64, API answers are not stored."""

from __future__ import annotations

import ipaddress
import random
import re
import socket
import time
import uuid
from pathlib import Path

import httpx

from stack.config import REPO_ROOT

SLOW_CLIENTS = 300
# nginx's client_header_timeout (nginx/nginx.conf); 15 s, the old value, fails the margin.
HEADER_TIMEOUT_SECONDS = 10
MARGIN_SECONDS = 3


def test_hundreds_of_slow_clients_do_not_stop_normal_requests(site: str) -> None:
    host, port = site.removeprefix("http://").rsplit(":", 1)
    slow = []
    try:
        for _ in range(SLOW_CLIENTS):
            conn = socket.create_connection((host, int(port)), timeout=5)
            conn.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")  # and never the end
            slow.append(conn)
        started = time.monotonic()
        # While they trickle, everybody else is served, and quickly.
        with httpx.Client(base_url=site, timeout=5) as client:
            for _ in range(10):
                began = time.monotonic()
                assert client.get("/health").status_code == 200
                assert time.monotonic() - began < 1
                for conn in slow[::10]:
                    conn.sendall(b"X-Slow: 1\r\n")
                time.sleep(0.5)
        # nginx cuts each one once its head has taken too long, whatever it trickles.
        for conn in slow:
            conn.settimeout(
                max(HEADER_TIMEOUT_SECONDS + MARGIN_SECONDS - (time.monotonic() - started), 0.1)
            )
            try:
                leftover = conn.recv(1024)
            except ConnectionResetError:
                leftover = b""
            assert leftover == b"" or leftover.startswith(b"HTTP/1.1 408"), leftover[:80]
        assert time.monotonic() - started < HEADER_TIMEOUT_SECONDS + MARGIN_SECONDS
    finally:
        for conn in slow:
            conn.close()


def test_a_forged_forwarded_for_gets_no_fresh_login_budget(site: str) -> None:
    statuses = []
    with httpx.Client(base_url=site, timeout=30) as client:
        for n in range(14):
            answer = client.post(
                "/api/v1/auth/login",
                data={"username": f"nobody-{uuid.uuid4().hex[:6]}@example.com", "password": "x"},
                headers={"X-Forwarded-For": f"203.0.113.{n}", "X-Real-IP": f"203.0.113.{n}"},
            )
            statuses.append(answer.status_code)

    # Ten attempts of burst, then the address (the real one, 127.0.0.1) is refused.
    assert statuses[:10] == [401] * 10
    assert 429 in statuses[10:]


def test_api_answers_through_nginx_are_not_stored(site: str) -> None:
    answer = httpx.get(f"{site}/api/v1/items", timeout=10)

    assert answer.status_code == 401
    assert answer.headers["Cache-Control"] == "no-store"


def _nginx_limit_key(address: str) -> str:
    """The key nginx.conf's `map $remote_addr $limit_key` gives an address."""
    conf = (Path(REPO_ROOT) / "nginx" / "nginx.conf").read_text()
    block = re.search(r"map \$remote_addr \$limit_key \{(.*?)\n    \}", conf, re.S)
    assert block
    for pattern in re.findall(r'"~(.+?)" \$net;', block[1]):
        found = re.search(pattern.replace("(?<net>", "(?P<net>"), address)
        if found:
            return found["net"]
    return address  # default: the IPv4 address itself


def test_ipv6_clients_are_limited_by_their_64() -> None:
    rng = random.Random(14)  # noqa: S311 - test data
    keys: dict[str, ipaddress.IPv6Network] = {}
    for _ in range(3000):
        groups = [rng.choice([0, 0, 0, rng.randrange(1, 0x10000)]) for _ in range(8)]
        address = ipaddress.IPv6Address(":".join(f"{g:x}" for g in groups))
        network = ipaddress.IPv6Network(f"{address}/64", strict=False)
        key = _nginx_limit_key(str(address))  # str(): the canonical form nginx also writes
        # Every address of one /64 has one key, and no two /64s share one.
        assert keys.setdefault(key, network) == network, (address, key)
    by_network: dict[ipaddress.IPv6Network, set[str]] = {}
    for key, network in keys.items():
        by_network.setdefault(network, set()).add(key)
    # nginx cannot rewrite an address, only capture part of it: a /64 written with and
    # without "::" (1:2:3:0:5:6:7:8, 1:2:3::6:7:8) gets a few keys, never one per address.
    assert max(len(found) for found in by_network.values()) <= 3
    assert len(keys) < 3 * len(by_network)
    assert _nginx_limit_key("192.0.2.7") == "192.0.2.7"
