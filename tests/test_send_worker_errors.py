"""Every failure inside a send reaches the run, and every batch is recorded as what it is.

Issue 11, cases 1, 2 and 9, over real processes and real HTTP: a database lock held past
the busy timeout mid-send, an API key or a host that no request can be made with, and a
gateway's 502/504. The send exits non-zero with the cause on one line (and in --json),
records what went out, hands back what never left, calls uncertain only what may have
been accepted, and the next run sends the rest once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from delivery_helpers import API_KEY, JUST_AFTER, Folder, make_folder, send_reports
from sendgrid_helpers import closed_port

from newsletter.store import Counts
from newsletter.testing.sendgrid_server import SendGridTestServer

pytestmark = pytest.mark.slow

# Holds the SQLite write lock from another process until a line arrives on stdin.
LOCK_HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
"""


def counts(folder: Folder) -> Counts:
    with folder.store() as store:
        return store.delivery_counts(folder.key(1)).get(folder.key(1)) or Counts()


def everyone_once(server: SendGridTestServer, count: int) -> bool:
    got = server.deliveries()
    return len(got) == count and set(got.values()) == {1}


def test_a_lock_held_past_the_busy_timeout_stops_the_send_and_records_what_went_out(
        tmp_path: Path) -> None:
    with SendGridTestServer(api_key=API_KEY, latency=0.05) as server:
        folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=server.url,
                             subscribers=400, batch_size=5, concurrency=3)
        db = folder.root / "subscribers" / "newsletter.db"
        folder.env["NEWSLETTER_DATABASE_URL"] = f"sqlite:///{db}?timeout=1"
        running = folder.start("send", "--due", "--now", JUST_AFTER, "--json")
        _wait_for(lambda: server.stats()["accepted_requests"] >= 3)
        holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(db)], text=True,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        assert running.stderr is not None
        for line in running.stderr:  # the cause is shown as it happens
            if "stopping the send" in line:
                assert "database is locked" in line
                break
        holder.communicate("go\n", timeout=30)  # the lock ends: in-flight batches record
        stdout, _ = running.communicate(timeout=120)

        assert running.returncode == 1
        [report] = [r for r in json.loads(stdout) if r["number"] == 1]
        assert "database is locked" in report["error"] and report["stopped"]
        ledger = counts(folder)
        accepted = server.stats()["recipients"]
        assert report["sent"] == ledger.sent == accepted < 400
        assert ledger.claimed == ledger.uncertain == 0  # nobody left "claimed by another run"
        folder.env["NEWSLETTER_DATABASE_URL"] = ""
        rerun = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
        assert rerun.returncode == 0, rerun.stderr
        assert send_reports(rerun)[0]["sent"] == 400 - accepted
        assert everyone_once(server, 400)


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("SENDGRID_API_KEY", "SG.good-part\nrest", "SENDGRID_API_KEY: the key contains a line "
                                               "break at character 13 of 17"),
    ("SENDGRID_API_KEY", "SG.kéy-with-umlaut", "SENDGRID_API_KEY: the key contains a "
                                               "non-ASCII character at character 5"),
    ("SENDGRID_API_HOST", "http://[::1", "'http://[::1' is not a URL (Invalid IPv6 URL)"),
    ("SENDGRID_API_HOST", "http://127.0.0.1:80a", "'http://127.0.0.1:80a' is not a URL (Port "
                                                  "could not be cast"),
])
def test_a_key_or_host_no_request_can_use_stops_before_anyone_is_claimed(
        tmp_path: Path, sendgrid: SendGridTestServer, variable: str, value: str,
        expected: str) -> None:
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=30)
    folder.env[variable] = value
    result = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    if variable == "SENDGRID_API_KEY":
        assert "good-part" not in result.stderr and "umlaut" not in result.stderr
    assert sendgrid.stats()["requests"] == 0
    assert counts(folder) == Counts()  # nobody claimed, nobody uncertain
    folder.env[variable] = API_KEY if variable == "SENDGRID_API_KEY" else sendgrid.url
    assert folder.run("send", "--due", "--now", JUST_AFTER).returncode == 0
    assert everyone_once(sendgrid, 30)


def test_a_host_that_refuses_the_connection_fails_the_batch_and_nobody_is_uncertain(
        tmp_path: Path, sendgrid: SendGridTestServer) -> None:
    """Case 2 for the request that never left at all: nothing listens on the host's port
    (a stopped proxy, a wrong port). Retried with backoff, then failed, never uncertain;
    the next run with the right host sends them once."""
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=6, batch_size=6, concurrency=1)
    folder.env["SENDGRID_API_HOST"] = f"http://127.0.0.1:{closed_port()}"
    result = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
    assert result.returncode == 3, result.stderr
    [report] = send_reports(result)
    assert (report["sent"], report["failed"], report["uncertain"]) == (0, 6, 0)
    assert any("SendGrid unreachable" in reason and "nothing was sent" in reason
               for reason in report["reasons"])
    assert counts(folder) == Counts(failed=6)
    folder.env["SENDGRID_API_HOST"] = sendgrid.url
    rerun = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
    assert rerun.returncode == 0, rerun.stderr
    assert (send_reports(rerun)[0]["sent"], send_reports(rerun)[0]["retried"]) == (6, 6)
    assert everyone_once(sendgrid, 6)


def test_a_public_address_that_is_not_a_url_stops_before_anyone_is_claimed(
        tmp_path: Path, sendgrid: SendGridTestServer) -> None:
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=5)
    folder.config.write_text(folder.config.read_text().replace(
        "base_url: https://news.example.com", "base_url: news.example.com"))
    result = folder.run("send", "--due", "--now", JUST_AFTER)
    assert result.returncode == 1
    assert "base_url: 'news.example.com' is not an absolute http(s) URL" in result.stderr
    assert sendgrid.stats()["requests"] == 0 and counts(folder) == Counts()


def test_a_504_after_sendgrid_accepted_is_uncertain_never_sent_twice(
        tmp_path: Path, sendgrid: SendGridTestServer) -> None:
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=40, batch_size=10, concurrency=1)
    sendgrid.inject("504:accepted")  # a load balancer gave up waiting; SendGrid took it
    first = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
    assert first.returncode == 3
    [report] = send_reports(first)
    assert (report["sent"], report["uncertain"]) == (30, 10)
    assert any("HTTP 504 from a gateway" in reason for reason in report["reasons"])
    assert folder.run("send", "--due", "--now", JUST_AFTER).returncode == 0
    assert everyone_once(sendgrid, 40)  # the 10 were not sent again without being asked
    assert counts(folder).uncertain == 10


@pytest.mark.parametrize(("fault", "uncertain"), [("504", 0), ("502", 0), ("502:gateway", 10),
                                                  ("504:gateway", 10)])
def test_502_and_504_are_retried_only_when_sendgrid_itself_answered(
        tmp_path: Path, sendgrid: SendGridTestServer, fault: str, uncertain: int) -> None:
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=20, batch_size=10, concurrency=1)
    sendgrid.inject(fault)
    result = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
    [report] = send_reports(result)
    assert (report["sent"], report["uncertain"]) == (20 - uncertain, uncertain)
    assert result.returncode == (3 if uncertain else 0)
    assert sendgrid.duplicates() == {}


def _wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)
