"""Studio safety over real HTTP: no page or action without a session, CSRF on every POST,
sign-in rate limits, cookie flags and expiry, inert HTML everywhere, stale saves refused."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import markupsafe
import pytest
from studio_support import EMAIL, PASSWORD, Client, add_account, csrf_of, plan_sample, signed_in
from web_support import SECRET, Clock, Live, live_app, make_config

from newsletter.accounts import hash_password
from newsletter.delivery.backends.outbox import OutboxBackend
from newsletter.planning.issuefile import dump_issue, load_issue, load_queue
from newsletter.store import SubscriberInput, open_store
from newsletter.web import WebSettings, create_app

PUBLIC = ("/studio/sign-in", "/studio/static/")
EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """One server for the module: a planned queue, a subscriber, an account."""
    with live_app(tmp_path_factory.mktemp("sec") / "letter",
                  settings=WebSettings(signin_per_email=3, signin_per_ip=8)) as live:
        plan_sample(live, (live.clock() + timedelta(days=7)).date())
        add_account(live)
        live.store.add_subscriber(SubscriberInput(email="sub@example.com"), source="test",
                                  now=live.clock())
        yield live


def studio_urls(live: Live) -> list[tuple[str, str]]:
    """Every studio URL rule (but sign-in and static files) with sample arguments, by method."""
    found = []
    subscriber = live.store.get_subscriber("sub@example.com")
    for rule in live.app.url_map.iter_rules():
        if not rule.rule.startswith("/studio") or rule.rule.startswith(PUBLIC):
            continue
        path = rule.rule.replace("<int:number>", "1").replace("<slug>", "sourdough")
        path = path.replace("<int:subscriber_id>", str(subscriber.id))
        found += [(m, path) for m in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    assert len(found) > 20
    return found


def test_every_studio_url_is_refused_without_a_session(live: Live) -> None:
    for method, path in studio_urls(live):
        reply = live.request(method, path, b"", {"Content-Type":
                                                 "application/x-www-form-urlencoded"})
        if method == "GET":
            assert reply.status == 302, path
            assert reply.headers["location"].startswith("/studio/sign-in"), path
        else:
            assert reply.status == 403, (method, path)


def test_every_post_needs_the_sessions_csrf_token(live: Live) -> None:
    client = signed_in(live)
    other = signed_in(live)
    for method, path in studio_urls(live):
        if method != "POST":
            continue
        assert client.post(path, {}).status == 403, path
        assert client.post(path, {"csrf_token": other.token("/studio/queue")}).status == 403
    # the same forms go through with the right token
    assert client.post("/studio/sign-out", {"csrf_token": client.token("/studio/queue")}
                       ).status == 303


def test_sign_in_is_rate_limited_per_address_and_per_ip(live: Live) -> None:
    client = Client(live)
    for _ in range(3):
        assert client.sign_in(password="wrong password!").status == 401
    limited = client.sign_in()  # even the right password, while limited
    assert limited.status == 429 and "Too many failed sign-ins" in limited.text
    live.clock.advance(minutes=16)
    assert client.sign_in().status == 303
    for n in range(8):
        assert Client(live).sign_in(email=f"guess{n}@example.com").status == 401
    assert Client(live).sign_in().status == 429  # this client address is now limited
    live.clock.advance(minutes=16)


def test_session_cookie_flags_expiry_and_removed_accounts(live: Live) -> None:
    client = Client(live)
    reply = client.sign_in()
    cookie = reply.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/studio" in cookie
    assert "Secure" not in cookie  # base_url is http here
    assert PASSWORD not in cookie and "scrypt" not in cookie
    assert client.get("/studio/queue").status == 200
    live.clock.advance(hours=13)  # past the 12 h limit, however busy the session
    assert client.get("/studio/queue").status == 302
    live.clock.advance(minutes=20)
    fresh = signed_in(live)
    live.store.remove_user(EMAIL)
    assert fresh.get("/studio/queue").status == 302
    add_account(live)


def test_secure_cookie_when_base_url_is_https(tmp_path: Path) -> None:
    config = replace(make_config(tmp_path / "letter"), base_url="https://letters.example.com")
    store = open_store(config.database_url)
    try:
        app = create_app(config, store, secret=SECRET, webhook_public_key=None,
                         backend=OutboxBackend(config.outbox), clock=Clock())
        store.add_user(EMAIL, hash_password(PASSWORD), now=Clock()())
        client = app.test_client()
        page = client.get("/studio/sign-in").get_data(as_text=True)
        reply = client.post("/studio/sign-in", data={"csrf_token": csrf_of(page),
                                                     "email": EMAIL, "password": PASSWORD})
        assert reply.status_code == 303
        assert "Secure" in reply.headers["Set-Cookie"]
    finally:
        store.close()


def test_html_and_script_are_inert_everywhere(live: Live) -> None:
    client = signed_in(live)
    item = load_queue(live.config.issues_dir).issues[0]
    evil = replace(item.issue, subject=f"Hi {EVIL}", preheader=EVIL,
                   blocks=tuple(replace(b, title=EVIL, body=f"Text {EVIL}")
                                for b in item.issue.blocks))
    item.path.write_text(dump_issue(evil), "utf-8")
    live.store.add_subscriber(SubscriberInput(email="evil@example.com", name=EVIL),
                              source="test", now=live.clock())
    who = live.store.get_subscriber("evil@example.com")
    pages = ["/studio/queue", f"/studio/issues/{evil.number}",
             f"/studio/issues/{evil.number}/preview", f"/studio/subscribers?q={'evil'}",
             f"/studio/subscribers/{who.id}", "/studio/articles"]
    for path in pages:
        body = client.get(path).text
        assert "<script>alert" not in body and "<img src=x" not in body, path
        assert "onerror=alert" not in body or "&lt;img" in body, path
    upload = (b"--B\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
              + client.token("/studio/articles").encode() + b"\r\n--B\r\n"
              b"Content-Disposition: form-data; name=\"article\"; filename=\"evil.md\"\r\n"
              b"Content-Type: text/markdown\r\n\r\n# Evil " + EVIL.encode() + b"\n\n"
              + (b"A paragraph about compost " + EVIL.encode() + b". " * 10) * 4
              + b"\r\n--B--\r\n")
    reply = client.request("POST", "/studio/articles", upload,
                           {"Content-Type": "multipart/form-data; boundary=B"})
    assert reply.status == 303
    body = client.get(reply.headers["location"]).text
    assert "<script>alert" not in body and "<img src=x" not in body
    # the Markdown reader leaves raw HTML tags (and a script's code) out of the text; the
    # only place the code shows is the list of lines left out, escaped, as the line was written
    assert "A paragraph about compost" in body
    assert "alert(" not in body.replace(str(markupsafe.escape(EVIL)), "")


def test_a_stale_save_is_refused_keeping_the_file_and_the_typed_text(live: Live) -> None:
    client = signed_in(live)
    item = load_queue(live.config.issues_dir).issues[1]
    page = client.get(f"/studio/issues/{item.issue.number}").text
    version = re.search(r'name="version" value="([0-9a-f]+)"', page).group(1)
    theirs = replace(item.issue, subject="Changed by git pull")
    item.path.write_text(dump_issue(theirs), "utf-8")
    form: list[tuple[str, str]] = [("csrf_token", client.token("/studio/queue")),
                                   ("version", version), ("subject", "My careful subject"),
                                   ("preheader", item.issue.preheader), ("op", "save")]
    for n, block in enumerate(item.issue.blocks):
        form += [("key", str(n)), ("origin", block.origin), ("sources", "[]"),
                 ("kind", block.kind), ("title", block.title), ("body", block.body),
                 ("url", ""), ("name", ""), ("detail", ""), ("image_src", ""), ("image_alt", "")]
    reply = client.post(f"/studio/issues/{item.issue.number}", form)
    assert reply.status == 409
    assert "changed by someone else" in reply.text and "My careful subject" in reply.text
    assert load_issue(item.path).subject == "Changed by git pull"


def _form(client: Client, path: str, op: str, **extra: str) -> list[tuple[str, str]]:
    """The editor form of an issue as the page filled it in, with ``op``."""
    from newsletter.planning.edits import read_versioned

    current = read_versioned(path)  # type: ignore[arg-type]
    issue = current.issue
    form = [("csrf_token", client.token("/studio/queue")), ("version", current.version),
            ("subject", issue.subject), ("preheader", issue.preheader), ("op", op),
            *extra.items()]
    for n, b in enumerate(issue.blocks):
        sources = json.dumps([{"n": x.n, "url": x.url} for x in b.sources])
        form += [("key", str(n)), ("origin", b.origin), ("sources", sources), ("kind", b.kind),
                 ("title", b.title), ("body", b.body), ("url", b.url), ("name", b.name),
                 ("detail", b.detail), ("image_src", ""), ("image_alt", "")]
    return form


def test_a_testimonial_is_added_from_the_bank(live: Live) -> None:
    (live.config.content_dir / "testimonials.yaml").write_text(
        "- quote: My bread finally rises.\n  name: Ann Baker\n  detail: Home baker, Leeds\n",
        "utf-8")
    client = signed_in(live)
    item = load_queue(live.config.issues_dir).issues[2]
    page = client.get(f"/studio/issues/{item.issue.number}").text
    assert "Testimonial: Ann Baker" in page
    value = re.search(r'<option value="(testimonials#[^"]+)"', page).group(1)
    reply = client.post(f"/studio/issues/{item.issue.number}",
                        _form(client, item.path, "add", bank=value))
    assert reply.status == 303
    added = load_issue(item.path).blocks[-1]
    assert (added.kind, added.name, added.detail, added.body) == (
        "testimonial", "Ann Baker", "Home baker, Leeds", "My bread finally rises.")
    assert load_issue(item.path).blocks[:-1] == item.issue.blocks
