"""The scenario lab as a Voilà app in a real browser, used the way a manager uses it.

Voilà serves ``notebooks/06_scenario_lab.ipynb`` with the code stripped; chromium finds a lever
by name, moves its slider with the keyboard, adds the change, presses Compare and reads the
result table. No code may be visible on the page. Screenshots go to
``test-output/browser/<test>/``.
"""

from __future__ import annotations

import re

import pytest

from sim.views.lab import LAB_KPIS
from sim.views.labels import kpi_label, lever_option
from tests.servers import NOTEBOOKS, notebook_code_lines

LAB = NOTEBOOKS / "06_scenario_lab.ipynb"
LEVER = "incentives.shared_kpi_weight"
TIMEOUT_MS = 120_000


pytestmark = pytest.mark.browser

def test_scenario_lab_compares_a_change_in_voila(page, voila_server, output_dir):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    app = voila_server(LAB)
    page.set_viewport_size({"width": 1280, "height": 2200})  # the whole lab in view
    page.goto(app.url("/"), timeout=TIMEOUT_MS)
    lab = page.locator(".widget-vbox", has=page.locator("h3", has_text="Scenario lab")).last
    search = lab.locator(".widget-text", has_text="find a lever").locator("input")
    expect(search).to_be_visible(timeout=TIMEOUT_MS)
    page.screenshot(path=output_dir / "1-opened.png", full_page=True)

    # no code on the page: no input areas of code cells, no editor, no line of the source
    assert page.locator(".jp-CodeCell .jp-InputArea, .jp-CodeMirrorEditor, .jp-InputArea-editor,"
                        " .cm-editor").count() == 0
    text = page.locator("body").inner_text()
    shown = [line for line in notebook_code_lines(LAB) if line in text]
    assert not shown, f"code shown in the app: {shown}"
    assert "Traceback" not in text
    # no notebook text either: instructions, exercises and code examples are for JupyterLab
    for notebook_text in ("Shift + Enter", "Exercises", "The same from code", "Key points",
                          "Teaching:"):
        assert notebook_text not in text, f"notebook text shown in the app: {notebook_text!r}"
    picker = lab.locator(".widget-select select")
    # the lever list is grouped, labelled for people and opens on a sensible lever
    expect(picker).to_have_value(lever_option(LEVER))
    first = picker.locator("option").first.text_content().replace("\xa0", " ")
    assert first.startswith("Incentives · ") and "_" not in first

    search.fill("shared_kpi")
    expect(picker.locator("option")).to_have_count(1)
    expect(picker).to_have_value(lever_option(LEVER))
    handle = lab.locator(".noUi-handle")
    handle.focus()
    page.keyboard.press("End")  # the top of the range, 1 ...
    for _ in range(5):
        page.keyboard.press("ArrowLeft")  # ... and five steps back: 0.95
    expect(lab.locator(".widget-readout")).to_have_text("0.95")
    lab.get_by_role("button", name="Add change").click()
    expect(lab).to_contain_text("Weight of a shared revenue goal: 0 → 0.95")

    lab.get_by_role("button", name="Compare").click()
    table = lab.locator("table", has_text="95 % interval of the difference")
    try:
        expect(table).to_be_visible(timeout=TIMEOUT_MS)
    except (AssertionError, PlaywrightTimeout):
        page.screenshot(path=output_dir / "compare-timeout.png", full_page=True)
        pytest.fail(f"no result table after Compare\n{app.describe()}", pytrace=False)
    expect(lab).to_contain_text("done in")
    bars = lab.locator("img.widget-image")
    expect(bars).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=bars.element_handle())
    page.screenshot(path=output_dir / "2-compared.png", full_page=True)
    lab.screenshot(path=output_dir / "3-lab.png")

    header = table.locator("tr").first.text_content()
    assert "base: baseline" in header and "difference" in header
    assert "changed: baseline + weight of a shared revenue goal 0.95" in header
    assert "baseline (2)" not in header
    rows = table.locator("tr").all()[1:]
    assert [r.locator("td").first.text_content() for r in rows] == [kpi_label(k) for k in LAB_KPIS]
    intervals = [r.locator("td").nth(4).text_content() for r in rows]
    assert all(re.match(r"^.+ to .+( \*)?$", i) for i in intervals), intervals
    # the chart is not clipped: the whole image fits in the lab
    box, frame = bars.bounding_box(), lab.bounding_box()
    assert box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
    natural = page.evaluate("img => [img.naturalWidth, img.clientWidth]", bars.element_handle())
    assert natural[1] > 0 and natural[1] <= natural[0] * 1.01
    assert any(i.endswith("*") for i in intervals), "no KPI changed beyond luck at weight 0.95"
    assert "Traceback" not in page.locator("body").inner_text()
