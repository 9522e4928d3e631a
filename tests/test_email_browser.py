"""The sample article's issues, opened in a real browser (Debian's Chromium via Playwright):
they fit a 320 and a 375 px screen even with every <style> element removed, stay readable
in dark mode, and every text (the footer's included) keeps WCAG AA contrast; each view is
screenshotted and the screenshot checked for content."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_browser_e2e import ARGS, CHROMIUM, _png_variety, _require_browser
from test_series import make_folder, plan

from newsletter.config import load_config
from newsletter.rendering.preview import preview_of

AA = 4.5
# Every text element's contrast with the background it is drawn on, as the browser paints
# it (the first opaque background colour of the element or its ancestors).
CONTRASTS = """(selector) => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const opaque = c => c.length === 3 || (c.length === 4 && c[3] > 0);
  const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
    .map(v => v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4))
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (opaque(c)) return c;
    }
    return [255, 255, 255];
  };
  const found = [];
  for (const el of document.querySelectorAll(selector)) {
    const own = [...el.childNodes].filter(n => n.nodeType === 3)
      .map(n => n.textContent).join('').trim();
    if (!own || !el.getClientRects().length) continue;  // no text of its own, or hidden
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
    found.push({text: own.slice(0, 40), tag: el.tagName, ratio:
                (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)});
  }
  return found;
}"""
WIDEST = """() => Math.max(document.documentElement.scrollWidth,
  ...[...document.body.querySelectorAll('*')].map(e => e.getBoundingClientRect().right))"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every planned issue of the sample article (with banks), as its reader gets it."""
    from conftest import shared_file

    root = tmp_path_factory.mktemp("emails")
    folder = make_folder(root / "back", shared_file("seeds/ql-dry-needling.txt"))
    config = load_config(folder / "newsletter.yaml", env={})
    written = []
    for issue in plan(folder):
        path = root / f"{issue.number:03d}.html"
        path.write_text(preview_of(issue, config).html, "utf-8")
        written.append(path)
    return written


@pytest.fixture(scope="module")
def browser() -> Any:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _open(browser: Any, path: Path, width: int, scheme: str = "light",
          without_style: bool = False) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 800}, color_scheme=scheme)
    page.goto(path.as_uri())
    if without_style:  # as clients that strip <style> (some Gmail apps) show it
        page.evaluate("document.querySelectorAll('style').forEach(s => s.remove())")
    return page


def _screenshot(page: Any, shots: Path, name: str) -> None:
    path = shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert _png_variety(path.read_bytes()) > 20, f"{name} looks blank"


@pytest.mark.parametrize("width", [320, 375])
def test_no_issue_overflows_a_phone_even_without_style_elements(
        browser: Any, pages: list[Path], width: int, tmp_path: Path) -> None:
    for path in pages:
        page = _open(browser, path, width, without_style=True)
        try:
            assert page.evaluate("document.querySelectorAll('style').length") == 0
            assert page.evaluate(WIDEST) <= width, f"{path.name} overflows {width} px"
            if path == pages[0]:
                _screenshot(page, tmp_path, f"no-style-{width}")
        finally:
            page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_keeps_aa_contrast_in_light_and_dark_mode(
        browser: Any, pages: list[Path], scheme: str, tmp_path: Path) -> None:
    for path in pages[:3]:
        page = _open(browser, path, 600, scheme)
        try:
            texts = page.evaluate(CONTRASTS, "body *")
            assert len(texts) > 30
            poor = [t for t in texts if t["ratio"] < AA]
            assert not poor, f"{path.name} ({scheme}): {poor[:5]}"
            if scheme == "dark":  # the dark rules apply: the card is dark, its text light
                card = page.evaluate("getComputedStyle(document.querySelector('.card'))"
                                     ".backgroundColor")
                assert card == "rgb(28, 31, 35)"
            _screenshot(page, tmp_path, f"{path.stem}-{scheme}")
        finally:
            page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_footer_passes_aa_contrast(browser: Any, pages: list[Path], scheme: str,
                                       tmp_path: Path) -> None:
    page = _open(browser, pages[0], 375, scheme)
    try:
        footer = page.evaluate(CONTRASTS, ".footer, .footer *")
        assert {t["tag"] for t in footer} >= {"P", "A"}
        assert any("Unsubscribe" in t["text"] for t in footer)
        assert min(t["ratio"] for t in footer) >= AA, footer
        page.locator(".footer").screenshot(path=str(tmp_path / "footer.png"))
        assert _png_variety((tmp_path / "footer.png").read_bytes()) > 10
    finally:
        page.close()
