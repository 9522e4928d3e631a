"""The outbox backend: every message becomes a real RFC 5322 ``.eml`` file in a folder.

Nothing leaves the machine. Each file is what SendGrid would deliver to one recipient
(multipart/alternative, text first, every header, personal fields substituted), so a mail
client opens it and a test reads it back with the ``email`` package.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from ...errors import SendStopped, one_line
from ...models import Message, Outcome, Recipient
from ...rendering.personalize import personalize

if TYPE_CHECKING:
    from ...config import Config

TEST_PREFIX = "[TEST] "
# Lines up to RFC 5322's hard limit: a long List-Unsubscribe URL stays on one line rather
# than being folded, which some receivers' one-click unsubscribe handling trips over.
EML_POLICY = SMTP.clone(max_line_length=998)


class OutboxBackend:
    """Writes one ``.eml`` file per recipient into ``folder``."""

    name = "outbox"
    max_batch = 1000

    def __init__(self, folder: Path, *, clock: Callable[[], datetime] | None = None,
                 make_id: Callable[[str], str] | None = None) -> None:
        self.folder = Path(folder)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.make_id = make_id or (lambda domain: make_msgid(domain=domain))

    @classmethod
    def from_config(cls, config: Config) -> OutboxBackend:
        """The outbox of a newsletter folder (``outbox.folder`` in newsletter.yaml)."""
        return cls(config.outbox)

    def send(self, message: Message, recipients: Sequence[Recipient]) -> list[Outcome]:
        """Write one file per recipient; a recipient without an unsubscribe URL fails.

        A folder that cannot be written (full, read-only) stops the send: the files
        written are ``sent``, the rest ``failed`` (:class:`SendStopped` carries both).
        """
        outcomes: list[Outcome] = []
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for recipient in recipients:
                outcomes.append(self._send_one(message, recipient))
        except OSError as exc:
            reason = f"cannot write to the outbox: {one_line(exc)}"
            outcomes += [Outcome(r.email, "failed", error=reason)
                         for r in recipients[len(outcomes):]]
            raise SendStopped(reason, outcomes) from None
        return outcomes

    def _send_one(self, message: Message, recipient: Recipient) -> Outcome:
        if not recipient.fields.get("unsubscribe_url"):
            return Outcome(recipient.email, "failed",
                           error="no unsubscribe URL for this recipient: not sent")
        try:
            email = build_email(message, recipient, message_id=self.make_id(
                _domain(message.sender.email)), date=self.clock())
        except (ValueError, TypeError) as exc:  # an address the email package refuses
            return Outcome(recipient.email, "failed", error=f"cannot build the message: {exc}")
        _write_new(self.folder, _file_stem(message, recipient), email.as_bytes(policy=EML_POLICY))
        return Outcome(recipient.email, "sent", message_id=str(email["Message-ID"]))


def build_email(message: Message, recipient: Recipient, *, message_id: str,
                date: datetime) -> EmailMessage:
    """The RFC 5322 message for one recipient: headers, then text and HTML alternatives."""
    html, text = personalize(message.rendered, recipient)
    email = EmailMessage(policy=SMTP)
    sender = message.sender
    email["From"] = Address(sender.name, addr_spec=sender.email)
    email["To"] = Address(recipient.name, addr_spec=recipient.email)
    if sender.reply_to:
        email["Reply-To"] = sender.reply_to
    subject = message.rendered.subject
    email["Subject"] = TEST_PREFIX + subject if message.test else subject
    email["Date"] = format_datetime(date)
    email["Message-ID"] = message_id
    email["List-Unsubscribe"] = f"<{recipient.fields['unsubscribe_url']}>"
    email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    if message.list_id:
        email["List-Id"] = message.list_id
    email["X-Newsletter-Issue"] = message.issue_key
    email.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    email.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return email


def _domain(address: str) -> str:
    return address.rpartition("@")[2] or "localhost"


def _file_stem(message: Message, recipient: Recipient) -> str:
    key = message.issue_key.zfill(3) if message.issue_key.isdigit() else message.issue_key
    who = re.sub(r"[^A-Za-z0-9@._+-]+", "_", recipient.email).strip("._") or "recipient"
    stem = f"{key}-{'test-' if message.test else ''}{who}"
    return re.sub(r"[^A-Za-z0-9@._+-]+", "_", stem)[:150]


def _write_new(folder: Path, stem: str, data: bytes) -> Path:
    """Write ``data`` to ``stem.eml``, or ``stem-2.eml``... never replacing a file."""
    for attempt in range(1, 10_000):
        path = folder / (f"{stem}.eml" if attempt == 1 else f"{stem}-{attempt}.eml")
        try:
            with path.open("xb") as handle:
                _write_or_remove(handle, path, data)
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"too many messages named {stem}.eml in {folder}")


def _write_or_remove(handle: BinaryIO, path: Path, data: bytes) -> None:
    """Write the whole message, or leave no half of it behind (a full disk)."""
    try:
        handle.write(data)
        handle.flush()
    except OSError:
        path.unlink(missing_ok=True)
        raise
