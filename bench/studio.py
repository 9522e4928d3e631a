"""Studio pages under load: the queue of 200 issues and subscriber searches over 100,000.

Builds a newsletter folder in a temporary directory (200 issue files, 100,000 subscribers
in SQLite, one studio account), serves the app under waitress on 127.0.0.1 like
`newsletter serve`, signs in over HTTP, then times whole requests (client side: request
sent to last byte read) and prints the median, 95th percentile and maximum of each page.
Target: under 200 ms.

    .venv/bin/python bench/studio.py [--issues 200] [--subscribers 100000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from waitress.server import create_server

from newsletter.accounts import hash_password
from newsletter.config import load_config
from newsletter.delivery.backends.outbox import OutboxBackend
from newsletter.models import Issue, IssueBlock
from newsletter.planning.issuefile import dump_issue, issue_filename
from newsletter.store import SubscriberInput, open_store
from newsletter.web import create_app

CONFIG = ("name: Bench Letter\nfrom: {email: b@example.com}\npostal_address: 1 Main St\n"
          "timezone: Europe/Berlin\n")
PASSWORD = "a long bench password"


def build(root: Path, issues: int, subscribers: int) -> None:
    """The folder: newsletter.yaml, the issue files, the subscribers and an account."""
    root.mkdir(parents=True)
    (root / "newsletter.yaml").write_text(CONFIG, "utf-8")
    (root / "issues").mkdir()
    start = datetime(2031, 1, 1, 9, tzinfo=UTC)
    body = "A tip of about forty words. " * 8
    for n in range(1, issues + 1):
        issue = Issue(number=n, subject=f"Tip number {n} for your week", preheader="Inside",
                      status="scheduled", send_at=start + timedelta(days=3 * n),
                      blocks=tuple(IssueBlock(kind="tip", title=f"Tip {n}.{b}", body=body)
                                   for b in range(3)))
        (root / "issues" / issue_filename(issue)).write_text(dump_issue(issue), "utf-8")
    config = load_config(root / "newsletter.yaml", env={})
    with open_store(config.database_url) as store:
        now = datetime.now(UTC)
        for first in range(0, subscribers, 5000):
            store.upsert_subscribers([SubscriberInput(email=f"user{i:06d}@example.org",
                                                      name=f"Reader {i}")
                                      for i in range(first, min(first + 5000, subscribers))],
                                     source="bench", now=now)
        store.add_user("bench@example.com", hash_password(PASSWORD), now=now)
        store.analyze()


class Client:
    """Keep-alive HTTP with the session cookie."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def call(self, method: str, path: str, body: str = "") -> tuple[int, str, float]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.conn.request(method, path, body=body or None, headers=headers)
        answer = self.conn.getresponse()
        text = answer.read().decode()
        elapsed = time.perf_counter() - started
        if answer.getheader("Set-Cookie"):
            self.cookie = answer.getheader("Set-Cookie", "").split(";")[0]
        return answer.status, text, elapsed

    def sign_in(self) -> None:
        _, page, _ = self.call("GET", "/studio/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        status, _, _ = self.call("POST", "/studio/sign-in", urlencode(
            {"csrf_token": token, "email": "bench@example.com", "password": PASSWORD}))
        assert status == 303, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=200)
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "letter"
        started = time.perf_counter()
        build(root, args.issues, args.subscribers)
        print(f"built {args.issues} issues and {args.subscribers} subscribers in "
              f"{time.perf_counter() - started:.1f} s")
        config = load_config(root / "newsletter.yaml", env={})
        store = open_store(config.database_url)
        app = create_app(config, store, secret="bench-secret-0123456789",
                         webhook_public_key=None, backend=OutboxBackend(config.outbox),
                         clock=lambda: datetime.now(UTC))
        server = create_server(app, host="127.0.0.1", port=0, threads=4)
        threading.Thread(target=server.run, daemon=True).start()
        client = Client(server.effective_port)
        client.sign_in()
        pages = {
            f"queue ({args.issues} issues)": "/studio/queue",
            "search 'user054321' (1 match)": "/studio/subscribers?q=user054321",
            "search 'reader 12' (1,111 matches)": "/studio/subscribers?q=reader+12",
            "search 'reader 1' (11,111 matches)": "/studio/subscribers?q=reader+1",
            "search 'ex' (all, under 3 characters)": "/studio/subscribers?q=ex",
            "search 'example' (all), page 1,000": "/studio/subscribers?q=example&page=1000",
            "filter status=active": "/studio/subscribers?status=active",
            "search 'nobody' (no match)": "/studio/subscribers?q=nobody",
        }
        print(f"{'page':40} {'median':>8} {'p95':>8} {'max':>8}  (ms, {args.repeat} runs)")
        for name, path in pages.items():
            status, _, _ = client.call("GET", path)  # warm-up
            assert status == 200, (path, status)
            times = sorted(client.call("GET", path)[2] * 1000 for _ in range(args.repeat))
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(f"{name:40} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f}")
        server.close()
        store.close()


if __name__ == "__main__":
    main()
