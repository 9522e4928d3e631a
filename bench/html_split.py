"""Split time and memory of saved HTML pages, in process.

    .venv/bin/python bench/html_split.py                  # a 10 MB page, then each page given
    .venv/bin/python bench/html_split.py --size-mb 10 PAGE.html ...
    .venv/bin/python bench/html_split.py --write big.html  # only write the big page (for the CLI)

The big page is made here: a site menu, a long article of headings, paragraphs with links
and citations, lists, tables and pictures, sidebars of related links, comments and a footer,
repeated until it reaches the size asked for. Each page given is read and split ``--runs``
times after a warm-up, and the median wall-clock and CPU times are printed (the CPU time is the
figure to compare on a machine shared with other work).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from newsletter.content.ingest import read_article
from newsletter.content.split import split

MENU = "".join(f"<li><a href='/section/{n}'>Section {n}</a></li>" for n in range(60))
SECTION = """
<h2>Step {n}: keep the soil moist, not wet</h2>
<p>Water early in the day so the leaves dry before night, and pour at the base of the stem.
A pot that drains well keeps the roots breathing; see <a href="/guide/{n}">the guide</a>.<sup>
<a href="#fn{n}">{n}</a></sup></p>
<figure><img src="/img/{n}.jpg" alt="A pot on a sill"><figcaption>Photo: A. Grower</figcaption>
</figure>
<p>You will need:</p><ul><li>A pot of <strong>twenty centimetres</strong></li>
<li>Compost with grit<ul><li>two parts compost</li><li>one part grit</li></ul></li></ul>
<table><tr><th>Month</th><th>Litres</th></tr><tr><td>May</td><td>0.5</td></tr></table>
<div class="related-posts"><h3>Related</h3><ul><li><a href="/x/{n}">Another post</a></li></ul>
</div>
"""
FOOTNOTE = "<li id='fn{n}'>Study {n}, <a href='https://example.org/{n}'>example.org</a></li>"


def big_page(size: int) -> str:
    """A saved page of about ``size`` characters."""
    head = ("<html><head><title>Watering guide | Site</title></head><body>"
            f"<nav><ul>{MENU}</ul></nav><article><h1>Watering guide</h1>")
    sections, notes, n = [], [], 0
    while len(head) + sum(map(len, sections)) + sum(map(len, notes)) < size:
        n += 1
        sections.append(SECTION.format(n=n))
        notes.append(FOOTNOTE.format(n=n))
    return (f"{head}{''.join(sections)}<h2>References</h2><ol class='footnotes'>{''.join(notes)}"
            "</ol></article><aside class='sidebar'><p>Popular</p></aside>"
            "<footer><p>© Site</p></footer></body></html>")


def timed(path: Path, runs: int) -> tuple[float, float, int]:
    """Median seconds of read + split over ``runs`` runs (after a warm-up), wall-clock and
    CPU (the process's own time: what a loaded machine does not inflate), and snippets."""
    content = split(read_article(path))
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        content = split(read_article(path))
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), len(content.snippets)


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", type=Path, help="saved pages to time")
    parser.add_argument("--size-mb", type=float, default=10.0, help="size of the big page")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per page")
    parser.add_argument("--write", type=Path, help="write the big page there and stop")
    args = parser.parse_args(argv)
    page = big_page(int(args.size_mb * 1_000_000))
    if args.write:
        args.write.write_text(page, "utf-8")
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.html"
        path.write_text(page, "utf-8")
        before = peak_mb()
        start = time.perf_counter()
        content = split(read_article(path))
        seconds = time.perf_counter() - start
    print(f"big page {len(page) / 1e6:.1f} MB: {seconds:.2f} s, {len(content.snippets)} snippets,"
          f" peak memory {peak_mb():.0f} MB (before {before:.0f} MB)")
    for each in args.pages:
        wall, cpu, snippets = timed(each, args.runs)
        print(f"{each.name}: {wall * 1000:.1f} ms median of {args.runs} ({cpu * 1000:.1f} ms CPU; "
              f"{each.stat().st_size / 1000:.0f} kB, {snippets} snippets)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
