"""split: hand-built Documents of several shapes cut into snippets a marketer would accept."""

from __future__ import annotations

import re

from newsletter.models import Block, Document, Dropped
from newsletter.split import MISSING_REFERENCE, Bounds, pack, split

WORD = "lorem"


def words(n: int, end: str = ".") -> str:
    """A sentence of ``n`` words."""
    return " ".join(["Word"] + [WORD] * (n - 1)) + end


def para(text: str, line: int) -> Block:
    return Block("paragraph", text=text, lines=(line,))


def heading(text: str, line: int, level: int = 2) -> Block:
    return Block("heading", text=text, lines=(line,), level=level)


def doc(*blocks: Block, references: dict[str, str] | None = None,
        dropped: tuple[Dropped, ...] = ()) -> Document:
    return Document(title="A Guide to Things", source="guide.txt", blocks=blocks,
                    references=references or {}, dropped=dropped)


def all_lines(content) -> list[int]:
    return sorted(line for s in content.snippets for line in s.lines)


def test_citations_become_footnotes_and_sources_are_exactly_the_markers() -> None:
    refs = {"1": "https://a.example/1", "2": "https://a.example/2", "3": "https://a.example/3"}
    content = split(doc(
        heading("Evidence", 1),
        para("Studies agree on this point. [1] " + words(45) + " [3] [2]", 2),
        heading("Later", 3),
        para(words(45) + " [2]", 4),
        references=refs,
    ))
    first, second = content.snippets
    assert "[^1]" in first.body and "[^3][^2]" in first.body
    assert not re.search(r"(?<!\^)\b\d\]|\[\d+\]", first.body)
    assert " [^" not in first.body  # markers hug the text they support
    assert first.sources == ("1", "3", "2") and second.sources == ("2",)
    assert content.references == refs


def test_a_marker_missing_from_the_reference_list_is_kept_and_said_missing() -> None:
    content = split(doc(heading("Claims", 1), para(words(50) + " [7]", 2),
                        references={"1": "https://a.example"}))
    assert content.snippets[0].sources == ("7",)
    assert content.references["7"] == MISSING_REFERENCE


def test_without_a_reference_list_markers_still_never_show_bare() -> None:
    content = split(doc(heading("Claims", 1), para("It works. [2] " + words(45), 2)))
    assert "It works.[^2] Word" in content.snippets[0].body
    assert content.snippets[0].sources == ("2",)
    assert content.references == {"2": MISSING_REFERENCE}


def test_a_long_list_splits_between_items_and_every_part_keeps_its_lead_in() -> None:
    items = tuple(words(25) for _ in range(12))
    lines = tuple(range(10, 10 + 13))
    content = split(doc(
        heading("Twelve ideas", 1),
        Block("list", items=items, lead="Here are twelve ideas:", ordered=True, lines=lines),
    ))
    assert len(content.snippets) >= 2
    numbers = []
    for snippet in content.snippets:
        assert snippet.body.startswith("Here are twelve ideas:\n\n")
        assert 40 <= snippet.words <= 180
        numbers += [int(n) for n in re.findall(r"^(\d+)\. ", snippet.body, re.M)]
    assert numbers == list(range(1, 13))  # numbering continues across parts, no item lost
    assert content.snippets[0].title == "Twelve ideas"
    assert len({s.title for s in content.snippets}) == len(content.snippets)
    assert set(all_lines(content)) == {1, *lines}


def test_a_long_paragraph_is_cut_between_sentences_never_inside_one() -> None:
    sentences = [words(22 + i % 5) for i in range(16)]
    content = split(doc(heading("One long thought", 1), para(" ".join(sentences), 2)))
    assert len(content.snippets) >= 2
    bodies = [s.body for s in content.snippets]
    for sentence in sentences:
        assert sum(b.count(sentence) for b in bodies) >= 1
    joined = " ".join(bodies)
    assert joined.count(".") == len(sentences)
    assert all(40 <= s.words <= 180 for s in content.snippets)


def test_short_sibling_sections_merge_under_the_first_heading() -> None:
    content = split(doc(
        heading("Other methods", 1, 2), para(words(20), 2),
        heading("Heat", 3, 3), para(words(15), 4),
        heading("Cold", 5, 3), para(words(15), 6),
        heading("Rest", 7, 2), para(words(90), 8),
    ))
    merged, rest = content.snippets
    assert merged.title == "Other methods"
    assert "**Heat**" in merged.body and "**Cold**" in merged.body
    assert merged.lines == (1, 2, 3, 4, 5, 6) and rest.title == "Rest"


def test_faq_questions_stay_one_snippet_each_even_when_short() -> None:
    content = split(doc(
        heading("FAQ", 1),
        Block("question", text="Is it safe?", lines=(2,), level=2), para(words(12), 3),
        Block("question", text="How long does it take?", lines=(4,), level=2),
        para(words(14), 5),
    ))
    assert [(s.kind, s.title) for s in content.snippets] == [
        ("faq", "Is it safe?"), ("faq", "How long does it take?")]
    assert content.snippets[0].lines == (1, 2, 3)  # the FAQ heading rides with its first question
    assert content.snippets[0].section == "FAQ > Is it safe?"


