"""The pieces every screen is built from: one lever's control, figure sizes, messages, links.

A screen of the kit (the dashboard, the scenario lab, the game's team page) is assembled like a
kitchen from standard units: a :class:`LeverControl` is the one tap that fits any lever of the
scenario (a slider, a tick box, a choice or a number box, chosen from the parameter's declared
type and bounds), and the small helpers here fit every screen the same way: a figure's size at
the screens' resolution, a coloured one-line message, a download link that carries its file,
and the display protocol that lets a bare name at the end of a notebook cell show the screen::

    from sim.views.controls import LeverControl

    control = LeverControl("sales.reps", 6)
    control.widget          # the ipywidgets control to put on a screen
    control.value           # 6, in the scenario's terms (None for "none")
"""

from __future__ import annotations

import base64
import html
import math
import typing
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w
from matplotlib.figure import Figure
from pydantic.fields import FieldInfo

from sim.errors import ScenarioError
from sim.scenario import did_you_mean, field_at, field_bounds, valid_keys
from sim.views.labels import lever_help, lever_label, lever_unit

DPI = 80
"""Resolution of the figures shown in the widgets (dots per inch)."""

SLIDER_MAX_SPAN = 100
"""Widest declared range drawn as a slider; wider ranges get a number box with the same
bounds (or pass a narrower ``span`` to get a slider)."""

UNSHOWN_UNITS = ("-", "flag", "rule", "choice")
"""Units a control's label leaves out: they say what kind of value it is, not what it counts."""


# --------------------------------------------------------------------------- helpers
def size_figure(fig: Figure, width: float, height: float) -> None:
    """Give a figure its size in inches at the screens' dpi (before ``figure_png``)."""
    fig.set_size_inches(width, height)
    fig.set_dpi(DPI)


def setting_text(value: Any) -> str:
    """A setting's value as a screen shows it (``0.3``, ``empty`` for none)."""
    if isinstance(value, float):
        return f"{value:g}"
    return "empty" if value is None else str(value)


def data_link(data: bytes, filename: str, mime: str, label: str) -> str:
    """A download link that carries the file itself (works where the server's files cannot be
    reached, as in a Voilà app).
    """
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<a download="{html.escape(filename)}" href="data:{mime};base64,{encoded}" '
            f'target="_blank">{html.escape(label)}</a>')


def message_html(text: str, kind: str, extra_html: str = "") -> str:
    """A one-line message in the widget: red for errors, green for success; ``extra_html``
    (a link) is appended as it is.
    """
    if not text:
        return ""
    colour = {"error": "#B00020", "ok": "#006644", "info": "#333333"}[kind]
    extra = f" {extra_html}" if extra_html else ""
    return f'<div style="color:{colour}; margin:2px 0">{html.escape(text)}{extra}</div>'


def lever_field(key: str) -> FieldInfo:
    """The declared field of a dotted key; ScenarioError if the model has no such lever."""
    field = field_at(tuple(key.split(".")))
    if field is None or key == "marketing.channels":
        known = valid_keys(["<name>"])
        raise ScenarioError("lever", key, "unknown key" + did_you_mean(key, known))
    return field


class Shown:
    """A screen that shows itself: a bare name at the end of a notebook cell displays its
    :attr:`widget` (the root of its widgets), in JupyterLab and in Voilà alike.

    Where widgets cannot live (a notebook read as a static page, a terminal), the cell shows
    :attr:`plain` instead of the widget's own ``VBox(children=…)`` description: one sentence
    saying what the screen is and how to use it.
    """

    widget: w.Widget
    plain = "An interactive screen: open the notebook in JupyterLab and run it to use it."

    def _bundle(self) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_() or {})
        bundle["text/plain"] = self.plain
        return bundle

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self._bundle(), raw=True)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self._bundle()


