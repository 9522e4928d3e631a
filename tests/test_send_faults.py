"""What SendGrid answers, and what `newsletter send` then does and reports (exit 0 or 3)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from delivery_helpers import API_KEY, JUST_AFTER, SECRET, Folder, make_folder

from newsletter.config import load_config
from newsletter.delivery.backends.sendgrid import SendGridBackend
from newsletter.delivery.due import send_due
from newsletter.delivery.run import SendContext, SendOptions
from newsletter.planning.issuefile import load_queue
from newsletter.rendering.links import Links
from newsletter.testing.sendgrid_server import SendGridTestServer


@pytest.fixture
def sendgrid():
    with SendGridTestServer(api_key=API_KEY, slow_seconds=1.5) as server:
        yield server


def sendgrid_folder(tmp_path: Path, server: SendGridTestServer, subscribers: int,
                    batch_size: int, concurrency: int = 1, extra: str = "") -> Folder:
    return make_folder(tmp_path, backend="sendgrid", sendgrid_url=server.url,
                       subscribers=subscribers, batch_size=batch_size,
                       concurrency=concurrency, extra_config=extra)


def send_due_json(folder: Folder, *more: str) -> tuple[int, dict]:
    result = folder.cli("send", "--due", "--now", JUST_AFTER, "--json", *more)
    return result.exit_code, next(r for r in json.loads(result.output) if r["number"] == 1)


def assert_everyone_once(server: SendGridTestServer, count: int) -> None:
    got = server.deliveries()
    assert len(got) == count and server.duplicates() == {}


def test_thirty_percent_429_and_503_still_deliver_everyone_once(tmp_path: Path, sendgrid
                                                                ) -> None:
    folder = sendgrid_folder(tmp_path, sendgrid, 3000, 100, concurrency=4)
    sendgrid.configure_faults(fail_rate=0.3, seed=7, random_faults=("429", "503"))
    code, report = send_due_json(folder)
    assert code == 0 and report["sent"] == 3000 and report["failed"] == 0
    answers = sendgrid.stats()["answers"]
    assert answers.get("429") and answers.get("503")
    assert_everyone_once(sendgrid, 3000)


def test_a_batch_refused_with_400_fails_with_sendgrids_message_and_the_send_goes_on(
        tmp_path: Path, sendgrid) -> None:
    folder = sendgrid_folder(tmp_path, sendgrid, 50, 10)
    sendgrid.inject("400")
    result = folder.run("send", "--due", "--now", JUST_AFTER)
    assert result.returncode == 3
    assert "The from email does not contain a valid address" in result.stderr
    assert len(sendgrid.deliveries()) == 40  # the other four batches went
    code, report = send_due_json(folder)  # the next run sends the refused batch
    assert code == 0 and report["sent"] == 10 and report["retried"] == 10
    assert_everyone_once(sendgrid, 50)


def test_five_hundreds_until_retries_run_out_fail_the_batch_and_the_next_run_sends_it(
        tmp_path: Path, sendgrid) -> None:
    folder = sendgrid_folder(tmp_path, sendgrid, 30, 10)
    config = load_config(folder.config, folder.env)
    quick = SendGridBackend(API_KEY, host=sendgrid.url, backoff=0.001, max_backoff=0.01)
    sendgrid.inject(*["500"] * (quick.max_retries + 1))
    with folder.store() as store:
        ctx = SendContext(config=config, store=store, backend=quick,
                          links=Links(config.base_url, SECRET),
                          clock=lambda: datetime.now(UTC), sleep=time.sleep)
        [report] = send_due(load_queue(config.issues_dir), ctx,
                            SendOptions(now=datetime.fromisoformat(JUST_AFTER)))
    assert (report.sent, report.failed) == (20, 10)
    assert any("500" in reason for reason in report.reasons)
    code, rerun = send_due_json(folder)
    assert code == 0 and rerun["sent"] == 10 and rerun["skipped"] == 20
    assert_everyone_once(sendgrid, 30)
    with folder.store() as store:
        retried = store.deliveries_with_status(folder.key(1), "sent")
    assert sorted(r.attempts for r in retried) == [1] * 20 + [2] * 10


@pytest.mark.parametrize("fault", ["drop", "slow"])
def test_no_answer_after_the_request_left_is_uncertain_and_only_resent_on_request(
        tmp_path: Path, sendgrid, fault: str) -> None:
    folder = sendgrid_folder(tmp_path, sendgrid, 30, 10, extra="sendgrid: {timeout: 0.5}\n")
    sendgrid.inject(fault)
    code, report = send_due_json(folder)
    assert code == 3 and (report["sent"], report["uncertain"]) == (20, 10)
    assert any("may have been accepted" in reason for reason in report["reasons"])
    [queued] = [r for r in json.loads(folder.cli("queue", "--json").output)
                if r["number"] == 1]
    assert (queued["counts"]["sent"], queued["counts"]["uncertain"]) == (20, 10)

    code, again = send_due_json(folder)  # a plain re-run leaves them alone
    assert code == 0 and again["sent"] == 0
    assert sendgrid.duplicates() == {}

    result = folder.cli("send", "1", "--retry-uncertain", "--yes", "--json")
    assert result.exit_code == 0 and json.loads(result.output)[0]["sent"] == 10
    # The server had accepted that batch before it went quiet: retrying it is exactly
    # the double send an operator accepts by asking for --retry-uncertain.
    assert len(sendgrid.duplicates()) == 10 and len(sendgrid.deliveries()) == 30
