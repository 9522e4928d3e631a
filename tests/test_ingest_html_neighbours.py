"""The HTML reader on page shapes where the main-content extractor's scores miss part of the
article: paragraphs beside the chosen container (an article split by a "read more" box), a
list between the repeated segments of a how-to, label-only step lines, a long quote of several
paragraphs, and date, count and copyright lines standing alone. Pages are small invented ones
of the same shape as saved news and how-to pages."""

from __future__ import annotations

import lxml.html
from html_pages import FILLER as _FILLER
from html_pages import page

from newsletter.content.ingest import read_html_article
from newsletter.content.ingest.furniture import furniture_reason
from newsletter.content.split import split


def kept_text(html: str) -> str:
    document = read_html_article(html)
    return " ".join(" ".join((b.lead, b.text, *b.items)) for b in document.blocks)


def story(paragraphs: int, start: int = 0) -> str:
    return "".join(f"<p>Paragraph {n} of the story. {_FILLER}, {n} times over.</p>"
                   for n in range(start, start + paragraphs))


def test_paragraphs_before_a_read_more_box_stay_with_the_article() -> None:
    html = page(
        "<div id='story'><h1>Gardeners rally for the community plots</h1>"
        "<div class='story-body'>"
        "<p><strong>The lead: the city council votes on the plots next week, after a year of "
        "talks with the gardeners who tend them.</strong></p>"
        f"{story(3)}"
        "<div id='read-more'><div id='read-more-link'><a href=''>Read more</a></div>"
        f"<div id='read-more-content'>{story(12, 3)}</div></div></div>"
        "<div class='other-columns'><h2>Other columns</h2><ul>"
        + "".join(f"<li><a href='/c/{n}'>Column number {n} about parks</a></li>"
                  for n in range(6)) + "</ul></div></div>"
    )
    text = kept_text(html)
    assert "The lead: the city council votes" in text
    assert all(f"Paragraph {n} of the story" in text for n in range(15))
    assert "Column number" not in text


def test_a_list_between_the_steps_of_a_how_to_is_kept() -> None:
    steps = "".join(
        f"<div class='mod step'><div class='content'><span class='head'>Step {n}</span>"
        f"<p>Do the {n}th thing with care: press the soil down firmly, water it well and wait a "
        "day before the next step.</p></div></div>" for n in range(1, 7))
    html = page(
        "<h1>How to plant a window box</h1><div class='col-main'>"
        "<div class='mod step'><div class='content lead'><p>A window box brings a garden to a "
        "flat with no garden at all. It needs little room, a few plants and an afternoon, and "
        "it pays back the work all summer long with flowers and herbs.</p></div></div>"
        "<div class='related'><h3>Other people are reading</h3><ul><li><a href='/x'>How to "
        "grow mint</a></li></ul></div>"
        "<div class='mod step'><div class='content'><span class='head'>What You'll Need:</span>"
        "<ul><li>A box</li><li>Compost</li><li>Six small plants</li><li>A trowel</li></ul>"
        f"</div></div>{steps}</div>",
        title="How to plant a window box",
    )
    document = read_html_article(html)
    lists = [b for b in document.blocks if b.kind == "list"]
    assert lists and lists[0].lead == "What You'll Need:"
    assert "Compost" in lists[0].items
    assert "How to grow mint" not in kept_text(html)
    headings = [b.text for b in document.blocks if b.kind == "heading"]
    assert [f"Step {n}" for n in range(1, 7)] == [h for h in headings if h.startswith("Step")]


def test_a_step_label_is_a_heading_even_over_a_short_step() -> None:
    html = page(
        "<article><h1>Repotting a fern</h1>"
        "<p>Ferns outgrow their pots every second spring, and a larger pot with fresh compost "
        "keeps the fronds green and full for the year ahead.</p>"
        "<p>Step 1</p><p>Water the fern the day before.</p>"
        "<p>Step 2</p><p>Ease the root ball out.</p>"
        "<p>Step 3</p><p>Set it in the new pot and fill the sides with compost.</p></article>",
        title="Repotting a fern",
    )
    document = read_html_article(html)
    assert [b.text for b in document.blocks if b.kind == "heading"][1:] == \
        ["Step 1", "Step 2", "Step 3"]


