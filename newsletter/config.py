"""newsletter.yaml plus the environment, read into one frozen :class:`Config`.

The commented defaults in ``newsletter/data/newsletter.yaml`` are both the template that
``newsletter init`` writes and the defaults every missing setting falls back to.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .errors import ConfigError
from .models import Sender

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


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read newsletter.yaml (``path``, or ./newsletter.yaml when present) and the environment.

    A missing default file is fine (every setting has a default); a missing ``--config``
    file, bad YAML or a bad value is a :class:`ConfigError` naming the file and field.
    """
    env = os.environ if env is None else env
    explicit = path is not None
    path = Path(path) if explicit else Path.cwd() / CONFIG_NAME
    if explicit and not path.is_file():
        raise ConfigError("no such configuration file", path=path)
    data = _read_yaml(path) if path.is_file() else {}
    return _build(path.parent.resolve(), _merge(yaml.safe_load(default_config_text()), data),
                  env, path)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        problem = getattr(exc, "problem", None)
        raise ConfigError(f"not valid YAML ({problem})" if problem else "not valid YAML",
                          path=path,
                          line=line + 1 if line is not None else None) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", path=path) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping of settings", path=path)
    return data


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged


def _build(root: Path, d: dict[str, Any], env: Mapping[str, str], path: Path) -> Config:
    get = _Getter(d, path)
    tz = get.str("timezone")
    _check_timezone(tz, path)
    outbox = Path(get.str("outbox.folder"))
    return Config(
        root=root,
        name=get.str("name"),
        sender=Sender(get.str("from.email"), get.str("from.name"), get.str("reply_to")),
        postal_address=get.str("postal_address").strip(),
        reason=get.str("reason"),
        base_url=get.str("base_url").rstrip("/"),
        timezone=tz,
        mode=get.choice("mode", ("broadcast", "sequence")),
        cadence=Cadence(
            every_days=parse_every(get.str("cadence.every"), field="cadence.every", path=path),
            weekdays=tuple(parse_weekdays(get.list("cadence.weekdays"), path=path)),
            at=get.str("cadence.at"),
            min_words=get.int("cadence.min_words"),
            max_words=get.int("cadence.max_words"),
        ),
        snippet_min_words=get.int("snippets.min_words"),
        snippet_max_words=get.int("snippets.max_words"),
        products=tuple(str(p) for p in get.list("products")),
        cta_url=get.str("cta_url"),
        utm={k: str(v) for k, v in (d.get("utm") or {}).items()},
        database_url=env.get("NEWSLETTER_DATABASE_URL") or get.str("database_url")
        or f"sqlite:///{root / 'subscribers' / 'newsletter.db'}",
        delivery=Delivery(
            backend=get.choice("delivery.backend", ("outbox", "sendgrid")),
            batch_size=get.int("delivery.batch_size", low=1, high=1000),
            concurrency=get.int("delivery.concurrency", low=1, high=64),
            rate_per_second=get.number("delivery.rate_per_second"),
            rate_per_hour=get.number("delivery.rate_per_hour"),
            lease_minutes=get.number("delivery.lease_minutes") or 15,
        ),
        sendgrid=SendGridSettings(
            host=(env.get("SENDGRID_API_HOST") or get.str("sendgrid.host")).rstrip("/"),
            categories=tuple(str(c) for c in get.list("sendgrid.categories")),
            asm_group_id=get.int("sendgrid.asm_group_id"),
            timeout=get.number("sendgrid.timeout"),
            api_key=env.get("SENDGRID_API_KEY", ""),
        ),
        outbox=outbox if outbox.is_absolute() else root / outbox,
        send_local_time=get.bool("send_local_time"),
        quiet_days=tuple(parse_weekdays(get.list("quiet_days"), path=path, field="quiet_days")),
        send_window=parse_window(get.str("send_window"), path=path),
    )


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_every(text: str, *, field: str = "--every", path: Path | None = None) -> int:
    """Parse a cadence like ``3d``, ``3`` or ``1w`` into a positive number of days."""
    raw = str(text).strip().lower()
    unit = 7 if raw.endswith("w") else 1
    digits = raw.rstrip("dw")
    if not digits.isdigit() or int(digits) <= 0:
        raise ConfigError(f"{text!r} is not a cadence: use a positive number of days like 3d "
                          "or weeks like 1w", path=path, field=field)
    return int(digits) * unit


