"""``copy-kit``: unpack the notebooks, the trainer pack, the examples and the presets.

An installed kit keeps its files inside the package (:mod:`sim.kit`); a trainer or a student
wants them in a folder of their own to open in JupyterLab, edit and take to a workshop.
"""

from __future__ import annotations

import argparse
from typing import Any

from sim.yamlio import shown


def add_copy_kit(sub: Any) -> None:
    """The ``copy-kit`` command's parser."""
    p = sub.add_parser("copy-kit", help="copy the notebooks and trainer pack into a folder",
                       description="Copy the notebooks, the trainer pack (docs/facilitator), the "
                       "example CRM exports and the preset scenarios into FOLDER, laid out as "
                       "in the project. Nothing is replaced without --force.")
    p.add_argument("folder", metavar="FOLDER", help="where to copy the kit (made if missing)")
    p.add_argument("--force", action="store_true", help="replace files that already exist")
    p.set_defaults(func=cmd_copy_kit)


def cmd_copy_kit(args: argparse.Namespace) -> int:
    """``copy-kit``: copy the kit and say where the first notebook is."""
    from sim.kit import copy_kit

    written = copy_kit(args.folder, force=args.force, flag="FOLDER")
    start = f"{args.folder}/notebooks/00_start_here.ipynb"
    print(f"copied {len(written)} files into {shown(args.folder, None)}; open "
          f"{shown(start, None)} in JupyterLab (jupyter lab {shown(start, None)})")
    return 0
