"""The text reader on a page dump: every element of a web page on a line of its own, no
blank lines, sentences broken around their links (tests/data/ingest/page-dump.txt)."""

from __future__ import annotations

from pathlib import Path

from newsletter.content.ingest import read_article
from newsletter.content.ingest.fragments import fragment_groups, joined
from newsletter.content.split import split

PAGE = Path(__file__).parent / "data" / "ingest" / "page-dump.txt"


def reasons() -> dict[int, str]:
    return {d.line: d.reason for d in read_article(PAGE).dropped}


def test_the_title_is_the_headline_the_byline_and_date_follow() -> None:
    document = read_article(PAGE)
    assert document.title == ("Rain barrels can halve your summer water bill. Here is how to "
                              "set one up")


def test_menus_above_the_title_and_the_byline_below_it_are_dropped_with_reasons() -> None:
    why = reasons()
    assert all(n in why for n in range(1, 14))  # shop menu, price, section label, repeats
    assert why[15].startswith("age_notice") and why[16].startswith("byline")
    assert why[18].startswith("dateline") and why[19].startswith("boilerplate")


def test_comments_tags_teasers_and_the_bio_after_the_article_are_dropped() -> None:
    why = reasons()
    assert why[42].startswith("related_teaser") and why[44].startswith("author_bio")
    assert all(n in why for n in range(45, 52))  # the reader's comment too
    bodies = " ".join(s.body for s in split(read_article(PAGE)).snippets)
    assert "Great tip" not in bodies and "Tom Reyes" not in bodies


def test_sentences_broken_around_links_and_a_drop_cap_are_whole_again() -> None:
    bodies = " ".join(s.body for s in split(read_article(PAGE)).snippets)
    assert "Every summer, gardeners pay" in bodies
    assert "A single downpipe can fill a 200-litre barrel" in bodies
    assert "plants prefer rain to chlorinated tap water anyway." in bodies
    assert "According to the water company Aqua North, a household" in bodies


def test_lines_after_a_lead_in_are_its_list_and_instructions_are_steps() -> None:
    content = split(read_article(PAGE))
    steps = next(s for s in content.snippets if "Instructions:" in s.body)
    assert steps.kind == "steps"
    assert "- Cut the downpipe" in steps.body
    # a short page still makes a drip of three: what you need may be a snippet of its own
    bodies = "\n".join(s.body for s in content.snippets)
    assert "You will need:\n\n- 1 barrel with lid\n- 1 diverter kit" in bodies


def test_every_line_is_in_a_snippet_or_dropped() -> None:
    document = read_article(PAGE)
    content = split(document)
    placed = {n for s in content.snippets for n in s.lines} | {d.line for d in content.dropped}
    lines = PAGE.read_text("utf-8").splitlines()
    assert {n for n, text in enumerate(lines, 1) if text.strip()} <= placed


def test_fragments_join_only_what_continues_a_sentence() -> None:
    texts = ["Choosing a barrel", "A food-grade barrel keeps out leaves.", "a) first item",
             "Title Here", "A wrapped", "paragraph continues", "here."]
    gaps = [0, 0, 0, 1, 1, 0, 0]
    groups = fragment_groups(texts, gaps)
    assert groups == [[0], [1], [2], [3], [4, 5, 6]]  # a heading stays apart; a) is an item
    assert joined(["E", "very summer", ", we"]) == "Every summer, we"


def test_a_links_text_set_apart_by_blank_lines_rejoins_its_sentence() -> None:
    texts = ["The shop sells them too.", "Many cheap upgrades fail to pass muster",
             "when it comes to real use. We would test them through", "a full lab protocol",
             ", but that is beyond this article.", "Ingredients", "salt and pepper"]
    gaps = [0, 1, 1, 1, 1, 1, 1]
    # a heading-shaped line cannot head a paragraph that opens in lowercase or with a comma;
    # a short heading keeps the lowercase line under it (a list that lost its bullets)
    assert fragment_groups(texts, gaps) == [[0], [1, 2, 3, 4], [5], [6]]


