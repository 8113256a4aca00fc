"""The example scripts in ``examples/`` run as a user would run them.

Each script runs in a subprocess with the test interpreter, from a temporary folder (so it must
not depend on the current folder), and must exit 0 and print what its docstring promises.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"

EXPECTED = {
    "first_run.py": ["scenario baseline", "leads", "MQLs", "revenue", "win rate", "never contacted"],
    "compare_incentives.py": ["commission_only", "shared_revenue_kpi", "leakage_rate",
                              "paired differences vs baseline"],
    "speed_to_lead.py": ["within 1 h", "1-24 h", "over 24 h", "never", "qualified within 1 h"],
}


def _run(script: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "Agg"
    return subprocess.run([sys.executable, str(script)], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", errors="replace", timeout=120)


def test_every_example_is_tested():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_has_an_explaining_docstring(name):
    doc = ast.get_docstring(ast.parse((EXAMPLES / name).read_text(encoding="utf-8")))
    assert doc and len(doc.split()) >= 30, f"{name} needs a docstring that explains it"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs(name, tmp_path):
    proc = _run(EXAMPLES / name, tmp_path)
    assert proc.returncode == 0, proc.stderr
    for text in EXPECTED[name]:
        assert text in proc.stdout, f"{name} did not print {text!r}:\n{proc.stdout}"
    assert "Traceback" not in proc.stderr


def test_first_run_funnel_narrows(tmp_path):
    out = _run(EXAMPLES / "first_run.py", tmp_path).stdout
    funnel = next(line for line in out.splitlines() if line.startswith("leads "))
    numbers = [float(tok.replace(",", "")) for tok in funnel.split() if tok[0].isdigit()]
    assert len(numbers) == 4 and numbers == sorted(numbers, reverse=True) and numbers[-1] > 0


def test_speed_to_lead_shows_fast_response_qualifying_more(tmp_path):
    out = _run(EXAMPLES / "speed_to_lead.py", tmp_path).stdout
    ratio = next(line for line in out.splitlines() if line.startswith("qualified within 1 h"))
    assert float(re.search(r"([\d.]+)x as often", ratio).group(1)) > 1.0
