"""newsletter.yaml and the environment, read into Config by a strict schema."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from delivery_helpers import JUST_AFTER, make_folder

from newsletter.cli import main
from newsletter.config import (
    check_timezone,
    default_config_text,
    load_config,
    parse_every,
    parse_weekdays,
)
from newsletter.config_schema import CROSS_CHECKS, RULES
from newsletter.errors import ConfigError
from newsletter.testing.sendgrid_server import SendGridTestServer

PUBLIC = "base_url: https://news.example.com\n"


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "newsletter.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    return path


def test_defaults_when_the_file_sets_little(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "name: Plant Notes\n"), env={})
    assert config.name == "Plant Notes"
    assert config.delivery.backend == "outbox"
    assert config.cadence.every_days == 3
    assert config.database_url == f"sqlite:///{tmp_path / 'subscribers' / 'newsletter.db'}"
    assert config.outbox == tmp_path / "outbox"
    assert config.utm == {"source": "newsletter", "medium": "email",
                          "campaign": "issue-{number}"}  # empty term and content left out


def test_the_defaults_file_is_valid_and_every_rule_names_one_of_its_settings(
        tmp_path: Path) -> None:
    defaults = yaml.safe_load(default_config_text())
    config = load_config(write(tmp_path, default_config_text()), env={})
    assert config.name == defaults["name"]

    def dotted(tree: dict, prefix: str = "") -> set[str]:
        keys = set()
        for key, value in tree.items():
            keys.add(prefix + key)
            if isinstance(value, dict):
                keys |= dotted(value, f"{prefix}{key}.")
        return keys

    known = dotted(defaults)
    assert set(RULES) <= known, set(RULES) - known
    assert set(CROSS_CHECKS) <= known
    assert all(set(c.keys) <= known for c in CROSS_CHECKS.values())


def test_the_sender_is_named_after_the_newsletter_unless_the_file_names_it(
        tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "name: Plant Notes\n"), env={})
    assert config.sender.name == "Plant Notes"
    renamed = default_config_text().replace("name: My Newsletter", "name: Plant Notes", 1)
    assert load_config(write(tmp_path, renamed), env={}).sender.name == "Plant Notes"
    named = load_config(write(tmp_path, "name: Plant Notes\nfrom: {name: Ann at Plant Notes}\n"),
                        env={})
    assert named.sender.name == "Ann at Plant Notes"


@pytest.mark.parametrize("zone", ["UTC", "Etc/UTC", "Europe/London", "America/Phoenix",
                                  "Asia/Kolkata"])
def test_places_and_utc_are_accepted_as_zones(zone: str) -> None:
    assert check_timezone(zone).key == zone


def test_values_are_normalised(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, (
        "from: {email: ' Hello@Plant-Notes.Example ', name: Plant Notes}\n"
        "base_url: https://news.example.com/letters/\n"
        "quiet_days: [Saturday, sun]\ncadence: {weekdays: [thu, mon]}\n")), env={})
    assert config.sender.email == "hello@plant-notes.example"
    assert config.base_url == "https://news.example.com/letters"
    assert config.quiet_days == ("sat", "sun")
    assert config.cadence.weekdays == ("mon", "thu")


def test_environment_overrides_database_and_sendgrid_host(tmp_path: Path) -> None:
    env = {"NEWSLETTER_DATABASE_URL": "postgresql+psycopg://db/x",
           "SENDGRID_API_HOST": "http://127.0.0.1:3030/", "SENDGRID_API_KEY": "SG.secret"}
    config = load_config(write(tmp_path, "sendgrid: {host: https://api.eu.sendgrid.com}\n"), env)
    assert config.database_url == "postgresql+psycopg://db/x"
    assert config.sendgrid.host == "http://127.0.0.1:3030"
    assert "SG.secret" not in repr(config)


def test_sendgrid_with_a_public_https_base_url_is_accepted(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "delivery: {backend: sendgrid}\n" + PUBLIC), env={})
    assert (config.delivery.backend, config.base_url) == ("sendgrid",
                                                          "https://news.example.com")


SENDGRID = "delivery: {backend: sendgrid}\n"
TWELVE = "[" + ", ".join(f"c{i}" for i in range(11)) + "]"

# (newsletter.yaml, the one line `newsletter` prints after "error: <file>")
BROKEN = [
    ("name: x\npostal_adress: 1 Road\n",
     ":2: postal_adress: unknown setting (did you mean postal_address?)"),
    ("delivery: {bach_size: 10}\n",
     ":1: delivery.bach_size: unknown setting (did you mean delivery.batch_size?)"),
    ("batch_size: 10\n", ":1: batch_size: unknown setting (did you mean delivery.batch_size?)"),
    ("colour: blue\n", ":1: colour: unknown setting"),
    ("utm: x\n", ":1: utm: expected a section of settings (source, medium, campaign, term, "
                 "content), got 'x'"),
    ("utm: {source: [a]}\n", ":1: utm.source: expected text, got a list"),
    ("sendgrid: {categories: news}\n",
     ":1: sendgrid.categories: expected a list, got 'news' (write [news])"),
    (f"sendgrid: {{categories: {TWELVE}}}\n",
     ":1: sendgrid.categories: at most 10 entries, got 11"),
    ("sendgrid: {categories: [a, a]}\n", ":1: sendgrid.categories: entries repeat"),
    ("from: not-an-address\n",
     ":1: from: expected a section of settings (email, name), got 'not-an-address'"),
    ("from: {email: not-an-address}\n",
     ":1: from.email: invalid address 'not-an-address': an email address must have an "
     "@-sign"),
    ("from: {name: \"Ann\\nBcc: x@y.example\"}\n", ":1: from.name: must be one line (no "
                                                   "line breaks)"),
    ("reply_to: ann@\n",
     ":1: reply_to: invalid address 'ann@': there must be something after the @-sign"),
    ("name: \"\"\n", ":1: name: must not be empty"),
    ("name: [a, b]\n", ":1: name: expected text, got a list"),
    ("reason: yes\n", ":1: reason: expected text, got true (put it in quotes)"),
    ("delivery:\n  lease_minutes: 0\n",
     ":2: delivery.lease_minutes: expected a number above 0 and at most 1440, got 0"),
    ("quiet_days: [mon, tue, wed, thu, fri, sat, sun]\n",
     ":1: quiet_days: lists all seven days: no day would be left to send on"),
    ("quiet_days: [someday]\n",
     ":1: quiet_days: unknown weekday 'someday': use mon, tue, wed, thu, fri, sat, sun"),
    ("timezone: EST\n",
     ":1: timezone: 'EST' is an abbreviation or a fixed offset, not a place's time zone (it "
     "ignores daylight saving changes): use America/New_York (Eastern time, with daylight "
     "saving) or America/Panama (no daylight saving)"),
    ("timezone: PST8PDT\n", ":1: timezone: 'PST8PDT' is an abbreviation or a fixed offset, "
                            "not a place's time zone (it ignores daylight saving changes): "
                            "use America/Los_Angeles"),
    ("timezone: Etc/GMT+5\n", ":1: timezone: 'Etc/GMT+5' is an abbreviation or a fixed offset, "
                             "not a place's time zone (it ignores daylight saving changes): "
                             "use the Area/City name of a place in your zone, like "
                             "America/New_York (Etc/GMT+5 is UTC-5: Etc/GMT names reverse the "
                             "sign)"),
    ("timezone: GMT\n", ":1: timezone: 'GMT' is an abbreviation or a fixed offset, not a "
                       "place's time zone (it ignores daylight saving changes): use "
                       "Europe/London (UK time, with daylight saving) or UTC (no daylight "
                       "saving)"),
    ("timezone: Factory\n", ":1: timezone: 'Factory' is not a place's time zone (use an IANA "
                           "name like America/New_York)"),
    ("timezone: Mars/Olympus\n", ":1: timezone: unknown time zone 'Mars/Olympus' (use an IANA "
                                 "name like America/New_York)"),
    ("base_url: \"\"\n",
     ":1: base_url: '' is not an absolute http(s) URL like https://news.example.com"),
    ("base_url: localhost\n",
     ":1: base_url: 'localhost' is not an absolute http(s) URL like https://news.example.com"),
    ("base_url: \"javascript:alert(1)\"\n", ":1: base_url: 'javascript:alert(1)' is not an "
                                            "absolute http(s) URL like https://news.example.com"),
    ("base_url: \"https://news.example.com/?ref=mail\"\n",
     ":1: base_url: 'https://news.example.com/?ref=mail' has a query or fragment: give the "
     "address only"),
    ("base_url: \"https://ann:pw@news.example.com\"\n",
     ":1: base_url: 'https://ann:pw@news.example.com' holds a user name or password: never "
     "put credentials in links"),
    ("base_url: \"https://news.example.com:http\"\n",
     ":1: base_url: 'https://news.example.com:http' is not a URL (Port could not be cast to "
     "integer value as 'http')"),
    (SENDGRID, ":1: base_url: with delivery.backend: sendgrid, 'http://localhost:8000' must "
               "use https (links in emails sent through SendGrid)"),
    (SENDGRID + "base_url: http://news.example.com\n",
     ":2: base_url: with delivery.backend: sendgrid, 'http://news.example.com' must use https "
     "(links in emails sent through SendGrid)"),
    (SENDGRID + "base_url: https://192.168.1.5\n",
     ":2: base_url: with delivery.backend: sendgrid, 'https://192.168.1.5' is not a public "
     "address (readers' mail clients could not reach it): use the address `newsletter serve` "
     "has on the internet"),
    (SENDGRID + "base_url: https://letters.internal\n",
     ":2: base_url: with delivery.backend: sendgrid, 'https://letters.internal' is not a "
     "public address (readers' mail clients could not reach it): use the address "
     "`newsletter serve` has on the internet"),
    ("delivery: {backend: sendgrid, lease_minutes: 2}\n" + PUBLIC,
     ":1: delivery.lease_minutes: 2 minutes is not more than a SendGrid request can take "
     "(sendgrid.timeout 30 s x 6 attempts): a live send would be taken for dead"),
    ("mode: drip\n", ":1: mode: expected one of broadcast, sequence, got 'drip'"),
    ("delivery: {backend: sendgird}\n",
     ":1: delivery.backend: expected one of outbox, sendgrid, got 'sendgird' (did you mean "
     "sendgrid?)"),
    ("delivery: {batch_size: 5000}\n",
     ":1: delivery.batch_size: expected a whole number from 1 to 1000, got 5000"),
    ("delivery: {batch_size: \"10\"}\n",
     ":1: delivery.batch_size: expected a whole number from 1 to 1000, got '10'"),
    ("delivery: {concurrency: 0}\n",
     ":1: delivery.concurrency: expected a whole number from 1 to 64, got 0"),
    ("delivery: {rate_per_second: -1}\n",
     ":1: delivery.rate_per_second: expected a number of 0 or more, got -1"),
    ("delivery: {rate_per_hour: .nan}\n",
     ":1: delivery.rate_per_hour: expected a number of 0 or more, got nan"),
    ("sendgrid: {timeout: 0}\n",
     ":1: sendgrid.timeout: expected a number above 0 and at most 600, got 0"),
    ("sendgrid: {host: \"ftp://api.sendgrid.com\"}\n",
     ":1: sendgrid.host: 'ftp://api.sendgrid.com' is not an absolute http(s) URL like "
     "https://news.example.com"),
    ("sendgrid: {host: \"http://api.sendgrid.com\"}\n",
     ":1: sendgrid.host: 'http://api.sendgrid.com' must use https (plain http only to a test "
     "server on this machine)"),
    ("sendgrid: {host: \"https://api.sendgrid.com/v3\"}\n",
     ":1: sendgrid.host: 'https://api.sendgrid.com/v3' has a path: give the host only, like "
     "https://api.sendgrid.com"),
    ("sendgrid: {asm_group_id: -5}\n",
     ":1: sendgrid.asm_group_id: expected a whole number from 0 up, got -5"),
    ("cadence: {every: 0d}\n", ":1: cadence.every: '0d' is not a cadence: use a positive "
                               "number of days like 3d or weeks like 1w"),
    ("cadence: {weekdays: [someday]}\n",
     ":1: cadence.weekdays: unknown weekday 'someday': use mon, tue, wed, thu, fri, sat, sun"),
    ("cadence: {at: \"25:00\"}\n",
     ":1: cadence.at: '25:00' is not a time of day: use HH:MM, e.g. 09:00"),
    ("cadence:\n  min_words: 500\n  max_words: 100\n",
     ":3: cadence.max_words: min_words (500) is more than max_words (100)"),
    ("snippets: {min_words: 0}\n",
     ":1: snippets.min_words: expected a whole number from 1 up, got 0"),
    ("send_window: \"18:00-08:00\"\n",
     ":1: send_window: '18:00-08:00': the window must start before it ends (same day)"),
    ("send_local_time: \"yes\"\n", ":1: send_local_time: expected true or false, got 'yes'"),
    ("products: Widget\n", ":1: products: expected a list, got 'Widget' (write [Widget])"),
    ("cta_url: www.example.com/buy\n", ":1: cta_url: 'www.example.com/buy' is not an "
                                       "absolute http(s) URL like https://news.example.com"),
    ("database_url: \"mysql://db/x\"\n", ":1: database_url: 'mysql://db/x' is not a database "
                                         "URL: use sqlite:///path/to.db or "
                                         "postgresql+psycopg://user@host/db"),
    ("outbox: {folder: \"\"}\n", ":1: outbox.folder: must not be empty"),
    ("", ": no settings in the file (run `newsletter init --force` for a commented one, or "
         "set at least name and from)"),
    ("# only a comment\n", ": no settings in the file (run `newsletter init --force` for a "
                           "commented one, or set at least name and from)"),
    ("- a\n- b\n", ": expected a mapping of settings (key: value lines)"),
    ("name: x\nfrom: [unclosed\n", ":3: not valid YAML (expected ',' or ']', but got "
                                   "'<stream end>')"),
    (b"name: caf\xe9\n", ": not UTF-8 text"),
]


@pytest.mark.parametrize(("text", "message"), BROKEN, ids=[m for _, m in BROKEN])
def test_each_broken_file_stops_every_command_with_its_one_line_message(
        tmp_path: Path, text: str | bytes, message: str) -> None:
    path = write(tmp_path, text)
    result = CliRunner().invoke(main, ["--config", str(path), "queue"], env={},
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr == f"error: {path}{message}\n"
    assert result.stdout == ""


def test_there_are_at_least_forty_broken_files() -> None:
    assert len(BROKEN) >= 40


def test_a_bad_environment_override_names_the_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\n")
    result = CliRunner().invoke(main, ["--config", str(path), "queue"],
                                env={"SENDGRID_API_HOST": "api.sendgrid.com"})
    assert result.exit_code == 1
    assert result.stderr == ("error: SENDGRID_API_HOST: 'api.sendgrid.com' is not an absolute "
                             "http(s) URL like https://news.example.com\n")


def test_several_problems_are_counted_and_the_first_by_line_shown(tmp_path: Path) -> None:
    path = write(tmp_path, "mode: drip\npostal_adress: x\ndelivery: {batch_size: 0}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert str(err.value) == (f"{path}:1: mode: expected one of broadcast, sequence, got "
                              "'drip' (and 2 more: run `newsletter config check`)")


def test_no_traceback_as_a_real_process(tmp_path: Path) -> None:
    path = write(tmp_path, "utm: x\ndelivery: {lease_minutes: 0}\n")
    done = subprocess.run([sys.executable, "-m", "newsletter", "--config", str(path), "plan",
                           "content/x.yaml"], capture_output=True, text=True, check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_config_check_prints_the_effective_settings_and_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "name: Plant Notes\npostal_adress: x\nmode: drip\n"
                           "delivery: {batch_size: 10}\ndelivery: {concurrency: 2}\n")
    result = CliRunner().invoke(main, ["--config", str(path), "config", "check"],
                                env={"SENDGRID_API_HOST": "http://127.0.0.1:3030",
                                     "SENDGRID_API_KEY": "SG.never-shown"})
    assert result.exit_code == 1
    out = result.stdout
    assert "name: 'Plant Notes'" in out and "# line 1" in out
    assert "delivery.concurrency: 2" in out and "delivery.batch_size: 1000" in out
    assert "sendgrid.host: 'http://127.0.0.1:3030'  # SENDGRID_API_HOST" in out
    assert "SENDGRID_API_KEY: set" in out and "SG.never-shown" not in out + result.stderr
    assert f"{path}:2: postal_adress: unknown setting (did you mean postal_address?)" in out
    assert f"{path}:3: mode: expected one of broadcast, sequence, got 'drip'" in out
    assert "delivery: given twice (lines 4 and 5): the last one counts" in out
    assert "2 problems" in out


def test_config_check_of_a_good_file_exits_0(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\nfrom: {email: hi@plants.example}\npostal_address: 1 Road\n")
    result = CliRunner().invoke(main, ["--config", str(path), "config", "check"],
                                env={"NEWSLETTER_SECRET_KEY": "k" * 32})
    assert result.exit_code == 0, result.output
    assert "no problems" in result.stdout


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "nope.yaml", env={})


def test_cadence_parsing() -> None:
    assert parse_every("3d") == 3
    assert parse_every("2w") == 14
    assert parse_weekdays("Thu, mon") == ["mon", "thu"]
    with pytest.raises(ConfigError):
        parse_every("-1d")


@pytest.mark.parametrize("name", ["EST", "MST", "HST", "EST5EDT", "CET", "est", "GMT",
                                  "Etc/GMT+5", "etc/gmt-14", "Etc/Greenwich"])
def test_fixed_offset_zones_are_refused_with_the_names_to_use(name: str) -> None:
    with pytest.raises(ConfigError, match=r"--tz: .* not a place.s time zone .*: use .*\w+/\w+"):
        check_timezone(name)
    assert check_timezone("America/New_York").key == "America/New_York"


@pytest.mark.parametrize("base_url", ["\"\"", "localhost", "\"javascript:alert(1)\"",
                                      "\"https://news.example.com/?x=1\"",
                                      "http://localhost:8000"])
def test_send_with_a_bad_base_url_is_refused_before_any_request(
        tmp_path: Path, sendgrid: SendGridTestServer, base_url: str) -> None:
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=3)
    folder.config.write_text(folder.config.read_text() + f"base_url: {base_url}\n", "utf-8")
    result = folder.cli("send", "--due", "--now", JUST_AFTER)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {folder.config}:") and "base_url: " in result.stderr
    assert result.stderr.count("\n") == 1
    assert sendgrid.stats()["requests"] == 0
    with folder.store() as store:
        assert store.delivery_counts() == {}


@pytest.mark.parametrize(("key", "listed"), [
    ("", "SENDGRID_API_KEY: not set, and delivery.backend is sendgrid"),
    ("SG.bad key-never-shown", "SENDGRID_API_KEY: the key contains a space at character 7"),
])
def test_config_check_lists_a_missing_or_unusable_sendgrid_key(tmp_path: Path, key: str,
                                                               listed: str) -> None:
    path = write(tmp_path, "name: x\nfrom: {email: hi@plants.example}\npostal_address: 1 Road\n"
                           "base_url: https://news.plants.example\n"
                           "delivery: {backend: sendgrid}\n")
    env = {"NEWSLETTER_SECRET_KEY": "k" * 32, "SENDGRID_API_KEY": key}
    result = CliRunner().invoke(main, ["--config", str(path), "config", "check"], env=env)
    assert result.exit_code == 1, result.output
    assert f"  {listed}" in result.stdout and "1 problem\n" in result.stdout
    assert "never-shown" not in result.stdout + result.stderr
    env["SENDGRID_API_KEY"] = "SG.a-usable-key"
    result = CliRunner().invoke(main, ["--config", str(path), "config", "check"], env=env)
    assert result.exit_code == 0, result.output
    assert "no problems" in result.stdout and "SG.a-usable-key" not in result.stdout


@pytest.mark.parametrize("link", ["https://x.example/shop?coupon=SAVE10",
                                  "https://bodywisept.com/contact-us/",
                                  "https://x.example/offer/?ref=nl&coupon=SAVE10#book"])
def test_cta_url_is_kept_as_written_query_fragment_and_trailing_slash(tmp_path: Path,
                                                                      link: str) -> None:
    """Coupon and referral codes are normal in a marketer's link (it was refused: "has a
    query or fragment"), and a trailing slash is part of the address (it was dropped)."""
    config = load_config(write(tmp_path, f'cta_url: "{link}"\n'), env={})
    assert config.cta_url == link


@pytest.mark.parametrize(("link", "message"), [
    ("www.x.example/shop?coupon=SAVE10", "'www.x.example/shop?coupon=SAVE10' is not an "
                                         "absolute http(s) URL"),
    ("https://ann:pw@x.example/?coupon=1", "holds a user name or password"),
    ("https://x.example/shop?coupon=SAVE 10", "contains spaces or control characters"),
])
def test_a_cta_url_with_a_query_is_still_an_absolute_web_address(tmp_path: Path, link: str,
                                                                 message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(write(tmp_path, f'cta_url: "{link}"\n'), env={})
