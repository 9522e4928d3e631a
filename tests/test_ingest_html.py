"""The HTML reader on the shared saved page and on a page with other shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.content.ingest import read_article, read_html_article
from newsletter.errors import ArticleError
from newsletter.models import Document

DATA = Path(__file__).parent / "data" / "ingest"


def all_text(document: Document) -> str:
    parts = []
    for block in document.blocks:
        parts += [block.text, block.lead, *block.items]
    return "\n".join(parts)


def test_sample_page_keeps_the_article_and_leaves_the_furniture(html_article: Path) -> None:
    document = read_article(html_article)
    assert document.title.startswith("Content Depth")
    assert document.blocks[0].kind == "heading" and document.blocks[0].level == 1
    headings = [b.text for b in document.blocks if b.kind == "heading" and b.level == 2]
    assert len(headings) == 4 and all("\n" not in h and h == h.strip() for h in headings)
    text = all_text(document)
    for furniture in (
        "Free SEO Tools",
        "RECEIVE TOPICAL SEO TIPS",
        "Let's go",
        "Privacy Policy",
        "Blog Post URL",
        "Optimize one of your blog posts",
        "Marketing Manager",
        "window.",
        "{",
        "All rights reserved",
    ):
        assert furniture not in text, furniture
    dropped = " ".join(d.text for d in document.dropped)
    assert "Free SEO Tools" in dropped and "Optimize one of your blog posts" in dropped
    lists = [b for b in document.blocks if b.kind == "list"]
    assert len(lists) == 1 and lists[0].lead.endswith(":") and len(lists[0].items) == 2
    assert "**" in text and "](https://" in text and "`" in text
    paragraphs = [b for b in document.blocks if b.kind == "paragraph"]
    assert len(paragraphs) >= 15
    assert all(b.lines and b.lines[0] > 100 for b in document.blocks[1:])


def test_page_with_references_faq_list_and_widgets() -> None:
    document = read_article(DATA / "hiking-guide.html")
    assert document.title == "Packing for a Day Hike"
    essentials = next(b for b in document.blocks if b.kind == "list")
    assert essentials.ordered and essentials.lead.endswith("carry these:")
    assert "[compass](https://example.org/compass)" in essentials.items[0]
    assert "`SPF 50`" in essentials.items[2]
    callout = next(b for b in document.blocks if b.kind == "callout")
    assert callout.label == "Pro Tip"
    assert [b.text for b in document.blocks if b.kind == "question"] == [
        "Do I need hiking boots?",
        "Should I hike alone?",
    ]
    assert document.references["1"] == "https://example.org/ten-essentials"
    assert document.references["2"].startswith("Hydration guidelines")
    first = next(b for b in document.blocks if b.kind == "paragraph")
    assert first.text.endswith("[1]") and "**light**" in first.text
    text = all_text(document)
    for furniture in (
        "By Sam Rivers",
        "Subscribe",
        "Share on Facebook",
        "Great post",
        "Gear Reviews",
        "cookies",
        "Our test pack",
        "Ten best trails",
    ):
        assert furniture not in text, furniture
    reasons = " ".join(d.reason for d in document.dropped)
    assert "comments" in reasons and "share" in reasons and "image" in reasons


def test_page_without_article_element_uses_the_densest_container() -> None:
    page = (
        "<html><head><title>Notes | Site</title></head><body>"
        "<div class='menu'><p>Home</p></div>"
        "<div><p>First paragraph of the piece.</p><p>Second paragraph here.</p>"
        "<details><summary>Is it free?</summary><p>Yes.</p></details></div></body></html>"
    )
    document = read_html_article(page, "page.html")
    assert document.title == "Notes"
    assert [b.kind for b in document.blocks] == [
        "heading",
        "paragraph",
        "paragraph",
        "question",
        "paragraph",
    ]


def test_empty_html_is_an_article_error() -> None:
    with pytest.raises(ArticleError):
        read_html_article("<!-- nothing -->", "empty.html")


def test_a_long_code_listing_and_an_embedded_tweet_are_dropped_with_their_reasons() -> None:
    listing = "\n".join(f"line_{n} = {n}" for n in range(20))
    page = ("<html><head><title>Coverage</title></head><body><article><h1>Coverage</h1>"
            "<p>The idea behind code coverage is to record which parts of your code ran "
            "while the tests did, so you know what no test has touched yet.</p>"
            f"<pre>{listing}</pre><pre>npm install blanket</pre>"
            "<blockquote class='twitter-tweet'><p>Drinking game for web devs</p></blockquote>"
            "<p>Running the tests now gives a report that highlights the lines no test "
            "reached, so you can write the test that is missing.</p></article></body></html>")
    document = read_html_article(page, "coverage.html")
    why = {d.text[:10]: d.reason for d in document.dropped}
    assert why["line_0 = 0"].startswith("long_listing")
    assert why["Drinking g"].startswith("social_embed")
    assert any("npm install blanket" in b.text for b in document.blocks)
