"""The SendGrid backend, driving the real ``sendgrid`` client over HTTP to the local server."""

from __future__ import annotations

import html
import logging
import traceback
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import shared_file
from sendgrid_helpers import (
    API_KEY,
    FakeSleep,
    assert_valid_requests,
    closed_port,
    message,
    recipients,
)

from newsletter.config import load_config
from newsletter.delivery.backends.sendgrid import SendGridBackend
from newsletter.errors import BackendAuthError, ConfigError
from newsletter.models import Recipient
from newsletter.testing.sendgrid_server import Fault, SendGridTestServer

FIXED_NOW = 1_900_000_000.0  # one shared clock for server and backend: waits are exact


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def schema() -> str:
    return str(shared_file("sendgrid/mail_send_request_schema.resolved.json"))


@pytest.fixture
def server(schema: str) -> Iterator[SendGridTestServer]:
    with SendGridTestServer(API_KEY, clock=lambda: FIXED_NOW, slow_seconds=3.0) as srv:
        yield srv
        assert_valid_requests(srv.bodies, schema)


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


def backend_for(server_url: str, sleep: FakeSleep, **options: object) -> SendGridBackend:
    settings: dict[str, object] = {"timeout": 5.0, "max_retries": 3, "jitter": lambda: 0.5}
    settings.update(options)
    return SendGridBackend(API_KEY, host=server_url, sleep=sleep, clock=lambda: FIXED_NOW,
                           **settings)  # type: ignore[arg-type]


# --- the request body -------------------------------------------------------------------------


