"""End to end in a real browser (headless Chromium from Debian, driven by Playwright):
sign up through the form on the public page, confirm from the outbox .eml, receive the next
issue, follow its unsubscribe link, confirm, see the status change, and find the issue
from the public page; every page screenshotted and checked for visible content.

Skipped locally without /usr/bin/chromium; in CI (CI or NEWSLETTER_REQUIRE_BROWSER set)
a missing browser fails the test.
"""

from __future__ import annotations

import os
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from web_support import live_app, send_issue_now, text_part

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _require_browser() -> None:
    required = os.environ.get("CI") or os.environ.get("NEWSLETTER_REQUIRE_BROWSER")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if required:
            raise AssertionError("the playwright package is required in CI") from None
        pytest.skip("playwright is not installed")
    if not CHROMIUM.exists():
        if required:
            raise AssertionError(f"{CHROMIUM} is required in CI (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed")


def _visible(page: Any, shots: Path, name: str) -> None:
    """Screenshot the page; its one h1 is visible and the image is not blank."""
    path = shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert page.locator("h1").count() == 1
    assert page.locator("h1").is_visible()
    assert _png_variety(path.read_bytes()) > 20, f"{name} looks blank"
    assert _png_variety(page.locator("h1").screenshot()) > 10, f"{name}: the h1 shows nothing"


def _png_variety(png: bytes) -> int:
    """How many distinct byte values the pixel data holds (a blank image has a handful)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    data, at = b"", 8
    while at < len(png):
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        if kind == b"IDAT":
            data += png[at + 8:at + 8 + length]
        at += 12 + length
    return len(set(zlib.decompress(data)))


def test_sign_up_confirm_receive_unsubscribe(tmp_path: Path) -> None:
    _require_browser()
    from playwright.sync_api import sync_playwright

    shots = tmp_path / "shots"
    shots.mkdir()
    with live_app(tmp_path / "letter") as live, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{live.url}/")  # the newsletter's public page holds the form
            _visible(page, shots, "1-home")
            assert page.get_by_role("link", name="All past issues").is_visible()
            page.get_by_label("Email address").fill("browser.reader@example.com")
            page.get_by_label("First name").fill("Bea")
            page.get_by_role("button", name="Subscribe").click()
            page.wait_for_selector("h1:has-text('Check your inbox')")
            _visible(page, shots, "2-check-inbox")
            live.drain()  # the queued confirmation email, as `serve` sends it
            who = live.store.get_subscriber("browser.reader@example.com")
            assert who is not None and who.status == "pending"
            assert who.timezone  # filled in by the browser's Intl API

            [confirmation] = live.outbox()
            link = re.search(r"http\S+/confirm/\S+", text_part(confirmation))
            assert link
            page.goto(link.group(0))
            _visible(page, shots, "3-confirm")
            assert live.store.get_subscriber(who.id).status == "pending"  # GET changes nothing
            page.get_by_role("button", name="Yes, subscribe me").click()
            page.wait_for_selector("h1:has-text('You are subscribed')")
            _visible(page, shots, "4-confirmed")
            assert live.store.get_subscriber(who.id).status == "active"

            report = send_issue_now(live, 1, "Your first tip")
            assert report.sent == 1
            issue = next(m for m in live.outbox() if m["Subject"] == "Your first tip")
            unsubscribe = issue["List-Unsubscribe"].strip("<>")
            page.goto(unsubscribe)
            _visible(page, shots, "5-unsubscribe")
            assert live.store.get_subscriber(who.id).status == "active"  # GET changes nothing
            page.get_by_role("button", name="Unsubscribe").click()
            page.wait_for_selector("h1:has-text('You are unsubscribed')")
            _visible(page, shots, "6-unsubscribed")
            assert live.store.get_subscriber(who.id).status == "unsubscribed"
            assert live.store.status_history(who.id)[-1].source == "web:issue-1"
            page.goto(f"{live.url}/")
            page.get_by_role("link", name="Your first tip").click()
            page.wait_for_url("**/archive/1")
            assert "Stand up and stretch" in page.content()
        finally:
            browser.close()
