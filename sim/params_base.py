"""What every parameter section shares: a strict base model and the plausible range of an
assumption.

A section of the scenario (``sim/params_marketing.py``, ``sim/params_sales.py``) is one panel of
knobs; :class:`Section` makes each panel refuse a knob it does not have, and
:func:`plausible_extra` labels an assumption knob with the range a robustness study may turn it
through (:class:`Plausible`). The whole panel, :class:`~sim.params.Scenario`, is in
``sim/params.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """Base for all parameter sections: unknown names and wrong types are errors."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


@dataclass(frozen=True)
class Plausible:
    """Plausible range of one assumption parameter: ``low`` to ``high`` (both included).

    ``why`` says why the value is unlikely to lie below ``low`` or above ``high``; ``integer``
    marks a whole-number parameter, whose sampled values must be rounded before use.
    """

    low: float
    high: float
    why: str
    integer: bool = False

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"plausible range needs low < high, got {self.low} to {self.high}")
        if not self.why.strip():
            raise ValueError("plausible range needs a reason for its ends")

    @property
    def bounds(self) -> tuple[float, float]:
        """``(low, high)``, as a SALib problem's ``bounds`` entry wants it."""
        return (self.low, self.high)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int | float) and self.low <= value <= self.high


def plausible_extra(low: float, high: float, why: str) -> dict[str, Any]:
    """``json_schema_extra`` of an assumption parameter: its plausible range and the reason."""
    Plausible(low, high, why)  # refuse a bad range where it is declared
    return {"plausible": {"low": low, "high": high, "why": why}}
