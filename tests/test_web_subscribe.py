"""Double opt-in over real HTTP: the form, the confirmation email in the outbox, the link."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import SECRET, Live, Reply, html_part, live_app, text_part

from newsletter.rendering.links import Links
from newsletter.store import Subscriber, SubscriberInput
from newsletter.store.events import confirmations_sent
from newsletter.subscribers import export_csv
from newsletter.tokens import make_token


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with live_app(tmp_path / "letter") as running:
        yield running


def sign_up(live: Live, fields: dict[str, str]) -> Reply:
    """Post the form, then let the queue send the confirmation (as `serve`'s worker does)."""
    reply = live.post_form("/subscribe", fields)
    live.drain()
    return reply


def press(live: Live, link: str) -> Reply:
    """Open a confirmation link and press its button (GET shows it, POST confirms)."""
    shown = live.get(link)
    if shown.status == 200 and "<form" in shown.text:
        assert f'action="{link.removeprefix(live.url)}"' in shown.text
    return live.request("POST", link, b"", {"Content-Type": "application/x-www-form-urlencoded"})


def confirm_link(live: Live, index: int = -1) -> str:
    text = text_part(live.outbox()[index])
    found = re.search(re.escape(live.url) + r"/confirm/\S+", text)
    assert found, text
    return found.group(0)


def test_sign_up_records_consent_and_emails_a_confirmation(live: Live) -> None:
    reply = sign_up(live, {"email": "New.Reader@Example.COM", "name": "Ana",
                                          "tz": "America/Chicago"})
    assert reply.status == 200 and "Check your inbox" in reply.text
    who = live.store.get_subscriber("new.reader@example.com")
    assert who is not None
    assert (who.status, who.name, who.timezone) == ("pending", "Ana", "America/Chicago")
    assert (who.consent_source, who.consent_ip, who.consent_at) == ("web form", "127.0.0.1",
                                                                   live.clock())
    [mail] = live.outbox()
    assert mail["To"].addresses[0].addr_spec == "new.reader@example.com"
    assert "12 Harbour Road" in text_part(mail) and "12 Harbour Road" in html_part(mail)
    assert "Hi Ana" in text_part(mail)
    assert mail["List-Unsubscribe"]
    assert confirm_link(live) in html_part(mail).replace("&amp;", "&")


def test_confirmation_link_activates_once_then_says_already(live: Live) -> None:
    sign_up(live, {"email": "joiner@example.com"})
    link = confirm_link(live)
    first, again = press(live, link), press(live, link)
    assert first.status == 200 and "You are subscribed" in first.text
    assert again.status == 200 and "already subscribed" in again.text
    who = live.store.get_subscriber("joiner@example.com")
    assert who is not None and who.status == "active" and who.confirmed_at == live.clock()
    assert live.store.status_history(who.id)[-1].source == "confirm link"


def test_confirmation_link_expires_after_seven_days(live: Live) -> None:
    sign_up(live, {"email": "late@example.com"})
    key = live.store.get_subscriber("late@example.com").key
    expired = press(live, f"{live.url}/confirm/{_token_signed_days_ago(key, 8)}")
    assert expired.status == 400 and "expired" in expired.text
    assert live.store.get_subscriber(key).status == "pending"
    assert press(live, f"{live.url}/confirm/{_token_signed_days_ago(key, 6)}").status == 200
    assert live.store.get_subscriber(key).status == "active"


def _token_signed_days_ago(key: str, days: int) -> str:
    """A confirmation token as if signed ``days`` ago (tokens carry their signing time)."""
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class PastSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return super().get_timestamp() - days * 86400

    return URLSafeTimedSerializer(SECRET, salt="newsletter.confirm",
                                  signer=PastSigner).dumps(key)


def test_same_answer_whether_or_not_the_address_is_known(live: Live) -> None:
    live.store.add_subscriber(SubscriberInput(email="known@example.com"), source="test",
                              now=live.clock())
    known = sign_up(live, {"email": "known@example.com"})
    unknown = sign_up(live, {"email": "unknown@example.com"})
    assert (known.status, known.body) == (unknown.status, unknown.body)


def test_confirmation_resent_at_most_once_per_ten_minutes(live: Live) -> None:
    for _ in range(3):
        sign_up(live, {"email": "eager@example.com"})
    assert len(live.outbox()) == 1
    live.clock.advance(minutes=11)
    sign_up(live, {"email": "EAGER@example.com"})
    assert len(live.outbox()) == 2
    who = live.store.get_subscriber("eager@example.com")
    assert who is not None and confirmations_sent(live.store, who.id) == 2


def _one_click_unsubscribe(live: Live, email: str, **extra: str) -> Subscriber:
    who, _ = live.store.add_subscriber(SubscriberInput(email=email, **extra), source="import",
                                       now=live.clock())
    url = Links(live.url, SECRET).unsubscribe_url(who.key)
    assert live.request("POST", url, b"List-Unsubscribe=One-Click",
                        {"Content-Type": "application/x-www-form-urlencoded"}).status == 200
    return who


def _unsubscribed_export(live: Live) -> list[str]:
    out = io.StringIO()
    export_csv(live.store, out, status="unsubscribed")
    return [row["email"] for row in csv.DictReader(io.StringIO(out.getvalue()))]


def test_sign_up_form_cannot_take_an_address_off_the_suppression_list(live: Live) -> None:
    who = _one_click_unsubscribe(live, "ada@example.com")
    live.clock.advance(minutes=5)
    unknown = sign_up(live, {"email": "nobody.yet@example.com"})
    again = sign_up(live, {"email": "ada@example.com"})
    assert (again.status, again.body) == (unknown.status, unknown.body)
    assert live.store.get_subscriber(who.id).status == "unsubscribed"
    assert _unsubscribed_export(live) == ["ada@example.com"]
    assert len([m for m in live.outbox() if m["To"] == "ada@example.com"]) == 1
    for _ in range(2):  # throttled as for everyone
        sign_up(live, {"email": "ada@example.com"})
    assert confirmations_sent(live.store, who.id) == 1


def test_unsubscribed_reader_comes_back_through_the_new_link_with_new_consent(
        live: Live) -> None:
    who = _one_click_unsubscribe(live, "ada@example.com")
    live.clock.advance(days=2)
    asked_at = live.clock()
    sign_up(live, {"email": "ada@example.com"})
    link = confirm_link(live)
    live.clock.advance(hours=1)
    reply = press(live, link)
    assert reply.status == 200 and "You are subscribed" in reply.text
    back = live.store.get_subscriber(who.id)
    assert back.status == "active" and _unsubscribed_export(live) == []
    assert (back.consent_source, back.consent_at, back.consent_ip) == ("web form", asked_at,
                                                                       "127.0.0.1")
    assert back.confirmed_at == live.clock()
    assert [(c.old, c.new, c.source) for c in live.store.status_history(who.id)][-2:] == [
        ("active", "unsubscribed", "one-click"), ("unsubscribed", "active", "confirm link")]
    assert "already subscribed" in live.get(link).text
    assert "already subscribed" in press(live, link).text


def test_a_come_back_link_stops_working_once_the_status_changes(live: Live) -> None:
    who = _one_click_unsubscribe(live, "ada@example.com")
    sign_up(live, {"email": "ada@example.com"})
    link = confirm_link(live)
    live.store.set_status(who.id, "active", source="web", now=live.clock())
    live.store.set_status(who.id, "unsubscribed", source="web", now=live.clock())
    assert press(live, link).status == 409
    assert live.store.get_subscriber(who.id).status == "unsubscribed"


def test_a_come_back_link_never_lifts_a_bounce(live: Live) -> None:
    who = _one_click_unsubscribe(live, "ada@example.com")
    sign_up(live, {"email": "ada@example.com"})
    live.store.set_status(who.id, "bounced", source="sendgrid:bounce", now=live.clock())
    assert press(live, confirm_link(live)).status == 409
    assert live.store.get_subscriber(who.id).status == "bounced"


def test_old_confirmation_link_does_not_undo_an_unsubscribe(live: Live) -> None:
    sign_up(live, {"email": "changed.mind@example.com"})
    who = live.store.get_subscriber("changed.mind@example.com")
    press(live, confirm_link(live))
    live.store.set_status(who.id, "unsubscribed", source="web", now=live.clock())
    assert press(live, confirm_link(live)).status == 409
    assert live.store.get_subscriber(who.id).status == "unsubscribed"


@pytest.mark.parametrize("status", ["bounced", "complained"])
def test_bounced_or_complained_address_is_never_mailed_again(live: Live, status: str) -> None:
    live.store.add_subscriber(SubscriberInput(email="dead@example.com", status=status),
                              source="test", now=live.clock())
    assert sign_up(live, {"email": "dead@example.com"}).status == 200
    assert live.outbox() == []
    assert live.store.get_subscriber("dead@example.com").status == status


def test_invalid_address_shows_the_form_again(live: Live) -> None:
    reply = sign_up(live, {"email": "not-an-address", "name": "X"})
    assert reply.status == 400 and "valid email address" in reply.text
    assert 'aria-invalid="true"' in reply.text
    assert live.store.count_by_status()["pending"] == 0


def test_bots_filling_the_hidden_field_get_the_same_answer_and_nothing_else(live: Live) -> None:
    reply = sign_up(live, {"email": "bot@example.com", "website": "spam"})
    assert reply.status == 200 and "Check your inbox" in reply.text
    assert live.store.get_subscriber("bot@example.com") is None and live.outbox() == []


def test_unknown_time_zone_is_ignored(live: Live) -> None:
    sign_up(live, {"email": "tz@example.com", "tz": "../../etc/passwd"})
    assert live.store.get_subscriber("tz@example.com").timezone is None


@pytest.mark.parametrize(("reported", "kept"), [
    ("Europe/Berlin", "Europe/Berlin"), ("Etc/GMT+5", "Etc/GMT+5"),  # a clock set to UTC-5
    ("EST", None), ("GMT", None), ("Factory", None)])
def test_a_browser_zone_is_kept_unless_it_is_an_abbreviation(live: Live, reported: str,
                                                             kept: str | None) -> None:
    email = f"zone-{reported.replace('/', '-').lower()}@example.com"
    sign_up(live, {"email": email, "tz": reported})
    assert live.store.get_subscriber(email).timezone == kept


def test_other_purpose_and_forged_confirm_tokens_are_refused(live: Live) -> None:
    sign_up(live, {"email": "careful@example.com"})
    who = live.store.get_subscriber("careful@example.com")
    for token in (make_token(SECRET, "unsubscribe", who.key), confirm_link(live)
                  .rsplit("/", 1)[1][:-3] + "xyz", "abc"):
        assert live.get(f"/confirm/{token}").status == 400
        assert press(live, f"{live.url}/confirm/{token}").status == 400
    assert live.store.get_subscriber(who.id).status == "pending"


def test_the_form_is_accessible(live: Live) -> None:
    page = live.get("/subscribe").text
    assert '<html lang="en">' in page and page.count("<h1>") == 1
    for field in ("email", "name"):
        assert f'<label for="{field}">' in page and f'id="{field}"' in page
    assert 'name="tz"' in page and "timezone.js" in page
    assert live.get("/assets/timezone.js").status == 200
    assert live.get("/assets/web.css").status == 200
    assert live.get("/assets/..%2Fbase.html.j2").status == 404
