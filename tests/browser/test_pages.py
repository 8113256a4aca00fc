"""Every notebook and the report as a reader sees them in chromium, with a screenshot of each.

Each stored notebook is rendered to HTML from its stored outputs (nbconvert, nothing run
again), and the report is written by ``python -m sim report`` into the test's folder; chromium
opens each page 1280 pixels wide, with every request to the network refused (a page must not
need one), and takes a full-page screenshot into ``test-output/browser/<test>/``. Then it reads
the page as a user would and fails on what a user should not meet: a raw KPI or lever key
(``contacted_within_1h``, ``sales.reps``) as a heading or a table header, a Python traceback or
error output, an image that did not load, or anything wider than the page.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sim.metrics import KPI_NAMES
from sim.scenario import valid_keys
from sim.views.labels import KPI_LABELS
from tests.servers import NOTEBOOKS, REPO

PAGES = sorted([*NOTEBOOKS.glob("*.ipynb"), *NOTEBOOKS.glob("game/*.ipynb")])
WIDTH = 1280
CHANNELS = ("webinar", "paid_search", "events", "outbound_list", "inbound", "self_sourced")
RAW_KEYS = frozenset([*KPI_NAMES, *KPI_LABELS, *valid_keys(list(CHANNELS))])
"""What a reader should never meet as a heading or a column or row header: the code names of
KPIs and levers (their labels are in :mod:`sim.views.labels`)."""

pytestmark = pytest.mark.browser

# What the page shows a reader: its headings and table headers, error outputs, images that did
# not load, and elements that stick out to the right of the page (unless a box of theirs
# scrolls or clips them, so that the page itself stays as wide as the window).
READ_PAGE_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const text = el => el.textContent.replace(/\\s+/g, ' ').trim();
  const headers = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6, th, caption')]
    .map(text).filter(t => t);
  const errors = [...document.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], .output_error')]
    .map(text).filter(t => /Traceback|Error\\b/.test(t)).map(t => t.slice(0, 300));
  const images = [...document.images];
  const broken = images.filter(i => !(i.complete && i.naturalWidth > 0))
    .map(i => (i.alt || i.src).slice(0, 80));
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let held = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) {
        held = true;
        break;
      }
    }
    if (!held) wide.push(`${el.tagName.toLowerCase()}.${el.className} ends at ${Math.round(box.right)}`);
  }
  return {width, scrollWidth: document.documentElement.scrollWidth, headers, errors,
          images: images.length, broken, wide: wide.slice(0, 5), body: document.body.innerText};
}
"""


def _raw_keys(text: str) -> list[str]:
    """The code names of KPIs and levers in a heading or header: the whole text, or any word
    with an underscore or a dot in it (``won`` alone is a KPI's name; ``won`` in a sentence is
    a word)."""
    words = re.findall(r"[A-Za-z][\w.]*\w", text)
    found = [w for w in words if w in RAW_KEYS and ("_" in w or "." in w)]
    return found + ([text] if text in RAW_KEYS else [])


def _open(page, path: Path, shot: Path) -> dict:
    """Open ``path`` at :data:`WIDTH` pixels with the network refused, take a full-page
    screenshot to ``shot`` and read what the page shows."""
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.route(re.compile(r"^https?://"), lambda route: route.abort())
    page.goto(path.as_uri(), wait_until="load")
    page.screenshot(path=shot, full_page=True)
    return page.evaluate(READ_PAGE_JS)


def _check_what_a_reader_sees(seen: dict, name: str) -> None:
    raw = {h: keys for h in seen["headers"] if (keys := _raw_keys(h))}
    assert not raw, f"{name}: code names as headings or table headers: {raw}"
    assert not seen["errors"], f"{name}: error output shown: {seen['errors'][:2]}"
    assert "Traceback (most recent call last)" not in seen["body"], f"{name}: a traceback"
    assert not seen["broken"], f"{name}: images that did not load: {seen['broken']}"
    assert seen["scrollWidth"] <= seen["width"], (
        f"{name}: the page is {seen['scrollWidth']} px wide in a {seen['width']} px window")
    assert not seen["wide"], f"{name}: wider than the page: {seen['wide']}"


def _notebook_html(path: Path) -> str:
    """The notebook as nbconvert writes it from its stored outputs (the lab template)."""
    import nbformat
    from nbconvert import HTMLExporter

    body, _resources = HTMLExporter(template_name="lab").from_notebook_node(
        nbformat.read(path, as_version=4))
    return body


@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(NOTEBOOKS)) for p in PAGES])
def test_each_notebook_reads_well_in_a_browser(path, page, output_dir, tmp_path):
    stored = json.loads(path.read_text(encoding="utf-8"))
    errors = [o for c in stored["cells"] for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"{path.name} stores an error output"
    html_file = tmp_path / f"{path.stem}.html"
    html_file.write_text(_notebook_html(path), encoding="utf-8")
    seen = _open(page, html_file, output_dir / f"{path.stem}.png")
    _check_what_a_reader_sees(seen, path.name)
    title = re.search(r"^#\s+(.+)$", "".join(stored["cells"][0]["source"]), re.M).group(1)
    assert seen["headers"][0].rstrip("¶") == title.strip(), "the notebook's title comes first"
    has_figures = any("image/png" in o.get("data", {}) for c in stored["cells"]
                      for o in c.get("outputs", []))
    assert seen["images"] > 0 or not has_figures, "stored figures were not shown"


def test_the_report_reads_well_in_a_browser(page, output_dir, tmp_path):
    out = tmp_path / "report.html"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
        str(REPO), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "sim", "report", "undefined", "integrated",
                           "--reps", "3", "--weeks", "13", "--out", str(out)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    seen = _open(page, out, output_dir / "report.png")
    _check_what_a_reader_sees(seen, "report.html")
    headings = [h for h in seen["headers"] if h in (
        "The answer", "Where the difference comes from", "Figures", "Every KPI")]
    assert headings == ["The answer", "Where the difference comes from", "Figures",
                        "Every KPI"], headings
    assert seen["images"] == 6  # the bridge and five figures, every one loaded
    page.locator("#bridge").screenshot(path=output_dir / "report-bridge.png")
