"""`newsletter demo`: the whole pipeline on the bundled example, with no account or network."""

from __future__ import annotations

import os
import subprocess
import sys
from email import policy
from email.parser import BytesParser
from pathlib import Path

from conftest import content_files

from newsletter.content.contentfile import load_content
from newsletter.planning.issuefile import load_queue


def test_demo_runs_the_whole_pipeline_into_an_outbox(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = subprocess.run([sys.executable, "-m", "newsletter", "demo", str(folder)],
                            capture_output=True, text=True, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert str(folder) in result.stdout

    [content_file] = content_files(folder / "content")
    content = load_content(content_file)
    assert {s.kind for s in content.snippets} >= {"faq", "steps", "cta"}
    queue = load_queue(folder / "issues")
    assert not queue.errors and len(queue.issues) >= 2

    emls = sorted((folder / "outbox").glob("*.eml"))
    assert len(emls) == 4  # five sample subscribers, one unsubscribed
    for eml in emls:
        mail = BytesParser(policy=policy.default).parse(eml.open("rb"))
        assert mail.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        html = mail.get_body(("html",)).get_content()
        assert "%%" not in html and "42 Greenhouse Lane" in html
        text = mail.get_body(("plain",)).get_content()
        assert "Welcome to Plant Notes" in text and "****" not in text  # the folder's name
    assert "ken@example.org" not in " ".join(e.read_text() for e in emls)
    assert len(list((folder / "build").glob("*.html"))) == len(queue.issues)
    assert (folder / ".env").read_text().startswith("NEWSLETTER_SECRET_KEY=")


def test_demo_without_a_folder_makes_a_temporary_one(tmp_path: Path) -> None:
    env = {"TMPDIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "newsletter", "demo"], capture_output=True,
                            text=True, check=False, env=env)
    assert result.returncode == 0, result.stderr
    [made] = tmp_path.glob("newsletter-demo-*")
    assert list((made / "outbox").glob("*.eml"))


def test_demo_refuses_an_existing_newsletter_folder(tmp_path: Path) -> None:
    first = subprocess.run([sys.executable, "-m", "newsletter", "demo", str(tmp_path / "d")],
                           capture_output=True, text=True, check=False)
    assert first.returncode == 0
    again = subprocess.run([sys.executable, "-m", "newsletter", "demo", str(tmp_path / "d")],
                           capture_output=True, text=True, check=False)
    assert again.returncode == 1
    assert again.stderr.startswith("error: ") and "already a newsletter folder" in again.stderr


def test_the_demo_folder_works_with_its_own_signing_key(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    assert subprocess.run([sys.executable, "-m", "newsletter", "demo", str(folder)],
                          capture_output=True, check=False).returncode == 0
    env = {k: v for k, v in os.environ.items() if k != "NEWSLETTER_SECRET_KEY"}
    proof = subprocess.run([sys.executable, "-m", "newsletter", "send", "2", "--test",
                            "me@example.com"], cwd=folder, env=env, capture_output=True,
                           text=True, check=False)
    assert proof.returncode == 0, proof.stderr
    assert "proof of issue 2 sent to me@example.com" in proof.stdout


def test_the_demo_hint_runs_as_printed_whether_or_not_the_venv_is_active(
        tmp_path: Path) -> None:
    program = Path(sys.executable).with_name("newsletter")
    for path, expected in ((f"{program.parent}:/usr/bin:/bin", "newsletter queue"),
                           ("/usr/bin:/bin", f"{program} queue")):
        folder = tmp_path / f"demo-{len(path)}"
        result = subprocess.run([str(program), "demo", str(folder)], capture_output=True,
                                text=True, check=False, env={"PATH": path})
        assert result.returncode == 0, result.stderr
        hint = result.stdout.strip().splitlines()[-1].strip()
        assert hint == f"cd {folder} && {expected}"
        again = subprocess.run(["bash", "-c", hint], capture_output=True, text=True,
                               env={"PATH": path})
        assert again.returncode == 0 and "Why Overwatering" in again.stdout, again.stderr


def _snippets_said(output: str) -> int:
    """The count of `newsletter split`'s first line ('Title: 12 snippets (...)')."""
    return int(output.splitlines()[0].split(": ")[-1].split()[0])


def test_the_demo_says_why_a_plain_split_of_its_article_counts_otherwise(
        tmp_path: Path) -> None:
    """The demo's count is what `newsletter split` makes in the demo's folder; a folder
    as `init` writes it (no products) gets another count, which the demo names and
    explains."""
    demo = subprocess.run([sys.executable, "-m", "newsletter", "demo", str(tmp_path / "d")],
                          capture_output=True, text=True, check=True).stdout
    said = int(demo.split("snippets ")[1].split()[0])
    cli = [sys.executable, "-m", "newsletter"]
    here = subprocess.run([*cli, "split", "example-article.txt", "-o", str(tmp_path / "out")],
                          cwd=tmp_path / "d", capture_output=True, text=True, check=True)
    assert _snippets_said(here.stdout) == said
    subprocess.run([*cli, "init", str(tmp_path / "plain")], capture_output=True, check=True)
    plain = subprocess.run([*cli, "split", str(tmp_path / "d" / "example-article.txt")],
                           cwd=tmp_path / "plain", capture_output=True, text=True, check=True)
    other = _snippets_said(plain.stdout)
    assert other != said  # the product's pitch: one call to action, or a tip and one
    words = " ".join(demo.split())
    assert f"`newsletter split` makes {other})" in words
    assert "names SoilSense Meter in products" in words
