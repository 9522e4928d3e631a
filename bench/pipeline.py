"""Benchmark: split + plan + build of one article, and premailer's share of it.

Not a test. Run from the repository:

    .venv/bin/python bench/pipeline.py [ARTICLE] [--products "The QL Claw"] [--runs 5]

It reports (1) the wall time of the three commands as a user runs them, each a fresh
process (interpreter start included), and (2) the same pipeline in one process with the
time spent inside premailer, measured by wrapping its entry point.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from newsletter.content.banks import BANK_FILES

HERE = Path(__file__).resolve().parent
DEFAULT_ARTICLE = HERE.parent.parent / "shared" / "seeds" / "ql-dry-needling.txt"


def command_times(article: Path, products: list[str]) -> dict[str, float]:
    """Wall seconds of `newsletter split`, `plan` and `build`, each a new process."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        run(["init", str(root)], root)
        config = root / "newsletter.yaml"
        config.write_text(config.read_text() + f"\nproducts: {products!r}\n"
                          "postal_address: '1 Bench Street'\n")
        times = {"split": run(["split", str(article)], root)}
        content = next(p for p in (root / "content").glob("*.yaml") if p.name not in BANK_FILES)
        times["plan"] = run(["plan", str(content), "--every", "3d", "--start", "2030-01-01"],
                            root)
        times["build"] = run(["build"], root)
    return times


def run(args: list[str], cwd: Path) -> float:
    """Seconds one `newsletter` command took, as a fresh interpreter."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "newsletter", *args], cwd=cwd, check=True,
                   capture_output=True)
    return time.perf_counter() - started


def in_process(article: Path, products: list[str]) -> tuple[float, float, int]:
    """(total seconds, premailer seconds, issues) of the pipeline run in this process."""
    import premailer

    from newsletter.config import load_config
    from newsletter.content.ingest import read_article
    from newsletter.content.split import split
    from newsletter.planning.plan import plan
    from newsletter.planning.schedule import Schedule
    from newsletter.rendering.preview import build_issue

    spent = [0.0]
    original = premailer.Premailer.transform

    def timed(self: premailer.Premailer, *args: object, **kwargs: object) -> str:
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    premailer.Premailer.transform = timed  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "newsletter.yaml").write_text("postal_address: '1 Bench Street'\n")
        config = load_config(Path(tmp) / "newsletter.yaml", env={})
        started = time.perf_counter()
        content = split(read_article(article), products=products)
        issues = plan(content, Schedule(tz="UTC", start=datetime(2030, 1, 1, tzinfo=UTC).date()))
        for issue in issues:
            build_issue(issue, config)
        total = time.perf_counter() - started
    premailer.Premailer.transform = original  # type: ignore[method-assign]
    return total, spent[0], len(issues)


def main() -> None:
    """Parse options, run both measurements, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", type=Path, default=DEFAULT_ARTICLE)
    parser.add_argument("--products", action="append", default=None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    products = args.products if args.products is not None else ["The QL Claw"]
    runs = [command_times(args.article, products) for _ in range(args.runs)]
    medians = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"article: {args.article} ({args.runs} runs, medians)")
    for name, seconds in medians.items():
        print(f"  newsletter {name:<6} {seconds * 1000:7.0f} ms  (fresh process)")
    print(f"  split + plan + build  {sum(medians.values()) * 1000:7.0f} ms  "
          "(three commands, interpreter start included)")
    total, premailer_s, issues = min((in_process(args.article, products)
                                      for _ in range(args.runs)), key=lambda t: t[0])
    print(f"  in one process: {total * 1000:.0f} ms for {issues} issues; premailer "
          f"{premailer_s * 1000:.0f} ms ({premailer_s / total:.0%})")


if __name__ == "__main__":
    main()
