"""Unsubscribe over real HTTP: RFC 8058 one-click, a GET that changes nothing, resubscribe,
and tokens that are forged, truncated or made for another purpose."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import SECRET, Live, live_app

from newsletter.cli import web  # noqa: F401  (registers serve and stats)
from newsletter.rendering.links import Links
from newsletter.store import Subscriber, SubscriberInput
from newsletter.tokens import make_token


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with live_app(tmp_path / "letter") as running:
        yield running


def subscriber(live: Live, email: str = "reader@example.net", status: str = "active"
               ) -> Subscriber:
    found, _ = live.store.add_subscriber(SubscriberInput(email=email, name="Reader",
                                                         status=status),
                                         source="test", now=live.clock())
    return found


def link(live: Live, who: Subscriber) -> str:
    return Links(live.url, SECRET).unsubscribe_url(who.key)


def test_one_click_post_exactly_as_gmail_sends_it_unsubscribes_at_once(live: Live) -> None:
    who = subscriber(live)
    live.clock.advance(days=2)
    reply = live.request("POST", link(live, who), b"List-Unsubscribe=One-Click",
                         {"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 200
    assert "set-cookie" not in reply.headers
    assert live.store.get_subscriber(who.id).status == "unsubscribed"
    last = live.store.status_history(who.id)[-1]
    assert (last.old, last.new, last.source, last.at) == ("active", "unsubscribed",
                                                          "one-click", live.clock())


def test_get_only_shows_a_one_button_confirmation(live: Live) -> None:
    who = subscriber(live)
    for method in ("GET", "HEAD", "GET"):  # link scanners may fetch it, repeatedly
        reply = live.request(method, link(live, who))
        assert reply.status == 200
    assert live.store.get_subscriber(who.id).status == "active"
    assert reply.text.count("<h1>") == 1 and '<html lang="en">' in reply.text
    assert len(re.findall(r'<form method="post"', reply.text)) == 1
    assert len(re.findall(r"<button", reply.text)) == 1
    assert "reader@example.net" not in reply.text  # masked: r•••@example.net
    assert "r•••@example.net" in reply.text


def test_confirm_button_then_resubscribe_are_recorded_with_source(live: Live) -> None:
    who = subscriber(live)
    done = live.post_form(link(live, who), {"action": "unsubscribe"})
    assert done.status == 200 and "You are unsubscribed" in done.text
    assert "Resubscribe" in done.text
    assert live.store.get_subscriber(who.id).status == "unsubscribed"
    back = live.post_form(link(live, who), {"action": "resubscribe"})
    assert back.status == 200 and "Welcome back" in back.text
    history = [(c.new, c.source) for c in live.store.status_history(who.id)]
    assert history[-2:] == [("unsubscribed", "web"), ("active", "web")]


def test_unsubscribing_twice_records_one_change(live: Live) -> None:
    who = subscriber(live)
    for _ in range(2):
        assert live.request("POST", link(live, who), b"List-Unsubscribe=One-Click",
                            {"Content-Type": "application/x-www-form-urlencoded"}).status == 200
    assert [c.new for c in live.store.status_history(who.id)].count("unsubscribed") == 1


def test_bounced_address_stays_bounced_and_cannot_resubscribe(live: Live) -> None:
    who = subscriber(live, status="bounced")
    page = live.get(link(live, who))
    assert "Resubscribe" not in page.text
    assert live.post_form(link(live, who), {"action": "unsubscribe"}).status == 200
    assert live.post_form(link(live, who), {"action": "resubscribe"}).status == 409
    assert live.store.get_subscriber(who.id).status == "bounced"


@pytest.mark.parametrize("tamper", ["forged", "truncated", "confirm", "view", "garbage",
                                    "other-secret"])
def test_bad_tokens_are_refused_on_get_and_post(live: Live, tamper: str) -> None:
    who = subscriber(live)
    good = make_token(SECRET, "unsubscribe", who.key)
    token = {
        "forged": good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
        "truncated": good[: len(good) // 2],
        "confirm": make_token(SECRET, "confirm", who.key),
        "view": make_token(SECRET, "view", who.key),
        "garbage": "%3Cscript%3E'%20OR%201=1--",
        "other-secret": make_token("another-secret-of-enough-length", "unsubscribe", who.key),
    }[tamper]
    path = f"/unsubscribe/{token}"
    answers = [live.get(path),
               live.request("POST", path, b"List-Unsubscribe=One-Click",
                            {"Content-Type": "application/x-www-form-urlencoded"}),
               live.post_form(path, {"action": "unsubscribe"})]
    assert [a.status for a in answers] == [400, 400, 400]
    assert all("<h1>" in a.text for a in answers)
    assert live.store.get_subscriber(who.id).status == "active"


def test_valid_token_for_nobody_on_the_list(live: Live) -> None:
    path = f"/unsubscribe/{make_token(SECRET, 'unsubscribe', 'no-such-key')}"
    assert live.get(path).status == 404
    one_click = live.request("POST", path, b"List-Unsubscribe=One-Click",
                             {"Content-Type": "application/x-www-form-urlencoded"})
    assert one_click.status == 200


def test_post_without_one_click_or_action_changes_nothing(live: Live) -> None:
    who = subscriber(live)
    assert live.post_form(link(live, who), {"List-Unsubscribe": "Other"}).status == 400
    assert live.store.get_subscriber(who.id).status == "active"


def test_generic_unsubscribe_page_explains_how(live: Live) -> None:
    reply = live.get("/unsubscribe")
    assert reply.status == 200 and "How to unsubscribe" in reply.text


def test_issue_of_the_link_is_recorded_with_the_change(live: Live) -> None:
    one_click, by_button, junk = (subscriber(live, f"{n}@example.net") for n in "abc")
    live.request("POST", link(live, one_click) + "?i=3", b"List-Unsubscribe=One-Click",
                 {"Content-Type": "application/x-www-form-urlencoded"})
    page = live.get(link(live, by_button) + "?i=4")
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action and action.group(1).replace("&amp;", "&").endswith("?i=4")
    live.post_form(action.group(1).replace("&amp;", "&"), {"action": "unsubscribe"})
    live.post_form(link(live, junk) + "?i=3%27%20OR%201=1", {"action": "unsubscribe"})
    assert [live.store.status_history(who.id)[-1].source
            for who in (one_click, by_button, junk)] == ["one-click:issue-3", "web:issue-4",
                                                         "web"]


@pytest.mark.parametrize("method", ["GET", "one-click", "button"])
def test_the_unsubscribe_link_of_a_proof_says_nothing_changed(live: Live, method: str) -> None:
    who = subscriber(live)
    url = link(live, who).replace(make_token(SECRET, "unsubscribe", who.key),
                                  make_token(SECRET, "unsubscribe", "test"))
    reply = {"GET": lambda: live.get(url),
             "one-click": lambda: live.request(
                 "POST", url, b"List-Unsubscribe=One-Click",
                 {"Content-Type": "application/x-www-form-urlencoded"}),
             "button": lambda: live.post_form(url, {"action": "unsubscribe"})}[method]()
    assert reply.status == 200
    assert "test email" in reply.text and "nothing was changed" in reply.text
    assert live.store.count_by_status()["unsubscribed"] == 0
