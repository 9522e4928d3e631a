"""split: the article's pictures stay with the snippets they illustrate (https only)."""

from __future__ import annotations

from pathlib import Path

from newsletter.content.ingest import read_article
from newsletter.content.split import split
from newsletter.models import Image

FILLER = "Keep the dough covered so the surface never dries out while it rests. " * 5


def test_each_https_picture_goes_with_the_snippet_after_it(tmp_path: Path) -> None:
    article = tmp_path / "loaf.md"
    article.write_text(
        "# Loaf Guide\n\n![A crusty loaf on a board](https://img.example/loaf.jpg)\n\n"
        f"Baking bread at home takes patience. {FILLER}\n\n## Shaping\n\n"
        "![Hands shaping dough](http://img.example/insecure.jpg)\n\n"
        f"Shape the dough gently into a ball. {FILLER}\n\n## Proving\n\n"
        f"Let it rise in a cool place overnight. {FILLER}\n\n"
        "![A risen loaf](/img/relative.jpg)\n", encoding="utf-8")
    content = split(read_article(article))
    assert [s.image for s in content.snippets] == [
        Image("https://img.example/loaf.jpg", "A crusty loaf on a board"), None, None]
    why = {d.line: d.reason for d in content.dropped}
    assert why[3] == f"image: shown as the picture of {content.snippets[0].id}"
    assert why[9].startswith("image: picture") and why[17].startswith("image: picture")


def test_a_saved_pages_figure_illustrates_the_text_it_stands_in(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Starter</title></head><body><article><h1>Starter</h1>\n"
        f"<p>{FILLER}</p>\n<h2>Feeding</h2>\n"
        "<figure><img src='https://img.example/jar.jpg' alt='A bubbly jar'></figure>\n"
        f"<p>Feed it twice a day. {FILLER}</p>\n<h2>Storing</h2>\n"
        f"<p>Keep it cold between bakes. {FILLER}</p>\n</article></body></html>\n",
        encoding="utf-8")
    content = split(read_article(page))
    feeding = next(s for s in content.snippets if s.title == "Feeding")
    assert feeding.image == Image("https://img.example/jar.jpg", "A bubbly jar")
    assert [s.image for s in content.snippets if s is not feeding] == [None, None]
