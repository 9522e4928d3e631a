"""What a new user met in a fresh clone, each as they would meet it: the CLI over real
files and a real SQLite database (the operator's polish)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from html import escape as html_escape
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from studio_support import add_account, plan_sample, signed_in
from web_support import live_app

from newsletter.cli import main
from newsletter.cli.articles import ARTICLE_SUFFIXES
from newsletter.config import load_config, read_dotenv
from newsletter.content import ingest
from newsletter.planning.issuefile import load_queue
from newsletter.rendering.links import Links
from newsletter.store import SubscriberInput, open_store
from newsletter.store.schema import erasures
from newsletter.tokens import secret_from_env

DATA = Path(__file__).parent / "data" / "plan"
NOW = "2026-02-20T12:00:00+00:00"
SECRET = "polish-test-secret-0123456789"
CONFIG = """\
name: Bread Notes
timezone: America/New_York
cadence:
  every: 4d
  at: "07:45"
  min_words: 40
  max_words: 100
cta_url: https://bread.example/class
postal_address: 1 Crumb Lane, Loafton
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A newsletter folder with one article's content file."""
    (tmp_path / "newsletter.yaml").write_text(CONFIG)
    (tmp_path / "content").mkdir()
    shutil.copy(DATA / "sourdough.yaml", tmp_path / "content" / "sourdough-at-home.yaml")
    return tmp_path


def run(folder: Path, *args: str, env: dict[str, str] | None = None,
        input: str | None = None) -> Result:
    """The command with this folder's newsletter.yaml, as a user types it."""
    return CliRunner().invoke(main, ["--config", str(folder / "newsletter.yaml"), *args],
                              env={"NEWSLETTER_SECRET_KEY": SECRET, **(env or {})},
                              input=input, catch_exceptions=False)


def plan(folder: Path, content: str = "sourdough-at-home.yaml", *args: str) -> Result:
    """`newsletter plan content/<content>`, as of NOW."""
    return run(folder, "plan", str(folder / "content" / content), "--now", NOW, *args)


def second_article(folder: Path, slug: str = "rye-at-home") -> Path:
    """The same snippets as another article (its own slug), in content/."""
    text = (folder / "content" / "sourdough-at-home.yaml").read_text()
    old = re.search(r"slug: (\S+)", text)[1]  # type: ignore[index]
    path = folder / "content" / f"{slug}.yaml"
    path.write_text(text.replace(old, slug))
    return path


