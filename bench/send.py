"""Benchmark: one issue sent with the SendGrid backend to the local test server.

N synthetic subscribers go into a fresh SQLite database, the SendGrid test server runs in
another process (as SendGrid would be on another machine), and one issue is sent through
``newsletter.delivery.broadcast`` exactly as `newsletter send` does. A naive baseline (one
render and one API call per recipient) runs on a smaller N; the ratio of the rates is printed.

    .venv/bin/python bench/send.py                       # 100,000 subscribers
    .venv/bin/python bench/send.py --subscribers 1000000 --naive 0   # peak memory at 1M

Targets (2 cores): >= 20,000 recipients/s, >= 50x the naive baseline, peak memory
< 150 MB at 1,000,000 subscribers. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

from sqlalchemy import insert

from newsletter.config import Config, load_config
from newsletter.content.banks import BANK_FILES
from newsletter.delivery.backends.sendgrid import SendGridBackend
from newsletter.delivery.broadcast import send_issue
from newsletter.delivery.run import SendContext, SendOptions
from newsletter.models import Issue, Message, Recipient
from newsletter.planning.issuefile import load_queue
from newsletter.rendering.links import Links
from newsletter.rendering.render import render
from newsletter.store import Store, open_store
from newsletter.store.schema import subscribers

API_KEY = "SG.bench-key"
SECRET = "bench-secret-0123456789abcdef"
INSERT_CHUNK = 20_000


@dataclass(frozen=True)
class Run:
    """One timed send: how many recipients, how long, how many HTTP requests."""

    recipients: int
    seconds: float
    requests: int
    duplicates: int

    @property
    def rate(self) -> float:
        """Recipients per second."""
        return self.recipients / self.seconds if self.seconds else 0.0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    args = _parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsletter-bench-") as tmp, \
            _server(args.latency) as url:
        now = args.now or datetime.now(UTC)
        folder = _folder(Path(tmp), url, args.batch_size, args.concurrency, now)
        config = load_config(folder / "newsletter.yaml", _env(url))
        issues = [loaded.issue for loaded in load_queue(config.issues_dir).issues]
        with open_store(config.database_url) as store:
            started = time.perf_counter()
            _insert_subscribers(store, args.subscribers)
            print(f"inserted {args.subscribers:,} subscribers in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
            fast = _batched(store, config, issues[0], url)
            _print_run("batched", fast)
            print(f"peak memory (maxrss): {_peak_mb():.0f} MB", flush=True)
            if args.naive:
                slow = _naive(store, config, issues[1], url, args.naive)
                _print_run("naive", slow)
                print(f"speed-up: {fast.rate / slow.rate:.0f}x the naive baseline")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--naive", type=int, default=500,
                        help="recipients of the naive baseline (0: skip it)")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds the test server adds to every request")
    parser.add_argument("--now", type=datetime.fromisoformat, default=None,
                        help="ISO time to plan from (default: the clock)")
    return parser


class _server:
    """The SendGrid test server in another process; its URL while inside ``with``."""

    def __init__(self, latency: float) -> None:
        self.command = [sys.executable, "-m", "newsletter.testing.sendgrid_server",
                        "--port", "0", "--no-details", "--api-key", API_KEY,
                        "--latency", str(latency)]

    def __enter__(self) -> str:
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        return first.rsplit(" ", 1)[-1].strip()

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _env(url: str) -> dict[str, str]:
    return {"SENDGRID_API_KEY": API_KEY, "SENDGRID_API_HOST": url,
            "NEWSLETTER_SECRET_KEY": SECRET}


def _folder(tmp: Path, url: str, batch_size: int, concurrency: int, now: datetime) -> Path:
    """A newsletter folder with the bundled example planned into issues from the day
    after ``now`` (never a fixed date: that passes)."""
    folder = tmp / "letter"
    env = {**os.environ, **_env(url)}
    _newsletter(env, "init", str(folder))
    config = folder / "newsletter.yaml"
    config.write_text(config.read_text() + (
        '\npostal_address: "1 Bench Road, Testville"\nbase_url: https://news.example.com\n'
        "cta_url: https://example.com/soilsense\n"
        f"delivery: {{backend: sendgrid, batch_size: {batch_size}, "
        f"concurrency: {concurrency}}}\n"), "utf-8")
    article = resources.files("newsletter").joinpath("data", "example-article.txt")
    _newsletter(env, "--config", str(config), "split", str(article),
                "-o", str(folder / "content"))
    content = next(p for p in (folder / "content").glob("*.yaml") if p.name not in BANK_FILES)
    _newsletter(env, "--config", str(config), "plan", str(content), "--every", "3d",
                "--start", (now + timedelta(days=1)).date().isoformat(),
                "--now", now.isoformat())
    return folder


def _newsletter(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "newsletter", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def _insert_subscribers(store: Store, count: int) -> None:
    """``count`` active subscribers, inserted in chunks (never all in memory)."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with store.engine.begin() as conn:
        for start in range(0, count, INSERT_CHUNK):
            conn.execute(insert(subscribers), list(_rows(start, min(count, start + INSERT_CHUNK),
                                                         now)))


