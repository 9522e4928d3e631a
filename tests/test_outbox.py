"""The outbox backend writes real .eml files that the email package reads back."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from lxml import html as lxml_html
from test_render import SETTINGS, example_issue, make_config

from newsletter.config import load_config
from newsletter.delivery.backends import get_backend
from newsletter.delivery.backends.outbox import OutboxBackend
from newsletter.models import Message, Recipient, RenderedIssue, Sender
from newsletter.rendering.render import render

UNSUB = "https://news.example/unsubscribe/abc?x=1&y=2"


def recipient(email: str, name: str = "") -> Recipient:
    return Recipient(email, name, {"unsubscribe_url": f"{UNSUB}&who={email}",
                                   "view_url": "https://news.example/archive/3?t=v"})


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> RenderedIssue:
    return render(example_issue(), make_config(tmp_path_factory.mktemp("letter")))


def message(rendered: RenderedIssue, *, test: bool = False) -> Message:
    return Message(rendered=rendered, issue_key="3", test=test,
                   sender=Sender("tips@garden.example", "Garden Notes — Tips",
                                 "editor@garden.example"))


def read(path: Path) -> EmailMessage:
    return message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[return-value]


def test_one_eml_per_recipient_with_every_header(tmp_path: Path, rendered) -> None:
    outbox = OutboxBackend(tmp_path / "outbox", clock=lambda: datetime(2026, 3, 1, 9, tzinfo=UTC))
    people = [recipient("ann@example.com", "Ann Öberg"), recipient("bo@example.org")]
    outcomes = outbox.send(message(rendered), people)
    files = sorted((tmp_path / "outbox").iterdir())
    assert [f.name for f in files] == ["003-ann@example.com.eml", "003-bo@example.org.eml"]
    assert [o.status for o in outcomes] == ["sent", "sent"]
    mail = read(files[0])
    assert mail["From"].addresses[0].display_name == "Garden Notes — Tips"
    assert mail["From"].addresses[0].addr_spec == "tips@garden.example"
    assert mail["To"].addresses[0].display_name == "Ann Öberg"
    assert mail["Reply-To"] == "editor@garden.example"
    assert mail["Subject"] == "Water less often, but deeper"
    assert mail["Date"].datetime == datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert mail["Message-ID"] == outcomes[0].message_id and "@garden.example>" in mail["Message-ID"]
    assert mail["List-Unsubscribe"] == f"<{UNSUB}&who=ann@example.com>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["X-Newsletter-Issue"] == "3"
    assert read(files[1])["Message-ID"] != mail["Message-ID"]


def test_body_is_text_then_html_personalised_with_links_right(tmp_path: Path, rendered) -> None:
    reader = recipient("ann@example.com", "Ann Lee")
    reader = Recipient(reader.email, reader.name, {**reader.fields, "first_name": "Ann & Co"})
    OutboxBackend(tmp_path).send(message(rendered), [reader])
    mail = read(next(tmp_path.glob("*.eml")))
    assert mail.get_content_type() == "multipart/alternative"
    parts = list(mail.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    text, html = parts[0].get_content(), parts[1].get_content()
    assert "%%" not in text and "%%" not in html
    assert "Hi Ann & Co," in text and "Hi Ann &amp; Co," in html
    unsubscribe = f"{UNSUB}&who=ann@example.com"
    assert f"Unsubscribe: {unsubscribe}" in text
    links = {a.text_content(): a.get("href") for a in lxml_html.fromstring(html).iter("a")}
    assert links["Unsubscribe"] == unsubscribe
    assert links["View in your browser"] == "https://news.example/archive/3?t=v"


def test_a_test_send_is_marked_and_never_overwrites_an_earlier_file(tmp_path: Path,
                                                                    rendered) -> None:
    outbox = OutboxBackend(tmp_path)
    for _ in range(2):
        outbox.send(message(rendered, test=True), [recipient("me@example.com")])
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["003-test-me@example.com-2.eml", "003-test-me@example.com.eml"]
    assert read(tmp_path / files[0])["Subject"] == "[TEST] Water less often, but deeper"


def test_odd_addresses_get_safe_file_names(tmp_path: Path, rendered) -> None:
    outbox = OutboxBackend(tmp_path)
    outcomes = outbox.send(message(rendered), [recipient("o'neil+news/x@example.com")])
    assert outcomes[0].ok
    (path,) = tmp_path.iterdir()
    assert read(path)["To"].addresses[0].addr_spec == "o'neil+news/x@example.com"
    assert path.parent == tmp_path and "/" not in path.name and "'" not in path.name


def test_a_recipient_without_an_unsubscribe_url_is_not_sent(tmp_path: Path, rendered) -> None:
    outcomes = OutboxBackend(tmp_path).send(message(rendered), [Recipient("x@example.com")])
    assert outcomes[0].status == "failed" and "unsubscribe" in outcomes[0].error
    assert list(tmp_path.iterdir()) == []


def test_the_configured_backend_writes_to_the_configured_folder(tmp_path: Path,
                                                                rendered) -> None:
    config = make_config(tmp_path, SETTINGS + "outbox: {folder: sent-mail}\n")
    backend = get_backend(load_config(tmp_path / "newsletter.yaml", env={}))
    assert backend.name == "outbox" and config.outbox == tmp_path / "sent-mail"
    backend.send(message(rendered), [recipient("ann@example.com")])
    assert [p.name for p in (tmp_path / "sent-mail").iterdir()] == ["003-ann@example.com.eml"]
