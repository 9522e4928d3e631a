"""Issue files ``issues/NNN-slug.yaml``: writing, loading with file:line errors, the queue.

The layout is the contract of DESIGN.md::

    number: 1                                  # must match the NNN of the file name
    id: tips-3f9a2c7b1d0e                      # written by `plan`: the issue's identity in
                                               # the ledger (never reused by another issue)
    subject: str                               # required
    preheader: str                             # optional
    send_at: 2026-12-01T09:00:00-05:00         # broadcast mode: an ISO time WITH its offset
    day: 0                                     # sequence mode instead of send_at: days after
                                               # the subscriber confirmed
    expires: 2026-12-03T09:00:00-05:00         # optional: do not send after this time
    status: scheduled                          # draft | scheduled | cancelled
    snippets:                                  # the blocks, in order (any kind)
      - {from: "article-slug#snippet-id", kind: tip, title: str, body: str,
         sources: [{n: "1", url: str}],
         image: {src: "https://...", alt: str}}           # image optional
      - {from: "testimonials#key", kind: testimonial, title: "", body: quote,
         sources: [], name: str, detail: str, url: str}   # url optional
      - {from: "resources#key", kind: resource, title: str, body: note, sources: [],
         url: str}
    cta: {title: str, body: str, url: str, button: str}   # optional (button optional)
    next: str                                  # optional: what comes next, at the end

Decisions where the contract is silent:

- A time without a UTC offset is an error: the file must say which instant it means, so a
  file reads the same whatever the configured zone, and a DST change cannot shift it.
- ``send_at`` and ``day`` are exclusive; a ``scheduled`` issue needs one of them and at
  least one snippet; a draft may have neither yet.
- ``from`` and ``title`` of a block are optional (a hand-written block has no origin);
  ``body`` is required, except in a testimonial or a resource (an entry that lacks what it
  needs to be sent still loads: ``newsletter check`` names it, and ``send`` refuses it).
- Blocks of the banks (``testimonial``, ``resource``) sit in the same ``snippets:`` list
  as the article's, in reading order, so every entry keeps the keys of a snippet (``kind``,
  ``title``, ``body``, ``sources``) and adds its own (``name``, ``detail``, ``url``);
  ``url`` and ``image`` may be given to any block. Keys a block does not use are not
  written.
- Consecutive parts of one section that travel in one issue are one block: its ``from``
  names every part (``"article-slug#id1+id2"``).
- ``id`` is optional: a file from before ids is identified by its number, which is what its
  ledger rows are keyed by, so nothing moves and every checkout agrees. Ids are letters,
  digits, ``.``, ``_`` and ``-`` (at most 64); two files with the same id are both errors.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from ..errors import IssueFileError, NewsletterError
from ..files import write_atomic
from ..models import (
    BANK_BLOCK_KINDS,
    ISSUE_KEY_PATTERN,
    ISSUE_STATUSES,
    CallToAction,
    Image,
    Issue,
    IssueBlock,
    Source,
)
from ..yamlfiles import FlowMap, Timestamp, dump_fast, text_block

ISSUE_KEYS = ("number", "id", "subject", "preheader", "send_at", "day", "expires", "status",
              "snippets", "cta", "next")
BLOCK_KEYS = ("from", "kind", "title", "body", "sources", "name", "detail", "url", "image")
SOURCE_KEYS = ("n", "url", "text")
IMAGE_KEYS = ("src", "alt")
CTA_KEYS = ("title", "body", "url", "button")
_NAME = re.compile(r"^(\d+)-")
_NULL = "tag:yaml.org,2002:null"
# libyaml when PyYAML has it (10x faster: the studio and `queue` read every file each time).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class LoadedIssue:
    """An issue and the file it was read from (``expires``: the optional send deadline)."""

    path: Path
    issue: Issue
    expires: datetime | None = None


@dataclass(frozen=True)
class Queue:
    """The issues folder: valid issues in send order, and one error per invalid file."""

    issues: tuple[LoadedIssue, ...]
    errors: tuple[IssueFileError, ...]


# --- writing -------------------------------------------------------------------------------


def issue_data(issue: Issue, expires: datetime | None = None) -> dict[str, Any]:
    """The issue as plain data in the order and shape of the issue file."""
    data: dict[str, Any] = {"number": issue.number}
    if issue.id:
        data["id"] = issue.id
    data.update(subject=issue.subject, preheader=issue.preheader)
    if issue.send_at is not None:
        data["send_at"] = Timestamp(issue.send_at.isoformat())
    if issue.day is not None:
        data["day"] = issue.day
    if expires is not None:
        data["expires"] = Timestamp(expires.isoformat())
    data["status"] = issue.status
    data["snippets"] = [_block_data(b) for b in issue.blocks]
    if issue.cta is not None:
        data["cta"] = {"title": issue.cta.title, "body": text_block(issue.cta.body),
                       "url": issue.cta.url} | ({"button": issue.cta.button}
                                                if issue.cta.button else {})
    if issue.next:
        data["next"] = text_block(issue.next)
    return data


def _source_data(source: Source) -> FlowMap:
    return FlowMap(n=source.n, url=source.url, **({"text": source.text} if source.text else {}))


def _block_data(block: IssueBlock) -> dict[str, Any]:
    data: dict[str, Any] = {"from": block.origin} if block.origin else {}
    data.update(kind=block.kind, title=block.title, body=text_block(block.body),
                sources=[_source_data(s) for s in block.sources])
    data.update({key: value for key, value in (("name", block.name),
                                               ("detail", block.detail),
                                               ("url", block.url)) if value})
    if block.image is not None:
        data["image"] = FlowMap(src=block.image.src, alt=block.image.alt)
    return data


def dump_issue(issue: Issue, expires: datetime | None = None) -> str:
    """The issue file's text: readable block-style YAML with bodies as ``|`` blocks."""
    return dump_fast(issue_data(issue, expires), width=4096)


