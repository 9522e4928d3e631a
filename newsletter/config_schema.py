"""The strict schema of newsletter.yaml: every setting known, typed and range-checked.

The commented defaults file ``newsletter/data/newsletter.yaml`` (what ``newsletter init``
writes) is the list of settings: a key it lacks is unknown (an error, with a did-you-mean),
and each setting's default gives its type — text, a whole number (0 or more), a number,
true/false, a list of text, or a section of further settings. :data:`RULES` says what a
default cannot (ranges, choices, formats); :data:`CROSS_CHECKS` relate several settings.

To add a setting: write it, with its comment and default, into the defaults file; add a
rule here only if its default's type is not the whole story; read it in ``config._build``.
A test checks that every rule names a setting of the defaults file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any

import yaml

from .addresses import normalize_address
from .colours import AA, WHITE, contrast
from .errors import InputError
from .validators import api_host_problem, timezone_problem, url_problem

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Bad(ValueError):
    """A value a rule refuses: the message says what is wrong and what would do."""


Rule = Callable[[Any], Any]  # the given value -> the value to use; raises Bad
INVALID = "invalid"  # the origin of a setting whose given value is refused (no value)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the settings: the dotted key (or environment variable), the
    line of newsletter.yaml when known, and what is wrong."""

    key: str
    message: str
    line: int | None = None
    in_file: bool = True  # False: an environment variable


@dataclass(frozen=True)
class Checked:
    """Validated settings by dotted key, where each came from, problems and warnings."""

    values: dict[str, Any]
    origins: dict[str, str]  # "default", "file", INVALID or the environment variable
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    lines: Mapping[str, int]  # dotted key -> its line in the file


# --- rules ----------------------------------------------------------------------------------


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a section of settings"
    if isinstance(value, list):
        return "a list"
    if value is True or value is False:
        return str(value).lower()
    return repr(value)


