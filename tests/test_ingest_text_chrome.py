"""The scraped-text reader on a page scraped with its site chrome (menu, breadcrumbs, byline,
cookie bar, related posts, sign-up box) and a FAQ under a heading that is not called FAQ."""

from __future__ import annotations

from pathlib import Path

from newsletter.content.ingest import read_article, read_markdown_article, read_text_article
from newsletter.content.ingest.lines import clean_line
from newsletter.content.split import split
from newsletter.models import Document

ARTICLE = Path(__file__).parent / "data" / "ingest" / "scraped-with-chrome.txt"


def assert_every_line_once(text: str, document: Document) -> None:
    non_blank = {n for n, raw in enumerate(text.split("\n"), 1) if clean_line(raw)}
    placed = [n for block in document.blocks for n in block.lines]
    placed += [d.line for d in document.dropped]
    assert sorted(placed) == sorted(non_blank)


def reasons(path: Path = ARTICLE) -> dict[int, str]:
    return {d.line: d.reason for d in read_article(path).dropped}


def test_site_chrome_before_the_article_is_dropped_and_the_title_is_the_first_heading() -> None:
    document = read_article(ARTICLE)
    lines = ARTICLE.read_text(encoding="utf-8").split("\n")
    assert document.title == lines[4]
    why = reasons()
    assert why[1].startswith("cookie_notice")
    assert why[2].startswith("navigation")
    assert why[3].startswith("breadcrumb")
    assert why[6].startswith("byline")
    assert_every_line_once(ARTICLE.read_text(encoding="utf-8"), document)


def test_related_posts_and_the_sign_up_box_are_dropped_with_reasons() -> None:
    why = reasons()
    assert all(why[n].startswith("related_posts") for n in (66, 67, 68))
    assert all(n in why for n in (70, 71, 72))
    content = split(read_article(ARTICLE))
    assert not any(n in s.lines for s in content.snippets for n in range(59, 74))


def test_questions_under_a_plain_heading_are_faq_snippets_titled_by_their_questions() -> None:
    content = split(read_article(ARTICLE))
    faqs = [s for s in content.snippets if s.kind == "faq"]
    # two short answers are answered together, under both questions
    assert " ".join(s.title for s in faqs) == ("Is napping good for parents? "
                                               "How late is too late for a nap?")
    assert all("nap" not in s.body.lower() for s in content.snippets if s.kind != "faq"
               and s.kind != "cta")
    assert 45 not in {d.line for d in content.dropped}


def test_a_single_question_heading_is_not_turned_into_a_faq() -> None:
    text = ("Guide Title\n\nOverview\n\nWhy bother?\n\n" + "A plain answer here. " * 5
            + "\n\nNext Part\n\nMore text here for the reader.\n")
    document = read_text_article(text)
    assert not [b for b in document.blocks if b.kind == "question"]


def test_lettered_items_are_a_list() -> None:
    document = read_article(ARTICLE)
    lettered = next(b for b in document.blocks if 31 in b.lines)
    assert lettered.kind == "list" and lettered.ordered and len(lettered.items) == 3
    assert lettered.items[0].startswith("Set a fixed")


def test_a_reference_mixing_text_and_a_url_keeps_both() -> None:
    document = read_article(ARTICLE)
    assert document.references["1"] == "National Sleep Survey 2022, https://example.org/sleep-survey"
    assert document.references["3"].startswith("Smith et al.")


def test_prose_that_only_looks_like_chrome_is_kept() -> None:
    text = ("Title Here\n\nBy the way, the home is where the heart is, so keep it tidy.\n\n"
            "We use a simple method at home to keep the cookies fresh for a week or more.\n")
    document = read_text_article(text)
    assert not document.dropped


def test_a_dateline_with_its_update_time_is_dropped_and_prose_about_dates_is_kept() -> None:
    text = ("Title Here\n\n"
            "on December 27, 2014 at 12:06 PM, updated December 27, 2014 at 12:10 PM\n\n"
            "Chia seeds and goji berries were the most searched foods of the year, by far.\n\n"
            "On May 2, 2024 the clinic opened its doors, and patients came from all over town.\n\n"
            "Last Updated: January 2026\n")
    document = read_text_article(text)
    assert [d.line for d in document.dropped] == [3, 9]
    assert document.dropped[0].reason.startswith("dateline")


def test_bylines_written_after_the_name_or_with_a_follow_link_are_dropped() -> None:
    text = ("Title Here\n\n[Jane Doe](https://site.example/jane) By\n\n"
            "Chia seeds and goji berries were the most searched foods of the year, by far.\n\n"
            "By the end of the year most people had tried at least one of the two.\n\n"
            "-- By Jane Doe [Follow @janedoe](https://social.example/janedoe)\n")
    document = read_text_article(text)
    assert {d.line for d in document.dropped if d.reason.startswith("byline")} == {3, 9}


