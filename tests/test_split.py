"""split: hand-built Documents of several shapes cut into snippets a marketer would accept."""

from __future__ import annotations

import re

from newsletter.content.packing import Bounds, pack
from newsletter.content.split import split
from newsletter.models import Block, Document, Dropped

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


def test_a_marker_missing_from_the_reference_list_is_removed_and_recorded_as_dropped() -> None:
    content = split(doc(heading("Claims", 1), para(words(50) + " [1] and more [7].", 2),
                        references={"1": "https://a.example"}))
    body = content.snippets[0].body
    assert content.snippets[0].sources == ("1",)
    assert "[7]" not in body and "[^7]" not in body and body.endswith("and more.")
    assert "7" not in content.references
    assert [(d.line, d.text, d.reason) for d in content.dropped] == [
        (2, "[7]", "citation [7] has no entry in the reference list")]
    assert 2 in content.snippets[0].lines  # the line itself is still in the snippet


def test_without_a_reference_list_markers_never_show_bare_nor_as_sources() -> None:
    content = split(doc(heading("Claims", 1), para("It works. [2] " + words(45), 2)))
    assert "It works. Word" in content.snippets[0].body
    assert content.snippets[0].sources == () and content.references == {}
    assert [d.reason for d in content.dropped] == [
        "citation [2] has no entry in the reference list"]


def test_an_unlisted_marker_in_a_list_item_is_dropped_with_the_item_line() -> None:
    listing = Block("list", items=("First item here [3]", "Second item [1]"), lines=(4, 5),
                    lead="")
    content = split(doc(heading("Claims", 1), para(words(40), 2), listing,
                        references={"1": "https://a.example"}))
    assert [(d.line, d.text) for d in content.dropped] == [(4, "[3]")]
    assert content.snippets[0].sources == ("1",)


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


def test_a_long_lead_in_is_not_repeated_in_every_part_of_its_list() -> None:
    lead = "Some of the other more interesting data points from the year include:"
    items = tuple(words(25) for _ in range(12))
    content = split(doc(heading("Twelve ideas", 1),
                        Block("list", items=items, lead=lead, lines=tuple(range(10, 23)))))
    assert len(content.snippets) >= 2
    assert [lead in s.body for s in content.snippets] == [True] + [False] * (
        len(content.snippets) - 1)


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


def test_short_sibling_sections_merge_under_one_title_that_names_them_all() -> None:
    content = split(doc(
        heading("Other methods", 1, 2), para(words(20), 2),
        heading("Heat", 3, 3), para(words(15), 4),
        heading("Cold", 5, 3), para(words(15), 6),
        heading("Rest", 7, 2), para(words(90), 8),
        heading("Sleep", 9, 2), para(words(90), 10),
    ))
    merged, rest, _ = content.snippets
    assert merged.title == "Other methods: Heat and Cold"
    # each merged heading opens its own text in bold: none stands alone mid-body
    assert "\n\n**Heat:** Word lorem" in merged.body and "\n\n**Cold:** Word" in merged.body
    assert merged.lines == (1, 2, 3, 4, 5, 6) and rest.title == "Rest"


def test_short_sections_stay_apart_when_no_title_can_name_them_all() -> None:
    long_name = "A heading of very many words that will never fit in one title"
    content = split(doc(
        heading("Other methods", 1, 2), para(words(20), 2),
        heading(long_name, 3, 3), para(words(15), 4),
    ))
    assert [s.title for s in content.snippets] == ["Other methods", long_name]


def test_short_faq_answers_are_answered_together_under_both_questions() -> None:
    content = split(doc(
        heading("FAQ", 1),
        Block("question", text="Is it safe?", lines=(2,), level=2), para(words(12), 3),
        Block("question", text="How long does it take?", lines=(4,), level=2),
        para(words(14), 5),
    ))
    assert [(s.kind, s.title) for s in content.snippets] == [
        ("faq", "Is it safe? How long does it take?")]
    faq = content.snippets[0]
    assert faq.body.startswith("**Is it safe?** ") and "\n\n**How long does it take?** " in faq.body
    assert faq.lines == (1, 2, 3, 4, 5)  # the FAQ heading rides with its first question


