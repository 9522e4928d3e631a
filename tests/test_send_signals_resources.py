"""Signals and resources: a send stopped by SIGTERM or SIGHUP, a full disk, a read-only
database or an unusable database_url.

Issue 11, case 8, over real processes and real HTTP: SIGTERM (what systemd and `kill`
send) and SIGHUP stop a send as Ctrl-C does, with the batches in flight sent and
recorded; the database's and the file system's failures are one line on stderr and a
non-zero exit, and a send that hits one mid-way still reports what went out, leaves
nobody "claimed" or "uncertain" whose request never left, and the next run sends the
rest once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from delivery_helpers import API_KEY, JUST_AFTER, Folder, make_folder, send_reports
from pg import fresh_postgres_url

from newsletter.store import Counts
from newsletter.testing.sendgrid_server import SendGridTestServer

pytestmark = pytest.mark.slow

SUBSCRIBERS = 300


def counts(folder: Folder) -> Counts:
    with folder.store() as store:
        return store.delivery_counts(folder.key(1)).get(folder.key(1)) or Counts()


def everyone_once(server: SendGridTestServer, count: int) -> bool:
    got = server.deliveries()
    return len(got) == count and set(got.values()) == {1}


def wait_for_line(process: subprocess.Popen[str], condition: Callable[[str], bool]) -> str:
    """Read the process's stderr until a line meets ``condition``; that line."""
    assert process.stderr is not None
    for line in process.stderr:
        if condition(line):
            return line
    raise AssertionError("the process ended without printing the line awaited")


def wait_for_requests(server: SendGridTestServer, requests: int) -> None:
    """Until the server has accepted ``requests`` requests."""
    deadline = time.monotonic() + 60
    while server.stats()["accepted_requests"] < requests:
        assert time.monotonic() < deadline, "the send never reached the server"
        time.sleep(0.01)


def one_error_line(stderr: str, expected: str) -> None:
    lines = [line for line in stderr.strip().splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and expected in lines[0], stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT],
                         ids=["SIGTERM", "SIGHUP", "SIGINT"])
def test_sigterm_and_sighup_stop_a_send_as_ctrl_c_does(tmp_path: Path,
                                                       sig: signal.Signals) -> None:
    # each request takes long enough that the 27 left cannot all go out between the third
    # reaching the server and the signal arriving, however loaded the machine
    with SendGridTestServer(api_key=API_KEY, latency=0.4) as server:
        folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=server.url,
                             subscribers=SUBSCRIBERS, batch_size=10, concurrency=2)
        running = folder.start("send", "--due", "--now", JUST_AFTER, "--json")
        wait_for_requests(server, 3)
        running.send_signal(sig)
        stdout, stderr = running.communicate(timeout=60)

        assert running.returncode == 1, stderr
        [report] = [r for r in json.loads(stdout) if r["number"] == 1]
        name = "Ctrl-C" if sig == signal.SIGINT else sig.name
        assert report["stopped"] and f"stopped by {name} after" in report["error"]
        accepted = server.stats()["recipients"]
        ledger = counts(folder)
        assert report["sent"] == ledger.sent == accepted < SUBSCRIBERS
        assert ledger.claimed == ledger.uncertain == 0  # in-flight batches were recorded
        rerun = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
        assert rerun.returncode == 0, rerun.stderr
        assert send_reports(rerun)[0]["sent"] == SUBSCRIBERS - accepted
        assert everyone_once(server, SUBSCRIBERS)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB file system of its own (tmpfs), to fill; skipped where none can be mounted."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if made.returncode:
        pytest.skip("no tmpfs can be mounted here (needs root): "
                    + made.stderr.decode(errors="replace").strip())
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte; the file that fills it."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:  # nothing left to flush when it is full
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_mid_send_stops_it_and_it_still_reports_what_went_out(
        tmp_path: Path, small_disk: Path) -> None:
    with SendGridTestServer(api_key=API_KEY, latency=0.05) as server:
        folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=server.url,
                             subscribers=SUBSCRIBERS, batch_size=10, concurrency=2,
                             database_url=f"sqlite:///{small_disk / 'newsletter.db'}")
        running = folder.start("send", "--due", "--now", JUST_AFTER, "--json")
        wait_for_requests(server, 3)
        filler = fill(small_disk)
        line = wait_for_line(running, lambda text: "stopping the send" in text)
        assert "database or disk is full" in line
        filler.unlink()  # room again: the batches in flight get recorded
        stdout, stderr = running.communicate(timeout=120)

        assert running.returncode == 1, stderr
        [report] = [r for r in json.loads(stdout) if r["number"] == 1]
        assert "database or disk is full" in report["error"] and report["stopped"]
        accepted = server.stats()["recipients"]
        ledger = counts(folder)
        assert report["sent"] == ledger.sent == accepted < SUBSCRIBERS
        assert ledger.claimed == ledger.uncertain == 0
        rerun = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
        assert rerun.returncode == 0, rerun.stderr
        assert everyone_once(server, SUBSCRIBERS)


