"""The split judged on real articles: ../shared/corpus (24 labelled articles) and our own.

Each article is split by the `newsletter split` command, exactly as a user runs it, and the
content file is judged by the corpus's own judge, ``check_split.py`` (coverage, leaked text,
sizes, repeats, titles, citations and the hand labels). ``corpus_passing.txt`` records the
articles that pass: each must keep passing, and an article that starts to pass must be added
there, so the line only moves up.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from conftest import SHARED, shared_file

from newsletter.cli import main

HERE = Path(__file__).parent
PASSING = HERE / "data" / "corpus" / "passing.txt"
OWN_DIR = HERE / "data" / "corpus"  # our own articles of shapes the corpus lacks
OWN_LABELS = OWN_DIR / "labels.yaml"  # their hand labels, in the corpus's format
# An HTML article is judged against its hand-made extraction, NAME-expected.html, beside it.
EXAMPLE = HERE.parent / "newsletter" / "data" / "example-article.txt"
OWN = [*sorted(p for p in OWN_DIR.iterdir() if p.suffix in (".txt", ".md", ".html")
               and p != PASSING and not p.name.endswith("-expected.html")), EXAMPLE]


def _judge() -> ModuleType:
    path = shared_file("corpus/check_split.py")
    spec = importlib.util.spec_from_file_location("check_split", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _passing() -> list[str]:
    lines = PASSING.read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _corpus_articles() -> list[str]:
    corpus = SHARED / "corpus"
    if not corpus.exists():
        return []
    return sorted(p.name for p in corpus.glob("d[0-9]*")
                  if not p.name.endswith("-expected.html"))


def judge(article: Path, labels: Path, folder: Path, *, seed: bool = False) -> tuple[bool, str]:
    """Split ``article`` with the CLI in a fresh newsletter folder; the judge's verdict."""
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(folder)]).exit_code == 0
    out = folder / "out"
    result = runner.invoke(main, ["--config", str(folder / "newsletter.yaml"), "split",
                                  str(article), "-o", str(out)])
    assert result.exit_code == 0, result.output
    argv = ["check_split.py", str(article), str(next(out.glob("*.yaml"))), "--labels",
            str(labels)]
    expected = article.with_name(article.name.removesuffix(".html") + "-expected.html")
    if article.suffix == ".html" and expected.exists():
        argv += ["--expected", str(expected)]
    if seed:
        argv.append("--seed")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = _judge().main(argv)
    return code == 0, printed.getvalue()


@pytest.mark.parametrize("name", _passing())
def test_a_passing_corpus_article_keeps_passing(name: str, tmp_path: Path) -> None:
    article = shared_file(f"corpus/{name}")
    ok, verdict = judge(article, SHARED / "corpus" / "labels.yaml", tmp_path)
    assert ok, f"{name} passed before and now fails:\n{verdict}"


def test_every_passing_article_is_recorded(tmp_path: Path) -> None:
    """The ratchet: an article that passes now is listed, so it is held from here on."""
    shared_file("corpus/labels.yaml")
    recorded = set(_passing())
    newly = [name for name in _corpus_articles() if name not in recorded
             and judge(SHARED / "corpus" / name, SHARED / "corpus" / "labels.yaml",
                       tmp_path / name)[0]]
    assert not newly, f"now passing, add to {PASSING.name}: {newly}"


@pytest.mark.parametrize("article", OWN, ids=lambda p: p.name)
def test_our_own_articles_pass_the_judge(article: Path, tmp_path: Path) -> None:
    ok, verdict = judge(article, OWN_LABELS, tmp_path)
    assert ok, verdict


@pytest.mark.parametrize("relative", ["articles/04-knee-injury-pt-exercises.md"])
def test_the_shared_example_articles_pass_the_judge(relative: str, tmp_path: Path) -> None:
    ok, verdict = judge(shared_file(relative), OWN_LABELS, tmp_path)
    assert ok, verdict


def test_the_seed_article_passes_the_stricter_seed_judge(tmp_path: Path) -> None:
    ok, verdict = judge(shared_file("seeds/ql-dry-needling.txt"), OWN_LABELS, tmp_path, seed=True)
    assert ok, verdict