# --------------------------------------------------------------------------- one control
class LeverControl:
    """The control of one lever, built from its declared type and bounds.

    ``Literal`` choices become a Dropdown, flags a Checkbox, bounded numbers a FloatSlider or
    IntSlider over the declared range (a number box with the same bounds when the range is too
    wide for a slider, unless ``span`` gives a narrower slider range), and keys that may be
    empty (``communication.sla_hours``) get an extra "none" tick box. :attr:`value` is the
    value in the scenario's terms (None for "none").
    """

    def __init__(self, key: str, value: Any, span: tuple[float, float] | None = None,
                 label: bool = True):
        self.key = key
        self.field = lever_field(key)
        ann = self.field.annotation
        args = typing.get_args(ann)
        self.optional = type(None) in args
        base = next((a for a in args if a is not type(None)), ann) if self.optional else ann
        self.bounds = field_bounds(self.field)
        self.none_box: w.Checkbox | None = None
        self.input: w.ValueWidget = self._input(base, span, self._common(label))
        self.widget: w.Widget = self._with_none_box() if self.optional else self.input
        self.value = value

    def _common(self, label: bool) -> dict[str, Any]:
        """The label, tooltip and layout every kind of input of this lever shares."""
        unit = lever_unit(self.key)
        shown = lever_label(self.key)
        text = ((f"{shown} [{unit}]" if unit and unit not in UNSHOWN_UNITS else shown)
                if label else "")
        common: dict[str, Any] = dict(description=text, style={"description_width": "initial"},
                                      tooltip=f"{self.key}: {lever_help(self.key)}")
        if label:  # room for a long label and a track wide enough to drag
            common["layout"] = w.Layout(width="560px")
        return common

    def _input(self, base: Any, span: tuple[float, float] | None,
               common: dict[str, Any]) -> w.ValueWidget:
        """The input widget for the lever's declared type; sets :attr:`kind`."""
        if typing.get_origin(base) is typing.Literal:
            self.kind = "choice"
            return w.Dropdown(options=list(typing.get_args(base)), **common)
        if base is bool:
            self.kind = "bool"
            return w.Checkbox(indent=False, **common)
        if base in (int, float):
            self.kind = "int" if base is int else "float"
            return self._number(span, common)
        self.kind = "text"
        return w.Text(continuous_update=False, **common)

    def _with_none_box(self) -> w.Widget:
        """The input beside a "none" tick box, for a lever that may be empty."""
        self.none_box = w.Checkbox(description="none", indent=False,
                                   layout=w.Layout(width="70px"))
        self.none_box.observe(self._toggle_none, "value")
        return w.HBox([self.input, self.none_box])

    def _number(self, span: tuple[float, float] | None, common: dict[str, Any]) -> w.ValueWidget:
        low, low_open, high, high_open = self.bounds
        if span is not None:
            lo, hi = float(span[0]), float(span[1])
            lo = max(lo, low) if low is not None else lo
            hi = min(hi, high) if high is not None else hi
            low, high, low_open, high_open = lo, hi, low_open and lo == low, high_open and hi == high
        finite = low is not None and high is not None
        slider = finite and (span is not None or high - low <= SLIDER_MAX_SPAN)
        if self.kind == "int":
            return self._whole_number(low, low_open, high, high_open, slider, common)
        if slider:
            step = 10.0 ** math.floor(math.log10((high - low) / 100)) if high > low else 0.01
            lo = low + step if low_open else low
            hi = high - step if high_open else high
            digits = max(0, -math.floor(math.log10(step)))
            return w.FloatSlider(min=lo, max=hi, step=step, continuous_update=False,
                                 readout_format=f".{digits}f", **common)
        lo = float(low) if low is not None else -1e300
        hi = float(high) if high is not None else 1e300
        return w.BoundedFloatText(min=lo, max=hi, step=None, continuous_update=False, **common)

    @staticmethod
    def _whole_number(low: float | None, low_open: bool, high: float | None, high_open: bool,
                      slider: bool, common: dict[str, Any]) -> w.ValueWidget:
        lo = int(low) + (1 if low_open else 0) if low is not None else -(2**31)
        hi = int(high) - (1 if high_open else 0) if high is not None else 2**31 - 1
        if slider:
            return w.IntSlider(min=lo, max=hi, step=1, continuous_update=False, **common)
        return w.BoundedIntText(min=lo, max=min(hi, 2**53), continuous_update=False, **common)

    def _toggle_none(self, change: Mapping[str, Any]) -> None:
        self.input.disabled = bool(change["new"])

    @property
    def value(self) -> Any:
        """The lever's value in the scenario's terms (None when "none" is ticked)."""
        if self.none_box is not None and self.none_box.value:
            return None
        v = self.input.value
        if self.kind == "float":
            return float(v)
        return v

    @value.setter
    def value(self, v: Any) -> None:
        if self.none_box is not None:
            self.none_box.value = v is None
            if v is None:
                return
        if self.kind in ("int", "float") and hasattr(self.input, "max"):
            # a valid value outside a narrowed slider range widens the range
            if v > self.input.max:
                self.input.max = v
            if v < self.input.min:
                self.input.min = v
        self.input.value = v

    def observe(self, callback: Callable[[Any], None]) -> None:
        """Call ``callback`` whenever the value changes (the input or the "none" box)."""
        self.input.observe(callback, "value")
        if self.none_box is not None:
            self.none_box.observe(callback, "value")

    def unobserve(self, callback: Callable[[Any], None]) -> None:
        """Stop calling ``callback`` on changes."""
        self.input.unobserve(callback, "value")
        if self.none_box is not None:
            self.none_box.unobserve(callback, "value")

    @property
    def widgets(self) -> list[w.Widget]:
        """Every input widget of this control (the number or choice, and the "none" box)."""
        return [self.input] + ([self.none_box] if self.none_box is not None else [])


__all__ = ["DPI", "SLIDER_MAX_SPAN", "LeverControl", "Shown", "data_link", "lever_field",
           "message_html", "setting_text", "size_figure"]