def test_a_lone_by_label_the_name_under_it_and_a_language_picker_are_furniture(
        tmp_path: Path) -> None:
    page = tmp_path / "scrape.txt"
    page.write_text("\n\n".join([
        "   How Rain Barrels Work", "    12 Comments", "     by:", "      Mira Okafor",
        "     March 22, 2021",
        "A barrel under every downpipe turns a nuisance into a free supply of soft water. "
        "Level the ground beside the downpipe, fit a diverter and open the tap once a week "
        "so the water never goes stale.",
        "Free Water?!",
        "One heavy shower fills a 200-litre barrel from a single downpipe, and plants prefer "
        "rain to chlorinated tap water anyway, so the barrel pays for itself in a summer.",
        "Language:English", "© 2021 Garden Weekly. All rights reserved.",
    ]) + "\n", encoding="utf-8")
    document = read_article(page)
    why = {d.text: d.reason for d in document.dropped}
    assert why["by:"].startswith("byline") and why["Language:English"].startswith("widget")
    assert why["Mira Okafor"].startswith("byline")  # the name after "by:", comments above it
    snippets = split(document).snippets
    bodies = " ".join(s.body for s in snippets)
    assert "by:" not in bodies and "Language" not in bodies and "Mira" not in bodies
    assert "**Free Water?!** One heavy shower" in bodies  # a heading, run in as a bold lead


# --- a news page written one paragraph a line, with its labels and links ---------------------

_NEWS = (
    "Title: \nCouncil Votes to Plant Two Thousand Street Trees\n\n\nContent: \n"
    "Updated  - May 2, 2025 09:38 pm BST - Leeds\n\n"
    "   Volunteers planting a lime tree on Park Lane on May 1, 2025.\n"
    "   | Photo Credit: Ann Example\n"
    "The city council on Thursday voted to plant two thousand street trees over the next three "
    "years, most of them in the neighbourhoods with the least shade today.\n"
    "The plan was drawn up after a survey found that some streets had no tree at all within a "
    "walk of five minutes, while others had dozens.\n"
    "EXPLAINED | Why street trees cool a city in summer\n"
    "Residents will be asked which species they want, and the council said it would favour "
    "trees that need little water once they are established.\n"
    "The first planting season starts in November, when the ground is still warm enough for "
    "new roots to grow before winter.\n"
    " Published - May 2, 2025 09:19 pm BST\n"
)


def test_a_news_page_one_paragraph_a_line_keeps_its_paragraphs_apart(tmp_path: Path) -> None:
    path = tmp_path / "news.txt"
    path.write_text(_NEWS, encoding="utf-8")
    document = read_article(path)
    why = {d.line: d.reason.split(":")[0] for d in document.dropped}
    assert document.title == "Council Votes to Plant Two Thousand Street Trees"
    assert why[1] == why[5] == "metadata_header"
    assert why[6] == why[15] == "dateline"
    assert why[8] == "image_caption" and why[9] == "photo_credit"
    assert why[12] == "teaser_link"
    paragraphs = [b.text for b in document.blocks if b.kind == "paragraph"]
    assert len(paragraphs) == 4 and all(p.endswith(".") for p in paragraphs)
    assert not [b for b in document.blocks if b.kind == "heading" and "|" in b.text]


def test_a_playlist_whose_entries_repeat_the_same_labels_is_dropped_as_a_widget() -> None:
    from newsletter.content.ingest import read_text_article

    entries = [f"Video Ad Feedback\nClip number {n} about the trial\n0{n}:29\nNow playing\n"
               "- Source:\nThe Channel" for n in range(1, 6)]
    prose = ("The witness spoke for four hours, and the judge warned the lawyers twice about "
             "the length of their questions before the court rose for the day.")
    text = ("Council vote runs late into the night\nUpdated\n9:15 PM CST, Tue March 4, 2025\n"
            + "\n".join(entries) + f"\n{prose}\n{prose.replace('four', 'five')}\n"
            "Ingredients:\nTwo eggs\nOne cup of milk\nInstructions:\n" + prose + "\n")
    document = read_text_article(text)
    why = {d.line: d.reason for d in document.dropped}
    assert {why[n].split(":")[0] for n in range(4, 34)} == {"widget", "number_only"}
    assert why[5].startswith("widget")  # an entry's title goes with its labels
    assert why[3].startswith("dateline")
    kept = "\n".join(b.text + "\n".join(b.items) for b in document.blocks)
    assert "Two eggs" in kept and "The witness spoke" in kept