def issue_filename(issue: Issue) -> str:
    """``NNN-slug.yaml``: the zero-padded number and a slug of the subject."""
    return f"{issue.number:03d}-{slugify(issue.subject)}.yaml"


def slugify(text: str, limit: int = 40) -> str:
    """Lowercase ASCII words joined by hyphens, cut at a hyphen to at most ``limit``."""
    words = re.findall(r"[a-z0-9]+", text.lower().encode("ascii", "ignore").decode())
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > limit:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "issue"


# --- reading -------------------------------------------------------------------------------


def load_issue(path: Path) -> Issue:
    """Read and validate one issue file; :class:`IssueFileError` names path, line, field."""
    return load_issue_file(path).issue


def load_issue_file(path: Path) -> LoadedIssue:
    """Like :func:`load_issue`, keeping the path and the optional ``expires`` time."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise IssueFileError("no such issue file", path=path) from None
    except UnicodeDecodeError:
        raise IssueFileError("not UTF-8 text", path=path) from None
    except OSError as exc:
        raise IssueFileError(f"cannot be read ({exc.strerror})", path=path) from None
    return _parsed(text, path)


@functools.lru_cache(maxsize=4096)
def _parsed(text: str, path: Path) -> LoadedIssue:
    """:func:`parse_issue`, remembered: the same text at the same path reads the same, so a
    long-running process (``serve``: the studio's queue of 200 issues) parses only the files
    that changed. Errors are not remembered."""
    return parse_issue(text, path)


def parse_issue(text: str, path: Path) -> LoadedIssue:
    """Validate the text of the issue file at ``path`` (the name must start with NNN-)."""
    reader = _Reader(path)
    root = reader.compose(text)
    fields = reader.mapping(root, "", ISSUE_KEYS)
    number = _number(reader, root, fields)
    send_at, day = _when(reader, fields)
    status = _status(reader, root, fields)
    blocks = _blocks(reader, root, fields.get("snippets"))
    if status == "scheduled" and send_at is None and day is None:
        raise reader.fail(root, "send_at", "a scheduled issue needs send_at (or day)")
    if status == "scheduled" and not blocks:
        raise reader.fail(fields.get("snippets", root), "snippets",
                          "a scheduled issue needs at least one snippet")
    issue = Issue(number=number, subject=reader.text(fields.get("subject"), "subject", root),
                  preheader=reader.text(fields.get("preheader"), "preheader", required=False),
                  status=status, blocks=blocks, send_at=send_at, day=day,
                  cta=_cta(reader, fields.get("cta")), id=_issue_id(reader, fields.get("id")),
                  next=reader.text(fields.get("next"), "next", required=False).rstrip("\n"))
    return LoadedIssue(path, issue, _expires(reader, fields, send_at))


class _Reader:
    """Typed access to a composed YAML node tree, with errors naming path, line and field."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: yaml.Node | None, field: str, message: str) -> IssueFileError:
        line = node.start_mark.line + 1 if node is not None else None
        return IssueFileError(message, path=self.path, line=line, field=field or None)

    def compose(self, text: str) -> yaml.Node:
        try:
            root = yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or "syntax error"
            raise IssueFileError(f"not valid YAML ({problem})", path=self.path,
                                 line=mark.line + 1 if mark else None) from None
        if root is None:
            raise IssueFileError("empty issue file", path=self.path)
        return root

    def mapping(self, node: yaml.Node, field: str, allowed: tuple[str, ...]
                ) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, field, "expected a mapping of keys")
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            name = f"{field}.{key}" if field else key
            if key not in allowed:
                raise self.fail(key_node, name, "unknown key" + _did_you_mean(key, allowed))
            if key in result:
                raise self.fail(key_node, name, "duplicate key")
            result[key] = value_node
        return result

    def sequence(self, node: yaml.Node | None, field: str) -> list[yaml.Node]:
        if node is None or node.tag == _NULL:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, field, "expected a list")
        return list(node.value)

    def text(self, node: yaml.Node | None, field: str, parent: yaml.Node | None = None, *,
             required: bool = True) -> str:
        """A scalar as the text written (``Yes`` stays ``Yes``, ``007`` stays ``007``)."""
        if node is None or node.tag == _NULL:
            if required:
                raise self.fail(node or parent, field, "missing" if node is None else "empty")
            return ""
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, field, "expected text")
        if required and not str(node.value).strip():
            raise self.fail(node, field, "empty")
        return str(node.value)

    def whole(self, node: yaml.Node, field: str, low: int) -> int:
        raw = node.value if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(raw, str) or not re.fullmatch(r"\d+", raw.strip()) or int(raw) < low:
            raise self.fail(node, field, f"expected a whole number from {low} up, got {raw!r}")
        return int(raw)

    def time(self, node: yaml.Node, field: str) -> datetime:
        raw = self.text(node, field)
        try:
            value = datetime.fromisoformat(raw.strip().replace(" ", "T", 1))
        except ValueError:
            raise self.fail(node, field, f"{raw!r} is not a time: use ISO 8601 with an "
                            "offset, e.g. 2026-12-01T09:00:00-05:00") from None
        if value.tzinfo is None or value.utcoffset() is None:
            raise self.fail(node, field, f"{raw!r} has no UTC offset: write it as e.g. "
                            f"{value.isoformat()}+00:00 or with your zone's offset")
        return value


