"""Progress bars of `split`, `build`, `send` and `subscribers import` on a terminal (a
pseudo-terminal here), with a total, a rate and the time; none when the output is piped."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from delivery_helpers import JUST_AFTER, make_folder

NEWSLETTER = Path(sys.executable).with_name("newsletter")
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "ql-dry-needling.txt"
BAR = "━"


def in_a_terminal(folder: Path, *args: str, env: dict[str, str] | None = None
                  ) -> tuple[int, str]:
    """Run ``newsletter ARGS`` with a terminal as its stdin, stdout and stderr."""
    master, slave = pty.openpty()
    env = {**os.environ, **(env or {}), "COLUMNS": "120", "TERM": "xterm"}
    proc = subprocess.Popen([str(NEWSLETTER), *args], cwd=folder, stdin=slave, stdout=slave,
                            stderr=slave, env=env, close_fds=True)
    os.close(slave)
    out = b""
    while select.select([master], [], [], 60)[0]:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not data:
            break
        out += data
    os.close(master)
    return proc.wait(timeout=60), out.decode("utf-8", "replace")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    if not SEED.is_file():
        pytest.skip("needs ../shared/seeds")
    subprocess.run([str(NEWSLETTER), "init", str(tmp_path / "letter")], check=True,
                   capture_output=True)
    shutil.copy(SEED, tmp_path / "letter" / "article.txt")
    return tmp_path / "letter"


def test_split_and_build_show_bars_with_totals_and_rates_on_a_terminal(folder: Path) -> None:
    code, out = in_a_terminal(folder, "split", "article.txt")
    assert code == 0, out
    for stage, unit in (("reading", "KB"), ("splitting", "blocks"), ("writing", "items")):
        assert stage in out and f"{unit}/s" in out, out
    assert BAR in out and "Wrote content/" in out
    content = next((folder / "content").glob("quadratus*.yaml"))
    subprocess.run([str(NEWSLETTER), "plan", str(content), "--start", "2031-01-05"],
                   cwd=folder, check=True, capture_output=True)
    code, out = in_a_terminal(folder, "build")
    assert code == 0, out
    built = re.search(r"built (\d+) issues in build", out)
    assert built, out
    assert f"{built[1]}/{built[1]}" in out and "issues/s" in out and BAR in out


def test_no_bar_when_the_output_is_piped(folder: Path) -> None:
    for args in (["split", "article.txt"], ["build"]):
        done = subprocess.run([str(NEWSLETTER), *args], cwd=folder, capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert BAR not in done.stdout + done.stderr and "/s" not in done.stderr


def _shown_counts(out: str) -> list[tuple[int, int | None]]:
    """Every "done/total" a bar showed ("?" for no total)."""
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out)
    return [(int(done), None if total == "?" else int(total))
            for done, total in re.findall(r"(\d+)/(\d+|\?) [\d,-]+ ?(?:rows)?/s", plain)]


def test_the_send_bar_counts_up_to_the_recipients_and_a_dry_run_shows_none(
        tmp_path: Path) -> None:
    letter = make_folder(tmp_path, subscribers=30, batch_size=10)
    code, out = in_a_terminal(letter.root, "send", "--due", "--dry-run", "--now", JUST_AFTER,
                              env=letter.env)
    assert code == 0 and "dry run: nothing sent" in out
    assert BAR not in out and "sending" not in out
    code, out = in_a_terminal(letter.root, "send", "1", "--test", "me@example.com",
                              env=letter.env)
    assert code == 0 and "proof of issue 1 sent" in out and BAR not in out
    code, out = in_a_terminal(letter.root, "send", "--due", "--now", JUST_AFTER,
                              env=letter.env)
    assert code == 0, out
    assert "sending" in out and "/s" in out and BAR in out
    counts = _shown_counts(out)
    assert counts and all(total == 30 for _, total in counts), counts  # never "0/?"


def test_the_import_bar_counts_the_rows_without_the_header(tmp_path: Path) -> None:
    letter = make_folder(tmp_path)
    rows = "".join(f"reader{n}@example.org,Reader {n}\r\n" for n in range(25))
    for name, data in (("crlf.csv", f"email,name\r\n{rows}".encode()),
                       ("no-last-newline.csv", f"email,name\r\n{rows}".rstrip().encode()),
                       ("utf16.csv", f"email,name\r\n{rows}".encode("utf-16"))):
        (letter.root / name).write_bytes(data)
        code, out = in_a_terminal(letter.root, "subscribers", "import", name, env=letter.env)
        assert code == 0, out
        assert "importing" in out and "rows/s" in out
        counts = _shown_counts(out)
        assert counts and {total for _, total in counts} == {25}, (name, counts)


def test_the_export_bar_counts_up_to_the_subscribers_exported(tmp_path: Path) -> None:
    letter = make_folder(tmp_path, subscribers=2500)
    code, out = in_a_terminal(letter.root, "subscribers", "export", "-o", "all.csv",
                              env=letter.env)
    assert code == 0 and "exported 2,500 subscribers to all.csv" in out
    assert "exporting" in out and BAR in out
    counts = _shown_counts(out)
    assert counts and {total for _, total in counts} == {2500}, counts
    assert (letter.root / "all.csv").read_text().count("\n") == 2501
    piped = letter.run("subscribers", "export", "-o", str(letter.root / "piped.csv"))
    assert piped.returncode == 0 and BAR not in piped.stderr
