"""`queue` and `send` say what really happened, from the ledger; nobody is skipped silently.

Issue 11, case 7 and the words of the reports: subscribers locked by another transaction
on PostgreSQL (``SKIP LOCKED``) were skipped without a word; `queue` and `send` now say
"sent", "sending" or "partly sent", and a fully sent issue gets no "expired" note.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from delivery_helpers import JUST_AFTER, Folder, make_folder, send_reports
from pg import fresh_postgres_url

from newsletter.testing.sendgrid_server import SendGridTestServer

WEEK_LATER = "2026-12-08T14:05:00+00:00"  # issue 1 expired (48 h), issue 3 now due


def queue_row(folder: Folder, number: int) -> dict:
    rows = json.loads(folder.run("queue", "--json").stdout)
    return next(r for r in rows if r.get("number") == number)


@pytest.mark.slow
@pytest.mark.parametrize("released", [True, False], ids=["released", "held"])
def test_subscribers_locked_by_another_transaction_are_retried_then_counted(
        tmp_path: Path, sendgrid: SendGridTestServer, released: bool) -> None:
    for url in fresh_postgres_url():
        folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                             subscribers=50, batch_size=10, concurrency=2, database_url=url)
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as other:
            other.execute("SELECT id FROM subscribers ORDER BY id DESC LIMIT 5 FOR UPDATE")
            running = folder.start("send", "--due", "--now", JUST_AFTER, "--json")
            assert running.stderr is not None
            for line in running.stderr:
                if "locked by another transaction" in line:
                    assert "subscribers were passed over" in line
                    break
            if released:
                other.rollback()
            stdout, _ = running.communicate(timeout=120)
        assert running.returncode == 0
        [report] = [r for r in json.loads(stdout) if r["number"] == 1]
        if released:
            assert (report["sent"], report["locked"], report["delivery"]) == (50, 0, "sent")
        else:
            assert (report["sent"], report["locked"]) == (45, 5)
            assert report["delivery"] == "partly sent"
            assert "5 subscribers stayed locked by another transaction" in report["note"]
            rerun = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
            assert send_reports(rerun)[0]["sent"] == 5
        got = sendgrid.deliveries()
        assert len(got) == 50 and set(got.values()) == {1}


def test_queue_and_send_say_sent_sending_or_partly_sent(tmp_path: Path,
                                                        sendgrid: SendGridTestServer) -> None:
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=30, batch_size=10, concurrency=1)
    assert queue_row(folder, 1)["delivery"] == ""
    sendgrid.inject("slow:0", "400")  # the second batch is refused: those 10 failed
    first = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
    assert first.returncode == 3
    assert send_reports(first)[0]["delivery"] == "partly sent"
    assert queue_row(folder, 1)["delivery"] == "partly sent"

    again = folder.run("send", "--due", "--now", JUST_AFTER, "--json")  # failures retried
    assert again.returncode == 0 and send_reports(again)[0]["delivery"] == "sent"
    row = queue_row(folder, 1)
    assert row["delivery"] == "sent" and row["counts"]["sent"] == 30

    with folder.store() as store:  # another run is sending issue 2 right now
        store.claim_batch(folder.key(2), batch_id="other", limit=5, now=datetime.now(UTC))
    assert queue_row(folder, 2)["delivery"] == "sending"
    table = folder.run("queue").stdout
    assert "sending" in table and "sent" in table


def test_an_expired_issue_is_noted_only_when_it_did_not_all_go(tmp_path: Path,
                                                               sendgrid: SendGridTestServer
                                                               ) -> None:
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=20, batch_size=10, concurrency=1)
    assert folder.run("send", "--due", "--now", JUST_AFTER).returncode == 0  # issue 1: all
    with folder.store() as store:  # issue 2 half sent, then its run died
        store.claim_batch(folder.key(2), batch_id="dead", limit=10, now=datetime.now(UTC))
        store.mark_stale_claims_uncertain(folder.key(2), older_than=datetime.now(UTC))
    later = folder.run("send", "--due", "--now", WEEK_LATER, "--json")
    reports = {r["number"]: r for r in send_reports(later)}
    assert 1 not in reports  # sent in full: nothing to say
    assert reports[2]["note"].startswith("partly sent, expired at ")
    assert reports[2]["delivery"] == "partly sent"
