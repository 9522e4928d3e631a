"""Benchmark: one issue to N subscribers on PostgreSQL from 1, 2 and 4 `newsletter send --due`
processes at once, against the SendGrid stand-in with a latency per request.

Each run gets a schema of its own (made afresh, N subscribers copied in), the stand-in runs
in another process (``python -m newsletter.testing.sendgrid_server --latency S``), and the
processes are started together exactly as cron would start them. It prints, per run: the
recipients per second (all sent / wall time from the first start to the last exit), the
server's count of requests, recipients and duplicates, every process's exit code and peak
memory. A last run with ``rate_per_second`` set checks that the processes held one shared
limit (the busiest second the server saw). ``--floor`` runs ../shared/bench/floor.py in the
same session (same N, latency and threads) and prints the ratio.

    .venv/bin/python bench/send_processes.py                        # 200,000; 1, 2, 4
    .venv/bin/python bench/send_processes.py --floor ../shared/bench/floor.py
    .venv/bin/python bench/send_processes.py --subscribers 1000000 --processes 1 --limit 0

Nothing here depends on today's date: issues are planned from ``--now`` (default: the
clock) and sent just after the first one's send time. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import psycopg

from newsletter.content.banks import BANK_FILES
from newsletter.planning.issuefile import load_queue
from newsletter.store import open_store
from newsletter.testing.sendgrid_server import busiest_window

API_KEY = "SG.bench-key"
SECRET = "bench-secret-0123456789abcdef"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SHARED_FLOOR = Path(__file__).resolve().parents[2] / "shared" / "bench" / "floor.py"


@dataclass(frozen=True)
class Result:
    """One run: processes, recipients sent, wall seconds, what the server saw."""

    processes: int
    sent: int
    seconds: float
    requests: int
    duplicates: int
    exit_codes: list[int]
    peak_mb: list[float]
    busiest_second: int
    busiest_five: int  # the most accepted within any 5 s
    cpu_seconds: list[float]  # user + system of each send process
    machine_busy: float  # share of all the machine's CPU time in use during the run
    to_first: float = 0.0  # seconds from the start to the first request accepted
    after_last: float = 0.0  # seconds from the last request accepted to the last exit

    @property
    def rate(self) -> float:
        """Recipients per second over the whole run."""
        return self.sent / self.seconds if self.seconds else 0.0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up: server, schema
    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    floor = _floor(args) if args.floor else None
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="newsletter-bench-") as tmp, \
            _server(args.latency) as url:
        folder, due = _folder(Path(tmp), url, args, now)
        for count in args.processes:
            results.append(_run(folder, url, due, args, count, rate=0))
            _print(results[-1])
        limited = None
        if args.limit:
            limited = _run(folder, url, due, args, max(args.processes), rate=args.limit,
                           subscribers=args.limit_subscribers)
            _print(limited, limit=args.limit, concurrency=args.concurrency)
    if floor is not None:
        print(f"floor (same session, before ours): {floor:,.0f} recipients/s")
    _print_ratios(results, floor)
    clean = all(not r.duplicates and set(r.exit_codes) == {0}
                for r in [*results, *([limited] if limited else [])])
    held = limited is None or _held(limited, args.limit, args.concurrency) == "held"
    return 0 if clean and held else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=200_000)
    parser.add_argument("--processes", type=lambda s: [int(n) for n in s.split(",")],
                        default=[1, 2, 4], help="comma-separated process counts (1,2,4)")
    parser.add_argument("--latency", type=float, default=0.2,
                        help="seconds the stand-in adds to every request (0.2)")
    parser.add_argument("--concurrency", type=int, default=4,
                        help="delivery.concurrency: batches in flight per process (4)")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--postgres", default=os.environ.get("NEWSLETTER_BENCH_POSTGRES",
                                                             DEFAULT_POSTGRES))
    parser.add_argument("--limit", type=int, default=2_000,
                        help="rate_per_second of the last run, shared by its processes "
                             "(0: no such run)")
    parser.add_argument("--limit-subscribers", type=int, default=30_000)
    parser.add_argument("--floor", nargs="?", const=str(SHARED_FLOOR), default="",
                        help="run floor.py (this path) first, same N, latency, threads")
    parser.add_argument("--floor-python", default=sys.executable,
                        help="the Python that runs floor.py (it needs orjson)")
    parser.add_argument("--now", default="", help="ISO time to plan from (default: now)")
    return parser


@contextmanager
def _server(latency: float) -> Iterator[str]:
    """The SendGrid stand-in in another process; its URL."""
    command = [sys.executable, "-m", "newsletter.testing.sendgrid_server", "--port", "0",
               "--no-details", "--api-key", API_KEY, "--latency", str(latency)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().rsplit(" ", 1)[-1].strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


def _folder(tmp: Path, url: str, args: argparse.Namespace, now: datetime
            ) -> tuple[Path, str]:
    """A newsletter folder with the bundled example planned from ``now``; the folder and
    an instant just after issue 1's send time."""
    folder = tmp / "letter"
    _newsletter({}, "init", str(folder))
    config = folder / "newsletter.yaml"
    config.write_text(config.read_text() + (
        '\npostal_address: "1 Bench Road, Testville"\nbase_url: https://news.example.com\n'
        "cta_url: https://example.com/soilsense\n"
        f"delivery: {{backend: sendgrid, batch_size: {args.batch_size}, "
        f"concurrency: {args.concurrency}}}\n"), "utf-8")
    article = resources.files("newsletter").joinpath("data", "example-article.txt")
    _newsletter({}, "--config", str(config), "split", str(article), "-o",
                str(folder / "content"))
    content = next(p for p in (folder / "content").glob("*.yaml") if p.name not in BANK_FILES)
    start = (now + timedelta(days=1)).date().isoformat()
    _newsletter({}, "--config", str(config), "plan", str(content), "--every", "3d",
                "--start", start, "--now", now.isoformat())
    first = load_queue(folder / "issues").issues[0].issue
    assert first.send_at is not None
    return folder, (first.send_at + timedelta(minutes=5)).isoformat()