def test_a_byline_with_the_date_and_links_to_write_or_follow_the_author_is_dropped() -> None:
    text = ("Title Here\n\n"
            "By [Jane Doe](https://site.example/jane) March 18 at 12:22 PM "
            "[ ](mailto:jane@site.example?subject=Reader feedback) "
            "[Follow @janedoe](https://social.example/janedoe)\n\n"
            "by [John Roe](https://site.example/john) - Apr 16, 2015 8:02 pm UTC\n\n"
            "By March the team had grown to twelve people, and the office was too small.\n\n"
            "By Monday, the results were in and they were better than anyone expected.\n")
    document = read_text_article(text)
    assert {d.line for d in document.dropped if d.reason.startswith("byline")} == {3, 5}
    assert "By March the team" in document.blocks[-2].text


def test_a_byline_set_as_a_list_of_author_source_and_date_is_dropped() -> None:
    text = ("# Title Here\n\n  * by: Jane Doe\n  * **From:** The Daily Paper\n"
            "  * March 13, 2015 9:00PM\n\n"
            "A long first paragraph of the article that says what the article is about.\n\n"
            "  * Buy the shoes that fit you best\n  * From: the shop that knows your feet\n")
    document = read_markdown_article(text, scraped=True)
    assert [d.line for d in document.dropped if d.reason.startswith("byline")] == [3, 4, 5]
    assert any(b.kind == "list" and "Buy the shoes" in b.items[0] for b in document.blocks)


def test_headlines_that_link_to_other_stories_with_their_blurbs_are_dropped_as_teasers() -> None:
    body = " ".join(["The article has a paragraph that is long enough to be the article."] * 3)
    text = (f"# Title Here\n\n{body}\n\n## More stories\n\n## Other Columns\n\n"
            "#### [First other story](/news/first-story)\n\nA short blurb for the first.\n\n"
            "#### [Second other story](/news/second-story)\n\nA short blurb for the second.\n\n"
            "## Our own section\n\n" + body + "\n")
    document = read_markdown_article(text, scraped=True)
    teasers = [d.line for d in document.dropped if d.reason.startswith("related_posts")]
    assert teasers == [5, 7, 9, 11, 13, 15]
    assert [b.text for b in document.blocks if b.kind == "heading"][-1] == "Our own section"


def test_a_share_row_and_the_authors_bio_after_the_reference_list_are_dropped() -> None:
    prose = ("Cold water pulls out less acid than hot water does, which is why the drink "
             "tastes smooth and sweet even without milk or sugar in the glass.")
    text = ("How to Make Cold Brew\n\n" + "\n\n".join(f"{prose} Note {n}." for n in range(6))
            + "\n\nReferences\n\n1. Smith, J. (2018). Acidity of cold brew. Food, 8, 1.\n"
            "\nShare this article\nFacebook  X  Pinterest  Email\n\nAbout the author\n"
            "Jane Doe is head of coffee education at a roastery and has trained baristas for "
            "twelve years.\n\nLeave a comment\nYour email address will not be published.\n")
    document = read_text_article(text)
    kept = " ".join(b.text for b in document.blocks if b.kind != "reference")
    assert "Pinterest" not in kept and "trained baristas" not in kept
    why = {d.line: d.reason.split(":")[0] for d in document.dropped}
    lines = text.splitlines()
    assert why[lines.index("About the author") + 1] == "author_bio"
    assert why[lines.index("About the author") + 2] == "author_bio"
    assert len(document.references) == 1


def test_a_share_row_of_network_names_after_the_byline_is_dropped() -> None:
    from newsletter.content.ingest import read_text_article

    text = ("How to Set Up a Desk\n\nBy Sam Patel | March 3, 2025\nShare: Facebook Twitter "
            "LinkedIn Email\n\nWorking from home on a kitchen chair costs more than you think, "
            "and most fixes cost less than a dinner out.\n\nPost your photos on Facebook and "
            "Instagram.\n")
    why = {d.text: d.reason for d in read_text_article(text).dropped}
    assert why["Share: Facebook Twitter LinkedIn Email"].startswith("share_row")
    assert "Post your photos on Facebook and Instagram." not in why


