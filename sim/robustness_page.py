"""The robustness page as the rest of the kit reads it: each claim's share and label, turned
into the sentences a scenario's header and a notebook's "how far these lessons hold" carry.

``docs/robustness.md`` is written by :func:`sim.robustness.markdown` from a robustness run; the
preset scenarios' headers, the notebooks and the trainer notes quote it, and a test keeps them in
step with it through :func:`read_page`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE = Path(__file__).resolve().parent.parent / "docs" / "robustness.md"
"""The page of the default run, which the presets' headers and the notebooks quote."""


@dataclass(frozen=True)
class PageRow:
    """One claim's line of the robustness page."""

    scenario: str
    says: str
    kpi: str
    share: float
    label: str

    @property
    def robust(self) -> bool:
        """Whether the page labels the claim robust."""
        return self.label == "robust"

    def sentence(self) -> str:
        """How a scenario header teaches a claim that is not robust: as conditional, with how
        much of the plausible space it holds on and what it depends on.
        """
        groups = self.label.removeprefix("depends on ")
        return (f'Depends on the assumptions: "{self.says}" holds in {self.share * 100:.0f} % of their '
                f"plausible space, mostly on {groups} (docs/robustness.md).")


ROBUST_SENTENCE = ("Robust: every claim here holds in at least 90 % of the plausible assumption "
                   "space (docs/robustness.md).")
"""How a scenario header says that all of its claims are robust."""


def read_page(path: str | Path = PAGE) -> list[PageRow]:
    """The claims table of a robustness page written by :func:`markdown`."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) != 6 or not cells[3].endswith("%"):
            continue
        says = re.sub(r" \(with [^()]*\)$", "", cells[1])
        rows.append(PageRow(cells[0], says, cells[2], float(cells[3][:-1]) / 100, cells[4]))
    return rows


def header_sentences(rows: Sequence[PageRow], scenario: str) -> list[str]:
    """The sentences ``scenario``'s header must carry about its claims' robustness."""
    mine = [r for r in rows if r.scenario == scenario]
    if not mine:
        return []
    if all(r.robust for r in mine):
        return [ROBUST_SENTENCE]
    return [r.sentence() for r in mine if not r.robust]


def lesson_lines(rows: Sequence[PageRow], scenarios: Sequence[str]) -> list[str]:
    """One Markdown bullet per preset for a notebook's or the trainer notes' "how far these
    lessons hold": robust, or which of its claims depend on the assumptions and how much.
    """
    lines = []
    for scenario in scenarios:
        mine = [r for r in rows if r.scenario == scenario]
        if not mine:
            continue
        weak = [r for r in mine if not r.robust]
        if not weak:
            lines.append(f"- `{scenario}`: **robust**, every claim holds in at least 90 % of the "
                         "plausible assumption space.")
            continue
        parts = [f'"{r.says}" holds in {r.share * 100:.0f} % and {r.label}' for r in weak]
        rest = len(mine) - len(weak)
        tail = (f"; its other {rest} claim{'s are' if rest != 1 else ' is'} robust" if rest else "")
        lines.append(f"- `{scenario}`: **depends on the assumptions**: {'; '.join(parts)}"
                     f"{tail}. Teach it as \"at the default assumptions\".")
    return lines