def _newsletter(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "newsletter", *args], check=True,
                   env={**os.environ, **env}, stdout=subprocess.DEVNULL)


def _run(folder: Path, url: str, due: str, args: argparse.Namespace, processes: int, *,
         rate: int, subscribers: int = 0) -> Result:
    """``processes`` sends of issue 1 at once into a fresh schema; what they did."""
    config = folder / "newsletter.yaml"
    original = config.read_text()
    if rate:
        config.write_text(original.replace("delivery: {backend: sendgrid,",
                                           f"delivery: {{backend: sendgrid, rate_per_second: "
                                           f"{rate},"))
    try:
        with _schema(args.postgres, subscribers or args.subscribers) as db:
            _admin(url, "reset")
            env = {**os.environ, "SENDGRID_API_KEY": API_KEY, "SENDGRID_API_HOST": url,
                   "NEWSLETTER_SECRET_KEY": SECRET, "NEWSLETTER_DATABASE_URL": db,
                   "no_proxy": "127.0.0.1,localhost"}
            command = [sys.executable, "-m", "newsletter", "--config", str(config), "send",
                       "--due", "--now", due, "--json"]
            started, ticks, wall = time.perf_counter(), _cpu_ticks(), time.time()
            errors = [tempfile.TemporaryFile() for _ in range(processes)]  # noqa: SIM115
            running = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                        stderr=err) for err in errors]
            finished = [_wait(p) for p in running]
            seconds = time.perf_counter() - started
            ended = time.time()
            busy = _busy_share(ticks, _cpu_ticks())
            for done, err in zip(finished, errors, strict=True):
                if done.code:  # what went wrong, in the process's own words
                    err.seek(0)
                    print(err.read().decode(errors="replace").strip()[-2000:], file=sys.stderr)
    finally:
        config.write_text(original)
    stats = _admin(url, "stats")
    sent = sum(report["sent"] for f in finished for report in json.loads(f.out or b"[]"))
    accepted = _admin(url, "acceptances")["acceptances"]
    return Result(processes, sent, seconds, stats["requests"], stats["duplicates"],
                  [f.code for f in finished], [f.peak_mb for f in finished],
                  busiest_window(accepted, 1.0), busiest_window(accepted, 5.0),
                  [f.cpu for f in finished], busy,
                  accepted[0][0] - wall if accepted else 0.0,
                  ended - accepted[-1][0] if accepted else 0.0)


@dataclass(frozen=True)
class _Finished:
    code: int
    peak_mb: float
    out: bytes
    cpu: float


