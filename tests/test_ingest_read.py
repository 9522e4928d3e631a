"""read_article: dispatch, sniffing, encodings, bad files, and properties on any input."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsletter.content.ingest import (
    read_article,
    read_html_article,
    read_markdown_article,
    read_text_article,
)
from newsletter.content.ingest.lines import clean_line
from newsletter.errors import ArticleError, NewsletterError

DATA = Path(__file__).parent / "data" / "ingest"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \n\t\n", "empty"),
        (b"PK\x03\x04\x00\x00binary", "binary"),
        (b"caf\x81\x8d au lait\n", "UTF-8"),  # neither UTF-8 nor Windows-1252
    ],
)
def test_unreadable_files_are_article_errors_naming_the_file(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    with pytest.raises(ArticleError) as raised:
        read_article(path)
    assert str(path) in str(raised.value) and message in str(raised.value)


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_a_windows_1252_article_is_read_with_a_warning(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"cafe{suffix}"
    text = "Caf\xe9 Culture\n\n\u201cQuotes\u201d and an em dash \u2014 survive the trip.\n"
    path.write_bytes(text.encode("cp1252"))
    warnings: list[str] = []
    document = read_article(path, warnings=warnings)
    shown = " ".join([document.title, *(b.text for b in document.blocks)])
    assert "Caf\xe9 Culture" in shown and "\u201cQuotes\u201d" in shown and "\u2014" in shown
    assert len(warnings) == 1 and str(path) in warnings[0] and "Windows-1252" in warnings[0]
    utf8 = tmp_path / f"plain{suffix}"
    utf8.write_text(text, "utf-8")
    read_article(utf8, warnings=warnings)
    assert len(warnings) == 1  # UTF-8 is read without a warning


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="no such file"):
        read_article(tmp_path / "nope.md")
    with pytest.raises(ArticleError, match="directory"):
        read_article(tmp_path)


def test_bom_and_utf16_are_read(tmp_path: Path) -> None:
    text = "Title Line\n\nBody text.\n"
    (tmp_path / "a.txt").write_bytes(text.encode("utf-8-sig"))
    (tmp_path / "b.txt").write_bytes(text.encode("utf-16"))
    for name in ("a.txt", "b.txt"):
        document = read_article(tmp_path / name)
        assert document.title == "Title Line"
        assert document.source == str(tmp_path / name)


def test_html_declared_charset_is_honoured(tmp_path: Path) -> None:
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>Caf\xe9 time.</p></body></html>'
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("latin-1"))
    assert "Café time." in [b.text for b in read_article(path).blocks]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("sourdough-howto.txt", "text"),
        ("focus-guide.md", "markdown"),
        ("hiking-guide.html", "html"),
    ],
)
def test_unknown_suffix_is_sniffed(tmp_path: Path, name: str, kind: str) -> None:
    unknown = tmp_path / "article.data"
    shutil.copy(DATA / name, unknown)
    sniffed = read_article(unknown)
    expected = read_article(DATA / name)
    assert sniffed.title == expected.title
    assert [b.kind for b in sniffed.blocks] == [b.kind for b in expected.blocks]


# --- properties -------------------------------------------------------------------------

PIECES = st.sampled_from(
    [
        "",
        " ",
        "\xa0",
        "\t",
        "→ item one",
        "→",
        "- dash item",
        "• dot",
        "* star",
        "1) first",
        "2. second",
        "Step 3) do it",
        "Step 1: Prep",
        "[1]",
        "[3] [4]",
        "text [2].",
        "Resources:",
        "References",
        "1. https://x.example/a",
        "  2. https://x.example/b",
        "[5] Book, 2020",
        "Good to Know: a tip.",
        "Pro Tip:",
        "Note: fine",
        "FAQs",
        "Frequently Asked Questions",
        "Why is it so?",
        "Short Title Case Line",
        "A sentence that ends properly.",
        "Lead in:",
        "Label: some text",
        "Skip to content",
        "Subscribe to our newsletter",
        "Photo: x",
        "X testimonial",
        "Read more →",
        "---",
        "# Heading",
        "## 1. Numbered",
        "> quote",
        "> Pro Tip: quoted",
        "```",
        "![alt](img.png)",
        "<!-- c -->",
        "[^1]: foot",
        "[1]: http://u",
        "<div>",
        "</p>",
        "|a|b|",
        "\u200b",
        "ÿþ",
        "😀 émoji ünïcode",
        "\r",
        "title: x",
        "+++",
        "---title: x",
        "Title: A page",
        "URL Source: https://x.example",
        "Markdown Content:",
        "<details><summary>Is it safe?</summary>",
        "<a",
        '  href="https://x.example"',
        "  >",
        "<PostImage",
        '  alt="a picture"',
        "/>",
        '<Card title="Pick" description="Good" />',
        "{{< youtube x >}}",
        "&nbsp;",
        "**Bold Line**",
        "Text<sup>1</sup> and <br> more",
        "- [One](#one)",
        "\u2028",
        "\x85",
        "\x0c",
        "Itâ€™s",
    ]
)
LINES = st.lists(st.one_of(PIECES, st.text(max_size=40)), max_size=40)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _placed(document) -> list[int]:
    """Each line's block or dropped record; a markup note beside a kept line is neither."""
    kept = [n for b in document.blocks for n in b.lines]
    notes = {d.line for d in document.dropped if d.reason.startswith("markup:")}
    assert notes <= set(kept)
    return kept + [d.line for d in document.dropped if not d.reason.startswith("markup:")]


@FAST
@given(LINES)
def test_text_reader_places_every_non_blank_line_once(lines: list[str]) -> None:
    text = "\n".join(lines)
    try:
        document = read_text_article(text, "any.txt")
    except NewsletterError:
        return
    physical = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    non_blank = [n for n, raw in enumerate(physical, 1) if clean_line(raw)]
    assert sorted(_placed(document)) == non_blank
    assert document.title


@FAST
@given(LINES)
def test_markdown_reader_places_every_non_blank_line_once(lines: list[str]) -> None:
    text = "\n".join(lines)
    try:
        document = read_markdown_article(text, "any.md")
    except NewsletterError:
        return
    physical = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    non_blank = [n for n, raw in enumerate(physical, 1) if raw.strip()]
    assert sorted(_placed(document)) == non_blank


@FAST
@given(st.one_of(LINES.map("\n".join), st.text()))
def test_html_reader_raises_only_project_errors(text: str) -> None:
    for wrapped in (text, f"<html><body><article>{text}</article></body></html>"):
        with contextlib.suppress(NewsletterError):
            read_html_article(wrapped, "any.html")
