"""The content file: written as readable YAML per the contract, read back with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.content.contentfile import (
    content_data,
    count_words,
    dump_content,
    load_content,
    write_content,
)
from newsletter.errors import InputError
from newsletter.models import Article, Content, Dropped, Snippet
from newsletter.yamlfiles import Dumper


def _content() -> Content:
    return Content(
        article=Article(title="Caring for Ferns — a Guide", slug="caring-for-ferns",
                        source="articles/ferns.txt"),
        references={"1": "https://example.org/a", "2": "Smith et al., 2020 (no link)"},
        snippets=(
            Snippet(id="watering-1a2b3c", kind="tip", section="Care > Watering",
                    title="Watering", body="Water weekly.[^1] Don’t drown them.\n\n"
                    "**Pro Tip:** use rain water.[^2]", sources=("1", "2"), words=10),
            Snippet(id="tools-4d5e6f", kind="list", section="Tools", title="Tools you need",
                    body="You need:\n\n- a pot\n- soil: peat free", sources=(), words=7),
            Snippet(id="one-line-777777", kind="fact", section="", title="Short",
                    body="Ferns are old.", words=3),
        ),
        dropped=(Dropped(line=1, text="Skip to content", reason="navigation"),
                 Dropped(line=40, text="fern: testimonial", reason="image label")),
    )


def test_dump_follows_the_contract_and_reads_back_equal() -> None:
    content = _content()
    text = dump_content(content)
    data = yaml.safe_load(text)
    assert list(data) == ["article", "references", "snippets", "dropped"]
    assert data["references"] == {"1": "https://example.org/a", "2": "Smith et al., 2020 (no link)"}
    assert list(data["snippets"][0]) == ["id", "kind", "section", "title", "body", "sources",
                                         "words"]
    assert data["snippets"][0]["sources"] == ["1", "2"]
    assert data["dropped"][0] == {"line": 1, "text": "Skip to content", "reason": "navigation"}
    assert load_content_from_text(text) == content


def load_content_from_text(text: str, tmp: Path | None = None) -> Content:
    import tempfile

    folder = Path(tempfile.mkdtemp()) if tmp is None else tmp
    path = folder / "c.yaml"
    path.write_text(text, encoding="utf-8")
    return load_content(path)


def test_bodies_are_literal_blocks_and_unicode_is_kept() -> None:
    text = dump_content(_content())
    assert "body: |" in text
    assert "- a pot\n" in text
    assert "Don’t" in text and "—" in text
    assert "\\u" not in text


def test_write_content_names_the_file_after_the_slug(tmp_path: Path) -> None:
    path = write_content(_content(), tmp_path / "content")
    assert path == tmp_path / "content" / "caring-for-ferns.yaml"
    assert load_content(path).snippets[1].body.endswith("- soil: peat free")
    assert [p.name for p in path.parent.iterdir()] == ["caring-for-ferns.yaml"]


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = dump_content(_content())
    assert old in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ("  kind: list\n", "", "snippets[1].kind", "missing"),
    ("words: 7", "words: many", "snippets[1].words", "whole number"),
    ("  kind: tip\n", "  kind: tip\n  colour: red\n", "snippets[0].colour", "unknown key"),
    ("- id: tools-4d5e6f", "- id: watering-1a2b3c", "snippets[1].id", "duplicate id"),
    ("sources: [\"1\", \"2\"]", "sources: [\"1\", \"9\"]", "snippets[0].sources", "'9'"),
    ("  slug: caring-for-ferns\n", "", "article.slug", "missing"),
    ("title: Tools you need", "title: [a, b]", "snippets[1].title", "expected text"),
])
def test_a_bad_field_names_path_line_and_field(tmp_path: Path, old: str, new: str, field: str,
                                               message: str) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(InputError) as info:
        load_content(path)
    error = info.value
    assert error.path == str(path) and error.field == field and message in error.message
    assert error.line is not None
    if message != "missing":  # a missing key is reported at its mapping's first line
        line_text = path.read_text("utf-8").splitlines()[error.line - 1]
        assert field.split(".")[-1].split("[")[0] in line_text


def test_bad_yaml_missing_and_binary_files_are_input_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("article: {title: x\nsnippets: [\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.yaml:\d+: not valid YAML"):
        load_content(bad)
    with pytest.raises(InputError, match="no such content file"):
        load_content(tmp_path / "absent.yaml")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(InputError, match="not UTF-8"):
        load_content(binary)
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        load_content(empty)


def test_missing_words_are_counted_without_markers(tmp_path: Path) -> None:
    text = dump_content(_content()).replace("  words: 10\n", "", 1)
    assert load_content_from_text(text, tmp_path).snippets[0].words == 10


def test_count_words_counts_what_a_reader_reads() -> None:
    # markers, bullets and link targets are not words; a step's number and "3-6" are read
    assert count_words("Water weekly.[^1] [^2]\n\n- a pot\n1. two words") == 7
    assert count_words("See [the guide](https://example.com/a-long-path) for 3-6 weeks") == 7
    assert count_words("don't stop") == 2


def test_count_words_is_fast_on_text_with_no_words() -> None:
    # (a backtracking pattern took minutes on these; the count must simply be right)
    assert count_words("\U0001F600" * 200_000) == 0
    assert count_words("-" * 100_000 + " end") == 1


def _whole_dump(content: Content) -> str:
    """The content file as one yaml.dump of all its data (what the writer must equal)."""
    return yaml.dump(content_data(content), Dumper=Dumper, sort_keys=False,
                     allow_unicode=True, width=100, default_flow_style=False)


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=150)


@settings(max_examples=300, deadline=None)
@given(title=TEXT, refs=st.dictionaries(TEXT, TEXT, max_size=3),
       snippets=st.lists(st.tuples(TEXT, TEXT, TEXT, st.lists(TEXT, max_size=2)), max_size=3),
       dropped=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(["", "x", "- y"])
                                  | TEXT, st.sampled_from(["navigation", ""]) | TEXT),
                        max_size=6))
def test_the_file_written_piece_by_piece_is_the_one_dump_of_its_data(
        title: str, refs: dict[str, str], snippets: list[tuple[str, str, str, list[str]]],
        dropped: list[tuple[int, str, str]]) -> None:
    content = Content(
        article=Article(title=title, slug="s", source=title[::-1]), references=refs,
        snippets=tuple(Snippet(id=f"i{n}", kind="tip", section=a, title=b, body=c,
                               sources=tuple(srcs), words=n)
                       for n, (a, b, c, srcs) in enumerate(snippets)),
        dropped=tuple(Dropped(line=n, text=t, reason=r) for n, t, r in dropped * 2))
    assert dump_content(content) == _whole_dump(content)


def test_a_big_page_content_file_is_the_one_dump_of_its_data(tmp_path: Path) -> None:
    from newsletter.content.ingest import read_article
    from newsletter.content.split import split

    page = tmp_path / "page.html"
    page.write_text("<html><body><article><h1>Big</h1>" + "".join(
        f"<h2>Step {n}</h2><p>Water early in the day, step {n}, so leaves dry.</p>"
        "<figure><img src='/a.jpg' alt='A pot'><figcaption>Photo: A. Grower</figcaption>"
        "</figure><div class='related-posts'><h3>Related</h3><ul><li><a href='/x'>Another"
        "</a></li></ul></div>" for n in range(300)) + "</article></body></html>", "utf-8")
    content = split(read_article(page))
    assert len(content.dropped) > len({(d.text, d.reason) for d in content.dropped}) > 0
    written = write_content(content, tmp_path / "content")
    assert written.read_text("utf-8") == _whole_dump(content) == dump_content(content)


# Text as articles give it (the characters libyaml and PyYAML emit alike, YAML's indicators
# among them), in runs long enough to fold at the file's width.
ARTICLE_TEXT = st.lists(st.sampled_from(
    ["word", "Word", "a", "x:", ": ", "- ", "#", " #", "'", '"', "\\", "[1]", "**b**", "{", "}",
     "|", ">", "%", "@", "`", "!", "&", "*", "?", ",", "~", "null", "yes", "1e3", "12",
     "2026-12-01", "https://x.example/a?b=c", "ünïcödé", "日本語", "\u00a0", "\u200b", " ",
     "  ", "\n", "\n\n", "\n ", "…", "—"]), max_size=90).map("".join)


@settings(max_examples=400, deadline=None)
@given(title=ARTICLE_TEXT, refs=st.dictionaries(st.integers(1, 999).map(str), ARTICLE_TEXT,
                                                max_size=3),
       snippets=st.lists(st.tuples(ARTICLE_TEXT, ARTICLE_TEXT, ARTICLE_TEXT,
                                   st.lists(st.integers(1, 300).map(str), max_size=14)),
                         max_size=3),
       dropped=st.lists(st.tuples(st.integers(0, 10**6), ARTICLE_TEXT, ARTICLE_TEXT),
                        max_size=6))
def test_the_fast_writer_gives_the_same_text_on_article_like_text(
        title: str, refs: dict[str, str], snippets: list[tuple[str, str, str, list[str]]],
        dropped: list[tuple[int, str, str]]) -> None:
    content = Content(
        article=Article(title=title, slug="s", source=title[::-1]), references=refs,
        snippets=tuple(Snippet(id=f"i{n}", kind="tip", section=a.replace("\n", " "),
                               title=b.replace("\n", " "), body=c, sources=tuple(srcs),
                               words=n)
                       for n, (a, b, c, srcs) in enumerate(snippets)),
        dropped=tuple(Dropped(line=n, text=t.replace("\n", " "), reason=r.replace("\n", " "))
                      for n, t, r in dropped))
    assert dump_content(content) == _whole_dump(content)