def test_a_page_dumps_short_lines_after_the_article_are_chrome_its_last_section_is_not() -> None:
    from newsletter.content.ingest import read_text_article

    paras = [f"Fetching resource number {n} takes one call, and the answer comes back as a "
             "promise that the page can wait for without blocking anything else." for n in range(4)]
    code = "\n".join(f"var part{n} = response.clone();" for n in range(14))
    menu = "\n".join(["Newsletters", "Reviews", "Contact", "Jobs", "RSS feeds", "Advertise",
                      "Privacy Policy", "Careers", "Store", "Help", "Press", "Archive"])
    text = (f"A better way to fetch\nBy Jane Doe\n{paras[0]}\n{paras[1]}\n{paras[2]}\n{code}\n"
            f"Streams and cloning\n{paras[3]}\nThe answer can be read once, so remember:\n"
            f"Clone it first\nRead the clone\nKeep the original\n{menu}\n")
    document = read_text_article(text)
    chrome = {d.line for d in document.dropped if d.reason.startswith("page_chrome")}
    lines = text.split("\n")
    assert chrome == set(range(lines.index("Newsletters") + 1, len(lines)))
    kept = "\n".join(b.text + "\n".join(b.items) for b in document.blocks)
    assert "Streams and cloning" in kept and "Keep the original" in kept


def test_a_menu_of_one_word_lines_under_the_title_is_not_glued_to_the_title() -> None:
    from newsletter.content.ingest import read_text_article

    para = ("A wooden frame makes a small shelf that needs little care, and the boards "
            "inside it keep their shape for years without any help from you.")
    text = ("How to Build a Bookshelf | Crafts Site\nkids\nstyle\nfood\ntech\nhome\n"
            + "\n".join(f"{para} Part {n}." for n in range(4)) + "\n")
    title = read_text_article(text).title
    assert title.startswith("How to Build a Bookshelf") and "kids" not in title


def _long_menu_page(headline: str, under_headline: list[str]) -> str:
    """A page dump whose menus and teasers run past the first third of the page."""
    menu = [f"Section {word}" for word in ("Alder", "Birch", "Cedar", "Damson", "Elm")] * 12
    teasers = ["Seven quiet gardens to visit before the frost arrives",
               "Our critic names the season's most surprising soup",
               "Letters to the Editor"]
    para = ("The pond behind the mill fills every spring, and the families who keep the "
            "meadow around it clear the reeds by hand before the herons come back.")
    body = [f"{para} Year {n}." for n in range(6)]
    return "\n".join(menu + teasers + [headline, *under_headline] + body) + "\n"


def test_a_page_dumps_title_is_the_headline_above_its_byline_though_menus_fill_a_third(
) -> None:
    from newsletter.content.ingest import read_text_article

    headline = "Volunteers bring the old mill pond back to life after forty dry summers"
    text = _long_menu_page(headline, ["By Mara Quillon", "March 3, 2021 at 6:01 am"])
    assert read_text_article(text).title == headline


def test_a_page_dumps_title_is_above_its_standfirst_not_the_standfirst() -> None:
    from newsletter.content.ingest import read_text_article

    headline = "The mill pond comes back to life after forty summers"
    standfirst = "Volunteers spent four winters clearing reeds and rebuilding the old sluice"
    text = _long_menu_page(headline, [standfirst, "Mara Quillon", "Friday 25 December 2015"])
    assert read_text_article(text).title == headline


def test_a_byline_behind_a_comment_mark_is_a_byline() -> None:
    from newsletter.content.ingest.noise import is_byline

    assert is_byline("// By Mara Quillon • Nov 11, 2020")
    assert is_byline("— By Mara Quillon")
    assert not is_byline("// Press enter to search")


def test_a_page_dumps_list_of_its_own_headings_is_its_table_of_contents() -> None:
    from newsletter.content.ingest import read_text_article

    sections = ["Why ponds silt up", "Clearing the reeds", "Rebuilding the sluice",
                "Keeping it clear"]
    para = ("The water slows where the reeds grow thick, and what it carries settles on the "
            "bottom until the pond is a marsh within a few dry summers of neglect.")
    text = "\n".join(["Saving the mill pond", "By Mara Quillon", *sections]
                     + [line for name in sections for line in (name, para, f"Again, {para}")]
                     ) + "\n"
    document = read_text_article(text)
    contents = {d.line for d in document.dropped if d.reason.startswith("table_of_contents")}
    assert contents == {3, 4, 5, 6}
    headings = [b.text for b in document.blocks if b.kind == "heading"]
    assert headings == ["Saving the mill pond", *sections]


