"""The HTML documents in a real browser: headless Chromium at a phone's and a desktop's width.

Pack, plan and progress report (``tests.documents``, every chapter filled) must fit 360 and
1280 CSS px without anything wider than the screen or a table cell cut, show chart labels at
12 CSS px or more, and axe-core (shipped inside selenium-axe-python, nothing downloaded) must
find no violation of impact serious or critical - nor the rules the first phone test failed.
Without Chromium and its driver (Debian: chromium, chromium-driver) these tests are skipped
with that reason; `.ci/run` installs both.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.documents.charts import FONT_PT, WIDTH_IN
from tests.documents import DOCUMENTS, rendered

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
INSTALL = "apt-get install chromium chromium-driver"
WIDTHS = (360, 1280)
# Rules the phone test of issue 14 reported; moderate in axe, but we hold to them.
NAMED_RULES = {"scrollable-region-focusable", "heading-order", "landmark-one-main", "region"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None or DRIVER is None,
        reason=f"no headless Chromium here: {INSTALL} (the browser tests need it)",
    ),
]

# Everything wider than the viewport, and every table cell whose content is wider than the cell
# (cut off, or pushing out of view). Clipped elements (visually-hidden captions) are exempt.
LAYOUT_PROBLEMS = """
const width = document.documentElement.clientWidth;
const name = e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
    + ' "' + (e.textContent || '').trim().slice(0, 40) + '"';
const hidden = e => e.closest('.visually-hidden') !== null;
const wide = [], clipped = [];
for (const e of document.body.querySelectorAll('*')) {
  if (hidden(e)) continue;
  const r = e.getBoundingClientRect();
  if (r.width > 0 && (r.right > width + 1 || r.left < -1)) wide.push(name(e));
}
for (const c of document.querySelectorAll('td, th')) {
  if (hidden(c)) continue;
  if (c.scrollWidth > c.clientWidth + 1) clipped.push(name(c));
}
for (const s of document.querySelectorAll('.scroll')) {
  if (s.scrollWidth > s.clientWidth + 1) clipped.push(name(s) + ' scrolls');
}
return [width, document.documentElement.scrollWidth, wide.slice(0, 10), clipped.slice(0, 10)];
"""

# The smallest chart label in CSS px: the label's share of the drawn width times the shown width.
CHART_LABEL_PX = """
const shown = [...document.querySelectorAll('.figure img')]
    .map(i => i.getBoundingClientRect().width);
return shown.length ? Math.min(...shown) * arguments[0] : null;
"""

# Words of a table cell or timeline name broken between two lines inside the word (a column
# narrower than "Einzelhandel"); breaks at a hyphen, slash or soft hyphen are fine, and so is
# a web address or a word of more than 24 letters, which may break anywhere.
BROKEN_WORDS = r"""
const broken = [];
const top = (node, at) => {
  const r = document.createRange(); r.setStart(node, at); r.setEnd(node, at + 1);
  const rect = [...r.getClientRects()].find(x => x.width > 0);
  return rect ? Math.round(rect.top) : null;
};
for (const cell of document.querySelectorAll('td, th, .g-name')) {
  if (cell.closest('.visually-hidden') || !cell.getClientRects().length) continue;
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.getClientRects().length) continue;
    const re = /[^\s\-\/\u00ad]+/g; let m;
    while ((m = re.exec(node.textContent))) {
      if (m[0].length > 24 || /[:.@]/.test(m[0])) continue;  // an address may break anywhere
      // after a soft hyphen, the hyphen drawn there counts to the line above
      const soft = node.textContent[m.index - 1] === "\u00ad";
      const first = top(node, m.index + (soft ? 1 : 0));
      const last = top(node, m.index + m[0].length - 1);
      if (first !== null && last !== null && first !== last) broken.push(m[0]);
    }
  }
}
return broken;
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium driven by Selenium, its own fresh profile, no network of its own."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    assert CHROMIUM is not None and DRIVER is not None
    options.binary_location = CHROMIUM
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.set_script_timeout(300)  # axe-core takes seconds, longer on a busy machine
    try:
        yield driver
    finally:
        driver.quit()


