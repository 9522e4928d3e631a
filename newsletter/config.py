"""newsletter.yaml plus the environment, read into one frozen :class:`Config`.

The commented defaults in ``newsletter/data/newsletter.yaml`` are the template that
``newsletter init`` writes, the defaults every missing setting falls back to, and the list
of known settings: :mod:`newsletter.config_schema` checks every key and value against it
(how to add a setting is said there).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from . import config_schema as schema
from .config_schema import WEEKDAYS, Bad, Checked, Problem, check_settings
from .errors import ConfigError
from .models import Sender
from .validators import timezone_problem

__all__ = ["CONFIG_NAME", "WEEKDAYS", "Config", "check_config", "check_timezone",
           "load_config", "missing_config", "parse_every", "parse_weekdays", "parse_window"]

CONFIG_NAME = "newsletter.yaml"


@dataclass(frozen=True)
class Cadence:
    """When `newsletter plan` schedules issues by default, and an issue's word budget."""

    every_days: int = 3
    weekdays: tuple[str, ...] = ()
    at: str = "09:00"
    min_words: int = 150
    max_words: int = 450


@dataclass(frozen=True)
class CtaConfig:
    """How often the call to action appears, and its button's words ("" : from the pitch)."""

    every: int = 1
    button: str = ""


@dataclass(frozen=True)
class BankConfig:
    """How often a testimonial and a resource appear (every Nth issue; 0: never)."""

    testimonials_every: int = 1
    resources_every: int = 1


@dataclass(frozen=True)
class Brand:
    """The header's name or logo, and the accent colour of the emails."""

    name: str = ""
    logo: str = ""
    logo_width: int = 160
    accent: str = "#0f766e"


@dataclass(frozen=True)
class Greeting:
    """"Hi Ann," — the word before the name, and the name when none is known."""

    hello: str = "Hi"
    fallback: str = "there"


@dataclass(frozen=True)
class Delivery:
    """How messages leave: backend name, batch size, concurrency and rate limits."""

    backend: str = "outbox"
    batch_size: int = 1000
    concurrency: int = 4
    rate_per_second: float = 0
    rate_per_hour: float = 0
    lease_minutes: float = 15


@dataclass(frozen=True)
class SendGridSettings:
    """SendGrid settings that are not secret (the API key comes from the environment)."""

    host: str = "https://api.sendgrid.com"
    categories: tuple[str, ...] = ()
    asm_group_id: int = 0
    timeout: float = 30
    api_key: str = ""  # from SENDGRID_API_KEY only; never printed (see __repr__)

    def __repr__(self) -> str:
        return f"SendGridSettings(host={self.host!r}, api_key={'***' if self.api_key else ''})"


@dataclass(frozen=True)
class Config:
    """Every setting of one newsletter folder."""

    root: Path
    name: str
    sender: Sender
    postal_address: str
    reason: str
    base_url: str
    timezone: str
    mode: str
    cadence: Cadence
    snippet_min_words: int
    snippet_max_words: int
    products: tuple[str, ...]
    cta_url: str
    utm: Mapping[str, str]
    database_url: str
    delivery: Delivery
    sendgrid: SendGridSettings
    outbox: Path
    send_local_time: bool = False  # send at the local hour in each subscriber's zone
    quiet_days: tuple[str, ...] = ()  # weekdays (mon..sun) with no sends
    send_window: tuple[time, time] | None = None  # local [start, end) sends may happen in
    cta: CtaConfig = CtaConfig()
    banks: BankConfig = BankConfig()
    brand: Brand = Brand()
    greeting: Greeting = Greeting()
    language: str = "en"

    @property
    def brand_name(self) -> str:
        """The name the emails show: ``brand.name``, else the newsletter's ``name``."""
        return self.brand.name or self.name

    @property
    def tz(self) -> ZoneInfo:
        """The newsletter's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def issues_dir(self) -> Path:
        """The queue: one YAML file per issue."""
        return self.root / "issues"

    @property
    def content_dir(self) -> Path:
        """Snippet banks split from articles."""
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        """The folder's own templates (may be absent: the defaults are used)."""
        return self.root / "templates"

    @property
    def build_dir(self) -> Path:
        """Where previews and builds are written."""
        return self.root / "build"


