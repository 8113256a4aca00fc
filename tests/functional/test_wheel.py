"""The built wheel, installed into a fresh virtual environment, outside the project: presets by
name and the kit copied out (issue "Ready for the room", installable outside the repo)."""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv holding only the wheel; its dependencies come from the test environment's
    site-packages as a plain path (so the project's editable install is not seen)."""
    home = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                            "--no-build-isolation", "-q", "-w", str(home / "dist"), str(ROOT)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next((home / "dist").glob("leadflow_lab-*.whl"))
    venv = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q",
                              "--target", str(site), str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    work = home / "elsewhere"
    work.mkdir()
    return python, work


def _run(installed, *args):
    python, work = installed
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(python), *args], cwd=work, capture_output=True, text=True,
                          env=env, timeout=300)


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    done = _run(installed, "-c", "import sim, sim.kit; print(sim.__file__); "
                "print(sim.kit.in_checkout()); print(sim.kit.part_dir('scenarios'))")
    assert done.returncode == 0, done.stderr
    where, checkout, scenarios = done.stdout.split()
    assert not Path(where).is_relative_to(ROOT) and checkout == "False"
    assert (Path(scenarios) / "baseline.yaml").is_file()


def test_presets_load_by_name_outside_the_project(installed):
    done = _run(installed, "-m", "sim", "run", "baseline", "--weeks", "2", "--warmup", "0",
                "--reps", "1")
    assert done.returncode == 0, done.stderr
    assert "revenue" in done.stdout


def test_copy_kit_unpacks_the_notebooks_and_trainer_pack(installed):
    done = _run(installed, "-m", "sim", "copy-kit", "workshop")
    assert done.returncode == 0, done.stderr
    folder = installed[1] / "workshop"
    assert (folder / "notebooks" / "00_start_here.ipynb").is_file()
    assert (folder / "notebooks" / "game" / "facilitator.ipynb").is_file()
    assert (folder / "docs" / "facilitator" / "run_sheet.md").is_file()
    assert (folder / "docs" / "facilitator" / "solutions" / "01_ex1.py").is_file()
    assert (folder / "examples" / "crm" / "salesforce_leads.csv").is_file()
    again = _run(installed, "-m", "sim", "copy-kit", "workshop")
    assert again.returncode == 2 and "--force" in again.stderr
    assert "Traceback" not in again.stderr