def test_a_section_pitching_a_product_is_a_cta_but_a_passing_mention_is_not() -> None:
    content = split(doc(
        heading("Where the Widget Pro fits in", 1), para(words(60), 2),
        heading("FAQ", 3),
        Block("question", text="Can I do this at home?", lines=(4,), level=2),
        para(words(50), 5), para("Tools like the Widget Pro help with this.", 6),
    ), products=["Widget Pro"])
    assert [s.kind for s in content.snippets] == ["cta", "faq"]
    assert "heading names a product" in content.snippets[0].reason


def test_pitch_language_makes_a_cta_without_a_named_product() -> None:
    content = split(doc(
        heading("Get started", 1),
        para("Order now and get 20% off your first box with code SPRING. " + words(30), 2),
        para("Free shipping on every order, and a money-back guarantee. " + words(10), 3),
        heading("How soil works", 4), para(words(60), 5),
    ))
    assert [s.kind for s in content.snippets] == ["cta", "tip"]


def test_kinds_follow_the_content() -> None:
    content = split(doc(
        heading("How to repot", 1),
        Block("list", items=tuple(f"Step {i}) {words(12)}" for i in range(1, 5)),
              lead="Follow these steps:", lines=(2, 3, 4, 5, 6)),
        heading("Reasons", 7),
        Block("list", items=tuple(words(12) for _ in range(4)), lead="Because:",
              lines=(8, 9, 10, 11, 12)),
        heading("A saying", 13), Block("quote", text=words(45), lines=(14,)),
        heading("Caution", 15),
        Block("callout", label="Good to Know", text=words(45), lines=(16,)),
        heading("Numbers", 17), para("A 2019 study found 40% fewer losses. " + words(40), 18),
    ))
    kinds = [s.kind for s in content.snippets]
    assert kinds == ["steps", "list", "quote", "tip", "fact"]
    steps = content.snippets[0].body
    assert "Step 1" not in steps and re.search(r"^1\. Word", steps, re.M)
    assert content.snippets[2].body.startswith("> ")
    assert content.snippets[3].body.startswith("**Good to Know:** ")


def test_item_labels_are_bold_and_sentences_with_colons_are_left_alone() -> None:
    content = split(doc(heading("Choices", 1), Block("list", items=(
        "Clay pots: they breathe and dry out fast " + words(10),
        "Plastic Pots With Drainage Holes: they hold water longer " + words(10),
        "Remember that the ratio matters: one part to three " + words(10),
    ), lines=(2, 3, 4))))
    body = content.snippets[0].body
    assert "- **Clay pots:** they" in body
    assert "- **Plastic Pots With Drainage Holes:** they" in body
    assert "- Remember that the ratio matters: one" in body


def test_ids_are_stable_unique_and_change_with_the_text() -> None:
    blocks = (heading("Same", 1), para(words(50), 2), heading("Same", 3), para(words(50), 4))
    first, again = split(doc(*blocks)), split(doc(*blocks))
    ids = [s.id for s in first.snippets]
    assert ids == [s.id for s in again.snippets]
    assert len(set(ids)) == 2 and all(i.startswith("same-") for i in ids)
    edited = split(doc(heading("Same", 1), para(words(51), 2)))
    assert edited.snippets[0].id != ids[0]


def test_noise_and_empty_headings_go_to_dropped_never_lost() -> None:
    content = split(doc(
        heading("Intro", 1), para(words(50), 2),
        heading("Related posts", 3),
        Block("list", items=("[One](https://x.example/1)", "[Two](https://x.example/2)"),
              lines=(4, 5)),
        heading("Empty", 6),
        heading("Last", 7), para(words(50), 8),
        Block("reference", label="1", text="https://r.example", lines=(9,)),
        dropped=(Dropped(10, "Subscribe", "signup"),),
    ))
    dropped = {d.line: d.reason for d in content.dropped}
    assert dropped[4] == dropped[5] == "link-only list"
    assert dropped[3] == dropped[6] == "heading with no text under it"
    assert dropped[10] == "signup"
    assert [d.line for d in content.dropped] == sorted(dropped)
    assert all_lines(content) == [1, 2, 7, 8]


def test_bounds_are_configurable_and_the_packer_aims_for_the_middle() -> None:
    blocks = [heading("Long", 1)] + [para(words(30), i) for i in range(2, 14)]
    small = split(doc(*blocks), min_words=20, max_words=70)
    assert all(20 <= s.words <= 70 for s in small.snippets)
    assert len(small.snippets) > len(split(doc(*blocks)).snippets)
    # six units of 50: three snippets of 100 beat two of 150 (closer to the middle, 110)
    assert pack([50] * 6, Bounds(40, 180)) == [(0, 2), (2, 4), (4, 6)]
    assert pack([100, 100, 10], Bounds(40, 180)) in ([(0, 1), (1, 3)],)


def test_a_lead_in_paragraph_stays_with_what_it_introduces() -> None:
    blocks = [heading("Mechanism", 1), para(words(100), 2), para("Here is how it works:", 3),
              para(words(60), 4), para(words(100), 5)]
    content = split(doc(*blocks))
    holder = [s for s in content.snippets if "Here is how it works:" in s.body]
    assert len(holder) == 1 and 4 in holder[0].lines


def test_an_empty_document_gives_no_snippets() -> None:
    content = split(Document(title="", source="x.txt", blocks=()))
    assert content.snippets == () and content.article.slug == "article"
