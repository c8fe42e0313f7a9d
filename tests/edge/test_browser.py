"""A person's visit through nginx in Debian's Chromium: sign up, log in, create, edit and delete
an item, log out; all under the production CSP, with no console error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect, sync_playwright

from .api_client import PASSWORD, new_email

CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium in a sandboxless container, with nothing phoning home during the test.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class Console:
    """Everything the page reported as going wrong."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        self.csp_violations: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)


@pytest.fixture
def page(base_url: str) -> Iterator[Page]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make deps does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        context.close()
        browser.close()


def test_sign_up_log_in_and_manage_items_under_the_csp(page: Page, artifacts: Path) -> None:
    console = Console(page)
    email = new_email()

    page.goto("/signup")
    page.get_by_label("Full name").fill("Edge Browser")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/items$"))
    expect(page.get_by_role("heading", name="Your items")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your items")).to_be_visible()

    page.get_by_role("link", name="New item").click()
    page.get_by_label("Title").fill("Groceries")
    page.get_by_label("Description").fill("Bread, milk and a jar of honey")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/items$"))
    expect(page.get_by_role("link", name="Groceries")).to_be_visible()
    page.screenshot(path=artifacts / "items-page.png", full_page=True)

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Title").fill("Groceries for Sunday")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Groceries for Sunday")).to_be_visible()

    page.get_by_role("button", name="Delete").click()
    page.get_by_role("button", name="Yes, delete").click()
    expect(page.get_by_role("heading", name="No items yet")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    assert console.csp_violations == []
    assert console.errors == []
