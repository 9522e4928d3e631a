"""CSV import and export of subscribers: validation, header mapping, encodings, merging."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsletter.addresses import address_problem, clean_name, normalize_address
from newsletter.errors import ConfigError, InputError
from newsletter.store import Store, SubscriberInput, open_store
from newsletter.subscribers import decode_lines, export_csv, import_csv, map_headers
from newsletter.tokens import erasure_hash

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'subscribers' / 'newsletter.db'}") as opened:
        yield opened


def write(tmp_path: Path, data: bytes | str, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize("address", [
    "a@example.org", "first.last+tag@sub.example.co.uk", "o'brien@example.ie",
    "x@xn--bcher-kva.example", "user@bücher.example"])
def test_valid_addresses_pass(address: str) -> None:
    assert address_problem(address) is None


@pytest.mark.parametrize(("address", "why"), [
    ("", "blank"), ("plainaddress", "must have an @-sign"),
    ("@example.org", "something before the @-sign"), ("a b@example.org", "space"),
    ("a..b@example.org", "two periods in a row"), (".a@example.org", "start with a period"),
    ("a@localhost", "should have a period"), ("a@-example.org", "hyphen"),
    ("a@example.123", "not within a valid top-level domain"),
    ("josé@example.org", "internationalized characters before the @-sign"),
    ("a@exa_mple.org", "invalid characters"), ("a@example..org", "two periods in a row"),
    ("a\tb@example.org", "control character"), ("x" * 65 + "@example.org", "too long")])
def test_invalid_addresses_say_why(address: str, why: str) -> None:
    assert why in (address_problem(address) or "")


@pytest.mark.parametrize(("given", "stored"), [
    ("  Jane.Doe@Example.ORG ", "jane.doe@example.org"),
    ("zw@example.com\u200b", "zw@example.com"),           # zero-width space
    ("\ufeffzw@exa\u200dmple.com", "zw@example.com"),     # BOM, zero-width joiner
    ("ｚｗ＠ｅｘａｍｐｌｅ．ｃｏｍ", "zw@example.com"),          # full-width
    ("ZW@EXAMPLE.COM\u00a0", "zw@example.com"),           # no-break space
    ("user@Bücher.Example", "user@xn--bcher-kva.example"),  # IDNA
    ("soft\u00adhyphen@example.com", "softhyphen@example.com")])
def test_one_mailbox_has_one_normalised_form(given: str, stored: str) -> None:
    assert normalize_address(given) == stored
    with pytest.raises(InputError, match="email: invalid address"):
        normalize_address("jane@")


def test_names_lose_line_breaks_and_control_characters_but_keep_joiners() -> None:
    assert clean_name("Ann\r\nBcc: x@y.example\x00 \u2028Lee\u200b") == \
        "Ann Bcc: x@y.example Lee"
    assert clean_name("👩\u200d💻 Dev") == "👩\u200d💻 Dev"


def test_common_header_names_are_recognised() -> None:
    columns = map_headers(["Email Address", "First Name", "Last Name", "TZ", "Signup Date",
                           "Status", "Company"])
    assert columns.roles == {"email": 0, "first": 1, "last": 2, "timezone": 3,
                             "confirmed_at": 4, "status": 5}
    assert columns.fields == {6: "Company"}
    assert map_headers(["E-mail", "Full name"]).roles == {"email": 0, "name": 1}


def test_a_messy_file_imports_every_good_row_and_reports_every_bad_one(
        store: Store, tmp_path: Path) -> None:
    data = (b"Email,Name,City\r\n"
            b"ann@example.org,Ann,Oslo\r\n"            # 2
            b"\r\n"                                    # 3 blank
            b"not-an-address,Bob,Rome\r\n"             # 4 invalid
            b"ANN@Example.org,,Bergen\r\n"             # 5 duplicate in other case
            b",Nobody,Nowhere\r\n"                     # 6 blank email
            b"cafe@example.org,Caf\xe9 Owner,Paris\r\n"  # 7 cp1252 byte
            b"\r\n"                                    # 8 blank
            b"zoe@example.org,\"Zo\xeb, the\nsecond\",Lyon\r\n"  # 9-10 quoted newline
            b"bad@example.org,Ugly\x81Byte,Nice\r\n"    # 11 byte undefined in cp1252
            b"last@example.org,Last,End")               # 12, no final newline
    report = import_csv(write(tmp_path, data), store, now=NOW)
    assert (report.imported, report.merged) == (4, 1)
    assert [(r.line, r.message.split(":")[0]) for r in report.rejected] == [
        (4, "invalid address 'not-an-address'"), (6, "blank email"),
        (11, "undecodable bytes (neither UTF-8 nor Windows-1252)")]
    assert store.get_subscriber("cafe@example.org").name == "Café Owner"
    assert store.get_subscriber("zoe@example.org").name == "Zoë, the second"
    ann = store.get_subscriber("ann@example.org")
    assert ann.name == "Ann" and ann.fields == {"City": "Bergen"}
    assert any("Windows-1252" in w.message for w in report.warnings)
    assert any(w.line == 5 and "repeats line 2" in w.message for w in report.warnings)


def test_a_utf8_file_with_bom_and_semicolons_is_read(store: Store, tmp_path: Path) -> None:
    text = ("\ufeffE-Mail;Name;Time Zone\njuergen@müller.example;Jürgen Müller;Europe/Berlin\n"
            "müller@example.de;Ärger;\n")
    report = import_csv(write(tmp_path, text), store, now=NOW)
    assert report.warnings == () and report.imported == 1
    assert [(r.line, "internationalized characters before the @-sign" in r.message)
            for r in report.rejected] == [(3, True)]
    sub = store.get_subscriber("juergen@müller.example")
    assert sub.email == "juergen@xn--mller-kva.example"
    assert (sub.name, sub.timezone) == ("Jürgen Müller", "Europe/Berlin")


def test_variants_of_one_address_collapse_to_one_subscriber(store: Store, tmp_path: Path
                                                            ) -> None:
    text = ("email,name\nzw@example.com,Zoe\nzw@example.com\u200b,\nＺＷ＠ＥＸＡＭＰＬＥ．ＣＯＭ,\n"
            "ZW@Example.com,Zoe W\n")
    report = import_csv(write(tmp_path, text), store, now=NOW)
    assert (report.imported, report.merged, report.rejected) == (1, 3, ())
    [only] = list(store.iter_subscribers())
    assert (only.email, only.name) == ("zw@example.com", "Zoe W")
    again = import_csv(write(tmp_path, "email\n\u200bＺw@example.com\n", "again.csv"), store,
                       now=NOW)
    assert (again.imported, again.unchanged) == (0, 1)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_utf16_file_with_its_bom_imports(store: Store, tmp_path: Path, encoding: str) -> None:
    text = "email\tname\r\nann@example.org\tAnn Müller\r\nbob@example.org\tBob \u2028Roy\r\n"
    bom = b"\xfe\xff" if encoding == "utf-16-be" else b""  # "utf-16" writes its own BOM
    report = import_csv(write(tmp_path, bom + text.encode(encoding)), store, now=NOW)
    assert (report.imported, report.rejected, report.encoding) == (2, (), "utf-16")
    assert store.get_subscriber("ann@example.org").name == "Ann Müller"
    assert store.get_subscriber("bob@example.org").name == "Bob Roy"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_file_saved_without_a_bom_imports(store: Store, tmp_path: Path,
                                                  encoding: str) -> None:
    text = "email,name\r\nann@example.org,Ann Müller\r\nＢＯＢ@example.org,Bob\r\n"
    report = import_csv(write(tmp_path, text.encode(encoding)), store, now=NOW)
    assert (report.imported, report.rejected, report.encoding) == (2, (), "utf-16")
    assert store.get_subscriber("ann@example.org").name == "Ann Müller"
    assert store.get_subscriber("bob@example.org").name == "Bob"


def test_names_with_line_breaks_are_cleaned_at_import(store: Store, tmp_path: Path) -> None:
    data = 'email,name\nann@example.org,"Ann\r\nBcc: evil@example.org"\n'
    import_csv(write(tmp_path, data), store, now=NOW)
    assert store.get_subscriber("ann@example.org").name == "Ann Bcc: evil@example.org"


def test_an_erased_address_is_never_imported_again(store: Store, tmp_path: Path) -> None:
    secret = "s" * 32
    store.upsert_subscribers([SubscriberInput("gone@example.org"),
                              SubscriberInput("kept@example.org")], source="t", now=NOW)
    assert store.erase_subscriber("gone@example.org", now=NOW,
                                  erasure_hash=erasure_hash(secret, "gone@example.org"))
    assert store.get_subscriber("gone@example.org") is None
    old_list = write(tmp_path, "email\nGONE@example.org\u200b\nkept@example.org\nnew@example.org\n")
    report = import_csv(old_list, store, now=NOW, secret=secret)
    assert (report.imported, report.unchanged) == (1, 1)
    assert [(r.line, r.kind) for r in report.rejected] == [(2, "erased on request")]
    assert "erased on request on 2026-03-01" in report.rejected[0].message
    assert store.get_subscriber("gone@example.org") is None
    with pytest.raises(ConfigError, match="set NEWSLETTER_SECRET_KEY"):
        import_csv(old_list, store, now=NOW)


def test_a_stray_cp1252_line_in_a_utf8_file_is_read_with_a_warning() -> None:
    decoded = decode_lines("email,name\na@x.org,Zoë\n".encode() + b"b@x.org,Ren\xe9e\n")
    assert decoded.lines[2] == "b@x.org,Renée\n" and decoded.bad == frozenset()
    assert [(w.line, w.message) for w in decoded.warnings] == [
        (3, "not UTF-8: read as Windows-1252")]


def test_statuses_time_zones_and_dates_are_imported(store: Store, tmp_path: Path) -> None:
    text = ("email,status,timezone,subscribed_at\n"
            "a@example.org,subscribed,America/New_York,2025-06-01 09:00\n"
            "b@example.org,unsubscribed,,\n"
            "c@example.org,cleaned,Mars/Base,yesterday\n"
            "d@example.org,weird,,\n")
    report = import_csv(write(tmp_path, text), store, now=NOW, default_tz="Europe/Berlin")
    a = store.get_subscriber("a@example.org")
    assert a.timezone == "America/New_York"
    assert a.confirmed_at == datetime(2025, 6, 1, 13, 0, tzinfo=UTC)
    assert store.get_subscriber("b@example.org").status == "unsubscribed"
    assert store.get_subscriber("c@example.org").status == "bounced"
    assert {w.line for w in report.warnings} == {4}  # unknown zone and date, both reported
    assert [r.line for r in report.rejected] == [5]


def test_import_never_reactivates_a_suppressed_address(store: Store, tmp_path: Path) -> None:
    store.upsert_subscribers([SubscriberInput("gone@example.org", status="complained")],
                             source="webhook", now=NOW)
    report = import_csv(write(tmp_path, "email,name\nGone@example.org,Back Again\n"), store,
                        now=NOW)
    gone = store.get_subscriber("gone@example.org")
    assert (gone.status, gone.name, report.updated) == ("complained", "Back Again", 1)


def test_pending_import_and_a_second_import_count_unchanged(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "email\np@example.org\nq@example.org\n")
    first = import_csv(path, store, status="pending", source="legacy", now=NOW)
    again = import_csv(path, store, status="pending", now=NOW)
    assert (first.imported, again.unchanged) == (2, 2)
    assert store.status_history("p@example.org")[0].source == "legacy"


def test_a_file_without_an_email_column_names_the_headers(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"list.csv:1: email: no email column.*'Phone'"):
        import_csv(write(tmp_path, "Name,Phone\nAnn,123\n"), store, now=NOW)


@pytest.mark.parametrize(("data", "said"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV text file (binary content)"),
    (b"email\x00\x00,\x00n\x00", "not a CSV text file (binary content)"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00", "a spreadsheet workbook (.xlsx, .xls), not a CSV "
                                         "text file: save it from the spreadsheet as CSV"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a spreadsheet workbook"),
])
def test_a_binary_file_is_refused(store: Store, tmp_path: Path, data: bytes, said: str
                                  ) -> None:
    with pytest.raises(InputError, match=re.escape(said)):
        import_csv(write(tmp_path, data), store, now=NOW)


def test_export_then_import_gives_the_same_subscribers(store: Store, tmp_path: Path) -> None:
    store.upsert_subscribers([
        SubscriberInput("a@example.org", name='Ann "A", Jr.', timezone="Asia/Kolkata",
                        fields={"plan": "pro"}),
        SubscriberInput("b@example.org", status="unsubscribed", fields={"city": "Oslo"})],
        source="form", now=NOW)
    out = io.StringIO()
    assert export_csv(store, out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["status"] for r in rows] == ["active", "unsubscribed"]
    assert rows[0]["plan"] == "pro" and rows[1]["city"] == "Oslo"
    with open_store(f"sqlite:///{tmp_path / 'copy.db'}") as copy:
        report = import_csv(write(tmp_path, out.getvalue(), "export.csv"), copy, now=NOW)
        assert (report.imported, report.rejected, report.warnings) == (2, (), ())
        for original in store.iter_subscribers():
            moved = copy.get_subscriber(original.email)
            assert (moved.name, moved.status, moved.timezone, moved.fields,
                    moved.confirmed_at, moved.consent_at) == (
                original.name, original.status, original.timezone, original.fields,
                original.confirmed_at, original.consent_at)


def test_export_filters_by_status(store: Store) -> None:
    store.upsert_subscribers([SubscriberInput("a@example.org"),
                              SubscriberInput("b@example.org", status="bounced")],
                             source="t", now=NOW)
    out = io.StringIO()
    assert export_csv(store, out, status="bounced") == 1
    assert "b@example.org" in out.getvalue() and "a@example.org" not in out.getvalue()


def test_100k_rows_import_with_progress_reported_as_they_go(store: Store, tmp_path: Path
                                                            ) -> None:
    # How fast is for benchmarks: a time asserted here would fail on a loaded machine.
    lines = ["email,first name,last name,plan"] + [
        f"user{i}@example{i % 50}.org,First{i},Last{i},p{i % 3}" for i in range(100_000)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    seen: list[int] = []
    report = import_csv(path, store, now=NOW, on_progress=seen.append)
    assert report.imported == 100_000 and seen[-1] == 100_000 and len(seen) == 100
    assert seen == sorted(seen)
    assert store.count_by_status()["active"] == 100_000


@pytest.mark.parametrize(("rows", "counts"), [
    # two rows of ann that leave her as stored: unchanged, not updated
    ("ann@example.org,Ann\nANN@example.org,Ann Lee\nbo@example.org,Bo\n", (1, 0, 1, 1)),
    # cy's first row changes nothing, her repeat (in a later batch) renames her: updated
    ("cy@example.org,Cy\nbo@example.org,Bo\nzed@example.org,Zed\ncy@example.org,Cyril\n",
     (2, 1, 0, 1)),
])
def test_an_address_twice_in_the_file_counts_once_by_its_net_change(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: str,
        counts: tuple[int, int, int, int]) -> None:
    monkeypatch.setattr("newsletter.subscribers.BATCH", 2)
    store.upsert_subscribers([SubscriberInput(email="ann@example.org", name="Ann Lee"),
                              SubscriberInput(email="cy@example.org", name="Cy")],
                             source="test", now=NOW)
    report = import_csv(write(tmp_path, "email,name\n" + rows), store, now=NOW)
    assert (report.imported, report.updated, report.unchanged, report.merged) == counts
    assert store.get_subscriber("ann@example.org").name == "Ann Lee"
