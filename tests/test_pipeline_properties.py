"""Properties of read_article + split on any text: only our own errors, and no line lost."""

from __future__ import annotations

import contextlib
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsletter.content.ingest import read_article
from newsletter.content.split import split
from newsletter.errors import NewsletterError

PIECES = [
    "→ ", "- ", "• ", "* ", "1) ", "2. ", "Step 3) ", "Pro Tip: ", "Good to Know: ", "[1]",
    " [2] [3]", "[^4]", "Resources:", "References:", "Sources:", "https://example.org/a",
    "  1. https://example.org/r", "?", ":", ".", "# ", "## ", "### ", "> ", "**", "FAQ",
    "Skip to content", "Subscribe to our newsletter", "testimonial", "Buy now", "20% off",
    "Widget", "What is it?", "Title Case Heading", "—", "é", "\t", " ", "```", "---",
    "<p>", "</p>", "<h2>", "</h2>", "<li>", "<ul>", "[link](https://x.example)", "|",
    # front matter and scraper headers
    "+++", "---title: x", "title = \"T\"", "Title: A page", "URL Source: https://x.example",
    "Markdown Content:",
    # HTML, JSX and shortcodes inside Markdown
    "<div>", "</div>", "<details>", "<summary>", "</summary>", "<sup>1</sup>", "<a", "href=\"#x\"",
    ">", "<PostImage", "alt=\"pic\"", "/>", "<Card title=\"Pick\" />", "{{< youtube x >}}",
    "&nbsp;", "![alt](a.png)", "**Bold Line**", "[\\[1\\]](#_note-1)", "¹",
    # line separators other than \n, and mojibake
    "\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\r", "â€™", "Â ",
]
WORDS = st.sampled_from(["alpha", "beta", "Gamma", "delta", "the", "of", "It", "runs", "well"])
LINE = st.lists(st.one_of(st.sampled_from(PIECES), WORDS, st.text(max_size=6)),
                max_size=12).map(" ".join)
ARTICLE = st.lists(st.one_of(LINE, st.just("")), min_size=1, max_size=40).map("\n".join)
SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _read_and_split(text: str, suffix: str, **bounds: int):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"article{suffix}"
        path.write_text(text, encoding="utf-8")
        document = read_article(path)
    return document, split(document, products=["Widget"], **bounds)


def _lost_lines(text: str, document, content) -> list[tuple[int, str]]:
    kept = {n for s in content.snippets for n in s.lines}
    kept |= {d.line for d in content.dropped}
    kept |= {n for b in document.blocks if b.kind == "reference" for n in b.lines}
    # lines as an editor numbers them (str.splitlines also breaks at \x1c-\x1e, \u2028 ...)
    return [(n, line) for n, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1)
            if line.strip() and n not in kept]


@SETTINGS
@given(text=ARTICLE, suffix=st.sampled_from([".txt", ".md", ".html", ".dat"]),
       low=st.integers(1, 60), extra=st.integers(0, 200))
def test_only_newsletter_errors_escape(text: str, suffix: str, low: int, extra: int) -> None:
    with contextlib.suppress(NewsletterError):
        _read_and_split(text, suffix, min_words=low, max_words=low + extra)


@SETTINGS
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_any_bytes_give_content_or_a_newsletter_error(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"article{suffix}"
        path.write_bytes(data)
        with contextlib.suppress(NewsletterError):
            split(read_article(path))


@SETTINGS
@given(text=ARTICLE, suffix=st.sampled_from([".txt", ".md"]))
def test_no_non_blank_line_is_lost(text: str, suffix: str) -> None:
    try:
        document, content = _read_and_split(text, suffix)
    except NewsletterError:
        return
    assert _lost_lines(text, document, content) == []


@SETTINGS
@given(text=ARTICLE)
def test_sources_are_exactly_the_markers_and_ids_are_unique(text: str) -> None:
    try:
        _, content = _read_and_split(text, ".txt")
    except NewsletterError:
        return
    ids = [s.id for s in content.snippets]
    assert len(set(ids)) == len(ids)
    for snippet in content.snippets:
        assert set(snippet.sources) <= set(content.references)
        if content.references:
            assert all(f"[^{n}]" in snippet.body for n in snippet.sources)
