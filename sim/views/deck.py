"""Slides to take away: charts as a PowerPoint deck (python-pptx) or as PNG files.

A trainer's debrief and a manager's comparison end the same way: someone wants the charts in
their own slides. This module is the print room. It takes a list of :class:`Slide` (a title, a
matplotlib figure, a one-line takeaway and speaker notes) and writes one 16:9 deck with a title
slide, one slide per chart with its takeaway under the title and the notes in the speaker view,
or the same charts as numbered PNG files in a folder. The files are written whole or not at all
(:func:`sim.files.write_atomic`), and an existing file is replaced only when asked to.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from matplotlib.figure import Figure

from sim.files import check_target, write_atomic
from sim.views.images import figure_png

SLIDE_WIDTH_IN = 13.333
SLIDE_HEIGHT_IN = 7.5
PICTURE_DPI = 200
"""Resolution of a chart on a slide: sharp on a projector, a few hundred kB per chart."""


class Slide(NamedTuple):
    """One chart slide: its title, the figure, a takeaway line and the speaker notes."""

    title: str
    figure: Figure
    takeaway: str = ""
    notes: str = ""


def _text(frame, text: str, size: int, bold: bool = False) -> None:
    from pptx.util import Pt

    frame.word_wrap = True
    paragraph = frame.paragraphs[0]
    paragraph.text = text
    paragraph.font.size = Pt(size)
    paragraph.font.bold = bold


def _title_slide(prs, title: str, subtitle: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.text = title
    slide.placeholders[1].text = subtitle


def _chart_slide(prs, item: Slide) -> None:
    from pptx.util import Inches

    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank: the layout is ours
    margin = Inches(0.5)
    width = prs.slide_width - 2 * margin
    _text(slide.shapes.add_textbox(margin, Inches(0.3), width, Inches(0.8)).text_frame,
          item.title, 30, bold=True)
    top = Inches(1.1)
    if item.takeaway:
        _text(slide.shapes.add_textbox(margin, top, width, Inches(0.6)).text_frame,
              item.takeaway, 18)
        top = Inches(1.7)
    picture = io.BytesIO(figure_png(item.figure, PICTURE_DPI))
    room_w, room_h = width, prs.slide_height - top - Inches(0.3)
    fig_w, fig_h = item.figure.get_size_inches()
    scale = min(room_w / fig_w, room_h / fig_h)  # EMU per inch of figure, to fit the room
    pic_w, pic_h = int(fig_w * scale), int(fig_h * scale)
    slide.shapes.add_picture(picture, int(margin + (room_w - pic_w) / 2), int(top), pic_w, pic_h)
    if item.notes:
        slide.notes_slide.notes_text_frame.text = item.notes


def deck_bytes(slides: Sequence[Slide], title: str, subtitle: str = "") -> bytes:
    """The deck as the bytes of a ``.pptx`` file: a title slide, then one slide per chart."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
    _title_slide(prs, title, subtitle)
    for item in slides:
        _chart_slide(prs, item)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def write_deck(path: str | Path, slides: Sequence[Slide], title: str, subtitle: str = "", *,
               force: bool = False, flag: str = "--out") -> Path:
    """Write the deck to ``path`` (``.pptx``); an existing file only with ``force``."""
    target = check_target(path, flag, force=force, suffixes=(".pptx",))
    return write_atomic(target, deck_bytes(slides, title, subtitle))


def slug(text: str) -> str:
    """A file-name part from a title: lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "chart"


def write_pngs(folder: str | Path, slides: Sequence[Slide], *, force: bool = False,
               flag: str = "--out") -> list[Path]:
    """Write each chart as ``NN-title.png`` in ``folder`` (made if missing); returns the paths.

    Every file is checked before the first is written, so a refusal leaves the folder as it
    was.
    """
    folder = Path(folder)
    targets = [folder / f"{i:02d}-{slug(s.title)}.png" for i, s in enumerate(slides, start=1)]
    for target in targets:
        check_target(target, flag, force=force, suffixes=(".png",), make_folder=True)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_atomic(t, figure_png(s.figure, PICTURE_DPI))
            for t, s in zip(targets, slides, strict=True)]


__all__ = ["Slide", "deck_bytes", "slug", "write_deck", "write_pngs"]
