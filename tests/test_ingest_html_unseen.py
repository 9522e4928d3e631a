"""The HTML reader on shapes of pages it had not met before: a story whose wrapper's class
names an advert slot, credits and teaser lines at the end of the story, lead-ins in bold that
head each part, boxes inside the text. Pages are small invented ones in the style of saved
blog, news and recipe pages."""

from __future__ import annotations

from html_pages import FILLER as _FILLER
from html_pages import page

from newsletter.content.ingest import read_html_article
from newsletter.content.titles import joined


def story(paragraphs: int, start: int = 0) -> str:
    return "".join(f"<p>Paragraph {n} of the story. {_FILLER}, {n} times over.</p>"
                   for n in range(start, start + paragraphs))


def kept_text(html: str) -> str:
    document = read_html_article(html)
    return " ".join(" ".join((b.lead, b.text, *b.items)) for b in document.blocks)


def test_a_wrapper_named_like_an_advert_slot_around_the_story_keeps_the_story() -> None:
    html = page(
        "<article class='post'><header><h1>Gardeners rally for the community plots</h1>"
        "<p class='byline'>By Jane Doe</p></header>"
        "<div class='eight columns js_ad300-companion'><div class='post-content'>"
        f"{story(6)}</div></div></article>"
    )
    text = kept_text(html)
    assert all(f"Paragraph {n} of the story" in text for n in range(6))
    assert "By Jane Doe" not in text


def picture_box(caption: str) -> str:
    return ("<div class='img-box'><a href='/p.jpg'><picture><img src='/p.jpg' alt=''></picture>"
            f"</a><div class='img-box__text'><div>{caption}</div>"
            "<div>Photograph by Ann Lee, Island Trust</div></div></div>")


def test_parts_of_a_story_between_picture_boxes_all_stay() -> None:
    html = page(
        "<main><article><h1>Gardeners rally for the community plots</h1><div class='main-col'>"
        f"<div class='part'><div>{story(2)}</div></div>{picture_box('The plots in May.')}"
        f"<div class='part'><div>{story(6, 2)}</div></div>{picture_box('A grower at work.')}"
        f"<div class='part'><div><h2>What comes next</h2>{story(2, 8)}</div></div>"
        "</div></article></main>"
    )
    document = read_html_article(html)
    text = kept_text(html)
    assert all(f"Paragraph {n} of the story" in text for n in range(10))
    assert "What comes next" in [b.text for b in document.blocks if b.kind == "heading"]
    assert "The plots in May." not in text and "Photograph by" not in text
    assert {"The plots in May.", "A grower at work."} <= {d.text for d in document.dropped}


def test_lines_that_are_one_link_to_see_another_page_are_dropped_as_teasers() -> None:
    html = page(
        f"<article><h1>Gardeners rally for the community plots</h1>{story(5)}"
        "<p><a href='/pictures'>See our Pictures of the Week.</a></p>"
        "<p><a href='/gallery/plots'>View more photos from the plots</a></p>"
        "<p>See the <a href='/map'>map of the plots</a> before you visit: it shows the gates "
        "that stay open after six.</p></article>"
    )
    document = read_html_article(html)
    text = kept_text(html)
    assert "Pictures of the Week" not in text and "View more photos" not in text
    assert "See the [map of the plots](/map) before you visit" in text
    assert any(d.reason.startswith("related:") and "Pictures of the Week" in d.text
               for d in document.dropped)


def test_paragraphs_opening_with_a_bold_sentence_are_parts_headed_by_it() -> None:
    lessons = "".join(
        f"<p><strong>{lead}</strong> {_FILLER}, and the lesson held for {n} seasons.</p>"
        f"<p>{_FILLER}.</p>"
        for n, lead in enumerate(("Be patient.", "Water at dawn.", "Ask your neighbours.")))
    html = page(f"<article><h1>Gardeners rally for the community plots</h1>{story(2)}"
                f"{lessons}<p><strong>Note:</strong> the plots close in winter.</p></article>")
    document = read_html_article(html)
    headings = [b.text for b in document.blocks if b.kind == "heading"]
    assert headings[1:] == ["Be patient.", "Water at dawn.", "Ask your neighbours."]
    after = document.blocks[[b.text for b in document.blocks].index("Be patient.") + 1]
    assert after.kind == "paragraph" and after.text.startswith("The committee heard")
    assert any(b.kind == "callout" and b.label == "Note" for b in document.blocks)


def test_a_lone_paragraph_opening_in_bold_stays_one_paragraph() -> None:
    html = page(f"<article><h1>Gardeners rally for the community plots</h1>{story(2)}"
                f"<p><strong>The vote is on Monday.</strong> {_FILLER}.</p>{story(2, 2)}"
                "</article>")
    document = read_html_article(html)
    assert [b.text for b in document.blocks if b.kind == "heading"] == [
        "Gardeners rally for the community plots"]


