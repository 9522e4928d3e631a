"""Checks of single values shared by the configuration, the CLI and the send path.

Each ``*_problem`` function returns None for a good value, or one short sentence saying
what is wrong and how to fix it (the caller adds the file and the setting's name).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Names that look like zones but are fixed offsets or legacy rules: what to use instead.
ZONE_ADVICE: dict[str, str] = {
    "EST": "America/New_York (Eastern time, with daylight saving) or America/Panama "
           "(no daylight saving)",
    "EDT": "America/New_York", "EST5EDT": "America/New_York",
    "CST": "America/Chicago (or Asia/Shanghai for China Standard Time)",
    "CDT": "America/Chicago", "CST6CDT": "America/Chicago",
    "MST": "America/Denver (Mountain time, with daylight saving) or America/Phoenix "
           "(Arizona, no daylight saving)",
    "MDT": "America/Denver", "MST7MDT": "America/Denver",
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "PST8PDT": "America/Los_Angeles",
    "HST": "Pacific/Honolulu", "AKST": "America/Anchorage",
    "BST": "Europe/London", "IST": "Asia/Kolkata (or Europe/Dublin)",
    "CET": "Europe/Paris, Europe/Berlin or another city in your zone",
    "CEST": "Europe/Paris, Europe/Berlin or another city in your zone",
    "MET": "Europe/Paris, Europe/Berlin or another city in your zone",
    "EET": "Europe/Athens, Europe/Helsinki or another city in your zone",
    "WET": "Europe/Lisbon", "AEST": "Australia/Sydney", "JST": "Asia/Tokyo",
}
# Greenwich time under its other names: a UK reader's "GMT" misses British Summer Time.
_GREENWICH = "Europe/London (UK time, with daylight saving) or UTC (no daylight saving)"
ZONE_ADVICE.update({name: _GREENWICH for name in (
    "GMT", "GMT0", "GMT+0", "GMT-0", "GREENWICH", "ETC/GMT", "ETC/GMT0", "ETC/GMT+0",
    "ETC/GMT-0", "ETC/GREENWICH")})
_ETC_OFFSET = re.compile(r"etc/gmt([+-])(\d{1,2})", re.IGNORECASE)
_NOT_PLACES = ("FACTORY", "LOCALTIME", "POSIXRULES")
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".localdomain",
                   ".invalid", ".test")


def timezone_problem(name: str) -> str | None:
    """None when ``name`` is an IANA zone of a place; otherwise what to write instead."""
    advice = ZONE_ADVICE.get(name.strip().upper()) or _etc_offset_advice(name.strip())
    if advice:
        return (f"{name!r} is an abbreviation or a fixed offset, not a place's time zone "
                f"(it ignores daylight saving changes): use {advice}")
    if name.strip().upper() in _NOT_PLACES:
        return f"{name!r} is not a place's time zone (use an IANA name like America/New_York)"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {name!r} (use an IANA name like America/New_York)"
    return None


def _etc_offset_advice(name: str) -> str | None:
    """What to use instead of a fixed offset such as Etc/GMT+5 (which is UTC-5)."""
    found = _ETC_OFFSET.fullmatch(name)
    if not found or int(found.group(2)) > 14:
        return None
    sign = "-" if found.group(1) == "+" else "+"
    return (f"the Area/City name of a place in your zone, like America/New_York ({name} "
            f"is UTC{sign}{int(found.group(2))}: Etc/GMT names reverse the sign)")


def browser_zone(name: str) -> str | None:
    """The zone a reader's browser reported, or None: a place's zone, or a fixed offset
    such as Etc/GMT+5 (the browser's clock has one: better than the newsletter's zone);
    never an abbreviation, a legacy rule or an unknown name."""
    if not timezone_problem(name):
        return name
    if _etc_offset_advice(name) or name.strip().upper() in ("ETC/GMT", "ETC/UTC"):
        try:
            return ZoneInfo(name).key
        except (ZoneInfoNotFoundError, ValueError):
            return None
    return None


def zone_or_none(name: str) -> ZoneInfo | None:
    """The zone ``name`` names when :func:`timezone_problem` accepts it, else None."""
    return None if timezone_problem(name) else ZoneInfo(name)


def url_problem(url: str, *, public_https: bool = False) -> str | None:
    """None for an absolute http(s) URL with a host, no query, fragment or credentials.

    ``public_https``: also require https and a host the internet can reach (the public
    address in emails that go out through a provider): not localhost, a private or
    loopback IP, or a name under .local, .internal, .test and the like.
    """
    if any(c.isspace() or not c.isprintable() for c in url):
        return f"{url!r} contains spaces or control characters"
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number raises here
    except ValueError as exc:
        return f"{url!r} is not a URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an absolute http(s) URL like https://news.example.com"
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return f"{url!r} has a query or fragment: give the address only"
    if parts.username or parts.password:
        return f"{url!r} holds a user name or password: never put credentials in links"
    if public_https:
        if parts.scheme != "https":
            return f"{url!r} must use https (links in emails sent through SendGrid)"
        if not is_public_host(parts.hostname):
            return (f"{url!r} is not a public address (readers' mail clients could not "
                    "reach it): use the address `newsletter serve` has on the internet")
    return None


def api_host_problem(url: str) -> str | None:
    """None for a provider API host: an https URL (plain http only to this machine)."""
    problem = url_problem(url)
    if problem:
        return problem
    parts = urlsplit(url)
    if parts.path not in ("", "/"):
        return f"{url!r} has a path: give the host only, like https://api.sendgrid.com"
    if parts.scheme != "https" and not is_loopback(parts.hostname or ""):
        return f"{url!r} must use https (plain http only to a test server on this machine)"
    return None


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine (localhost or a loopback IP)."""
    if host.lower() in ("localhost", "localhost.") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_public_host(host: str) -> bool:
    """Whether ``host`` looks reachable from the internet (a dotted name or a public IP)."""
    name = host.lower().rstrip(".")
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return "." in name and name != "localhost" and not name.endswith(_LOCAL_SUFFIXES)
    return ip.is_global


def api_key_problem(key: str) -> str | None:
    """None when every character of ``key`` can go in an HTTP header (printable ASCII, no
    spaces); otherwise where the bad character is (never the key itself)."""
    for position, char in enumerate(key, start=1):
        if not (char.isascii() and char.isprintable()) or char.isspace():
            kind = ("a line break" if char in "\r\n" else "a space" if char.isspace() else
                    "a non-ASCII character" if not char.isascii() else "a control character")
            return (f"the key contains {kind} at character {position} of {len(key)}: copy "
                    "it again without it")
    return None
