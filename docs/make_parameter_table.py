"""Write the generated tables of ``docs/model.md`` from the code, so the document cannot drift.

Three blocks of ``docs/model.md`` are generated, each between a pair of markers:

* ``<!-- parameter-table:start -->`` … ``<!-- parameter-table:end -->``: one row per entry of
  :func:`sim.params.parameter_table` (every scenario key with its unit, default and source),
  with the plausible range of each assumption from :func:`sim.params.plausible_range` (its ends
  and the reason for them; empty for the other keys);
* ``<!-- default-channels:start -->`` … ``<!-- default-channels:end -->``: the default channels;
* ``<!-- kpi-glossary:start -->`` … ``<!-- kpi-glossary:end -->``: :data:`sim.metrics.KPI_GLOSSARY`.

Usage (from the project root)::

    .venv/bin/python docs/make_parameter_table.py           # rewrite the blocks in docs/model.md
    .venv/bin/python docs/make_parameter_table.py --check   # exit 1 if docs/model.md is stale
    .venv/bin/python docs/make_parameter_table.py --print   # print the parameter table only

``tests/unit/test_docs.py`` runs the same comparison as ``--check``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from sim.metrics import KPI_GLOSSARY  # noqa: E402
from sim.params import parameter_table, plausible_range  # noqa: E402
from sim.params_base import Plausible  # noqa: E402
from sim.params_marketing import Marketing  # noqa: E402

MODEL_MD = ROOT / "docs" / "model.md"


def format_default(value: object) -> str:
    """A default as a scenario file would write it (YAML spelling)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return f"`{value}`" if value else '`""`'
    return str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def format_range(plausible: Plausible | None) -> str:
    """A plausible range as ``low–high: reason``; empty for a key without one."""
    if plausible is None:
        return ""
    return f"{plausible.low:g}–{plausible.high:g}: {plausible.why}"


def parameter_table_markdown() -> str:
    """The parameter table: ``key | unit | default | description / source | plausible range``."""
    lines = ["| key | unit | default | description / source | plausible range |",
             "|---|---|---|---|---|"]
    for key, unit, default, description in parameter_table():
        lines.append(f"| `{key}` | {_cell(unit)} | {_cell(format_default(default))} | "
                     f"{_cell(description)} | {_cell(format_range(plausible_range(key)))} |")
    return "\n".join(lines)


def channel_table_markdown() -> str:
    """The channels a scenario gets when it names none (also written out in the baseline)."""
    lines = [
        "| channel | leads_per_week | cost_per_lead | quality_alpha | quality_beta | mean quality "
        "| deal_size_median | deal_size_sigma | inbound |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, ch in Marketing().channels.items():
        mean_q = ch.quality_alpha / (ch.quality_alpha + ch.quality_beta)
        lines.append(
            f"| `{name}` | {ch.leads_per_week:g} | {ch.cost_per_lead:g} | {ch.quality_alpha:g} | "
            f"{ch.quality_beta:g} | {mean_q:.2f} | {ch.deal_size_median:g} | "
            f"{ch.deal_size_sigma:g} | {format_default(ch.inbound)} |"
        )
    return "\n".join(lines)


def kpi_glossary_markdown() -> str:
    """The KPI glossary: every name in ``sim.metrics.KPI_NAMES`` with its definition."""
    lines = ["| KPI | definition |", "|---|---|"]
    for name, text in KPI_GLOSSARY.items():
        lines.append(f"| `{name}` | {_cell(text)} |")
    return "\n".join(lines)


BLOCKS: dict[str, Callable[[], str]] = {
    "parameter-table": parameter_table_markdown,
    "default-channels": channel_table_markdown,
    "kpi-glossary": kpi_glossary_markdown,
}


def markers(name: str) -> tuple[str, str]:
    """The comments that open and close the generated block ``name`` in docs/model.md."""
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def extract(text: str, name: str) -> str:
    """The text between the markers of block ``name`` (stripped); ValueError if missing."""
    start, end = markers(name)
    i, j = text.find(start), text.find(end)
    if i < 0 or j < 0 or j < i:
        raise ValueError(f"docs/model.md has no '{start}' ... '{end}' block")
    return text[i + len(start):j].strip()


def render(text: str) -> str:
    """``text`` with every generated block replaced by its current content."""
    for name, make in BLOCKS.items():
        start, end = markers(name)
        i, j = text.find(start), text.find(end)
        if i < 0 or j < 0 or j < i:
            raise ValueError(f"docs/model.md has no '{start}' ... '{end}' block")
        text = text[:i + len(start)] + "\n" + make() + "\n" + text[j:]
    return text


def stale_blocks(text: str) -> list[str]:
    """Names of the generated blocks whose content differs from what the code generates."""
    return [name for name, make in BLOCKS.items() if extract(text, name) != make().strip()]


def main(argv: list[str] | None = None) -> int:
    """Rewrite, check or print the generated tables; the exit status says whether they were
    up to date.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="exit 1 if docs/model.md is stale")
    group.add_argument("--print", action="store_true", help="print the parameter table")
    args = parser.parse_args(argv)
    if args.print:
        print(parameter_table_markdown())
        return 0
    text = MODEL_MD.read_text(encoding="utf-8")
    if args.check:
        stale = stale_blocks(text)
        if stale:
            print(f"docs/model.md is out of date ({', '.join(stale)}); run "
                  "docs/make_parameter_table.py", file=sys.stderr)
            return 1
        print("docs/model.md is up to date")
        return 0
    new = render(text)
    if new != text:
        MODEL_MD.write_text(new, encoding="utf-8")
        print("docs/model.md updated")
    else:
        print("docs/model.md already up to date")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. piped into `head`
        sys.exit(0)