def test_a_full_batch_of_1000_goes_in_one_request_with_each_readers_own_fields(
        server: SendGridTestServer, sleep: FakeSleep) -> None:
    people = recipients(1000)
    outcomes = backend_for(server.url, sleep).send(message(), people)

    assert [o.status for o in outcomes] == ["sent"] * 1000
    assert len({o.message_id for o in outcomes}) == 1 and len(outcomes[0].message_id) == 22
    assert server.stats()["accepted_requests"] == 1
    received = server.recipients
    assert [r.email for r in received] == [p.email for p in people]  # order kept
    for person, got in zip(people, received, strict=True):
        url = person.fields["unsubscribe_url"]
        assert got.substitutions["%%name:text%%"] == person.name
        assert got.substitutions["%%name:html%%"] == person.name.replace("&", "&amp;") \
            .replace("<", "&lt;").replace(">", "&gt;")
        assert got.headers == {"List-Unsubscribe": f"<{url}>",
                               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        assert got.custom_args == {"issue": "7", "subscriber": person.subscriber_id}


@pytest.mark.parametrize("name", ['Zoë "Zo" O\'Brien', "back\\slash \u2603 \U0001F331",
                                  "tab\there", "Ren\u00e9e <b>&amp;</b>", "\u202e\u0000x"])
def test_any_name_reaches_sendgrid_exactly_in_both_forms(
        server: SendGridTestServer, sleep: FakeSleep, name: str) -> None:
    # The body is written as JSON text by hand: quotes, escapes, emoji and control
    # characters must come out on the other side exactly as they went in.
    person = Recipient(email="zoe@readers.example", name=name, subscriber_id="9",
                       fields={"unsubscribe_url": "https://l.example/u/9?i=1&t=\"x\""})
    [outcome] = backend_for(server.url, sleep).send(message(), [person])
    assert outcome.status == "sent", outcome.error
    [got] = server.recipients
    assert got.substitutions["%%name:text%%"] == name
    assert got.substitutions["%%name:html%%"] == html.escape(name, quote=True)
    assert got.headers["List-Unsubscribe"] == '<https://l.example/u/9?i=1&t="x">'


def test_body_has_text_first_sender_reply_to_categories_and_group(
        server: SendGridTestServer, sleep: FakeSleep) -> None:
    backend = backend_for(server.url, sleep, categories=("newsletter",), asm_group_id=42)
    backend.send(message(categories=("issue-7", "newsletter")), recipients(2))

    body = server.bodies[0]
    assert [part["type"] for part in body["content"]] == ["text/plain", "text/html"]
    assert "%%name:html%%" in body["content"][1]["value"]  # SendGrid substitutes, not us
    assert body["from"] == {"email": "news@letters.example", "name": "The Weekly Inc Team"}
    assert body["reply_to"] == {"email": "replies@letters.example"}
    assert body["categories"] == ["newsletter", "issue-7"]
    assert body["asm"] == {"group_id": 42}
    assert body["subject"] == "Tip of the week"


def test_a_test_send_is_marked_in_subject_and_custom_args(
        server: SendGridTestServer, sleep: FakeSleep) -> None:
    backend_for(server.url, sleep).send(message(test=True), recipients(1))

    assert server.bodies[0]["subject"] == "[TEST] Tip of the week"
    assert server.recipients[0].custom_args["test"] == "true"


def test_names_lose_the_characters_sendgrid_refuses(
        server: SendGridTestServer, sleep: FakeSleep) -> None:
    person = Recipient("x@readers.example", "Doe, Jane; PhD", {}, "9")
    outcomes = backend_for(server.url, sleep).send(message(), [person])

    assert outcomes[0].ok
    assert server.recipients[0].name == "Doe Jane PhD"


# --- limits checked before sending ----------------------------------------------------------


def test_problem_recipients_fail_alone_and_the_rest_are_sent(
        server: SendGridTestServer, sleep: FakeSleep) -> None:
    good = recipients(3)
    huge = Recipient("big@readers.example", "x" * 6000, {}, "5")  # name twice > 10,000 bytes
    people = [good[0], Recipient(good[0].email.upper()), Recipient("not-an-address"),
              huge, good[1], good[2]]
    outcomes = backend_for(server.url, sleep).send(message(), people)

    assert [o.status for o in outcomes] == ["sent", "failed", "failed", "failed", "sent", "sent"]
    assert "more than once" in outcomes[1].error
    assert "not a valid email address" in outcomes[2].error
    assert "substitutions" in outcomes[3].error and "10000" in outcomes[3].error
    assert sorted(server.deliveries()) == sorted(p.email for p in good)


def test_oversized_custom_args_fail_that_recipient(
        server: SendGridTestServer, sleep: FakeSleep) -> None:
    odd = Recipient("odd@readers.example", "", {}, subscriber_id="s" * 10_001)
    outcomes = backend_for(server.url, sleep).send(message(), [odd, *recipients(1)])

    assert [o.status for o in outcomes] == ["failed", "sent"]
    assert "custom_args" in outcomes[0].error


@pytest.mark.parametrize(("categories", "problem"), [
    (tuple(f"c{i}" for i in range(11)), "at most 10"),
    (("x" * 256,), "longer than 255"),
])
def test_bad_categories_fail_the_batch_without_a_request(
        server: SendGridTestServer, sleep: FakeSleep, categories: tuple[str, ...],
        problem: str) -> None:
    outcomes = backend_for(server.url, sleep).send(message(categories=categories),
                                                   recipients(2))

    assert all(o.status == "failed" and problem in o.error for o in outcomes)
    assert server.stats()["requests"] == 0


def test_more_than_1000_recipients_fail_without_a_request(
        server: SendGridTestServer, sleep: FakeSleep) -> None:
    outcomes = backend_for(server.url, sleep).send(message(), recipients(1001))

    assert {o.status for o in outcomes} == {"failed"}
    assert "at most 1000" in outcomes[0].error
    assert server.stats()["requests"] == 0


def test_bad_configured_categories_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"sendgrid\.categories"):
        SendGridBackend(API_KEY, categories=[f"c{i}" for i in range(11)])


# --- answers and retries ----------------------------------------------------------------------


def test_429_waits_until_the_reset_time_then_sends_once(
        server: SendGridTestServer, sleep: FakeSleep) -> None:
    server.inject(Fault("429", reset_after=7), Fault("429", reset_after=2))
    outcomes = backend_for(server.url, sleep).send(message(), recipients(5))

    assert {o.status for o in outcomes} == {"sent"}
    assert sleep.waits == [7.0, 2.0]
    assert server.stats()["recipients"] == 5 and server.duplicates() == {}


def test_429_wait_is_capped(server: SendGridTestServer, sleep: FakeSleep) -> None:
    server.inject(Fault("429", reset_after=3600))
    backend_for(server.url, sleep, max_wait=45.0).send(message(), recipients(1))

    assert sleep.waits == [45.0]


def test_429_without_reset_header_backs_off_exponentially(
        server: SendGridTestServer, sleep: FakeSleep) -> None:
    server.inject("429:none", "429:none", "429:none")
    outcomes = backend_for(server.url, sleep, backoff=0.4).send(message(), recipients(1))

    assert outcomes[0].ok
    assert len(sleep.waits) == 3
    assert sleep.waits[1] == pytest.approx(2 * sleep.waits[0])
    assert sleep.waits[2] == pytest.approx(2 * sleep.waits[1])