def read_dotenv(path: Path) -> dict[str, str]:
    """``NAME=value`` lines of a .env file (absent file: nothing); comments ignored."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for line in path.read_text("utf-8").splitlines():
        name, sep, value = line.strip().removeprefix("export ").partition("=")
        if sep and name and not name.startswith("#"):
            values[name.strip()] = value.strip().strip("\"'")
    return values


def default_config_text() -> str:
    """The commented newsletter.yaml that `newsletter init` writes."""
    return resources.files("newsletter").joinpath("data", CONFIG_NAME).read_text("utf-8")


def default_templates_dir() -> Path:
    """The default email templates, which `newsletter init` copies and rendering falls
    back to: ``newsletter/email_templates/`` of an installed package (setup.py maps the
    repository's top-level ``templates/`` there), that ``templates/`` itself in a checkout."""
    package = Path(__file__).parent
    shipped = package / "email_templates"
    return shipped if shipped.is_dir() else package.parent / "templates"


@functools.lru_cache(maxsize=1)
def default_settings() -> dict[str, Any]:
    """The defaults file parsed: every known setting with its default value."""
    data = yaml.safe_load(default_config_text())
    assert isinstance(data, dict)
    return data


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read newsletter.yaml (``path``, or ./newsletter.yaml when present) and the environment.

    A missing default file is fine (every setting has a default); a missing ``--config``
    file, bad YAML, an empty file, an unknown key or a bad value is a :class:`ConfigError`
    naming the file, the line and the key (the first problem; `newsletter config check`
    lists them all).
    """
    path, checked = check_config(path, env)
    if checked.problems:
        raise problem_error(checked.problems[0], path, len(checked.problems) - 1)
    return _build(path.parent.resolve(), checked.values, os.environ if env is None else env)


def check_config(path: Path | None = None, env: Mapping[str, str] | None = None
                 ) -> tuple[Path, Checked]:
    """Every setting of newsletter.yaml checked (values, where each came from, problems).

    Unreadable files (missing ``--config``, bad YAML, not UTF-8, empty) raise
    :class:`ConfigError`; everything else is reported in the result.
    """
    env = os.environ if env is None else env
    explicit = path is not None
    path = Path(path) if explicit else Path.cwd() / CONFIG_NAME
    if explicit and not path.is_file():
        raise missing_config(path)
    text, data = _read_yaml(path) if path.is_file() else ("", {})
    return path, check_settings(data, default_settings(), env, text)


def missing_config(path: Path) -> ConfigError:
    """The error for a ``--config`` file that is not there: the file, and what to do."""
    return ConfigError("no such configuration file: check the --config path, or make a "
                       f"newsletter folder with `newsletter init FOLDER` and pass its "
                       f"{CONFIG_NAME}", path=path)


def problem_error(problem: Problem, path: Path, more: int = 0) -> ConfigError:
    """A problem as the error a command stops with (``more``: how many others there are)."""
    suffix = f" (and {more} more: run `newsletter config check`)" if more else ""
    if not problem.in_file:
        return ConfigError(problem.message + suffix, field=problem.key)
    return ConfigError(problem.message + suffix, path=path, line=problem.line,
                       field=problem.key)


def _read_yaml(path: Path) -> tuple[str, dict[str, Any]]:
    try:
        text = path.read_text("utf-8")
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        problem = getattr(exc, "problem", None)
        raise ConfigError(f"not valid YAML ({problem})" if problem else "not valid YAML",
                          path=path,
                          line=line + 1 if line is not None else None) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", path=path) from None
    except RecursionError:
        raise ConfigError("nested too deeply", path=path) from None
    if data is None:
        raise ConfigError("no settings in the file (run `newsletter init --force` for a "
                          "commented one, or set at least name and from)", path=path)
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping of settings (key: value lines)", path=path)
    return text, data


def _build(root: Path, v: Mapping[str, Any], env: Mapping[str, str]) -> Config:
    outbox = Path(v["outbox.folder"]).expanduser()
    return Config(
        root=root,
        name=v["name"],
        sender=Sender(v["from.email"], v["from.name"], v["reply_to"]),
        postal_address=v["postal_address"].strip(),
        reason=v["reason"],
        base_url=v["base_url"],
        timezone=v["timezone"],
        mode=v["mode"],
        cadence=Cadence(
            every_days=v["cadence.every"],
            weekdays=v["cadence.weekdays"],
            at=v["cadence.at"],
            min_words=v["cadence.min_words"],
            max_words=v["cadence.max_words"],
        ),
        snippet_min_words=v["snippets.min_words"],
        snippet_max_words=v["snippets.max_words"],
        products=v["products"],
        cta_url=v["cta_url"],
        utm={key.removeprefix("utm."): value for key, value in v.items()
             if key.startswith("utm.") and value},
        database_url=v["database_url"] or f"sqlite:///{root / 'subscribers' / 'newsletter.db'}",
        delivery=Delivery(
            backend=v["delivery.backend"],
            batch_size=v["delivery.batch_size"],
            concurrency=v["delivery.concurrency"],
            rate_per_second=v["delivery.rate_per_second"],
            rate_per_hour=v["delivery.rate_per_hour"],
            lease_minutes=v["delivery.lease_minutes"],
        ),
        sendgrid=SendGridSettings(
            host=v["sendgrid.host"],
            categories=v["sendgrid.categories"],
            asm_group_id=v["sendgrid.asm_group_id"],
            timeout=v["sendgrid.timeout"],
            api_key=env.get("SENDGRID_API_KEY", ""),
        ),
        outbox=outbox if outbox.is_absolute() else root / outbox,
        send_local_time=v["send_local_time"],
        quiet_days=v["quiet_days"],
        send_window=v["send_window"],
        cta=CtaConfig(every=v["cta.every"], button=v["cta.button"].strip()),
        banks=BankConfig(testimonials_every=v["banks.testimonials_every"],
                         resources_every=v["banks.resources_every"]),
        brand=Brand(name=v["brand.name"].strip(), logo=v["brand.logo"],
                    logo_width=v["brand.logo_width"], accent=v["brand.accent"]),
        greeting=Greeting(hello=v["greeting.hello"].strip(),
                          fallback=v["greeting.fallback"].strip()),
        language=v["language"],
    )


def parse_every(text: str, *, field: str = "--every", path: Path | None = None) -> int:
    """Parse a cadence like ``3d``, ``3`` or ``1w`` into a positive number of days."""
    try:
        return schema.parse_every(text)
    except Bad as exc:
        raise ConfigError(str(exc), path=path, field=field) from None


def parse_weekdays(names: Any, *, path: Path | None = None, field: str = "cadence.weekdays"
                   ) -> list[str]:
    """Parse ``mon,thu`` (a string or list) into canonical three-letter weekday names."""
    try:
        return list(schema.parse_weekdays(names))
    except Bad as exc:
        raise ConfigError(str(exc), path=path, field=field) from None


def parse_window(text: str, *, path: Path | None = None, field: str = "send_window"
                 ) -> tuple[time, time] | None:
    """Parse a local send window ``08:00-18:00`` (start before end); empty means none."""
    try:
        return schema.parse_window(text)
    except Bad as exc:
        raise ConfigError(str(exc), path=path, field=field) from None


def check_timezone(name: str, *, path: Path | None = None, field: str = "--tz") -> ZoneInfo:
    """Return the IANA zone ``name``, or a :class:`ConfigError` saying what to use instead
    (unknown names, and abbreviations or fixed offsets such as EST)."""
    problem = timezone_problem(name)
    if problem:
        raise ConfigError(problem, path=path, field=field)
    return ZoneInfo(name)
