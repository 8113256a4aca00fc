"""Unit tests of sim.views.deck: the debrief deck and the PNG files."""

import pytest
from matplotlib.figure import Figure
from pptx import Presentation

from sim.errors import ScenarioError
from sim.views.deck import Slide, slug, write_deck, write_pngs


def _figure(size=(8.0, 4.5)):
    fig = Figure(figsize=size, layout="constrained")
    fig.add_subplot().plot([1, 2, 3], [3, 1, 2])
    return fig


@pytest.fixture
def slides():
    return [Slide("Revenue by quarter", _figure(), "Blue grew fastest.", "Ask: why blue?"),
            Slide("Where the difference comes from", _figure((6.0, 6.0)))]


def test_the_deck_has_a_title_slide_and_one_slide_per_chart(tmp_path, slides):
    path = write_deck(tmp_path / "debrief.pptx", slides, "Workshop debrief", "Round 4 of 4")
    prs = Presentation(str(path))
    assert len(prs.slides) == 3
    assert prs.slides[0].shapes.title.text == "Workshop debrief"
    first = prs.slides[1]
    texts = [s.text_frame.text for s in first.shapes if s.has_text_frame]
    assert texts == ["Revenue by quarter", "Blue grew fastest."]
    assert first.notes_slide.notes_text_frame.text == "Ask: why blue?"
    for slide in list(prs.slides)[1:]:
        pictures = [s for s in slide.shapes if s.shape_type == 13]  # PICTURE
        assert len(pictures) == 1
        pic = pictures[0]
        assert 0 <= pic.left and pic.left + pic.width <= prs.slide_width
        assert 0 <= pic.top and pic.top + pic.height <= prs.slide_height


def test_an_existing_deck_is_replaced_only_with_force(tmp_path, slides):
    path = tmp_path / "debrief.pptx"
    path.write_bytes(b"keep me")
    with pytest.raises(ScenarioError, match="already exists"):
        write_deck(path, slides, "Debrief")
    assert path.read_bytes() == b"keep me"
    write_deck(path, slides, "Debrief", force=True)
    assert len(Presentation(str(path)).slides) == 3
    with pytest.raises(ScenarioError, match=r"\.pptx"):
        write_deck(tmp_path / "debrief.ppt", slides, "Debrief")


def test_pngs_are_numbered_and_a_refusal_writes_nothing(tmp_path, slides):
    paths = write_pngs(tmp_path / "charts", slides)
    assert [p.name for p in paths] == ["01-revenue-by-quarter.png",
                                       "02-where-the-difference-comes-from.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths)
    paths[1].unlink()
    with pytest.raises(ScenarioError, match="already exists"):
        write_pngs(tmp_path / "charts", slides)
    assert not paths[1].exists()


def test_slug():
    assert slug("Q1: Revenue (€)!") == "q1-revenue"
    assert slug("***") == "chart"