def test_a_long_quote_of_several_paragraphs_can_be_cut_between_them() -> None:
    quoted = "".join(f"<p>Quoted paragraph {n}: {_FILLER}, and the record shows it.</p>"
                     for n in range(8))
    html = page(f"<article><h1>What the report says</h1><p>{_FILLER}.</p>"
                f"<blockquote>{quoted}</blockquote><p>{_FILLER} again.</p></article>",
                title="What the report says")
    document = read_html_article(html)
    quotes = [b for b in document.blocks if b.kind == "quote"]
    assert len(quotes) == 8 and quotes[0].text.startswith("Quoted paragraph 0")
    sizes = [s.words for s in split(document).snippets]
    assert max(sizes) <= 220


def test_a_short_quote_stays_one_quote() -> None:
    html = page("<article><h1>What the report says</h1>"
                f"<p>{_FILLER}.</p><blockquote><p>Plant early.</p><p>Water late.</p></blockquote>"
                f"<p>{_FILLER} again.</p></article>", title="What the report says")
    quotes = [b for b in read_html_article(html).blocks if b.kind == "quote"]
    assert [q.text for q in quotes] == ["Plant early. Water late."]


def test_dates_counts_and_copyright_lines_on_their_own_are_dropped_with_reasons() -> None:
    html = page(
        "<article><h1>Gardeners rally for the community plots</h1>"
        "<div class='entry-info'><span>December 18, 2020</span></div>"
        "<p class='attribution'>Tuesday 15 October 2019 by Jane Doe</p>"
        f"{story(4)}<p class='note'>2 responses</p>"
        "<p class='fine'>Copyright 2020 The Garden Trust</p></article>"
    )
    document = read_html_article(html)
    reasons = {d.text: d.reason for d in document.dropped}
    assert reasons["December 18, 2020"].startswith("dateline")
    assert reasons["Tuesday 15 October 2019 by Jane Doe"].startswith("byline")
    assert reasons["2 responses"].startswith("counter")
    assert reasons["Copyright 2020 The Garden Trust"].startswith("copyright")


def test_a_link_whose_address_holds_parentheses_stays_one_markdown_link() -> None:
    html = page("<article><h1>A study of soil</h1>"
                f"<p>{_FILLER}; the <a href='https://journal.example/S0960(17)30784-4'>findings"
                "</a> were published last week.</p>" + story(3) + "</article>",
                title="A study of soil")
    text = kept_text(html)
    assert "[findings](https://journal.example/S0960%2817%2930784-4) were published" in text


def test_a_paragraph_of_marked_lines_is_a_list_that_snippets_can_cut() -> None:
    lines = "".join(f"<br />+ Added plant number {n} to the catalogue, with care notes"
                    for n in range(60))
    html = page("<div class='post'><h3>What changed in the spring catalogue</h3>"
                f"<p>+ Added the first plant{lines}<br />- Removed the winter ferns<br /></p>"
                "</div>", title="What changed in the spring catalogue")
    document = read_html_article(html)
    lists = [b for b in document.blocks if b.kind == "list"]
    assert len(lists) == 1 and lists[0].items[0] == "Added the first plant"
    assert lists[0].items[-1] == "Removed the winter ferns" and not lists[0].ordered
    sizes = [s.words for s in split(document).snippets]
    assert len(sizes) >= 3 and max(sizes) <= 220


def test_lines_broken_by_br_without_markers_stay_a_paragraph() -> None:
    html = page("<article><h1>A poem for the plots</h1>"
                f"<p>{_FILLER}.</p><p>Roses grow<br />by the gate<br />and the bees come late</p>"
                f"<p>{_FILLER} again.</p></article>", title="A poem for the plots")
    document = read_html_article(html)
    assert not [b for b in document.blocks if b.kind == "list"]
    assert any("Roses grow" in b.text for b in document.blocks)


def _recipe_parts(wrapper: str) -> str:
    ingredients = "".join(f"<li>{n} cups of ingredient number {n}</li>" for n in range(1, 9))
    steps = "".join(f"<h3>Step {n}: Do part {n}</h3><p>Do the {n}th thing with care: cut, boil "
                    "and drain it, then let it rest a minute before the next step.</p>"
                    for n in range(1, 4))
    return (
        f"<div class='{wrapper}'>"
        f"<div class='content'><h2>Background</h2>{story(2)}</div>"
        "<div class='content'><div class='main-body'><div class='blocks'><h2>Ingredients</h2>"
        f"<ul>{ingredients}</ul><div class='text'><div>{story(6, 2)}</div></div></div></div></div>"
        f"<div class='content instructions'><h2>Steps</h2>{steps}</div>"
        "<div class='section email-sign-up'><form><p>Sign up for our recipes</p>"
        "<input type='email'></form></div>"
        f"<div class='content'><h2>Summary</h2>{story(1, 8)}</div></div>")


