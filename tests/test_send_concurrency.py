"""Overlapping cron runs never double-send; status changes take effect at the next batch."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from delivery_helpers import API_KEY, JUST_AFTER, SECRET, make_folder
from pg import pg_url  # noqa: F401  (fixture)

from newsletter.config import load_config
from newsletter.delivery.backends.sendgrid import SendGridBackend
from newsletter.delivery.due import send_due
from newsletter.delivery.run import SendContext, SendOptions
from newsletter.models import Outcome
from newsletter.planning.issuefile import load_queue
from newsletter.rendering.links import Links
from newsletter.testing.sendgrid_server import SendGridTestServer

SUBSCRIBERS, BATCH, PROCESSES = 3000, 50, 4


@pytest.fixture
def sendgrid():
    with SendGridTestServer(api_key=API_KEY, latency=0.05) as server:
        yield server


def four_runs_at_once(tmp_path: Path, sendgrid: SendGridTestServer, database_url: str
                      ) -> list[dict]:
    """Start four `send --due` processes together; their JSON reports for issue 1."""
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=SUBSCRIBERS, batch_size=BATCH, concurrency=2,
                         database_url=database_url)
    processes = [folder.start("send", "--due", "--now", JUST_AFTER, "--json")
                 for _ in range(PROCESSES)]
    reports = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        reports += [r for r in json.loads(out) if r["number"] == 1]
    return reports


def assert_each_recipient_once(sendgrid: SendGridTestServer, reports: list[dict]) -> None:
    got = sendgrid.deliveries()
    assert len(got) == SUBSCRIBERS and sendgrid.duplicates() == {}
    assert sum(r["sent"] for r in reports) == SUBSCRIBERS
    assert not any(r["uncertain"] or r["failed"] for r in reports)


def test_four_runs_on_one_sqlite_file_send_each_recipient_once(tmp_path: Path, sendgrid
                                                                ) -> None:
    reports = four_runs_at_once(tmp_path, sendgrid, "")
    assert_each_recipient_once(sendgrid, reports)


def test_four_runs_on_postgresql_share_the_work_and_send_each_recipient_once(
        tmp_path: Path, sendgrid, pg_url: str) -> None:  # noqa: F811
    reports = four_runs_at_once(tmp_path, sendgrid, pg_url)
    assert_each_recipient_once(sendgrid, reports)
    assert sum(r["sent"] > 0 for r in reports) > 1  # more than one process did real work


def test_an_unsubscribe_during_a_send_takes_effect_at_the_next_batch(tmp_path: Path,
                                                                      sendgrid) -> None:
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=40, batch_size=10, concurrency=1)
    config = load_config(folder.config, folder.env)
    leaving = "reader35@example.org"  # far from the first batch
    with folder.store() as store:
        def after_each_batch(outcomes: Sequence[Outcome]) -> None:
            store.set_status(leaving, "unsubscribed", source="test",
                             now=datetime.now(UTC))
        ctx = SendContext(config=config, store=store,
                          backend=SendGridBackend(API_KEY, host=sendgrid.url),
                          links=Links(config.base_url, SECRET),
                          clock=lambda: datetime.now(UTC), sleep=time.sleep,
                          on_batch=after_each_batch)
        [report] = send_due(load_queue(config.issues_dir), ctx,
                            SendOptions(now=datetime.fromisoformat(JUST_AFTER)))
    assert report.sent == 39
    got = sendgrid.deliveries()
    assert leaving not in got and len(got) == 39
