"""The scraped-text reader on the seed article and on a scraped how-to of another shape."""

from __future__ import annotations

import re
from pathlib import Path

from newsletter.content.ingest import read_article, read_text_article
from newsletter.content.ingest.lines import clean_line
from newsletter.models import Document

DATA = Path(__file__).parent / "data" / "ingest"
MARKER = re.compile(r"\[(\d+)\]")
ARROW = "→"


def block_texts(document: Document) -> list[str]:
    """Every piece of text a reader will see: block text, items, leads, labels."""
    texts: list[str] = []
    for block in document.blocks:
        if block.kind != "reference":
            texts += [block.text, block.lead, *block.items]
    return [t for t in texts if t]


def assert_every_line_once(text: str, document: Document) -> None:
    """Each non-blank line is in exactly one block or one dropped record."""
    non_blank = {n for n, raw in enumerate(text.split("\n"), 1) if clean_line(raw)}
    placed = [n for block in document.blocks for n in block.lines]
    placed += [d.line for d in document.dropped]
    assert sorted(placed) == sorted(non_blank)


def test_seed_every_non_blank_line_is_placed_exactly_once(seed_article: Path) -> None:
    document = read_article(seed_article)
    assert_every_line_once(seed_article.read_text(encoding="utf-8"), document)


def test_seed_title_and_faq_questions(seed_article: Path) -> None:
    document = read_article(seed_article)
    lines = seed_article.read_text(encoding="utf-8").split("\n")
    first_heading = next(b for b in document.blocks if b.kind == "heading")
    assert first_heading.level == 1 and document.title == first_heading.text
    assert not document.title.lower().startswith("skip")
    questions = [b for b in document.blocks if b.kind == "question"]
    assert len(questions) == 4
    for question in questions:
        assert question.text.endswith("?")
        assert clean_line(lines[question.lines[0] - 1]) == question.text
    faq_heading = max(
        (b for b in document.blocks if b.kind == "heading" and "FAQ" in b.text),
        key=lambda b: b.lines[0],
    )
    assert all(q.lines[0] > faq_heading.lines[0] for q in questions)


def test_seed_arrow_lines_and_their_unbulleted_neighbours_are_list_items(
    seed_article: Path,
) -> None:
    text = seed_article.read_text(encoding="utf-8")
    document = read_article(seed_article)
    lists = [b for b in document.blocks if b.kind == "list"]
    list_of_line = {n: i for i, block in enumerate(lists) for n in block.lines}
    numbered = [(n, clean_line(raw)) for n, raw in enumerate(text.split("\n"), 1)]
    non_blank = [(n, t) for n, t in numbered if t]
    for position, (number, line) in enumerate(non_blank):
        if line.startswith(ARROW):
            assert number in list_of_line, line
        before = non_blank[position - 1][1] if position else ""
        after = non_blank[position + 1][1] if position + 1 < len(non_blank) else ""
        if not line.startswith(ARROW) and before.startswith(ARROW) and after.startswith(ARROW):
            # lost its arrow between two arrow items: same list as its neighbours
            assert list_of_line[number] == list_of_line[non_blank[position - 1][0]], line
    items = {item for block in lists for item in block.items}
    assert not any(item.startswith(ARROW) for item in items)

    def arrow(number: int) -> bool:
        return clean_line(text.split("\n")[number - 1]).startswith(ARROW)

    arrow_lists = [b for b in lists if any(arrow(n) for n in b.lines)]
    first_item = [b.lines[1] if b.lead else b.lines[0] for b in arrow_lists]
    assert any(not arrow(n) for n in first_item), "an item before the arrows"
    assert any(not arrow(b.lines[-1]) and ": " in b.items[-1] for b in arrow_lists), (
        "a last 'Label: text' item after the arrows"
    )


def test_seed_lists_keep_lead_ins_and_absorb_label_items_after_bullets(
    seed_article: Path,
) -> None:
    document = read_article(seed_article)
    lists = [b for b in document.blocks if b.kind == "list"]
    leads = [b.lead for b in lists if b.lead]
    assert len(leads) >= 6 and all(lead.endswith(":") for lead in leads)
    labelled = [b for b in lists if len(b.items) >= 4 and all(": " in i[:60] for i in b.items)]
    assert labelled, "a list of 'Label: text' items, including the bullet-less last one"
    assert any(b.ordered for b in lists)
    assert all(not b.text for b in lists)


