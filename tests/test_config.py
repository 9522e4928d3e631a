"""newsletter.yaml and the environment, read into Config."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.config import load_config, parse_every, parse_weekdays
from newsletter.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "newsletter.yaml"
    path.write_text(text, "utf-8")
    return path


def test_defaults_when_the_file_sets_little(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "name: Plant Notes\n"), env={})
    assert config.name == "Plant Notes"
    assert config.delivery.backend == "outbox"
    assert config.cadence.every_days == 3
    assert config.database_url == f"sqlite:///{tmp_path / 'subscribers' / 'newsletter.db'}"
    assert config.outbox == tmp_path / "outbox"


def test_environment_overrides_database_and_sendgrid_host(tmp_path: Path) -> None:
    env = {"NEWSLETTER_DATABASE_URL": "postgresql+psycopg://db/x",
           "SENDGRID_API_HOST": "http://127.0.0.1:3030/", "SENDGRID_API_KEY": "SG.secret"}
    config = load_config(write(tmp_path, "sendgrid: {host: https://api.eu.sendgrid.com}\n"), env)
    assert config.database_url == "postgresql+psycopg://db/x"
    assert config.sendgrid.host == "http://127.0.0.1:3030"
    assert "SG.secret" not in repr(config)


@pytest.mark.parametrize(("text", "field"), [
    ("timezone: Mars/Olympus\n", "timezone"),
    ("delivery: {batch_size: 5000}\n", "delivery.batch_size"),
    ("delivery: {backend: pigeon}\n", "delivery.backend"),
    ("cadence: {every: 0d}\n", "cadence.every"),
    ("cadence: {weekdays: [someday]}\n", "cadence.weekdays"),
])
def test_bad_values_name_the_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text), env={})
    assert str(err.value).startswith(f"{tmp_path / 'newsletter.yaml'}: {field}: ")


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"newsletter.yaml:\d+: not valid YAML \(.+\)"):
        load_config(write(tmp_path, "name: x\nfrom: [unclosed\n"), env={})


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "nope.yaml", env={})


def test_cadence_parsing() -> None:
    assert parse_every("3d") == 3
    assert parse_every("2w") == 14
    assert parse_weekdays("Thu, mon") == ["mon", "thu"]
    with pytest.raises(ConfigError):
        parse_every("-1d")
