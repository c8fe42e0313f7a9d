"""/metrics: the series an operator graphs and alerts on, with bounded label values."""

from __future__ import annotations

import re
import uuid

import httpx

from app.config import Settings
from app.main import create_app
from tests.conftest import PASSWORD, ApiUser, running


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in an exposition text; 0 when absent."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        series, _, value = line.rpartition(" ")
        metric, _, label_text = series.partition("{")
        found = dict(re.findall(r'(\w+)="([^"]*)"', label_text))
        if metric == name and all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return 0.0


async def scrape(client: httpx.AsyncClient) -> str:
    answer = await client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


async def test_requests_are_counted_by_route_template_method_and_status(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    route = "/api/v1/items/{item_id}"
    before = await scrape(client)

    for _ in range(3):
        await client.get(f"/api/v1/items/{uuid.uuid4()}", headers=user.headers)

    after = await scrape(client)
    labels = {"method": "GET", "route": route, "status": "404"}
    assert (
        sample(after, "http_requests_total", **labels)
        - sample(before, "http_requests_total", **labels)
        == 3
    )
    assert (
        sample(after, "http_request_duration_seconds_count", **labels)
        - sample(before, "http_request_duration_seconds_count", **labels)
        == 3
    )
    assert "/api/v1/items/" + "0" not in after  # no raw path ever becomes a label


def series(text: str) -> set[str]:
    return {line.rpartition(" ")[0] for line in text.splitlines() if not line.startswith("#")}


async def test_unknown_paths_add_no_series(client: httpx.AsyncClient) -> None:
    await client.get("/no/such/page")
    before = await scrape(client)

    for n in range(500):
        await client.get(f"/no/such/page/{n}", params={"q": n})

    after = await scrape(client)
    # Only the scrape itself may add a series (its own route, once): nothing per unknown path.
    assert series(after) - series(before) <= {s for s in series(after) if 'route="/metrics"' in s}
    assert not any("/no/such" in s for s in series(after))
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert (
        sample(after, "http_requests_total", **unmatched)
        - sample(before, "http_requests_total", **unmatched)
        == 500
    )


async def test_unusual_methods_cannot_mint_label_values(client: httpx.AsyncClient) -> None:
    await client.request("BREW", "/health")

    text = await scrape(client)

    assert 'method="BREW"' not in text
    assert sample(text, "http_requests_total", method="OTHER", route="/health") >= 1


async def test_business_counters_follow_what_users_do(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    before = await scrape(client)

    await client.post(
        "/api/v1/auth/signup",
        json={"email": f"{uuid.uuid4().hex}@example.com", "password": PASSWORD, "full_name": "M"},
    )
    await client.post("/api/v1/auth/login", data={"username": user.email, "password": PASSWORD})
    await client.post("/api/v1/auth/login", data={"username": user.email, "password": "nope!!!!"})
    await client.post("/api/v1/items", headers=user.headers, json={"title": "counted"})

    after = await scrape(client)

    def grew(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert grew("app_signups_total") == 1
    assert grew("app_logins_total", result="success") == 1
    assert grew("app_logins_total", result="failure") == 1
    assert grew("app_items_created_total") == 1


async def test_app_info_and_pool_settings_are_exported(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    text = await scrape(client)

    assert sample(text, "app_info", version="0.1.0", commit=settings.git_commit) == 1
    assert sample(text, "db_pool_size") == settings.db_pool_size
    assert sample(text, "db_pool_max_connections") == (
        settings.db_pool_size + settings.db_max_overflow
    )
    assert sample(text, "db_pool_acquire_duration_seconds_count") > 0
    assert sample(text, "process_resident_memory_bytes") > 0


async def test_metrics_can_be_switched_off(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"metrics_enabled": False}))
    async with running(app) as client:
        assert (await client.get("/metrics")).status_code == 404
        assert (await client.get("/health")).status_code == 200
