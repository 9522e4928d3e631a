"""`newsletter queue` shows each issue's sent / failed / uncertain counts from the database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from delivery_helpers import JUST_AFTER, make_folder

from newsletter.store import open_store


def issue(rows: list[dict], number: int) -> dict:
    return next(r for r in rows if r.get("number") == number)


def test_before_any_send_the_counts_are_zero_and_no_database_is_created(tmp_path: Path
                                                                         ) -> None:
    folder = make_folder(tmp_path)
    result = folder.cli("queue", "--json")
    assert result.exit_code == 0
    assert issue(json.loads(result.output), 1)["counts"] == {
        "sent": 0, "failed": 0, "uncertain": 0, "claimed": 0, "retry": 0}
    assert not (folder.root / "subscribers" / "newsletter.db").exists()


def test_counts_follow_the_ledger_in_json_and_in_the_table(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, subscribers=6)
    assert folder.cli("send", "--due", "--now", JUST_AFTER).exit_code == 0
    with open_store(folder.db_url) as store:  # one failure and one unknown outcome, by hand
        claimed = store.claim_batch(folder.key(2), batch_id="b", limit=2, now=datetime.now(UTC))
        store.record_outcomes([(claimed[0].delivery_id, "failed", "", "HTTP 400"),
                               (claimed[1].delivery_id, "uncertain", "", "no answer")],
                              now=datetime.now(UTC))
    result = folder.run("queue", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert issue(rows, 1)["counts"]["sent"] == 6
    assert {k: issue(rows, 2)["counts"][k] for k in ("sent", "failed", "uncertain")} == {
        "sent": 0, "failed": 1, "uncertain": 1}
    assert issue(rows, 3)["counts"]["sent"] == 0

    table = folder.cli("queue").output
    assert "uncertain" in table
    first = next(line for line in table.splitlines() if line.strip("│ ").startswith("1 "))
    assert " 6 " in first