def test_faq_questions_stay_one_snippet_each_when_long_or_too_many_for_a_title() -> None:
    long_questions = [f"What should I do when question number {n} is as long as this one is here?"
                      for n in (1, 2)]  # two side by side would not fit in a title
    content = split(doc(
        heading("FAQ", 1),
        Block("question", text=long_questions[0], lines=(2,), level=2), para(words(12), 3),
        Block("question", text=long_questions[1], lines=(4,), level=2), para(words(14), 5),
        Block("question", text="Is it safe?", lines=(6,), level=2), para(words(170), 7),
    ))
    assert [(s.kind, s.title) for s in content.snippets] == [
        ("faq", long_questions[0]), ("faq", long_questions[1]), ("faq", "Is it safe?")]
    assert content.snippets[0].section == f"FAQ > {long_questions[0]}"


def test_two_short_answers_to_questions_of_a_usual_length_are_one_snippet() -> None:
    questions = ["How can I prevent shin splints in marathon training?",
                 "Is strength training mandatory for injury prevention?"]
    content = split(doc(
        heading("FAQs", 1),
        Block("question", text=questions[0], lines=(2,), level=2), para(words(16), 3),
        Block("question", text=questions[1], lines=(4,), level=2), para(words(17), 5),
    ))
    assert [(s.kind, s.title) for s in content.snippets] == [("faq", " ".join(questions))]


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


def test_a_course_offer_under_a_try_our_heading_is_a_cta_without_products() -> None:
    content = split(doc(
        heading("Try our Calm Morning Course", 1),
        para("Our six-week course walks you through each habit with a coach. Sign up today "
             "and get the first week free! " + words(20), 2),
        heading("How habits form", 3), para(words(60), 4),
    ))
    assert [s.kind for s in content.snippets] == ["cta", "tip"]


def test_a_where_it_fits_in_section_pitching_a_tool_is_a_cta_without_products() -> None:
    content = split(doc(
        heading("Combining methods, and where the Roller Max fits in", 1),
        para("Stretching helps, but daily work makes results stick. " + words(20), 2),
        para("Designed to mimic a therapist's thumb, this at-home tool comes in two sizes. "
             + words(20), 3),
        heading("How fascia works", 4), para(words(60), 5),
    ))
    assert [s.kind for s in content.snippets] == ["cta", "tip"]


def test_a_pitch_closing_a_section_becomes_its_own_cta_and_the_list_stays_content() -> None:
    listing = Block("list", items=(words(12), words(12), words(12)), lines=(3, 4, 5))
    content = split(doc(
        heading("Fixing problems", 1), para(words(8), 2), listing,
        para("Want a head start? Our kit comes with 500 worms for $49. [Buy now](/shop)", 6),
    ))
    assert [s.kind for s in content.snippets] == ["list", "cta"]
    assert content.snippets[1].title == "Want a head start?"
    assert 6 in content.snippets[1].lines and 6 not in content.snippets[0].lines


def test_informative_sections_with_one_salesy_word_are_not_ctas() -> None:
    content = split(doc(
        heading("Choosing a bin", 1),
        para("A bin designed to hold heat works faster in winter. " + words(40), 2),
        heading("What it costs", 3),
        para("Most home bins cost about $30 and last for years. " + words(40), 4),
        heading("Where worms fit in the food web", 5), para(words(50), 6),
    ))
    assert "cta" not in {s.kind for s in content.snippets}


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


def test_a_later_part_of_a_long_list_is_not_titled_by_the_lead_in_it_opens_with() -> None:
    items = tuple(f"Item {n} " + words(25) for n in range(12))
    listing = Block("list", items=items, lead="Do these things:", lines=tuple(range(3, 16)))
    content = split(doc(heading("Chores", 1), listing))
    assert len(content.snippets) >= 2
    titles = [s.title for s in content.snippets]
    assert titles[0] == "Chores" and len(set(titles)) == len(titles)
    for snippet in content.snippets[1:]:
        first_line = snippet.body.split("\n")[0]
        assert snippet.title.rstrip(":") != first_line.rstrip(":")
        assert "part" not in snippet.title.lower() and "Chores" not in snippet.title
        # titled by what the part holds: its first item
        first_item = re.search(r"^- (Item \d+)", snippet.body, re.M)
        assert first_item and snippet.title.startswith(first_item.group(1))