def test_an_import_onto_a_full_disk_is_one_line_and_keeps_the_list_whole(
        tmp_path: Path, small_disk: Path) -> None:
    folder = make_folder(tmp_path, database_url=f"sqlite:///{small_disk / 'newsletter.db'}",
                         subscribers=10)
    csv = tmp_path / "list.csv"
    csv.write_text("email,name\n" + "".join(f"new{i}@example.org,New {i}\n"
                                            for i in range(20_000)))
    filler = fill(small_disk)
    result = folder.run("subscribers", "import", str(csv))
    filler.unlink()
    assert result.returncode == 1
    one_error_line(result.stderr, "the disk holding it is full")
    with folder.store() as store:
        assert sum(store.count_by_status().values()) == 10


@pytest.fixture(params=["sqlite", "postgresql"])
def read_only(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(URL to set the folder up with, the same database opened read-only)."""
    if request.param == "sqlite":
        db = tmp_path / "ro" / "newsletter.db"
        yield f"sqlite:///{db}", f"sqlite:///file:{quote(str(db))}?mode=ro&uri=true"
    else:
        for url in fresh_postgres_url():
            yield url, url + quote(" -cdefault_transaction_read_only=on")


def test_a_read_only_database_is_one_line_and_nobody_is_claimed(
        tmp_path: Path, sendgrid: SendGridTestServer, read_only: tuple[str, str]) -> None:
    writable, readable = read_only
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=20, database_url=writable)
    folder.env["NEWSLETTER_DATABASE_URL"] = readable
    result = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
    assert result.returncode == 1
    one_error_line(result.stderr, "read")  # "readonly database" / "read-only transaction"
    assert sendgrid.stats()["requests"] == 0
    folder.env["NEWSLETTER_DATABASE_URL"] = writable
    assert counts(folder) == Counts()
    assert folder.run("send", "--due", "--now", JUST_AFTER).returncode == 0
    assert everyone_once(sendgrid, 20)


@pytest.mark.parametrize(("url", "expected"), [
    ("postgresql://nobody@127.0.0.1:1/nothing", "Connection refused"),
    ("sqlite:////proc/no-such-folder/newsletter.db", "the database's folder "
                                                     "'/proc/no-such-folder' cannot be made"),
    ("mysql://db/newsletter", "is not a database URL"),
    ("newsletter.db", "is not a database URL"),
    ("TEXT_FILE", "file is not a database"),
])
def test_an_unusable_database_url_is_one_line(tmp_path: Path, url: str,
                                              expected: str) -> None:
    folder = make_folder(tmp_path)
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all\n" * 100)
    folder.env["NEWSLETTER_DATABASE_URL"] = url.replace("TEXT_FILE", f"sqlite:///{text}")
    for command in (("send", "--due", "--now", JUST_AFTER), ("subscribers", "list")):
        result = folder.run(*command)
        assert result.returncode == 1, (command, result.stdout)
        one_error_line(result.stderr, expected)
    assert os.path.getsize(text) == len("not a database at all\n") * 100