def test_numbered_headlines_with_prose_between_them_are_sections_not_one_list() -> None:
    from newsletter.content.ingest import read_text_article

    prose = ("Ask at the desk before you unpack, because the staff know which rooms were "
             "cleaned last and which ones still wait for the morning crew to come round.")
    tips = ["By Mara Quillon", "March 3, 2021", prose, "1. Check the window latch",
            prose.replace("Ask", "Look"), "Keep the curtains closed", "2. Skip the wooden rack",
            prose.replace("Ask", "Think"), prose.replace("Ask", "Wait"),
            "3. Carry a spare key card", prose.replace("Ask", "Call")]
    document = read_text_article(_long_menu_page("Five things a hotel porter knows", tips))
    headings = [b.text for b in document.blocks if b.kind == "heading"]
    assert {"1. Check the window latch", "2. Skip the wooden rack",
            "3. Carry a spare key card"} <= set(headings)
    assert not any(b.kind == "list" for b in document.blocks)


def test_share_rows_and_more_stories_headings_of_a_page_dump_are_furniture() -> None:
    from newsletter.content.ingest import read_text_article
    from newsletter.content.ingest.noise import RELATED_HEADING, is_boilerplate

    assert all(is_boilerplate(t) for t in ("Reblog", "More", "Like It, Share It!", "Read more"))
    assert not any(is_boilerplate(t) for t in ("Save the date", "More than a meal"))
    assert all(RELATED_HEADING.match(t) for t in (
        "What to Read Next", "More garden news:", "Most Read Local Stories", "Latest stories"))
    headline = "Volunteers bring the old mill pond back to life after forty dry summers"
    text = _long_menu_page(headline, ["By Mara Quillon", "Reblog", "Share", "Tweet", "More"])
    text += "More garden news:\nSeven hedges that feed the birds all winter\nWhat to Read Next\n"
    document = read_text_article(text)
    kept = " ".join(b.text for b in document.blocks)
    assert "Reblog" not in kept and "More garden news" not in kept
    assert "What to Read Next" not in kept and "Seven hedges" not in kept


def test_a_line_of_nothing_but_ways_to_reach_the_author_is_a_contact_line() -> None:
    from newsletter.content.ingest.noise import is_author_contact

    assert is_author_contact("206-555-0100 or mara@example.com; on Twitter:")
    assert is_author_contact("On Twitter: @maraquillon")
    assert not is_author_contact("Call 555-0100 to book your visit")
    assert not is_author_contact("Phone: 555-0100")  # a pitch's phone number stays with it
    assert not is_author_contact("or")


def test_a_short_heading_in_hard_wrapped_page_text_opens_its_section() -> None:
    """A page whose paragraphs are broken into short lines: the heading between two
    paragraphs is neither glued to the next sentence nor taken for the caption of the
    picture credited under it."""
    from newsletter.content.ingest import read_text_article

    wrapped = ("The sluice was rebuilt from oak the village\nfelled itself, and the gate now "
               "swings\nwithout a sound when the water rises.\n")
    text = _long_menu_page("Volunteers bring the old mill pond back to life after forty "
                           "dry summers", ["By Mara Quillon"])
    text += (wrapped + "In use\nMara Quillon/Field Photo Agency\n" + wrapped
             + "Wrap-up\nUltimately, the pond is\nfull again and the herons are back.\n")
    document = read_text_article(text)
    headings = [b.text for b in document.blocks if b.kind == "heading"]
    assert "In use" in headings and "Wrap-up" in headings
    assert any(b.text.startswith("Ultimately, the pond is full again") for b in document.blocks)


def test_a_heading_right_above_another_in_a_page_dump_opens_a_group_of_subsections() -> None:
    from newsletter.content.ingest import read_text_article
    from newsletter.content.split import split

    para = ("The sluice gate lets the water out slowly in the spring, so the meadow below "
            "floods a little each year and never all at once after heavy rain. ")
    groups = {"Parts of the pond": ["The sluice", "The overflow"],
              "Keeping it healthy": ["Reeds", "Silt"]}
    lines = ["Saving the mill pond", "By Mara Quillon", para * 2]
    for group, subsections in groups.items():
        lines.append(group)
        for name in subsections:
            lines += [name, para * 2 + name + "."]
    content = split(read_text_article("\n".join(lines) + "\n"))
    sections = {s.title: s.section for s in content.snippets}
    assert sections["The overflow"] == "Parts of the pond > The overflow"
    assert sections["Silt"] == "Keeping it healthy > Silt"
    assert not any(d.text == "Parts of the pond" and "no text" in d.reason
                   for d in content.dropped)