def one_line_error(result: Result) -> str:
    """The error a command stopped with: exit 1, one line on stderr, no traceback."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


# --- 1. a missing --config file -------------------------------------------------------


@pytest.mark.parametrize("command", [["queue"], ["config", "check"], ["send", "--due"]])
def test_a_missing_config_file_is_named_with_what_to_do(tmp_path: Path, command: list[str],
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--config", "nope.yaml", *command])
    line = one_line_error(result)
    assert line.startswith("error: nope.yaml: no such configuration file")
    assert "--config" in line and "newsletter init" in line


# --- 2. check's summary says what send does -------------------------------------------


def test_check_says_bank_stubs_stop_no_issue_and_send_sends(folder: Path) -> None:
    assert plan(folder).exit_code == 0
    (folder / "content" / "resources.yaml").write_text("- title: Proofing Baskets\n  url: ''\n")
    checked = run(folder, "check")
    assert checked.exit_code == 1  # a stub is still an error of the check
    summary = checked.stdout.splitlines()[-1]
    assert "0 warnings" in summary and "refuses" not in summary
    assert "stub waits in the banks and stops no issue" in summary
    assert run(folder, "subscribers", "add", "ann@example.org").exit_code == 0
    sent = run(folder, "send", "--due", "--now", "2026-02-21T13:00:00+00:00", "--json")
    assert sent.exit_code == 0, sent.output
    assert '"sent": 1' in sent.stdout


def test_check_names_the_issues_send_refuses(folder: Path) -> None:
    assert plan(folder).exit_code == 0
    second = sorted((folder / "issues").glob("002-*.yaml"))[0]
    second.write_text(second.read_text().replace("  sources: []", "  sources: []\n"
                                                 "  url: ftp://files.example/crumb", 1))
    summary = run(folder, "check").stdout.splitlines()[-1]
    assert summary.endswith("`send` refuses issue 2 (the others still go)"), summary


# --- 3. a later series follows: the one before it no longer says "last" -----------------


def _last_of_first(folder: Path) -> Path:
    return sorted((folder / "issues").glob("0*.yaml"))[-1]


def test_a_second_series_rewrites_the_first_series_closing_line(folder: Path) -> None:
    assert plan(folder).exit_code == 0
    last = _last_of_first(folder)
    assert "last email of this series" in last.read_text()
    result = plan(folder, second_article(folder).name)
    assert result.exit_code == 0, result.output
    queue = load_queue(folder / "issues").issues
    before, first_rye = (i.issue for i in queue if i.path == last or
                         i.issue.number == len(queue) // 2 + 1)
    assert "last email" not in before.next and before.next.startswith("**")
    assert before.next.strip().endswith(first_rye.subject)
    assert f"issue {before.number} now ends with what follows it" in result.stdout
    checked = run(folder, "check")
    assert "warning" not in checked.stdout.replace("0 warnings", "")
    again = run(folder, "queue", "--json")  # the rewritten file is still one plan wrote
    assert again.exit_code == 0
    assert "nothing changed" in plan(folder).stdout


def test_an_edited_last_issue_is_kept_and_check_says_its_closing_line_is_stale(
        folder: Path) -> None:
    assert plan(folder).exit_code == 0
    last = _last_of_first(folder)
    last.write_text(last.read_text() + "# checked by hand\n")
    result = plan(folder, second_article(folder).name)
    assert result.exit_code == 0, result.output
    assert "still ends with 'That was the last email" in result.stderr
    assert "edited since it was planned" in result.stderr
    assert "last email of this series" in last.read_text()
    stale = [line for line in run(folder, "check").stdout.splitlines() if ": warning: " in line]
    assert len(stale) == 1 and "it says 'That was the last email" in stale[0]


# --- 7. plan says what it wrote and what it left as it was ------------------------------


def test_plan_says_nothing_changed_when_it_wrote_nothing(folder: Path) -> None:
    first = plan(folder)
    assert re.search(r"wrote 6 issue files in \S+ \(6 new\)\.", first.stdout), first.stdout
    again = plan(folder)
    assert again.exit_code == 0
    assert re.search(r"nothing changed in \S+: 6 unchanged\.", again.stdout), again.stdout
    assert "wrote" not in again.stdout
    edited = sorted((folder / "issues").glob("0*.yaml"))[0]
    edited.write_text(edited.read_text().replace("subject: ", "subject: Mine, ", 1))
    dry = plan(folder, "sourdough-at-home.yaml", "--dry-run")
    assert re.search(r"would write 5 issue files in \S+ \(5 rewritten\); 1 kept\.",
                     dry.stdout), dry.stdout


# --- 4. the README's studio section says serve needs the secret, and how to make one --------


def test_the_readme_studio_section_makes_the_secret_serve_needs(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    section = readme.split("## The studio (`/studio/`)", 1)[1].split("\n## ", 1)[0]
    assert "NEWSLETTER_SECRET_KEY" in section.split("```sh", 1)[0]
    made = next(line for line in section.splitlines() if "NEWSLETTER_SECRET_KEY=" in line)
    subprocess.run(["bash", "-c", made], cwd=tmp_path, check=True, timeout=30)
    env = read_dotenv(tmp_path / ".env")
    assert len(secret_from_env(env)) >= 32  # what serve and the studio start with


# --- 5, 6. the greeting: preview as a real send; "Last, First" by the first name -------------

FIRST_SEND = "2026-02-21T13:00:00+00:00"  # issue 1 of the plan made as of NOW is due


def text_parts(folder: Path) -> dict[str, str]:
    """The outbox's plain-text parts, by recipient address."""
    parts = {}
    for path in (folder / "outbox").glob("*.eml"):
        mail = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        parts[mail["To"].addresses[0].addr_spec] = mail.get_body(("plain",)).get_content()
    return parts


def greeting_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("Hi "))


def test_preview_greets_as_a_send_to_a_reader_whose_name_is_unknown(folder: Path) -> None:
    (folder / "newsletter.yaml").write_text(CONFIG + "greeting:\n  hello: Hi\n"
                                            "  fallback: bakers\n")
    assert plan(folder).exit_code == 0
    assert run(folder, "preview", "1").exit_code == 0
    preview = (folder / "build" / "001.txt").read_text("utf-8")
    assert greeting_line(preview) == "Hi bakers,"
    assert "Hi bakers," in (folder / "build" / "001.html").read_text("utf-8")
    assert run(folder, "subscribers", "add", "noname@example.org").exit_code == 0
    assert run(folder, "send", "--due", "--now", FIRST_SEND).exit_code == 0
    assert greeting_line(text_parts(folder)["noname@example.org"]) == greeting_line(preview)