def test_the_parts_of_a_recipe_page_beside_the_chosen_one_are_kept() -> None:
    text = kept_text(page(_recipe_parts("section blog-content"), title="Salt and pepper tofu"))
    assert "ingredient number 3" in text and "Step 3: Do part 3" in text
    assert all(f"Paragraph {n} of the story" in text for n in range(9))
    assert "Sign up for our recipes" not in text


def test_a_class_naming_what_stands_beside_an_element_does_not_make_it_furniture() -> None:
    def reason(classes: str) -> str:
        return furniture_reason(lxml.html.fragment_fromstring(f"<div class='{classes}'>x</div>"))

    assert reason("PostBundle PostBundle--with-rail") == reason("Post--withToolbar") == ""
    assert reason("has-sidebar") == reason("no-ads") == ""
    assert reason("rail") == "page_furniture: sidebar widget"
    assert reason("post-toolbar") == "page_furniture: navigation widget"


def test_headlines_that_link_to_other_stories_after_the_article_are_teasers() -> None:
    teasers = "".join(
        f"<div class='row'><a href='/news/story-{n}.html'><h5>Another story number {n}</h5></a>"
        f"<p>A line about that other story, number {n}.</p></div>" for n in range(2))
    html = page(f"<article><h1>Gardeners rally</h1>{story(6)}{teasers}</article>")
    document = read_html_article(html)
    assert all(f"Another story number {n}" not in kept_text(html) for n in range(2))
    assert any(d.reason.startswith("related_teaser") for d in document.dropped)
    assert all(f"Paragraph {n} of the story" in kept_text(html) for n in range(6))


def test_a_read_more_link_and_a_byline_with_name_particles_are_dropped() -> None:
    html = page("<article><h1>Gardeners rally</h1><p>By <a href='/author/ana'>Alejandro de la "
                f"Garza</a></p>{story(3)}<p><strong>Read more:</strong> <a href='/other'><em>A "
                f"Controversial Technology Is Creating a Rift</em></a></p>{story(3, 3)}</article>")
    why = {d.text: d.reason for d in read_html_article(html).dropped}
    assert any(t.startswith("By ") and r.startswith("byline") for t, r in why.items())
    assert any("Controversial" in t and r.startswith("related") for t, r in why.items())
    assert all(f"Paragraph {n} of the story" in kept_text(html) for n in range(6))


def test_a_recipe_cards_buttons_and_a_long_affiliate_disclosure_are_furniture() -> None:
    html = page("<article><h1>No bake custard</h1><p>Leaf Health may collect a share of sales "
                "or other compensation from the links on this page. This comes at no additional "
                "cost to you, and all the prices and availability are accurate at the time of "
                f"publishing.</p>{story(4)}<p><a href='/print/1'>Print Recipe</a> "
                f"<a href='/pin/1'>Pin Recipe</a></p>{story(2, 4)}</article>")
    why = {d.text: d.reason for d in read_html_article(html).dropped}
    assert any(r.startswith("disclosure") for r in why.values())
    assert any("Print Recipe" in t and r.startswith("share_row") for t, r in why.items())
    assert all(f"Paragraph {n} of the story" in kept_text(html) for n in range(6))


def test_a_bold_line_after_a_quote_ending_in_a_smiley_heads_the_short_text_under_it() -> None:
    html = page(f"<article><h1>Gardeners rally</h1>{story(4)}"
                "<p>\"No lines at all,\" he said. \"Wish the forecast was wrong every time :)\"</p>"
                "<p><strong>Planes, trains ...</strong></p><p>Delays were reported at several "
                f"airports in the Northeast on Wednesday.</p>{story(4, 4)}</article>")
    headings = [b.text for b in read_html_article(html).blocks if b.kind == "heading"]
    assert "Planes, trains ..." in headings