def _wait(process: subprocess.Popen[bytes]) -> _Finished:
    """Exit code, peak memory (MB), stdout and CPU seconds of a process (the kernel's
    accounting)."""
    assert process.stdout is not None
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return _Finished(process.returncode, usage.ru_maxrss / 1024, out,
                     usage.ru_utime + usage.ru_stime)


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far (/proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(n) for n in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def _busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else 0.0


@contextmanager
def _schema(server: str, count: int) -> Iterator[str]:
    """A new schema holding ``count`` active subscribers; its URL; dropped afterwards."""
    name = f"bench_send_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    libpq = server.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    url = f"{server}?options={quote(f'-csearch_path={name}')}"
    try:
        open_store(url).close()  # the tables, by the project's own migrations
        _copy_subscribers(libpq, name, count)
        yield url
    finally:
        with psycopg.connect(libpq, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')


def _copy_subscribers(libpq: str, schema: str, count: int) -> None:
    """``count`` active subscribers, streamed in with COPY (never all in memory)."""
    columns = ("key", "email", "email_lower", "name", "status", "consent_source",
               "created_at", "updated_at", "fields")
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        with conn.cursor().copy(f"COPY subscribers ({', '.join(columns)}) FROM STDIN") as copy:
            for i in range(count):
                email = f"reader{i}@example.org"
                copy.write_row((f"k{i:031d}", email, email, f"Reader {i}", "active", "bench",
                                at, at, "{}"))
        conn.execute("ANALYZE subscribers")


def _admin(url: str, what: str) -> dict:
    method = "POST" if what == "reset" else "GET"
    request = urllib.request.Request(f"{url}/__admin__/{what}", method=method)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=60) as answer:
        return json.load(answer)




def _floor(args: argparse.Namespace) -> float:
    """floor.py's recipients per second, same N, latency and threads."""
    out = subprocess.run([args.floor_python, args.floor, str(args.subscribers),
                          "--latency-ms", str(args.latency * 1000),
                          "--threads", str(args.concurrency)],
                         check=True, capture_output=True, text=True).stdout
    print(out.strip(), flush=True)
    return float(re.search(r"= ([\d,]+)/s", out).group(1).replace(",", ""))  # type: ignore[union-attr]


def _print(result: Result, limit: int = 0, concurrency: int = 1) -> None:
    memory = ", ".join(f"{mb:.0f}" for mb in result.peak_mb)
    cpu = ", ".join(f"{seconds:.1f}" for seconds in result.cpu_seconds)
    line = (f"{result.processes} process{'es' if result.processes > 1 else ''}"
            f"{f' (rate_per_second {limit})' if limit else ''}: {result.sent:,} recipients in "
            f"{result.seconds:.2f} s = {result.rate:,.0f}/s; {result.requests} requests; "
            f"{result.duplicates} duplicates; exit {result.exit_codes}; peak MB [{memory}]; "
            f"busiest second {result.busiest_second:,}; CPU s [{cpu}]; machine busy "
            f"{result.machine_busy:.0%}; first accepted after {result.to_first:.1f} s, "
            f"the last {result.after_last:.1f} s before the end")
    if limit:
        line += (f"; busiest 5 s {result.busiest_five:,} "
                 f"({_held(result, limit, concurrency)})")
    print(line, flush=True)


def _held(result: Result, limit: int, concurrency: int = 1) -> str:
    """Whether the processes kept to one shared limit: within any 5 s the server took at
    most 5 x the limit, give or take one batch per batch in flight (``concurrency`` per
    process: a batch's rate is taken before it is claimed and built, so the time it
    reaches the server varies, and the batches in flight may arrive bunched)."""
    slack = result.processes * concurrency * max(result.sent // max(result.requests, 1), 1)
    return "held" if result.busiest_five <= 5 * limit + slack else "NOT HELD"


def _print_ratios(results: list[Result], floor: float | None) -> None:
    one = next((r for r in results if r.processes == 1), None)
    if one is None:
        return
    for result in results:
        if result is not one:
            print(f"{result.processes} processes / 1: {result.rate / one.rate:.2f}x")
    if floor:
        print(f"1 process / floor: {one.rate / floor:.0%}")


if __name__ == "__main__":
    sys.exit(main())