def test_a_name_written_last_comma_first_is_greeted_by_the_first_name(folder: Path) -> None:
    assert plan(folder).exit_code == 0
    assert run(folder, "subscribers", "add", "wei@example.org", "--name", "Wei, Li"
               ).exit_code == 0
    (folder / "list.csv").write_text('email,name\nada@example.org,"Lovelace, Ada"\n'
                                     'ann@example.org,"Ann Lee, PhD"\n')
    assert run(folder, "subscribers", "import", str(folder / "list.csv")).exit_code == 0
    assert run(folder, "send", "--due", "--now", FIRST_SEND).exit_code == 0
    greetings = {address: greeting_line(text) for address, text in text_parts(folder).items()}
    assert greetings == {"wei@example.org": "Hi Li,", "ada@example.org": "Hi Ada,",
                         "ann@example.org": "Hi Ann,"}


# --- 8, 9. split: no --explain hint when it ran; files that are not articles refused -----

ARTICLE = Path(__file__).parent / "data" / "split" / "sprouting-at-home.txt"


def test_split_explain_gives_no_hint_to_run_explain(folder: Path) -> None:
    shutil.copy(ARTICLE, folder / "article.txt")
    plain = run(folder, "split", str(folder / "article.txt"))
    assert plain.exit_code == 0 and "(see --explain)" in plain.stdout
    explained = run(folder, "split", str(folder / "article.txt"), "--explain")
    assert explained.exit_code == 0
    assert "Dropped lines:" in explained.stdout and "--explain" not in explained.stdout


def test_split_of_nothing_but_noise_with_explain_gives_no_hint(folder: Path) -> None:
    (folder / "noise.md").write_text("# Heading\n\n## Another heading\n")
    result = run(folder, "split", str(folder / "noise.md"), "--explain")
    line = one_line_error(result)
    assert "no snippets" in line and "--explain" not in line


@pytest.mark.parametrize("name", ["people.csv", "article.pdf", "post.docx", "sheet.xlsx"])
def test_split_refuses_a_file_that_is_not_an_article(folder: Path, name: str) -> None:
    (folder / name).write_text("name,email\nAnn,ann@example.org\nBo,bo@example.org\n")
    line = one_line_error(run(folder, "split", str(folder / name)))
    assert line.startswith(f"error: {folder / name}: a {Path(name).suffix} file is not an "
                           "article: split reads .txt, .md, .markdown, .html, .htm")
    assert [p.name for p in (folder / "content").iterdir()] == ["sourdough-at-home.yaml"]


def test_split_reads_every_suffix_the_readers_read_and_a_file_without_one(folder: Path
                                                                          ) -> None:
    assert set(ARTICLE_SUFFIXES) == set(ingest._SUFFIXES)
    shutil.copy(ARTICLE, folder / "article")
    assert run(folder, "split", str(folder / "article")).exit_code == 0


# --- 10. plan of a content file named without .yaml (or misspelt) says which was meant ----


@pytest.mark.parametrize("typed", ["content/sourdough-at-home", "sourdough-at-home",
                                   "content/sourdogh-at-home.yaml"])
def test_plan_of_a_name_that_is_not_there_says_which_content_file_was_meant(
        folder: Path, typed: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder)
    line = one_line_error(run(folder, "plan", typed, "--now", NOW))
    assert line == (f"error: {typed}: no such content file: did you mean "
                    "content/sourdough-at-home.yaml?")
    assert not (folder / "issues").exists()  # nothing planned from a guess
    assert plan(folder).exit_code == 0


def test_plan_of_an_unknown_name_says_what_writes_content_files(folder: Path) -> None:
    line = one_line_error(run(folder, "plan", str(folder / "content" / "zzz"), "--now", NOW))
    assert "no such content file" in line and "newsletter split ARTICLE" in line


# --- 11. subscribers add over an existing subscriber says what it changed ----------------


def test_adding_a_known_address_with_another_name_says_the_name_changed(folder: Path) -> None:
    assert run(folder, "subscribers", "add", "ann@example.org", "--name", "Ann").stdout == \
        "ann@example.org: added (active)\n"
    renamed = run(folder, "subscribers", "add", "Ann@Example.org", "--name", "Ann Lee",
                  "--tz", "Europe/Oslo")
    assert renamed.exit_code == 0
    assert renamed.stdout == ("ann@example.org: updated (active): name 'Ann' -> 'Ann Lee', "
                              "time zone (none) -> 'Europe/Oslo'\n")
    same = run(folder, "subscribers", "add", "ann@example.org", "--name", "Ann Lee")
    assert same.stdout == "ann@example.org: already there (active)\n"
    listed = run(folder, "subscribers", "list", "--json").stdout
    assert '"name": "Ann Lee"' in listed
    assert "upsert" in run(folder, "subscribers", "add", "--help").stdout


