"""Kill -9 at random moments: no recipient is ever mailed twice, none is lost.

A 20,000-subscriber send with the SendGrid backend (the test server runs here, with some
latency per request so a send takes seconds) is killed with SIGKILL ten times at random
moments and re-run each time. What a killed run had in flight is `uncertain`: reported,
never re-sent on its own. Re-runs use a short ``--lease`` so a dead run's claims are
recognised at once instead of after 15 minutes.
"""

from __future__ import annotations

import json
import random
import signal
import time
from collections.abc import Iterable
from pathlib import Path

from delivery_helpers import API_KEY, JUST_AFTER, Folder, make_folder

from newsletter.store import STALE_ERROR, DeliveryRecord
from newsletter.testing.sendgrid_server import SendGridTestServer

SUBSCRIBERS = 20_000
BATCH, CONCURRENCY = 200, 4
KILLS = 10
LEASE = ("--lease", "0.005")  # 0.3 s: a re-run starts later than that after a kill


def kill_at_random_moment(folder: Folder, server: SendGridTestServer,
                          rng: random.Random) -> bool:
    """Start `send --due`, SIGKILL it after a random number of requests and a random
    pause; False when it finished first."""
    seen = server.stats()["requests"]
    wait_for = seen + rng.randint(1, 6)
    process = folder.start("send", "--due", "--now", JUST_AFTER, *LEASE, "--json")
    deadline = time.monotonic() + 30
    while process.poll() is None and server.stats()["requests"] < wait_for:
        assert time.monotonic() < deadline, "the send never reached the server"
        time.sleep(0.005)
    time.sleep(rng.uniform(0, 0.25))
    finished = process.poll() is not None
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    return not finished


def emails(records: Iterable[DeliveryRecord]) -> set[str]:
    return {r.email.lower() for r in records}


def test_kill_nine_ten_times_then_rerun_never_sends_anyone_twice(tmp_path: Path) -> None:
    with SendGridTestServer(api_key=API_KEY, latency=0.08) as server:
        folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=server.url,
                             subscribers=SUBSCRIBERS, batch_size=BATCH,
                             concurrency=CONCURRENCY)
        rng = random.Random(20261201)
        kills = sum(kill_at_random_moment(folder, server, rng) for _ in range(KILLS))
        assert kills >= KILLS - 2, "most runs must die mid-send for this test to mean much"

        final = folder.run("send", "--due", "--now", JUST_AFTER, *LEASE, "--json")
        assert final.returncode in (0, 3), final.stderr
        accepted = server.deliveries()
        assert server.duplicates() == {}  # without --retry-uncertain: never twice

        with folder.store() as store:
            key = folder.key(1)
            sent = emails(store.deliveries_with_status(key, "sent"))
            uncertain = store.uncertain_recipients(key)
            counts = store.delivery_counts(key)[key]
        assert counts.claimed == counts.failed == counts.retry == 0
        assert len(sent) + len(uncertain) == SUBSCRIBERS  # everyone accounted for, once
        assert sent <= set(accepted)  # what the ledger calls sent, SendGrid really has
        assert set(accepted) <= sent | emails(uncertain)  # and nothing it does not know of
        # at most what each killed run had in flight: its concurrent batches and the one
        # claimed while the recorder wrote the last outcomes
        assert 0 < len(uncertain) <= kills * (CONCURRENCY + 1) * BATCH
        assert all(r.last_error == STALE_ERROR for r in uncertain)

        queue = json.loads(folder.run("queue", "--json").stdout)
        assert queue[0]["counts"]["uncertain"] == len(uncertain)

        retry = folder.run("send", "1", "--retry-uncertain", "--yes", "--json")
        assert retry.returncode == 0, retry.stderr
        after = server.deliveries()
        assert set(after) == sent | emails(uncertain)  # now everyone has it
        twice = set(server.duplicates())
        # A retried recipient that the killed run had already delivered gets it twice:
        # that is why uncertain recipients are only re-sent when the operator asks.
        assert twice == emails(uncertain) & set(accepted)
        assert not twice & sent
