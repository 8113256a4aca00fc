"""The package's shape: small modules and functions, imports that run one way, a README that
lists the tree.

A newcomer reads the package one module at a time, so none is longer than a sitting's reading
(600 lines) and no function longer than a screen (60 lines). The engine (the modules flat in
``sim/`` and ``sim/policies/``) never imports the presentation (``sim/views/``) or the game
(``sim/game/``); only the command line, which is one of their users, does.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SIM = ROOT / "sim"
MODULES = sorted(SIM.rglob("*.py"))
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60
# Longer on purpose, each with its reason:
LONG_FUNCTIONS = {
    # the rep's event loop runs once per lead contact; its locals are hoisted out of the loop
    # and splitting it into calls costs speed (bench/bench_single_run.py)
    ("sim/agents.py", "work"),
}
# The modules users and the command line may import from the presentation and the game.
CONSUMERS = {"sim/__main__.py"}
# Formatting a number for a message or a file header is shared by everyone.
SHARED_VIEWS = {"sim.views.labels"}


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_modules_are_short(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{_rel(path)} has {lines} lines (at most {MAX_MODULE_LINES})"


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_functions_fit_on_a_screen(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines, line {node.lineno})"
            for node in _functions(tree)
            if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
            and (_rel(path), node.name) not in LONG_FUNCTIONS]
    assert not long, f"{_rel(path)}: over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"


def test_long_function_exemptions_still_exist():
    """An exemption whose function was split or renamed is removed from the list."""
    for rel, name in LONG_FUNCTIONS:
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        assert any(f.name == name for f in _functions(tree)), (rel, name)


ENGINE = [p for p in MODULES if p.parent in (SIM, SIM / "policies") and _rel(p) not in CONSUMERS]


@pytest.mark.parametrize("path", ENGINE, ids=_rel)
def test_the_engine_does_not_import_views_or_the_game(path):
    imported = _imports(ast.parse(path.read_text(encoding="utf-8")))
    upward = sorted(name for name in imported
                    if name.startswith(("sim.views", "sim.game"))
                    and not any(name == v or name.startswith(v + ".") for v in SHARED_VIEWS)
                    and name not in ("sim.views",))
    assert not upward, f"{_rel(path)} imports {upward}"


@pytest.mark.parametrize("path", sorted((SIM / "views").glob("*.py")), ids=_rel)
def test_views_do_not_import_the_game(path):
    imported = _imports(ast.parse(path.read_text(encoding="utf-8")))
    assert not [n for n in imported if n.startswith("sim.game")], _rel(path)


def _readme_layout() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Repository layout", 1)[1].split("\n## ", 1)[0]
    return section


def test_readme_layout_lists_every_module():
    """Every module of the package is named in the README's layout section, under its folder,
    and every module named there exists."""
    section = _readme_layout()
    listed: set[str] = set()
    folder = ""
    for line in section.splitlines():
        m = re.match(r"^(sim/[\w/]*)\s", line)
        if m:
            folder = m.group(1)
            continue
        m = re.match(r"^\s+([\w/]+\.py)\s", line)
        if m and folder:
            listed.add(folder + m.group(1))
    present = {_rel(p) for p in MODULES}
    assert sorted(present - listed) == [], "modules missing from the README's layout"
    assert sorted(listed - present) == [], "the README's layout names modules that do not exist"
