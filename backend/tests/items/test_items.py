"""Items: create, list, read, update and delete my own."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import ApiUser


async def create(client: httpx.AsyncClient, user: ApiUser, **fields: object) -> dict[str, object]:
    answer = await client.post("/api/v1/items", headers=user.headers, json=fields)
    assert answer.status_code == 201, answer.text
    item: dict[str, object] = answer.json()
    return item


async def test_create_and_read_an_item(client: httpx.AsyncClient, user: ApiUser) -> None:
    item = await create(client, user, title="  Buy milk ", description="Two litres")

    assert item["title"] == "Buy milk"
    assert item["description"] == "Two litres"
    assert item["owner_id"] == user.id
    read = await client.get(f"/api/v1/items/{item['id']}", headers=user.headers)
    assert read.json() == item


async def test_description_is_optional(client: httpx.AsyncClient, user: ApiUser) -> None:
    item = await create(client, user, title="No description")

    assert item["description"] is None


async def test_list_is_newest_first_with_a_total(client: httpx.AsyncClient, user: ApiUser) -> None:
    titles = [f"item {n}" for n in range(5)]
    for title in titles:
        await create(client, user, title=title)

    answer = await client.get("/api/v1/items", headers=user.headers)

    assert answer.status_code == 200
    page = answer.json()
    assert page["total"] == 5
    assert page["offset"] == 0
    assert page["limit"] == 20
    assert [item["title"] for item in page["items"]] == list(reversed(titles))


async def test_pages_cover_every_item_once(client: httpx.AsyncClient, user: ApiUser) -> None:
    for n in range(7):
        await create(client, user, title=f"item {n}")

    seen = []
    for offset in (0, 3, 6):
        page = (
            await client.get(
                "/api/v1/items", headers=user.headers, params={"offset": offset, "limit": 3}
            )
        ).json()
        assert page["total"] == 7
        seen += [item["title"] for item in page["items"]]

    assert seen == [f"item {n}" for n in reversed(range(7))]


async def test_offset_past_the_end_is_an_empty_page(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    await create(client, user, title="only one")

    page = (await client.get("/api/v1/items?offset=50", headers=user.headers)).json()

    assert page["items"] == []
    assert page["total"] == 1


async def test_largest_page_is_allowed(client: httpx.AsyncClient, user: ApiUser) -> None:
    answer = await client.get("/api/v1/items?limit=100", headers=user.headers)

    assert answer.status_code == 200
    assert answer.json()["limit"] == 100


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("offset=-1", "offset"),
        ("offset=99999999999999999999", "offset"),
    ],
)
async def test_page_bounds_are_enforced(
    client: httpx.AsyncClient, user: ApiUser, query: str, field: str
) -> None:
    answer = await client.get(f"/api/v1/items?{query}", headers=user.headers)

    assert answer.status_code == 422
    assert answer.json()["detail"][0] == {
        "field": field,
        "location": "query",
        "message": answer.json()["detail"][0]["message"],
    }


async def test_partial_update_changes_only_what_was_sent(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    item = await create(client, user, title="Original", description="Keep me")

    answer = await client.patch(
        f"/api/v1/items/{item['id']}", headers=user.headers, json={"title": "Renamed"}
    )

    assert answer.status_code == 200
    updated = answer.json()
    assert updated["title"] == "Renamed"
    assert updated["description"] == "Keep me"
    assert updated["updated_at"] > item["updated_at"]
    assert updated["created_at"] == item["created_at"]


async def test_update_can_clear_the_description(client: httpx.AsyncClient, user: ApiUser) -> None:
    item = await create(client, user, title="T", description="gone soon")

    answer = await client.patch(
        f"/api/v1/items/{item['id']}", headers=user.headers, json={"description": None}
    )

    assert answer.json()["description"] is None
    assert answer.json()["title"] == "T"


async def test_delete_an_item(client: httpx.AsyncClient, user: ApiUser) -> None:
    item = await create(client, user, title="Temporary")

    answer = await client.delete(f"/api/v1/items/{item['id']}", headers=user.headers)

    assert answer.status_code == 204
    gone = await client.get(f"/api/v1/items/{item['id']}", headers=user.headers)
    assert gone.status_code == 404
    assert gone.json() == {"error": "not_found", "detail": "Item not found"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "description": "x" * 10_001}, "description"),
        ({"title": "nul\x00byte"}, "title"),
        ({"description": "no title"}, "title"),
        ({"title": ["not", "a", "string"]}, "title"),
    ],
)
async def test_invalid_item_names_the_field(
    client: httpx.AsyncClient, user: ApiUser, payload: dict[str, object], field: str
) -> None:
    answer = await client.post("/api/v1/items", headers=user.headers, json=payload)

    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["detail"]] == [field]
    listing = await client.get("/api/v1/items", headers=user.headers)
    assert listing.json()["total"] == 0


async def test_limits_are_inclusive(client: httpx.AsyncClient, user: ApiUser) -> None:
    item = await create(client, user, title="x" * 200, description="y" * 10_000)

    assert len(str(item["title"])) == 200


@pytest.mark.parametrize(
    ("payload", "field"), [({"title": None}, "title"), ({"title": ""}, "title")]
)
async def test_invalid_update_names_the_field_and_changes_nothing(
    client: httpx.AsyncClient, user: ApiUser, payload: dict[str, object], field: str
) -> None:
    item = await create(client, user, title="Stays")

    answer = await client.patch(f"/api/v1/items/{item['id']}", headers=user.headers, json=payload)

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == field
    read = await client.get(f"/api/v1/items/{item['id']}", headers=user.headers)
    assert read.json()["title"] == "Stays"


async def test_malformed_item_id_names_the_path_field(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    answer = await client.get("/api/v1/items/not-a-uuid", headers=user.headers)

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "item_id"
    assert answer.json()["detail"][0]["location"] == "path"
