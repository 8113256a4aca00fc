"""The kit's own files: preset scenarios, notebooks, examples and the trainer pack.

In a checkout of the project these are the folders beside ``sim/`` (``scenarios/``,
``notebooks/``, ``examples/``, ``docs/``). An installed wheel carries the same folders inside
the package, as data packages of ``sim.kit`` (``pyproject.toml`` maps each folder to one), like
a travel kit that packs the same things the workshop cupboard holds. :func:`part_dir` finds a
folder wherever it is, so presets load by name either way, and :func:`copy_kit` unpacks the
notebooks and the trainer pack into a folder of the user's choice, laid out as in the project,
so the notebooks' links (``../docs/facilitator/…``, ``../examples/…``) keep working there.
"""

from __future__ import annotations

from pathlib import Path

from sim.errors import ScenarioError
from sim.files import check_target, write_atomic

PROJECT_DIR = Path(__file__).resolve().parents[2]
"""The project folder when the package runs from a checkout (``sim/`` is inside it)."""

PARTS: dict[str, str] = {
    "scenarios": "sim.kit.scenarios",
    "notebooks": "sim.kit.notebooks",
    "examples": "sim.kit.examples",
    "docs": "sim.kit.docs",
}
"""Each folder of the kit and the data package that carries it in a wheel."""

COPIED = ("notebooks", "docs", "examples", "scenarios")
"""What :func:`copy_kit` unpacks: the notebooks with everything they link to or read."""

SKIPPED_NAMES = ("__pycache__", ".ipynb_checkpoints", "__init__.py")


def in_checkout() -> bool:
    """Whether the package runs from a checkout of the project (not from an installed wheel)."""
    return (PROJECT_DIR / "pyproject.toml").is_file() and (PROJECT_DIR / "scenarios").is_dir()


def part_dir(part: str) -> Path:
    """The folder of one part of the kit (one of :data:`PARTS`): the checkout's own folder when
    there is one, else the copy inside the installed package.
    """
    if part not in PARTS:
        raise KeyError(f"no kit part {part!r}; one of {', '.join(PARTS)}")
    if in_checkout():
        return PROJECT_DIR / part
    # the wheel puts each part's files in a folder of that name beside this module
    return Path(__file__).resolve().parent / part


def _files(part: str) -> list[tuple[Path, Path]]:
    """``(source, path relative to the kit)`` for every file of a part."""
    root = part_dir(part)
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not any(n in SKIPPED_NAMES or n.startswith(".") for n in rel.parts):
            out.append((path, Path(part) / rel))
    return out


def copy_kit(dest: str | Path, *, force: bool = False, flag: str = "FOLDER") -> list[Path]:
    """Copy the notebooks, the trainer pack (``docs/facilitator/``), the examples and the
    preset scenarios into ``dest``, laid out as in the project; returns the files written.

    Every target is checked before the first file is written, so a refusal (a file that exists
    without ``force``, a folder that cannot be made) leaves ``dest`` as it was.
    """
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise ScenarioError(flag, str(dest), "is a file; give a folder to copy the kit into")
    plan = [(src, dest / rel) for part in COPIED for src, rel in _files(part)]
    for _src, target in plan:
        check_target(target, flag, force=force, make_folder=True)
    written = []
    for src, target in plan:
        target.parent.mkdir(parents=True, exist_ok=True)
        written.append(write_atomic(target, src.read_bytes()))
    return written


__all__ = ["COPIED", "PARTS", "PROJECT_DIR", "copy_kit", "in_checkout", "part_dir"]
