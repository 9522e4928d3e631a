"""The HTML reader on a whole news-style page: the article chosen by the extractor, every other
visible text block in ``dropped`` with the rule that left it out, headings recovered from plain
paragraphs, and the title without the site's name."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html

from newsletter.content.ingest import read_article, read_html_article
from newsletter.content.ingest.html import NOT_ARTICLE
from newsletter.content.split import split
from newsletter.models import Document

PAGE = Path(__file__).parent / "data" / "ingest" / "news-page.html"


def squashed(text: str) -> str:
    """Letters and digits only, lower-cased: text compared whatever its spacing and markup."""
    return re.sub(r"[\W_]+", "", text.lower())


def visible_texts(html: str) -> list[str]:
    """Every text node a browser would show (scripts, styles and the head left out)."""
    body = lxml.html.document_fromstring(html).find("body")
    for element in list(body.iter("script", "style", "noscript", "template")):
        element.drop_tree()
    return [t.strip() for t in body.itertext() if squashed(t)]


def accounted_for(document: Document) -> str:
    parts = [document.title, *(d.text for d in document.dropped)]
    for block in document.blocks:
        parts += [block.text, block.lead, *block.items]
    return squashed(" ".join(parts))


def reasons(document: Document) -> dict[str, str]:
    return {d.text: d.reason for d in document.dropped}


def test_the_title_is_the_articles_heading_without_the_sites_name() -> None:
    document = read_article(PAGE)
    assert document.title == "Five ways to keep basil alive on a balcony"
    assert document.blocks[0].kind == "heading" and "¶" not in document.blocks[0].text


def test_every_visible_text_block_is_kept_or_dropped_with_a_reason() -> None:
    document = read_article(PAGE)
    pool = accounted_for(document)
    lost = [t for t in visible_texts(PAGE.read_text("utf-8")) if squashed(t) not in pool]
    assert lost == []
    assert all(d.reason for d in document.dropped)


def test_page_furniture_is_dropped_under_named_rules() -> None:
    document = read_article(PAGE)
    text = " ".join(b.text + " ".join(b.items) for b in document.blocks)
    why = reasons(document)
    expected = {
        "By Rosa Lindqvist": "byline",
        "Updated June 4, 2024 at 9:12 am": "byline",
        "Skip to the main story": "hidden",
        "Home Garden Kitchen Shop": "navigation",
        "Most Read Garden Stories": "related",
        "More herb guides:": "related",
        "© 2024 The Windowsill Gazette": "page_furniture: <footer>",
        "Terracotta dries out fast in the wind. Photo: Ana Ruiz": "caption",
    }
    for furniture, reason in expected.items():
        assert furniture not in text
        assert reason in why[furniture], (furniture, why[furniture])
    assert "Share on Facebook" in next(t for t in why if why[t].endswith("share widget"))
    # the "Most Read" box's links are not the article, as the extractor says
    assert why["[Why your tomatoes split after rain](https://gazette.example.com/garden/tomatoes)"
               " [The beer trap myth, tested](https://gazette.example.com/garden/slugs)"
               ] in (NOT_ARTICLE, "related: links under 'Most Read Garden Stories'")


def test_a_picture_keeps_its_absolute_address_and_alt_text_in_dropped_not_in_the_text() -> None:
    document = read_article(PAGE)
    image = next(d for d in document.dropped if d.reason.startswith("image"))
    assert image.text == ("https://gazette.example.com/img/basil-pots.jpg "
                          "Three terracotta pots of basil on a railing")
    assert "terracotta pots" not in " ".join(b.text for b in document.blocks)


def test_plain_bold_and_numbered_paragraphs_over_text_become_headings() -> None:
    document = read_article(PAGE)
    headings = [(b.text, b.level) for b in document.blocks if b.kind == "heading"]
    assert headings == [
        ("Five ways to keep basil alive on a balcony", 1),
        ("1. Pick a pot bigger than you think", 2),
        ("Water in the morning, at the soil", 2),
        ("Pinch the flowers", 2),
        ("When to bring it inside", 2),
    ]
    rules = {b.text: b.rule for b in document.blocks if b.kind == "heading"}
    assert rules["Pinch the flowers"].startswith("pseudo_heading")


def test_each_recovered_heading_opens_its_own_snippet() -> None:
    content = split(read_article(PAGE), min_words=20)
    openers = {s.section.split(" > ")[-1] for s in content.snippets}
    assert {"Water in the morning, at the soil", "Pinch the flowers"} <= openers


def test_a_line_that_ends_a_sentence_or_leads_a_list_stays_a_paragraph() -> None:
    page = ("<html><body><article><h1>Compost notes</h1>"
            "<p>Start with a bin that has a lid and holes in the base for air and worms.</p>"
            "<p>You will need these things:</p><ul><li>Brown leaves</li><li>Green scraps</li></ul>"
            "<p>That is all.</p><p>Turn the heap every two weeks so that the middle gets air "
            "and the scraps break down evenly before the winter comes.</p>"
            "</article></body></html>")
    blocks = read_html_article(page).blocks
    assert [b.kind for b in blocks] == ["heading", "paragraph", "list", "paragraph", "paragraph"]
    assert blocks[2].lead == "You will need these things:"


def test_nested_lists_stay_nested() -> None:
    page = ("<html><body><article><h1>Seed starting</h1><ul><li>Trays<ul><li>Cell trays</li>"
            "<li>Open flats</li></ul></li><li>Light</li></ul></article></body></html>")
    items = next(b for b in read_html_article(page).blocks if b.kind == "list").items
    assert items == ("Trays", "  Cell trays", "  Open flats", "Light")
    body = split(read_html_article(page), min_words=1).snippets[0].body
    assert "- Trays\n  - Cell trays\n  - Open flats\n- Light" in body


def test_an_id_that_spells_the_sections_heading_does_not_make_it_furniture() -> None:
    page = ("<html><body><article><h1>Notes</h1><div class='section' id='sharing-your-harvest'>"
            "<h2>Sharing your harvest</h2><p>Give away what you cannot eat in a week.</p></div>"
            "<div id='share-buttons'><a href='#'>Share</a></div></article></body></html>")
    document = read_html_article(page)
    assert [b.text for b in document.blocks][1:] == [
        "Sharing your harvest", "Give away what you cannot eat in a week."]
    assert reasons(document)["Share"] == "page_furniture: share widget"


def test_a_layout_table_is_read_as_the_page_and_a_data_table_as_a_table() -> None:
    page = ("<html><body><table><tr><td><h1>Watering</h1><p>Water deeply, then wait.</p></td>"
            "<td><table><tr><th>Plant</th><th>Litres</th></tr><tr><td>Basil</td><td>0.5</td>"
            "</tr></table></td></tr></table></body></html>")
    blocks = read_html_article(page).blocks
    assert [b.rule for b in blocks] == ["html_h1", "html_p", "html_table"]
    assert blocks[2].text.split("\n")[2] == "| Basil | 0.5 |"


def test_paragraphs_a_site_marks_as_behind_its_paywall_are_the_article_and_are_kept() -> None:
    body = "".join(f"<p class='paywall'>Paragraph {n} tells the story of the town and the "
                   f"people who live there, in plain words and some detail.</p>" for n in range(6))
    page = (f"<html><head><title>The town</title></head><body><article><h1>The town</h1>"
            f"<p>The opening paragraph sets the scene for what follows in this story.</p>"
            f"{body}</article></body></html>")
    document = read_html_article(page)
    text = " ".join(b.text for b in document.blocks)
    assert all(f"Paragraph {n} tells" in text for n in range(6))


def test_the_pages_one_headline_edited_after_its_metadata_is_the_title() -> None:
    from newsletter.content.ingest.html import title_of

    metas = [{"property": "og:title", "content": "The pond, the mill and the herons coming back"}]
    headings = ["Marshland Weekly", "The pond comes back: herons return to the mill"]
    assert title_of("The pond, the mill and the herons coming back | Marshland Weekly", metas,
                    headings, ["The pond comes back: herons return to the mill"]
                    ) == "The pond comes back: herons return to the mill"
    # a site's name set as the one <h1> is no headline
    assert title_of("How we rebuilt the sluice | Marsh Tech", [], ["Marsh Tech"],
                    ["Marsh Tech"]) == "How we rebuilt the sluice"


def test_boxes_of_other_stories_after_the_article_are_dropped_and_its_reading_list_stays(
) -> None:
    para = ("<p>The volunteers spent four winters clearing the reeds by hand, and the herons "
            "came back to the mill pond this spring after forty dry summers away.</p>")
    teasers = "".join(f'<li><a href="/story-{n}">Another story about ponds number {n}</a> '
                      f"A short blurb about it.</li>" for n in range(4))
    page = (f"<html><head><title>The pond</title></head><body><article><h1>The pond</h1>"
            f"{para * 4}<h2>Further reading</h2><ul>{teasers}</ul>"
            f"<h3>More stories</h3><ul>{teasers}</ul><p>Loading...</p>"
            f"<h3>Featured</h3><ol>{teasers}</ol></article></body></html>")
    document = read_html_article(page, "pond.html")
    headings = [b.text for b in document.blocks if b.kind == "heading"]
    assert "Featured" not in headings and "More stories" not in headings
    assert "Further reading" in headings or document.references
    assert any("a box of links to other stories" in d.reason for d in document.dropped)


def test_a_picture_viewers_control_and_a_call_to_open_an_embed_are_dropped() -> None:
    para = ("<p>The volunteers spent four winters clearing the reeds by hand, and the herons "
            "came back to the mill pond this spring after forty dry summers away.</p>")
    page = (f"<html><body><article><h1>The pond</h1>{para * 2}"
            '<p><a href="#" onclick="return false;">[+] Enlarge<img src="p.jpg"></a></p>'
            f"{para}<p><strong>READ the warden's full remarks:</strong></p>"
            '<p><object data="https://viewer.example/doc"></object></p>'
            f"{para}</article></body></html>")
    document = read_html_article(page, "pond.html")
    kept = " ".join(b.text for b in document.blocks)
    assert "Enlarge" not in kept and "full remarks" not in kept
    why = {d.text: d.reason for d in document.dropped}
    assert why["[+] Enlarge"].startswith("image_viewer")
    assert why["**READ the warden's full remarks:**"].startswith("link_call")