def test_seed_citations_map_to_the_resources_list(seed_article: Path) -> None:
    document = read_article(seed_article)
    assert len(document.references) == 20
    assert all(url.startswith("https://") for url in document.references.values())
    markers = {m for text in block_texts(document) for m in MARKER.findall(text)}
    assert markers and markers <= set(document.references)
    references = [b for b in document.blocks if b.kind == "reference"]
    assert {b.label: b.text for b in references} == dict(document.references)


def test_seed_noise_never_lands_in_a_block(seed_article: Path) -> None:
    document = read_article(seed_article)
    texts = block_texts(document)
    dropped = {d.text for d in document.dropped}
    noise = [
        t
        for t in dropped
        if t.lower().startswith("skip to")
        or t.endswith(("testimonial", ARROW))
        or "newsletter" in t.lower()
    ]
    assert len(noise) >= 4
    for line in noise:
        assert not any(line in text for text in texts), line
    assert all(d.reason for d in document.dropped)
    # a line repeating the title is never content
    assert texts.count(document.title) == 1


def test_seed_callouts_and_heading_levels(seed_article: Path) -> None:
    document = read_article(seed_article)
    callouts = [b for b in document.blocks if b.kind == "callout"]
    assert {c.label for c in callouts} == {"Good to Know", "Pro Tip"}
    assert all(c.text and not c.text.startswith(":") for c in callouts)
    levels = {b.level for b in document.blocks if b.kind == "heading"}
    assert levels == {1, 2, 3}
    assert all(b.rule for b in document.blocks)


def test_howto_bullets_steps_callout_faq_and_bracketed_sources() -> None:
    path = DATA / "sourdough-howto.txt"
    document = read_article(path)
    assert_every_line_once(path.read_text(encoding="utf-8"), document)
    assert document.title == "How to Bake a Simple Sourdough Loaf"
    lists = [b for b in document.blocks if b.kind == "list"]
    bullets, steps = lists
    assert len(bullets.items) == 4 and not bullets.ordered
    assert any(item.startswith("100 g") for item in bullets.items), "lost bullet kept"
    assert bullets.lead.endswith(":")
    assert steps.ordered and len(steps.items) == 5 and steps.items[0].startswith("Mix")
    assert [b.label for b in document.blocks if b.kind == "callout"] == ["Tip"]
    assert [b.text for b in document.blocks if b.kind == "question"] == [
        "Can I use whole wheat flour?",
        "How do I know the starter is ready?",
    ]
    assert set(document.references) == {"1", "2", "3"}
    assert document.references["2"] == "https://example.org/cold-fermentation-study"


def test_howto_noise_is_dropped_with_reasons() -> None:
    document = read_article(DATA / "sourdough-howto.txt")
    reasons = {d.line: d.reason.split(":")[0] for d in document.dropped}
    texts = block_texts(document)
    for dropped in document.dropped:
        if dropped.reason.startswith("repeats_"):
            assert texts.count(dropped.text) == 1, "kept once, the repeat dropped"
        else:
            assert not any(dropped.text in text for text in texts)
    assert "skip_link" in reasons.values()
    assert "link_without_url" in reasons.values()
    assert "signup_footer" in reasons.values()
    assert {"image_label", "image_caption"} <= set(reasons.values())
    assert "repeats_heading" in reasons.values()


def test_text_reader_edge_shapes() -> None:
    document = read_text_article("Just one sentence without a title.\n", "notes/my-draft.txt")
    assert document.title == "My draft"
    assert [b.kind for b in document.blocks] == ["paragraph"]
    wrapped = read_text_article("Title Here\n\nA wrapped\nparagraph continues\nhere.\n", "x")
    assert wrapped.blocks[1].text == "A wrapped paragraph continues here."
    assert wrapped.blocks[1].lines == (3, 4, 5)
    lone = read_text_article(
        "Guide\n\nStep 1: Prepare the Soil\n\nDig a bed and mix in compost well.\n", "x"
    )
    assert lone.blocks[1].kind == "heading"


def test_headings_that_look_like_noise_or_items_stay_headings() -> None:
    text = (
        "How to Grow Your Newsletter\n\nIntro paragraph here.\n\n→ x one\n\n→ y two\n\n\n"
        "Section Two\n\n→ z three\n\n→ w four\n\n\nClient Testimonials\n\n"
        "Our clients love the way we handle their accounts every single day.\n\n"
        "Learn more about the science below.\n"
    )
    document = read_text_article(text, "x.txt")
    assert_every_line_once(text, document)
    headings = [b.text for b in document.blocks if b.kind == "heading"]
    assert headings == ["How to Grow Your Newsletter", "Section Two", "Client Testimonials"]
    assert [b.items for b in document.blocks if b.kind == "list"] == [
        ("x one", "y two"),
        ("z three", "w four"),
    ]
    assert not document.dropped
