"""Subscriber lists in and out: CSV import (header mapping, encodings, merging, per-row
errors) and streamed CSV export, over the store.

Import never loses a row silently: every row is imported, merged into a known subscriber,
or reported with its line number and the reason. Addresses and names are normalised by
:mod:`newsletter.addresses` (as at every other way in), and an address erased on request
is refused (its keyed hash is kept, see :meth:`Store.erase_subscriber`).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from .addresses import address_problem, clean_name, normalize_address
from .errors import ConfigError, InputError
from .store import SUBSCRIBER_STATUSES, Store, Subscriber, SubscriberInput
from .tokens import PREVIOUS_ENV, SECRET_ENV, erasure_hash, key_id
from .validators import timezone_problem

BATCH = 1000
email_problem = address_problem  # the name the studio and `newsletter users` import
ProgressCallback = Callable[[int], None]  # called with the number of rows handled so far

# --- reading a CSV file ----------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """A row (or the file, line 0), a message about it, and the kind of problem (what
    reports group by)."""

    line: int
    message: str
    kind: str = ""

    @property
    def group(self) -> str:
        """What this note is grouped under: its kind, else its message."""
        return self.kind or self.message


@dataclass(frozen=True)
class Decoded:
    """A file's lines as text; ``bad`` lines held bytes no fallback encoding can read."""

    lines: list[str]
    encoding: str
    bad: frozenset[int] = frozenset()
    warnings: tuple[Note, ...] = ()


