"""The local SendGrid-compatible server: accepts what SendGrid accepts, refuses what it refuses."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sendgrid_helpers import API_KEY

from newsletter.testing.sendgrid_server import Fault, SendGridTestServer

SEND = "/v3/mail/send"
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


def post(url: str, body: Any, key: str | None = API_KEY, timeout: float = 5
         ) -> tuple[int, dict[str, str], bytes]:
    """POST JSON (or raw bytes); the status, headers and body of the answer."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with OPENER.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def get_json(url: str) -> Any:
    with OPENER.open(url, timeout=5) as response:
        return json.loads(response.read())


def mail(*people: str, **extra: Any) -> dict[str, Any]:
    """A valid mail-send body: one personalization per address."""
    body: dict[str, Any] = {
        "personalizations": [{"to": [{"email": p}]} for p in people or ("a@x.example",)],
        "from": {"email": "news@letters.example", "name": "Letters"},
        "subject": "Hello",
        "content": [{"type": "text/plain", "value": "hi"},
                    {"type": "text/html", "value": "<p>hi</p>"}],
    }
    body.update(extra)
    return body


def without(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    """``body`` without the given top-level keys."""
    return {k: v for k, v in body.items() if k not in keys}


def errors_of(raw: bytes) -> list[dict[str, Any]]:
    """SendGrid's error list, checking each entry has exactly message, field and help."""
    errors = json.loads(raw)["errors"]
    assert errors and all(set(e) == {"message", "field", "help"} for e in errors)
    return errors


@pytest.fixture
def server() -> Iterator[SendGridTestServer]:
    with SendGridTestServer(API_KEY, slow_seconds=2.0) as srv:
        yield srv


# --- accepting --------------------------------------------------------------------------------


def test_accepts_a_valid_mail_with_202_an_empty_body_and_a_message_id(
        server: SendGridTestServer) -> None:
    status, headers, body = post(server.url + SEND, mail("a@x.example", "b@x.example"))

    assert (status, body) == (202, b"")
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", headers["X-Message-Id"])
    assert server.stats()["recipients"] == 2
    assert [r.message_id for r in server.recipients] == [headers["X-Message-Id"]] * 2


def test_is_not_stricter_than_sendgrid(server: SendGridTestServer) -> None:
    exactly_full = mail(*(f"r{i}@x.example" for i in range(1000)))
    exactly_full["personalizations"][0]["substitutions"] = {"k": "v" * 9_999}
    exactly_full["personalizations"][1]["custom_args"] = {"k": "v" * 9_999}
    bodies = [
        exactly_full,
        mail(unknown_key={"anything": 1}, tracking_settings={"click_tracking": {"enable": True}}),
        {**without(mail(), "subject", "content"), "template_id": "d-123"},
        {**without(mail(), "subject"),
         "personalizations": [{"to": [{"email": "a@x.example"}], "subject": "own"}]},
        mail(content=[{"type": "text/html", "value": "<p>html only</p>"}]),
        mail(personalizations=[{"to": [{"email": "a@x.example", "name": "Ann Lee"}],
                                "cc": [{"email": "c@x.example"}],
                                "bcc": [{"email": "d@x.example"}]}]),
        mail(headers={"X-Campaign": "7"}, categories=["a", "b"], asm={"group_id": 3},
             custom_args={"issue": "7"}),
        mail(custom_args="a string, as the published schema has it"),
    ]
    answers = [post(server.url + SEND, body)[0] for body in bodies]

    assert answers == [202] * len(bodies)


def test_records_each_recipient_with_merged_args_and_headers(
        server: SendGridTestServer) -> None:
    body = mail(custom_args={"issue": "7", "kind": "top"}, headers={"X-Top": "1"})
    body["personalizations"] = [{
        "to": [{"email": "a@x.example", "name": "Ann"}],
        "custom_args": {"subscriber": "41", "kind": "own"},
        "substitutions": {"%%name%%": "Ann"},
        "headers": {"List-Unsubscribe": "<https://u.example/41>"}}]
    post(server.url + SEND, body)

    (got,) = server.recipients
    assert got.custom_args == {"issue": "7", "kind": "own", "subscriber": "41"}
    assert got.headers == {"X-Top": "1", "List-Unsubscribe": "<https://u.example/41>"}
    assert (got.email, got.name, got.substitutions) == ("a@x.example", "Ann", {"%%name%%": "Ann"})


def test_counts_duplicates_across_requests(server: SendGridTestServer) -> None:
    post(server.url + SEND, mail("a@x.example", "b@x.example"))
    post(server.url + SEND, mail("A@x.example"))

    assert server.duplicates() == {"a@x.example": 2}
    assert server.stats()["duplicates"] == 1


def test_records_are_exact_under_concurrent_requests(server: SendGridTestServer) -> None:
    def sender(t: int) -> None:
        for n in range(20):
            post(server.url + SEND, mail(*(f"t{t}-{n}-{i}@x.example" for i in range(5))))

    threads = [threading.Thread(target=sender, args=(t,)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stats = server.stats()
    assert (stats["accepted_requests"], stats["recipients"]) == (120, 600)
    assert stats["duplicates"] == 0


# --- refusing -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "SG.wrong"])
def test_refuses_a_missing_or_wrong_key_with_sendgrids_401(
        server: SendGridTestServer, key: str | None) -> None:
    status, _, body = post(server.url + SEND, mail(), key=key)

    assert status == 401
    assert json.loads(body) == {"errors": [{
        "message": "The provided authorization grant is invalid, expired, or revoked",
        "field": None, "help": None}]}
    assert server.stats()["recipients"] == 0


def test_refuses_1001_personalizations(server: SendGridTestServer) -> None:
    status, _, body = post(server.url + SEND, mail(*(f"r{i}@x.example" for i in range(1001))))

    assert status == 400
    (error,) = errors_of(body)
    assert error["field"] == "personalizations"
    assert "limited to 1000 personalizations" in error["message"]


def test_refuses_more_than_1000_recipients_in_fewer_personalizations(
        server: SendGridTestServer) -> None:
    body = mail(personalizations=[
        {"to": [{"email": f"p{p}-{i}@x.example"} for i in range(501)]} for p in range(2)])
    status, _, raw = post(server.url + SEND, body)

    assert status == 400
    assert "limit of 1000 total recipients" in errors_of(raw)[0]["message"]


def test_refuses_an_address_twice_in_one_request_whatever_the_case(
        server: SendGridTestServer) -> None:
    status, _, raw = post(server.url + SEND,
                          mail("a@x.example", "b@x.example", "A@X.example"))

    assert status == 400
    (error,) = errors_of(raw)
    assert error["field"] == "personalizations.2.to.0.email"
    assert "unique" in error["message"]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change to a mail body: set the dotted ``path`` to ``value`` (None deletes it)."""
    def change(body: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = body
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is None:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return change


@pytest.mark.parametrize(("change", "field"), [
    (_set("from", None), "from.email"),
    (_set("from.email", "not-an-address"), "from.email"),
    (_set("reply_to", {"email": "nope"}), "reply_to.email"),
    (_set("personalizations", None), "personalizations"),
    (_set("personalizations", []), "personalizations"),
    (_set("personalizations.0.to", []), "personalizations.0.to"),
    (_set("personalizations.0.to.0.email", "a@"), "personalizations.0.to.0.email"),
    (_set("personalizations.0.to.0.name", "Lee, Ann"), "personalizations.0.to.0.name"),
    (_set("personalizations.0.to.0.name", "Ann; Bob"), "personalizations.0.to.0.name"),
    (_set("subject", None), "subject"),
    (_set("content", None), "content"),
    (_set("content.0.value", ""), "content.0.value"),
    (_set("content", [{"type": "text/html", "value": "<p>x</p>"},
                      {"type": "text/plain", "value": "x"}]), "content"),
    (_set("categories", [f"c{i}" for i in range(11)]), "categories"),
    (_set("categories", ["x" * 256]), "categories.0"),
    (_set("categories", ["same", "same"]), "categories"),
    (_set("headers", {"Subject": "forged"}), "headers"),
    (_set("personalizations.0.headers", {"from": "x@y.example"}), "personalizations.0.headers"),
    (_set("asm", {"group_id": "5"}), "asm.group_id"),
    (_set("personalizations.0.substitutions", {"k": "v" * 10_000}),
     "personalizations.0.substitutions"),
    (_set("personalizations.0.substitutions", {"k": 5}), "personalizations.0.substitutions"),
    (_set("personalizations.0.custom_args", {"k": "v" * 10_000}),
     "personalizations.0.custom_args"),
    (_set("custom_args", {"k": "v" * 10_000}), "custom_args"),
    (_set("send_at", int(time.time()) + 73 * 3600), "send_at"),
])
def test_refuses_what_sendgrid_refuses_naming_the_field(
        server: SendGridTestServer, change: Callable[[dict[str, Any]], None],
        field: str) -> None:
    body = copy.deepcopy(mail())
    change(body)
    status, _, raw = post(server.url + SEND, body)

    assert status == 400
    assert field in [e["field"] for e in errors_of(raw)]
    assert server.stats()["accepted_requests"] == 0


def test_refuses_a_body_that_is_not_json(server: SendGridTestServer) -> None:
    status, _, raw = post(server.url + SEND, b"{not json")

    assert status == 400 and errors_of(raw)[0]["message"] == "Bad Request"


def test_answers_413_for_a_body_over_the_limit() -> None:
    with SendGridTestServer(API_KEY, max_body_bytes=5_000) as small:
        status, _, raw = post(small.url + SEND, mail(*(f"r{i}@x.example" for i in range(200))))
        assert small.stats()["recipients"] == 0

    assert status == 413 and b"Too Large" in raw


# --- faults -------------------------------------------------------------------------------


def test_scripted_faults_answer_in_order_then_normal_service(
        server: SendGridTestServer) -> None:
    server.inject("429:30", "500", "503", "400", "401", "403", "502", "504")
    answers = [post(server.url + SEND, mail()) for _ in range(9)]

    assert [a[0] for a in answers] == [429, 500, 503, 400, 401, 403, 502, 504, 202]
    _, headers, body = answers[0]
    assert json.loads(body) == {"errors": [{"field": None, "message": "too many requests"}]}
    assert headers["X-RateLimit-Remaining"] == "0" and int(headers["X-RateLimit-Limit"]) > 0
    assert int(headers["X-RateLimit-Reset"]) - time.time() > 20  # unix seconds, ahead
    for _, _, raw in answers[1:8]:
        errors_of(raw)
    assert server.stats()["accepted_requests"] == 1


def test_a_429_can_come_without_rate_limit_headers(server: SendGridTestServer) -> None:
    server.inject(Fault("429", rate_headers=False))
    status, headers, _ = post(server.url + SEND, mail())

    assert status == 429 and "X-RateLimit-Reset" not in headers


def test_slow_answers_late_but_records_the_mail_as_accepted(
        server: SendGridTestServer) -> None:
    server.inject("slow:1.0")
    with pytest.raises(TimeoutError):
        post(server.url + SEND, mail("a@x.example"), timeout=0.2)

    assert server.deliveries() == {"a@x.example": 1}


def test_drop_reads_the_request_records_it_and_closes_without_answering(
        server: SendGridTestServer) -> None:
    server.inject("drop")
    with pytest.raises((ConnectionError, urllib.error.URLError)):
        post(server.url + SEND, mail("a@x.example"))

    assert server.deliveries() == {"a@x.example": 1}
    assert server.stats()["answers"]["drop"] == 1


def test_random_faults_repeat_with_the_same_seed() -> None:
    def answers(seed: int) -> list[int]:
        with SendGridTestServer(API_KEY, fail_rate=0.5, seed=seed,
                                random_faults=("429", "500")) as srv:
            return [post(srv.url + SEND, mail(f"r{i}@x.example"))[0] for i in range(30)]

    first = answers(5)
    assert first == answers(5)
    assert set(first) == {202, 429, 500}


def test_latency_delays_every_mail_send() -> None:
    with SendGridTestServer(API_KEY, latency=0.2) as srv:
        started = time.monotonic()
        post(srv.url + SEND, mail())
        assert time.monotonic() - started >= 0.2


def test_unknown_fault_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        Fault.parse("418")


# --- run by hand, driven from another process ------------------------------------------------


def test_runs_as_a_program_with_admin_endpoints(tmp_path: Any) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "newsletter.testing.sendgrid_server", "--port", "0",
         "--api-key", API_KEY, "--script", "503"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        url = line.strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:"), line
        assert [post(url + SEND, mail("a@x.example"))[0] for _ in range(2)] == [503, 202]
        stats = get_json(url + "/__admin__/stats")
        assert (stats["requests"], stats["recipients"], stats["answers"]) == (
            2, 1, {"503": 1, "202": 1})
        assert get_json(url + "/__admin__/recipients") == {"a@x.example": 1}

        assert post(url + "/__admin__/faults", {"script": ["429"]}, key=None)[0] == 200
        assert post(url + SEND, mail())[0] == 429
        post(url + "/__admin__/reset", b"", key=None)
        assert get_json(url + "/__admin__/stats")["requests"] == 0
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert API_KEY not in (process.stderr.read() if process.stderr else "")