def _rows(start: int, stop: int, now: datetime) -> Iterator[dict[str, object]]:
    for i in range(start, stop):
        email = f"reader{i}@example.org"
        yield {"key": f"k{i:031d}", "email": email, "email_lower": email,
               "name": f"Reader {i}", "status": "active", "consent_source": "bench",
               "created_at": now, "updated_at": now, "fields": {}}


def _context(store: Store, config: Config, url: str) -> SendContext:
    return SendContext(config=config, store=store, backend=SendGridBackend.from_config(config),
                       links=Links(config.base_url, SECRET), clock=lambda: datetime.now(UTC),
                       sleep=time.sleep)


def _batched(store: Store, config: Config, issue: Issue, url: str) -> Run:
    """The real send: render once, claim-send-record batches with concurrency."""
    _admin(url, "reset")
    ctx = _context(store, config, url)
    started = time.perf_counter()
    report = send_issue(issue, ctx, SendOptions(now=datetime.now(UTC)))
    seconds = time.perf_counter() - started
    stats = _admin(url, "stats")
    if report.failed or report.uncertain:
        raise SystemExit(f"the batched send was incomplete: {report}")
    return Run(report.sent, seconds, stats["requests"], stats["duplicates"])


def _naive(store: Store, config: Config, issue: Issue, url: str, count: int) -> Run:
    """The baseline: for each recipient, render the issue and make one API call."""
    _admin(url, "reset")
    ctx = _context(store, config, url)
    key, now = issue.key, datetime.now(UTC)
    started = time.perf_counter()
    for n in range(count):
        [claimed] = store.claim_batch(key, batch_id=f"naive-{n}", limit=1, now=now)
        message = Message(rendered=render(issue, config), sender=config.sender, issue_key=key)
        recipient = Recipient(email=claimed.email, name=claimed.name,
                              fields=ctx.links.fields(claimed, key),
                              subscriber_id=str(claimed.subscriber_id))
        [outcome] = ctx.backend.send(message, [recipient])
        store.record_outcomes([(claimed.delivery_id, outcome.status, outcome.message_id,
                                outcome.error)], now=now)
    seconds = time.perf_counter() - started
    stats = _admin(url, "stats")
    return Run(count, seconds, stats["requests"], stats["duplicates"])


def _admin(url: str, what: str) -> dict[str, int]:
    method = "POST" if what == "reset" else "GET"
    request = urllib.request.Request(f"{url}/__admin__/{what}", method=method)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def _print_run(name: str, run: Run) -> None:
    print(f"{name}: {run.recipients:,} recipients in {run.seconds:.2f} s = "
          f"{run.rate:,.0f} recipients/s; {run.requests:,} HTTP requests; "
          f"{run.duplicates} duplicates", flush=True)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
