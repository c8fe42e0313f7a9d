"""The mixed load: item lists read by several users who also edit their items (one request in
ten), so cached pages are invalidated while they are being read. A wrk Lua script per run."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

USERS = 4
ITEMS_PER_USER = 10
WRITE_EVERY = 10  # one request in ten is a PATCH of one of the user's items
PASSWORD = "benchmark-password"  # noqa: S105 - throw-away local accounts

_SCRIPT = """
local users = %(users)s
local n = 0
request = function()
  n = n + 1
  local user = users[(n %% #users) + 1]
  local auth = "Bearer " .. user.token
  if n %% %(every)d == 0 then
    local id = user.items[(math.floor(n / %(every)d) %% #user.items) + 1]
    return wrk.format("PATCH", "/api/v1/items/" .. id,
      {["Authorization"] = auth, ["Content-Type"] = "application/json"},
      '{"title": "edited ' .. n .. '"}')
  end
  return wrk.format("GET", "/api/v1/items", {["Authorization"] = auth})
end
"""


def seed_users(url: str) -> list[tuple[str, list[str]]]:
    """USERS accounts with ITEMS_PER_USER items each: (token, item ids) of each."""
    users = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for n in range(USERS):
            email = f"bench-mixed-{n}@example.com"
            client.post(
                "/api/v1/auth/signup", json={"email": email, "password": PASSWORD, "full_name": "M"}
            )
            login = client.post(
                "/api/v1/auth/login", data={"username": email, "password": PASSWORD}
            )
            token = login.json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            page = client.get("/api/v1/items", headers=headers).json()
            for k in range(page["total"], ITEMS_PER_USER):
                client.post("/api/v1/items", headers=headers, json={"title": f"item {k}"})
            page = client.get("/api/v1/items", headers=headers).json()
            users.append((token, [item["id"] for item in page["items"]]))
    return users


def write_script(users: list[tuple[str, list[str]]], path: Path) -> Path:
    table = (
        "{"
        + ", ".join(
            f"{{token = {json.dumps(token)}, items = {{{', '.join(json.dumps(i) for i in ids)}}}}}"
            for token, ids in users
        )
        + "}"
    )
    path.write_text(_SCRIPT % {"users": table, "every": WRITE_EVERY})
    return path
