"""The double opt-in confirmation email: rendered from templates, sent through the backend.

Templates ``confirm.html.j2`` and ``confirm.txt.j2`` (the folder's own first, then the
package's) look like the issues and carry the postal address, the confirmation link and
an unsubscribe link (every message we send has one).
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from ..config import Config
from ..errors import ConfigError
from ..models import Message, Outcome, Recipient, RenderedIssue
from ..rendering.links import Links
from ..rendering.render import frame, inline_css, stylesheet, template_environment
from .backends import Backend

HTML_TEMPLATE = "confirm.html.j2"
TEXT_TEMPLATE = "confirm.txt.j2"
DEFAULT_NAME = "there"  # "Hi there," when the sign-up gave no name
ISSUE_KEY = "confirm"  # custom_args "issue" of confirmation emails (kept out of issue stats)


@dataclass(frozen=True)
class Confirmation:
    """Who to ask, and the links to put in front of them."""

    email: str
    name: str
    subscriber_id: int
    confirm_url: str
    unsubscribe_url: str
    valid_days: int = 7  # how long the confirmation link works


def confirmation_for(email: str, name: str, subscriber_id: int, key: str, links: Links,
                     confirm_token: str, valid_days: int = 7) -> Confirmation:
    """The confirmation of one subscriber, with their signed links."""
    return Confirmation(email=email, name=name, subscriber_id=subscriber_id,
                        confirm_url=f"{links.base_url}/confirm/{confirm_token}",
                        unsubscribe_url=links.unsubscribe_url(key), valid_days=valid_days)


def render_confirmation(confirmation: Confirmation, config: Config) -> RenderedIssue:
    """The confirmation email's subject, inlined HTML and text."""
    env = template_environment(config)
    subject = f"Please confirm your subscription to {config.name}"
    context = {
        **frame(config), "name": confirmation.name or DEFAULT_NAME,
        "confirm_url": confirmation.confirm_url,
        "unsubscribe_url": confirmation.unsubscribe_url,
        "valid_days": confirmation.valid_days,
        "issue": {"subject": subject, "preheader": "One click and you are in."},
    }
    try:
        html = env.get_template(HTML_TEMPLATE).render(**context, stylesheet=stylesheet(env, config))
        text = env.get_template(TEXT_TEMPLATE).render(**context)
    except jinja2.TemplateError as exc:
        raise ConfigError(f"confirmation template error: {exc}") from None
    return RenderedIssue(number=0, subject=subject, preheader=context["issue"]["preheader"],
                         html=inline_css(html), text=text)


def send_confirmation(confirmation: Confirmation, config: Config, backend: Backend) -> Outcome:
    """Render and send the confirmation email; the backend's outcome."""
    rendered = render_confirmation(confirmation, config)
    message = Message(rendered=rendered, sender=config.sender, issue_key=ISSUE_KEY)
    recipient = Recipient(email=confirmation.email, name=confirmation.name,
                          fields={"unsubscribe_url": confirmation.unsubscribe_url,
                                  "view_url": ""},
                          subscriber_id=str(confirmation.subscriber_id))
    return backend.send(message, [recipient])[0]