# --- 12. a preview's links lead to pages serve answers --------------------------------------


def test_the_preview_links_are_answered_by_serve(tmp_path: Path) -> None:
    with live_app(tmp_path) as live:
        plan_sample(live, live.clock().date() + timedelta(days=7))
        add_account(live)
        config = tmp_path / "newsletter.yaml"
        config.write_text(re.sub(r"base_url: \S+", f"base_url: {live.url}", config.read_text()))
        assert run(tmp_path, "preview", "1").exit_code == 0
        html = (tmp_path / "build" / "001.html").read_text("utf-8")
        links = sorted(set(re.findall(rf'href="({re.escape(live.url)}/[^"]*)"', html)))
        view = next(link for link in links if "/studio/" in link)
        unsubscribe = next(link for link in links if "/unsubscribe" in link)
        signed_out = live.get(view)  # to the sign-in, then back
        assert signed_out.status == 302 and "/studio/sign-in?next=" in \
            signed_out.headers["location"]
        page = signed_in(live).get(view)
        subject = load_queue(live.config.issues_dir).issues[0].issue.subject
        assert page.status == 200 and html_escape(subject) in page.text
        assert live.get(unsubscribe).status == 200
        assert not any(live.get(link).status == 404 for link in links)


# --- 13. nothing due: when the next issue is ----------------------------------------------


def test_nothing_due_says_when_the_next_issue_is_due_in_the_newsletters_zone(folder: Path
                                                                             ) -> None:
    assert plan(folder).exit_code == 0
    early = run(folder, "send", "--due", "--dry-run", "--now", NOW)
    assert early.exit_code == 0
    assert early.stdout.strip() == "nothing is due; next: issue 1 at Sat 2026-02-21 07:45 EST"
    assert run(folder, "subscribers", "add", "ann@example.org").exit_code == 0
    assert run(folder, "send", "--due", "--now", FIRST_SEND).exit_code == 0
    after = run(folder, "send", "--due", "--now", FIRST_SEND)
    assert after.stdout.splitlines()[-1] == ("nobody left to send to; next: issue 2 at Wed "
                                             "2026-02-25 07:45 EST")
    assert run(folder, "send", "--due", "--dry-run", "--now", NOW, "--json").stdout.strip() \
        == "[]"  # the JSON stays a list of what was sent


def test_nothing_due_after_the_last_issue_says_nothing_is_to_come(folder: Path) -> None:
    assert plan(folder).exit_code == 0
    late = run(folder, "send", "--due", "--dry-run", "--now", "2027-01-01T00:00:00+00:00")
    assert "expired" in late.stdout  # the six issues, too late to send without --force
    assert late.stdout.splitlines()[-1] == ("nobody left to send to, and no scheduled issue "
                                            "is still to come")
    for path in (folder / "issues").glob("0*.yaml"):
        path.write_text(path.read_text().replace("status: scheduled", "status: cancelled"))
    done = run(folder, "send", "--due", "--dry-run", "--now", NOW)
    assert done.stdout.strip() == "nothing is due, and no scheduled issue is still to come"


def test_nothing_due_in_sequence_mode_says_when_a_subscriber_is_next(folder: Path) -> None:
    (folder / "newsletter.yaml").write_text(CONFIG + "mode: sequence\n")
    assert plan(folder).exit_code == 0
    assert run(folder, "send", "--due", "--dry-run").stdout.strip() == \
        "nothing is due, and no subscriber is waiting for an issue"
    assert run(folder, "subscribers", "add", "ann@example.org").exit_code == 0
    said = run(folder, "send", "--due", "--dry-run", "--now", NOW).stdout.strip()
    # the subscriber joins at the real time of the run (`subscribers add` takes no clock),
    # so the minute varies with it; what is said and in which zone does not
    assert re.fullmatch(r"nothing is due; next: issue 1 at \w{3} \d{4}-\d\d-\d\d \d\d:\d\d "
                        r"E[SD]T \(a subscriber's next email\)", said), said


# --- 15. the public page says how often, from the configuration ------------------------------


@pytest.mark.parametrize(("cadence", "said"), [
    ("cadence: {every: 3d}", "Short tips by email, every 3 days."),
    ("cadence: {every: 7d}", "Short tips by email, every week."),
    ("cadence: {weekdays: [mon, thu]}", "Short tips by email, every Monday and Thursday."),
    ("mode: sequence\ncadence: {every: 2d}",
     "Short tips by email, every 2 days, from the day you sign up."),
])
def test_the_public_page_says_how_often_as_configured(tmp_path: Path, cadence: str,
                                                      said: str) -> None:
    with live_app(tmp_path, extra=cadence + "\n") as live:
        page = live.get("/")
    assert page.status == 200
    assert said in page.text and "every few days" not in page.text


