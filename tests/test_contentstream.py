"""The content file read from libyaml's events: the same content as the careful reader, or
nothing (and the careful reader names the problem)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.content.contentfile import _load_composed, dump_content, load_content
from newsletter.content.contentstream import read_content_text
from newsletter.errors import InputError
from newsletter.models import Article, Content, Dropped, Image, Snippet

pytestmark = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")

GOOD = """\
article: {title: Ferns, slug: ferns, source: articles/ferns.txt}
references:
  '1': https://example.org/a
  2: Smith et al., 2020
snippets:
- id: water-1
  kind: tip
  section: Care > Watering
  title: Watering
  body: |
    Water weekly.[^1] Don't drown them.[^2]
  sources: ['1', '2']
  words: 6
- id: tools-2
  kind: list
  title: Tools
  body: "You need:\\n\\n- a pot"
  image: {src: 'https://example.org/p.jpg', alt: A pot}
dropped:
- line: 1
  text: Skip to content
  reason: navigation
- {line: 40, text: ~, reason: 12}
"""


def careful(text: str, tmp_path: Path) -> Content:
    """What the careful reader (the whole file composed) makes of ``text``."""
    path = tmp_path / "c.yaml"
    path.write_text(text, "utf-8")
    return _load_composed(path, text)


def test_a_valid_file_reads_as_the_careful_reader_reads_it(tmp_path: Path) -> None:
    content = read_content_text(GOOD)
    assert content == careful(GOOD, tmp_path)
    assert content is not None and content.snippets[1].words == 4  # counted when missing
    assert content.snippets[1].image == Image(src="https://example.org/p.jpg", alt="A pot")
    assert content.dropped[1] == Dropped(line=40, text="", reason="12")


@pytest.mark.parametrize("text", [
    GOOD.replace("snippets:\n", "snippets: &all\n"),  # an anchor
    GOOD.replace("snippets:\n", "snippets: &all\n") + "extra: *all\n",  # an alias
    GOOD.replace("kind: tip", "kind: !!str tip"),  # a tag
    "dropped: []\n" + GOOD.split("dropped:")[0],  # keys in another order: still read
])
def test_other_yaml_is_left_to_the_careful_reader_or_read_alike(tmp_path: Path,
                                                                text: str) -> None:
    content = read_content_text(text)
    path = tmp_path / "c.yaml"
    path.write_text(text, "utf-8")
    try:
        expected: Content | InputError = _load_composed(path, text)
    except InputError as exc:
        expected = exc
    assert content is None or content == expected
    if isinstance(expected, InputError):
        with pytest.raises(InputError) as error:
            load_content(path)
        assert str(error.value) == str(expected)
    else:
        assert load_content(path) == expected


@pytest.mark.parametrize("old, new", [
    ("id: tools-2", "id: water-1"),  # a duplicate id
    ("sources: ['1', '2']", "sources: ['1', '3']"),  # an unknown reference
    ("words: 6", "words: -1"),
    ("words: 6", "words: yes"),
    ("title: Watering", "title: ''"),
    ("title: Watering", "title: [a]"),
    ("  kind: list\n", ""),  # a required field missing
    ("  section: Care > Watering\n", "  section: Care\n  colour: red\n"),  # an unknown field
    ("  title: Tools\n", "  title: Tools\n  title: Again\n"),  # a duplicate key
    ("- line: 1\n", "- line: one\n"),
    ("article: {title: Ferns, slug: ferns, source: articles/ferns.txt}\n", ""),
    ("dropped:\n", "dropped: 3\nx:\n"),
    ("  '1': https://example.org/a\n", "  '1': [a]\n"),
    ("body: |", "body: |\n  bad: [\n"),  # not valid YAML
])
def test_every_problem_is_named_by_the_careful_reader(tmp_path: Path, old: str,
                                                      new: str) -> None:
    text = GOOD.replace(old, new)
    assert text != GOOD and read_content_text(text) is None
    path = tmp_path / "c.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(InputError) as careful_error:
        _load_composed(path, text)
    with pytest.raises(InputError) as error:
        load_content(path)
    assert str(error.value) == str(careful_error.value)


def test_an_empty_or_listless_file_is_left_to_the_careful_reader() -> None:
    assert read_content_text("") is None
    assert read_content_text("- a\n- b\n") is None
    assert read_content_text(GOOD + "---\n" + GOOD) is None  # two documents


# Any text, every line break and control character among it (PyYAML escapes what it must).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60) | st.sampled_from(
    ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029",
     "\ufeff", "\t", "null", "yes", "12", "1e3", "2026-12-01", "~", "- x", "a: b", "#c"])


@settings(max_examples=300, deadline=None)
@given(title=TEXT, refs=st.dictionaries(TEXT, TEXT, max_size=3),
       snippets=st.lists(st.tuples(TEXT, TEXT, TEXT, st.booleans()), max_size=3),
       dropped=st.lists(st.tuples(st.integers(0, 10**6), TEXT, TEXT), max_size=4))
def test_any_written_content_reads_back_as_the_careful_reader_reads_it(
        tmp_path_factory: pytest.TempPathFactory, title: str, refs: dict[str, str],
        snippets: list[tuple[str, str, str, bool]], dropped: list[tuple[int, str, str]]) -> None:
    content = Content(
        article=Article(title=title or "t", slug="s", source=title),
        references={k: v or "v" for k, v in refs.items()},
        snippets=tuple(Snippet(id=f"i{n}", kind="tip", section=a, title=b or "b",
                               body=c or "c", sources=tuple(refs)[:1], words=n,
                               image=Image(src=f"https://x/{n}", alt=a) if pictured else None)
                       for n, (a, b, c, pictured) in enumerate(snippets)),
        dropped=tuple(Dropped(line=n, text=t, reason=r) for n, t, r in dropped))
    text = dump_content(content)
    fast = read_content_text(text)
    try:
        expected: Content | None = careful(text, tmp_path_factory.mktemp("c"))
    except InputError:
        expected = None
    assert fast == expected
