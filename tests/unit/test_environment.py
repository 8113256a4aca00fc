"""environment.yml (conda) and pyproject.toml (pip) must list the same packages."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _name(spec: str) -> str:
    return re.split(r"[<>=!~\[ ;]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pip_packages() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(d) for d in project["dependencies"]}
    for extra in project.get("optional-dependencies", {}).values():
        names |= {_name(d) for d in extra}
    return names


def _conda_packages() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = set()
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            names.add(_name(dep))
    return names - {"python", "pip"}


def test_conda_and_pip_list_the_same_packages():
    pip, conda = _pip_packages(), _conda_packages()
    assert pip - conda == set(), f"in pyproject.toml only: {sorted(pip - conda)}"
    assert conda - pip == set(), f"in environment.yml only: {sorted(conda - pip)}"


def _floors(specs: list[str]) -> dict[str, str]:
    return {_name(spec): spec.replace(" ", "")[len(_name(spec)):] for spec in specs}


def test_both_lists_ask_for_the_same_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        pip_specs += extra
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip, conda = _floors(pip_specs), _floors([d for d in env["dependencies"] if isinstance(d, str)])
    differ = {name: (pip[name], conda[name]) for name in pip.keys() & conda.keys()
              if pip[name] != conda[name]}
    assert differ == {}, f"pyproject.toml and environment.yml ask for other versions: {differ}"


def test_the_sweep_lock_library_is_declared():
    assert "filelock" in _pip_packages() and "filelock" in _conda_packages()


def test_python_versions_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_python = next(d for d in env["dependencies"] if isinstance(d, str) and
                        d.startswith("python"))
    assert project["requires-python"].replace(" ", "") in conda_python.replace(" ", "")


def test_the_project_itself_is_installed_by_conda_too():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