def decode_lines(data: bytes) -> Decoded:
    """Decode UTF-8 (with or without BOM) or UTF-16 with its BOM (what Excel's "Unicode
    text" writes); UTF-8 lines that are not fall back to Windows-1252.

    A file with no UTF-8 at all gets one warning; stray lines in a UTF-8 file get one each.
    Lines holding bytes that Windows-1252 leaves undefined are marked bad (reported).
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16(data)
    data = data.removeprefix(b"\xef\xbb\xbf")
    raw = data.splitlines(keepends=True)
    lines: list[str | None] = [_try(line, "utf-8") for line in raw]
    if all(line is not None for line in lines):
        return Decoded([line or "" for line in lines], "utf-8")
    utf8_seen = any(line is not None and not line.isascii() for line in lines)
    out, bad, notes = [], set(), []
    for number, (line, data_line) in enumerate(zip(lines, raw, strict=True), start=1):
        if line is None:
            line = _try(data_line, "cp1252")
            if line is None:
                bad.add(number)
                line = data_line.decode("latin-1")
            elif utf8_seen:
                notes.append(Note(number, "not UTF-8: read as Windows-1252", "not UTF-8"))
        out.append(line)
    if not utf8_seen:
        notes.insert(0, Note(0, "the file is not UTF-8: read as Windows-1252 (cp1252)"))
    return Decoded(out, "mixed" if utf8_seen else "cp1252", frozenset(bad), tuple(notes))


def _utf16(data: bytes) -> Decoded:
    text = data.decode("utf-16", errors="replace")  # the BOM tells the byte order
    lines = list(io.StringIO(text, newline=""))  # CR/LF only: U+2028 may sit in a cell
    bad = frozenset(n for n, line in enumerate(lines, start=1) if "\ufffd" in line)
    return Decoded(lines, "utf-16", bad)


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def records(decoded: Decoded) -> Iterator[tuple[int, list[str], bool]]:
    """CSV records as (first line number, values, readable); blank lines are skipped."""
    header = next((line for line in decoded.lines if line.strip()), "")
    delimiter = max(",;\t|", key=header.count)
    reader = csv.reader(iter(decoded.lines), delimiter=delimiter)
    start = 1
    for values in reader:
        end = reader.line_num
        if any(v.strip() for v in values):
            readable = not any(n in decoded.bad for n in range(start, end + 1))
            yield start, values, readable
        start = end + 1


# --- header mapping --------------------------------------------------------------------------

ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("email", "emailaddress", "mail", "emailaddr", "subscriberemail"),
    "name": ("name", "fullname", "displayname", "subscribername", "contactname"),
    "first": ("firstname", "first", "givenname", "fname", "forename"),
    "last": ("lastname", "last", "surname", "familyname", "lname"),
    "timezone": ("timezone", "tz", "timezonename", "zone"),
    "confirmed_at": ("confirmedat", "subscribedat", "signupdate", "optintime", "optindate",
                     "confirmtime", "confirmedtime", "subscribed", "signedup", "dateadded",
                     "joined"),
    "status": ("status", "subscriberstatus", "subscriptionstatus", "state"),
    "consent_ip": ("ip", "optinip", "confirmip", "signupip", "ipaddress", "consentip"),
    "consent_at": ("consentat",),
    "ignored": ("consentsource", "createdat"),  # ours, from `export`: a round trip is exact
}


def _squash(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


@dataclass(frozen=True)
class Columns:
    """Which column holds what: known roles by index, every other column a custom field."""

    roles: dict[str, int]
    fields: dict[int, str]


def map_headers(headers: Sequence[str]) -> Columns:
    """Map a header row to roles (email, name, first, last, ...) and custom fields."""
    roles: dict[str, int] = {}
    fields: dict[int, str] = {}
    lookup = {alias: role for role, aliases in ALIASES.items() for alias in aliases}
    for index, header in enumerate(headers):
        role = lookup.get(_squash(header))
        if role == "ignored":
            continue
        if role and role not in roles:
            roles[role] = index
        else:
            fields[index] = header.strip() or f"column {index + 1}"
    return Columns(roles, fields)


STATUS_WORDS: dict[str, str] = {
    "active": "active", "subscribed": "active", "confirmed": "active", "yes": "active",
    "pending": "pending", "unconfirmed": "pending", "optinpending": "pending",
    "unsubscribed": "unsubscribed", "unsubscribe": "unsubscribed", "optedout": "unsubscribed",
    "optout": "unsubscribed", "no": "unsubscribed",
    "bounced": "bounced", "bounce": "bounced", "cleaned": "bounced", "hardbounce": "bounced",
    "complained": "complained", "spam": "complained", "spamreport": "complained",
}


# --- rows to subscribers ---------------------------------------------------------------------


@dataclass(frozen=True)
class RowContext:
    """What every row of one import shares."""

    columns: Columns
    status: str
    default_tz: str
    now: datetime


def parse_row(values: list[str], line: int, ctx: RowContext,
              warnings: list[Note]) -> SubscriberInput | Note:
    """One CSV record as a subscriber, or a Note saying why it is rejected."""
    cell = _cells(values, ctx.columns)
    try:
        email = normalize_address(cell("email"))
    except InputError as exc:
        return Note(line, exc.message, _address_kind(exc.message))
    status = ctx.status
    if cell("status"):
        status = STATUS_WORDS.get(_squash(cell("status")), "")
        if not status:
            return Note(line, f"unknown status {cell('status')!r} (use one of "
                              f"{', '.join(SUBSCRIBER_STATUSES)})", "unknown status")
    timezone = _timezone(cell("timezone"), line, warnings)
    zone = timezone or ctx.default_tz
    name = clean_name(cell("name") or " ".join(p for p in (cell("first"), cell("last")) if p))
    fields = {label: values[i].strip() for i, label in ctx.columns.fields.items()
              if i < len(values) and values[i].strip()}
    first = cell("first")
    if first:  # greetings use it ("Hi Ann,"), over the name's first word
        fields["first_name"] = clean_name(first)
    return SubscriberInput(
        email=email, name=name, status=status, timezone=timezone,
        confirmed_at=_when(cell("confirmed_at"), zone, line, warnings),
        consent_at=_when(cell("consent_at"), zone, line, warnings),
        consent_ip=cell("consent_ip") or None, fields=fields)


def _address_kind(message: str) -> str:
    return "blank email" if message == "blank email" else "invalid address"


def _cells(values: list[str], columns: Columns) -> Callable[[str], str]:
    def cell(role: str) -> str:
        index = columns.roles.get(role)
        return values[index].strip() if index is not None and index < len(values) else ""
    return cell


def _timezone(name: str, line: int, warnings: list[Note]) -> str | None:
    if not name:
        return None
    problem = timezone_problem(name)
    if problem:
        warnings.append(Note(line, f"time zone ignored: {problem}", "time zone ignored"))
        return None
    return name


def _when(text: str, zone: str, line: int, warnings: list[Note]) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        warnings.append(Note(line, f"date {text!r} not understood (use ISO 8601, like "
                                   "2024-05-01 09:30): ignored", "date not understood"))
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


# --- import ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    """What an import did (the `subscribers import --json` object)."""

    imported: int
    updated: int
    unchanged: int
    merged: int  # rows repeating an address already in the file (any case), merged into it
    rejected: tuple[Note, ...]
    warnings: tuple[Note, ...] = ()
    encoding: str = "utf-8"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"imported": self.imported, "updated": self.updated,
                "unchanged": self.unchanged, "merged": self.merged,
                "rejected": [{"line": n.line, "reason": n.message} for n in self.rejected],
                "warnings": [{"line": n.line, "message": n.message} for n in self.warnings],
                "encoding": self.encoding}


@dataclass
class _Tally:
    outcomes: list[str] = field(default_factory=list)
    rejected: list[Note] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)
    seen: dict[str, tuple[int, int]] = field(default_factory=dict)  # -> (line, outcome at)
    merged: int = 0


def count_rows(path: Path) -> int:
    """Roughly how many records a CSV file holds (lines after the header), for progress:
    its line breaks, and a last line without one, less the header line."""
    lines, last = 0, b""
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            lines += chunk.count(b"\n")
            last = chunk
    ends_open = last.rstrip(b"\x00")[-1:] not in (b"", b"\n")  # (UTF-16: "\n\x00")
    return max(lines + ends_open - 1, 1)


def import_csv(path: Path, store: Store, *, status: str = "active", source: str = "",
               now: datetime, default_tz: str = "UTC", secret: str | None = None,
               previous: Sequence[str] = (),
               on_progress: ProgressCallback | None = None) -> ImportReport:
    """Import a CSV of subscribers: map headers, validate, merge, upsert in batches.

    Good rows import even when others are bad; every bad row is in ``rejected`` with its
    line, among them addresses erased on request (checked with ``secret``, the signing
    secret, which is then required, and the ``previous`` secrets: see
    :func:`erased_checker`). A file without an email column, or unreadable, is an
    InputError.
    """
    decoded = _read(path)
    rows = records(decoded)
    header_line, headers, _ = next(rows, (1, [], True))
    columns = map_headers(headers)
    if "email" not in columns.roles:
        raise InputError(f"no email column among the headers {headers!r} (name one "
                         "'email')", path=path, line=header_line, field="email")
    ctx = RowContext(columns, status, default_tz, now)
    tally = _Tally(warnings=list(decoded.warnings))
    batch = _Batch(store, source or f"import:{path.name}", now,
                   erased_checker(store, secret, previous), tally, on_progress)
    for line, values, readable in rows:
        batch.take(line, values, readable, ctx)
    batch.flush()
    if len(tally.outcomes) >= BATCH:
        store.analyze()
    out = tally.outcomes
    return ImportReport(out.count("imported"), out.count("updated"), out.count("unchanged"),
                        tally.merged, tuple(tally.rejected), tuple(tally.warnings),
                        decoded.encoding)


ErasedCheck = Callable[[Sequence[str]], dict[str, datetime]]  # addresses -> erased ones


def erased_checker(store: Store, secret: str | None, previous: Sequence[str] = ()
                   ) -> ErasedCheck | None:
    """What tells which addresses were erased on request (None when none ever was).

    Their hashes are keyed with the signing secret of the day, and each is kept with the
    secret's fingerprint: an address matches under ``secret`` or any of the ``previous``
    ones (``NEWSLETTER_PREVIOUS_SECRET_KEYS``). Without the secret, or with hashes keyed
    by a secret that is neither (it was changed and the old one not listed), the store
    cannot be checked: a :class:`ConfigError` rather than a silent re-import.
    """
    if not store.has_erasures():
        return None
    if not secret:
        raise ConfigError(f"addresses were erased on request here: set {SECRET_ENV} (their "
                          "kept hashes are keyed with it) so that none comes back")
    keys = (secret, *(k for k in previous if k != secret))
    _refuse_unknown_keys(store, keys)

    def check(addresses: Sequence[str]) -> dict[str, datetime]:
        hashes = {erasure_hash(key, a): a for key in keys for a in addresses}
        return {hashes[h]: at for h, at in store.erased_at(hashes).items()}
    return check


def _refuse_unknown_keys(store: Store, keys: Sequence[str]) -> None:
    """A :class:`ConfigError` when erasure hashes were keyed by a secret not in ``keys``."""
    known = {key_id(k) for k in keys}
    lost = sum(n for kid, n in store.erasure_keys().items() if kid and kid not in known)
    if lost:
        raise ConfigError(
            f"{lost:,} address{'es were' if lost != 1 else ' was'} erased on request under "
            f"another {SECRET_ENV} than the one set now: add that earlier key to "
            f"{PREVIOUS_ENV} (comma-separated) so that none comes back (nothing changed)")


def _read(path: Path) -> Decoded:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise InputError("a spreadsheet workbook (.xlsx, .xls), not a CSV text file: save it "
                         "from the spreadsheet as CSV (UTF-8)", path=path)
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in data[:4096] and not utf16:
        bom = _utf16_without_bom(data[:4096])
        if bom is None:
            raise InputError("not a CSV text file (binary content)", path=path)
        return decode_lines(bom + data)
    return decode_lines(data)


def _utf16_without_bom(head: bytes) -> bytes | None:
    """The BOM a UTF-16 file saved without one would have had (its Latin text puts a NUL
    beside every character, always on the same side), or None for binary content."""
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= len(odd) // 2 and 0 not in even:
        return codecs.BOM_UTF16_LE
    if even.count(0) >= len(even) // 2 and 0 not in odd:
        return codecs.BOM_UTF16_BE
    return None


@dataclass
class _Batch:
    """Parsed rows waiting to be checked against erasures, merged and upserted together."""

    store: Store
    source: str
    now: datetime
    erased: ErasedCheck | None
    tally: _Tally
    on_progress: ProgressCallback | None
    rows: list[tuple[int, SubscriberInput]] = field(default_factory=list)

    def take(self, line: int, values: list[str], readable: bool, ctx: RowContext) -> None:
        """Parse one record (a bad one is rejected at once); flush a full batch."""
        if not readable:
            self.tally.rejected.append(Note(line, "undecodable bytes (neither UTF-8 nor "
                                                  "Windows-1252)", "undecodable bytes"))
            return
        parsed = parse_row(values, line, ctx, self.tally.warnings)
        if isinstance(parsed, Note):
            self.tally.rejected.append(parsed)
            return
        self.rows.append((line, parsed))
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Refuse erased addresses, merge repeats, upsert the rest, report progress."""
        tally, rows = self.tally, self.rows
        if not rows:
            return
        erased = self.erased([e.email for _, e in rows]) if self.erased else {}
        kept: list[tuple[SubscriberInput, int | None]] = []  # (row, its first's outcome)
        for line, entry in rows:
            if entry.email in erased:
                tally.rejected.append(Note(line, f"{entry.email} was erased on request on "
                                                 f"{erased[entry.email]:%Y-%m-%d}: not added "
                                                 "again (they may sign up anew)",
                                            "erased on request"))
                continue
            at = len(tally.outcomes) + sum(first is None for _, first in kept)
            first, first_at = tally.seen.setdefault(entry.email, (line, at))  # normalised
            if first != line:
                tally.merged += 1
                tally.warnings.append(Note(line, f"{entry.email} repeats line {first}: merged",
                                           "address repeated in the file (merged)"))
            kept.append((entry, first_at if first != line else None))
        if kept:
            result = self.store.upsert_subscribers([e for e, _ in kept], source=self.source,
                                                   now=self.now)
            self._count(kept, result.outcomes)
        rows.clear()
        if self.on_progress:
            self.on_progress(len(tally.outcomes) + tally.merged + len(tally.rejected))

    def _count(self, kept: list[tuple[SubscriberInput, int | None]],
               outcomes: Sequence[str]) -> None:
        """One outcome per address of the file, never one per repeat: a repeat is merged
        into its first row (the store tells their net change when both are in one batch);
        a repeat of an earlier batch's address that changes it makes that one updated."""
        tally = self.tally
        for (_, first_at), outcome in zip(kept, outcomes, strict=True):
            if first_at is None:
                tally.outcomes.append(outcome)
            elif outcome == "updated" and tally.outcomes[first_at] == "unchanged":
                tally.outcomes[first_at] = "updated"


