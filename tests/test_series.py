"""Issues a marketer would send, on the sample article: subjects and preheaders a person would
write, calls to action that earn their place, tips with testimonials and resources from the
banks, and a series that reads as one (welcome, what comes next, one block per section)."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import html as lxml_html

from newsletter.cli import main
from newsletter.config import load_config
from newsletter.content.banks import load_banks
from newsletter.models import IssueBlock, count_words
from newsletter.planning.compose import join_blocks
from newsletter.planning.issuefile import load_queue
from newsletter.rendering.render import render
from newsletter.scaffold import init_folder

SETTINGS = {
    "name": "Back Notes",
    "postal_address": '"Back Notes, 1 Spine Road, Leeds LS1 4AP"',
    "products": "[The QL Claw]",
    "cta_url": "https://shop.backnotes.example.com/claw",
}
TESTIMONIALS = """\
- quote: I had tried stretching for months. Two weeks with the Claw and I tie my shoes again.
  name: Ann P.
  detail: Runner, Portland
- quote: Ten minutes on the Claw each evening keeps the knot from coming back.
  name: Marcus L.
  detail: Desk worker
"""
RESOURCES = """\
- title: Best QL Stretch For The Back
  url: https://backnotes.example.com/ql-stretch
  note: Five minutes, no equipment.
- title: QL Muscle Massage
  url: https://backnotes.example.com/ql-massage
  note: Find the muscle and press without bruising it.
- title: What Is The QL Muscle?
  url: https://backnotes.example.com/what-is-ql
  note: A short anatomy tour.
