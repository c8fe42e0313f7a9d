"""Readers: page through their items and open them. Most traffic of the app is this."""

from __future__ import annotations

import random

from locust import task

from loadtests.accounts import API
from loadtests.scenarios.base import AppUser


class Reader(AppUser):
    @task(4)
    def first_page(self) -> None:
        self.client.get(f"{API}/items?limit=20", headers=self.auth(), name=f"{API}/items")

    @task(1)
    def next_page(self) -> None:
        self.client.get(
            f"{API}/items?offset=2&limit=2", headers=self.auth(), name=f"{API}/items?offset"
        )

    @task(4)
    def open_item(self) -> None:
        # Only the items prepared with the account: writers sharing it may delete their own.
        item = random.choice(self.account.item_ids)  # noqa: S311 - not cryptography
        self.client.get(f"{API}/items/{item}", headers=self.auth(), name=f"{API}/items/[id]")

    @task(1)
    def profile(self) -> None:
        self.client.get(f"{API}/users/me", headers=self.auth())
