"""The banks of testimonials and resources: hand-edited YAML, stubs, CSV imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.content import banks as bank
from newsletter.content.banks import (
    Resource,
    add_stubs,
    bank_block,
    import_csv,
    load_banks,
    save_bank,
)
from newsletter.errors import InputError
from newsletter.models import Image

TESTIMONIALS = """\
# what our readers said (kept by hand)
- quote: |
    I can tie my shoes again.

    Two weeks with the Claw.
  name: Ann P.
  detail: Runner, Portland
  url: https://example.com/stories/ann
- quote: ""
  name: ""
  image: {src: "https://cdn.example.com/t1.png", alt: QL Claw testimonial}
  from: ql line 233
"""

RESOURCES = """\
- title: Best QL Stretch For The Back
  url: https://example.com/ql-stretch
  note: Five minutes, no equipment.
- title: QL Muscle Massage   # the scrape lost its link
  url: ""
"""


def folder_with_banks(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    (content / "testimonials.yaml").write_text(TESTIMONIALS, "utf-8")
    (content / "resources.yaml").write_text(RESOURCES, "utf-8")
    return content


def test_banks_load_in_file_order_with_stubs_marked(tmp_path: Path) -> None:
    banks = load_banks(folder_with_banks(tmp_path))
    ann, stub = banks.testimonials
    assert ann.quote == "I can tie my shoes again.\n\nTwo weeks with the Claw."
    assert (ann.name, ann.detail, ann.missing) == ("Ann P.", "Runner, Portland", ())
    assert stub.missing == ("no quote", "no name")
    assert stub.image == Image("https://cdn.example.com/t1.png", "QL Claw testimonial")
    assert [r.title for r in banks.ready_resources] == ["Best QL Stretch For The Back"]
    assert banks.resources[1].missing == ("no url",)
    assert (ann.line, stub.line, banks.resources[1].line) == (2, 9, 4)


def test_a_folder_without_banks_has_empty_ones(tmp_path: Path) -> None:
    assert load_banks(tmp_path) == load_banks(tmp_path / "nowhere")
    assert not load_banks(tmp_path).testimonials


@pytest.mark.parametrize(("text", "where"), [
    ("- title: A\n  nots: x\n", r"resources.yaml:2: \[0\].nots: unknown key; did you mean "
                                 r"'note'\?"),
    ("title: A\n", r"resources.yaml:1: expected a list of entries"),
    ("- title: A\n- just text\n", r"resources.yaml:2: \[1\]: expected an entry with keys"),
    ("- title: [A, B]\n", r"resources.yaml:1: \[0\].title: expected text"),
    ("- title: A\n  url: 'x\n", r"resources.yaml:3: not valid YAML"),
])
def test_bad_bank_files_name_the_line_and_field(tmp_path: Path, text: str, where: str) -> None:
    (tmp_path / "resources.yaml").write_text(text, "utf-8")
    with pytest.raises(InputError, match=where):
        load_banks(tmp_path)


def test_a_url_that_is_not_web_makes_an_entry_a_stub(tmp_path: Path) -> None:
    assert Resource("A", "www.example.com").missing == (
        "url 'www.example.com' is not an absolute http(s) address",)
    assert bank.Testimonial("Great.", "Bo", url="/stories/bo").missing


def test_a_saved_bank_loads_back_the_same_entries(tmp_path: Path) -> None:
    banks = load_banks(folder_with_banks(tmp_path))
    save_bank(tmp_path / "copy", "testimonials", banks.testimonials)
    save_bank(tmp_path / "copy", "resources", banks.resources)
    assert load_banks(tmp_path / "copy") == banks
    assert (tmp_path / "copy" / "testimonials.yaml").read_text().startswith("# Testimonials:")


def test_stubs_are_appended_once_and_never_overwrite_filled_entries(tmp_path: Path) -> None:
    content = folder_with_banks(tmp_path)
    stubs = [Resource("Best QL Stretch For The Back", origin="ql line 239"),
             Resource("What Is The QL Muscle?", origin="ql line 243")]
    image = bank.Testimonial(image=Image("https://cdn.example.com/t1.png", "QL Claw testimonial"))
    added = add_stubs(content, resources=stubs, testimonials=[image])
    assert [r.title for r in added.resources] == ["What Is The QL Muscle?"]
    assert not added.testimonials and len(added.already) == 2
    text = (content / "resources.yaml").read_text()
    assert text.startswith(RESOURCES)  # the marketer's lines, comments included, kept
    assert "# stub (no url): never sent until filled in\n- title: What Is The QL Muscle?" in text
    banks = load_banks(content)
    assert banks.resources[0].url == "https://example.com/ql-stretch"
    assert banks.resources[2] == Resource("What Is The QL Muscle?", origin="ql line 243")
    again = add_stubs(content, resources=stubs, testimonials=[image])
    assert not again.resources and (content / "resources.yaml").read_text() == text


def test_stubs_start_a_bank_that_did_not_exist(tmp_path: Path) -> None:
    added = add_stubs(tmp_path / "content", resources=[Resource("QL Muscle Pain", origin="x")])
    assert len(added.resources) == 1
    assert load_banks(tmp_path / "content").resources == (Resource("QL Muscle Pain",
                                                                   origin="x"),)
    path = tmp_path / "content" / "resources.yaml"
    path.write_text("# none yet\n[]\n", "utf-8")
    add_stubs(tmp_path / "content", resources=[Resource("Relieving QL Pain")])
    assert [r.title for r in load_banks(tmp_path / "content").resources] == ["Relieving QL Pain"]
    assert path.read_text().startswith("# none yet\n")


def test_an_invalid_bank_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "resources.yaml"
    path.write_text("- titel: A\n", "utf-8")
    with pytest.raises(InputError, match="did you mean 'title'"):
        add_stubs(tmp_path, resources=[Resource("B")])
    assert path.read_text() == "- titel: A\n"


def test_csv_import_adds_rows_fills_stubs_and_reports_bad_lines(tmp_path: Path) -> None:
    content = folder_with_banks(tmp_path)
    csv_path = tmp_path / "links.csv"
    csv_path.write_text("\ufefftitle,url,note\n"
                        "QL Muscle Massage,https://example.com/massage,Ten minutes a day\n"
                        "\n"
                        '"Relieving QL Pain, fast",https://example.com/relief,\n'
                        "Too,many,cells,here\n"
                        "Best QL Stretch For The Back,https://example.com/other,dup\n", "utf-8")
    added, rejected = import_csv(content, "resources", csv_path)
    assert [(r.line, r.reason) for r in rejected] == [(5, "4 cells for 3 columns")]
    assert [r.title for r in added.resources] == ["QL Muscle Massage", "Relieving QL Pain, fast"]
    banks = load_banks(content)
    assert [(r.title, r.url) for r in banks.resources] == [
        ("Best QL Stretch For The Back", "https://example.com/ql-stretch"),
        ("QL Muscle Massage", "https://example.com/massage"),  # the stub, filled in place
        ("Relieving QL Pain, fast", "https://example.com/relief")]
    assert not any(r.missing for r in banks.resources)


def test_csv_with_an_unknown_column_is_refused_whole(tmp_path: Path) -> None:
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("quote,author\nGreat,Bo\n", "utf-8")
    with pytest.raises(InputError, match=r"t.csv:1: unknown column 'author' \(expected columns "
                                         r"quote, name, detail, url\)"):
        import_csv(tmp_path, "testimonials", csv_path)
    assert not (tmp_path / "testimonials.yaml").exists()


def test_bank_entries_become_issue_blocks_named_after_their_bank() -> None:
    block = bank_block(bank.Testimonial("It *works*.", "Bo", "Desk worker", "https://e.org/bo"))
    assert (block.kind, block.body, block.name, block.detail, block.url) == (
        "testimonial", "It *works*.", "Bo", "Desk worker", "https://e.org/bo")
    assert block.origin.startswith("testimonials#bo-")
    resource = bank_block(Resource("QL Muscle Pain", "https://e.org/p", "Why it hurts"))
    assert (resource.kind, resource.title, resource.body, resource.origin) == (
        "resource", "QL Muscle Pain", "Why it hurts", "resources#ql-muscle-pain")


def test_the_banks_command_imports_a_csv_and_lists_stubs(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "newsletter", *args], cwd=tmp_path,
                              capture_output=True, text=True, check=False)

    assert run("init").returncode == 0
    (tmp_path / "content" / "resources.yaml").write_text(RESOURCES, "utf-8")
    (tmp_path / "links.csv").write_text("title,url\nRelieving QL Pain,https://e.org/r\n"
                                        "a,b,c\n", "utf-8")
    imported = run("banks", "import", "resources", "links.csv", "--json")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout) == {"added": 1, "already": 0, "rejected": [
        {"line": 3, "reason": "3 cells for 2 columns"}]}
    listed = json.loads(run("banks", "list", "--json").stdout)
    assert [(r["label"], r["missing"]) for r in listed["resources"]] == [
        ("Best QL Stretch For The Back", []), ("QL Muscle Massage", ["no url"]),
        ("Relieving QL Pain", [])]


def test_an_article_named_like_a_bank_never_replaces_it(tmp_path: Path) -> None:
    from newsletter.content.contentfile import write_content
    from newsletter.models import Article, Content

    content = folder_with_banks(tmp_path)
    article = Content(Article("Resources", "resources", "x.txt"), {}, ())
    with pytest.raises(InputError, match="would replace the bank"):
        write_content(article, content)
    assert (content / "resources.yaml").read_text() == RESOURCES
