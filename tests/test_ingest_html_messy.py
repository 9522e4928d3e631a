"""The HTML reader on saved pages with relative links, footnotes and tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.content.ingest import read_article, read_html_article
from newsletter.content.split import split

PAGE = Path(__file__).parent / "data" / "ingest" / "page-with-footnotes.html"

BODY = """<body><article><h1>Tending a Pond</h1>
<p>A pond needs shade on a third of its surface to stay clear.<sup><a href="#fn1">1</a></sup>
See <a href="/guides/shade">our shade guide</a> and <a href="../shop/pump">the pump</a>.</p>
<p>Top up with rain water, not tap water, which feeds algae.<sup><a href="#fn2">2</a></sup></p>
{notes}
</article></body>"""
SECTION_NOTES = """<section class="footnotes"><ol>
<li id="fn1"><p>Pond study, <a href="https://example.org/ponds">example.org</a>
<a href="#fnref1" class="footnote-back">↩</a></p></li>
<li id="fn2"><p><a href="https://example.org/algae">Algae and nitrates</a>
<a href="#fnref2">↩</a></p></li></ol></section>"""
ID_NOTES = """<ol><li id="footnote-1"><a href="https://example.org/ponds">Pond study</a>
<a href="#ref-1">↩</a></li><li id="footnote-2"><a href="https://example.org/algae">Algae</a>
<a href="#ref-2">↩</a></li></ol>"""


def page(head: str, notes: str = SECTION_NOTES) -> str:
    return f"<html><head>{head}</head>{BODY.format(notes=notes)}</html>"


@pytest.mark.parametrize("head", [
    '<link rel="canonical" href="https://ponds.example.com/blog/tending">',
    '<meta property="og:url" content="https://ponds.example.com/blog/tending">',
    '<base href="https://ponds.example.com/blog/tending">',
])
def test_relative_links_resolve_against_the_pages_own_address(head: str) -> None:
    text = " ".join(b.text for b in read_html_article(page(head)).blocks)
    assert "(https://ponds.example.com/guides/shade)" in text
    assert "(https://ponds.example.com/shop/pump)" in text


def test_without_an_address_links_stay_relative_and_split_warns(tmp_path: Path) -> None:
    path = tmp_path / "pond.html"
    path.write_text(page(""), "utf-8")
    warnings: list[str] = []
    document = read_article(path, warnings=warnings)
    assert "(/guides/shade)" in " ".join(b.text for b in document.blocks)
    assert len(warnings) == 1 and "relative link" in warnings[0] and "/guides/shade" in warnings[0]


@pytest.mark.parametrize("notes", [SECTION_NOTES, ID_NOTES], ids=["section", "li-ids"])
def test_footnotes_become_references_and_markers_become_sources(notes: str) -> None:
    document = read_html_article(page("", notes))
    # each entry as a reader sees it, then the address it links to
    assert {n: ref.split()[-1] for n, ref in document.references.items()} == {
        "1": "https://example.org/ponds", "2": "https://example.org/algae"}
    assert document.references["1"].startswith("Pond study")
    assert document.references["2"].startswith("Algae")
    content = split(document, min_words=5)
    assert [s.sources for s in content.snippets] == [("1", "2")]
    assert not [d for d in content.dropped if "link-only" in d.reason]
    assert "↩" not in content.snippets[0].body


def test_the_qa_page_footnote_list_and_relative_shop_links() -> None:
    content = split(read_article(PAGE))
    assert content.references == {
        "1": "Household waste study, 2021 https://example.org/household-waste-study"}
    assert content.snippets[0].sources == ("1",)
    bodies = "\n".join(s.body for s in content.snippets)
    assert "](/shop" not in bodies
    assert "(https://greenbalcony.example.com/shop/balcony-worm-bin)" in bodies


def test_a_table_is_kept_as_a_markdown_pipe_table() -> None:
    document = read_article(PAGE)
    table = next(b for b in document.blocks if b.rule == "html_table")
    assert table.text.split("\n") == [
        "| Add | Avoid |", "| --- | --- |",
        "| Coffee grounds | Oils |", "| Eggshells | Glossy paper |"]
