"""The scenario lab as a Voilà app (``make app``), and its notebooks run with injected parameters.

Voilà is started as a subprocess on a free local port, the page is requested until it answers,
and the page must show the lab without any of the notebook's code. Papermill runs the notebooks
with the small horizon and replication count a test can afford, through their ``parameters``
cells.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
LAB = NOTEBOOKS / "06_scenario_lab.ipynb"
START = NOTEBOOKS / "00_start_here.ipynb"
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _code_sources(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def _get(url: str, deadline: float) -> tuple[int, str]:
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = exc
            time.sleep(0.5)
    raise TimeoutError(f"no answer from {url}: {last}")


def test_scenario_lab_app_hides_the_code(tmp_path):
    voila = BIN / "voila"
    if not voila.exists():
        pytest.skip("voila is not installed in this environment (pip install voila)")
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    log = (tmp_path / "voila.log").open("w")
    proc = subprocess.Popen(
        [str(voila), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
         "--strip_sources=True", str(LAB)],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        time.sleep(1.0)
        if proc.poll() is not None:
            log.close()
            pytest.skip(f"voila could not start: {(tmp_path / 'voila.log').read_text()[-500:]}")
        status, page = _get(f"http://127.0.0.1:{port}/", time.monotonic() + 120)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    assert status == 200
    assert "Scenario lab" in page
    assert "application/vnd.jupyter.widget-view+json" in page  # the lab's widget is on the page
    assert "Traceback" not in page
    for source in _code_sources(LAB):
        for line in source.splitlines():
            if len(line.strip()) >= 12 and not line.lstrip().startswith("#"):
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
        assert "revenue" in "".join(table["data"]["text/plain"])