def test_a_numbered_heading_keeps_its_number_alone_and_merged_titles_name_without_them(
) -> None:
    content = split(doc(heading("Exercises", 1), para(words(12), 2),
                        heading("1. Side Steps", 2), para(words(12), 4),
                        heading("2. Bridges", 2), para(words(12), 6),
                        heading("3) Rest", 2), para(words(150), 8),
                        heading("2024 Trends", 2), para(words(150), 10)))
    titles = [s.title for s in content.snippets]
    # a snippet of its own is the third of a sequence; merged ones are named by their words
    assert "3) Rest" in titles and "2024 Trends" in titles
    merged = next(t for t in titles if "Side Steps" in t)
    assert "Side Steps" in merged and "1." not in merged and "2." not in merged
    assert "3) Rest" in [s.section for s in content.snippets]


def test_a_short_article_still_makes_a_drip_of_three_snippets() -> None:
    content = split(doc(
        heading("Sleeping positions", 1),
        para(" ".join([words(12)] * 8), 2),
        heading("On your side", 3),
        para(" ".join([words(12)] * 9), 4),
    ))  # 204 words: two sections that would make two snippets of about 100 words
    assert len(content.snippets) >= 3
    assert all(s.words >= 30 for s in content.snippets)
    assert {n for s in content.snippets for n in s.lines} == {1, 2, 3, 4}


def test_an_article_too_short_for_three_snippets_is_not_cut_to_crumbs() -> None:
    content = split(doc(heading("Note", 1), para(" ".join([words(10)] * 6), 2)))
    assert len(content.snippets) == 1


def test_a_placeholder_for_a_missing_figure_is_dropped_not_sent() -> None:
    content = split(doc(heading("Sharing", 1), para(words(60), 2),
                        Block("quote", text="[figure 3: both repositories after the push]",
                              lines=(3,)),
                        para("[Image: a sunrise over the hills]", 4), para(words(50), 5)))
    assert not any("figure 3" in s.body or "sunrise" in s.body for s in content.snippets)
    assert {d.line: d.reason for d in content.dropped}.get(3) == "placeholder for a figure"
    assert {d.line: d.reason for d in content.dropped}.get(4) == "placeholder for a figure"


def test_the_authors_bio_that_closes_an_article_is_dropped_and_the_same_words_earlier_stay(
) -> None:
    early = "Jane Doe is a sleep researcher who has studied naps for twenty years."
    bio = "Jane Doe is an award-winning journalist and the author of two books on sleep."
    content = split(doc(heading("Sleep", 1), para(early, 2), para(words(80), 3),
                        heading("Naps", 4), para(words(80), 5),
                        Block("quote", text=f"*{bio}*", lines=(6,))))
    assert {d.line: d.reason for d in content.dropped}.get(6) == "author_bio: about the author"
    assert any(early in s.body for s in content.snippets)  # the article's own, not a bio
    assert not any("award-winning" in s.body for s in content.snippets)


def test_a_heading_that_is_a_whole_sentence_of_prose_is_read_as_the_articles_text() -> None:
    lede = ("The owner of a bakery that ran out of flour last winter has described how the "
            "town's bread came back only when a neighbour lent his mill.")
    content = split(doc(heading(lede, 1), para(words(60), 2),
                        heading("What the mayor said", 3), para(words(60), 4)))
    opening = content.snippets[0]
    assert lede in opening.body and opening.title != lede
    assert [s.title for s in content.snippets][1] == "What the mayor said"


def test_a_date_or_time_set_as_a_heading_is_a_dateline_not_a_section() -> None:
    content = split(doc(heading("Bike found", 1), heading("3/14/2019 8:05 AM EST BY STAFF", 2),
                        para(words(60), 3), heading("12:00 PM PT", 4), para(words(40), 5)))
    reasons = {d.line: d.reason for d in content.dropped}
    assert reasons[2].startswith("dateline") and reasons[4].startswith("dateline")
    assert not any(s.title[:1].isdigit() for s in content.snippets)


