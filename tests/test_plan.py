"""Packing snippets into issues: budget, order, sections, call to action, subject, preheader."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsletter.content.contentfile import load_content
from newsletter.errors import InputError
from newsletter.models import Article, Content, Snippet
from newsletter.planning.plan import PREHEADER_MAX, SUBJECT_MAX, pack, plan, words_of
from newsletter.planning.schedule import Schedule
from newsletter.planning.subjects import write_preheader, write_subject

DATA = Path(__file__).parent / "data" / "plan"
SCHEDULE = Schedule(every_days=3, at=time(9), tz="Europe/Berlin", start=date(2026, 5, 4))


def snippet(i: int, words: int, section: str = "", kind: str = "tip", title: str = "",
            sources: tuple[str, ...] = ()) -> Snippet:
    body = " ".join(f"word{i}x{j}" for j in range(words - 1)) + " end."
    return Snippet(id=f"s{i}", kind=kind, section=section or f"Section {i}",
                   title=title or f"Title {i}", body=body, sources=sources, words=words)


def content(*snippets: Snippet, references: dict[str, str] | None = None) -> Content:
    return Content(Article("An Article", "an-article", "a.txt"), references or {},
                   tuple(snippets))


def test_every_snippet_is_planned_once_in_article_order() -> None:
    snippets = [snippet(i, w) for i, w in enumerate([120, 90, 200, 60, 300, 45, 80, 150])]
    issues = plan(content(*snippets), SCHEDULE)
    origins = [o for issue in issues for b in issue.blocks for o in b.origins]
    assert origins == [f"an-article#{s.id}" for s in snippets]
    assert [i.number for i in issues] == list(range(1, len(issues) + 1))
    assert all(i.blocks for i in issues)


def test_issues_stay_within_the_word_budget() -> None:
    snippets = [snippet(i, w) for i, w in enumerate([120, 90, 200, 60, 300, 45, 80, 150, 70])]
    for issue_snippets in pack(snippets, min_words=150, max_words=450):
        assert sum(words_of(s) for s in issue_snippets) <= 450


def test_a_snippet_longer_than_the_budget_goes_alone() -> None:
    snippets = [snippet(0, 100), snippet(1, 600), snippet(2, 100)]
    groups = pack(snippets, min_words=150, max_words=450)
    assert [s.id for s in groups[1]] == ["s1"]
    assert len(groups) == 3


def test_a_section_stays_together_when_it_fits() -> None:
    snippets = [snippet(0, 200, "Intro"), snippet(1, 150, "Core"), snippet(2, 150, "Core"),
                snippet(3, 100, "Core")]
    groups = pack(snippets, min_words=150, max_words=450)
    sections = [{s.section for s in g} for g in groups]
    core_issues = [i for i, names in enumerate(sections) if "Core" in names]
    assert len(core_issues) == 1


def test_a_short_last_issue_merges_into_the_one_before() -> None:
    snippets = [snippet(0, 300, "A"), snippet(1, 60, "B")]
    groups = pack(snippets, min_words=150, max_words=450)
    assert len(groups) == 1


def test_cta_snippets_are_the_call_to_action_not_content() -> None:
    pitch = snippet(9, 30, "Offer", kind="cta", title="Try our course")
    issues = plan(content(snippet(0, 200), pitch, snippet(1, 300), snippet(2, 300)), SCHEDULE,
                  cta_url="https://shop.example/course")
    assert all(b.kind != "cta" for issue in issues for b in issue.blocks)
    assert {(i.cta.title, i.cta.url) for i in issues if i.cta} == {
        ("Try our course", "https://shop.example/course")}
    # one short pitch has only one wording: it never closes two issues in a row
    assert [bool(i.cta) for i in issues] == [True, False, True]


def test_only_calls_to_action_is_an_error() -> None:
    with pytest.raises(InputError, match="no snippets to plan"):
        plan(content(snippet(0, 30, kind="cta")), SCHEDULE)


def test_blocks_carry_their_sources_as_links() -> None:
    refs = {"1": "https://a.example/study", "2": "Printed book, p. 4"}
    issues = plan(content(snippet(0, 100, sources=("2", "1")), references=refs), SCHEDULE)
    block = issues[0].blocks[0]
    assert [(s.n, s.url) for s in block.sources] == [("2", refs["2"]), ("1", refs["1"])]


def test_the_content_fixture_plans_with_its_pitch_as_cta() -> None:
    loaded = load_content(DATA / "sourdough.yaml")
    issues = plan(loaded, SCHEDULE, min_words=60, max_words=120, cta_url="https://x.example")
    ctas = [i.cta for i in issues]
    assert all(c is None for c in ctas[1::2])  # one wording: never two issues in a row
    assert all(c and (c.title, c.url, c.button) == ("Join our weekend sourdough class",
                                                    "https://x.example", "Save your spot")
               for c in ctas[::2])
    subjects = [i.subject for i in issues]
    assert len(set(subjects)) == len(subjects)
    assert not any(s.endswith((":", "-", "—", ",")) for s in subjects)
    starter = [i for i in issues if any("starter" in b.origin for b in i.blocks)]
    assert len(starter) == 1, "the two parts of 'Your starter' (88 words) travel together"


def test_a_subject_too_long_is_a_whole_phrase_never_cut_with_an_ellipsis() -> None:
    long_title = ("**Everything** you always wanted to know about the quiet art of keeping "
                  "a compost heap warm through the winter months:")
    subject = write_subject([long_title], set())
    assert len(subject) <= SUBJECT_MAX
    assert "**" not in subject and "…" not in subject and not subject.endswith(":")
    assert subject.split()[-1] in long_title.split()
    assert subject.split()[-1].lower() not in {"the", "of", "a", "and"}


def test_a_title_that_is_one_word_longer_than_a_subject_still_gives_one() -> None:
    code = "0" * (SUBJECT_MAX + 1)
    subject = write_subject([code], set())
    assert subject and len(subject) <= SUBJECT_MAX and code.startswith(subject)


def test_a_subject_prefers_a_shorter_phrasing_or_another_title_to_a_cut() -> None:
    short = {"quadratus lumborum": "QL"}
    assert write_subject(["Drawbacks and Risks When Dry Needling Your Quadratus Lumborum"],
                         set(), short=short) == "Drawbacks and Risks When Dry Needling Your QL"
    assert write_subject(["What Is Your Quadratus Lumborum (QL) and Why Does It Get Tight?"],
                         set()) == "What Is Your Quadratus Lumborum and Why Does It Get Tight?"
    assert write_subject(["The Science Behind Dry Needling: Trigger Point Release + a "
                          "Neuromuscular Reset, Explained"], set()) == (
        "The Science Behind Dry Needling")
    taken = {"the science behind dry needling"}
    assert write_subject(["The Science Behind Dry Needling", "Why It Works"], taken) == (
        "Why It Works")


def test_preheader_adds_to_the_subject_with_whole_sentences_without_markers() -> None:
    body = ("Mulch keeps the soil moist [^1]. It also feeds worms [2] [3]. "
            "A third sentence that is far too long to fit in any preheader whatsoever at all, "
            "it just keeps going.\n\n- a list item")
    text = write_preheader("Mulch", body, ["Sharpen the spade"])
    assert text == "Mulch keeps the soil moist. Also: Sharpen the spade"
    assert write_preheader("Mulch keeps the soil moist", body, []) == "It also feeds worms."


def test_a_preheader_from_one_long_sentence_ends_at_a_clause_or_a_whole_phrase() -> None:
    body = ("Content depth is the practice of covering a topic with thorough research, a "
            "coherent strategy, and clearly defined goals that serve the reader at every step.")
    assert write_preheader("Depth", body, []) == (
        "Content depth is the practice of covering a topic with thorough research, a coherent "
        "strategy")
    unbroken = ("Everything you wanted to know about gardening in small spaces with very "
                "little money and almost no time at all each week of the year")
    assert write_preheader("Gardens", unbroken, []) == (
        "Everything you wanted to know about gardening in small spaces with very little money")


def test_a_preheader_never_ends_in_an_ellipsis_even_from_a_body_that_is_one() -> None:
    assert write_preheader("An Article", "…", []) == "An Article"
    assert write_preheader("An Article", "Wait for it …", []) == "Wait for it"


def test_preheader_of_a_bare_list_says_what_else_is_inside() -> None:
    text = write_preheader("Tools", "- spade\n- fork\n- rake", ["Sharpen the spade",
                                                               "a reader's story"])
    assert text == "Inside: Sharpen the spade and a reader's story"
    lead_in = "There are several reasons:\n\n1) **Posture:** sitting\n2) **Lifting:** bending"
    assert write_preheader("Causes", lead_in, []) == "Inside: Posture and Lifting"


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=300)


@st.composite
def contents(draw: st.DrawFn) -> Content:
    count = draw(st.integers(1, 12))
    snippets = [Snippet(id=f"id{i}", kind=draw(st.sampled_from(["tip", "faq", "list", "cta"]))
                        if i else "tip",
                        section=draw(st.sampled_from(["A", "B", "C"])),
                        title=draw(_text), body=draw(_text) or "x",
                        words=draw(st.integers(0, 700)))
                for i in range(count)]
    return content(*snippets)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contents(), st.integers(20, 200), st.integers(0, 400))
def test_generated_contents_plan_into_short_subjects_and_preheaders(
        generated: Content, low: int, extra: int) -> None:
    issues = plan(generated, SCHEDULE, min_words=low, max_words=low + extra)
    content_ids = [s.id for s in generated.snippets if s.kind != "cta"]
    assert [o.split("#")[1] for i in issues for b in i.blocks for o in b.origins] == content_ids
    subjects = [i.subject.casefold() for i in issues]
    assert len(set(subjects)) == len(subjects)
    for issue in issues:
        assert issue.blocks
        assert 0 < len(issue.subject) <= SUBJECT_MAX and len(issue.preheader) <= PREHEADER_MAX
        assert issue.subject == issue.subject.strip()
        assert not issue.subject.endswith(("…", ":")) and not issue.preheader.endswith("…")
        if len(issue.blocks) > 1:
            assert sum(_words(issue, generated)) <= low + extra


def _words(issue, generated: Content) -> list[int]:  # type: ignore[no-untyped-def]
    by_id = {s.id: s for s in generated.snippets}
    return [words_of(by_id[o.split("#")[1]]) for b in issue.blocks for o in b.origins]


def test_subjects_avoid_those_already_in_the_queue() -> None:
    same = [snippet(0, 100, title="Start here"), snippet(1, 400, title="Start here")]
    issues = plan(content(*same), SCHEDULE, taken_subjects=["start HERE"])
    subjects = [i.subject for i in issues]
    assert "start here" not in [s.casefold() for s in subjects]
    assert len(set(subjects)) == len(subjects) == 2
    assert subjects == ["More on Start here", "Start here, part 2"]


def test_a_pitch_without_a_product_gets_a_whole_phrase_title_and_its_links_as_words() -> None:
    from newsletter.planning.cta import TITLE_CHARACTERS, CtaSettings, cta_blocks

    pitch = Snippet(id="p", kind="cta", section="Meters", words=24, sources=(),
                    title="Order yours today and get free shipping on your first moisture meter",
                    body="Order yours today and get free shipping on your first meter. "
                         "[Read the guide](https://shop.example/guide) before you water.")
    [block] = cta_blocks([pitch], [], CtaSettings(url="https://shop.example"))
    assert len(block.title) <= TITLE_CHARACTERS and block.title.split()[-1] in pitch.title.split()
    assert "](" not in block.body and "Read the guide before you water." in block.body
    assert block.button == "Order yours"


def test_a_pitch_heading_names_its_product_in_its_own_clause() -> None:
    from newsletter.planning.cta import CtaSettings, cta_blocks

    pitch = Snippet(id="p", kind="cta", section="Tools", words=30, sources=(),
                    title="When to Combine Methods – and Where The Root Comb Fits In",
                    body="Work the tension out a little every day. That is where The Root Comb "
                         "comes in: ten minutes with it after a run keeps the gains.")
    [block] = cta_blocks([pitch], [], CtaSettings(url="https://shop.example"))
    assert block.button == "Get The Root Comb"  # no `products` configured


def test_an_issue_shows_a_numbered_heading_without_its_bare_counter() -> None:
    from newsletter.planning.compose import snippet_block

    content = Content(article=Article(title="Exercises", slug="exercises", source="x.md"),
                      references={}, snippets=(), dropped=())
    for title, shown in (("3. Rest", "Rest"), ("2) Ice the heel", "Ice the heel"),
                         ("Week 1: Foundation", "Week 1: Foundation"),
                         ("2024 Trends", "2024 Trends")):
        snippet = Snippet(id="s", kind="tip", section=title, words=40, sources=(), title=title,
                          body="Rest well.")
        assert snippet_block(snippet, content).title == shown


def test_a_pitch_opening_with_a_bold_question_keeps_no_stray_marks_nor_a_repeated_title() -> None:
    from newsletter.planning.cta import CtaSettings, cta_blocks

    pitch = Snippet(id="p", kind="cta", section="Conclusion", words=19, sources=(),
                    title="Ready to scale your outreach?",
                    body="**Ready to scale your outreach?** [Sign up for OutreachPro free for 14 "
                         "days](https://outreachpro.example/signup) and send your first campaign "
                         "today.")
    [block] = cta_blocks([pitch], ["OutreachPro"], CtaSettings(url=""))
    assert block.body.strip() == ("Sign up for OutreachPro free for 14 days and send your first "
                                  "campaign today.")


def test_a_pitch_with_its_own_link_sends_its_button_there() -> None:
    """The pitch's own link that asks the reader to act is the button's address, over
    cta_url; a link that does not ask leaves cta_url in charge, and is used only without it."""
    from newsletter.planning.cta import CtaSettings, cta_blocks

    pitch = Snippet(id="p", kind="cta", section="Start the Road to Recovery", words=24,
                    sources=(), title="You should contact us for medical guidance",
                    body="You should [contact us](https://bodywisept.com/contact-us/) for "
                         "medical guidance with your road to recovery.")
    for configured in ("", "https://bodywisept.com/offer?coupon=SAVE10"):
        [block] = cta_blocks([pitch], [], CtaSettings(url=configured))
        assert block.url == "https://bodywisept.com/contact-us/"
        assert "](" not in block.body and "You should contact us for" in block.body
    guide = replace(pitch, body="Order yours today. [Read the guide](https://shop.example/g) "
                                "before you water.")
    assert cta_blocks([guide], [], CtaSettings(url="https://shop.example"))[0].url == \
        "https://shop.example"
    assert cta_blocks([guide], [], CtaSettings())[0].url == "https://shop.example/g"


def test_a_preheader_skips_lead_ins_set_on_lines_of_their_own() -> None:
    body = ("**Increase income:**\n\n- Side hustle\n- Overtime\n\n**Reduce expenses:**\n\n"
            "- Cancel subscriptions\n\nEvery extra dollar goes to debt!")
    preheader = write_preheader("Step 4: Find Extra Money", body, [])
    assert preheader == "Every extra dollar goes to debt!"
