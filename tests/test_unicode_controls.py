"""Every Unicode line break and control character, in every reader and split: an article
holding any of them reads and splits (or fails with our own one-line error), and no line
a person can see is lost.

The characters are all of Unicode's categories Cc (C0 and C1 controls, DEL), Zl and Zp:
among them every mandatory line break (LF, CR, VT, FF, NEL, LINE and PARAGRAPH SEPARATOR)
and the separators str.splitlines also breaks at (FS, GS, RS).
"""

from __future__ import annotations

import re
import sys
import tempfile
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsletter.cli import main
from newsletter.content.contentfile import load_content
from newsletter.content.ingest import FORMAT_MARKS, INVISIBLE_REASON, read_article
from newsletter.content.split import split
from newsletter.errors import NewsletterError
from newsletter.models import Dropped

CONTROLS = [chr(c) for c in range(sys.maxunicode + 1)
            if unicodedata.category(chr(c)) in ("Cc", "Zl", "Zp")]
ARTICLE = """Caring for a balcony garden

Water early in the day, so the leaves dry before night. {c}A pot that drains well keeps
the roots breathing.{c}

## Feeding{c}

- Feed every two weeks in summer{c}
- {c}Never feed a dry plant

{c}

Pro Tip: a saucer of gravel keeps the pot out of standing water.{c}
"""
HTML = ("<html><head><title>Balcony{c} garden</title></head><body><article><h1>Balcony "
        "garden{c}</h1><p>Water early{c} in the day, so the leaves dry.</p><ul><li>Feed{c} "
        "every two weeks</li></ul><p>{c}</p></article></body></html>")


def _read_and_split(text: str, suffix: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"article{suffix}"
        path.write_text(text, encoding="utf-8", newline="")
        document = read_article(path)
    return document, split(document)


def _lost(text: str, document, content) -> list[tuple[int, str]]:
    """Non-blank lines (numbered as an editor numbers them; a line of control characters
    alone is not blank) in no snippet, reference or dropped entry."""
    kept = {n for s in content.snippets for n in s.lines} | {d.line for d in content.dropped}
    kept |= {n for b in document.blocks if b.kind == "reference" for n in b.lines}
    return [(n, line) for n, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1)
            if line.strip() and n not in kept]


def test_the_list_is_every_control_and_line_break() -> None:
    assert len(CONTROLS) == 67  # 65 controls, U+2028 and U+2029
    assert {"\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028",
            "\u2029", "\x00", "\x7f", "\x9f"} <= set(CONTROLS)


@pytest.mark.parametrize("char", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_each_character_anywhere_in_a_text_or_markdown_article(char: str, suffix: str) -> None:
    text = ARTICLE.format(c=char)
    try:
        document, content = _read_and_split(text, suffix)
    except NewsletterError as error:
        assert "\n" not in str(error)
        return
    assert content.snippets
    assert _lost(text, document, content) == []
    assert all(char not in s.title for s in content.snippets if char not in " \t")


@pytest.mark.parametrize("char", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_each_character_in_a_saved_page(char: str) -> None:
    try:
        _, content = _read_and_split(HTML.format(c=char), ".html")
    except NewsletterError as error:
        assert "\n" not in str(error)
        return
    assert "Water early" in " ".join(s.body for s in content.snippets)


WORDS = st.sampled_from(["Water", "early", "in", "the", "day.", "- ", "1. ", "## ", "Tip:",
                         "[1]", "Sources:", "https://example.org/a", "?", "**bold**", ""])
LINE = st.lists(st.one_of(WORDS, st.sampled_from(CONTROLS)), max_size=12).map(" ".join)
TEXT = st.lists(st.one_of(LINE, st.sampled_from(CONTROLS)), min_size=1,
                max_size=30).map("\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_any_mix_of_them_reads_and_splits_and_keeps_every_visible_line(text: str,
                                                                       suffix: str) -> None:
    try:
        document, content = _read_and_split(text, suffix)
    except NewsletterError as error:
        assert "\n" not in str(error)
        return
    if suffix != ".html":
        assert _lost(text, document, content) == []


def test_the_format_marks_named_are_every_format_character() -> None:
    marks = {c for a, b in FORMAT_MARKS for c in range(a, b + 1)}
    assert {c for c in range(sys.maxunicode + 1)
            if unicodedata.category(chr(c)) == "Cf"} <= marks


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_a_line_of_control_characters_alone_is_listed_as_dropped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    article = tmp_path / f"article{suffix}"
    article.write_text(ARTICLE.format(c="") + "\n\x07\x1b\u200b\n\nThe end of the tips.\n",
                       "utf-8", newline="")
    (tmp_path / "newsletter.yaml").write_text("name: Balcony tips\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["split", str(article), "--explain", "-o", "out",
                                       "--min-words", "5"])
    assert result.exit_code == 0, result.output
    line = ARTICLE.count("\n") + 2
    assert f"line {line}: 'U+0007 U+001B U+200B'  ({INVISIBLE_REASON})" in result.output
    content = load_content(next((tmp_path / "out").glob("*.yaml")))
    assert Dropped(line, "U+0007 U+001B U+200B", INVISIBLE_REASON) in content.dropped
