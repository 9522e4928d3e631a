"""The SendGrid event webhook over real HTTP: signatures, limits, duplicates, status changes,
and SendGrid's own example events."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_file
from web_support import Live, key_pair, live_app, sign

from newsletter.store import Subscriber, SubscriberInput
from newsletter.web import WebSettings


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with live_app(tmp_path / "letter") as running:
        yield running


def add(live: Live, email: str, status: str = "active") -> Subscriber:
    found, _ = live.store.add_subscriber(SubscriberInput(email=email, status=status),
                                         source="test", now=live.clock())
    return found


def event(live: Live, who: Subscriber | None, kind: str, n: int, **extra: Any) -> dict[str, Any]:
    base = {"email": who.email if who else "stranger@example.org", "event": kind,
            "timestamp": int(live.clock().timestamp()), "sg_event_id": f"ev-{kind}-{n}",
            "sg_message_id": f"msg-{n}", "issue": "3"}
    if who:
        base["subscriber"] = str(who.id)
    return base | extra


def status(live: Live, who: Subscriber) -> str:
    found = live.store.get_subscriber(who.id)
    assert found is not None
    return found.status


def test_signed_batch_changes_statuses_and_stores_each_event(live: Live) -> None:
    people = {name: add(live, f"{name}@example.com") for name in (
        "hard", "blocked", "dropped", "invalid", "spam", "unsub", "group", "back", "fine")}
    live.store.set_status(people["back"].id, "unsubscribed", source="test", now=live.clock())
    batch = [
        event(live, people["hard"], "bounce", 1, type="bounce", reason="550 no such user"),
        event(live, people["blocked"], "bounce", 2, type="blocked", reason="421 try later"),
        event(live, people["dropped"], "dropped", 3, reason="Bounced Address"),
        event(live, people["invalid"], "dropped", 4, reason="Invalid"),
        event(live, people["spam"], "spamreport", 5),
        event(live, people["unsub"], "unsubscribe", 6),
        event(live, people["group"], "group_unsubscribe", 7, asm_group_id=10),
        event(live, people["back"], "group_resubscribe", 8, asm_group_id=10),
        event(live, people["fine"], "delivered", 9),
        event(live, people["fine"], "open", 10),
        event(live, people["fine"], "click", 11, url="https://example.com/a"),
        event(live, people["fine"], "deferred", 12, attempt="2"),
    ]
    reply = live.post_events(batch)
    assert reply.status == 200
    assert reply.json()["stored"] == len(batch)
    assert {name: status(live, who) for name, who in people.items()} == {
        "hard": "bounced", "blocked": "active", "dropped": "bounced", "invalid": "bounced",
        "spam": "complained", "unsub": "unsubscribed", "group": "unsubscribed",
        "back": "active", "fine": "active"}
    assert live.store.status_history(people["spam"].id)[-1].source == "sendgrid:spamreport"
    assert sum(live.store.event_count("3").values()) == len(batch)


def test_the_same_batch_twice_is_counted_once(live: Live) -> None:
    who = add(live, "twice@example.com")
    batch = [event(live, who, "open", 1), event(live, who, "unsubscribe", 2)]
    first, second = live.post_events(batch), live.post_events(batch)
    assert (first.status, second.status) == (200, 200)
    assert (first.json()["stored"], second.json()["stored"]) == (2, 0)
    assert live.store.event_count() == {"open": 1, "unsubscribe": 1}
    assert [c.new for c in live.store.status_history(who.id)].count("unsubscribed") == 1


def test_unsigned_tampered_wrong_key_and_stale_batches_are_refused(live: Live) -> None:
    who = add(live, "victim@example.com")
    batch = [event(live, who, "spamreport", 1)]
    body = json.dumps(batch).encode()
    now = int(live.clock().timestamp())
    headers = sign(live.private_key, body, now)
    other_key, _ = key_pair()
    tampered = body.replace(b"spamreport", b"unsubscribe")
    answers = {
        "unsigned": live.request("POST", "/webhooks/sendgrid", body,
                                 {"Content-Type": "application/json"}),
        "tampered": live.request("POST", "/webhooks/sendgrid", tampered, headers),
        "wrong key": live.post_events(batch, key=other_key),
        "stale": live.post_events(batch, timestamp=now - 11 * 60),
        "from the future": live.post_events(batch, timestamp=now + 11 * 60),
        "other timestamp": live.request("POST", "/webhooks/sendgrid", body, headers | {
            "X-Twilio-Email-Event-Webhook-Timestamp": str(now - 1)}),
        "bad base64": live.request("POST", "/webhooks/sendgrid", body, headers | {
            "X-Twilio-Email-Event-Webhook-Signature": "not base64!"}),
    }
    assert {name: a.status for name, a in answers.items()} == dict.fromkeys(answers, 403)
    assert live.store.event_count() == {}
    assert status(live, who) == "active"
    assert live.post_events(batch, timestamp=now - 9 * 60).status == 200  # inside the window


def test_window_is_configurable(tmp_path: Path) -> None:
    settings = WebSettings(webhook_max_age=__import__("datetime").timedelta(seconds=30))
    with live_app(tmp_path / "short", settings=settings) as live:
        now = int(live.clock().timestamp())
        assert live.post_events([], timestamp=now - 60).status == 403
        assert live.post_events([], timestamp=now - 10).status == 200


def test_oversized_body_is_refused_by_the_app(tmp_path: Path) -> None:
    with live_app(tmp_path / "small", settings=WebSettings(webhook_max_bytes=2000),
                  max_body=10**7) as live:
        who = add(live, "big@example.com")
        batch = [event(live, who, "open", n) for n in range(40)]
        reply = live.post_events(batch)
        assert reply.status == 413
        assert live.store.event_count() == {}


def test_oversized_body_is_refused_before_it_is_sent(live: Live) -> None:
    # Announce 6 MB but send only the headers: the answer comes without the body.
    with socket.create_connection(("127.0.0.1", int(live.url.rsplit(":", 1)[1])), 10) as sock:
        sock.sendall(b"POST /webhooks/sendgrid HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 6291456\r\n\r\n[")
        answer = sock.recv(200)
    assert answer.startswith(b"HTTP/1.1 413")


def test_malformed_events_are_skipped_and_the_rest_stored(live: Live) -> None:
    who = add(live, "mixed@example.com")
    batch: list[Any] = [
        "not an object", 42, None, [],
        {"event": "open", "timestamp": 1},  # no sg_event_id
        event(live, who, "open", 1, timestamp="yesterday"),
        event(live, who, "open", 2, timestamp=1e30),
        event(live, who, "open", 3, sg_event_id="x" * 300),
        event(live, who, "open", 4, sg_event_id=7),
        event(live, who, "open", 5, subscriber="'; DROP TABLE subscribers; --"),
        event(live, who, "bounce", 6, type="bounce"),
    ]
    reply = live.post_events(batch)
    assert reply.status == 200
    assert reply.json()["skipped"] == 9 and reply.json()["stored"] == 2
    assert status(live, who) == "bounced"  # found by address when the id is unusable


def test_signed_but_not_an_array_is_a_bad_request(live: Live) -> None:
    for body in (b"{}", b"not json", b"\xff\xfe"):
        headers = sign(live.private_key, body, int(live.clock().timestamp()))
        assert live.request("POST", "/webhooks/sendgrid", body, headers).status == 400


def test_unknown_subscriber_and_issue_are_stored_unattributed(live: Live) -> None:
    batch = [event(live, None, "spamreport", 1, subscriber="999999")]
    assert live.post_events(batch).json()["stored"] == 1
    assert live.store.event_count("3") == {"spamreport": 1}


def test_a_thousand_events_in_one_batch(live: Live) -> None:
    people = [add(live, f"p{n}@example.com") for n in range(10)]
    batch = [event(live, people[n % 10], "open" if n % 2 else "delivered", n)
             for n in range(1000)]
    reply = live.post_events(batch)
    assert reply.status == 200 and reply.json()["stored"] == 1000
    assert live.store.event_count() == {"open": 500, "delivered": 500}


def test_sendgrid_example_events_are_all_ingested(live: Live) -> None:
    examples = json.loads(shared_file("sendgrid/event_webhook_examples.json").read_text())
    who = add(live, "example@test.com")
    # Verbatim: SendGrid's placeholder ids are all "sg_event_id", so one event is new.
    verbatim = live.post_events(examples["events"])
    assert verbatim.status == 200
    assert verbatim.json()["skipped"] == 0 and verbatim.json()["stored"] == 1
    # With ids made unique, every example is stored under its own type.
    unique = [e | {"sg_event_id": f"{e['sg_event_id']}-{n}"}
              for n, e in enumerate(examples["events"])]
    assert live.post_events(unique).json()["stored"] == len(unique)
    per_event = [batch[0] for batch in examples["per_event_examples"]]
    assert live.post_events(per_event).json()["skipped"] == 0
    kinds = {e["event"] for e in unique} | {e["event"] for e in per_event}
    assert set(live.store.event_count()) == kinds
    assert status(live, who) in ("bounced", "complained")  # never mailed again


def test_without_a_public_key_nothing_is_accepted_and_the_answer_is_json(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from datetime import UTC, datetime

    from web_support import SECRET, make_config

    from newsletter.delivery.backends.outbox import OutboxBackend
    from newsletter.store import open_store
    from newsletter.web import create_app

    config = make_config(tmp_path / "nokey")
    with caplog.at_level(logging.WARNING, "newsletter.web"), \
            open_store(config.database_url) as store:
        app = create_app(config, store, secret=SECRET, webhook_public_key=None,
                         backend=OutboxBackend(config.outbox), clock=lambda: datetime.now(UTC))
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        private, _ = key_pair()
        body = b"[]"
        for _ in range(2):
            reply = app.test_client().post("/webhooks/sendgrid", data=body,
                                           headers=sign(private, body, int(datetime.now(UTC)
                                                                           .timestamp())))
            assert reply.status_code == 403 and reply.is_json
            assert "SENDGRID_WEBHOOK_PUBLIC_KEY" in reply.get_json()["error"]
    assert len(warnings) == 1 and "SENDGRID_WEBHOOK_PUBLIC_KEY" in warnings[0]
    assert "refuses" in warnings[0]
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == warnings


def test_every_webhook_error_is_json(live: Live) -> None:
    body = b"[]"
    stamp = int(live.clock().timestamp())
    answers = [live.request("POST", "/webhooks/sendgrid", body,
                            {"Content-Type": "application/json"}),
               live.request("POST", "/webhooks/sendgrid", b"{}",
                            sign(live.private_key, b"{}", stamp))]
    assert [a.status for a in answers] == [403, 400]
    for answer in answers:
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.json()["status"] == answer.status and answer.json()["error"]