# --- 14. erasures outlive a change of NEWSLETTER_SECRET_KEY --------------------------------

NEW_SECRET = "polish-test-secret-rotated-9876543210"


def _erase(folder: Path, address: str) -> None:
    assert run(folder, "subscribers", "add", address).exit_code == 0
    assert run(folder, "subscribers", "remove", address, "--forget", "--yes").exit_code == 0


def test_a_changed_secret_key_never_silently_unblocks_an_erased_address(folder: Path) -> None:
    _erase(folder, "gone@example.org")
    (folder / "old.csv").write_text("email\ngone@example.org\nnew@example.org\n")
    rotated = {"NEWSLETTER_SECRET_KEY": NEW_SECRET}
    refused = run(folder, "subscribers", "import", str(folder / "old.csv"), env=rotated)
    line = one_line_error(refused)
    assert "1 address was erased on request under another NEWSLETTER_SECRET_KEY" in line
    assert "NEWSLETTER_PREVIOUS_SECRET_KEYS" in line
    one_line_error(run(folder, "subscribers", "add", "gone@example.org", env=rotated))
    assert "new@example.org" not in run(folder, "subscribers", "list", "--json").stdout
    both = {**rotated, "NEWSLETTER_PREVIOUS_SECRET_KEYS": f"some-other-key-0000000000,{SECRET}"}
    imported = run(folder, "subscribers", "import", str(folder / "old.csv"), "--json", env=both)
    assert imported.exit_code == 0
    report = json.loads(imported.stdout)
    assert report["imported"] == 1 and [r["line"] for r in report["rejected"]] == [2]
    assert "erased on request" in report["rejected"][0]["reason"]
    added = run(folder, "subscribers", "add", "gone@example.org", env=both)
    assert "was erased on request" in one_line_error(added)


def test_an_erasure_under_the_new_key_is_recognised_with_the_old_key_still_listed(
        folder: Path) -> None:
    _erase(folder, "first@example.org")
    both = {"NEWSLETTER_SECRET_KEY": NEW_SECRET, "NEWSLETTER_PREVIOUS_SECRET_KEYS": SECRET}
    assert run(folder, "subscribers", "add", "second@example.org", env=both).exit_code == 0
    assert run(folder, "subscribers", "remove", "second@example.org", "--forget", "--yes",
               env=both).exit_code == 0
    for address in ("first@example.org", "second@example.org"):
        assert "was erased on request" in one_line_error(
            run(folder, "subscribers", "add", address, env=both))
    checked = run(folder, "config", "check", env=both)
    assert "NEWSLETTER_PREVIOUS_SECRET_KEYS: set (1 earlier key" in checked.stdout
    assert SECRET not in checked.stdout and NEW_SECRET not in checked.stdout


def test_a_database_erased_before_key_fingerprints_still_imports(folder: Path) -> None:
    """Hashes kept before v15 have no fingerprint: they are checked as before (under the
    keys given), never a reason to refuse every import."""
    _erase(folder, "old@example.org")
    url = load_config(folder / "newsletter.yaml", env={}).database_url
    with open_store(url) as store, store.engine.begin() as conn:
        conn.execute(erasures.update().values(key_id=""))
    rotated = {"NEWSLETTER_SECRET_KEY": NEW_SECRET}
    assert run(folder, "subscribers", "add", "other@example.org", env=rotated).exit_code == 0


OLD_SECRET = "the-secret-before-it-was-changed-0123"


def test_links_signed_before_the_key_changed_still_work_with_the_old_key_listed(
        tmp_path: Path) -> None:
    for previous, expected in (((), 400), ((OLD_SECRET,), 200)):
        with live_app(tmp_path / f"letter{len(previous)}", previous=previous) as live:
            who, _ = live.store.add_subscriber(SubscriberInput(email="ann@example.org"),
                                               source="test", now=live.clock())
            old_link = Links(live.url, OLD_SECRET).unsubscribe_url(who.key)
            reply = live.request("POST", old_link, b"List-Unsubscribe=One-Click",
                                 {"Content-Type": "application/x-www-form-urlencoded"})
            assert reply.status == expected
            status = live.store.get_subscriber(who.id).status  # type: ignore[union-attr]
            assert status == ("unsubscribed" if previous else "active")
