"""The workshop notebooks keep their teaching conventions, are stored clean and run headless.

Every notebook in ``notebooks/`` is checked, whoever wrote it:

* it opens with the lesson header (teaching and exercise minutes, what you will do, what you will
  learn, what you need) and ends with the key points;
* its code only calls ``sim``: no ``def``, ``class`` or ``lambda`` in a code cell;
* it has exactly one cell tagged ``parameters`` (for papermill), and no execution timestamps,
  widget state or other stray metadata;
* every ``%load`` path it names exists, every exercise of notebooks 00-05 has a solution file, and
  every solution file runs;
* it runs top to bottom under papermill with small injected parameters (``slow``).

The stored outputs themselves are checked by nbval (``pytest notebooks``).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = REPO / "notebooks"
SOLUTIONS_DIR = REPO / "docs" / "facilitator" / "solutions"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
SOLUTIONS = sorted(SOLUTIONS_DIR.glob("*.py"))
SMALL_PARAMETERS = {"weeks": 8, "reps": 2, "seed": 3}
LOAD = re.compile(r"%load\s+([^\s`'\"]+)")
FORBIDDEN = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _python(source: str) -> str:
    """Cell source without IPython magics and shell escapes (lines starting with % or !)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def _forbidden(tree: ast.AST) -> list[str]:
    return [f"line {node.lineno}: {type(node).__name__}" for node in ast.walk(tree)
            if isinstance(node, FORBIDDEN)]


def _imports_sim(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sim":
            return True
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "sim" for a in node.names):
            return True
    return False


