"""`newsletter subscribers ...` through click and as a real process."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import newsletter.cli.subscribers  # noqa: F401  (registers the group on main)
from newsletter.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "newsletter.yaml").write_text("name: Test letter\ntimezone: Europe/Berlin\n")
    return tmp_path


SECRET = {"NEWSLETTER_SECRET_KEY": "cli-test-secret-0123456789"}


def run(folder: Path, *args: str, input: str | None = None,
        env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(folder / "newsletter.yaml"), *args],
                                input=input, env=SECRET if env is None else env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_import_json_reports_counts_and_bad_lines(folder: Path) -> None:
    path = folder / "list.csv"
    path.write_bytes(b"Email Address,First Name,Last Name,Plan\n"
                     b"ann@example.org,Ann,Lee,pro\n"
                     b"broken@\n"
                     b"\n"
                     b"ANN@example.org,,,\n"
                     b"rene@example.org,Ren\xe9,Roy,free\n")
    code, out, _ = run(folder, "subscribers", "import", str(path), "--json")
    report = json.loads(out)
    assert code == 0
    assert (report["imported"], report["updated"], report["unchanged"]) == (2, 0, 0)
    assert [r["line"] for r in report["rejected"]] == [3]
    assert (folder / "subscribers" / "newsletter.db").is_file()
    _, out, _ = run(folder, "subscribers", "import", str(path), "--json")
    assert json.loads(out)["unchanged"] == 2


def test_import_prints_rejected_rows_with_file_and_line(folder: Path) -> None:
    path = folder / "list.csv"
    path.write_text("email\nok@example.org\nnope\n")
    code, out, err = run(folder, "subscribers", "import", str(path))
    assert code == 0 and "1 imported" in out and "1 rejected" in out
    assert f"{path}:3: invalid address 'nope'" in err


def test_import_without_an_email_column_is_a_one_line_error(folder: Path) -> None:
    path = folder / "list.csv"
    path.write_text("name\nAnn\n")
    code, _, err = run(folder, "subscribers", "import", str(path))
    assert code == 1 and err.startswith("error: ") and "no email column" in err


def test_add_list_remove_and_forget(folder: Path) -> None:
    assert run(folder, "subscribers", "add", "Bo@Example.org", "--name", "Bo")[0] == 0
    assert run(folder, "subscribers", "add", "cy@example.org", "--status", "pending")[0] == 0
    _, out, _ = run(folder, "subscribers", "list", "--json")
    listing = json.loads(out)
    assert listing["counts"]["active"] == 1 and listing["counts"]["pending"] == 1
    assert [s["email"] for s in listing["subscribers"]] == ["bo@example.org", "cy@example.org"]
    code, out, _ = run(folder, "subscribers", "remove", "bo@example.org")
    assert code == 0 and "unsubscribed" in out
    _, out, err = run(folder, "subscribers", "add", "bo@example.org")
    assert "(unsubscribed)" in out and "--resubscribe" in err
    _, out, _ = run(folder, "subscribers", "list", "--status", "unsubscribed", "--json")
    assert [s["email"] for s in json.loads(out)["subscribers"]] == ["bo@example.org"]
    assert run(folder, "subscribers", "remove", "bo@example.org", "--forget", input="n\n")[0] == 1
    assert run(folder, "subscribers", "remove", "bo@example.org", "--forget", "--yes")[0] == 0
    _, out, _ = run(folder, "subscribers", "list", "--json", "--limit", "0")
    assert [s["email"] for s in json.loads(out)["subscribers"]] == ["cy@example.org"]


def test_an_erased_address_cannot_come_back_by_cli_or_an_old_list(folder: Path) -> None:
    run(folder, "subscribers", "add", "bo@example.org")
    code, _, err = run(folder, "subscribers", "remove", "bo@example.org", "--forget", "--yes",
                       env={})
    assert code == 1 and "NEWSLETTER_SECRET_KEY" in err  # refused before anything changed
    code, out, _ = run(folder, "subscribers", "remove", "BO@example.org", "--forget", "--yes")
    assert code == 0 and "keyed hash is kept" in out
    code, _, err = run(folder, "subscribers", "add", "Bo@Example.org\u200b")
    assert code == 1 and "was erased on request" in err and "signing up" in err
    old = folder / "old.csv"
    old.write_text("email\nbo@example.org\nnew@example.org\n")
    code, out, err = run(folder, "subscribers", "import", str(old), "--json")
    report = json.loads(out)
    assert code == 0 and report["imported"] == 1
    assert [r["line"] for r in report["rejected"]] == [2]
    code, _, err = run(folder, "subscribers", "import", str(old), env={})
    assert code == 1 and "set NEWSLETTER_SECRET_KEY" in err
    _, out, _ = run(folder, "subscribers", "list", "--json")
    assert [s["email"] for s in json.loads(out)["subscribers"]] == ["new@example.org"]


def test_add_refuses_an_invalid_address_and_remove_an_unknown_one(folder: Path) -> None:
    code, _, err = run(folder, "subscribers", "add", "not an address")
    assert code == 1 and "invalid address" in err
    code, _, err = run(folder, "subscribers", "remove", "ghost@example.org")
    assert code == 1 and "no subscriber" in err


def test_list_table_shows_counts_and_respects_limit(folder: Path) -> None:
    for i in range(5):
        run(folder, "subscribers", "add", f"u{i}@example.org")
    _, out, _ = run(folder, "subscribers", "list", "--limit", "2")
    assert "u1@example.org" in out and "u2@example.org" not in out
    assert "5 active" in out and "(5 in all)" in out


def test_export_to_stdout_and_to_a_file(folder: Path) -> None:
    run(folder, "subscribers", "add", "a@example.org", "--name", "A")
    run(folder, "subscribers", "add", "b@example.org")
    run(folder, "subscribers", "remove", "b@example.org")
    _, out, _ = run(folder, "subscribers", "export", "--status", "unsubscribed")
    assert [r["email"] for r in csv.DictReader(io.StringIO(out))] == ["b@example.org"]
    target = folder / "backup" / "all.csv"
    code, _, err = run(folder, "subscribers", "export", "-o", str(target))
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert code == 0 and "exported 2" in err
    assert {(r["email"], r["status"]) for r in rows} == {("a@example.org", "active"),
                                                        ("b@example.org", "unsubscribed")}
    assert list(target.parent.iterdir()) == [target]


def test_subscribers_commands_as_a_real_process(folder: Path) -> None:
    registered = "subscribers" in (ROOT / "newsletter" / "cli" / "__init__.py").read_text()
    command = [str(ROOT / ".venv" / "bin" / "newsletter")] if registered else [
        sys.executable, "-c",
        "import newsletter.cli.subscribers; from newsletter.cli import main; main()"]
    (folder / "in.csv").write_text("email,name\nx@example.org,X\ny@\n")
    done = subprocess.run([*command, "subscribers", "import", "in.csv", "--json"], cwd=folder,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    (rejected,) = json.loads(done.stdout)["rejected"]
    assert rejected["line"] == 3 and rejected["reason"].startswith("invalid address 'y@'")
    listing = subprocess.run([*command, "subscribers", "list", "--json"], cwd=folder,
                             capture_output=True, text=True, timeout=60)
    assert [s["email"] for s in json.loads(listing.stdout)["subscribers"]] == ["x@example.org"]


def test_import_warnings_are_grouped_by_reason_with_counts_and_the_summary_comes_last(
        folder: Path) -> None:
    rows = ["email,timezone"] + [f"r{i}@example.org," for i in range(40)]
    rows += [f"R{i}@example.org," for i in range(12)]                  # lines 42-53: repeats
    rows += [f"broken{i}@" for i in range(7)] + ["x@example.org,EST"]  # 54-60 bad, 61 zone
    path = folder / "big.csv"
    path.write_text("\n".join(rows) + "\n")
    code, out, err = run(folder, "subscribers", "import", str(path))
    assert code == 0
    lines = err.splitlines()
    assert lines[0] == "warning: address repeated in the file (merged): 12 rows"
    assert lines[1] == f"  {path}:42: r0@example.org repeats line 2: merged"
    assert lines[6] == "  ... and 7 more (every one: --json)"
    assert lines[7] == "warning: time zone ignored: 1 row"
    assert "rejected: invalid address: 7 rows" in lines
    assert len(lines) == 7 + 2 + 7  # each group: a title, up to 5 lines, "... and N more"
    assert out.splitlines()[-1] == ("big.csv: 41 imported, 0 updated, 0 unchanged, "
                                    "12 duplicates merged, 7 rejected, 13 warnings")


def test_export_safe_for_spreadsheets_neutralises_formula_cells(folder: Path) -> None:
    (folder / "in.csv").write_text(
        "email,name,company\n"
        "=1+1@example.org,=HYPERLINK(\"http://evil.example\";\"Click\"),@SUM(A1:A9)\n"
        "plain@example.org,Ann Lee,-2+3\n"
        "space@example.org, +cmd|' /C calc'!A0,＝1+1\n", encoding="utf-8")
    assert run(folder, "subscribers", "import", str(folder / "in.csv"))[0] == 0
    _, raw, _ = run(folder, "subscribers", "export")
    _, safe, _ = run(folder, "subscribers", "export", "--safe-for-spreadsheets")
    rows = {r["email"].lstrip("'"): r for r in csv.DictReader(io.StringIO(safe))}
    assert rows["=1+1@example.org"]["email"] == "'=1+1@example.org"
    assert rows["=1+1@example.org"]["name"] == "'=HYPERLINK(\"http://evil.example\";\"Click\")"
    assert rows["=1+1@example.org"]["company"] == "'@SUM(A1:A9)"
    assert rows["plain@example.org"]["name"] == "Ann Lee"  # text stays as it was
    assert rows["plain@example.org"]["company"] == "'-2+3"
    assert rows["space@example.org"]["name"].startswith("'")
    assert rows["space@example.org"]["company"] == "'＝1+1"
    assert rows["plain@example.org"]["created_at"][:1].isdigit()  # dates untouched
    assert not [cell for row in csv.reader(io.StringIO(safe)) for cell in row
                if cell and cell[0] in "=+-@"]
    assert "=HYPERLINK" in raw and "'=" not in raw  # the default still imports back unchanged


@pytest.mark.parametrize("name", ["missing.csv", "subscribers"])
def test_import_of_a_missing_file_or_a_folder_is_a_one_line_error_naming_it(
        folder: Path, name: str) -> None:
    (folder / "subscribers").mkdir(exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "newsletter", "--config",
                           str(folder / "newsletter.yaml"), "subscribers", "import",
                           str(folder / name)], capture_output=True, text=True, env={
                               **SECRET, "PATH": "/usr/bin:/bin"}, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"error: {folder / name}: ")
    assert done.stderr.count("\n") == 1 and "Usage" not in done.stderr
    assert ("no such file" if name == "missing.csv" else "is a folder") in done.stderr


def test_counts_of_one_read_in_the_singular(folder: Path) -> None:
    path = folder / "list.csv"
    path.write_text("email\nann@example.org\nANN@example.org\n")
    code, out, err = run(folder, "subscribers", "import", str(path))
    assert code == 0
    assert out.rstrip().endswith("1 duplicate merged, 0 rejected, 1 warning")
    code, _, err = run(folder, "subscribers", "export", "-o", str(folder / "out.csv"))
    assert code == 0 and f"exported 1 subscriber to {folder / 'out.csv'}" in err
    code, _, err = run(folder, "subscribers", "export", "--status", "bounced")
    assert code == 0 and "exported 0 subscribers" in err


def test_reimporting_a_file_with_an_address_twice_reports_a_duplicate_not_an_update(
        folder: Path) -> None:
    """The file's two rows of one address end as they began: its re-import changes nobody,
    so it says 0 updated, and the repeat is reported as a duplicate (grouped warning)."""
    path = folder / "list.csv"
    path.write_text("email,name\nann@example.org,Ann\nbob@example.org,Bob\n"
                    "ANN@example.org,Ann Lee\n")
    code, out, _ = run(folder, "subscribers", "import", str(path))
    assert code == 0 and "2 imported, 0 updated, 0 unchanged, 1 duplicate merged" in out
    code, out, err = run(folder, "subscribers", "import", str(path))
    assert code == 0
    assert "0 imported, 0 updated, 2 unchanged, 1 duplicate merged" in out
    assert err.splitlines()[0] == "warning: address repeated in the file (merged): 1 row"
    code, out, _ = run(folder, "subscribers", "import", str(path), "--json")
    report = json.loads(out)
    assert (report["imported"], report["updated"], report["unchanged"], report["merged"]) \
        == (0, 0, 2, 1)
    code, out, _ = run(folder, "subscribers", "list", "--json")
    names = {s["email"]: s["name"] for s in json.loads(out)["subscribers"]}
    assert names["ann@example.org"] == "Ann Lee"