"""
NOW = "2026-11-20T00:00:00+00:00"


def cli(folder: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--config", str(folder / "newsletter.yaml"), *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def make_folder(root: Path, seed: Path, extra: str = "") -> Path:
    init_folder(root, settings=SETTINGS)
    if extra:
        config = root / "newsletter.yaml"
        config.write_text(config.read_text() + extra, "utf-8")
    cli(root, "split", str(seed))  # adds stubs of what the scrape lost to the banks ...
    (root / "content" / "testimonials.yaml").write_text(TESTIMONIALS, "utf-8")  # ... filled
    (root / "content" / "resources.yaml").write_text(RESOURCES, "utf-8")
    return root


def plan(folder: Path, *options: str) -> list:  # type: ignore[type-arg]
    [content] = [p for p in (folder / "content").glob("*.yaml")
                 if p.name not in ("testimonials.yaml", "resources.yaml")]
    cli(folder, "plan", str(content), "--every", "3d", "--start", "2026-12-01", "--now", NOW,
        *options)
    queue = load_queue(folder / "issues")
    assert not queue.errors
    return [item.issue for item in queue.issues]


@pytest.fixture
def planned(tmp_path: Path, seed_article: Path) -> tuple[Path, list]:  # type: ignore[type-arg]
    folder = make_folder(tmp_path / "back", seed_article)
    return folder, plan(folder)


def test_subjects_and_preheaders_are_whole_and_distinct(planned) -> None:  # type: ignore[no-untyped-def]
    _, issues = planned
    assert len(issues) >= 6
    subjects = [i.subject for i in issues]
    assert len({s.casefold() for s in subjects}) == len(subjects)
    for issue in issues:
        for text, limit in ((issue.subject, 60), (issue.preheader, 100)):
            assert 0 < len(text) <= limit, text
            assert not text.endswith(("…", ":", ",", " and", " the", " of")), text
        assert issue.preheader.casefold() != issue.subject.casefold()
        assert not issue.preheader.casefold().startswith(issue.subject.casefold())
    # the 61-character heading, said in the article's own short words
    assert "Drawbacks and Risks When Dry Needling Your QL" in subjects


def test_calls_to_action_are_short_named_and_never_repeat_in_a_row(planned) -> None:  # type: ignore[no-untyped-def]
    _, issues = planned
    ctas = [i.cta for i in issues]
    assert all(ctas)  # the pitch has several wordings: every issue (cta.every: 1)
    for cta in ctas:
        assert count_words(f"{cta.title} {cta.body} {cta.button}") <= 60
        assert cta.button == "Get The QL Claw"
        assert cta.url == "https://shop.backnotes.example.com/claw"
    for before, after in pairwise(ctas):
        assert before.body != after.body and before.title != after.title
        assert not set(re.findall(r"[^.!?]+[.!?]", before.body)) & set(
            re.findall(r"[^.!?]+[.!?]", after.body))  # no sentence shared


def test_every_issue_has_at_most_one_testimonial_and_resource_each_used_once(planned
                                                                             ) -> None:  # type: ignore[no-untyped-def]
    folder, issues = planned
    used = {"testimonial": [], "resource": []}
    for issue in issues:
        for kind, origins in used.items():
            mine = [b for b in issue.blocks if b.kind == kind]
            assert len(mine) <= 1
            origins += [b.origin for b in mine]
    banks = load_banks(folder / "content")
    assert len(used["testimonial"]) == len(set(used["testimonial"])) == len(banks.testimonials)
    assert len(used["resource"]) == len(set(used["resource"])) == len(banks.resources)
    first = issues[0].blocks
    assert [b.kind for b in first][-2:] == ["resource", "testimonial"]
    assert (first[-1].name, first[-1].detail) == ("Ann P.", "Runner, Portland")


def test_issue_one_welcomes_with_what_is_coming_and_each_issue_says_what_comes_next(
        planned) -> None:  # type: ignore[no-untyped-def]
    _, issues = planned
    welcome = issues[0].blocks[0]
    assert welcome.kind == "welcome"
    assert welcome.title == "Quadratus Lumborum Dry Needling Explained"  # what it is about
    assert welcome.body.startswith("Welcome to **Back Notes**, and thank you for signing up.")
    assert "This quick guide" not in welcome.body
    assert "one short email every 3 days" in welcome.body
    for coming in issues[1:4]:
        assert coming.subject in welcome.body
    assert issues[0].subject != "Quadratus Lumborum Dry Needling Explained"
    for issue, following in pairwise(issues):
        assert issue.next.endswith(f":** {following.subject}")
        assert issue.next.startswith("**Next ")  # three days later: "Next Friday"
    assert "last email of this series" in issues[-1].next
    rendered = render(issues[0], load_config(planned[0] / "newsletter.yaml", env={}))
    assert "Quadratus Lumborum Dry Needling Explained" in rendered.text
    weekday = f"{issues[1].send_at:%A}"  # three days on: "Next Friday"
    assert f"Next {weekday}: {issues[1].subject}" in " ".join(rendered.text.split())


def test_sequence_mode_says_in_how_many_days(tmp_path: Path, seed_article: Path) -> None:
    folder = make_folder(tmp_path / "drip", seed_article, extra="mode: sequence\n")
    issues = plan(folder)
    assert issues[0].next == f"**In 3 days:** {issues[1].subject}"
    assert f"- **In 6 days:** {issues[2].subject}" in issues[0].blocks[0].body


def _in_language(folder: Path, language: str, every: str = "3d") -> list:  # type: ignore[type-arg]
    config = folder / "newsletter.yaml"
    config.write_text(config.read_text("utf-8").replace("\nlanguage: en\n",
                                                        f"\nlanguage: {language}\n"), "utf-8")
    return plan(folder, "--every", every)


def test_the_words_plan_writes_follow_the_language_setting(
        tmp_path: Path, seed_article: Path) -> None:
    german = _in_language(make_folder(tmp_path / "de", seed_article), "de-AT", "7d")
    welcome = german[0].blocks[0].body
    assert welcome.startswith("Willkommen bei **Back Notes**, und danke für Ihre Anmeldung.")
    assert "Sie bekommen jede Woche eine kurze E-Mail. Demnächst:" in welcome
    assert f"- **Dienstag, 8. Dezember:** {german[1].subject}" in welcome  # 2026-12-08
    assert german[0].next == f"**Nächsten Dienstag:** {german[1].subject}"
    assert german[-1].next.startswith("Das war die letzte E-Mail dieser Serie")
    assert not any(i.preheader.startswith(("Inside:", "Also:")) or " Also: " in i.preheader
                   for i in german)
    french = _in_language(make_folder(tmp_path / "fr", seed_article), "fr")
    assert french[0].next == f"**Vendredi prochain :** {french[1].subject}"  # 3 days on
    assert "Vous recevrez un court e-mail tous les 3 jours. À venir :" in \
        french[0].blocks[0].body


def test_a_language_plan_has_no_words_for_gets_english_and_says_so(
        tmp_path: Path, seed_article: Path) -> None:
    folder = make_folder(tmp_path / "nl", seed_article)
    config = folder / "newsletter.yaml"
    config.write_text(config.read_text("utf-8").replace("\nlanguage: en\n", "\nlanguage: nl\n"),
                      "utf-8")
    [content] = [p for p in (folder / "content").glob("*.yaml")
                 if p.name not in ("testimonials.yaml", "resources.yaml")]
    result = CliRunner().invoke(main, ["--config", str(config), "plan", str(content),
                                       "--start", "2026-12-01", "--now", NOW])
    assert result.exit_code == 0, result.output
    assert "language 'nl' got English" in result.stderr
    issues = [i.issue for i in load_queue(folder / "issues").issues]
    assert issues[0].blocks[0].body.startswith("Welcome to **Back Notes**")


def test_two_parts_of_one_section_in_one_issue_read_as_one_block(planned) -> None:  # type: ignore[no-untyped-def]
    folder, issues = planned
    [merged] = [b for i in issues for b in i.blocks if "+" in b.origin
                and b.title == "Benefits of Dry Needling for Your Quadratus Lumborum"]
    assert merged.body.count("Here’s why so many people are turning to") <= 1
    numbers = [int(n) for n in re.findall(r"(?m)^(\d+)\. ", merged.body)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) == 5
    [issue] = [i for i in issues if merged in i.blocks]
    doc = lxml_html.fromstring(render(issue, load_config(folder / "newsletter.yaml",
                                                         env={})).html)
    headings = [h.text_content() for h in doc.iter("h2")]
    assert headings.count(merged.title) == 1
    assert len(doc.xpath("//ol")) == 1 and len(doc.xpath("//ol/li")) == 5


def test_joined_parts_keep_counting_and_drop_the_repeated_lead_in() -> None:
    first = IssueBlock("list", "Why", "Here is why:\n\n1. one\n2. two", origin="a#x")
    second = IssueBlock("list", "Why, part 2", "Here is why:\n\n1. three\n2. four",
                        origin="a#y")
    joined = join_blocks(first, second)
    assert joined.body == "Here is why:\n\n1. one\n2. two\n\n3. three\n4. four"
    assert (joined.title, joined.origin, joined.origins) == ("Why", "a#x+y", ("a#x", "a#y"))


def test_replanning_never_reuses_a_bank_entry_an_edited_issue_holds(planned) -> None:  # type: ignore[no-untyped-def]
    folder, _ = planned
    path = next((folder / "issues").glob("001-*.yaml"))
    path.write_text(path.read_text().replace("Back Notes**", "Back Notes** (edited)"), "utf-8")
    again = plan(folder)
    quotes = [b.origin for i in again for b in i.blocks if b.kind == "testimonial"]
    assert len(quotes) == len(set(quotes)) == 2
    assert yaml.safe_load(path.read_text())["snippets"][-1]["name"] == "Ann P."


def test_bank_settings_space_the_banks_out(tmp_path: Path, seed_article: Path) -> None:
    folder = make_folder(tmp_path / "spaced", seed_article,
                         extra="banks: {testimonials_every: 3, resources_every: 0}\n"
                               "cta: {every: 2, button: Try it}\n")
    issues = plan(folder)
    has = [any(b.kind == "testimonial" for b in i.blocks) for i in issues]
    assert has[:4] == [True, False, False, True]
    assert not any(b.kind == "resource" for i in issues for b in i.blocks)
    assert [bool(i.cta) for i in issues][:4] == [True, False, True, False]
    assert {i.cta.button for i in issues if i.cta} == {"Try it"}


LOST_LINKS = ["Best QL Stretch For The Back", "QL Muscle Massage", "What Is The QL Muscle?",
              "QL Muscle Won't Release? Try This", "Relieving QL Pain", "QL Muscle Pain"]


def test_split_turns_what_the_scrape_lost_into_stubs_check_lists_until_filled(
        tmp_path: Path, seed_article: Path) -> None:
    folder = tmp_path / "stubs"
    init_folder(folder, settings=SETTINGS)
    said = cli(folder, "split", str(seed_article))
    assert ("Added 6 resource stubs to content/resources.yaml and 2 testimonial stubs to "
            "content/testimonials.yaml") in " ".join(said.split()).replace(str(folder) + "/", "")
    banks = load_banks(folder / "content")
    assert [r.title for r in banks.resources] == LOST_LINKS  # the link list, its URLs lost
    assert all(r.missing == ("no url",) for r in banks.resources)
    assert [t.origin for t in banks.testimonials] == [  # the two testimonial pictures
        "quadratus-lumborum-dry-needling-explained line 233",
        "quadratus-lumborum-dry-needling-explained line 234"]
    assert "Added" not in cli(folder, "split", str(seed_article))  # never twice
    result = CliRunner().invoke(main, ["--config", str(folder / "newsletter.yaml"), "check",
                                       "--json"])
    stubs = [f for f in yaml.safe_load(result.stdout) if f["code"] == "stub"]
    assert result.exit_code == 1 and len(stubs) == 6 + 2
    assert {f["block"].split(":")[0] for f in stubs} == {"content/resources.yaml",
                                                         "content/testimonials.yaml"}
    plan(folder)
    assert not any(b.kind in ("resource", "testimonial") for i in
                   load_queue(folder / "issues").issues for b in i.issue.blocks)  # never sent
    rows = "\n".join(f'"{title}",https://backnotes.example.com/{i},A guide'
                     for i, title in enumerate(LOST_LINKS))
    (tmp_path / "links.csv").write_text(f"title,url,note\n{rows}\n", "utf-8")
    cli(folder, "banks", "import", "resources", str(tmp_path / "links.csv"))  # filled in place
    (folder / "content" / "testimonials.yaml").write_text(TESTIMONIALS, "utf-8")
    assert len(load_banks(folder / "content").ready_resources) == 6
    cli(folder, "check")  # exit 0: every stub filled in


def test_check_warns_when_what_comes_next_is_no_longer_true(planned) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace
    from datetime import timedelta

    from newsletter.planning.issuefile import dump_issue

    folder, issues = planned
    assert "0 warnings" in cli(folder, "check")
    path = next((folder / "issues").glob("002-*.yaml"))
    later = replace(issues[1], send_at=issues[1].send_at + timedelta(days=1))
    path.write_text(dump_issue(later), "utf-8")  # rescheduled by hand (or in the studio)
    result = CliRunner().invoke(main, ["--config", str(folder / "newsletter.yaml"), "check",
                                       "--json"])
    [stale] = [f for f in yaml.safe_load(result.stdout) if f["code"] == "next"]
    assert result.exit_code == 0 and (stale["issue"], stale["severity"]) == (1, "warning")
    assert f"now '**Next {later.send_at:%A}:** {later.subject}'" in stale["reason"]
