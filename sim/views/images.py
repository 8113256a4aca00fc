"""A figure as a picture: PNG bytes for a widget, a data URI for a page.

Every screen, page and test that turns a matplotlib figure into an image does it here, the way
a print shop has one press: the figure is drawn once on an Agg canvas at its own resolution
(``savefig`` would lay it out and draw it twice) and the figure's own canvas is put back, so a
figure shown in a notebook keeps updating in place afterwards.
"""

from __future__ import annotations

import base64
import io

import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def figure_png(fig: Figure, dpi: float | None = None) -> bytes:
    """The figure as PNG bytes, at ``dpi`` dots per inch (the figure's own when not given).

    The bytes depend only on the figure: no date or software name is written into them, so a
    seeded chart gives the same file every time.
    """
    old_canvas, old_dpi = fig.canvas, fig.dpi
    agg = FigureCanvasAgg(fig)
    try:
        if dpi is not None:
            fig.dpi = dpi
        agg.draw()
        width, height = agg.get_width_height(physical=True)
        image = PIL.Image.frombuffer("RGBA", (width, height), agg.buffer_rgba(), "raw", "RGBA",
                                     0, 1)
        buf = io.BytesIO()
        image.save(buf, format="PNG", compress_level=1)
    finally:
        fig.dpi = old_dpi
        fig.set_canvas(old_canvas)
    return buf.getvalue()


def figure_data_uri(fig: Figure, dpi: float | None = None) -> str:
    """The figure as a ``data:image/png;base64,...`` URI, to embed in a self-contained page."""
    return "data:image/png;base64," + base64.b64encode(figure_png(fig, dpi)).decode("ascii")


__all__ = ["figure_data_uri", "figure_png"]
