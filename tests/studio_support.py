"""Helpers for the studio tests: a newsletter folder with a planned queue, an account, and
a signed-in HTTP client over a live server."""

from __future__ import annotations

import http.cookies
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from web_support import Live, Reply

from newsletter.accounts import hash_password
from newsletter.content.contentfile import load_content
from newsletter.planning.plan import plan_into
from newsletter.planning.schedule import Schedule

EMAIL, PASSWORD = "marketer@example.com", "a long studio password"
SOURDOUGH = Path(__file__).parent / "data" / "plan" / "sourdough.yaml"


def plan_sample(live: Live, start: date) -> None:
    """Plan the sourdough content into the live folder's issues/ (small issues: 2+ blocks)."""
    content = load_content(SOURDOUGH)
    live.config.content_dir.mkdir(parents=True, exist_ok=True)
    (live.config.content_dir / SOURDOUGH.name).write_text(SOURDOUGH.read_text("utf-8"), "utf-8")
    plan_into(content, Schedule(every_days=3, start=start, tz="UTC"), live.config.issues_dir,
              now=live.clock(), min_words=60, max_words=150)


def add_account(live: Live, email: str = EMAIL, password: str = PASSWORD) -> None:
    """A studio account."""
    live.store.add_user(email, hash_password(password), now=live.clock())


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


@dataclass
class Client:
    """An HTTP client with a cookie jar over a live server (no redirects followed)."""

    live: Live
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        """One request carrying the jar's cookies; Set-Cookie answers update the jar."""
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        reply = self.live.request(method, path, body, sent)
        if "set-cookie" in reply.headers:
            jar = http.cookies.SimpleCookie(reply.headers["set-cookie"])
            for name, morsel in jar.items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return reply

    def get(self, path: str) -> Reply:
        """GET with the session."""
        return self.request("GET", path)

    def post(self, path: str, fields: dict[str, str] | list[tuple[str, str]]) -> Reply:
        """POST a form with the session."""
        return self.request("POST", path, urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def token(self, path: str = "/studio/sign-in") -> str:
        """The CSRF token of a page's form."""
        return csrf_of(self.get(path).text)

    def sign_in(self, email: str = EMAIL, password: str = PASSWORD) -> Reply:
        """Fill in the sign-in form."""
        return self.post("/studio/sign-in", {"csrf_token": self.token(), "email": email,
                                             "password": password})


def signed_in(live: Live) -> Client:
    """A client with a studio session."""
    client = Client(live)
    assert client.sign_in().status == 303
    return client
