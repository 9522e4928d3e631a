"""The archive: sent issues listed, each shown as sent with nobody's personal data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import SECRET, Live, html_part, live_app, send_issue_now

from newsletter.store import SubscriberInput
from newsletter.tokens import make_token


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with live_app(tmp_path / "letter") as running:
        for name in ("Zed", "Yolanda"):
            running.store.add_subscriber(SubscriberInput(email=f"{name.lower()}@example.com",
                                                         name=name), source="test",
                                         now=running.clock())
        send_issue_now(running, 1, "First things first")
        running.clock.advance(days=3)
        send_issue_now(running, 2, "Second & <better>")
        yield running


def test_archive_lists_sent_issues_newest_first(live: Live) -> None:
    page = live.get("/archive")
    assert page.status == 200 and page.text.count("<h1>") == 1
    assert page.text.index("Second &amp; &lt;better&gt;") < page.text.index("First things first")
    assert 'href="/archive/1"' in page.text and 'href="/archive/2"' in page.text


def test_issue_page_is_the_sent_email_with_personal_parts_neutralised(live: Live) -> None:
    page = live.get("/archive/1")
    assert page.status == 200 and "Stand up and stretch every hour." in page.text
    assert "Hi there," in page.text
    for private in ("Zed", "Yolanda", "zed@example.com", "yolanda@example.com", "%%"):
        assert private not in page.text
    assert 'href="/unsubscribe"' in page.text
    assert live.get("/unsubscribe").status == 200
    assert "<script" not in page.text.lower()


def test_view_in_browser_link_of_an_email_opens_the_issue(live: Live) -> None:
    mail = next(m for m in live.outbox() if m["Subject"] == "First things first")
    link = re.search(r'href="([^"]*/archive/1\?t=[^"]+)"', html_part(mail))
    assert link
    page = live.get(link.group(1).replace("&amp;", "&"))
    assert page.status == 200 and "Hi there," in page.text and "Zed" not in page.text


def test_damaged_or_forged_view_tokens_are_a_400_pointing_to_the_public_issue(
        live: Live) -> None:
    key = live.store.get_subscriber("zed@example.com").key
    public = live.get("/archive/1")
    good = live.get(f"/archive/1?t={good_token(key)}")
    assert (good.status, good.body) == (200, public.body)
    other_issue = make_token(SECRET, "view", f"{key}:2")
    other_purpose = make_token(SECRET, "unsubscribe", f"{key}:1")
    for token in (other_issue, other_purpose, "forged.token.here", good_token(key)[:-5],
                  "%3Cscript%3E", ""):
        reply = live.get(f"/archive/1?t={token}")
        assert reply.status == 400, (token, reply.status)
        assert "This view link is damaged" in reply.text and "/archive/1" in reply.text
        assert "Zed" not in reply.text and "zed@example.com" not in reply.text
        assert live.request("HEAD", f"/archive/1?t={token}").status == 400


def good_token(key: str) -> str:
    return make_token(SECRET, "view", f"{key}:1")


def test_unknown_issues(live: Live) -> None:
    assert live.get("/archive/99").status == 404
    assert live.get("/archive/99?t=forged.token").status == 404
    assert live.get("/archive/abc").status == 404


def test_the_public_page_has_the_sign_up_form_the_latest_issues_and_the_archive(
        live: Live) -> None:
    page = live.get("/")
    assert page.status == 200 and page.text.count("<h1>") == 1
    assert "<h1>The Test Letter</h1>" in page.text
    assert "<title>The Test Letter</title>" in page.text  # its name once, not twice
    assert "<title>Archive · The Test Letter</title>" in live.get("/archive").text
    assert '<form method="post" action="/subscribe"' in page.text
    assert page.text.index("Second &amp; &lt;better&gt;") < page.text.index("First things first")
    assert 'href="/archive/2"' in page.text and 'href="/archive"' in page.text
    assert "zed@example.com" not in page.text and "Zed" not in page.text
    assert live.request("HEAD", "/").status == 200
    signed_up = live.post_form("/subscribe", {"email": "from.home@example.com"})
    assert signed_up.status == 200 and "Check your inbox" in signed_up.text


def test_the_public_page_before_any_issue_says_so(tmp_path: Path) -> None:
    with live_app(tmp_path / "letter") as fresh:
        page = fresh.get("/")
        assert page.status == 200 and "No issue has been sent yet." in page.text
        assert '<form method="post" action="/subscribe"' in page.text