def test_server_errors_are_retried_then_succeed(
        server: SendGridTestServer, sleep: FakeSleep,
        caplog: pytest.LogCaptureFixture) -> None:
    server.inject("500", "503", "502")
    with caplog.at_level(logging.WARNING, logger="newsletter.delivery.backends.sendgrid"):
        outcomes = backend_for(server.url, sleep).send(message(), recipients(4))

    assert {o.status for o in outcomes} == {"sent"}
    assert len(sleep.waits) == 3 and sleep.waits == sorted(sleep.waits)
    assert server.stats()["accepted_requests"] == 1
    retries = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(retries) == 3
    assert "HTTP 500" in retries[0] and "HTTP 503" in retries[1] and "retrying in" in retries[0]


def test_retries_exhausted_fail_the_batch_and_a_later_send_works(
        server: SendGridTestServer, sleep: FakeSleep) -> None:
    server.inject("503", "503", "503")
    backend = backend_for(server.url, sleep, max_retries=2)
    people = recipients(3)
    outcomes = backend.send(message(), people)

    assert {o.status for o in outcomes} == {"failed"}
    assert "HTTP 503" in outcomes[0].error and "3 attempts" in outcomes[0].error
    assert server.stats()["recipients"] == 0
    assert {o.status for o in backend.send(message(), people)} == {"sent"}
    assert server.duplicates() == {}


def test_a_timeout_is_uncertain_and_never_retried(
        server: SendGridTestServer, sleep: FakeSleep) -> None:
    server.inject("slow")
    outcomes = backend_for(server.url, sleep, timeout=0.3).send(message(), recipients(3))

    assert {o.status for o in outcomes} == {"uncertain"}
    assert "may have been accepted" in outcomes[0].error
    assert sleep.waits == []
    assert server.stats()["recipients"] == 3  # it did reach the server: why not to re-send


def test_a_dropped_connection_after_sending_is_uncertain(
        server: SendGridTestServer, sleep: FakeSleep) -> None:
    server.inject("drop")
    outcomes = backend_for(server.url, sleep).send(message(), recipients(3))

    assert {o.status for o in outcomes} == {"uncertain"}
    assert "connection closed" in outcomes[0].error
    assert sleep.waits == [] and server.stats()["accepted_requests"] == 1


def test_400_fails_the_batch_with_sendgrids_message_and_field(
        server: SendGridTestServer, sleep: FakeSleep) -> None:
    server.inject("400")
    outcomes = backend_for(server.url, sleep).send(message(), recipients(2))

    assert {o.status for o in outcomes} == {"failed"}
    assert "HTTP 400" in outcomes[0].error
    assert "The from email does not contain a valid address." in outcomes[0].error
    assert "field from.email" in outcomes[0].error
    assert sleep.waits == []


def test_413_fails_the_batch_with_a_readable_reason(schema: str, sleep: FakeSleep) -> None:
    with SendGridTestServer(API_KEY, max_body_bytes=20_000) as small:
        outcomes = backend_for(small.url, sleep).send(message(), recipients(200))

    assert {o.status for o in outcomes} == {"failed"}
    assert "HTTP 413" in outcomes[0].error and "Too Large" in outcomes[0].error


@pytest.mark.parametrize("status", ["401", "403"])
def test_refused_credentials_stop_the_send(
        server: SendGridTestServer, sleep: FakeSleep, status: str) -> None:
    server.inject(status)
    with pytest.raises(BackendAuthError) as caught:
        backend_for(server.url, sleep).send(message(), recipients(2))

    assert f"SendGrid refused the API key (HTTP {status}): check SENDGRID_API_KEY" in str(
        caught.value)
    assert sleep.waits == []


def test_a_wrong_key_is_refused_by_the_server(server: SendGridTestServer,
                                              sleep: FakeSleep) -> None:
    backend = SendGridBackend("SG.wrong", host=server.url, sleep=sleep)
    with pytest.raises(BackendAuthError, match="HTTP 401"):
        backend.send(message(), recipients(1))
    assert server.stats()["recipients"] == 0


