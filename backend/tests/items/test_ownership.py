"""User A can never read, change or delete user B's items, nor learn that they exist."""

from __future__ import annotations

import uuid

import httpx

from tests.conftest import MakeUser


async def test_other_users_items_are_invisible_and_untouchable(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    alice, bob = await make_user(), await make_user()
    created = await client.post(
        "/api/v1/items", headers=bob.headers, json={"title": "Bob's", "description": "private"}
    )
    bobs_item = created.json()
    missing = f"/api/v1/items/{uuid.uuid4()}"
    bobs = f"/api/v1/items/{bobs_item['id']}"

    # Every way Alice can reach Bob's item answers exactly like an item that does not exist.
    for method, body in (("GET", None), ("PATCH", {"title": "Alice's now"}), ("DELETE", None)):
        on_bobs = await client.request(method, bobs, headers=alice.headers, json=body)
        on_missing = await client.request(method, missing, headers=alice.headers, json=body)
        assert on_bobs.status_code == on_missing.status_code == 404
        assert on_bobs.json() == on_missing.json()

    alices_list = await client.get("/api/v1/items", headers=alice.headers)
    assert alices_list.json() == {"items": [], "total": 0, "offset": 0, "limit": 20}
    # Bob's item is exactly as he left it.
    still = await client.get(bobs, headers=bob.headers)
    assert still.json() == bobs_item


async def test_owner_cannot_be_changed_through_the_api(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    alice, bob = await make_user(), await make_user()
    item = (await client.post("/api/v1/items", headers=alice.headers, json={"title": "a"})).json()

    answer = await client.patch(
        f"/api/v1/items/{item['id']}", headers=alice.headers, json={"owner_id": bob.id}
    )

    assert answer.json()["owner_id"] == alice.id
    bobs_list = await client.get("/api/v1/items", headers=bob.headers)
    assert bobs_list.json()["total"] == 0
