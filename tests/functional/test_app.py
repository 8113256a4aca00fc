"""The scenario lab as a Voilà app (``make app``), and its notebooks run with injected parameters.

Voilà is started as a subprocess on a free local port, the page is requested until it answers,
and the page must show the lab without any of the notebook's code. Papermill runs the notebooks
with the small horizon and replication count a test can afford, through their ``parameters``
cells.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.servers import (
    NOTEBOOKS,
    ServerError,
    http_get,
    notebook_code_lines,
    skip_or_fail,
    start_voila,
)

LAB = NOTEBOOKS / "06_scenario_lab.ipynb"
START = NOTEBOOKS / "00_start_here.ipynb"


def test_scenario_lab_app_hides_the_code(tmp_path):
    try:
        app = start_voila(LAB, tmp_path / "voila")
    except FileNotFoundError:
        skip_or_fail("voila is not installed in this environment (pip install voila)")
    except ServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        status, page = http_get(app.url("/"), time.monotonic() + 120)
    finally:
        app.stop()
    assert status == 200, app.describe()
    assert "Scenario lab" in page
    assert "application/vnd.jupyter.widget-view+json" in page  # the lab's widget is on the page
    assert "Traceback" not in page
    for line in notebook_code_lines(LAB):
        assert line not in page, f"code shown in the app: {line!r}"


@pytest.mark.parametrize("notebook, parameters", [
    (LAB, {"weeks": 4, "seed": 7, "reps": 2}),
    (START, {"weeks": 4, "seed": 7}),
])
def test_notebooks_take_injected_parameters(notebook, parameters, tmp_path):
    papermill = pytest.importorskip("papermill")
    out = tmp_path / notebook.name
    papermill.execute_notebook(str(notebook), str(out), parameters=parameters,
                               cwd=str(NOTEBOOKS), kernel_name="python3", progress_bar=False)
    nb = json.loads(out.read_text(encoding="utf-8"))
    injected = [c for c in nb["cells"]
                if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    assert injected and "weeks = 4" in "".join(injected[0]["source"])
    errors = [o for c in nb["cells"] if c["cell_type"] == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    if notebook == LAB:
        table = next(o for c in nb["cells"] if c["cell_type"] == "code"
                     for o in c.get("outputs", []) if "95 % interval" in
                     "".join(o.get("data", {}).get("text/plain", "")))
        shown = "".join(table["data"]["text/plain"])
        assert "Revenue" in shown and "€" in shown  # labels and money as people read them
