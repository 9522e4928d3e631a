"""`newsletter split` on the inputs that once took minutes or gigabytes: time and memory.

    .venv/bin/python bench/split_inputs.py            # the four inputs, each a fresh process
    .venv/bin/python bench/split_inputs.py --runs 3   # the median of three runs each

The inputs, written to a temporary newsletter folder (``newsletter init``):

- ``emoji.txt``: an article whose paragraph is one run of 1 MB of emoji (250,000 characters
  of four UTF-8 bytes), between a few words;
- ``dashes.txt``: an article whose paragraph holds a run of 100,000 dashes;
- ``table.md``: a Markdown article whose body is one pipe table of 2 MB (31,771 rows of three
  cells);
- ``page.html``: the 10 MB saved page of ``bench/html_split.py`` (menu, article, tables,
  sidebars, comments, footer).

Each is split by ``newsletter split FILE`` in its own process (interpreter start included),
as a marketer runs it, and the page's content file (15 MB) is then planned by ``newsletter
plan`` (into issue files, from tomorrow); the wall time, the CPU time (user + system: what
the process itself spent, the fairer figure on a shared machine) and the process's peak
resident memory (``wait4``'s ``ru_maxrss`` of that child) are printed. Targets: under 10 s
and under 200 MB each.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from html_split import big_page

NEWSLETTER = Path(sys.executable).with_name("newsletter")
WORDS = ("Water early in the day, so the leaves dry before night, and pour at the base of "
         "the stem where the roots can drink.")


def inputs() -> dict[str, str]:
    """The name and text of each input."""
    emoji = "".join(chr(0x1F600 + n % 80) for n in range(250_000))
    return {
        "emoji.txt": f"A run of emoji\n\n{WORDS} {emoji} {WORDS}\n",
        "dashes.txt": f"A run of dashes\n\n{WORDS} {'-' * 100_000} {WORDS}\n",
        "table.md": big_table(2_000_000),
        "page.html": big_page(10_000_000),
    }


def big_table(size: int) -> str:
    """A Markdown article that is one pipe table of about ``size`` characters."""
    rows = ["| Month | Litres | Notes |", "|---|---|---|"]
    length, n = sum(map(len, rows)), 0
    while length < size:
        n += 1
        rows.append(f"| Month {n} | {n * 0.5} | water at the base of the stem, early |")
        length += len(rows[-1])
    return "# A big table\n\nSome words before the table to read.\n\n" + "\n".join(rows) + "\n"


def run_split(folder: Path, article: Path) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak MB and exit code of one ``newsletter split``."""
    return run(folder, "split", article)


def run(folder: Path, command: str, path: Path) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak MB and exit code of one ``newsletter COMMAND PATH``."""
    started = time.perf_counter()
    child = subprocess.Popen([str(NEWSLETTER), command, str(path)], cwd=folder,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        print(f"  {path.name}: {child.stderr.read().decode().strip()}", file=sys.stderr)
    child.stderr.close()
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode


def report(name: str, size: int, runs: list[tuple[float, float, float, int]]) -> bool:
    """Print one row (medians, the highest peak); True when a target is missed."""
    seconds = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    peak = max(r[2] for r in runs)
    codes = sorted({r[3] for r in runs})
    print(f"{name:<11} {size / 1e6:>6.1f}MB {seconds:>8.2f} {cpu:>8.2f} {peak:>8.0f}  "
          f"{','.join(map(str, codes))}")
    return seconds >= 10 or peak >= 200 or codes != [0]


def main(argv: list[str]) -> int:
    """Write the inputs, split each ``--runs`` times, print a table; 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per input (median shown)")
    args = parser.parse_args(argv)
    missed = False
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "letter"
        subprocess.run([str(NEWSLETTER), "init", str(folder)], check=True,
                       stdout=subprocess.DEVNULL)
        print(f"{'input':<11} {'size':>8} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}  exit")
        for name, text in inputs().items():
            article = Path(tmp) / name
            article.write_text(text, "utf-8")
            before = set((folder / "content").glob("*.yaml"))
            missed |= report(name, article.stat().st_size,
                             [run_split(folder, article) for _ in range(args.runs)])
        written = sorted(set((folder / "content").glob("*.yaml")) - before)
        for content in written:  # the page's: planned from scratch each run
            runs = []
            for _ in range(args.runs):
                shutil.rmtree(folder / "issues")
                runs.append(run(folder, "plan", content))
            missed |= report("plan(page)", content.stat().st_size, runs)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
