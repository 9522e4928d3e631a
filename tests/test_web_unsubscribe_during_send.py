"""A subscriber who unsubscribes (one-click, over HTTP) while a 10,000-recipient send runs
receives nothing after the batch in flight."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from web_support import SECRET, live_app, send_issue_now

from newsletter.delivery.backends.sendgrid import SendGridBackend
from newsletter.rendering.links import Links
from newsletter.store import SubscriberInput
from newsletter.testing.sendgrid_server import SendGridTestServer

KEY = "SG.unsubscribe-during-send"


def test_unsubscribe_takes_effect_from_the_next_batch(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with live_app(tmp_path / "letter", batch=500) as live, SendGridTestServer(KEY) as sendgrid:
        live.store.upsert_subscribers([SubscriberInput(email=f"r{n:05d}@example.com")
                                       for n in range(10_000)], source="test",
                                      now=live.clock())
        # The last subscriber: in no batch claimed before the first one comes back.
        leaver = live.store.get_subscriber("r09999@example.com")
        assert leaver is not None
        url = Links(live.url, SECRET).unsubscribe_url(leaver.key)
        first_batch: list[tuple[int, int]] = []  # (recipients accepted so far, HTTP status)

        once = threading.Lock()  # workers finish batches concurrently

        def after_batch(outcomes: object) -> None:
            with once:
                if first_batch:
                    return
                reply = live.request("POST", url, b"List-Unsubscribe=One-Click",
                                     {"Content-Type": "application/x-www-form-urlencoded"})
                first_batch.append((len(sendgrid.recipients), reply.status))

        backend = SendGridBackend(KEY, host=sendgrid.url, sleep=lambda s: None)
        report = send_issue_now(live, 1, on_batch=after_batch, backend=backend)
        accepted = {r.email for r in sendgrid.recipients}
        [(accepted_then, status)] = first_batch
        assert status == 200 and accepted_then < 10_000
        assert "r09999@example.com" not in accepted
        assert report.sent == len(accepted) == 9_999
        assert live.store.get_subscriber(leaver.id).status == "unsubscribed"
        assert live.store.status_history(leaver.id)[-1].source == "one-click"
