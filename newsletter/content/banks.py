"""The banks a marketer keeps beside the articles: testimonials and resources.

``content/testimonials.yaml`` and ``content/resources.yaml`` are YAML lists, edited by hand
(or imported from CSV), from which `newsletter plan` draws at most one testimonial and one
resource per issue, each entry once::

    # content/testimonials.yaml
    - quote: I can tie my shoes again.    # Markdown; needed to send
      name: Ann P.                        # needed to send
      detail: Runner, Portland            # who they are (optional)
      url: https://example.com/stories/ann   # optional: the whole story
      image: {src: "https://...", alt: str}  # optional
      from: article-slug line 233         # optional: where a stub was found

    # content/resources.yaml
    - title: Best QL stretch for the back # needed to send
      url: https://example.com/ql-stretch # needed to send (absolute http or https)
      note: Five minutes, no equipment.   # optional
      from: article-slug line 239         # optional

An entry that lacks what it needs to be sent is a *stub*: it loads (so a marketer can keep
it while they look for the missing part), `newsletter check` lists it as an error, and
`plan` never puts it in an issue. `newsletter split` (and an upload in the studio) adds
stubs for what an article's scrape lost (a link list without its URLs, a testimonial
that was an image: :func:`add_lost_stubs`) through :func:`add_stubs`, which never
duplicates or overwrites an entry.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml

from ..errors import InputError
from ..files import write_atomic
from ..models import Content, Image, IssueBlock
from ..yamlfiles import FlowMap, dump, text_block

TESTIMONIALS_FILE = "testimonials.yaml"
RESOURCES_FILE = "resources.yaml"
BANK_FILES = (TESTIMONIALS_FILE, RESOURCES_FILE)  # in content/, beside the content files
TESTIMONIAL_KEYS = ("quote", "name", "detail", "url", "image", "from")
RESOURCE_KEYS = ("title", "url", "note", "from")
BankKind = Literal["testimonials", "resources"]

_HEADERS = {
    "testimonials": (
        "# Testimonials: `newsletter plan` puts at most one in an issue, each one once, in\n"
        "# this order. quote (Markdown) and name are needed to send; detail says who they\n"
        "# are; url (a link to the whole story) and image {src, alt} are optional. An entry\n"
        "# without its quote or name is a stub: `newsletter check` lists it, and it is never\n"
        "# sent.\n"),
    "resources": (
        "# Resources: links worth reading. `newsletter plan` puts at most one in an issue,\n"
        "# each one once, in this order. title and url (absolute http or https) are needed\n"
        "# to send; note is a line about it. An entry without its url is a stub: `newsletter\n"
        "# check` lists it, and it is never sent.\n"),
}


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


@dataclass(frozen=True)
class Testimonial:
    """One entry of content/testimonials.yaml (``line``: where it starts in the file)."""

    quote: str = ""
    name: str = ""
    detail: str = ""
    url: str = ""
    image: Image | None = None
    origin: str = ""  # `from`: where a stub was found
    line: int = field(default=0, compare=False)

    @property
    def key(self) -> str:
        """A stable id for the ``from`` of issue blocks: the name and a hash of the quote."""
        return f"{_slug(self.name) or 'testimonial'}-{_hash(self.quote)}"

    @property
    def missing(self) -> tuple[str, ...]:
        """What this entry needs before it can be sent (empty: ready)."""
        return _missing({"quote": self.quote, "name": self.name}, self.url)


@dataclass(frozen=True)
class Resource:
    """One entry of content/resources.yaml (``line``: where it starts in the file)."""

    title: str = ""
    url: str = ""
    note: str = ""
    origin: str = ""  # `from`: where a stub was found
    line: int = field(default=0, compare=False)

    @property
    def key(self) -> str:
        """A stable id for the ``from`` of issue blocks: a slug of the title."""
        return _slug(self.title) or f"resource-{_hash(self.url)}"

    @property
    def missing(self) -> tuple[str, ...]:
        """What this entry needs before it can be sent (empty: ready)."""
        return _missing({"title": self.title, "url": self.url}, self.url)


Entry = Testimonial | Resource


def _missing(needed: dict[str, str], url: str) -> tuple[str, ...]:
    """"no <key>" for each needed key left empty, and a URL that cannot be a link."""
    problems = [f"no {key}" for key, value in needed.items() if not value.strip()]
    if url.strip() and not is_web_url(url):
        problems.append(f"url {url!r} is not an absolute http(s) address")
    return tuple(problems)


@dataclass(frozen=True)
class Banks:
    """Both banks of a newsletter folder, in file order, stubs included."""

    testimonials: tuple[Testimonial, ...] = ()
    resources: tuple[Resource, ...] = ()

    @property
    def ready_testimonials(self) -> tuple[Testimonial, ...]:
        """The testimonials that may be sent."""
        return tuple(t for t in self.testimonials if not t.missing)

    @property
    def ready_resources(self) -> tuple[Resource, ...]:
        """The resources that may be sent."""
        return tuple(r for r in self.resources if not r.missing)


def bank_block(entry: Entry) -> IssueBlock:
    """The issue block of a bank entry, with ``from`` naming the bank and the entry."""
    if isinstance(entry, Testimonial):
        return IssueBlock(kind="testimonial", title="", body=entry.quote.strip(),
                          origin=f"testimonials#{entry.key}", url=entry.url.strip(),
                          name=entry.name.strip(), detail=entry.detail.strip(),
                          image=entry.image)
    return IssueBlock(kind="resource", title=entry.title.strip(), body=entry.note.strip(),
                      origin=f"resources#{entry.key}", url=entry.url.strip())


# --- reading ---------------------------------------------------------------------------------


def bank_path(folder: Path, kind: BankKind) -> Path:
    """``folder/testimonials.yaml`` or ``folder/resources.yaml``."""
    return folder / (TESTIMONIALS_FILE if kind == "testimonials" else RESOURCES_FILE)


def load_banks(folder: Path) -> Banks:
    """Both banks of ``folder`` (content/); a missing file is an empty bank."""
    return Banks(testimonials=load_testimonials(bank_path(folder, "testimonials")),
                 resources=load_resources(bank_path(folder, "resources")))


def load_testimonials(path: Path) -> tuple[Testimonial, ...]:
    """content/testimonials.yaml; :class:`InputError` names file, line and field."""
    return tuple(_entries(path, TESTIMONIAL_KEYS, _testimonial))


def load_resources(path: Path) -> tuple[Resource, ...]:
    """content/resources.yaml; :class:`InputError` names file, line and field."""
    return tuple(_entries(path, RESOURCE_KEYS, _resource))


def _entries(path: Path, keys: tuple[str, ...], build: Any) -> list[Any]:
    root = _compose(path)
    if root is None or root.tag == "tag:yaml.org,2002:null":
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise _fail(path, root, "", "expected a list of entries (each line starting with -)")
    entries = []
    for index, node in enumerate(root.value):
        fields = _mapping(path, node, f"[{index}]", keys)
        entries.append(build(_Fields(path, node, f"[{index}]", fields)))
    return entries


def _compose(path: Path) -> yaml.Node | None:
    if not path.is_file():
        return None
    try:
        return yaml.compose(path.read_text("utf-8"), Loader=yaml.SafeLoader)
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"not valid YAML ({getattr(exc, 'problem', None) or 'syntax error'})",
                         path=path, line=mark.line + 1 if mark else None) from None


def _fail(path: Path, node: yaml.Node, field: str, message: str) -> InputError:
    return InputError(message, path=path, line=node.start_mark.line + 1, field=field or None)


def _mapping(path: Path, node: yaml.Node, field: str, keys: tuple[str, ...]
             ) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        raise _fail(path, node, field, f"expected an entry with keys {', '.join(keys)}")
    fields: dict[str, yaml.Node] = {}
    for key_node, value in node.value:
        key = str(key_node.value)
        if key not in keys:
            close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise _fail(path, key_node, f"{field}.{key}",
                        f"unknown key{hint} (expected one of {', '.join(keys)})")
        if key in fields:
            raise _fail(path, key_node, f"{field}.{key}", "duplicate key")
        fields[key] = value
    return fields


@dataclass(frozen=True)
class _Fields:
    """The keys of one entry, read as the text written."""

    path: Path
    node: yaml.Node
    field: str
    fields: dict[str, yaml.Node]

    def text(self, key: str) -> str:
        node = self.fields.get(key)
        if node is None or node.tag == "tag:yaml.org,2002:null":
            return ""
        if not isinstance(node, yaml.ScalarNode):
            raise _fail(self.path, node, f"{self.field}.{key}", "expected text")
        return str(node.value).strip()

    def image(self) -> Image | None:
        node = self.fields.get("image")
        if node is None or node.tag == "tag:yaml.org,2002:null":
            return None
        inner = _Fields(self.path, node, f"{self.field}.image",
                        _mapping(self.path, node, f"{self.field}.image", ("src", "alt")))
        if not inner.text("src"):
            raise _fail(self.path, node, f"{self.field}.image.src", "missing")
        return Image(inner.text("src"), inner.text("alt"))

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1


def _testimonial(f: _Fields) -> Testimonial:
    return Testimonial(quote=f.text("quote"), name=f.text("name"), detail=f.text("detail"),
                       url=f.text("url"), image=f.image(), origin=f.text("from"), line=f.line)


def _resource(f: _Fields) -> Resource:
    return Resource(title=f.text("title"), url=f.text("url"), note=f.text("note"),
                    origin=f.text("from"), line=f.line)


# --- writing ---------------------------------------------------------------------------------


def entry_data(entry: Entry) -> dict[str, Any]:
    """An entry as the mapping written in its bank file (empty optional keys left out)."""
    if isinstance(entry, Testimonial):
        data: dict[str, Any] = {"quote": _text(entry.quote), "name": entry.name,
                                "detail": entry.detail}
        optional = {"url": entry.url, "image": FlowMap(src=entry.image.src, alt=entry.image.alt)
                    if entry.image else None, "from": entry.origin}
    else:
        data = {"title": entry.title, "url": entry.url, "note": _text(entry.note)}
        optional = {"from": entry.origin}
    return data | {key: value for key, value in optional.items() if value}


def _text(text: str) -> str:
    return text_block(text.strip()) if "\n" in text.strip() else text.strip()


def dump_entries(entries: Sequence[Entry]) -> str:
    """The YAML list of ``entries`` as written in a bank file ("" for none)."""
    if not entries:
        return ""
    return dump([entry_data(e) for e in entries])


def save_bank(folder: Path, kind: BankKind, entries: Sequence[Entry]) -> Path:
    """Write a whole bank (header comment and entries), atomically; return its path."""
    path = bank_path(folder, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, _HEADERS[kind] + (dump_entries(entries) or "[]\n"))
    return path


# --- adding: stubs and CSV imports -------------------------------------------------------------


@dataclass(frozen=True)
class Added:
    """What an addition to the banks did: the entries added and those already there."""

    testimonials: tuple[Testimonial, ...] = ()
    resources: tuple[Resource, ...] = ()
    already: tuple[Entry, ...] = ()  # left out: the bank had them (by title, quote or from)


def add_stubs(folder: Path, *, resources: Iterable[Resource] = (),
              testimonials: Iterable[Testimonial] = ()) -> Added:
    """Add entries (typically stubs found by ``split``) to the banks of ``folder``.

    An entry the bank already has (same ``from``, resource title or URL, testimonial
    quote or image) is left out, so splitting an article again adds nothing twice; existing
    entries are never changed, and the file's other text (comments included) is kept: new
    entries are appended at its end. An invalid bank file raises :class:`InputError`
    untouched.
    """
    banks = load_banks(folder)
    new_t, old_t = _new_entries(banks.testimonials, testimonials)
    new_r, old_r = _new_entries(banks.resources, resources)
    _append(folder, "testimonials", banks.testimonials, new_t)
    _append(folder, "resources", banks.resources, new_r)
    return Added(tuple(new_t), tuple(new_r), (*old_t, *old_r))


def _new_entries(bank: Sequence[Any], candidates: Iterable[Any]) -> tuple[list[Any], list[Any]]:
    seen = {k for entry in bank for k in _identities(entry)}
    new, old = [], []
    for entry in candidates:
        keys = _identities(entry)
        (old if keys & seen else new).append(entry)
        seen |= keys
    return new, old


def _identities(entry: Entry) -> set[str]:
    """What makes two entries the same one (any shared identity)."""
    keys = {f"from:{entry.origin}"} if entry.origin else set()
    if isinstance(entry, Resource):
        keys |= {f"title:{_fold(entry.title)}"} if entry.title.strip() else set()
        keys |= {f"url:{entry.url.strip()}"} if entry.url.strip() else set()
    else:
        keys |= {f"quote:{_fold(entry.quote)}"} if entry.quote.strip() else set()
        keys |= {f"image:{entry.image.src}"} if entry.image else set()
    return keys


def _append(folder: Path, kind: BankKind, existing: Sequence[Entry], new: Sequence[Entry]
            ) -> None:
    if not new:
        return
    path = bank_path(folder, kind)
    root = _compose(path)
    if root is not None and existing and getattr(root, "flow_style", False):
        save_bank(folder, kind, [*existing, *new])  # `[...]` cannot take appended items
        return
    text = path.read_text("utf-8") if path.is_file() else _HEADERS[kind]
    if not existing:  # only comments, `[]` or nothing: the entries replace the empty list
        text = re.sub(r"^\s*\[\s*\]\s*$", "", text, flags=re.M)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.rstrip("\n") + "\n" + _stub_comments(dump_entries(new), new))


def _stub_comments(dumped: str, entries: Sequence[Entry]) -> str:
    """Put a comment saying what is missing above each stub of the dumped list."""
    parts = re.split(r"(?m)^(?=- )", dumped)[1:]
    out = []
    for part, entry in zip(parts, entries, strict=True):
        if entry.missing:
            out.append(f"# stub ({'; '.join(entry.missing)}): never sent until filled in\n")
        out.append(part)
    return "".join(out)


@dataclass(frozen=True)
class CsvRow:
    """A CSV row that could not be imported, with its line and why."""

    line: int
    reason: str


def read_csv(path: Path, kind: BankKind) -> tuple[list[Entry], list[CsvRow]]:
    """Entries from a CSV file with a header row naming the bank's keys (any order).

    Testimonials: ``quote, name, detail, url``; resources: ``title, url, note``; other
    columns are an error (naming them), a row with more cells than the header is rejected
    with its line, blank rows are skipped. Stubs are entries like any other.
    """
    keys = ("quote", "name", "detail", "url") if kind == "testimonials" else (
        "title", "url", "note")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError("no such CSV file", path=path) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text (save the CSV as UTF-8)", path=path) from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    unknown = [h for h in header if h not in keys]
    if unknown or not header:
        problem = f"unknown column {unknown[0]!r}" if unknown else "no header row"
        raise InputError(f"{problem} (expected columns {', '.join(keys)})", path=path, line=1)
    entries: list[Entry] = []
    rejected: list[CsvRow] = []
    start = reader.line_num + 1
    for values in reader:
        if len(values) > len(header):
            rejected.append(CsvRow(start, f"{len(values)} cells for {len(header)} columns"))
        elif any(v.strip() for v in values):
            cells = dict(zip(header, (v.strip() for v in values), strict=False))
            entries.append(Testimonial(**cells) if kind == "testimonials"
                           else Resource(**cells))
        start = reader.line_num + 1
    return entries, rejected


def import_csv(folder: Path, kind: BankKind, csv_path: Path) -> tuple[Added, list[CsvRow]]:
    """Add the entries of a CSV file to a bank (as :func:`add_stubs` does: never twice).

    A row that completes a stub of the bank (same title, or same quote) fills that stub in
    place; the rest are appended. Returns what was added and the rows rejected.
    """
    entries, rejected = read_csv(csv_path, kind)
    bank = list(_bank(load_banks(folder), kind))
    filled = _fill_stubs(bank, entries)
    if filled:
        save_bank(folder, kind, bank)
    rest = [e for e in entries if e not in filled]
    added = add_stubs(folder, **{kind: rest})  # type: ignore[arg-type]
    return replace(added, **{kind: (*filled, *getattr(added, kind))}), rejected


def _bank(banks: Banks, kind: BankKind) -> tuple[Entry, ...]:
    return banks.testimonials if kind == "testimonials" else banks.resources


def _fill_stubs(bank: list[Entry], entries: Sequence[Entry]) -> list[Entry]:
    """Replace each stub of ``bank`` that a ready entry names (title or quote) by it."""
    filled = []
    for entry in entries:
        if entry.missing:
            continue
        for index, old in enumerate(bank):
            if old.missing and _same_subject(old, entry):
                bank[index] = replace(entry, origin=old.origin)
                filled.append(entry)
                break
    return filled


def _same_subject(a: Entry, b: Entry) -> bool:
    if isinstance(a, Resource) and isinstance(b, Resource):
        return bool(a.title.strip()) and _fold(a.title) == _fold(b.title)
    if isinstance(a, Testimonial) and isinstance(b, Testimonial):
        return bool(a.quote.strip()) and _fold(a.quote) == _fold(b.quote)
    return False


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower().encode("ascii", "ignore").decode())
    return "-".join(words)[:40].strip("-")


def _hash(text: str) -> str:
    return hashlib.sha256(_fold(text).encode("utf-8")).hexdigest()[:6]


# --- what a scrape lost: stubs for the marketer to complete -------------------------------------

LOST_LINK = "link text whose URL was lost"


def lost_entries(content: Content) -> tuple[list[Resource], list[Testimonial]]:
    """Stubs for what the article's scrape lost, from its dropped lines: each link of a link
    list whose URLs were lost (the sample's "More ... Resources") a resource with its title,
    each image label naming a testimonial a testimonial; ``from`` says where each was."""
    slug = content.article.slug
    resources = [Resource(title=d.text.strip(), origin=f"{slug} line {d.line}")
                 for d in content.dropped
                 if d.reason.startswith("link_list") and d.reason.endswith(LOST_LINK)]
    testimonials = [Testimonial(origin=f"{slug} line {d.line}") for d in content.dropped
                    if d.reason.startswith("image_label") and "testimonial" in d.text.lower()]
    return resources, testimonials


def add_lost_stubs(folder: Path, content: Content) -> Added:
    """Add the stubs of :func:`lost_entries` to the banks in ``folder`` (never twice)."""
    resources, testimonials = lost_entries(content)
    return add_stubs(folder, resources=resources, testimonials=testimonials)


def stubs_note(added: Added, folder: Path, shown: Callable[[Path], str] = str) -> str:
    """The line saying which stubs were added to the banks in ``folder`` ("" for none);
    ``shown`` writes a bank's path as the reader sees it."""
    parts = [f"{len(entries)} {kind} stub{'s' if len(entries) > 1 else ''} to "
             f"{shown(bank_path(folder, name))}"
             for entries, kind, name in ((added.resources, "resource", "resources"),
                                         (added.testimonials, "testimonial", "testimonials"))
             if entries]
    if not parts:
        return ""
    return (f"Added {' and '.join(parts)}: what the scrape lost (links, pictures). Fill them "
            "in; until then `newsletter check` lists them and they are never sent.")