def _did_you_mean(key: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{hint} (expected one of {', '.join(allowed)})"


def _number(reader: _Reader, root: yaml.Node, fields: dict[str, yaml.Node]) -> int:
    if "number" not in fields:
        raise reader.fail(root, "number", "missing")
    number = reader.whole(fields["number"], "number", 1)
    named = _NAME.match(reader.path.name)
    if not named:
        raise reader.fail(None, "", "the file name must start with the issue number, "
                          f"e.g. {number:03d}-{reader.path.stem}.yaml")
    if int(named[1]) != number:
        raise reader.fail(fields["number"], "number", f"{number} does not match the file "
                          f"name (issue {int(named[1])})")
    return number


def _issue_id(reader: _Reader, node: yaml.Node | None) -> str:
    if node is None:
        return ""
    value = reader.text(node, "id").strip()
    if not ISSUE_KEY_PATTERN.fullmatch(value):
        raise reader.fail(node, "id", f"{value!r} is not an issue id: use letters, digits, "
                          "'.', '_' and '-' (at most 64), as `newsletter plan` writes them")
    return value


def _when(reader: _Reader, fields: dict[str, yaml.Node]) -> tuple[datetime | None, int | None]:
    if "send_at" in fields and "day" in fields:
        raise reader.fail(fields["day"], "day", "use either send_at (broadcast) or day "
                          "(sequence), not both")
    send_at = fields.get("send_at")
    day = fields.get("day")
    return (reader.time(send_at, "send_at") if send_at is not None else None,
            reader.whole(day, "day", 0) if day is not None else None)


def _expires(reader: _Reader, fields: dict[str, yaml.Node], send_at: datetime | None
             ) -> datetime | None:
    node = fields.get("expires")
    if node is None:
        return None
    expires = reader.time(node, "expires")
    if send_at is not None and expires <= send_at:
        raise reader.fail(node, "expires", "must be later than send_at")
    return expires


def _status(reader: _Reader, root: yaml.Node, fields: dict[str, yaml.Node]) -> str:
    status = reader.text(fields.get("status"), "status", root)
    if status not in ISSUE_STATUSES:
        raise reader.fail(fields["status"], "status", f"{status!r} is not a status"
                          + _did_you_mean(status, ISSUE_STATUSES))
    return status


def _blocks(reader: _Reader, root: yaml.Node, node: yaml.Node | None
            ) -> tuple[IssueBlock, ...]:
    if node is None:
        raise reader.fail(root, "snippets", "missing")
    return tuple(_block(reader, item, f"snippets[{i}]")
                 for i, item in enumerate(reader.sequence(node, "snippets")))


def _block(reader: _Reader, node: yaml.Node, field: str) -> IssueBlock:
    fields = reader.mapping(node, field, BLOCK_KEYS)
    kind = reader.text(fields.get("kind"), f"{field}.kind", node)

    def optional(key: str) -> str:
        return reader.text(fields.get(key), f"{field}.{key}", required=False)

    return IssueBlock(
        kind=kind, title=optional("title"),
        body=reader.text(fields.get("body"), f"{field}.body", node,
                         required=kind not in BANK_BLOCK_KINDS).rstrip("\n"),
        sources=tuple(_source(reader, s, f"{field}.sources[{i}]") for i, s in
                      enumerate(reader.sequence(fields.get("sources"), f"{field}.sources"))),
        origin=optional("from"), url=optional("url").strip(), name=optional("name"),
        detail=optional("detail"), image=_image(reader, fields.get("image"), f"{field}.image"),
    )


def _image(reader: _Reader, node: yaml.Node | None, field: str) -> Image | None:
    if node is None or node.tag == _NULL:
        return None
    fields = reader.mapping(node, field, IMAGE_KEYS)
    return Image(src=reader.text(fields.get("src"), f"{field}.src", node).strip(),
                 alt=reader.text(fields.get("alt"), f"{field}.alt", required=False))


def _source(reader: _Reader, node: yaml.Node, field: str) -> Source:
    fields = reader.mapping(node, field, SOURCE_KEYS)
    return Source(n=reader.text(fields.get("n"), f"{field}.n", node),
                  url=reader.text(fields.get("url"), f"{field}.url", node),
                  text=reader.text(fields.get("text"), f"{field}.text", required=False))


def _cta(reader: _Reader, node: yaml.Node | None) -> CallToAction | None:
    if node is None or node.tag == _NULL:
        return None
    fields = reader.mapping(node, "cta", CTA_KEYS)
    return CallToAction(title=reader.text(fields.get("title"), "cta.title", required=False),
                        body=reader.text(fields.get("body"), "cta.body", node).rstrip("\n"),
                        url=reader.text(fields.get("url"), "cta.url", required=False),
                        button=reader.text(fields.get("button"), "cta.button", required=False))


# --- the queue -----------------------------------------------------------------------------


def issue_paths(issues_dir: Path) -> list[Path]:
    """The issue files of a folder (``*.yaml``, not hidden), sorted by name."""
    if not issues_dir.is_dir():
        return []
    return sorted(p for p in issues_dir.glob("*.yaml")
                  if not p.name.startswith(".") and p.is_file())


def load_queue(issues_dir: Path) -> Queue:
    """Every issue file of ``issues_dir``: valid ones in send order, and the errors.

    One bad file never stops the others; two files with the same number are both errors.
    """
    loaded: list[LoadedIssue] = []
    errors: list[IssueFileError] = []
    for path in issue_paths(issues_dir):
        try:
            loaded.append(load_issue_file(path))
        except IssueFileError as exc:
            errors.append(exc)
    valid, duplicates = _split_duplicates(loaded)
    return Queue(tuple(sorted(valid, key=send_order)),
                 tuple(sorted([*errors, *duplicates], key=lambda e: e.path or "")))


def _split_duplicates(loaded: list[LoadedIssue]
                      ) -> tuple[list[LoadedIssue], list[IssueFileError]]:
    """Files sharing a number, or a ledger identity (a copied file's ``id``), are errors."""
    errors: list[IssueFileError] = []
    for what, field, key in (("issue number", "number", lambda i: str(i.number)),
                             ("issue id", "id", lambda i: i.key)):
        groups: dict[str, list[LoadedIssue]] = {}
        for item in loaded:
            groups.setdefault(key(item.issue), []).append(item)
        clashes = [(value, items) for value, items in groups.items() if len(items) > 1]
        errors += [IssueFileError(f"{what} {value} is also used by "
                                  + ", ".join(o.path.name for o in items if o is not item),
                                  path=item.path, line=1, field=field)
                   for value, items in clashes for item in items]
        loaded = [item for items in groups.values() if len(items) == 1 for item in items]
    return loaded, errors


def send_order(item: LoadedIssue) -> tuple[int, float, int]:
    """Sort key: timed issues by instant, then sequence issues by day, then the rest."""
    issue = item.issue
    if issue.send_at is not None:
        return (0, issue.send_at.astimezone(UTC).timestamp(), issue.number)
    if issue.day is not None:
        return (1, float(issue.day), issue.number)
    return (2, 0.0, issue.number)


def file_number(path: Path) -> int | None:
    """The number an issue file's name claims (``007-x.yaml`` -> 7), or None."""
    named = _NAME.match(path.name)
    return int(named[1]) if named else None


def find_issue(queue: Queue, number: int) -> LoadedIssue:
    """The valid issue ``number``, or a :class:`NewsletterError` saying why it is not there."""
    for item in queue.issues:
        if item.issue.number == number:
            return item
    for error in queue.errors:
        if error.path and file_number(Path(error.path)) == number:
            raise NewsletterError(f"issue {number} is invalid: {error}")
    raise NewsletterError(f"no issue {number} in the queue (see `newsletter queue`)")


def queue_rows(queue: Queue, tz: tzinfo,
               counts: Mapping[str, Mapping[str, int]] | None = None,
               states: Mapping[str, str] | None = None,
               zones: Mapping[str, tzinfo] | None = None) -> list[dict[str, Any]]:
    """One JSON-ready object per issue in send order, then one per invalid file.

    ``tz`` is the zone shown as local time, unless ``zones`` (file name -> zone, see
    :func:`planned_zones`) has the file's; ``counts`` maps an issue's ledger key to its
    delivery counts (``sent``, ``failed``, ``uncertain``, ...) once the database is known
    (None: not looked up, every count is 0); ``states`` maps it to what the ledger says of
    it ("sent", "sending", "partly sent").
    """
    rows = [_row(item, (zones or {}).get(item.path.name, tz),
                 (counts or {}).get(item.issue.key, {}),
                 (states or {}).get(item.issue.key, "")) for item in queue.issues]
    return rows + [{"file": e.path, "line": e.line, "error": str(e)} for e in queue.errors]


def _row(item: LoadedIssue, tz: tzinfo, counts: Mapping[str, int], state: str
         ) -> dict[str, Any]:
    issue = item.issue
    when = issue.send_at
    return {
        "number": issue.number,
        "id": issue.key,
        "file": str(item.path),
        "subject": issue.subject,
        "send_at": when.isoformat() if when else None,
        "send_at_local": when.astimezone(tz).isoformat() if when else None,
        "send_at_utc": when.astimezone(UTC).isoformat() if when else None,
        "timezone": zone_name(tz),
        "day": issue.day,
        "expires": item.expires.isoformat() if item.expires else None,
        "status": issue.status,
        "delivery": state,
        "words": issue.words,
        "counts": {"sent": 0, "failed": 0, "uncertain": 0, "claimed": 0, "retry": 0, **counts},
    }


# --- what `newsletter plan` wrote ----------------------------------------------------------

STATE_NAME = ".plan-state.yaml"
_STATE_HEADER = (
    "# Written by `newsletter plan`: the SHA-256 of each issue file as it was planned, so\n"
    "# re-planning can tell which files a person has edited since (those are never\n"
    "# overwritten). Deleting this file makes every existing issue file count as edited.\n"
    "# `zones`: the time zone each issue was planned in (--tz), in which `queue`, `check`\n"
    "# and the studio show its time; an issue without one is shown in newsletter.yaml's.\n")


def _state_map(issues_dir: Path, key: str) -> dict[str, str]:
    try:
        data = yaml.safe_load((issues_dir / STATE_NAME).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    found = data.get(key) if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def read_state(issues_dir: Path) -> dict[str, str]:
    """File name -> digest of the issue files `plan` wrote ({} when absent or unreadable).

    An unreadable state only makes plan more careful: every file then counts as edited.
    """
    return _state_map(issues_dir, "files")


def read_zones(issues_dir: Path) -> dict[str, str]:
    """File name -> the IANA zone `plan` planned the issue in ({} when none is recorded)."""
    return _state_map(issues_dir, "zones")


def write_state(issues_dir: Path, state: Mapping[str, str],
                zones: Mapping[str, str] | None = None) -> None:
    """Record the digests of the files `plan` wrote, and the zone each was planned in."""
    data: dict[str, Any] = {"files": dict(sorted(state.items()))}
    if zones:
        data["zones"] = dict(sorted(zones.items()))
    write_atomic(issues_dir / STATE_NAME, _STATE_HEADER + yaml.safe_dump(data, sort_keys=False))


def planned_zones(issues_dir: Path) -> dict[str, tzinfo]:
    """File name -> the zone its issue was planned in, where one is recorded (show the
    others in newsletter.yaml's); a recorded name that is no zone is ignored."""
    zones: dict[str, tzinfo] = {}
    for name, zone in read_zones(issues_dir).items():
        try:
            zones[name] = ZoneInfo(zone)
        except (ValueError, ZoneInfoNotFoundError):
            continue
    return zones


def zone_name(zone: tzinfo) -> str:
    """An IANA zone's name (``America/New_York``), or what another tzinfo calls itself."""
    return str(getattr(zone, "key", None) or zone)

