"""Markdown shapes the readers recognise before they read the structure: scrapes saved as
.txt that are really Markdown, front matter of every kind, HTML and JSX inside Markdown,
converter residue, mojibake, and furniture with named reasons."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsletter.content.ingest import is_markdown_shaped, read_article, read_markdown_article
from newsletter.content.ingest.lines import strip_site_name
from newsletter.content.ingest.mojibake import repair_mojibake
from newsletter.content.split import split
from newsletter.models import Document

DATA = Path(__file__).parent / "data" / "ingest"


def reasons(document: Document) -> dict[int, str]:
    """Dropped line -> the rule that dropped it (its name, before the colon)."""
    return {d.line: d.reason.split(":")[0] for d in document.dropped}


def assert_every_line_once(text: str, document: Document) -> None:
    lines = re.split(r"\r\n|\r|\n", text)
    non_blank = [n for n, raw in enumerate(lines, 1) if raw.strip()]
    # a kept line with markup that shows nothing is also on record, as a note on that line
    notes = [d.line for d in document.dropped if d.reason.startswith("markup:")]
    placed = [n for b in document.blocks for n in b.lines] + [
        d.line for d in document.dropped if not d.reason.startswith("markup:")]
    assert set(notes) <= {n for b in document.blocks for n in b.lines}
    assert sorted(placed) == non_blank


def headings(document: Document) -> list[str]:
    return [b.text for b in document.blocks if b.kind in ("heading", "question")]


# --- choosing the reader -------------------------------------------------------------------


def test_a_jina_scrape_saved_as_txt_is_read_as_markdown_with_its_header_as_metadata() -> None:
    path = DATA / "jina-garden-stretches.txt"
    document = read_article(path)
    assert_every_line_once(path.read_text("utf-8"), document)
    assert document.title == "Five Stretches for Gardeners", "site name left out of the title"
    why = reasons(document)
    assert [why[n] for n in (3, 5, 7)] == ["metadata_header"] * 3
    assert headings(document)[1:] == ["Kneeling Reach", "Wrist Circles", "Keep Going"]
    assert {why[n] for n in (34, 36, 38, 40)} == {"author_signoff"}
    bodies = " ".join(s.body for s in split(document).snippets)
    assert "Physiotherapy" not in bodies and "instagram" not in bodies


def test_the_shape_decides_the_reader_of_a_txt_file() -> None:
    plain = "Why Stretch\n\nStretching helps.\n\n- one\n- two\n"
    assert not is_markdown_shaped(plain)
    assert not is_markdown_shaped("A note with one [link](https://x.example) and **one** bold.\n")
    marked = "# Title\n\nSee [this](https://a.example) and [that](https://b.example).\n\n## More\n"
    assert is_markdown_shaped(marked)
    assert is_markdown_shaped("Title: A page\n\nURL Source: https://a.example/p\n\nText.\n")


def test_the_shape_check_is_linear_on_pathological_input() -> None:
    assert not is_markdown_shaped("[" * 200_000)
    assert not is_markdown_shaped("*" * 200_000 + "\n" + "#" * 100_000)


# --- scrapes of whole pages ----------------------------------------------------------------


def test_html2text_page_loses_its_menus_bylines_toc_and_footer_and_keeps_its_sources() -> None:
    path = DATA / "html2text-oolong.txt"
    warnings: list[str] = []
    document = read_article(path, warnings=warnings)
    assert any("mojibake" in w for w in warnings)
    assert document.title == "Why Oolong Tea Deserves a Place in Your Cup"
    why = reasons(document)
    assert {why[n] for n in range(1, 11) if n in why} == {"page_header"}
    assert why[14] == why[16] == why[22] == "byline"
    assert why[18] in ("table_of_contents", "link_list")
    assert why[30] == "image_caption" and why[50] == "photo_credit"
    assert why[58] == "copyright"
    assert headings(document)[1:] == ["What Is Oolong?", "Does oolong have caffeine?",
                                      "How to Brew It", "SOURCES"]
    assert [b.kind for b in document.blocks].count("question") == 0, "not a FAQ: an article"
    assert list(document.references.values()) == [
        "Journal of Tea Science : “Oolong polyphenols and resting metabolism.”",
        "University of Leafland: “A History of Oolong Cultivation.”",
    ]
    text = " ".join(b.text for b in document.blocks)
    assert "It’s been brewed" in text and "â" not in text


def test_mojibake_is_repaired_only_where_it_is_there() -> None:
    assert repair_mojibake("It\u00e2\u0080\u0099s tea\u00c2\u00a0time")[0] == "It’s tea\u00a0time"
    assert repair_mojibake("Itâ€™s fine")[0] == "It’s fine"
    clean = "naïve café — “quoted” 10 °C, Ärger"
    assert repair_mojibake(clean) == (clean, False)
    broken = "line one\nâ€œtwoâ€\x9d\r\nthree"
    fixed, changed = repair_mojibake(broken)
    assert changed and fixed == "line one\n“two”\r\nthree"


def test_page_title_site_names() -> None:
    assert strip_site_name("Basic Rows — Dr Ann Lee | Flow Clinic",
                           "https://www.drannlee.example/blog") == "Basic Rows"
    guide = "Knees - A Patient Guide"
    assert strip_site_name(f"{guide} — Dr Ann Lee | Flow") == guide
    assert strip_site_name("How to Rest - Sleep Lab", "https://sleeplab.example/x") == "How to Rest"
    assert strip_site_name("Vitamin D - Keys to Health") == "Vitamin D - Keys to Health"


def test_widget_text_counters_and_datelines_in_a_scrape_are_dropped_with_reasons() -> None:
    text = ("# Best Soup\n\n4.8\n\n(1,204)\n\n2,100 Reviews\n\nSubmitted by Sam Reed\n\n"
            "Updated on May 2, 2024\n\nJump to recipe\n\nSave\n\n"
            "Oops! Something went wrong. Our team is working on it.\n\n"
            "Simmer the onions slowly until they are sweet and golden brown.\n\n"
            "March 27, 2024\n\n[A](https://a.example) | [B](https://b.example)\n")
    document = read_markdown_article(text, "soup.txt", scraped=True)
    why = reasons(document)
    assert [why[n] for n in (3, 5, 7)] == ["counter"] * 3
    assert why[9] == why[11] == "byline"
    assert why[13] == "jump_link" and why[15] == "ui_label" and why[17] == "widget_text"
    assert why[21] == "dateline" and why[23] == "link_row"
    assert [b.text for b in document.blocks if b.kind == "paragraph"] == [
        "Simmer the onions slowly until they are sweet and golden brown."]


def test_a_signup_box_section_goes_whole() -> None:
    text = ("# Sleep\n\n## From Us to Your Inbox\n\nSign up for free tips.\n\nEmail\n\n"
            "### Thank you for subscribing!\n\nCheck your inbox.\n\n## Causes\n\nStress.\n")
    document = read_markdown_article(text)
    assert {reasons(document)[n] for n in (3, 5, 7, 9, 11)} == {"signup_box"}
    assert headings(document) == ["Sleep", "Causes"]


# --- front matter --------------------------------------------------------------------------


def test_toml_front_matter_shortcodes_and_a_list_continued_after_a_picture() -> None:
    path = DATA / "hugo-herb-spiral.md"
    document = read_article(path)
    assert_every_line_once(path.read_text("utf-8"), document)
    assert document.title == "How to Build a Herb Spiral"
    why = reasons(document)
    assert why[2] == "front_matter" and why[12] == why[26] == "shortcode"
    steps = next(b for b in document.blocks if b.kind == "list")
    assert steps.ordered and len(steps.items) == 4, "steps 3-4 continue the list after the picture"
    assert "**Tip:**" in steps.items[1]
    body = next(s.body for s in split(document, min_words=1).snippets if "Mark a circle" in s.body)
    assert "4. Plant rosemary" in body


def test_malformed_front_matter_fence_still_gives_the_title() -> None:
    text = '---title: "The Rest Guide"\nsubtitle: "Ten years of notes"\n---\n\nIntro text.\n'
    document = read_markdown_article(text)
    assert document.title == "The Rest Guide"
    assert {reasons(document)[n] for n in (1, 2, 3)} == {"front_matter"}
    assert [(b.kind, b.lines) for b in document.blocks] == [("heading", ()), ("paragraph", (5,))]


def test_prose_between_two_rules_is_not_front_matter() -> None:
    text = "---\n\nA short intro paragraph, set off by rules.\n\n---\n\nMore text.\n"
    document = read_markdown_article(text)
    assert any("short intro" in b.text for b in document.blocks)


def test_front_matter_without_fences_is_metadata_and_gives_the_title() -> None:
    text = ('layout: ../layouts/Post.astro\ntitle: "Saving on Groceries"\ndate: "2026-01-03"\n\n'
            "Groceries cost more every year.\n\n## Step 1: Plan Meals\n\nWrite a plan.\n")
    document = read_markdown_article(text)
    assert document.title == "Saving on Groceries"
    assert {reasons(document)[n] for n in (1, 2, 3)} == {"front_matter"}
    assert headings(document) == ["Saving on Groceries", "Step 1: Plan Meals"]


def test_a_first_paragraph_of_labels_is_not_front_matter() -> None:
    text = "title: a label, not a key\nwarning: the keys are not a post's metadata.\n\nText.\n"
    document = read_markdown_article(text)
    assert not document.dropped
    assert "the keys are not a post's metadata." in document.blocks[0].text


def test_broken_toml_is_still_metadata() -> None:
    text = '+++\ntitle = "Unclosed\n+++\n\n## Real Heading\n\nText.\n'
    document = read_markdown_article(text)
    assert {reasons(document)[n] for n in (1, 2, 3)} == {"front_matter"}
    assert document.title == "Real Heading"


# --- HTML and JSX inside Markdown ----------------------------------------------------------


def test_mdx_components_details_sup_and_link_blocks() -> None:
    path = DATA / "mdx-sleep-tea.md"
    document = read_article(path)
    assert_every_line_once(path.read_text("utf-8"), document)
    why = reasons(document)
    assert {why[n] for n in range(7, 11)} == {"image"}, "a picture component, alt text kept"
    assert "hero" in next(d.text for d in document.dropped if d.line == 8)
    assert why[25] == "html_markup" and why[31] == "spacer"
    texts = [b.text for b in document.blocks if b.kind == "paragraph"]
    assert "Best for: Evening routines and mild restlessness" in texts
    assert any(t.endswith("modest but real.[1]") for t in texts), "<sup>1</sup> is a citation"
    picks = next(b for b in document.blocks if b.kind == "list")
    assert picks.items == ("Best loose flower — [Meadow Calm Chamomile]"
                           "(https://shop.example/meadow) — Whole flowers with a soft, "
                           "honey-like taste.",)
    question = next(b for b in document.blocks if b.kind == "question")
    assert question.text == "Is chamomile safe every night?"
    assert document.references == {
        "1": "Review of chamomile and sleep: Journal of Calm Studies "
             "https://example.org/chamomile-review",
        "2": "Brewing herbal teas https://example.org/brewing",
    }
    faq = next(s for s in split(document, min_words=1).snippets if s.kind == "faq")
    assert faq.title == "Is chamomile safe every night?" and faq.sources == ("1",)


def test_inline_html_becomes_markdown() -> None:
    text = ("# T\n\n**<a href=\"https://pod.example\">Listen to the episode</a>** now, "
            "or read on.<br>It helps.<sup>2</sup>\n\n<span class=\"x\">Plain</span> words.\n\n"
            "1. Ref two\n")
    paragraphs = [b.text for b in read_markdown_article(text).blocks if b.kind == "paragraph"]
    assert paragraphs[0] == ("**[Listen to the episode](https://pod.example)** now, or read on. "
                             "It helps.[2]")
    assert paragraphs[1] == "Plain words."


# --- converter Markdown --------------------------------------------------------------------


def test_converter_residue_citations_edit_links_and_empty_links() -> None:
    text = ("# Tea\n\n## History[[edit](https://w.example/edit)]\n\n"
            "Tea came from China.[\\[1\\]](#_note-1) It spread west \\[2\\] by sea.[](#x)\n\n"
            "## Notes\n\n1. First source, 2001\n2. Second source, 2003\n")
    document = read_markdown_article(text)
    assert headings(document)[:2] == ["Tea", "History"]
    paragraph = next(b.text for b in document.blocks if b.kind == "paragraph")
    assert paragraph == "Tea came from China.[1] It spread west [2] by sea."
    snippet = split(document, min_words=1).snippets[0]
    assert snippet.sources == ("1", "2")


def test_setext_headings_and_a_bold_line_over_its_paragraph() -> None:
    text = ("Why Rest\n========\n\nIntro.\n\n**Shop With a List**  \n"
            "Write it at home and stick to it.\n\n**Cost: $3 per meal**\n\nMore.\n")
    document = read_markdown_article(text)
    assert [(b.kind, b.text) for b in document.blocks[:4]] == [
        ("heading", "Why Rest"), ("paragraph", "Intro."), ("heading", "Shop With a List"),
        ("paragraph", "Write it at home and stick to it.")]
    assert document.blocks[2].level == 2, "one level under the h1"
    assert any(b.kind == "paragraph" and "Cost" in b.text for b in document.blocks)


def test_bold_paragraphs_are_headings_but_bold_lead_ins_stay_with_their_list() -> None:
    text = ("---\ntitle: Vitamins\n---\n\n**Why It Matters**\n\nIt matters.\n\n"
            "**Signs to watch:**\n\n- fatigue\n- cramps\n")
    document = read_markdown_article(text)
    assert headings(document) == ["Vitamins", "Why It Matters"]
    listing = next(b for b in document.blocks if b.kind == "list")
    assert listing.lead == "**Signs to watch:**"


def test_one_paragraph_per_line_without_blank_lines() -> None:
    sentence = ("This line is a whole paragraph of its own, as some converters write them, and "
                "it goes on for quite a while.")
    text = "# T\n\n" + "\n".join(f"{sentence} Number {n}." for n in range(4)) + "\n"
    paragraphs = [b for b in read_markdown_article(text).blocks if b.kind == "paragraph"]
    assert [b.lines for b in paragraphs] == [(3,), (4,), (5,), (6,)]
    wrapped = "# T\n\nA paragraph wrapped at\nsixty characters, as editors\ndo it.\n"
    assert len([b for b in read_markdown_article(wrapped).blocks if b.kind == "paragraph"]) == 1


def test_markdown_with_no_blank_lines_reads_each_line_as_its_block() -> None:
    para = ("Lie on your back and bring both knees up slowly, keeping them together the whole "
            "time, then lower them to each side.")
    text = ("---\ntitle: A Routine\n---\n"
            + "".join(f"![Picture {n}](https://img.example/{n}.jpg)\n**Stretch {n}**\n{para}\n"
                      f"- Hold 30 seconds.\n- Repeat {n} times.\n" for n in range(1, 4))
            + "<iframe\n  src=\"https://video.example/embed\"\n  allowfullscreen>\n</iframe>\n"
            + f"## Closing\n{para}\n"
            + "* Boards\n![Boards on the ground](https://img.example/b.jpg)\n* Screws\n")
    document = read_markdown_article(text)
    assert headings(document) == ["A Routine", "Stretch 1", "Stretch 2", "Stretch 3", "Closing"]
    lists = [b.items for b in document.blocks if b.kind == "list"]
    assert lists == [("Hold 30 seconds.", f"Repeat {n} times.") for n in range(1, 4)] + [
        ("Boards", "Screws")]
    assert [b.text for b in document.blocks if b.kind == "paragraph"] == [para] * 4
    assert {reasons(document)[n] for n in (4, 9, 14, 26)} == {"image"}  # a picture, even in a list
    assert_every_line_once(text, document)


def test_a_scrape_with_no_blank_lines_is_read_line_by_line_though_long_lines_end_in_links(
) -> None:
    """Gallery rows and picture lines end in an address, not a sentence: they do not make
    the page look like wrapped prose."""
    para = ("Stir the sauce over a low heat for twenty minutes, until it is thick enough to "
            "coat the back of a spoon.")
    gallery = " ".join(f"[{n} ![]({n}.jpg) ](#)" for n in range(1, 16)) + " [More photos](#)"
    text = "".join(f"### Stage {n}\n{para}\n{gallery}\n" for n in range(1, 9))
    document = read_markdown_article(text, "page.txt", scraped=True)
    assert [b.text for b in document.blocks if b.kind == "paragraph"].count(para) == 8


def test_superscript_digits_cite_a_numbered_reference_list_and_area_units_stay() -> None:
    text = "# T\n\nSleep clears the brain¹ in a 20 m² room.\n\n## References\n\n1. A study, 2019\n"
    document = read_markdown_article(text)
    paragraph = next(b.text for b in document.blocks if b.kind == "paragraph")
    assert paragraph == "Sleep clears the brain[1] in a 20 m² room."


# --- reference lists -----------------------------------------------------------------------


def test_unnumbered_sources_list_becomes_numbered_references_keeping_titles() -> None:
    text = ("# T\n\nText.\n\n# Sources\n(in addition to the links above)\n\n"
            "- Smith. \"Sleep and light.\" Journal, 2020. [https://a.example/1](https://a.example/1)\n"
            "- https://b.example/2 (a seminal study)\n- https://c.example/3\n")
    document = read_markdown_article(text)
    assert document.references == {
        "1": 'Smith. "Sleep and light." Journal, 2020. https://a.example/1',
        "2": "https://b.example/2 (a seminal study)",
        "3": "https://c.example/3",
    }
    assert reasons(document)[6] == "reference_note"


def test_a_numbered_bibliography_without_a_heading_is_the_reference_list() -> None:
    text = ("# T\n\nText.\n\nShow references\n\n"
            "1. Ferri F. Diabetes. In: Advisor 2022. Elsevier; 2022. Accessed May 7, 2022.\n"
            "2. Standards of care. Diabetes Care. 2022; doi:10.2337/x.\n"
            "3. Jones A, et al. A journal article. 2018.\n")
    document = read_markdown_article(text)
    assert set(document.references) == {"1", "2", "3"}
    assert "Ferri" in document.references["1"]
    assert "Show references" in headings(document), "the toggle names the list"


def test_a_prose_paragraph_under_resources_stays_prose() -> None:
    text = ("# T\n\n## Resources\n\nFor a simple routine you may try a seven minute workout; "
            "there is an app that guides you through it.\n")
    document = read_markdown_article(text)
    assert document.references == {}
    assert any(b.kind == "paragraph" for b in document.blocks)


def test_a_table_of_contents_section_is_dropped() -> None:
    text = ("# Guide\n\nIntro.\n\nTable Of Contents\n=================\n\n"
            "_Your reader shows one too._\n\n1. [Why](https://s.example/p#why)\n"
            "1. [How](https://s.example/p#how)\n1. [Tools](https://s.example/p#tools)\n\n"
            "# Why\n\nBecause.\n")
    document = read_markdown_article(text)
    assert {reasons(document)[n] for n in (5, 6, 8, 10, 11, 12)} == {"table_of_contents"}
    assert headings(document) == ["Guide", "Why"]


# --- line separators and pathological input --------------------------------------------------


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1c"])
def test_unicode_line_separators_never_crash_and_lose_nothing(separator: str) -> None:
    text = (f"---\ntitle: T{separator}x\n---\n\n# Head{separator}ing\n\n- a{separator}b\n"
            f"- c\n\n<div>in{separator}side</div>\n\nPara{separator}graph [1].\n\n"
            f"| a | b{separator} |\n|---|---|\n| 1 | 2 |\n\n[1]: https://x.example/{separator}\n")
    document = read_markdown_article(text, "sep.md")
    assert_every_line_once(text, document)
    split(document, min_words=1)


def test_an_italic_note_is_a_callout_without_stray_emphasis() -> None:
    blocks = read_markdown_article("# T\n\n_NOTE: If you get dizzy, stop._\n").blocks
    assert [(b.kind, b.label, b.text) for b in blocks[1:]] == [
        ("callout", "NOTE", "If you get dizzy, stop.")]


def test_inline_script_and_image_tags_leave_no_code_in_the_text() -> None:
    text = '# T\n\nCompost <script>alert("x")</script><img src=x onerror=alert(1)> well.\n'
    assert read_markdown_article(text).blocks[1].text == "Compost well."


# --- the title line, sign-offs and page footers, converter headings ---------------------------

_DESK = ("Sitting all day stiffens the neck and the upper back, and a few slow stretches "
         "between meetings keep both moving without any equipment at all.")


def test_a_title_metadata_line_is_dropped_saying_it_gave_the_title() -> None:
    for text in ('+++\ntitle = "Desk Stretches"\ndraft = false\n+++\n' + _DESK + "\n",
                 "Title: Desk Stretches — Clinic Site\n\nURL Source: https://clinic.example/d\n"
                 "\nMarkdown Content:\n" + _DESK + "\n"):
        document = read_markdown_article(text)
        assert_every_line_once(text, document)
        assert document.title == "Desk Stretches"
        line = next(d for d in document.dropped if "itle" in d.text)
        assert line.reason.endswith("(the article's title)")


def test_a_valediction_and_what_follows_it_are_the_authors_sign_off() -> None:
    text = ("# Desk Stretches\n\n" + _DESK + "\n\n**Neck Roll**\n\n" + _DESK + "\n\n"
            "Yours in health,\n\n**Jane Smith**\n\n_Physiotherapist (PT)_\n\n"
            "[www.clinic.example](https://clinic.example/)\n")
    document = read_markdown_article(text)
    assert_every_line_once(text, document)
    assert {reasons(document)[n] for n in (9, 11, 13, 15)} == {"author_signoff"}
    assert headings(document) == ["Desk Stretches", "Neck Roll"]


def test_the_page_footer_after_an_author_card_goes_with_the_sign_off() -> None:
    text = ("# Desk Stretches\n\n" + _DESK + "\n\n## Neck Roll\n\n" + _DESK + "\n\n"
            "[![Image 2](https://c.example/a.jpg)Dr. Jane Smith](https://clinic.example/jane)\n\n"
            "_Physiotherapist (PT)_\n\n#### Clinic Name | Dr Jane Smith\n\n"
            "4 Harbour Road, Springfield 12345\n\n© Copyright 2024 | All Rights Reserved\n\n"
            "#### Get Social\n\n[Instagram](https://instagram.com/clinic)\n")
    document = read_markdown_article(text)
    assert_every_line_once(text, document)
    assert {reasons(document)[n] for n in (9, 11)} == {"author_signoff"}
    assert {reasons(document)[n] for n in range(13, 22, 2)} == {"page_footer"}
    assert headings(document) == ["Desk Stretches", "Neck Roll"]


def test_a_converters_empty_heading_takes_the_short_line_below_it_as_its_text() -> None:
    text = ("# Desk Stretches\n\n" + _DESK + "\n\n## \n\nWhy stretch at all?\n\n" + _DESK
            + "\n\n## \n\n" + _DESK + "\n")
    document = read_markdown_article(text)
    assert_every_line_once(text, document)
    why = next(b for b in document.blocks if b.text == "Why stretch at all?")
    assert (why.kind, why.level, why.lines) == ("heading", 2, (5, 7))
    assert reasons(document)[11] == "empty_heading", "a sentence below is no heading's text"


def test_numbered_references_keep_their_titles_with_the_address() -> None:
    text = ("# Trees\n\nShade cools a street [\\[1\\]](https://a.example/1) and so does water "
            "[\\[2\\]](https://b.example/2).\n\n**Citations:**\n\n"
            "\\[1\\] Doe, A. (2020). _Shade and Streets._ Journal. "
            "[https://a.example/1](https://a.example/1 \"https://a.example/1\")\n\n"
            "\\[2\\] Roe, B. (n.d.). Water in the City. https://b.example/2\n")
    document = read_markdown_article(text)
    assert_every_line_once(text, document)
    assert document.references == {
        "1": "Doe, A. (2020). Shade and Streets. Journal. https://a.example/1",
        "2": "Roe, B. (n.d.). Water in the City. https://b.example/2",
    }
    cited = split(document, min_words=1).snippets[0]
    assert cited.sources == ("1", "2")


# --- a recipe page scraped to Markdown ----------------------------------------------------------

_RECIPE_PAGE = """[Home](https://food.example/)

# Oat Cookies

## Recipe from [Ann Baker](/search?q=Ann)

Sam Lee for Food Example. Food Stylist: Kim Day.

A chewy cookie that keeps for a week in a tin. It needs one bowl and no mixer at all.

  * Save

Log in or sign up to save this recipe.

  * ## Share this recipe

    * Copy link
    * [Email](mailto:?subject=Oat)
    * [Pinterest](https://pinterest.example/pin)

## Preparation

  1. Step 1

Heat the oven to 180 degrees and line two trays with baking paper.

  2. Step 2

Mix the oats, flour and sugar, then stir in the melted butter and the egg.

  3. Step 3

Roll the dough into balls, press them flat and bake for twelve minutes.

## Ratings

5 out of 5

1,204 user ratings

Your rating

Submit

Log in or sign up to rate this recipe.

## Comments

Jo Reader2 days ago

I added raisins and they were great, and my kids loved them even more than the plain ones.

### Recipe Tags

  * [Cookies](/tag/cookies)
"""


def test_a_scraped_recipe_keeps_its_steps_and_loses_its_widgets_and_comments() -> None:
    document = read_markdown_article(_RECIPE_PAGE, scraped=True)
    assert_every_line_once(_RECIPE_PAGE, document)
    why = reasons(document)
    assert why[5] == "byline" and why[7] == "photo_credit"
    assert why[13] == "widget_text" and why[15] == "link_list"
    steps = next(b for b in document.blocks if b.kind == "list" and b.ordered)
    assert steps.items == (
        "Heat the oven to 180 degrees and line two trays with baking paper.",
        "Mix the oats, flour and sugar, then stir in the melted butter and the egg.",
        "Roll the dough into balls, press them flat and bake for twelve minutes.")
    assert {why[n] for n in range(35, 46, 2)} == {"widget"}
    assert {why[n] for n in (47, 49, 51, 53, 55)} == {"comments"}
    assert headings(document) == ["Oat Cookies", "Preparation"]


def test_a_paragraph_that_is_only_a_link_to_follow_is_dropped() -> None:
    text = ("# Protein\n\n**[LISTEN TO THE FULL EPISODE HERE TO LEARN MORE!!](https://v.example/1)**"
            "\n\nProtein repairs muscle; [read the study](https://s.example/2) for the doses.\n")
    document = read_markdown_article(text)
    assert reasons(document)[3] == "link_call"
    assert [b.kind for b in document.blocks] == ["heading", "paragraph"]


def test_a_related_reading_list_and_a_picture_with_its_share_button_are_furniture() -> None:
    text = ("# Mornings\n\n![A glass of water](w.jpg)[Share on Pinterest](https://p.example/pin)"
            "Photography by Ann Example\n\nDrink a glass of water before your coffee, every day.\n"
            "\n**Related reading:**\n\n- **[Gut basics](/blog/gut)**\n- [Sleep](/blog/sleep)\n"
            "- [Fibre](/blog/fibre)\n")
    document = read_markdown_article(text)
    assert_every_line_once(text, document)
    why = reasons(document)
    assert why[3] == "image_caption"
    assert {why[n] for n in (7, 9, 10, 11)} == {"related_posts"}
    assert [b.kind for b in document.blocks] == ["heading", "paragraph"]


def test_a_subscriber_benefit_box_is_a_sign_up_box() -> None:
    text = ("# Oat Cookies\n\n" + _DESK + "\n\n## Subscriber benefit: Give recipes to anyone\n\n"
            "As a subscriber, you have **10 gift recipes** to give each month.\n\n"
            "[Subscribe](https://s.example/sub)Log In\n\n## Method\n\n" + _DESK + "\n")
    document = read_markdown_article(text, scraped=True)
    assert {reasons(document)[n] for n in (5, 7, 9)} == {"signup_box"}
    assert headings(document) == ["Oat Cookies", "Method"]


def test_a_banner_heading_over_the_sites_menus_goes_with_them_and_the_articles_h1_is_the_title(
) -> None:
    menu = "".join(f"### Topic {n}\n\n" + "".join(
        f"* [Page {n}.{k}](https://site.example/{n}/{k})\n" for k in range(4)) + "\n"
        for n in range(6))
    text = ("# Document: Site Example Com Desk 1A2B3C4D\n\n---\n\n" + menu +
            "# Desk Stretches\n\n" + _DESK + "\n\n## Neck Roll\n\n" + _DESK + "\n")
    document = read_markdown_article(text, scraped=True)
    assert_every_line_once(text, document)
    assert document.title == "Desk Stretches"
    assert reasons(document)[1] == "page_header"
    assert headings(document) == ["Desk Stretches", "Neck Roll"]


def test_an_arrow_pointing_at_a_booking_button_in_the_sign_off_stays_as_the_call_to_action(
) -> None:
    text = ("# Desk Stretches\n\n" + _DESK + "\n\n## Neck Roll\n\n" + _DESK + "\n\n"
            "Yours in health,\n\n**Jane Smith**\n\n_Physiotherapist (PT)_\n\n"
            "Haven’t had your neck checked yet? ⬇⬇⬇\n\n"
            "[www.clinic.example](https://clinic.example/)\n")
    document = read_markdown_article(text)
    assert_every_line_once(text, document)
    assert reasons(document)[13] == "author_signoff" and 15 not in reasons(document)
    content = split(document)
    pitch = next(s for s in content.snippets if "checked yet" in s.body)
    assert pitch.kind == "cta" and "Jane Smith" not in pitch.body


def test_the_pager_and_the_sites_footer_after_it_are_dropped_and_a_figure_caption_too() -> None:
    text = ("# 1.1 Getting Started - Version Control\n\n" + _DESK + "\n\n"
            "![Diagram](/images/local.png)\n\nFigure 1. Local version control diagram\n\n"
            + _DESK + "\n\n## Central systems\n\n" + _DESK + "\n\n"
            "[prev](/book/one) | [next](/book/three)\n\n[About this site](/site)\n\n"
            "Patches, suggestions, and comments are welcome.\n\n"
            "Leave a Private Comment on this recipe and see it here.\n")
    document = read_markdown_article(text, scraped=True)
    assert_every_line_once(text, document)
    assert {reasons(document)[n] for n in (15, 17, 19, 21)} == {"page_footer"}
    content = split(document)
    assert content.article.title == "Getting Started - Version Control"
    assert not any("Figure 1." in s.body for s in content.snippets)
    assert {d.line: d.reason for d in content.dropped}[7] == "caption of a figure"


def test_a_scrapes_lone_question_line_answered_by_the_next_paragraph_is_a_heading() -> None:
    text = ("# Desk Stretches\n\n" + _DESK + "\n\nWhy do shoulders get stiff?\n\n" + _DESK + "\n\n"
            "So what?\n\n" + _DESK + "\n")
    assert headings(read_markdown_article(text, scraped=True)) == [
        "Desk Stretches", "Why do shoulders get stiff?"]  # "So what?" is prose
    assert headings(read_markdown_article(text)) == ["Desk Stretches"]  # authored Markdown


def test_template_code_of_a_static_site_is_never_read_as_text() -> None:
    text = ("# Lentil Soup\n\n" + _DESK + "\n\n> **Servings:** {{page.servings}}\n\n"
            "{% for item in page.ingredients %}\n\n- {{ item }}\n\n{% endfor %}\n\n"
            "![Soup](/soup.jpg){:width=\"100%\"}{: .image-right}\n\n"
            "Serve it hot {{ site.emoji }} with fresh bread and a little butter on the side.\n")
    document = read_markdown_article(text)
    assert_every_line_once(text, document)
    body = " ".join(b.text + " ".join(b.items) for b in document.blocks)
    assert "{" not in body and "Servings" not in body
    assert "Serve it hot with fresh bread" in " ".join(body.split())


def test_a_bold_labelled_update_date_is_a_dateline() -> None:
    text = "# Desk Stretches\n\n" + _DESK + "\n\n**Last Updated**: January 2026\n"
    assert reasons(read_markdown_article(text))[5] in ("dateline", "byline")


def test_a_story_pager_with_a_long_footer_of_links_after_it_closes_the_article() -> None:
    links = "\n".join(f"  * [Other story number {n} of the site](/story/{n})" for n in range(30))
    text = ("# Desk Stretches\n\n" + "\n\n".join([_DESK] * 6) + "\n\n"
            "You must [login or create an account](/login) to comment.\n\n"
            "[Jane Doe](/author/jane) / Jane is the Health Editor at the Daily Paper, which she "
            "joined in 2012.\n\n"
            "[← Older Story](/story/old) | [Newer Story →](/story/new)\n---|---\n\n"
            f"## Latest News\n\n{links}\n\n"
            "© 2015 The Paper Company. All rights reserved. Use of this site constitutes "
            "acceptance of our user agreement and privacy policy, effective January 2014, and "
            "of the other terms that the company may change at any time without notice.\n")
    document = read_markdown_article(text, scraped=True)
    assert_every_line_once(text, document)
    assert reasons(document)[15] == "widget_text"  # the comment prompt
    assert reasons(document)[19] == "page_footer" and reasons(document)[49] == "page_footer"
    content = split(document)
    assert not any("Health Editor" in s.body for s in content.snippets)  # the author's bio
    assert all(s.body.count("Sitting all day") >= 1 for s in content.snippets)


def test_a_pickers_list_of_names_is_dropped_and_a_table_of_figures_is_not() -> None:
    countries = " ".join(["Albania Algeria Andorra Angola Anguilla Antarctica Argentina Armenia",
                          "Aruba Australia Austria Azerbaijan Bahamas Bahrain Bangladesh",
                          "Barbados Belarus Belgium Belize Benin Bermuda Bhutan Bolivia"])
    text = (f"# Desk Stretches\n\n{_DESK}\n\n### Get our news\n\n{countries}\n\n"
            "| Calories 448 | Fat 21g | Carbs 37g | Protein 30g | Sodium 1400mg | Sugars 9g |\n"
            "|---|---|---|---|---|---|\n\n" + _DESK + "\n")
    document = read_markdown_article(text, scraped=True)
    assert reasons(document)[7] == "option_list"
    assert any("Calories 448" in b.text for b in document.blocks)


def test_a_long_quotation_keeps_its_paragraphs_and_its_code_and_can_be_cut_between_them() -> None:
    quoted = "\n>\n".join(f"> Quoted paragraph {n}: {_DESK}" for n in range(6))
    text = (f"# Desk Stretches\n\n{_DESK}\n\n{quoted}\n>\n>     stretch --slow --twice\n\n"
            f"{_DESK}\n")
    document = read_markdown_article(text)
    quote = next(b for b in document.blocks if b.kind == "quote")
    assert quote.text.count("\n\n") == 6 and "stretch --slow --twice" in quote.text
    snippets = split(document).snippets
    assert max(s.words for s in snippets) <= 180
    assert sum("Quoted paragraph" in s.body for s in snippets) >= 2


def test_the_authors_name_linked_to_their_page_then_the_date_is_a_byline() -> None:
    text = (f"# Desk Stretches\n\n[Jane Doe](https://site.example/profile/jane) October 06, 2018"
            f"\n\n{_DESK}\n\n[Read the study](https://site.example/study) from March 2019\n")
    document = read_markdown_article(text, scraped=True)
    assert reasons(document) == {3: "byline"}


def test_a_table_inside_a_quotation_keeps_its_rows() -> None:
    text = (f"# Desk Stretches\n\n{_DESK} The most active clinics are:\n\n"
            "> Clinics by visits\n> ---\n> North Clinic | 63 | 16.6%\n> South Clinic | 56 | 14.7%\n"
            f"\n{_DESK}\n")
    document = read_markdown_article(text)
    assert_every_line_once(text, document)
    quote = next(b for b in document.blocks if b.kind == "quote")
    assert "North Clinic | 63 | 16.6%" in quote.text and "South Clinic | 56 | 14.7%" in quote.text


def test_a_list_of_links_to_other_sites_is_the_articles_and_a_menu_of_the_site_is_not() -> None:
    tools = "\n".join(f"- [{name}](https://{name.lower()}.example/app)"
                      for name in ("Stretchly", "Timeout", "BreakTime", "Posture"))
    menu = "\n".join(f"- [{name}](/{name.lower()})" for name in ("Home", "Blog", "About", "Shop"))
    text = (f"# Desk Stretches\n\n{_DESK}\n\n{menu}\n\n## Apps that remind me to move\n\n"
            f"{tools}\n\n{_DESK}\n")
    content = split(read_markdown_article(text))
    bodies = "\n".join(s.body for s in content.snippets)
    assert "[Stretchly](https://stretchly.example/app)" in bodies and "[Blog]" not in bodies


def test_a_scraped_pages_title_is_the_headline_its_byline_follows_not_a_widgets_h1() -> None:
    text = ("[Print Article](?print=true)\n\n# Tools for Readers\n\nFont Size\n\n"
            "## Desk Stretches That Work\n\nBy [Jane Doe](https://site.example/jane)\n\n"
            f"{_DESK}\n\n{_DESK.replace('neck', 'shoulders')}\n")
    assert read_markdown_article(text, scraped=True).title == "Desk Stretches That Work"
    authored = "# Desk Stretches\n\n" + _DESK + "\n\n## Why it helps\n\nBy the way, it helps.\n"
    assert read_markdown_article(authored).title == "Desk Stretches"


def test_footnote_definitions_wrapped_over_several_lines_are_whole_references() -> None:
    text = ("# Proving the loaf\n\nLet the dough rest overnight.[^1] Bake it hot.[^2]\n\n"
            "#### Footnotes\n\n"
            "[^1]: Twelve hours is plenty for a cool kitchen, though a warm one\n"
            "needs less, and a very warm one less again.\n"
            "[^2]: A lidded pot keeps the steam in\n"
            "for the first twenty minutes.\n")
    document = read_markdown_article(text, "loaf.md")
    assert document.references == {
        "1": "Twelve hours is plenty for a cool kitchen, though a warm one needs less, and a "
             "very warm one less again.",
        "2": "A lidded pot keeps the steam in for the first twenty minutes."}
    assert_every_line_once(text, document)
    assert not any("needs less" in b.text for b in document.blocks if b.kind == "paragraph")


def test_a_converters_escaped_number_opens_a_numbered_headline_not_a_paragraph() -> None:
    para = ("Strip the bed before you unpack, because the covers are washed far less often "
            "than the sheets underneath them in most of the places we stayed.")
    text = (f"# Seven things a porter knows\n\n{para}\n\n1\\. Take the covers off the bed\n\n"
            f"{para}\n\n2\\. Check the window latch\n\n{para}\n\n"
            "3\\. This line is a sentence that ends with a full stop.\n")
    document = read_markdown_article(text, "page.txt", scraped=True)
    assert headings(document)[1:] == ["1. Take the covers off the bed",
                                      "2. Check the window latch"]


def test_a_byline_set_as_a_list_with_the_authors_page_date_and_comment_count_is_dropped() -> None:
    para = ("Strip the bed before you unpack, because the covers are washed far less often "
            "than the sheets underneath them in most of the places we stayed.")
    text = ("# Seven things a porter knows\n\n  * [Mara Quillon](/author/mara-quillon \"Mara\")\n"
            f"  * Friday 25 December 2015\n  * 0 comments\n\n{para}\n")
    document = read_markdown_article(text, "page.txt", scraped=True)
    assert not any(b.kind == "list" for b in document.blocks)
    assert {reasons(document)[n] for n in (3, 4, 5)} == {"byline"}


def test_a_scraped_pages_widget_messages_role_line_two_dates_and_contact_line_are_furniture(
) -> None:
    from newsletter.content.ingest.noise import is_dateline, is_role_line, is_widget_text

    para = ("Strip the bed before you unpack, because the covers are washed far less often "
            "than the sheets underneath them in most of the places we stayed.")
    furniture = ["April 28, 2019 at 6:01 am Updated April 29, 2019 at 3:33 pm",
                 "Valley Courier garden reporter", "Link copied", "Submitting...",
                 "Select at least one topic", "Cook Mode Prevent your screen from going dark",
                 "You must be logged in to leave a comment. [Log in](https://a.example/in)",
                 "Mara Quillon: 206-555-0100 or [mara@example.com](mailto:mara@example.com); "
                 "on Twitter: [@mara](https://social.example/mara)."]
    text = "# Seven things a porter knows\n\n" + "\n\n".join([*furniture, para]) + "\n"
    document = read_markdown_article(text, "page.txt", scraped=True)
    assert [b.text for b in document.blocks if b.kind == "paragraph"] == [para]
    assert is_dateline(furniture[0]) and is_dateline("Last modified 11/18/2011 4:06 AM")
    assert is_role_line("Games Editor")
    assert not is_role_line("Why every writer needs an editor")
    assert not any(is_widget_text(t) for t in ("Loading the van takes an hour",
                                               "Saving money on food is easy"))


def test_icon_share_buttons_and_a_linked_author_with_the_date_are_furniture() -> None:
    para = ("Strip the bed before you unpack, because the covers are washed far less often "
            "than the sheets underneath them in most of the places we stayed.")
    text = ("# Seven things a porter knows\n\n"
            "__ [Mara Quillon](/latest?author=mara)  __   __ "
            "Monday, February 29, 2016 @ 11:10 PM UTC\n\n"
            f"{para}\n\n"
            "[ ____ ](https://social.example/share?u=1) [ ____ ](https://chirp.example/intent?u=1) "
            "[ ____ ](mailto:?subject=A pond story&body=Look)\n")
    document = read_markdown_article(text, "page.txt", scraped=True)
    assert [b.text for b in document.blocks if b.kind == "paragraph"] == [para]
    assert reasons(document)[3] == "byline" and reasons(document)[7] == "share_row"


_SCRAPED_EDITOR_PAGE = """Ready to publish?

Change the story's title, subtitle, and visibility as needed

Mara Quillon

11 min read

Featured Close Publish changes

[Sign in / Sign up](https://example.org/signin)

Next story

The author chose to make this story unlisted. Are you sure you want to share it? Yes, show me

#### The Mill Pond Comes Back

  * Share on Twitter
  * Share on Facebook
  * Share by email

## Four winters of reeds

The pond behind the mill fills every spring, and the families who keep the meadow around it
clear the reeds by hand before the herons come back. It took four winters and forty people.

  * Link copied
"""


def test_a_scrape_without_an_h1_drops_what_is_above_its_first_heading_and_share_lists() -> None:
    document = read_markdown_article(_SCRAPED_EDITOR_PAGE, "page.txt", scraped=True)
    assert document.title == "The Mill Pond Comes Back"
    why = reasons(document)
    assert all(why.get(n) == "page_header" for n in (1, 3, 5, 9, 13, 15))
    assert all(n in why for n in (19, 20, 21))  # a share row set as a list
    assert why[28] == "widget_text"  # a widget's message set as a list
    assert_every_line_once(_SCRAPED_EDITOR_PAGE, document)
    assert "Ready to publish" not in " ".join(b.text for b in document.blocks)


def test_a_scrapers_page_title_gives_way_to_the_headline_it_starts_with() -> None:
    text = ("Title: The Mill Pond Comes Back - Quillon Gazette\n\nURL Source: "
            "https://example.org/pond\n\nMarkdown Content:\n# The Mill Pond Comes Back\n\n"
            "The pond behind the mill fills every spring, and the families who keep it clear "
            "the reeds by hand.\n")
    assert read_markdown_article(text, "pond.txt").title == "The Mill Pond Comes Back"


def test_a_question_heading_above_the_faqs_questions_closes_the_faq() -> None:
    text = ("# Starter\n\nFeed it daily.\n\n## FAQ\n\n### Can I use plain flour?\n\n"
            "Yes, slower.\n\n### How do I store it?\n\nIn the fridge.\n\n## Ready to Bake?\n\n"
            "Get our free chart: [Download the chart](https://example.org/chart).\n")
    document = read_markdown_article(text, "starter.md")
    kinds = {b.text: b.kind for b in document.blocks if b.kind in ("heading", "question")}
    assert kinds["How do I store it?"] == "question"
    assert kinds["Ready to Bake?"] == "heading"


def test_a_sites_linked_name_over_the_articles_h1_is_not_the_title_nor_its_permalink() -> None:
    text = ("# [Pond Keepers' Handbook](index.html)\n\n## The Mill Pond\n\n"
            "« [Previous](a.html) :: [Contents](index.html) »\n\n# The Mill Pond¶\n\n"
            "The pond behind the mill fills every spring, and the families who keep it clear "
            "the reeds by hand.\n")
    assert read_markdown_article(text, "pond.txt", scraped=True).title == "The Mill Pond"


_ASSISTANT_POST = """# Marathon injuries

Up to 40 % of marathoners report an injury.([Runner's World][1]) Load spikes matter more
than weekly totals.([Tom's Guide][2])

## FAQs

1. **How can I prevent shin splints?**
   Increase mileage gradually and strengthen your calves.

2. **Is strength training mandatory?**
   Yes: hip and core work lowers injury odds, especially in novices.

[1]: https://www.runnersworld.com/injuries "How to Avoid Injuries During Marathon Training"
[2]: https://www.tomsguide.com/running "A simple training tip could be the key to avoiding injury"
"""


def test_citations_linked_to_numbered_definitions_and_a_faq_set_as_a_numbered_list() -> None:
    document = read_markdown_article(_ASSISTANT_POST, "injuries.md")
    text = " ".join(b.text for b in document.blocks)
    assert "marathoners report an injury.[1]" in text and "weekly totals.[2]" in text
    assert "How to Avoid Injuries" in document.references["1"]
    questions = [b.text for b in document.blocks if b.kind == "question"]
    assert questions == ["How can I prevent shin splints?", "Is strength training mandatory?"]
    assert_every_line_once(_ASSISTANT_POST, document)
    content = split(document)
    assert {s.kind for s in content.snippets if "?" in s.title} == {"faq"}
    assert any(s.sources == ("1",) or "1" in s.sources for s in content.snippets)


def test_a_long_fenced_listing_is_dropped_and_a_short_one_stays() -> None:
    listing = "\n".join(f"line_{n} = {n}" for n in range(20))
    text = (f"# Coverage\n\nRecord which parts of your code ran.\n\n```python\n{listing}\n```\n\n"
            "```\nnpm install blanket\n```\n")
    document = read_markdown_article(text, "coverage.md")
    assert {d.reason.split(":")[0] for d in document.dropped if "line_" in d.text} == {
        "long_listing"}
    assert any("npm install blanket" in b.text for b in document.blocks)
    assert_every_line_once(text, document)


def test_a_comments_heading_over_the_comment_form_ends_the_page_though_comments_are_long() -> None:
    comment = ("I followed the recipe exactly and refrigerated the dough for a day, and they "
               "turned out great, better than any cookie I have made in years of baking. ")
    text = ("# Cookies\n\nCream the butter and sugar, then fold in the chocolate and chill the "
            "dough for a day before baking.\n\n## Comments\n\nAdd Comment\n\nSubmit\n\n"
            + "".join(f"Reader {n}\n\n{comment * 3}\n\nIs this helpful?\n\n" for n in range(4)))
    document = read_markdown_article(text, "cookies.txt", scraped=True)
    assert [b.text for b in document.blocks if b.kind == "heading"] == ["Cookies"]
    assert not any("refrigerated the dough" in b.text for b in document.blocks)
    assert_every_line_once(text, document)


def test_a_reference_list_run_into_one_line_and_the_writers_tagline_are_read_as_such() -> None:
    text = ("# Roth IRA or 529?\n\nBoth accounts grow tax-free, but the rules differ when the "
            "money pays for college.\n\nJane Doe is a staff writer at The Money Post.\n\n"
            "*📚 **Verified Sources:** IRS Publication 590-A (2025) · IRS Topic No. 557 – "
            "Additional Tax on Early Distributions · SavingForCollege.com – 529 Plans*\n")
    document = read_markdown_article(text, "roth.md")
    assert "IRS Topic No. 557 – Additional Tax on Early Distributions" in " ".join(
        document.references.values())
    assert len(document.references) == 3
    assert reasons(document)[5] == "author_bio"
    assert_every_line_once(text, document)


def test_a_scrapers_page_title_gives_way_to_the_part_the_body_has_as_a_heading() -> None:
    body = ("The pond behind the mill fills every spring, and the families who keep it clear "
            "the reeds by hand.\n")
    site_first = ("Title: Quillon Gazette: The Mill Pond Comes Back\n\nURL Source: "
                  "https://example.org/pond\n\nMarkdown Content:\n[Home](https://example.org/)"
                  "\n\n# The Mill Pond Comes Back\n\n" + body)
    assert read_markdown_article(site_first, "pond.txt").title == "The Mill Pond Comes Back"
    tagline = ("Title: Pond Cakes - Crumb: A Pond Blog\n\nURL Source: https://example.org/c\n\n"
               "Markdown Content:\n# Sunny Days: Pond Cakes\n\n" + body + "\n## Pond Cakes\n\n"
               + body)
    assert read_markdown_article(tagline, "cakes.txt").title == "Pond Cakes"


def test_a_date_then_the_author_then_the_posts_categories_is_a_byline() -> None:
    text = ("# The Mill Pond\n\nMarch 19, 2018 By [Mara Quillon](https://example.org/a/mq) "
            "[2 Comments](https://example.org/p#comments) | Filed Under: [ponds]"
            "(https://example.org/c/ponds), [meadows](https://example.org/c/meadows)\n\n"
            "The pond behind the mill fills every spring, and the families who keep it clear "
            "the reeds by hand.\n\nPage last updated on 9 June 2021\n")
    why = {d.text: d.reason for d in read_markdown_article(text, "pond.md").dropped}
    assert next(r for t, r in why.items() if t.startswith("March 19")).startswith("byline")
    assert why["Page last updated on 9 June 2021"].startswith("dateline")


def test_a_scrapes_comment_form_heading_with_its_cancel_link_opens_the_comments() -> None:
    para = ("The pond behind the mill fills every spring, and the families who keep it clear "
            "the reeds by hand.")
    comments = "\n\n".join(f"{n}. Reader {n} says:\n\n{para} Thanks!" for n in range(1, 9))
    text = (f"# The Mill Pond\n\n{para}\n\n## Clearing the reeds\n\n{para}\n\n"
            f"### Leave a Comment [Cancel Reply](/pond/#respond)\n\nWe love hearing from you!"
            f"\n\n{comments}\n")
    document = read_markdown_article(text, "pond.txt", scraped=True)
    why = {d.text: d.reason for d in document.dropped}
    assert why["We love hearing from you!"].startswith("comments")
    assert not any("Reader 3" in b.text for b in document.blocks)


def test_an_address_html2text_wrapped_at_a_hyphen_is_whole_again() -> None:
    text = ("# The Mill Pond\n\nThe pond fills every spring. Use [room temperature butter]"
            "(https://example.org/room-\ntemperature-butter/), and remember it is cooler than "
            "you think.\n\n![The pond at dawn](https://example.org/wp-\ncontent/pond.jpg)\n")
    document = read_markdown_article(text, "pond.txt")
    bodies = " ".join(b.text for b in document.blocks)
    assert "(https://example.org/room-temperature-butter/)" in bodies
    assert "temperature-butter/)" not in bodies.replace("room-temperature-butter/)", "")


def test_a_recipes_notes_are_its_notes_not_a_reference_list() -> None:
    para = "The pond fills every spring, and the families who keep it clear the reeds by hand."
    notes = "\n".join(f"{n}. **Note {n}:** {para}" for n in range(1, 4))
    text = f"# Pond Cake\n\n{para}\n\n### Notes\n\n{notes}\n"
    document = read_markdown_article(text, "cake.md")
    assert document.references == {}
    cited = f"# Pond Cake\n\n{para} [1]\n\n### Notes\n\n1. Doe, J. (2020). Ponds.\n"
    assert read_markdown_article(cited, "cake.md").references == {"1": "Doe, J. (2020). Ponds."}


def test_mdx_module_code_above_the_body_is_metadata_and_names_the_title() -> None:
    text = ('import Chart from "../components/Chart"\n\nexport const metadata = {\n'
            '  title: "Sleep Better Tonight",\n  author: "Staff Writer",\n}\n\n'
            "Sleep matters more than most people think.\n")
    document = read_markdown_article(text)
    assert document.title == "Sleep Better Tonight"
    assert {reasons(document)[n] for n in (1, 3, 4, 5, 6)} == {"front_matter"}
    assert [b.text for b in document.blocks if b.kind == "paragraph"] == [
        "Sleep matters more than most people think."]


def test_a_numbered_series_of_bold_lines_are_headings_however_they_end() -> None:
    text = ("# Credit\n\n## Myths\n\n**Myth 1: Checking your report hurts your score.**\n\n"
            "False. A check of your own is a soft inquiry.\n\n"
            "**Myth 2: Income affects your score.**\n\nFalse. Bureaus never see it.\n\n"
            "**Remember: this one bold sentence is emphasis.**\n\nText after it.\n")
    document = read_markdown_article(text)
    assert headings(document) == ["Credit", "Myths", "Myth 1: Checking your report hurts your "
                                  "score.", "Myth 2: Income affects your score."]


def test_markup_that_shows_nothing_on_a_kept_line_is_on_record_as_written() -> None:
    text = ('## <span class="emoji">🌿</span> Soil Care\n\n'
            'Mulch keeps roots cool &#8212; see our {{< ref "mulch.md" >}} guide.\n\n'
            '<sub>Photo by [Ann Lee](https://photos.example/ann)</sub>\n')
    document = read_markdown_article(text)
    assert_every_line_once(text, document)
    assert headings(document) == ["🌿 Soil Care"]
    assert document.blocks[-1].text == "Mulch keeps roots cool — see our guide."
    notes = {d.line: d.text for d in document.dropped if d.reason.startswith("markup")}
    assert notes == {1: '## <span class="emoji">🌿</span> Soil Care',
                     3: 'Mulch keeps roots cool &#8212; see our {{< ref "mulch.md" >}} guide.'}
    credit = next(d for d in document.dropped if d.line == 5)
    assert credit.text == "<sub>Photo by Ann Lee</sub>", "its link read as its text"


def test_a_bold_references_label_right_above_its_list_heads_the_reference_list() -> None:
    text = ("# Ginger\n\nGinger eases nausea for many people.\n\n**References:**\n"
            '- Doe, Jane. "Ginger and nausea: a review." Food Journal 4 (2019): 12.\n'
            '- Roe, Sam. "Spices in the kitchen." Kitchen Press, 2010.\n')
    document = read_markdown_article(text)
    assert_every_line_once(text, document)
    assert document.references == {
        "1": 'Doe, Jane. "Ginger and nausea: a review." Food Journal 4 (2019): 12.',
        "2": 'Roe, Sam. "Spices in the kitchen." Kitchen Press, 2010.'}
    assert all("Doe, Jane" not in s.body for s in split(document, min_words=1).snippets)


def test_a_closing_line_pointing_to_other_posts_is_dropped_but_a_linked_tip_stays() -> None:
    text = ("# Pests\n\nSee our [guide to neem oil](/neem) before you spray anything.\n\n"
            "*Keep your garden healthy—see our [summer planting guide](/plant) and "
            "[watering tips for hot days](/water).*\n")
    document = read_markdown_article(text)
    assert reasons(document)[5] == "related_posts"
    assert any("neem oil" in b.text for b in document.blocks)


def test_a_figcaption_and_a_caption_box_are_captions_and_a_hear_from_you_line_is_social() -> None:
    text = ('# Beds\n\n<figure>\n  <img src="/bed.jpg" alt="A bed" />\n'
            '  <figcaption>The bed in June.</figcaption>\n</figure>\n\n'
            '<div class="inline-image-caption">My seeds taking off!</div>\n\n'
            "Beds warm up early in spring, so sow a week sooner than in the ground.\n\n"
            "As always, we want to hear from you on [Twitter](https://twitter.com/x) if you "
            "have questions.\n")
    document = read_markdown_article(text)
    assert_every_line_once(text, document)
    why = reasons(document)
    assert why[5] == why[8] == "image_caption" and why[12] == "social_links"
    assert [b.text for b in document.blocks if b.kind == "paragraph"] == [
        "Beds warm up early in spring, so sow a week sooner than in the ground."]


def test_a_pictures_emphasised_caption_on_its_own_line_and_a_follower_count_are_dropped(
) -> None:
    para = "The pond fills every spring, and the families who keep it clear the reeds by hand."
    text = (f"# The Mill Pond\n\n{para}\n\n![Reeds](https://example.org/reeds.png)_Volunteers "
            f"at the pond, 2015_\n\n{para}\n\nJoin 66,707,982 other followers\n")
    why = {d.text: d.reason for d in read_markdown_article(text, "pond.txt").dropped}
    assert next(r for t, r in why.items() if "Volunteers at the pond" in t).startswith(
        "image_caption")
    assert why["Join 66,707,982 other followers"].startswith("signup")


def test_a_sign_off_from_a_place_with_the_name_on_the_next_line_is_the_sign_off() -> None:
    text = ("# Desk Stretches\n\n" + _DESK + "\n\n**Neck Roll**\n\n" + _DESK + "\n\n"
            "Best from Hamburg\\\nTimur\n")
    document = read_markdown_article(text)
    assert reasons(document)[9] == "author_signoff"
    assert "Hamburg" not in " ".join(b.text for b in document.blocks)


def test_a_link_whose_address_is_template_code_keeps_its_text() -> None:
    text = ('# Pie\n\nThe pond fills every spring, and we bake.\n\n'
            '- 1 cup [cider syrup]({{< ref "cider-syrup.md" >}} "Cider Syrup")\n- 2 apples\n')
    items = next(b.items for b in read_markdown_article(text, "pie.md").blocks
                 if b.kind == "list")
    assert items == ("1 cup cider syrup", "2 apples")


def test_a_shortcode_written_over_several_lines_shows_none_of_its_attributes() -> None:
    text = ("# Raised Beds\n\nI built the bed from a plan and fastened it with pocket joints, "
            "which hold about as well as joinery can.\n\n{{< figure \nwidth=\"500\"\n"
            "alt=\"Empty completed raised bed\"\nsrc=\"/images/bed.jpg\"\n"
            "caption=\"Our empty raised bed after a winter.\"\n>}}\n\n"
            "It sat empty all winter, so it was nicely seasoned when I filled it.\n")
    document = read_markdown_article(text, "beds.md")
    assert_every_line_once(text, document)
    assert set(reasons(document).values()) == {"shortcode"}
    assert sorted(reasons(document)) == [5, 6, 7, 8, 9, 10]
    bodies = " ".join(s.body for s in split(document, min_words=1).snippets)
    assert "winter" in bodies and "alt=" not in bodies and "Our empty" not in bodies


def test_numbered_lines_each_over_their_own_paragraph_are_numbered_headings() -> None:
    tips = ["Take any blankets off the bed", "Check the peep hole", "Use a metal luggage rack"]
    text = "# Seven Hotel Secrets\n\nWhat hotel owners keep quiet, and what you can do.\n\n"
    text += "".join(f"{n}. {tip}\n\nForrest Jones said guests should do this every single time "
                    f"they check in, whatever the hotel costs.\n\n"
                    for n, tip in enumerate(tips, 1))
    text += "### 4. Ask for a room away from the lift\n\nIt is quieter there all night.\n\n"
    text += "5. Look under the mattress\n\nBedbugs hide along its seams and in the frame.\n"
    document = read_markdown_article(text, "hotels.md")
    assert headings(document)[1:] == [f"{n}. {t}" for n, t in enumerate(tips, 1)] + [
        "4. Ask for a room away from the lift", "5. Look under the mattress"]
    assert not any(b.kind == "list" for b in document.blocks)
    # a real list whose items are sentences stays a list
    steps = ("# Bread\n\nIntro line for the loaf.\n\n1. Mix the flour and water.\n\nWait.\n\n"
             "2. Rest it.\n")
    assert any(b.kind == "list" for b in read_markdown_article(steps, "b.md").blocks)


def test_a_review_date_a_syndication_note_and_an_emphasised_credit_are_dropped() -> None:
    text = ("# Sciatica Exercises\n\nSciatica pain runs from the lower back down one leg, and "
            "gentle movement helps most people more than rest does.\n\n"
            "*Last reviewed: January 2025*\n\nThis content was originally featured on:\n\n"
            "_Credits: image taken from a gardening vlog_\n\n"
            "Originally published in 2019 and updated since, this guide covers the basics.\n")
    why = {d.text: d.reason for d in read_markdown_article(text, "s.md").dropped}
    assert why["*Last reviewed: January 2025*"].startswith("dateline")
    assert why["This content was originally featured on:"].startswith("boilerplate")
    assert why["_Credits: image taken from a gardening vlog_"].startswith("photo_credit")
    assert not any(t.startswith("Originally published") for t in why)  # a sentence of the text


def test_a_scrape_with_the_page_title_over_a_promotion_its_reviewers_list_and_teasers() -> None:
    prose = ("Hip pain is the general term for pain in or around the hip joint, and it is not "
             "always felt in the hip itself but may be felt in the groin or the thigh.")
    text = "\n\n".join([
        "**Source URL**: https://example.org/health/hip-pain",
        "# Hip Pain: Causes, Treatments, and When to Seek Help",
        "**Description**: Hip pain is pain felt in or around the hip joint. " + prose,
        "Our communities connect people living with chronic conditions. Join us on the app.",
        "* Breast Cancer\n* Migraine\n* Psoriasis",
        "Can't get enough? Connect with us for all things health.",
        "# Everything You Need to Know About Hip Pain", *[prose] * 4,
        "## What causes hip pain?", *[prose] * 4,
        "### How we reviewed this article:",
        "* Get the facts: Women and arthritis. (n.d.).https://example.org/facts.pdf\n"
        "* Mayo Clinic Staff. (2019). Arthritis.http://example.org/arthritis\n"
        "* Musick SR, et al. (2019). Snapping hip syndrome.https://example.org/books/1",
        "Read this article in Spanish.",
        "## related stories", "* How to Treat Cervicalgia\n* Natural Pain Relievers",
        "### Read this next",
        "There are many causes of hip pain when sitting. We explore the types and causes…",
        "Learn about the symptoms of a pinched nerve in the hip and how to relieve them.",
    ]) + "\n"
    document = read_markdown_article(text, "hip.txt", scraped=True)
    assert document.title == "Everything You Need to Know About Hip Pain"
    assert len(document.references) == 3
    assert any("Musick SR" in r for r in document.references.values())
    why = {d.text: d.reason for d in document.dropped}
    assert why["Can't get enough? Connect with us for all things health."].startswith(
        "page_header")
    assert why["### Read this next"].startswith("related_teaser")
    assert why["* Natural Pain Relievers"].startswith("related_teaser")
    assert why["Read this article in Spanish."].startswith("boilerplate")
    bodies = " ".join(s.body for s in split(document).snippets)
    assert "pinched nerve" not in bodies and "communities" not in bodies


def test_a_read_more_label_over_one_link_is_another_story_in_a_scrape() -> None:
    text = ("# Library\n\nThe council met for six hours on Tuesday and agreed to keep the library "
            "open on Sundays.\n\n**Read more:** [A Controversial Plan Is Splitting the Town]"
            "(https://x.example/a)\n\nThe council met again on Friday to open the pool.\n")
    why = reasons(read_markdown_article(text, "x.txt", scraped=True))
    assert why == {5: "related_posts"}


def test_a_jina_scrape_takes_the_dated_headline_and_drops_teasers_with_lost_link_marks() -> None:
    prose = ("While most people associate treasure hunting with pirates, there is treasure "
             "all around us in an old house; we just need to know where to look for it.")
    teasers = "\n\n".join(
        f"### [Another Story Number {n} About Money](https://x.example/{n} \"Another Story\")\n\n"
        f"A blurb about story {n} that says what it is about in a sentence or two, and then a "
        f"little more so that it runs past the usual length of a teaser's blurb text.\n\n"
        f"[- CONTINUE READING -](https://x.example/{n})](https://x.example/{n} \"Another Story "
        f"Number {n} About Money, With a Long Title That Runs On\")" for n in range(3))
    text = "\n\n".join([
        "Title: 7 Places to Find Hidden Treasure Around Your House",
        "URL Source: http://x.example/find-hidden-cash/", "Markdown Content:",
        "# 7 Unexpected Places You Could Find Cash Around Your House", "December 22, 2016",
        *[prose] * 5, "# Top Articles", teasers]) + "\n"
    document = read_markdown_article(text, "cash.txt", scraped=True)
    assert document.title == "7 Unexpected Places You Could Find Cash Around Your House"
    bodies = " ".join(s.body for s in split(document).snippets)
    assert "CONTINUE READING" not in bodies and "Another Story" not in bodies


def test_short_plain_lines_over_steps_in_a_scrape_are_headings_and_a_role_byline_goes() -> None:
    poses = ["Downward-Facing Dog", "Cobra", "Warrior I"]
    steps = ("* Come onto your hands and knees and spread your fingers wide.\n"
             "* Lift your hips high and let your heels drop toward the floor.\n"
             "* Hold for 5 breaths.")
    text = "\n\n".join([
        "# A Guide to Yoga", "## Foundational poses",
        "By Kaitlyn Hochart, aYoga Medicineinstructor based in San Diego. You can follow her "
        "journey at kaitlynhochart.com.",
        "These poses make up the base of most classes, so learn them first and well.",
        *[part for pose in poses for part in (pose, steps)]]) + "\n"
    document = read_markdown_article(text, "yoga.txt", scraped=True)
    assert headings(document)[-3:] == poses
    assert next(b.level for b in document.blocks if b.text == "Cobra") == 3
    assert reasons(document)[5] == "byline"
    # outside a scrape, or with fewer than three such lines, a short line stays text
    assert "Cobra" not in headings(read_markdown_article(text, "yoga.md"))


def test_a_table_framing_a_picture_and_a_drafts_picture_placeholder_are_dropped() -> None:
    text = ("# Country Loaves\n\nA light but nutritious loaf, full of character, from a "
            "long and slow rise overnight.\n\n"
            "| ![Loaf](https://x.example/loaf.jpg) |\n|:--:|\n| *Happy Loaves* |\n\n"
            "1. **Sit on your sit bones**\n\n   Look at your posture from the base of the "
            "spine up.\n\n   (pic sitting with tail tucked)\n2. **Find a neutral head**\n\n"
            "   Move your head too far forward, then back, and settle in between.\n\n"
            "| Day | Flour |\n|-----|-------|\n| 1 | 50 g |\n")
    document = read_markdown_article(text, "loaves.md")
    assert_every_line_once(text, document)
    why = reasons(document)
    assert why[5] == why[6] == why[7] == "image_caption" and why[13] == "placeholder"
    kept = " ".join(b.text or " ".join(b.items) for b in document.blocks)
    assert "Happy Loaves" not in kept and "(pic" not in kept and "| Day | Flour |" in kept


def test_a_wordpress_export_keeps_its_numbered_bold_lines_as_headings() -> None:
    text = ("# Seedlings\n\n<p>I am going to focus on my tomato seedlings in this post, since "
            "they taught me the most.</p>\n"
            "<p><strong>1. I didn't plant enough</strong></p>\n"
            "<p>Many of my plants died at various stages, so I had far too few seedlings.</p>\n"
            "<p><strong>2. I didn't plant enough</strong> <strong>per</strong> "
            "<strong>\"cell\"</strong></p>\n"
            "<p>Many seeds do not sprout, so plant two or three in every cell of the tray.</p>\n"
            "<p><strong>3. I didn't realize I was supposed to take the plastic lid off<br />\n"
            "</strong></p>\n"
            "<p>Once the seeds sprout, the lid comes off, or the seedlings stay too damp.</p>\n")
    document = read_markdown_article(text, "seedlings.md")
    assert headings(document)[1:] == [
        "1. I didn't plant enough", '2. I didn\'t plant enough per "cell"',
        "3. I didn't realize I was supposed to take the plastic lid off"]
    assert not any(b.text.startswith("**:") for b in document.blocks)


def test_bold_step_labels_each_over_their_step_are_numbered_headings() -> None:
    steps = ["Choose the right seeds", "Plant indoors", "Hardening off"]
    text = "# Backyard Tomatoes\n\nSpring is the time to start growing your own tomatoes.\n\n"
    text += "".join(f"**Step {n}:** {name}\n<br>\n\nWater the pots every morning and keep "
                    f"them somewhere warm and bright until the next step.\n\n"
                    for n, name in enumerate(steps, 1))
    document = read_markdown_article(text, "tomatoes.md")
    assert headings(document)[1:] == [f"Step {n}: {name}" for n, name in enumerate(steps, 1)]
    assert {s.kind for s in split(document).snippets if "Water the pots" in s.body} == {"steps"}


def test_a_second_copys_front_matter_inside_the_body_is_metadata() -> None:
    body = "Smoothies are a quick way to recover after training, with protein and fruit."
    text = ("---\ntitle: Smoothies\n---\n\n# Smoothies\n\n" + body + "\n\n---\nlayout: post\n"
            "title: \"Smoothies\"\ncategories: [nutrition, recipes]\nauthor: Team\n---\n\n"
            + body + " Blend them cold.\n\n---\n\nA thematic break above, and this stays.\n")
    document = read_markdown_article(text, "s.md")
    assert_every_line_once(text, document)
    why = reasons(document)
    assert [n for n, r in why.items() if r == "front_matter" and n > 3] == list(range(9, 15))
    assert any("this stays" in b.text for b in document.blocks)


def test_a_bold_signature_line_written_by_the_author_is_a_byline() -> None:
    text = ("# Desk Health\n\nWorking behind a desk is physical, so set it up well and move "
            "often through the day.\n\n<strong>- Written by Emily Coombes (B'Ost Registered "
            "Osteopath - 7416)</strong>\n")
    why = {d.text: d.reason for d in read_markdown_article(text, "desk.md").dropped}
    assert any("Written by Emily" in t and r.startswith("byline") for t, r in why.items())


def test_an_order_the_text_labels_is_content_and_a_trail_is_a_breadcrumb() -> None:
    text = ("# Paying Off Debt\n\nHome › Money › Debt\n\nList your debts from the highest rate "
            "to the lowest and pay the first one down while paying the minimum on the rest.\n\n"
            "**Avalanche order:** Card A → Card B → Car → Student Loan\n")
    document = read_markdown_article(text, "debt.md")
    assert reasons(document) == {3: "breadcrumb"}
    assert any("Avalanche order" in b.text for b in document.blocks)
