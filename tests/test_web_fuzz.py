"""Malformed tokens and bodies, as an attacker or a broken client sends them, over real
HTTP: every one is answered 4xx with a page (or JSON for the webhook), never a 500, and
nothing is changed or stored. A view link's ``?t=`` token too: its 400 page points to the
public issue. (The app serves no open-tracking pixel: SendGrid counts opens itself and tells
the webhook.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from web_support import SECRET, Live, live_app, send_issue_now, sign

from newsletter.store import SubscriberInput
from newsletter.tokens import make_token

# Path segments as a browser or a script puts them in a URL (percent-encoded).
TOKENS = [
    "abc.%C3%A9",                    # a non-ASCII character
    "%C3%A9",
    "%F0%9F%98%80",                  # an emoji
    "%E2%80%AE",                     # a right-to-left override
    "%FF%FE",                        # bytes that are not UTF-8
    "%00",                           # NUL
    "abc%0D%0ASet-Cookie:%20x=1",    # a header injection attempt
    "%ZZ",                           # a broken escape
    "a" * 5000,                      # longer than any file name or token
    "..", ".", "abc.", ".abc", "...",
    "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "A" * 100 + "." + "B" * 43,      # the shape of a token, forged
    "eyJhIjoxfQ.Zm9v.YmFy",          # the shape of a timed token, forged
]
MALFORMED_IDS = [f"token{n}" for n in range(len(TOKENS))]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_app(tmp_path_factory.mktemp("fuzz") / "letter") as running:
        for email in ("reader@example.com", "bouncer@example.com"):
            running.store.add_subscriber(SubscriberInput(email), source="test",
                                         now=running.clock())
        send_issue_now(running, 1, "The only issue")
        yield running


def _statuses(live: Live) -> dict[str, str]:
    return {s.email: s.status for s in live.store.list_subscribers(limit=1000)}


def _forms() -> dict[str, bytes]:
    return {"application/x-www-form-urlencoded": b"List-Unsubscribe=One-Click",
            "text/plain": b"\xff\xfe\x00"}


@pytest.mark.parametrize("token", TOKENS, ids=MALFORMED_IDS)
@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
@pytest.mark.parametrize("route", ["/unsubscribe/{}", "/confirm/{}", "/unsubscribe/{}?i=%FF"])
def test_a_malformed_link_token_is_a_4xx_page(live: Live, route: str, method: str,
                                              token: str) -> None:
    before = _statuses(live)
    for content_type, body in _forms().items():
        reply = live.request(method, route.format(token), body if method == "POST" else None,
                             {"Content-Type": content_type})
        assert 400 <= reply.status < 500, (reply.status, reply.text[:300])
        if method != "HEAD":
            assert "text/html" in reply.headers["content-type"]
            assert "Something went wrong" not in reply.text
    assert _statuses(live) == before


@pytest.mark.parametrize("token", TOKENS, ids=MALFORMED_IDS)
def test_a_malformed_archive_address_or_asset_is_a_404(live: Live, token: str) -> None:
    for path in (f"/archive/{token}", f"/assets/{token}", f"/{token}"):
        for method in ("GET", "HEAD"):
            reply = live.request(method, path)
            assert reply.status in (400, 404), (path[:80], reply.status)


@pytest.mark.parametrize("token", TOKENS, ids=MALFORMED_IDS)
def test_a_malformed_view_token_is_a_400_page(live: Live, token: str) -> None:
    for method in ("GET", "HEAD"):
        reply = live.request(method, f"/archive/1?t={token}")
        assert reply.status == 400, (token[:80], reply.status)
        if method == "GET":
            assert "This view link is damaged" in reply.text
            assert "reader@example.com" not in reply.text


FORM_BODIES = [
    b"email=%FF%FE%00",
    b"email=\xff\xfe\x00",
    b"email=a%00b@example.com",
    b"email=%C3%A9@%C3%A9%C3%A9.%00",
    b"email=x@xn--zz",
    b"email=x@" + b"a" * 300 + b".com",
    b"email=" + b"a" * 70_000,                       # over the form limit
    b"email=" + b"%" * 5000,
    b"%%%%&&&===",
    b"email=x@example.com&tz=%FF",                   # a valid address, a broken zone
    b"email=x@example.com&tz=../../etc/passwd",
    b"email=" + "ü".encode() * 2000,
]
CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                 "multipart/form-data", "application/json", "text/plain; charset=utf-16"]


@pytest.mark.parametrize("body", FORM_BODIES, ids=[f"form{n}" for n in range(len(FORM_BODIES))])
def test_a_malformed_sign_up_form_is_refused_or_queued_never_a_500(live: Live,
                                                                   body: bytes) -> None:
    for content_type in CONTENT_TYPES:
        reply = live.request("POST", "/subscribe", body, {"Content-Type": content_type})
        assert reply.status in (200, 400, 413), (content_type, reply.status)
        assert "Something went wrong" not in reply.text
    assert live.store.get_subscriber("x@example.com") is None or \
        live.store.get_subscriber("x@example.com").timezone is None


WEBHOOK_BODIES = {
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "nested, unclosed": b"[" * 100_000,
    "objects nested 100,000 deep": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "an event nested 5,000 deep": b'[{"sg_event_id":"d","event":"open","timestamp":1,"x":'
                                  + b"[" * 5000 + b"]" * 5000 + b"}]",
    "a number of 5,000 digits": b"[" + b"1" * 5000 + b"]",
    "not UTF-8": b"\xff\xfe[\x00]",
    "empty": b"",
    "null": b"null",
    "an object": b"{}",
    "a string": b'"[[[["',
    "truncated": b'[{"sg_event_id": "t", "event": "open"',
    "a lone escape": b'["\\',
}


@pytest.mark.parametrize("body", WEBHOOK_BODIES.values(), ids=WEBHOOK_BODIES.keys())
def test_a_malformed_signed_webhook_body_is_a_400_in_json(live: Live, body: bytes) -> None:
    stamp = int(live.clock().timestamp())
    reply = live.request("POST", "/webhooks/sendgrid", body, sign(live.private_key, body, stamp))
    assert reply.status == 400, reply.text[:300]
    assert reply.json()["status"] == 400
    assert sum(live.store.event_count("1").values()) == 0


BAD_EVENTS = {
    "an unpaired surrogate in the id": '{"sg_event_id":"\\ud800","event":"open","timestamp":1}',
    "a NUL in the id": '{"sg_event_id":"a\\u0000b","event":"open","timestamp":1}',
    "an unpaired surrogate in the type": '{"sg_event_id":"s1","event":"\\udfff","timestamp":1}',
    "a timestamp of 4,000 digits": '{"sg_event_id":"s2","event":"open","timestamp":' + "9" * 4000
                                   + "}",
    "a timestamp out of range": '{"sg_event_id":"s3","event":"open","timestamp":-1e300}',
    "NaN": '{"sg_event_id":"s4","event":"open","timestamp":NaN}',
    "Infinity": '{"sg_event_id":"s5","event":"open","timestamp":1e999}',
    "not an object": '[["open"]]',
    "a number": "7",
}


def test_malformed_events_in_a_signed_batch_are_skipped_and_the_good_one_kept(
        live: Live) -> None:
    who = live.store.get_subscriber("bouncer@example.com")
    odd = [{"sg_event_id": "odd-1", "event": "bounce", "timestamp": 1, "issue": "1",
            "subscriber": str(who.id), "email": "\ud800@example.com"},
           {"sg_event_id": "odd-2", "event": "open", "timestamp": 1, "issue": "\ud800\x00"}]
    good = {"sg_event_id": "good", "event": "open", "timestamp": int(live.clock().timestamp()),
            "issue": "1", "email": "reader@example.com"}
    body = ("[" + ",".join([*BAD_EVENTS.values(), *(json.dumps(e) for e in odd),
                            json.dumps(good)]) + "]").encode()
    stamp = int(live.clock().timestamp())
    reply = live.request("POST", "/webhooks/sendgrid", body, sign(live.private_key, body, stamp))
    assert reply.status == 200, reply.text[:300]
    assert reply.json()["skipped"] == len(BAD_EVENTS) and reply.json()["stored"] == 3
    assert live.store.get_subscriber("bouncer@example.com").status == "bounced"
    assert live.store.get_subscriber("reader@example.com").status == "active"


@pytest.mark.parametrize("headers", [
    {"X-Twilio-Email-Event-Webhook-Timestamp": "²³"},
    {"X-Twilio-Email-Event-Webhook-Timestamp": "１" * 10},
    {"X-Twilio-Email-Event-Webhook-Timestamp": "9" * 5000},
    {"X-Twilio-Email-Event-Webhook-Signature": "é"},
    {"X-Twilio-Email-Event-Webhook-Signature": "%%%"},
    {"X-Twilio-Email-Event-Webhook-Signature": "AAAA"},
    {"X-Twilio-Email-Event-Webhook-Signature": ""},
], ids=["superscripts", "full-width digits", "5000 digits", "non-ASCII", "not base64",
        "short", "empty"])
def test_malformed_signature_headers_are_a_403(live: Live, headers: dict[str, str]) -> None:
    body = b"[]"
    sent = sign(live.private_key, body, int(live.clock().timestamp())) | headers
    latin = {k: v.encode("utf-8").decode("latin-1") for k, v in sent.items()}
    assert live.request("POST", "/webhooks/sendgrid", body, latin).status == 403


def test_a_signed_token_for_another_purpose_is_refused(live: Live) -> None:
    who = live.store.get_subscriber("reader@example.com")
    view = make_token(SECRET, "view", f"{who.key}:1")
    for path in (f"/unsubscribe/{view}", f"/confirm/{view}"):
        assert live.request("POST", path, b"List-Unsubscribe=One-Click", {
            "Content-Type": "application/x-www-form-urlencoded"}).status == 400
    assert live.store.get_subscriber("reader@example.com").status == "active"


STUDIO_PATHS = ["/studio/", "/studio/queue", "/studio/results", "/studio/sign-in",
                "/studio/subscribers?q=%FF&page=-1",
                "/studio/subscribers?page=99999999999999999999999",
                "/studio/subscribers/export.csv?status=%FF"]
STUDIO_COOKIES = ["session=%FF%FE", "session=" + "a" * 5000, "studio=abc.%C3%A9", "=;;=="]


@pytest.mark.parametrize("token", TOKENS, ids=MALFORMED_IDS)
def test_malformed_studio_addresses_cookies_and_sign_ins_are_never_a_500(live: Live,
                                                                         token: str) -> None:
    paths = [*STUDIO_PATHS, *(f"/studio/{part}/{token}" for part in (
        "articles", "results", "issues", "subscribers"))]
    for path in paths:
        for cookie in STUDIO_COOKIES:
            for method in ("GET", "POST"):
                reply = live.request(method, path, b"email=%FF&password=%00&csrf=\xff"
                                     if method == "POST" else None,
                                     {"Content-Type": "application/x-www-form-urlencoded",
                                      "Cookie": cookie})
                assert reply.status < 500, (method, path[:80], cookie[:20], reply.status)
                assert "Something went wrong" not in reply.text