def text(*, required: bool = False, one_line: bool = False, most: int = 10_000) -> Rule:
    """Text (a number is taken as its text; true/false, lists and sections are refused)."""
    def rule(value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise Bad(f"expected text, got {_show(value)}"
                      + (" (put it in quotes)" if isinstance(value, bool) else ""))
        value = str(value)
        if required and not value.strip():
            raise Bad("must not be empty")
        if one_line and any(c in value for c in "\r\n\x00"):
            raise Bad("must be one line (no line breaks)")
        if len(value) > most:
            raise Bad(f"longer than {most} characters")
        return value
    return rule


def whole(low: int = 0, high: int | None = None) -> Rule:
    """A whole number from ``low`` (to ``high``)."""
    def rule(value: Any) -> int:
        limits = f"from {low}" + (f" to {high}" if high is not None else " up")
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (
                high is not None and value > high):
            raise Bad(f"expected a whole number {limits}, got {_show(value)}")
        return value
    return rule


def number(low: float = 0, high: float | None = None, *, above: bool = False) -> Rule:
    """A number from ``low`` (or above it, when ``above``) up to ``high``."""
    def rule(value: Any) -> float:
        limits = (f"above {low:g}" if above else f"of {low:g} or more") + (
            f" and at most {high:g}" if high is not None else "")
        ok = not isinstance(value, bool) and isinstance(value, int | float) and value == value
        if not ok or value < low or (above and value == low) or (
                high is not None and value > high):
            raise Bad(f"expected a number {limits}, got {_show(value)}")
        return float(value)
    return rule


def flag() -> Rule:
    """true or false."""
    def rule(value: Any) -> bool:
        if not isinstance(value, bool):
            raise Bad(f"expected true or false, got {_show(value)}")
        return value
    return rule


def choice(*options: str) -> Rule:
    """One of ``options``."""
    def rule(value: Any) -> str:
        if value not in options:
            raise Bad(f"expected one of {', '.join(options)}, got {_show(value)}"
                      + _did_you_mean(str(value), options))
        return str(value)
    return rule


def texts(*, most: int | None = None, item: Rule | None = None, unique: bool = False) -> Rule:
    """A list of text (each checked by ``item``), at most ``most`` long."""
    check = item or text(required=True, one_line=True)

    def rule(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            hint = f" (write [{value}])" if isinstance(value, str) and value else ""
            raise Bad(f"expected a list, got {_show(value)}{hint}")
        if most is not None and len(value) > most:
            raise Bad(f"at most {most} entries, got {len(value)}")
        out = []
        for n, entry in enumerate(value, start=1):
            try:
                out.append(check(entry))
            except Bad as exc:
                raise Bad(f"entry {n}: {exc}") from None
        if unique and len(set(out)) != len(out):
            raise Bad("entries repeat")
        return tuple(out)
    return rule


def email(*, optional: bool = False) -> Rule:
    """An email address, in its normalised form ("" allowed when ``optional``)."""
    def rule(value: Any) -> str:
        value = text(one_line=True)(value).strip()
        if optional and not value:
            return ""
        try:
            return normalize_address(value)
        except InputError as exc:
            raise Bad(exc.message) from None
    return rule


def url(*, optional: bool = False) -> Rule:
    """An absolute http(s) URL without query or credentials (trailing / dropped)."""
    def rule(value: Any) -> str:
        value = text(one_line=True)(value).strip()
        if optional and not value:
            return ""
        problem = url_problem(value)
        if problem:
            raise Bad(problem)
        return value.rstrip("/")
    return rule


def link(*, optional: bool = False) -> Rule:
    """An absolute http(s) URL that readers follow, kept as written: a query (a coupon, a
    referral code) and a fragment are allowed; credentials are not."""
    def rule(value: Any) -> str:
        value = text(one_line=True)(value).strip()
        if optional and not value:
            return ""
        if any(c.isspace() or not c.isprintable() for c in value):
            raise Bad(f"{value!r} contains spaces or control characters")
        address = re.split(r"[?#]", value, maxsplit=1)[0]  # url_problem refuses the rest
        problem = url_problem(address)
        if problem:
            raise Bad(problem.replace(repr(address), repr(value), 1))
        return value
    return rule


def https_url() -> Rule:
    """Empty, or an absolute https URL (what mail clients fetch images from)."""
    def rule(value: Any) -> str:
        value = link(optional=True)(value)
        if value and not value.startswith("https://"):
            raise Bad(f"{value!r} must use https (mail clients block images over http)")
        return value
    return rule


def accent_colour() -> Rule:
    """A ``#rrggbb`` colour on which white text reads at WCAG AA (4.5:1 or more)."""
    def rule(value: Any) -> str:
        value = text(required=True, one_line=True)(value).strip().lower()
        if not re.fullmatch(r"#[0-9a-f]{6}", value):
            raise Bad(f"{value!r} is not a colour: write it as #rrggbb, e.g. #0f766e")
        ratio = contrast(value, WHITE)
        if ratio < AA:
            raise Bad(f"white text on {value} has a contrast of {ratio:.1f}:1, under the "
                      "4.5:1 readers need (WCAG AA): choose a darker shade")
        return value
    return rule


def language_tag() -> Rule:
    """A BCP 47 language tag such as en, en-GB or pt-BR."""
    def rule(value: Any) -> str:
        value = text(required=True, one_line=True)(value).strip()
        if not re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", value):
            raise Bad(f"{value!r} is not a language tag: use e.g. en, en-GB, de or pt-BR")
        return value
    return rule


def api_host() -> Rule:
    """A provider's API host: https (http only to this machine)."""
    def rule(value: Any) -> str:
        value = text(one_line=True)(value).strip()
        problem = api_host_problem(value)
        if problem:
            raise Bad(problem)
        return value.rstrip("/")
    return rule


def zone() -> Rule:
    """An IANA time zone of a place (not EST or another fixed offset)."""
    def rule(value: Any) -> str:
        value = text(required=True, one_line=True)(value).strip()
        problem = timezone_problem(value)
        if problem:
            raise Bad(problem)
        return value
    return rule


def every() -> Rule:
    """A cadence: ``3d``, ``3`` or ``1w`` -> a positive number of days."""
    def rule(value: Any) -> int:
        return parse_every(text(required=True)(value))
    return rule


def weekday_list(*, allow_all: bool = True) -> Rule:
    """A list of weekday names (mon..sun, or longer names) -> canonical three letters."""
    def rule(value: Any) -> tuple[str, ...]:
        days = parse_weekdays(texts()(value))
        if not allow_all and len(days) == 7:
            raise Bad("lists all seven days: no day would be left to send on")
        return days
    return rule


def clock() -> Rule:
    """A local time of day ``HH:MM``."""
    def rule(value: Any) -> str:
        value = text(required=True)(value).strip()
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise Bad(f"{value!r} is not a time of day: use HH:MM, e.g. 09:00")
        return value
    return rule


def window() -> Rule:
    """A local send window ``08:00-18:00`` (start before end, one day), or empty."""
    def rule(value: Any) -> tuple[time, time] | None:
        return parse_window(text()(value))
    return rule


def database_url() -> Rule:
    """Empty (SQLite in subscribers/) or a sqlite:// or postgresql:// URL."""
    def rule(value: Any) -> str:
        value = text(one_line=True)(value).strip()
        if value and not re.match(r"(sqlite|postgres|postgresql)(\+\w+)?://", value):
            raise Bad(f"{value[:40]!r} is not a database URL: use sqlite:///path/to.db or "
                      "postgresql+psycopg://user@host/db")
        return value
    return rule


def parse_every(raw: str) -> int:
    """``3d``, ``3`` or ``1w`` -> days; :class:`Bad` otherwise."""
    cleaned = str(raw).strip().lower()
    unit = 7 if cleaned.endswith("w") else 1
    digits = cleaned[:-1] if cleaned[-1:] in ("d", "w") else cleaned
    if not digits.isdigit() or not digits.isascii() or int(digits) <= 0 or len(digits) > 4:
        raise Bad(f"{raw!r} is not a cadence: use a positive number of days like 3d or "
                  "weeks like 1w")
    return int(digits) * unit


def parse_weekdays(names: Any) -> tuple[str, ...]:
    """``mon,thu`` or a list -> canonical weekday names in week order; :class:`Bad`."""
    parts = names.split(",") if isinstance(names, str) else list(names or [])
    days = [str(p).strip().lower() for p in parts if str(p).strip()]
    bad = [d for d in days if d[:3] not in WEEKDAYS or not _weekday_prefix(d)]
    if bad:
        raise Bad(f"unknown weekday {bad[0]!r}: use mon, tue, wed, thu, fri, sat, sun")
    return tuple(sorted({d[:3] for d in days}, key=WEEKDAYS.index))


def _weekday_prefix(day: str) -> bool:
    full = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    return any(name.startswith(day) for name in full)


def parse_window(raw: str) -> tuple[time, time] | None:
    """``08:00-18:00`` -> (start, end); empty -> None; :class:`Bad` otherwise."""
    cleaned = str(raw or "").strip()
    if not cleaned:
        return None
    match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", cleaned)
    parts = [int(g) for g in match.groups()] if match else []
    if not parts or parts[0] > 23 or parts[2] > 24 or parts[1] > 59 or parts[3] > 59 or (
            parts[2] == 24 and parts[3]):
        raise Bad(f"{raw!r} is not a send window: use HH:MM-HH:MM, e.g. 08:00-18:00")
    start = time(parts[0], parts[1])
    end = time(23, 59, 59, 999999) if parts[2] == 24 else time(parts[2], parts[3])
    if start >= end:
        raise Bad(f"{raw!r}: the window must start before it ends (same day)")
    return start, end


def inferred(default: Any) -> Rule:
    """The rule a default implies: its type (whole numbers 0 or more, lists of text)."""
    if isinstance(default, bool):
        return flag()
    if isinstance(default, int):
        return whole()
    if isinstance(default, float):
        return number()
    if isinstance(default, list):
        return texts()
    return text()


RULES: dict[str, Rule] = {
    "name": text(required=True, one_line=True, most=200),
    "from.email": email(),
    "from.name": text(one_line=True, most=200),
    "reply_to": email(optional=True),
    "base_url": url(),
    "timezone": zone(),
    "mode": choice("broadcast", "sequence"),
    "quiet_days": weekday_list(allow_all=False),
    "send_window": window(),
    "cadence.every": every(),
    "cadence.weekdays": weekday_list(),
    "cadence.at": clock(),
    "cadence.min_words": whole(1),
    "cadence.max_words": whole(1),
    "snippets.min_words": whole(1),
    "snippets.max_words": whole(1),
    "cta_url": link(optional=True),
    "cta.every": whole(0, 100),
    "cta.button": text(one_line=True, most=40),
    "banks.testimonials_every": whole(0, 100),
    "banks.resources_every": whole(0, 100),
    "brand.name": text(one_line=True, most=200),
    "brand.logo": https_url(),
    "brand.logo_width": whole(16, 600),
    "brand.accent": accent_colour(),
    "greeting.hello": text(required=True, one_line=True, most=40),
    "greeting.fallback": text(one_line=True, most=40),
    "language": language_tag(),
    "utm.source": text(one_line=True, most=200),
    "utm.medium": text(one_line=True, most=200),
    "utm.campaign": text(one_line=True, most=200),
    "utm.term": text(one_line=True, most=200),
    "utm.content": text(one_line=True, most=200),
    "database_url": database_url(),
    "delivery.backend": choice("outbox", "sendgrid"),
    "delivery.batch_size": whole(1, 1000),
    "delivery.concurrency": whole(1, 64),
    "delivery.rate_per_second": number(0),
    "delivery.rate_per_hour": number(0),
    "delivery.lease_minutes": number(0, 24 * 60, above=True),
    "sendgrid.host": api_host(),
    "sendgrid.categories": texts(most=10, item=text(required=True, one_line=True, most=255),
                                 unique=True),
    "sendgrid.timeout": number(0, 600, above=True),
    "outbox.folder": text(required=True, one_line=True),
}

# Environment variables that override a setting (checked by the same rule).
ENV_OVERRIDES: dict[str, str] = {
    "SENDGRID_API_HOST": "sendgrid.host",
    "NEWSLETTER_DATABASE_URL": "database_url",
}
SENDGRID_ATTEMPTS = 6  # the SendGrid backend's first try plus its retries


# --- checks across settings -----------------------------------------------------------------


@dataclass(frozen=True)
class Cross:
    """A check over several settings, run when each of them is valid on its own."""

    keys: tuple[str, ...]
    check: Callable[..., str | None]  # the values, in ``keys`` order -> a problem or None

    def run(self, values: Mapping[str, Any]) -> str | None:
        """The problem, or None (also when one of the keys is missing)."""
        if any(k not in values for k in self.keys):
            return None
        return self.check(*(values[k] for k in self.keys))


def _bounds(low: int, high: int) -> str | None:
    return f"min_words ({low}) is more than max_words ({high})" if low > high else None


def _public_base_url(backend: str, base_url: str) -> str | None:
    if backend != "sendgrid":
        return None
    problem = url_problem(base_url, public_https=True)
    return f"with delivery.backend: sendgrid, {problem}" if problem else None


def _lease(backend: str, lease_minutes: float, timeout: float) -> str | None:
    longest = timeout * SENDGRID_ATTEMPTS
    if backend == "sendgrid" and lease_minutes * 60 <= longest:
        return (f"{lease_minutes:g} minutes is not more than a SendGrid request can take "
                f"(sendgrid.timeout {timeout:g} s x {SENDGRID_ATTEMPTS} attempts): a live "
                "send would be taken for dead")
    return None


CROSS_CHECKS: dict[str, Cross] = {  # reported under the key they are filed by
    "cadence.max_words": Cross(("cadence.min_words", "cadence.max_words"), _bounds),
    "snippets.max_words": Cross(("snippets.min_words", "snippets.max_words"), _bounds),
    "base_url": Cross(("delivery.backend", "base_url"), _public_base_url),
    "delivery.lease_minutes": Cross(("delivery.backend", "delivery.lease_minutes",
                                     "sendgrid.timeout"), _lease),
}


# --- checking a whole file --------------------------------------------------------------------


def check_settings(given: Mapping[Any, Any], defaults: Mapping[str, Any],
                   env: Mapping[str, str], text: str = "") -> Checked:
    """Check ``given`` (newsletter.yaml as parsed from ``text``) against the defaults.

    Every setting gets a value (the default when absent) unless its given value is bad;
    every unknown key, bad value and failed cross-check is a :class:`Problem`, and what
    is allowed but probably unintended (a key given twice, the example sender) a warning.
    """
    lines, twice = key_lines(text)
    walk = _Walk(defaults, lines)
    walk.section(given, defaults, "")
    for name, key in ENV_OVERRIDES.items():
        if env.get(name):
            walk.override(name, key, env[name])
    _sender_name_follows_name(walk)
    for key, cross in CROSS_CHECKS.items():
        problem = cross.run(walk.values)
        if problem:
            walk.cross_problem(key, cross, problem)
    warnings = twice + [Problem(key, message, walk.line(key))
                        for key, message in _warnings(walk.values)]
    problems = sorted(walk.problems, key=lambda p: (not p.in_file, p.line or 0))
    return Checked(walk.values, walk.origins, tuple(problems), tuple(warnings), lines)


def _sender_name_follows_name(walk: _Walk) -> None:
    """An empty or absent ``from.name`` is the newsletter's ``name``, so renaming the
    newsletter renames its sender too."""
    if walk.values.get("from.name") == "" and walk.values.get("name"):
        walk.values["from.name"] = walk.values["name"]
        walk.origins["from.name"] = "empty: the newsletter's name"


def _warnings(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    found = []
    if str(values.get("from.email", "")).endswith(("@example.com", "@example.org")):
        found.append(("from.email", "still an example address: set your own before sending"))
    if not str(values.get("postal_address", "")).strip():
        found.append(("postal_address", "empty: nothing is sent until it is set"))
    return found


class _Walk:
    """One pass over the given settings beside the defaults, collecting values and problems."""

    def __init__(self, defaults: Mapping[str, Any], lines: Mapping[str, int]) -> None:
        self.defaults, self.lines = defaults, lines
        self.values: dict[str, Any] = {}
        self.origins: dict[str, str] = {}
        self.problems: list[Problem] = []
        self.known = sorted(_dotted_keys(defaults))

    def line(self, dotted: str) -> int | None:
        """The line of ``dotted`` (or of its nearest section) in the file."""
        while dotted:
            if dotted in self.lines:
                return self.lines[dotted]
            dotted = dotted.rpartition(".")[0]
        return None

    def section(self, given: Mapping[Any, Any], defaults: Mapping[str, Any], prefix: str
                ) -> None:
        for key in given:
            if str(key) not in defaults:
                self._unknown(f"{prefix}{key}", list(defaults))
        for key, default in defaults.items():
            dotted = f"{prefix}{key}"
            value = given.get(key)
            if isinstance(default, dict) and dotted not in RULES:
                if value is not None and not isinstance(value, dict):
                    self._problem(dotted, f"expected a section of settings "
                                          f"({', '.join(default)}), got {_show(value)}")
                    value = None
                self.section(value or {}, default, f"{dotted}.")
            else:
                self._leaf(dotted, default, value)

    def _leaf(self, dotted: str, default: Any, value: Any) -> None:
        rule = RULES.get(dotted) or inferred(default)
        self.origins[dotted] = "default" if value is None else "file"
        try:
            self.values[dotted] = rule(default if value is None else value)
        except Bad as exc:
            self._problem(dotted, str(exc))
            self.origins[dotted] = INVALID

    def override(self, name: str, dotted: str, raw: str) -> None:
        try:
            self.values[dotted] = RULES[dotted](raw)
            self.origins[dotted] = name
        except Bad as exc:
            self.problems.append(Problem(name, str(exc), in_file=False))
            self.values.pop(dotted, None)
            self.origins[dotted] = f"{name}, see the problems below"

    def cross_problem(self, key: str, cross: Cross, message: str) -> None:
        """A failed cross-check, at the line of the first of its settings in the file."""
        given = [k for k in (key, *cross.keys) if self.origins.get(k) == "file"]
        self.problems.append(Problem(key, message, self.line(given[0]) if given else None))

    def _problem(self, dotted: str, message: str) -> None:
        self.problems.append(Problem(dotted, message, self.line(dotted)))

    def _unknown(self, dotted: str, siblings: list[str]) -> None:
        name = dotted.rpartition(".")[2]
        prefix = dotted[: len(dotted) - len(name)]
        guess = difflib.get_close_matches(name, siblings, n=1, cutoff=0.7)
        found = f"{prefix}{guess[0]}" if guess else _elsewhere(name, self.known)
        hint = f" (did you mean {found}?)" if found else ""
        self._problem(dotted, f"unknown setting{hint}")


def _elsewhere(name: str, known: list[str]) -> str | None:
    """A known dotted key whose last part is ``name`` or close to it (a misplaced key)."""
    leaves = {k.rpartition(".")[2]: k for k in known}
    guess = difflib.get_close_matches(name, list(leaves), n=1, cutoff=0.8)
    if guess:
        return leaves[guess[0]]
    whole_key = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
    return whole_key[0] if whole_key else None


def _did_you_mean(value: str, options: tuple[str, ...]) -> str:
    guess = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    return f" (did you mean {guess[0]}?)" if guess else ""


def _dotted_keys(tree: Mapping[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for key, value in tree.items():
        keys.append(f"{prefix}{key}")
        if isinstance(value, dict):
            keys.extend(_dotted_keys(value, f"{prefix}{key}."))
    return keys


def key_lines(text: str) -> tuple[dict[str, int], list[Problem]]:
    """The line of each dotted key in a YAML text, and a warning per key given twice."""
    lines: dict[str, int] = {}
    twice: list[Problem] = []

    def visit(node: yaml.Node, prefix: str) -> None:
        if not isinstance(node, yaml.MappingNode):
            return
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            dotted, line = f"{prefix}{key_node.value}", key_node.start_mark.line + 1
            if dotted in lines:
                twice.append(Problem(dotted, f"given twice (lines {lines[dotted]} and "
                                             f"{line}): the last one counts", line))
            lines[dotted] = line
            visit(value_node, f"{dotted}.")

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}, []
    if root is not None:
        visit(root, "")
    return lines, twice
