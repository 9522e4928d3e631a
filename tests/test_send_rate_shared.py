"""One rate limit for every process sending for the newsletter, asked before claiming.

Issue 11, case 3: claims waited behind the rate limiter (a later run took them for dead,
uncertain, and re-sent them on request: duplicates), and each process had its own limit
(four overlapping runs at 100/s sent 413/s). Over real processes and real HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from delivery_helpers import API_KEY, JUST_AFTER, make_folder, send_reports
from pg import fresh_postgres_url

from newsletter.store import Counts
from newsletter.testing.sendgrid_server import SendGridTestServer

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Iterator[str]:
    """"" (the folder's own SQLite file) or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield ""
    else:
        yield from fresh_postgres_url()


def test_an_hourly_limit_leaves_the_rest_unclaimed_for_later_runs(
        tmp_path: Path, sendgrid: SendGridTestServer) -> None:
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=50, batch_size=10, concurrency=4,
                         delivery="rate_per_hour: 20")
    first = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
    assert first.returncode == 0, first.stderr
    [report] = send_reports(first)
    assert report["sent"] == 20 and "the rate limit is reached" in report["note"]
    with folder.store() as store:
        assert store.delivery_counts(folder.key(1))[folder.key(1)] == Counts(sent=20)

    # the next cron run, with a lease so short that any waiting claim would count as dead
    second = folder.run("send", "--due", "--now", JUST_AFTER, "--json", "--lease", "0.001")
    assert second.returncode == 0, second.stderr
    [again] = send_reports(second)
    assert (again["sent"], again["uncertain"], again["skipped"]) == (0, 0, 20)
    got = sendgrid.deliveries()
    assert len(got) == 20 and set(got.values()) == {1}


def test_overlapping_runs_share_one_per_second_limit(tmp_path: Path, database: str) -> None:
    limit, batch, runs = 40, 20, 4
    with SendGridTestServer(api_key=API_KEY) as server:
        folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=server.url,
                             subscribers=240, batch_size=batch, concurrency=1,
                             database_url=database, delivery=f"rate_per_second: {limit}")
        running = [folder.start("send", "--due", "--now", JUST_AFTER) for _ in range(runs)]
        for run in running:
            _, stderr = run.communicate(timeout=300)
            assert run.returncode == 0, stderr
        got = server.deliveries()
        assert len(got) == 240 and set(got.values()) == {1}
        assert {n for _, n in server.acceptances()} == {batch}
        # Taken from the shared window at most `limit` a second; a loaded machine may
        # delay a batch between taking and posting, bunching at most one per run.
        slack = runs * batch
        assert server.busiest(1.0) <= limit + slack  # four limits of their own: 160
        assert server.busiest(3.0) <= 3 * limit + slack  # and 480