def _exercise_count(nb: nbformat.NotebookNode) -> int:
    """Numbered items in the notebook's "Exercises" section."""
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    match = re.search(r"^#+\s*Exercises\s*$(.*?)(?=^#+\s|\Z)", text, re.M | re.S)
    if not match:
        return 0
    return len(re.findall(r"^\d+\.\s", match.group(1), re.M))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "Agg"
    return env


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_opens_with_the_lesson_header(path):
    first = _read(path).cells[0]
    assert first.cell_type == "markdown"
    text = first.source
    assert re.search(r"^#\s+\S", text, re.M), "the first cell should start with a title"
    assert re.search(r"Teaching:\s*\d+\s*min", text), "teaching minutes missing"
    assert re.search(r"Exercises:\s*\d+\s*min", text), "exercise minutes missing"
    for heading in ("What you will do", "What you will learn", "What you need"):
        assert heading in text, f"header lacks '{heading}'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_ends_with_key_points(path):
    last = _read(path).cells[-1]
    assert last.cell_type == "markdown"
    headings = re.findall(r"^#+\s*(.+?)\s*$", last.source, re.M)
    assert headings and headings[-1] == "Key points", "the last section should be Key points"
    after = last.source.split("Key points", 1)[1]
    assert re.search(r"^\s*[-*]\s+\S", after, re.M), "Key points should list at least one point"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_code_only_calls_sim(path):
    trees = []
    for i, cell in enumerate(_read(path).cells):
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(_python(cell.source))
        except SyntaxError as exc:  # pragma: no cover - reported as a failure
            pytest.fail(f"cell {i} is not valid Python: {exc}")
        found = _forbidden(tree)
        assert not found, f"cell {i} defines logic ({', '.join(found)}); move it into sim/"
        trees.append(tree)
    assert any(_imports_sim(t) for t in trees), "the notebook should import from sim"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_exactly_one_parameters_cell(path):
    tagged = [c for c in _read(path).cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{len(tagged)} cells tagged 'parameters'"
    assert tagged[0].cell_type == "code"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_stored_without_stray_metadata(path):
    nb = _read(path)
    assert "widgets" not in nb.metadata, "stray widget state in the notebook metadata"
    assert set(nb.metadata) <= {"kernelspec", "language_info"}, sorted(nb.metadata)
    for i, cell in enumerate(nb.cells):
        assert set(cell.metadata) <= {"tags"}, f"cell {i} metadata: {sorted(cell.metadata)}"
    raw = path.read_text(encoding="utf-8")
    for marker in ('"execution":', '"ExecuteTime"', '"iopub.execute_input"', '"papermill"'):
        assert marker not in raw, f"stored notebook contains {marker}"
    assert not re.search(r" at 0x[0-9a-f]{6,}", raw), "an output shows a memory address"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_every_load_path_exists(path):
    for cell in _read(path).cells:
        for target in LOAD.findall(cell.source):
            assert (NOTEBOOKS_DIR / target).resolve().is_file(), f"%load {target}: no such file"


TEACHING = [p for p in NOTEBOOKS if re.match(r"0[0-5]_", p.name)]


@pytest.mark.parametrize("path", TEACHING, ids=_ids(TEACHING))
def test_every_exercise_has_a_solution(path):
    count = _exercise_count(_read(path))
    assert count > 0, "no numbered exercises found"
    prefix = path.name[:2]
    for n in range(1, count + 1):
        assert (SOLUTIONS_DIR / f"{prefix}_ex{n}.py").is_file(), f"{prefix}_ex{n}.py missing"


@pytest.mark.parametrize("path", SOLUTIONS, ids=_ids(SOLUTIONS))
def test_solution_only_calls_sim(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not _forbidden(tree)
    assert _imports_sim(tree)


@pytest.mark.parametrize("path", SOLUTIONS, ids=_ids(SOLUTIONS))
def test_solution_runs_from_the_notebooks_folder(path):
    done = subprocess.run([sys.executable, str(path)], cwd=NOTEBOOKS_DIR, env=_env(),
                          capture_output=True, text=True, encoding="utf-8", errors="replace",
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip(), "a solution should print its results"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_runs_under_papermill_with_small_parameters(path, tmp_path):
    papermill = pytest.importorskip("papermill")
    out = tmp_path / path.name
    papermill.execute_notebook(str(path), str(out), parameters=SMALL_PARAMETERS,
                               cwd=str(NOTEBOOKS_DIR), kernel_name="python3",
                               progress_bar=False)
    executed = _read(out)
    injected = [c for c in executed.cells
                if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected, "papermill did not inject the parameters"
    errors = [o for c in executed.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


LESSONS = [p for p in NOTEBOOKS if re.match(r"0[0-68]_", p.name)]  # not the game (07)
RAW_NUMBER = re.compile(r"(?<![\w.])(\d{4,}\.\d+|\d+\.\d{4,})(?![\w.])")
"""A number printed as the computer holds it (``3219597.093``, ``2980.0``, ``0.13912``) rather
than through :mod:`sim.views.labels`."""


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_presets_are_loaded_by_name(path):
    for i, cell in enumerate(_read(path).cells):
        if cell.cell_type == "code":
            assert "../scenarios" not in cell.source, f"cell {i} loads a preset by its path"


def _shown_text(output: nbformat.NotebookNode) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    data = output.get("data", {})
    if "application/vnd.jupyter.widget-view+json" in data or "image/png" in data:
        return ""  # a widget's or a figure's text stand-in is not what the reader sees
    return str(data.get("text/html", "")) + str(data.get("text/plain", ""))


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_stored_outputs_show_no_raw_numbers(path):
    for i, cell in enumerate(_read(path).cells):
        if cell.cell_type != "code":
            continue
        text = "".join(_shown_text(o) for o in cell.get("outputs", []))
        text = re.sub(r"<style.*?</style>", "", text, flags=re.S)  # a Styler's CSS
        raw = RAW_NUMBER.findall(text)
        assert not raw, f"cell {i} shows raw numbers {raw[:3]}; format them with sim.views.labels"
        assert ".round(3)" not in cell.source, f"cell {i} rounds instead of formatting"


@pytest.mark.slow
def test_start_here_runs_from_the_project_folder(tmp_path):
    papermill = pytest.importorskip("papermill")
    start = NOTEBOOKS_DIR / "00_start_here.ipynb"
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(start), str(out), parameters={"weeks": 4, "seed": 3},
                               cwd=str(REPO), kernel_name="python3", progress_bar=False)
    errors = [o for c in _read(out).cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