def test_a_page_dumps_short_headline_over_a_standfirst_sentence_is_the_title() -> None:
    from newsletter.content.ingest import read_text_article

    headline = "Mara Quillon: Keeper of the Pond"
    standfirst = ("The volunteer has spent four winters clearing the reeds by hand, and the "
                  "herons came back this spring.")
    text = _long_menu_page(headline, [standfirst, "By", "Mara Quillon"])
    assert read_text_article(text).title == headline


def test_a_byline_of_a_name_with_its_handle_and_a_dotted_date_marks_the_headline() -> None:
    from newsletter.content.ingest import read_text_article

    headline = "The mill pond review: a meadow that keeps up with the seasons"
    standfirst = "But only patient walkers will see the herons."
    text = _long_menu_page(headline, [standfirst, "Mara Quillon, @maraq", "11.03.17 in Gardens"])
    text = text.replace("Letters to the Editor", "Gallery: The mill pond | 14 Photos")
    document = read_text_article(text)
    assert document.title == headline
    why = {d.text: d.reason for d in document.dropped}
    assert why["11.03.17 in Gardens"].startswith("dateline")


def test_a_page_dumps_headline_said_again_as_its_h1_and_contents_entry_is_the_title() -> None:
    from newsletter.content.ingest import read_text_article

    text = _long_menu_page("The Old Mill Pond", [
        "« Previous :: Contents »", "The Old Mill Pond¶", "Contents", "The Old Mill Pond",
        "Clearing the reeds by hand", "Example 4: Bob rebuilds the old sluice gate with oak"])
    assert read_text_article(text).title == "The Old Mill Pond"


def test_a_most_read_box_inside_a_page_dump_is_dropped_headline_by_headline() -> None:
    from newsletter.content.ingest import read_text_article

    headline = "Volunteers bring the old mill pond back to life after forty dry summers"
    box = ["Most Read Business Stories", "Housing market splits into two different pieces",
           headline, "How to stop robocall spammers and exact revenge | Tech Review"]
    text = _long_menu_page(headline, ["By Mara Quillon", "March 3, 2021 at 6:01 am"])
    lines = text.splitlines()
    text = "\n".join(lines[:-3] + box + lines[-3:] + ["topleftpixel.com",
                                                      "Gallery: The mill pond | 14 Photos"]) + "\n"
    why = {d.text: d.reason for d in read_text_article(text).dropped}
    assert all(why[line].startswith("related_posts") for line in box)
    assert why["topleftpixel.com"].startswith("url_only")
    assert why["Gallery: The mill pond | 14 Photos"].startswith("counter")


def test_a_line_with_a_permalink_sign_is_a_heading_even_among_short_lines() -> None:
    from newsletter.content.ingest import read_text_article

    text = _long_menu_page("The Old Mill Pond", [
        "Clearing the reeds¶", "$ cd pond", "$ rake --all", "Rebuilding the sluice¶"])
    document = read_text_article(text)
    headings = [b.text for b in document.blocks if b.kind == "heading"]
    assert "Clearing the reeds" in headings and "Rebuilding the sluice" in headings


def test_a_page_title_with_the_sites_name_gives_way_to_the_bare_headline_below_it() -> None:
    from newsletter.content.ingest import read_text_article

    headline = "Volunteers bring the old mill pond back to life after forty dry summers"
    text = _long_menu_page(f"{headline} | The Valley Times", [
        "By Mara Quillon", "March 3, 2021 at 6:01 am", "Share", headline])
    assert read_text_article(text).title == headline


def test_the_headline_the_page_title_repeats_wins_over_a_teaser_above_it() -> None:
    from newsletter.content.ingest import read_text_article

    headline = "The mill pond review: a meadow that keeps up with the seasons"
    teaser = "Our critic names the season's most surprising soup of the autumn fair"
    text = _long_menu_page(headline, ["But only patient", "walkers will see the herons.",
                                      "Mara Quillon", "11.03.17 in", "Gardens"])
    text = f"{headline}\n" + text.replace(headline, f"{teaser}\n{headline}")
    document = read_text_article(text)
    assert document.title == headline
    why = {d.text: d.reason for d in document.dropped}
    assert why["Mara Quillon"].startswith("byline")  # under the standfirst
    assert why["11.03.17 in"].startswith("dateline")  # the section's link on the next line
    bodies = " ".join(s.body for s in split(document).snippets)
    assert "But only patient walkers will see the herons." in bodies  # not glued to the title


