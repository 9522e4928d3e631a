"""The studio's subscriber pages over real HTTP: CSV import shows every rejected row with
its line, export gives the list as CSV, pause and resume hold and release a drip sequence."""

from __future__ import annotations

import csv
import html
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from studio_support import Client, add_account, csrf_of, signed_in
from web_support import Live, live_app

from newsletter.store import SubscriberInput
from newsletter.store import sequence as seqdb


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with live_app(tmp_path / "letter") as running:
        add_account(running)
        yield running


def _upload(client: Client, path: str, fields: dict[str, str], name: str, data: bytes
            ) -> str:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
             .encode() for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="csv"; '
                 f'filename="{name}"\r\nContent-Type: text/csv\r\n\r\n'.encode() + data
                 + b"\r\n")
    reply = client.request("POST", path, b"".join(parts) + f"--{boundary}--\r\n".encode(),
                           {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert reply.status == 200, reply.status
    return reply.text


def test_import_shows_each_rejected_row_and_export_gives_the_list(live: Live) -> None:
    client = signed_in(live)
    token = csrf_of(client.get("/studio/subscribers").text)
    rows = ("email,name\nann@example.com,Ann Smith\nnot-an-address,Bob\n"
            "cleo@example.org,Cléo <b>Dupont</b>\n").encode()
    page = _upload(client, "/studio/subscribers/import", {"csrf_token": token,
                                                          "status": "active"}, "list.csv", rows)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert re.search(r"2 new", text) and "1 rejected" in text
    assert re.search(r"\b3\s+invalid address 'not-an-address'", " ".join(text.split()))
    exported = client.get("/studio/subscribers/export.csv")
    assert exported.status == 200 and "text/csv" in exported.headers["content-type"]
    found = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["email"], r["name"], r["status"]) for r in found] == [
        ("ann@example.com", "Ann Smith", "active"),
        ("cleo@example.org", "Cléo <b>Dupont</b>", "active")]
    assert "<b>Dupont" not in client.get("/studio/subscribers?q=dupont").text  # inert


def test_pause_and_resume_hold_a_drip_sequence(live: Live) -> None:
    ctx = live.app.extensions["newsletter"]
    live.app.extensions["newsletter"] = replace(ctx, config=replace(ctx.config,
                                                                    mode="sequence"))
    live.store.add_subscriber(SubscriberInput(email="drip@example.com"), source="test",
                              now=live.clock())
    who = live.store.get_subscriber("drip@example.com")
    client = signed_in(live)
    page = client.get(f"/studio/subscribers/{who.id}").text
    assert ">Pause</button>" in page
    reply = client.post(f"/studio/subscribers/{who.id}/pause", {"csrf_token": csrf_of(page)})
    assert reply.status == 303
    assert seqdb.position(live.store.engine, "drip@example.com").paused
    page = client.get(f"/studio/subscribers/{who.id}").text
    assert "Paused." in page and ">Resume</button>" in page
    client.post(f"/studio/subscribers/{who.id}/resume", {"csrf_token": csrf_of(page)})
    assert not seqdb.position(live.store.engine, "drip@example.com").paused