# --- export ----------------------------------------------------------------------------------

EXPORT_COLUMNS = ("email", "name", "status", "timezone", "confirmed_at", "consent_source",
                  "consent_at", "consent_ip", "created_at")


def export_csv(store: Store, out: TextIO, *, status: str | None = None,
               safe_for_spreadsheets: bool = False,
               on_progress: ProgressCallback | None = None) -> int:
    """Write subscribers as CSV (one row each, a ``status`` column, custom fields last).

    Streams twice over the store (custom field names, then rows); memory stays flat.
    Returns the number of subscribers written. The file imports back unchanged, unless
    ``safe_for_spreadsheets``: then every cell a spreadsheet would run as a formula is
    neutralised (see :func:`spreadsheet_safe`), for opening in Excel, LibreOffice or Sheets.
    ``on_progress`` is told the rows written so far, every thousand and at the end.
    """
    extra = sorted({k for s in store.iter_subscribers(status=status) for k in s.fields}
                   - set(EXPORT_COLUMNS))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*EXPORT_COLUMNS, *extra])
    count = 0
    for sub in store.iter_subscribers(status=status):
        row = [*_export_values(sub), *(str(sub.fields.get(k, "")) for k in extra)]
        writer.writerow(list(map(spreadsheet_safe, row)) if safe_for_spreadsheets else row)
        count += 1
        if on_progress and count % 1000 == 0:
            on_progress(count)
    if on_progress:
        on_progress(count)
    return count


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d",
                  "\uff20")  # and their full-width forms, which some spreadsheets read too


def spreadsheet_safe(cell: str) -> str:
    """``cell`` with a leading apostrophe when a spreadsheet would read it as a formula
    (it starts, perhaps after spaces, with = + - @, a tab or a line break): the
    apostrophe makes it text, shown as written."""
    return f"'{cell}" if cell.lstrip(" ").startswith(FORMULA_STARTS) else cell


def _export_values(sub: Subscriber) -> list[str]:
    def iso(moment: datetime | None) -> str:
        return moment.isoformat() if moment else ""
    return [sub.email, sub.name, sub.status, sub.timezone or "", iso(sub.confirmed_at),
            sub.consent_source, iso(sub.consent_at), sub.consent_ip or "", iso(sub.created_at)]
