"""The start-here notebook in a real JupyterLab, run the way a newcomer runs it.

JupyterLab serves a copy of ``notebooks/00_start_here.ipynb``; chromium opens it, runs every
cell from the Run menu, and the page must show no error, the dashboard's figures as images, and,
after its slider is moved with the keyboard, redrawn figures and the key figures the model gives
for the new setting. Screenshots go to ``test-output/browser/<test>/``.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.servers import NOTEBOOKS, REPO, Server

NOTEBOOK = "00_start_here.ipynb"
LEVER = "incentives.shared_kpi_weight"
PRESSES = 5
STEP = 0.01  # the slider's step over the lever's range 0-1
TIMEOUT_MS = 120_000

pytestmark = pytest.mark.browser

# Whether "Run All Cells" has finished: every code cell has its execution count and the
# dashboard's images have loaded; or the first error shown, which stops the run.
RUN_STATE_JS = """
() => {
  const panel = document.querySelector('.jp-NotebookPanel');
  if (!panel) return null;
  for (const out of panel.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')) {
    if (/Traceback|Error/.test(out.textContent)) return {error: out.textContent};
  }
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .map(p => p.textContent.trim());
  if (prompts.some(p => !/^\\[\\d+\\]:$/.test(p))) return null;
  const images = [...panel.querySelectorAll('.jp-OutputArea-output .widget-image')];
  if (images.length < 2 || !images.every(i => i.complete && i.naturalWidth > 0)) return null;
  return {prompts};
}
"""

# The dashboard's image sources, once every image differs from ``before`` and has loaded.
REDRAWN_JS = """
([root, before]) => {
  const images = [...root.querySelectorAll('.widget-image')];
  if (images.length !== before.length) return null;
  if (!images.every((img, i) => img.src !== before[i] && img.complete && img.naturalWidth > 0))
    return null;
  return images.map(img => img.src);
}
"""


def _code_cell_count() -> int:
    nb = json.loads((NOTEBOOKS / NOTEBOOK).read_text(encoding="utf-8"))
    return sum(c["cell_type"] == "code" for c in nb["cells"])


def _expected_revenue(weight: float) -> str:
    """The revenue the dashboard must show for ``weight``, as the dashboard formats it."""
    from sim import load_scenario
    from sim.views.dashboard import Dashboard
    from sim.views.labels import format_value

    baseline = load_scenario(REPO / "scenarios" / "baseline.yaml", {"weeks": 52})
    dash = Dashboard(baseline, levers=[LEVER], seed=1)
    dash.set(LEVER, weight)
    return format_value("revenue", dash.kpis["revenue"])


def _wait_idle(server: Server, timeout: float = 60) -> None:
    """Until every kernel of the server reports idle twice in a row."""
    deadline, calm = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        kernels = server.get_json("/api/kernels")
        calm = calm + 1 if kernels and all(k["execution_state"] == "idle"
                                           for k in kernels) else 0
        if calm >= 2:
            return
        time.sleep(0.25)
    pytest.fail(f"kernel still busy after {timeout:.0f} s: {server.get_json('/api/kernels')}\n"
                f"{server.describe()}", pytrace=False)


def test_start_here_runs_in_jupyterlab_and_its_slider_redraws(page, lab_server, output_dir):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    lab = lab_server([NOTEBOOK])
    page.set_viewport_size({"width": 1280, "height": 1800})  # the whole dashboard in view
    page.goto(lab.url(f"/lab/tree/{NOTEBOOK}"), timeout=TIMEOUT_MS)
    expect(page.locator(".jp-NotebookPanel .jp-Cell").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=TIMEOUT_MS)
    page.screenshot(path=output_dir / "1-opened.png")

    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    try:
        state = page.wait_for_function(RUN_STATE_JS, timeout=TIMEOUT_MS).json_value()
    except PlaywrightTimeout:
        page.screenshot(path=output_dir / "run-all-timeout.png")
        pytest.fail(f"Run All Cells did not finish in {TIMEOUT_MS / 1000:.0f} s; screenshot in "
                    f"{output_dir}\n{lab.describe()}", pytrace=False)
    _wait_idle(lab)
    page.screenshot(path=output_dir / "2-ran-all.png")
    assert "error" not in state, f"a cell failed:\n{state['error']}"
    n = _code_cell_count()
    assert state["prompts"] == [f"[{i}]:" for i in range(1, n + 1)], \
        "cells did not run in order in a fresh kernel"
    panel = page.locator(".jp-NotebookPanel")
    errors = panel.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, f"error output: {errors.all_text_contents()}"
    assert "Error displaying widget" not in panel.text_content()

    dashboard = panel.locator(".jp-CodeCell").last.locator(".jp-OutputArea-output")
    dashboard.evaluate("node => node.scrollIntoView({block: 'start'})")
    images = dashboard.locator("img.widget-image")
    assert images.count() == 2  # the funnel and revenue over time
    sizes = images.evaluate_all("imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight])")
    assert all(w > 100 and h > 100 for w, h in sizes), sizes
    before = images.evaluate_all("imgs => imgs.map(i => i.src)")
    kpis = dashboard.locator("table")
    revenue = kpis.locator("tr", has_text=re.compile(r"^\s*revenue")).locator("td")
    revenue_before = revenue.nth(1).text_content().strip()
    assert revenue.nth(2).text_content().strip() == ""  # no change from the scenario yet
    dashboard.screenshot(path=output_dir / "3-dashboard-before.png")

    handle = dashboard.locator(".noUi-handle")
    handle.focus()
    for _ in range(PRESSES):
        page.keyboard.press("ArrowRight")
    weight = round(PRESSES * STEP, 2)
    expect(dashboard.locator(".widget-readout")).to_have_text(f"{weight:.2f}")
    expected = _expected_revenue(weight)
    try:
        expect(revenue.nth(1)).to_have_text(expected, timeout=TIMEOUT_MS)
        after = page.wait_for_function(REDRAWN_JS, arg=[dashboard.element_handle(), before],
                                       timeout=TIMEOUT_MS).json_value()
    except (AssertionError, PlaywrightTimeout):
        dashboard.screenshot(path=output_dir / "redraw-timeout.png")
        raise
    _wait_idle(lab)
    expect(revenue.nth(1)).to_have_text(expected)  # still the last setting's figure
    dashboard.screenshot(path=output_dir / "4-dashboard-after.png")
    page.screenshot(path=output_dir / "5-page-after.png")

    assert expected != revenue_before, "the lever did not change revenue; pick another step"
    assert revenue.nth(2).text_content().strip() not in ("", "+0"), "no change shown"
    assert after != before
    assert "ready" in dashboard.text_content()

    # the projector view: the revenue chart alone, as wide as a 1280-px projector
    page.set_viewport_size({"width": 1280, "height": 720})
    dashboard.get_by_role("button", name="Projector: revenue").click()
    wide = round(0.96 * 1280)
    page.wait_for_function(
        "([node, wide]) => [...node.querySelectorAll('img.widget-image')]"
        ".some(i => i.naturalWidth === wide && i.offsetParent !== null)",
        arg=[dashboard.element_handle(), wide], timeout=TIMEOUT_MS)
    visible = images.evaluate_all("imgs => imgs.filter(i => i.offsetParent !== null).length")
    assert visible == 1, "the projector view shows one chart"
    dashboard.locator("img.widget-image").nth(1).scroll_into_view_if_needed()
    page.screenshot(path=output_dir / "6-projector-revenue.png")