def test_a_heading_over_next_to_no_text_is_a_box_of_the_page_and_is_dropped() -> None:
    content = split(doc(
        heading("Keeping the pond", 1), para(words(60), 2),
        heading("Clearing the reeds", 3), para(words(60), 4),
        heading("Like this", 5), para("Like Loading...", 6),
        heading("Related", 7), para("Share", 8)))
    titles = [s.title for s in content.snippets]
    assert "Like this" not in titles and "Related" not in titles
    why = {d.line: d.reason for d in content.dropped}
    assert all(why[n].startswith("stub_section") for n in (5, 6, 7, 8))


def test_a_dropped_lines_links_show_their_text_not_their_address() -> None:
    content = split(doc(heading("Keeping the pond", 1), para(words(60), 2),
                        dropped=(Dropped(3, "1. ![](https://img.example/a.png) [Jan Beek]"
                                         "(https://jan.example) Jun 20th at 2:41 am", "comments"),
                                 Dropped(4, "[](https://example.org/)", "link-only line"))))
    texts = {d.line: d.text for d in content.dropped}
    assert texts[3] == "1. Jan Beek Jun 20th at 2:41 am"
    assert texts[4] == "[](https://example.org/)"  # nothing to show: the line as written


def test_a_sentence_the_post_already_said_is_left_out_where_it_is_said_again() -> None:
    pitch = ("Our planner syncs every calendar you use, blocks focus time for deep work and "
             "reminds you before each meeting starts.")
    content = split(doc(
        heading("Planning", 1),
        para("Planning the week ahead saves hours of scrambling later. " + pitch, 2),
        heading("Focus", 1),
        para("Deep work needs long stretches without meetings or messages. " + pitch
             + " Guard the mornings first.", 4),
    ), min_words=5)
    bodies = [s.body for s in content.snippets]
    assert pitch in bodies[0]
    assert pitch not in bodies[1] and "Guard the mornings first." in bodies[1]
    assert [(d.line, d.text) for d in content.dropped] == [(4, pitch)]


def test_a_long_faq_question_is_its_snippets_whole_title() -> None:
    question = ("Can you share examples of people who used a weekly review to cut their "
                "working hours without missing deadlines?")
    content = split(doc(heading("FAQ", 1), Block("question", question, (2,), level=2),
                        para(words(45), 3)))
    faq = next(s for s in content.snippets if s.kind == "faq")
    assert faq.title == question


def test_the_bracketed_picture_credits_that_end_a_paragraph_are_dropped() -> None:
    credits = ("[[Pond Guide](https://example.org/g) - Reeds Weekly Top Image: Jane Doe, "
               "Notes Image: Acme / Stock]")
    content = split(doc(heading("Keeping the pond", 1), para(words(60), 2),
                        para(f"{words(40)} {credits}", 3)))
    bodies = " ".join(s.body for s in content.snippets)
    assert "Top Image" not in bodies and words(40) in bodies
    assert any(d.reason.startswith("photo_credit") and "Top Image" in d.text
               for d in content.dropped)
    kept = split(doc(heading("Keeping the pond", 1), para(f"{words(60)} [see the map]", 2)))
    assert "[see the map]" in kept.snippets[0].body


def test_a_heading_over_short_sub_sections_is_one_snippet_under_its_name() -> None:
    phases = ["Acute Phase, High Pain", "Subacute Phase, Easing", "Recovery Phase, Mild",
              "Maintenance Phase, None"]
    blocks = [heading("Warming up", 1, 2), para(words(90), 2),
              heading("Progression Guidelines", 3, 2)]
    for n, phase in enumerate(phases):
        blocks += [heading(phase, 4 + 2 * n, 3), para(words(14), 5 + 2 * n)]
    content = split(doc(*blocks, heading("Cooling down", 12, 2), para(words(90), 13)))
    family = next(s for s in content.snippets if "Acute" in s.body)
    assert family.title == "Progression Guidelines"
    assert family.body.startswith("**Acute Phase, High Pain:** Word lorem")
    assert all(f"\n\n**{phase}:** Word" in family.body for phase in phases[1:])
    assert family.lines == tuple(range(3, 12))