def test_a_box_of_sponsored_stories_after_the_article_ends_it_with_the_tags_above_it() -> None:
    from newsletter.content.ingest import read_text_article

    para = ("The pond behind the mill fills every spring, and the families who keep the "
            "meadow around it clear the reeds by hand before the herons come back.")
    ads = ["Promoted Links Promoted Links", "Babbel",
           "A million people are using this app to learn a new language. Try it today.",
           "Are you a strategic thinker? Test your skills with millions of players online.",
           "Undo"]
    text = "\n\n".join(["The Mill Pond", *[f"{para} Year {n}." for n in range(5)],
                        "More about:", "Ponds", "Herons", *ads]) + "\n"
    document = read_text_article(text)
    why = {d.text: d.reason for d in document.dropped}
    assert all(why[line].startswith("page_footer") for line in ["More about:", "Herons", *ads])
    assert sum(para in b.text for b in document.blocks) == 5


_PARA = ("The pond behind the mill fills every spring, and the families who keep the meadow "
         "around it clear the reeds by hand before the herons come back.")


def test_a_menu_of_newsletters_between_the_headline_and_its_date_is_page_chrome() -> None:
    from newsletter.content.ingest import read_text_article

    menu = ["Data Point", "Decoding the headlines with facts and figures", "Health Matters",
            "Ramya writes to you on getting to good health", "Science For All",
            "The weekly newsletter that takes the jargon out of science"]
    text = "Title: \nThe mill pond comes back to life after forty summers\n\n\nContent: \n"
    text += "\n\n".join([*menu, "April 16, 2025e-Paper", "Updated - April 16, 2025 09:38 pm IST",
                        *[f"{_PARA} Year {n}." for n in range(5)]]) + "\n"
    document = read_text_article(text)
    assert document.title == "The mill pond comes back to life after forty summers"
    why = {d.text: d.reason for d in document.dropped}
    assert all(why[line].startswith("page_chrome") for line in menu)
    assert sum(_PARA in b.text for b in document.blocks) == 5


def test_the_copyright_notice_ends_the_page_and_a_reprints_end_marks_are_dropped() -> None:
    from newsletter.content.ingest import read_text_article

    after = ("Comments have to be in English, and in full sentences. They cannot be abusive "
             "or personal. Please abide by our community guidelines for posting comments.")
    text = "\n\n".join(["The Mill Pond", *[f"{_PARA} Year {n}." for n in range(5)],
                        "Was this article helpful?", "PPPPP", "Word Count 684",
                        "Copyright© 2025, Pond Publishing. All rights reserved.", after]) + "\n"
    why = {d.text: d.reason for d in read_text_article(text).dropped}
    assert why["PPPPP"].startswith("separator") and why["Word Count 684"].startswith("counter")
    assert why["Was this article helpful?"].startswith("widget_text")
    assert why[after].startswith("page_footer")


def test_a_sentence_naming_a_network_stays_and_the_reporters_tagline_and_comments_go() -> None:
    from newsletter.content.ingest import read_text_article

    sentence = ("Unlike LinkedIn messages, email lets you control the timing of every message "
                "you send to a prospect.")
    tagline = ("Maria Gonzalez covers business and energy for The Daily Ledger. Contact her at "
               "maria@ledger.example.")
    text = "\n\n".join(["The Mill Pond", *[f"{_PARA} Year {n}." for n in range(4)], sentence,
                        tagline, "Comments (23)", "JohnR 2 hours ago",
                        "Finally! This should have happened years ago, and the council knows it.",
                        "Reply  Like (14)"]) + "\n"
    document = read_text_article(text)
    why = {d.text: d.reason for d in document.dropped}
    assert any(sentence in b.text for b in document.blocks)
    assert why[tagline].startswith("author_bio")
    comment = "Finally! This should have happened years ago, and the council knows it."
    assert why[comment].startswith("page_footer")


def test_a_recipe_page_keeps_its_ingredients_and_numbered_steps_and_drops_its_card() -> None:
    from newsletter.content.ingest import read_article
    from newsletter.content.split import split

    page = Path(__file__).parent / "data" / "ingest" / "recipe-page.txt"
    document = read_article(page)
    why = {d.text: d.reason.split(":")[0] for d in document.dropped}
    for line, reason in [("4.8 from 120 votes", "counter"), ("Prep Time 10 mins", "counter"),
                         ("Step 2", "step_label"), ("Reply", "page_footer"),
                         ("Did you make this recipe? Tag @noracooks on Instagram!", "social_links"),
                         ("This post may contain affiliate links. Please read our disclosure "
                          "policy.", "disclosure")]:
        assert why[line] == reason, line
    snippets = split(document).snippets
    steps = "\n".join(s.body for s in snippets if s.kind == "steps")
    assert "1. Melt the butter" in steps and "3. Simmer for twenty minutes" in steps  # a cut list
    assert "- 1 cup pearl barley\n- 3 leeks, sliced" in "\n".join(s.body for s in snippets)
