"""Security: markup escaped everywhere, SQL-looking input inert, big posts refused, and the
secret and API key never in a response or a log line."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from web_support import SECRET, Live, html_part, live_app, make_config, send_issue_now, text_part

from newsletter.cli import main, web  # noqa: F401  (registers serve and stats)
from newsletter.store import SubscriberInput

API_KEY = "SG.web-test-key.never-print-me"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with live_app(tmp_path / "letter", env={"SENDGRID_API_KEY": API_KEY}) as running:
        yield running


def test_markup_in_names_and_fields_is_escaped_everywhere(live: Live) -> None:
    form = live.post_form("/subscribe", {"email": f"{SCRIPT}@x", "name": SCRIPT})
    assert form.status == 400 and SCRIPT not in form.text and "&lt;script&gt;" in form.text
    live.post_form("/subscribe", {"email": "xss@example.com", "name": f"Eve {SCRIPT}"})
    live.drain()
    mail = live.outbox()[-1]
    assert SCRIPT not in html_part(mail) and "&lt;script&gt;" in html_part(mail)
    assert SCRIPT in text_part(mail)  # plain text shows it as typed, harmlessly
    confirm = re.search(r"http\S+/confirm/\S+", text_part(mail))
    assert confirm and live.get(confirm.group(0)).status == 200
    assert live.request("POST", confirm.group(0), b"",
                        {"Content-Type": "application/x-www-form-urlencoded"}).status == 200
    send_issue_now(live, 1, f"Subject {SCRIPT}")
    for path in ("/archive", "/archive/1"):
        assert SCRIPT not in live.get(path).text
    issue_mail = live.outbox()[-1]
    assert SCRIPT not in html_part(issue_mail) and "Eve" in html_part(issue_mail)


def test_sql_looking_input_is_stored_as_text(live: Live) -> None:
    name = "Robert'); DROP TABLE subscribers;--"
    email = "o'hara+1=1@example.com"
    assert live.post_form("/subscribe", {"email": email, "name": name}).status == 200
    live.drain()
    who = live.store.get_subscriber(email)
    assert who is not None and who.name == name
    evil_id = "1' OR '1'='1"
    batch = [{"email": email, "event": "open", "timestamp": int(live.clock().timestamp()),
              "sg_event_id": evil_id, "issue": "1; DELETE FROM events"}]
    assert live.post_events(batch).json()["stored"] == 1
    assert live.post_events(batch).json()["stored"] == 0
    assert live.store.count_by_status()["pending"] == 1


def test_a_one_megabyte_form_post_is_refused(live: Live) -> None:
    reply = live.post_form("/subscribe", {"email": "big@example.com", "name": "x" * 1_000_000})
    assert reply.status == 413
    assert live.store.get_subscriber("big@example.com") is None


def test_secret_and_api_key_never_in_responses_or_logs(live: Live,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    live.store.add_subscriber(SubscriberInput(email="a@example.com"), source="test",
                              now=live.clock())
    replies = [live.get(p) for p in ("/subscribe", "/archive", "/healthz", "/nope",
                                     "/unsubscribe/bad", "/confirm/bad", "/archive/1?t=x")]
    replies += [live.post_form("/subscribe", {"email": "b@example.com"}),
                live.post_events([{"bad": 1}]),
                live.request("POST", "/webhooks/sendgrid", b"[]", {}),
                live.post_form("/subscribe", {"name": "x" * 100_000})]
    seen = "\n".join(r.text + str(r.headers) for r in replies) + caplog.text
    seen += "".join(p.read_text() for p in live.config.outbox.glob("*.eml"))
    assert SECRET not in seen and API_KEY not in seen
    assert 500 not in [r.status for r in replies]


def test_pages_send_protective_headers(live: Live) -> None:
    headers = live.get("/subscribe").headers
    assert headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_healthz(live: Live) -> None:
    reply = live.get("/healthz")
    assert reply.status == 200 and reply.json()["status"] == "ok"


def test_serve_refuses_to_start_without_the_secret(tmp_path: Path) -> None:
    config = make_config(tmp_path / "nosecret")
    env = {k: v for k, v in os.environ.items() if k != "NEWSLETTER_SECRET_KEY"}
    result = CliRunner().invoke(main, ["--config", str(config.root / "newsletter.yaml"),
                                       "serve", "--port", "0"],
                                env={"NEWSLETTER_SECRET_KEY": ""})
    assert result.exit_code == 1 and "NEWSLETTER_SECRET_KEY" in result.output
    process = subprocess.run(
        [sys.executable, "-c", "from newsletter.cli import main, web; main()",
         "--config", str(config.root / "newsletter.yaml"), "serve", "--port", "0"],
        env=env, capture_output=True, text=True, timeout=60, check=False)
    assert process.returncode == 1 and "NEWSLETTER_SECRET_KEY" in process.stderr


def test_serve_refuses_a_malformed_webhook_key(tmp_path: Path) -> None:
    config = make_config(tmp_path / "badkey")
    result = CliRunner().invoke(main, ["--config", str(config.root / "newsletter.yaml"),
                                       "serve"], env={"NEWSLETTER_SECRET_KEY": SECRET,
                                                      "SENDGRID_WEBHOOK_PUBLIC_KEY": "nope"})
    assert result.exit_code == 1 and "SENDGRID_WEBHOOK_PUBLIC_KEY" in result.output
