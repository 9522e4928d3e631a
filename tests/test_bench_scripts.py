"""The send benchmarks still run, whatever today's date (issue 11, case 10: bench/send.py
planned from a fixed date and failed once that date came).

Tiny runs: what is checked is that they finish with every recipient sent once, never how
fast (benchmarks measure speed; see bench/README.md).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pg import server_url

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[1] / "bench"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.mark.parametrize("now", ["", "2031-06-01T12:00:00+00:00"], ids=["today", "2031"])
def test_the_sqlite_send_benchmark_runs_on_any_date(now: str) -> None:
    result = run(str(BENCH / "send.py"), "--subscribers", "300", "--naive", "3",
                 "--batch-size", "100", *(["--now", now] if now else []))
    assert result.returncode == 0, result.stderr
    assert "batched: 300 recipients" in result.stdout and "0 duplicates" in result.stdout


def test_the_multi_process_benchmark_sends_everyone_once_and_holds_the_limit() -> None:
    url = server_url()
    if url is None:
        pytest.skip("no PostgreSQL server answers on 127.0.0.1:5432 (database test)")
    result = run(str(BENCH / "send_processes.py"), "--subscribers", "2000", "--processes",
                 "1,2", "--latency", "0", "--batch-size", "200", "--limit", "4000",
                 "--limit-subscribers", "2000", "--postgres", url,
                 "--now", "2031-06-01T12:00:00+00:00")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert sum("2,000 recipients" in line and "0 duplicates" in line for line in lines) == 3
    assert "(held)" in result.stdout