def test_the_authors_name_heading_the_bio_box_at_the_end_is_the_bio() -> None:
    from newsletter.content.ingest import read_text_article

    text = _long_menu_page("Volunteers bring the old mill pond back to life", [
        "By Mara Quillon", "March 3, 2021 at 6:01 am"])
    text += "Mara Quillon\n@maraq\nMara has written about ponds and meadows since 2009.\n"
    why = {d.text: d.reason for d in read_text_article(text).dropped}
    assert why["Mara Quillon"].startswith("author_bio")
    assert why["Mara has written about ponds and meadows since 2009."].startswith("author_bio")


def test_a_credit_under_a_picture_is_not_glued_to_the_paragraph_after_it() -> None:
    from newsletter.content.ingest import read_text_article

    text = _long_menu_page("Volunteers bring the old mill pond back to life", [
        "By Mara Quillon", "March 3, 2021 at 6:01 am"])
    text += ("Pricing and the sluice\nMara Quillon/AOL\nThe biggest cost of the new sluice is "
             "its oak\ngate, which took a year to season in the barn by the meadow.\n")
    document = read_text_article(text)
    why = {d.text: d.reason for d in document.dropped}
    assert why["Mara Quillon/AOL"].startswith("photo_credit")
    assert "Pricing and the sluice" in [b.text for b in document.blocks if b.kind == "heading"]


def test_the_headline_the_page_title_repeats_wins_over_a_repeated_menu_entry() -> None:
    from newsletter.content.ingest import read_text_article

    headline = "Volunteers bring the old mill pond back to life"
    menu = [f"Section {word}" for word in ("Alder", "Birch", "Cedar", "Damson", "Elm")] * 12
    para = ("The pond behind the mill fills every spring, and the families who keep the "
            "meadow around it clear the reeds by hand before the herons come back.")
    lines = [headline, "SUBSCRIBE NOW", "to get home delivery", *menu, "Sign in with Google",
             "Sign in FAQ", "Sign in with Google", "Share This Story!", headline,
             *[f"{para} Year {n}." for n in range(6)]]
    document = read_text_article("\n".join(lines) + "\n")
    assert document.title == headline


def test_a_credit_whose_name_is_on_the_next_line_marks_the_caption_above_it() -> None:
    from newsletter.content.ingest import read_text_article

    text = _long_menu_page("Volunteers bring the old mill pond back to life", [
        "By Mara Quillon", "March 3, 2021 at 6:01 am"])
    text += ("Goats on the meadow before they were moved to the farm.\nPhotograph by\n"
             "Jane Doe, Pond Trust\nThe first step was moving the goats off the meadow, which "
             "took the volunteers two whole months.\n")
    why = {d.text: d.reason for d in read_text_article(text).dropped}
    assert why["Photograph by"].startswith("photo_credit")
    assert why["Jane Doe, Pond Trust"].startswith("photo_credit")
    assert why["Goats on the meadow before they were moved to the farm."].startswith(
        "image_caption")


def test_a_caption_without_a_full_stop_a_blank_line_above_its_credit_is_a_caption() -> None:
    from newsletter.content.ingest import read_text_article

    para = ("The pond behind the mill fills every spring, and the families who keep the "
            "meadow clear the reeds by hand before the herons come back.")
    caption = "Mara Quillon wades into the pond near the sluice on a reopened path, Aug. 11"
    for blanks in ("\n\n", "\n\n\n"):
        text = (f"Volunteers bring the old mill pond back to life\n\nBy Mara Quillon\n\n"
                f"{caption}{blanks}Win McNamee / Getty Images\n\n9:39AM BST 05 Oct 2011\n\n"
                f"{para}\n\n{para}\n")
        why = {d.text: d.reason for d in read_text_article(text).dropped}
        assert why[caption].startswith("image_caption")
        assert why["9:39AM BST 05 Oct 2011"].startswith("dateline")


