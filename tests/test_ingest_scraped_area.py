"""A whole page scraped to Markdown: the article is where its prose is, and what stands after
it (other stories with their blurbs, comment widgets, the footer's blurb) is dropped with a
reason, while an introduction above the body and the reference list stay."""

from __future__ import annotations

from test_ingest_markdown_shapes import assert_every_line_once, reasons

from newsletter.content.ingest import read_markdown_article
from newsletter.content.split import split

_BODY = ("The council met for six hours on Tuesday and agreed, after a long debate, to keep "
         "the library open on Sundays for another year. {n}")


def _page() -> str:
    body = "\n\n".join(_BODY.format(n=f"Point {n} was settled too.") for n in range(6))
    teasers = "\n\n".join(
        f"[Another story about the town, number {n}](https://news.example/story-{n})\n\n"
        f"A short blurb for that story, which says what it is about in a line or two. "
        for n in range(3))
    return ("[Menu](/menu) [Search](/search)\n\n# Library stays open on Sundays\n\n"
            "The town's library will keep its Sunday hours, the council decided this week after "
            "a long and sometimes heated meeting.\n\n"
            "[**Read also: how the budget was made**](https://news.example/budget)\n\n"
            f"{body}\n\n## Sources\n\n1. https://council.example/minutes\n\n"
            "## You might also like\n\n* [Parks](https://news.example/parks)\n"
            "* [Roads and the new bridge](https://news.example/roads)\n\n"
            f"{teasers}\n\n## About us\n\n"
            "The Town Paper is where the town reads its news. It is the essential source of "
            "information for everyone who lives here and visits.\n\n"
            "© 2025 The Town Paper. All rights reserved.\n")


def test_what_stands_after_the_articles_prose_is_dropped_and_its_sources_stay() -> None:
    text = _page()
    document = read_markdown_article(text, scraped=True)
    kept = "\n".join(b.text or "\n".join(b.items) for b in document.blocks)
    assert kept.count("The council met") == 6
    assert "heated meeting" in kept  # the introduction above a "read also" link
    assert document.references == {"1": "https://council.example/minutes"}
    why = reasons(document)
    lines = text.splitlines()
    for needle, reason in (("essential source", "page_chrome"), ("About us", "page_chrome"),
                           ("[Parks]", "page_chrome"), ("number 1]", "related_posts")):
        number = next(n for n, line in enumerate(lines, 1) if needle in line)
        assert why[number] == reason, needle
    assert_every_line_once(text, document)


def test_a_markdown_post_that_is_no_scrape_keeps_its_closing_paragraph() -> None:
    document = read_markdown_article(_page())
    assert any("essential source" in b.text for b in document.blocks)


def test_a_link_that_runs_the_pages_script_is_dropped() -> None:
    text = ("# Title\n\n[A](javascript:setSize\\('small'\\); \"Small font\")\n\n"
            + _BODY.format(n="") + "\n")
    document = read_markdown_article(text, scraped=True)
    assert reasons(document)[3] == "script_link"
    assert_every_line_once(text, document)


def test_a_picture_inlined_as_svg_data_is_dropped_as_a_picture_not_left_as_markup() -> None:
    svg = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="
    text = (f"# Title\n\n[![A gift card]({svg} \"A caption\")](https://shop.example/card)\n\n"
            + _BODY.format(n="") + "\n")
    document = read_markdown_article(text)
    assert reasons(document)[3] == "image"
    assert all("data:" not in b.text and "![" not in b.text for b in document.blocks)
    assert_every_line_once(text, document)


def test_a_setext_heading_of_only_a_picture_over_a_line_of_text_keeps_every_line() -> None:
    text = ("# Title\n\n![A photo](https://img.example/a.png)\n---\n\nThe words below it\n\n"
            + _BODY.format(n="") + "\n")
    document = read_markdown_article(text)
    assert_every_line_once(text, document)


def test_a_pictures_credit_set_as_a_heading_is_dropped_as_a_caption() -> None:
    text = ("# Title\n\n![A photo](https://img.example/a.png)Credit: A Studio, The Site\n---\n\n"
            + _BODY.format(n="") + "\n\n## Screenshot by Jane Doe/The Site\n\n"
            + _BODY.format(n="Again.") + "\n")
    document = read_markdown_article(text)
    assert reasons(document)[3] == reasons(document)[8] == "image_caption"
    assert [b.text for b in document.blocks if b.kind == "heading"] == ["Title"]
    assert_every_line_once(text, document)


def test_a_line_that_only_numbers_a_step_opens_that_step() -> None:
    steps = "".join(f"Step {n}\n\nPour the water in slowly and let it soak for a while. "
                    f"Then wait {n} minutes.\n\n" for n in range(1, 4))
    text = "---\ntitle: How to Water a Fern | Garden Site\n---\n\n" + steps
    document = read_markdown_article(text)
    assert document.title == "How to Water a Fern"
    assert [b.text for b in document.blocks if b.kind == "heading"][1:] == [
        "Step 1", "Step 2", "Step 3"]
    assert {s.kind for s in split(document).snippets} == {"steps"}
