"""Writers: create, edit and delete their own items; never one they did not create."""

from __future__ import annotations

import random

from locust import task

from loadtests.accounts import API
from loadtests.run import RUN
from loadtests.scenarios.base import AppUser

MAX_ITEMS = int(RUN.settings["users"]["max_items_per_writer"])


class Writer(AppUser):
    def on_start(self) -> None:
        super().on_start()
        self.mine: list[str] = []

    @task(3)
    def create(self) -> None:
        body = {"title": f"note {len(self.mine) + 1}", "description": "written under load"}
        with self.client.post(
            f"{API}/items", json=body, headers=self.auth(), catch_response=True
        ) as answer:
            if answer.status_code == 201:
                self.mine.append(answer.json()["id"])
            else:
                answer.failure(f"create answered {answer.status_code}")
        if len(self.mine) > MAX_ITEMS:
            self._delete(self.mine.pop(0))

    @task(3)
    def edit(self) -> None:
        if self.mine:
            item = random.choice(self.mine)  # noqa: S311 - not cryptography
            body = {"title": "edited", "description": "edited under load"}
            self.client.patch(
                f"{API}/items/{item}", json=body, headers=self.auth(), name=f"{API}/items/[id]"
            )

    @task(1)
    def delete(self) -> None:
        if self.mine:
            self._delete(self.mine.pop(0))

    @task(2)
    def list_mine(self) -> None:
        self.client.get(f"{API}/items?limit=20", headers=self.auth(), name=f"{API}/items")

    def on_stop(self) -> None:
        while self.mine:
            self._delete(self.mine.pop())

    def _delete(self, item: str) -> None:
        self.client.delete(f"{API}/items/{item}", headers=self.auth(), name=f"{API}/items/[id]")
