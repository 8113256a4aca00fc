"""Unit tests of sim.kit: the kit's folders are found, packed and copied out whole."""

import tomllib
from pathlib import Path

import pytest

from sim import kit
from sim.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[2]


def test_in_a_checkout_the_parts_are_the_project_folders():
    assert kit.in_checkout()
    for part in kit.PARTS:
        assert kit.part_dir(part) == ROOT / part
    with pytest.raises(KeyError, match="no kit part"):
        kit.part_dir("secrets")


def test_the_wheel_packs_every_package_and_every_part():
    """pyproject.toml lists the packages by hand (the kit's data packages have no folder under
    sim/): every package under sim/ is listed, and each part is mapped to its folder."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "sim").rglob("__init__.py")}
    listed = set(config["packages"])
    assert on_disk <= listed, f"packages missing from pyproject.toml: {sorted(on_disk - listed)}"
    assert listed - on_disk == set(kit.PARTS.values())
    assert config["package-dir"] == {package: part for part, package in kit.PARTS.items()}
    data = config["package-data"]
    for part, package in kit.PARTS.items():
        patterns = data[package]
        for path in (ROOT / part).rglob("*"):
            if not path.is_file() or path.suffix == ".py" or any(
                    n.startswith(".") or n == "__pycache__" for n in path.relative_to(ROOT).parts):
                continue
            rel = path.relative_to(ROOT / part)
            assert any(rel.match(p) for p in patterns), f"{part}/{rel} is not packed"


def test_copy_kit_lays_out_the_project_and_refuses_to_overwrite(tmp_path):
    dest = tmp_path / "workshop"
    written = kit.copy_kit(dest)
    assert (dest / "notebooks" / "00_start_here.ipynb").is_file()
    assert (dest / "docs" / "facilitator" / "run_sheet.md").is_file()
    assert (dest / "scenarios" / "baseline.yaml").is_file()
    assert (dest / "examples" / "crm" / "salesforce_leads.csv").is_file()
    assert all(p.is_file() for p in written)
    assert not [p for p in written if "__pycache__" in p.parts or ".ipynb_checkpoints" in p.parts]
    run_sheet = dest / "docs" / "facilitator" / "run_sheet.md"
    run_sheet.write_text("my notes")
    (dest / "notebooks" / "00_start_here.ipynb").unlink()
    with pytest.raises(ScenarioError, match="already exists"):
        kit.copy_kit(dest)
    assert run_sheet.read_text() == "my notes"
    assert not (dest / "notebooks" / "00_start_here.ipynb").exists()  # nothing half-written
    kit.copy_kit(dest, force=True)
    assert run_sheet.read_text() != "my notes"


def test_copy_kit_into_a_file_is_refused(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(ScenarioError, match="is a file"):
        kit.copy_kit(target)
