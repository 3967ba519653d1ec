"""Evidence for maintainers without secrets (issue 10 §4): masked screenshots, private files."""

from __future__ import annotations

import base64
import stat
from pathlib import Path
from typing import Any

import pytest
from flask import request

from engine import Engine, SyncOptions
from engine.backends.chromium import LAUNCH_ARGS, find_chromium
from engine.recipe import parse_recipe
from tests.never_wrong.site import LOGIN_FORM, PageSite
from tests.never_wrong.test_runtime import CREDS, RECIPE

pytestmark = pytest.mark.browser

ECHO = """<!doctype html><html><body><h1>Bienvenue {user}</h1>
<form><input name="again" value="{password}" style="font-size:40px;color:#f00"></form>
<p style="color:#ff0000;font-size:90px;font-weight:bold">{password}</p>
<p style="color:#ff0000;font-size:90px;font-weight:bold">{user}</p>
</body></html>"""

RED_PIXELS = """async (src) => {
  const img = new Image(); img.src = src; await img.decode();
  const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i+1] < 60 && d[i+2] < 60) n++;
  return n;
}"""


async def _red_pixels(png: bytes, html: str | None = None) -> int:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        if html is not None:  # the same page, unmasked, as a reference
            await page.set_content(html)
            png = await page.screenshot(full_page=True)
        count: int = await page.evaluate(
            RED_PIXELS, "data:image/png;base64," + base64.b64encode(png).decode())
        await browser.close()
        return count


async def test_evidence_masks_what_the_site_echoes_and_is_private(
        engine: Engine, tmp_path: Path) -> None:
    def login() -> Any:
        if request.method == "GET":
            return LOGIN_FORM.format(action="/login", user_attrs="", extra="")
        return ECHO.format(user=request.form["user"], password=request.form["pass"])

    site = PageSite({"/login": login}).start()
    try:
        result = await engine.sync(parse_recipe(RECIPE.replace("TRANSACTIONS", "")), CREDS,
                                   SyncOptions(base_url=site.url, evidence_dir=tmp_path,
                                               step_timeout=1.5))
    finally:
        site.stop()
    assert result.error is not None and result.error.kind == "recipe_broken"
    html_path, shot_path = Path(result.error.evidence["html"]), Path(
        result.error.evidence["screenshot"])
    for path in (html_path, shot_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(html_path.parent.stat().st_mode) == 0o700
    html = html_path.read_text(encoding="utf-8")
    assert CREDS["password"] not in html and CREDS["username"] not in html
    shown = await _red_pixels(shot_path.read_bytes())
    reference = await _red_pixels(b"", ECHO.format(**{"user": CREDS["username"],
                                                      "password": CREDS["password"]}))
    assert reference > 5000, "the reference page must show the values in red"
    assert shown < reference * 0.25, (shown, reference)