def parse_weekdays(names: Any, *, path: Path | None = None, field: str = "cadence.weekdays"
                   ) -> list[str]:
    """Parse ``mon,thu`` (a string or list) into canonical three-letter weekday names."""
    parts = names.split(",") if isinstance(names, str) else list(names or [])
    days = [str(p).strip().lower()[:3] for p in parts if str(p).strip()]
    bad = [d for d in days if d not in WEEKDAYS]
    if bad:
        raise ConfigError(f"unknown weekday {bad[0]!r}: use mon, tue, wed, thu, fri, sat, sun",
                          path=path, field=field)
    return sorted(set(days), key=WEEKDAYS.index)


def parse_window(text: str, *, path: Path | None = None, field: str = "send_window"
                 ) -> tuple[time, time] | None:
    """Parse a local send window ``08:00-18:00`` (start before end); empty means none."""
    raw = str(text or "").strip()
    if not raw:
        return None
    match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", raw)
    parts = [int(g) for g in match.groups()] if match else []
    if not parts or parts[0] > 23 or parts[2] > 24 or parts[1] > 59 or parts[3] > 59 or (
            parts[2] == 24 and parts[3]):
        raise ConfigError(f"{text!r} is not a send window: use HH:MM-HH:MM, e.g. 08:00-18:00",
                          path=path, field=field)
    start = time(parts[0], parts[1])
    end = time(23, 59, 59, 999999) if parts[2] == 24 else time(parts[2], parts[3])
    if start >= end:
        raise ConfigError(f"{text!r}: the window must start before it ends (same day)",
                          path=path, field=field)
    return start, end


def _check_timezone(name: str, path: Path | None) -> None:
    check_timezone(name, path=path, field="timezone")


def check_timezone(name: str, *, path: Path | None = None, field: str = "--tz") -> ZoneInfo:
    """Return the IANA zone ``name`` or raise a :class:`ConfigError` saying it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {name!r} (use an IANA name like "
                          "America/New_York)", path=path, field=field) from None


class _Getter:
    """Typed access to nested settings, with errors naming the file and the dotted field."""

    def __init__(self, data: dict[str, Any], path: Path) -> None:
        self.data, self.path = data, path

    def _raw(self, dotted: str) -> Any:
        value: Any = self.data
        for part in dotted.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    def _fail(self, dotted: str, message: str) -> ConfigError:
        return ConfigError(message, path=self.path, field=dotted)

    def str(self, dotted: str) -> str:
        value = self._raw(dotted)
        if value is None:
            return ""
        if isinstance(value, dict | list):
            raise self._fail(dotted, "expected text")
        return str(value)

    def list(self, dotted: str) -> list[Any]:
        value = self._raw(dotted)
        if value is None:
            return []
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise self._fail(dotted, "expected a list")
        return value

    def bool(self, dotted: str) -> bool:
        value = self._raw(dotted)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self._fail(dotted, f"expected true or false, got {value!r}")
        return value

    def number(self, dotted: str) -> float:
        value = self._raw(dotted)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self._fail(dotted, f"expected a number of zero or more, got {value!r}")
        return float(value)

    def int(self, dotted: str, low: int = 0, high: int | None = None) -> int:
        value = self._raw(dotted)
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (
                high is not None and value > high):
            limits = f"from {low}" + (f" to {high}" if high is not None else " up")
            raise self._fail(dotted, f"expected a whole number {limits}, got {value!r}")
        return value

    def choice(self, dotted: str, options: tuple[str, ...]) -> str:
        value = self.str(dotted)
        if value not in options:
            raise self._fail(dotted, f"expected one of {', '.join(options)}, got {value!r}")
        return value
