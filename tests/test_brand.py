"""Brand, language and greeting settings, and the List-Id every email carries."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from delivery_helpers import JUST_AFTER, make_folder
from lxml import html as lxml_html
from test_render import SETTINGS, example_issue, make_config

from newsletter.errors import ConfigError
from newsletter.models import Recipient
from newsletter.rendering.personalize import first_name, personalize
from newsletter.rendering.render import render

BRANDED = SETTINGS + """\
brand: {name: Back Notes, logo: "https://cdn.backnotes.example.com/logo.png", logo_width: 140,
        accent: "#1d4ed8"}
greeting: {hello: Hello, fallback: friend}
language: en-GB
"""


def test_brand_language_and_greeting_shape_the_email(tmp_path: Path) -> None:
    rendered = render(example_issue(), make_config(tmp_path, BRANDED))
    doc = lxml_html.fromstring(rendered.html)
    assert doc.get("lang") == "en-GB"
    [logo] = doc.find_class("logo")
    assert (logo.get("src"), logo.get("alt"), logo.get("width")) == (
        "https://cdn.backnotes.example.com/logo.png", "Back Notes", "140")
    assert "background-color:#1d4ed8" in doc.find_class("header")[0].get("style").replace(" ", "")
    assert "#1d4ed8" in doc.find_class("button-cell")[0].get("style")
    assert "BACK NOTES · Issue 3" in rendered.text
    html, text = personalize(rendered, Recipient("a@example.com", ""))
    assert "Hello friend," in html and "Hello friend," in text
    html, _ = personalize(rendered, Recipient("a@example.com", "Dr. Ann Lee"))
    assert "Hello Ann," in html


@pytest.mark.parametrize(("name", "given", "greeted"), [
    ("Ann Lee", "", "Ann"), ("Dr. Ann Lee", "", "Ann"), ("Margaret <Maggie>", "", "Margaret"),
    ("Ann Lee", "Annie", "Annie"), ("", "", ""), ("ann@example.com", "", ""),
])
def test_readers_are_greeted_by_their_first_name(name: str, given: str, greeted: str) -> None:
    assert first_name(name, given) == greeted


@pytest.mark.parametrize(("setting", "message"), [
    ('brand: {accent: "#8fd3c8"}', "contrast of 1.7:1, under the 4.5:1"),
    ('brand: {accent: teal}', "is not a colour"),
    ('brand: {logo: "http://cdn.example.com/logo.png"}', "must use https"),
    ("language: english", "is not a language tag"),
    ("cta: {every: -1}", "expected a whole number"),
])
def test_brand_settings_that_would_hurt_readers_are_refused(tmp_path: Path, setting: str,
                                                            message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make_config(tmp_path, SETTINGS + setting + "\n")


def test_a_subscriber_csv_first_name_greets_and_every_email_has_a_list_id(tmp_path: Path
                                                                         ) -> None:
    folder = make_folder(tmp_path)
    (tmp_path / "people.csv").write_text("email,first name,last name\n"
                                         "ann@example.org,Ann,Lee\n", "utf-8")
    assert folder.cli("subscribers", "import", str(tmp_path / "people.csv")).exit_code == 0
    result = folder.cli("send", "--due", "--now", JUST_AFTER, "--json")
    assert result.exit_code == 0, result.output
    [eml] = (folder.root / "outbox").glob("*.eml")
    mail = BytesParser(policy=policy.default).parse(eml.open("rb"))
    assert mail["List-Id"] == '"My Newsletter" <my-newsletter.example.com>'
    assert "Hi Ann," in mail.get_body(("plain",)).get_content()
