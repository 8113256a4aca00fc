"""Small companies written into a test's folder, shared by the unit and functional tests.

``lever_company`` is a three-week base with one changed lever (six reps) whose header makes two
claims: more opportunities, and fewer busy hours. It is small enough for a robustness screening
of a few points to finish in seconds.
"""

from __future__ import annotations

from pathlib import Path


def lever_company(folder: Path, busy_hours_set: str | None = None) -> Path:
    """Write ``base.yaml`` and ``lever.yaml`` into ``folder`` and return the lever's path.

    ``busy_hours_set`` (``"trust.initial=0.8"``, say) is the setting the second claim is checked
    under, so a test can see a claim's own ``set:`` carried through.
    """
    (folder / "base.yaml").write_text("weeks: 3\nwarmup_weeks: 0\n", encoding="utf-8")
    busy = "- {says: fewer busy hours, kpi: rep_utilization, change: down, against: base"
    busy += f",\n   set: [{busy_hours_set}]}}\n" if busy_hours_set else "}\n"
    path = folder / "lever.yaml"
    path.write_text(
        "# More reps: more opportunities, fewer busy hours.\nextends: base.yaml\n"
        "sales:\n  reps: 6\nclaims:\n"
        "- {says: more opportunities, kpi: opportunities, change: up, against: base}\n" + busy,
        encoding="utf-8")
    return path