def test_sentence_headings_merged_into_one_title_lose_their_full_stops() -> None:
    assert joined(["Be authentic.", "It’s about people."]) == "Be authentic and It’s about people"
    assert joined(["Why?", "How."]) == "Why? and How"


def test_a_box_of_story_tools_inside_the_text_leaves_no_heading_over_the_story() -> None:
    html = page(
        "<article><h1>Gardeners rally for the community plots</h1><div class='inset'>"
        "<div class='module'><h4>Related Items</h4><ul>"
        + "".join(f"<li><a href='/s/{n}'>Another story about parks, number {n}</a></li>"
                  for n in range(4))
        + "</ul></div><div id='story_tools' class='module'><h4>Story Tools</h4><ul>"
        "<li><a href='javascript:void(window.open(\"/bx\"))'>add to Business Exchange</a></li>"
        "<li class='social'><a href='/mail'>E-mail</a></li></ul></div></div>"
        f"{story(6)}</article>"
    )
    document = read_html_article(html)
    headings = [b.text for b in document.blocks if b.kind == "heading"]
    assert headings == ["Gardeners rally for the community plots"]
    assert "add to Business Exchange" not in kept_text(html)
    why = {d.text: d.reason for d in document.dropped}
    assert why["add to Business Exchange"].startswith("page_control:")
    assert why["Story Tools"].startswith("box_label:")
    assert why["Related Items"].startswith("related:")


def test_a_box_of_text_set_over_a_picture_inside_the_story_is_kept() -> None:
    html = page(
        "<article><h1>Gardeners rally for the community plots</h1><div class='story'>"
        f"{story(4)}<div class='wide-media image_overlay'><img src='/plots.jpg' alt=''>"
        "<div class='overlay'><h3>What the plots grow</h3>"
        f"<p>Beans, squash and maize share the beds. {_FILLER}.</p></div></div>"
        f"{story(4, 4)}</div></article>"
        "<div class='modal'><p>Sign up for our newsletter and get the week's news first, "
        "every Friday morning.</p></div>"
    )
    document = read_html_article(html)
    text = kept_text(html)
    assert "Beans, squash and maize share the beds." in text
    assert "What the plots grow" in [b.text for b in document.blocks if b.kind == "heading"]
    assert "Sign up for our newsletter" not in text


def recipe_card(notes_heading: str, notes: str) -> str:
    return ("<div class='recipe-card'><h2>Basil pesto</h2><ul class='details'>"
            "<li><strong>Prep Time:</strong> 10 minutes</li>"
            "<li><strong>Total Time:</strong> 15 minutes</li>"
            "<li><strong>Yield:</strong> 4 servings</li><li><strong>Cuisine:</strong> Italian</li>"
            "</ul><h3>Ingredients</h3><ul><li>2 cups basil</li><li>1/2 cup olive oil</li>"
            "<li>1/3 cup pine nuts</li></ul>"
            f"<h3>{notes_heading}</h3><ol>{notes}</ol></div>")


def test_a_recipe_cards_notes_are_a_list_and_its_figures_are_dropped() -> None:
    notes = ("<li><strong>Make Ahead:</strong> The pesto keeps in the fridge for a week under a "
             "thin layer of oil, and it freezes well in an ice cube tray.</li>"
             "<li><strong>Nuts:</strong> Walnuts work in place of pine nuts; toast them first "
             "for the best flavour.</li>")
    html = page(f"<article><h1>Basil pesto</h1>{story(4)}{recipe_card('Notes', notes)}"
                "</article>", title="Basil pesto")
    document = read_html_article(html)
    assert document.references == {}
    notes_list = next(b for b in document.blocks if b.kind == "list" and "Make Ahead" in b.items[0])
    assert len(notes_list.items) == 2
    assert "Notes" in [b.text for b in document.blocks if b.kind == "heading"]
    assert "Prep Time" not in kept_text(html)
    assert any(d.reason.startswith("counter:") and "Prep Time" in d.text
               for d in document.dropped)


def test_a_notes_list_of_citations_is_still_the_reference_list() -> None:
    notes = ("<li>Lee A, et al. Basil oils. J Herbs. 2019;4:11.</li>"
             "<li>Ruiz B. Pesto through the ages. Food Hist. 2021;2:5.</li>")
    html = page(f"<article><h1>Basil pesto</h1>{story(4)}<h2>Notes</h2><ol>{notes}</ol>"
                "</article>", title="Basil pesto")
    assert len(read_html_article(html).references) == 2