def _open(driver: Any, path: Path, width: int) -> None:
    """Load the file as a phone (touch, overlay scroll bars) or a desktop of this width."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.get(path.as_uri())


def _axe(driver: Any) -> list[dict[str, Any]]:
    from selenium_axe_python.axe import Axe

    axe = Axe(driver)
    axe.inject()  # type: ignore[no-untyped-call]  # selenium-axe-python leaves inject() unannotated
    return list(axe.run()["violations"])


@pytest.mark.parametrize("name", DOCUMENTS)
def test_each_document_fits_a_phone_and_a_desktop_and_passes_axe(
    browser: Any, name: str, tmp_path: Path
) -> None:
    path = tmp_path / f"{name}.html"
    path.write_text(rendered(name).html, encoding="utf-8")
    for width in WIDTHS:
        _open(browser, path, width)
        viewport, page_width, wide, clipped = browser.execute_script(LAYOUT_PROBLEMS)
        assert viewport <= width  # less a desktop's scroll bar
        assert page_width <= viewport, f"{name} at {width} px is {page_width} px wide: {wide}"
        assert wide == [], f"{name} at {width} px: wider than the screen: {wide}"
        assert clipped == [], f"{name} at {width} px: content cut or scrolling: {clipped}"
        label = browser.execute_script(CHART_LABEL_PX, FONT_PT / (WIDTH_IN * 72))
        assert label is None or label >= 12, f"{name} at {width} px: chart labels {label:.1f} px"
        violations = _axe(browser)
        bad = [
            f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
            for v in violations
            if v["impact"] in ("serious", "critical") or v["id"] in NAMED_RULES
        ]
        assert bad == [], f"{name} at {width} px, axe-core: {bad}"


def test_the_pack_shows_charts_fonts_and_all_from_one_file_in_the_browser(
    browser: Any, tmp_path: Path
) -> None:
    """Sent alone by /digest: no fonts/ folder beside it, still Vera and every chart."""
    path = tmp_path / "alone" / "pack.html"
    path.parent.mkdir()
    path.write_text(rendered("pack").html, encoding="utf-8")
    _open(browser, path, 360)
    fonts = browser.execute_async_script(
        "const done = arguments[0]; document.fonts.ready.then(() => done("
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)));"
    )
    assert any("Vera" in family for family in fonts)
    broken = browser.execute_script(
        "return [...document.images].filter(i => !i.complete || i.naturalWidth === 0).length"
    )
    assert broken == 0
    assert browser.execute_script("return document.querySelectorAll('.figure img').length") > 0


def test_a_late_measure_stands_out_by_more_than_its_word(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "progress.html"
    path.write_text(rendered("progress").html, encoding="utf-8")
    _open(browser, path, 360)
    look = browser.execute_script(
        "const s = c => { const e = document.querySelector(c); const st = getComputedStyle(e);"
        " return [st.backgroundColor, st.color, getComputedStyle(e, '::before').transform]; };"
        "return [s('.status-late'), s('.status-on_time'), s('.status-done'),"
        " document.querySelectorAll('.gantt .g-today').length,"
        " document.querySelectorAll('.gantt li:not(.g-axis)').length];"
    )
    late, on_time, done, today_lines, rows = look
    assert late[0] != on_time[0] and late[0] != done[0]  # its own fill colour
    assert late[2] != on_time[2]  # and its own mark (a diamond, not a ring)
    assert today_lines == rows == 3  # today drawn against every corridor


@pytest.mark.parametrize("name", DOCUMENTS)
def test_on_a_phone_no_word_in_a_table_is_broken_inside(
    browser: Any, name: str, tmp_path: Path
) -> None:
    path = tmp_path / f"{name}.html"
    path.write_text(rendered(name).html, encoding="utf-8")
    _open(browser, path, 360)
    broken = browser.execute_script(BROKEN_WORDS)
    assert broken == [], f"{name} at 360 px breaks inside {broken[:10]}"