def test_a_page_titles_headline_that_ends_with_a_full_stop_is_the_title_without_the_site(
) -> None:
    from newsletter.content.ingest import read_text_article

    headline = "Wild goats ruled this island for a century. Now, it is being reborn."
    menu = ["Skip to main content", "Explore", "New", "Register", "Magazine subscription",
            "The Valley Times", "Environment"]
    para = ("The pond behind the mill fills every spring, and the families who keep the "
            "meadow around it clear the reeds by hand before the herons come back.")
    lines = [f"{headline} | The Valley Times", *menu, headline,
             *[f"{para} Year {n}." for n in range(6)]]
    assert read_text_article("\n".join(lines) + "\n").title == headline


def write_page(path: Path, lines: list[str]) -> Path:
    """A scraped page written one element a line, as a page dump has it."""
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_count_and_a_by_label_under_the_headline_join_no_sentence_without_blank_lines(
        tmp_path: Path) -> None:
    paragraphs = [f"Step {n} of the set-up takes an afternoon, and the barrel pays for itself "
                  f"in a summer of watering, so start with the ground under the downpipe."
                  for n in range(1, 9)]
    page = write_page(tmp_path / "scrape.txt", [
        "   How Rain Barrels Work", "    12 Comments", "     by:", "      Mira Okafor",
        "     March 22, 2021", *paragraphs, "Free Water?!", *paragraphs[:3],
    ])
    document = read_article(page)
    assert document.title == "How Rain Barrels Work"
    why = {d.text: d.reason for d in document.dropped}
    assert why["12 Comments"].startswith("boilerplate") and why["by:"].startswith("byline")
    assert why["Mira Okafor"].startswith("byline")


def test_a_box_glued_to_the_next_heading_gives_it_back_and_the_comments_end_the_page(
        tmp_path: Path) -> None:
    prose = ("Google Home answered more of our questions than the Echo did, and it remembered "
             "the question before, which made follow-ups feel natural in daily use.")
    page = write_page(tmp_path / "scrape.txt", [
        "How-To Geek", "Subscribe", "FOLLOW US", "GET UPDATES BY EMAIL", "RSS", "Search",
        "Amazon Echo vs. Google Home: Which One Should You Buy?", "", prose, "",
        "RELATED ARTICLES", "How to Set Up Your Amazon Echo", "How to Set Up Google Home",
        "Google Home is Much More Knowledgeable", "", prose, "", prose, "",
        "RELATED ARTICLE", "The Echo Is What Makes Smarthome Worthwhile", "", prose, "",
        "Both Have Decent Speakers", "", prose, "", prose, "", prose, "",
        "JOIN THE DISCUSSION (7 REPLIES)", "Tweet", "", "Craig is a writer who loves gadgets.",
    ])
    document = read_article(page)
    assert document.title == "Amazon Echo vs. Google Home: Which One Should You Buy?"
    headings = [b.text for b in document.blocks if b.kind == "heading"]
    assert "Google Home is Much More Knowledgeable" in headings
    assert "Both Have Decent Speakers" in headings
    why = {d.text: d.reason for d in document.dropped}
    assert why["How to Set Up Google Home"].startswith("related_posts")
    assert why["The Echo Is What Makes Smarthome Worthwhile"].startswith("related_posts")
    assert "JOIN THE DISCUSSION (7 REPLIES)" in why
    assert "Craig is a writer who loves gadgets." in why


def test_a_docs_page_dump_takes_its_first_permalinked_heading_and_no_code_line_heads(
        tmp_path: Path) -> None:
    prose = ("First, you need the training data. We suggest annotating a few pages by hand "
             "before you train anything, so the model has examples to learn from.")
    page = write_page(tmp_path / "docs.txt", [
        "      Webstruct", "        latest", "        * Tutorial", "        * Reference",
        "          * Docs »", "          * Edit on GitHub", "",
        "            Tutorial¶", "", f"            {prose}", "",
        "              Get annotated data¶", "", f"              {prose}", "",
        "                  import webstruct",
        "                  trees = webstruct.load_trees(\"train/*.html\")", "",
        f"              {prose}", "", "              Training¶", "", f"              {prose}",
    ])
    document = read_article(page)
    assert document.title == "Tutorial"
    assert "* Edit on GitHub" in {d.text for d in document.dropped}
    headings = [b.text for b in document.blocks if b.kind == "heading"]
    assert not any("webstruct" in h for h in headings)