def test_a_refused_connection_is_retried_then_failed(sleep: FakeSleep) -> None:
    backend = backend_for(f"http://127.0.0.1:{closed_port()}", sleep, max_retries=3)
    outcomes = backend.send(message(), recipients(2))

    assert {o.status for o in outcomes} == {"failed"}
    assert "unreachable" in outcomes[0].error and "4 attempts" in outcomes[0].error
    assert len(sleep.waits) == 3 and sleep.waits == sorted(sleep.waits)


def test_with_30_percent_faults_everyone_is_delivered_exactly_once(schema: str) -> None:
    people = recipients(3000)
    sleep = FakeSleep()
    with SendGridTestServer(API_KEY, fail_rate=0.3, seed=11, clock=lambda: FIXED_NOW) as srv:
        backend = backend_for(srv.url, sleep, max_retries=12)
        outcomes = [o for i in range(0, len(people), 250)
                    for o in backend.send(message(), people[i:i + 250])]
        stats = srv.stats()
        assert_valid_requests(srv.bodies, schema)
        delivered = srv.deliveries()

    assert all(o.ok for o in outcomes)
    assert stats["answers"].get("429", 0) > 0 and stats["answers"].get("503", 0) > 0
    assert delivered == {p.email: 1 for p in people}
    assert len(sleep.waits) == stats["answers"]["429"] + stats["answers"]["503"]


def test_one_backend_shared_by_four_threads_delivers_each_once(schema: str) -> None:
    people = recipients(4000)
    sleep = FakeSleep()
    with SendGridTestServer(API_KEY, fail_rate=0.3, seed=3, clock=lambda: FIXED_NOW) as srv:
        backend = backend_for(srv.url, sleep, max_retries=12)
        batches = [people[i:i + 200] for i in range(0, len(people), 200)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            outcomes = [o for batch in pool.map(lambda b: backend.send(message(), b), batches)
                        for o in batch]
        delivered = srv.deliveries()

    assert all(o.ok for o in outcomes)
    assert delivered == {p.email: 1 for p in people}


# --- the key stays secret -----------------------------------------------------------------


def test_the_api_key_never_appears_in_logs_errors_or_reprs(
        server: SendGridTestServer, sleep: FakeSleep,
        caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []
    backend = backend_for(server.url, sleep, timeout=0.3, max_retries=1)
    seen.append(repr(backend))
    with caplog.at_level(logging.DEBUG):
        for faults in (("503", "503"), ("400",), ("slow",), ("drop",)):
            server.inject(*faults)
            seen += [o.error for o in backend.send(message(), recipients(1))]
        for fault in ("401", "403"):
            server.inject(fault)
            with pytest.raises(BackendAuthError) as caught:
                backend.send(message(), recipients(1))
            seen += [str(caught.value), "".join(traceback.format_exception(caught.value))]
        refused = backend_for(f"http://127.0.0.1:{closed_port()}", sleep, max_retries=1)
        seen += [o.error for o in refused.send(message(), recipients(1))]

    seen.append(caplog.text)
    assert "Authorization" in caplog.text  # the library did log its headers, masked
    assert all(API_KEY not in text for text in seen)


# --- configuration ------------------------------------------------------------------------


def write_config(folder: Path, extra: str = "") -> Path:
    path = folder / "newsletter.yaml"
    path.write_text("name: Test letter\nfrom:\n  email: hi@letters.example\n" + extra,
                    encoding="utf-8")
    return path


def test_a_host_that_is_not_a_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"sendgrid\.host"):
        SendGridBackend(API_KEY, host="api.sendgrid.com")


def test_from_config_refuses_to_start_without_the_key(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path), env={})
    with pytest.raises(ConfigError, match="SENDGRID_API_KEY"):
        SendGridBackend.from_config(config)


def test_from_config_uses_host_categories_group_and_timeout(
        tmp_path: Path, server: SendGridTestServer) -> None:
    extra = ("sendgrid:\n  categories: [weekly]\n  asm_group_id: 12\n  timeout: 4\n")
    env = {"SENDGRID_API_KEY": API_KEY, "SENDGRID_API_HOST": server.url}
    backend = SendGridBackend.from_config(load_config(write_config(tmp_path, extra), env=env))

    assert backend.send(message(), recipients(1))[0].ok
    assert server.bodies[0]["categories"] == ["weekly"]
    assert server.bodies[0]["asm"] == {"group_id": 12}
    assert backend.timeout == 4 and API_KEY not in repr(backend)
