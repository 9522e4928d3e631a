"""Shared pieces for the SendGrid server and backend tests (plain functions, no fixtures)."""

from __future__ import annotations

import json
import socket
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from newsletter.models import Message, Recipient, RenderedIssue, Sender
from newsletter.rendering.personalize import placeholder

API_KEY = "SG.unit-test-key.do-not-leak-9f3c"


@cache
def request_validator(schema_path: str) -> jsonschema.protocols.Validator:
    """A validator for SendGrid's mail-send request schema (the resolved copy in shared/)."""
    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))["request_schema"]
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def assert_valid_requests(bodies: list[dict[str, Any]], schema_path: str) -> None:
    """Every body validates against SendGrid's published request schema."""
    validator = request_validator(schema_path)
    for body in bodies:
        errors = sorted(validator.iter_errors(body), key=str)
        assert not errors, errors[0].message


def rendered(subject: str = "Tip of the week") -> RenderedIssue:
    """A rendered issue using every personal placeholder in both parts."""
    html = (f"<p>Hello {placeholder('name', 'html')},</p><p>A short tip.</p>"
            f"<a href=\"{placeholder('unsubscribe_url', 'html')}\">Unsubscribe</a>"
            f"<a href=\"{placeholder('view_url', 'html')}\">View</a>")
    text = (f"Hello {placeholder('name', 'text')},\n\nA short tip.\n\n"
            f"Unsubscribe: {placeholder('unsubscribe_url', 'text')}\n")
    return RenderedIssue(number=7, subject=subject, preheader="", html=html, text=text)


def message(*, test: bool = False, categories: tuple[str, ...] = (),
            subject: str = "Tip of the week") -> Message:
    """A message from a newsletter sender with a reply-to address."""
    return Message(rendered=rendered(subject),
                   sender=Sender("news@letters.example", "The Weekly, Inc; Team",
                                 "replies@letters.example"),
                   issue_key="7", categories=categories, test=test)


def recipients(count: int, *, start: int = 0, domain: str = "readers.example"
               ) -> list[Recipient]:
    """``count`` distinct recipients with names needing escaping and unsubscribe URLs."""
    return [Recipient(email=f"reader{i}@{domain}", name=f"Ann & Bob <{i}>",
                      fields={"unsubscribe_url": f"https://letters.example/u/{i}?t=tok{i}",
                              "view_url": f"https://letters.example/v/{i}"},
                      subscriber_id=str(1000 + i))
            for i in range(start, start + count)]


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeSleep:
    """Records the waits asked for instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
