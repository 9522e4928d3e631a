"""The Markdown reader on the shared sample and on a guide with other shapes."""

from __future__ import annotations

from pathlib import Path

from newsletter.content.ingest import read_article, read_markdown_article
from newsletter.models import Document

DATA = Path(__file__).parent / "data" / "ingest"


def assert_every_line_once(text: str, document: Document) -> None:
    non_blank = {n for n, raw in enumerate(text.split("\n"), 1) if raw.strip()}
    placed = [n for block in document.blocks for n in block.lines]
    placed += [d.line for d in document.dropped]
    assert sorted(placed) == sorted(non_blank)


def test_sample_title_from_front_matter_headings_and_lists(markdown_article: Path) -> None:
    text = markdown_article.read_text(encoding="utf-8")
    document = read_article(markdown_article)
    assert_every_line_once(text, document)
    title_line = next(n for n, raw in enumerate(text.split("\n"), 1) if raw.startswith("title:"))
    assert document.blocks[0].kind == "heading" and document.blocks[0].level == 1
    assert document.blocks[0].lines == (), "the title line stays in `dropped`, not a snippet's"
    title_drop = next(d for d in document.dropped if d.line == title_line)
    assert title_drop.reason.endswith("(the article's title)")
    assert document.title == document.blocks[0].text
    headings = [b for b in document.blocks if b.kind == "heading" and b.level == 2]
    numbered = [h for h in headings if h.text[:1].isdigit()]
    assert len(numbered) >= 5, "'## 1. Side Steps' stays a heading"
    lists = [b for b in document.blocks if b.kind == "list"]
    assert len(lists) == len(numbered)
    assert all(len(b.items) >= 4 and not b.ordered for b in lists)
    assert all(not item.startswith(("*", "-")) for b in lists for item in b.items)
    # inline links survive as Markdown links
    assert any("](https://" in b.text for b in document.blocks if b.kind == "paragraph")
    assert {d.reason.split(":")[0] for d in document.dropped} == {"front_matter"}


def test_guide_callouts_quotes_code_faq_and_reference_definitions() -> None:
    path = DATA / "focus-guide.md"
    document = read_article(path)
    assert_every_line_once(path.read_text(encoding="utf-8"), document)
    assert document.title == "Ten Minutes to Better Focus"
    kinds = [b.kind for b in document.blocks]
    assert kinds.count("question") == 2
    callout = next(b for b in document.blocks if b.kind == "callout")
    assert callout.label == "Pro Tip" and callout.text.startswith("Put the timer")
    assert [b.text for b in document.blocks if b.kind == "quote"] == [
        "Focus is a muscle, not a mood."
    ]
    setup = next(b for b in document.blocks if b.kind == "list" and not b.ordered)
    assert setup.lead == "Before you start, prepare three things:" and len(setup.items) == 3
    routine = next(b for b in document.blocks if b.kind == "list" and b.ordered)
    assert routine.items[-1].endswith("[2]"), "citation markers kept verbatim"
    assert any(b.text.startswith("```") for b in document.blocks if b.kind == "paragraph")
    assert dict(document.references) == {
        "1": "https://example.org/attention-restoration",
        "2": "https://example.org/pomodoro-study",
    }
    reasons = {d.reason.split(":")[0] for d in document.dropped}
    assert reasons == {"html_comment", "image", "horizontal_rule", "link_definition"}


def test_markdown_without_front_matter_or_headings() -> None:
    document = read_markdown_article("Some *text* with `code`.\n", "posts/quick-note.md")
    assert document.title == "Quick note"
    assert document.blocks[0].text == "Some *text* with `code`."
    broken = read_markdown_article("---\ntitle: [unclosed\n---\n\n## Real Heading\n", "x.md")
    assert broken.title == "Real Heading"
    assert [d.line for d in broken.dropped] == [1, 2, 3]


def test_markdown_reference_section_as_ordered_list() -> None:
    text = "# T\n\nA claim. [1] [2]\n\n## Sources\n\n1. https://a.example/x\n2. Book, 2020\n"
    document = read_markdown_article(text, "x.md")
    assert dict(document.references) == {"1": "https://a.example/x", "2": "Book, 2020"}
    assert_every_line_once(text, document)
