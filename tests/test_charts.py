"""Charts: well-formed, accessible, escaped, deterministic fragments that say what they show.

A chart is a frame holding an SVG of graphics and HTML labels placed over it. The helpers
below read each label line back as the SVG text it replaces (anchor, baseline, size), so
the assertions check what they checked when the text was SVG.
"""

from __future__ import annotations

import colorsys
import dataclasses
import io
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyor.reports.charts import (
    ChartError,
    ChartPalette,
    IntervalRow,
    ItemDistribution,
    PicturePoint,
    agree_summary,
    diverging_bars,
    forest_chart,
    heatmap,
    percentages,
    picture_chart,
    profile_chart,
    side_by_side_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
NASTY = "R&D <core> \"quoted\" it's"
OPTIONS = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]
SUBSCALES = ["Political expediency", "Emotional risk of action", "Collusion and avoidance"]
NAN = float("nan")


def profile_rows() -> list[IntervalRow]:
    return [
        IntervalRow("Political expediency", 3.4, 2.8, 4.0,
                    references={"Organisation": 3.1, "Programme": 2.9}),
        IntervalRow("Emotional risk of action", 1.0, NAN, NAN, references={"Organisation": 2.2}),
        IntervalRow("Collusion and avoidance", 5.0, 4.4, 5.6),
        IntervalRow("Learning-in-action", None, note="fewer than 5 responses"),
    ]


def every_chart() -> dict[str, str]:
    groups = [IntervalRow(NASTY, 3.0, 2.5, 3.5, n=6),
              IntervalRow("Bravo", None, n=97, note="fewer than 5 responses")]
    points = [PicturePoint(NASTY, 3.4, 2.6, (2.8, 4.0), (1.9, 3.3)),
              PicturePoint("Organisation", 3.1, 2.8),
              PicturePoint("Hidden set", None, None, note="fewer than 5 responses")]
    items = [ItemDistribution(NASTY, [1, 2, 1, 4, 2]), ItemDistribution("pe4", [0] * 5)]
    return {
        "profile": profile_chart(profile_rows(), 1, 5, (OPTIONS[0], OPTIONS[-1]),
                                 title=NASTY, axis_label="Mean score"),
        "forest": forest_chart(groups, 1, 5, reference=("Organisation", 3.2)),
        "picture": picture_chart(points, "Political expediency", "Emotional risk", 1, 5,
                                 ["a", "b", "c", NASTY]),
        "diverging": diverging_bars(items, OPTIONS, 2),
        "heatmap": heatmap([NASTY, "Bravo"], SUBSCALES, [[3.4, 2.6, 5.0], [None, NAN, None]],
                           1, 5, note="fewer than 5"),
    }


def svg_root(fragment: str) -> ET.Element:
    """The chart's ``<svg>`` element, the frame's only SVG child."""
    (svg,) = ET.fromstring(fragment).findall(f"{SVG}svg")
    return svg


def style_of(element: ET.Element) -> dict[str, str]:
    return dict(part.split(":", 1) for part in element.get("style", "").split(";") if part)


@dataclass(frozen=True)
class Label:
    """One line of chart text, read back as SVG text: anchor ``x``, baseline ``y`` (px)."""

    text: str
    x: float
    y: float
    size: float
    anchor: str
    cls: str
    box_left: float  # the box the line is aligned in, before any rotation
    box_width: float
    rotate: float


def labels(fragment: str) -> list[Label]:
    """Every label line of a chart, from the inline style of its element (the inverse of
    the placement in surveyor/charts/base.py, which the WeasyPrint test checks)."""
    from surveyor.reports.charts.builder import _ASCENT, _FRAME_EM, _LINE_HEIGHT

    svg = svg_root(fragment)
    width, height = float(svg.get("width")[:-2]), float(svg.get("height")[:-2])
    found = []
    for span in ET.fromstring(fragment).findall("span"):
        style = style_of(span)
        size = float(style["font-size"].removesuffix("em")) * _FRAME_EM
        left = float(style["left"].removesuffix("%")) / 100 * width
        top = float(style["top"].removesuffix("%")) / 100 * height
        box_w = float(style["width"].removesuffix("%")) / 100 * width
        anchor = {"center": "middle", "right": "end"}.get(style.get("text-align", ""), "start")
        x = left + {"start": 0.0, "middle": box_w / 2, "end": box_w}[anchor]
        line = float(style.get("line-height", _LINE_HEIGHT)) * size
        first = top + (line - _LINE_HEIGHT * size) / 2 + _ASCENT * size
        rotate = float(style["transform"][len("rotate("):-len("deg)")]) \
            if "transform" in style else 0.0
        for k, text in enumerate((span.text or "").split("\n")):
            found.append(Label(text, x, first + k * line, size, anchor, span.get("class", ""),
                               left, box_w, rotate))
    return found


def texts(fragment: str) -> list[str]:
    return [label.text for label in labels(fragment)]


@pytest.mark.parametrize("name", list(every_chart()))
def test_chart_is_well_formed_accessible_svg(name: str) -> None:
    frame = ET.fromstring(every_chart()[name])
    assert frame.tag == "div" and frame.get("class") == "chart-frame"
    assert frame[0].tag == f"{SVG}svg"
    assert style_of(frame)["font-family"]
    root = svg_root(every_chart()[name])
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert root[0].tag == f"{SVG}title" and root[0].text == root.get("aria-label")
    width, height = root.get("width"), root.get("height")
    assert width.endswith("px") and height.endswith("px")
    assert root.get("viewBox") == f"0 0 {width[:-2]} {height[:-2]}"
    # the frame is exactly the SVG's size (in em of 10 px at scale 1)
    for side, value in (("width", width), ("height", height)):
        assert math.isclose(float(style_of(frame)[side].removesuffix("em")) * 10,
                            float(value[:-2]), abs_tol=0.011)


def line_corners(label: Label) -> list[tuple[float, float]]:
    """Corners of a label line's content area (Lato's ascent to descent), turned about its
    anchor as the chart turns it."""
    from surveyor.reports.charts.builder import _ASCENT, _DESCENT

    top, bottom = label.y - _ASCENT * label.size, label.y + _DESCENT * label.size
    left, right = label.box_left, label.box_left + label.box_width
    turn = math.radians(label.rotate)
    return [(label.x + (x - label.x) * math.cos(turn) - (y - label.y) * math.sin(turn),
             label.y + (x - label.x) * math.sin(turn) + (y - label.y) * math.cos(turn))
            for x in (left, right) for y in (top, bottom)]


@pytest.mark.parametrize("name", list(every_chart()))
def test_chart_text_is_html_in_boxes_that_stay_inside_the_frame(name: str) -> None:
    """No SVG text left (WeasyPrint lays that out letter by letter); every label's box lies
    inside the frame, and its text (by the estimate the layout uses) fits the box."""
    from surveyor.reports.charts.base import _text_width

    chart = every_chart()[name]
    svg = svg_root(chart)
    assert not list(svg.iter(f"{SVG}text"))
    width, height = float(svg.get("width")[:-2]), float(svg.get("height")[:-2])
    found = labels(chart)
    assert len(found) > 10
    for label in found:
        for x, y in line_corners(label):
            assert -0.01 <= x <= width + 0.01 and -0.01 <= y <= height + 0.01, label
        assert _text_width(label.text, label.size) <= label.box_width, label


def test_labels_read_back_as_the_text_they_were_given() -> None:
    """Evenly spaced labels of one style share an element; every label keeps its anchor,
    baseline and style whether it prints alone or as a line of a run."""
    from surveyor.reports.charts.builder import _Svg

    palette = ChartPalette()
    svg = _Svg(palette)
    given_labels = [(40.0, 30.0 + 22 * k, f"Row {k}", 11.0, "start") for k in range(6)]
    given_labels += [(600.0, 30.0 + 22 * k, f"{k}.5", 11.0, "end") for k in (0, 1, 2, 4, 5)]
    given_labels += [(300.0, 200.0, "alone", 9.5, "middle"), (300.0, 17.5, "top", 9.5, "middle")]
    for x, y, text, size, anchor in given_labels:
        svg.text(x, y, text, size=size, anchor=anchor)
    svg.text(12, 150, "turned", size=11, anchor="middle", rotate=-90)
    chart = svg.render(640, 240, "runs", "test")
    found = {label.text: label for label in labels(chart)}
    for x, y, text, size, anchor in [*given_labels, (12, 150, "turned", 11.0, "middle")]:
        label = found[text]
        assert (label.anchor, label.size) == (anchor, size)
        assert math.isclose(label.x, x, abs_tol=0.01) and math.isclose(label.y, y, abs_tol=0.01)
    assert found["turned"].rotate == -90
    # six rows in one element; the missing fourth value splits its column in two; labels
    # far apart stay apart
    assert len(ET.fromstring(chart).findall("span")) == 1 + 2 + 1 + 1 + 1


def test_weasyprint_puts_labels_where_the_svg_drew_them() -> None:
    """Rendered, each label starts (start anchor) or turns about (rotated) its anchor and
    sits on its baseline, so the HTML text lands where the SVG text did; and one number,
    ``--chart-scale``, scales a chart with its text."""
    import weasyprint
    from pypdf import PdfReader

    from surveyor.typeset.environment import make_environment

    faces = make_environment().globals["font_faces"]()
    for name in ("profile", "picture"):
        chart = every_chart()[name]
        for scale in (1.0, 0.5):
            html = (f"<html><head><style>{faces} @page {{ size: 700px 600px; margin: 0 }} "
                    f"body {{ margin: 0; --chart-scale: {scale} }}</style></head>"
                    f"<body>{chart}</body></html>")
            page = PdfReader(io.BytesIO(weasyprint.HTML(string=html).write_pdf())).pages[0]
            drawn: list[tuple[str, float, float]] = []

            def visit(text, cm, tm, font, size, drawn=drawn, page=page):
                if text.strip():
                    x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                    y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                    # PDF points from the bottom edge to CSS px from the top
                    drawn.append((text.strip(), x / 0.75, (float(page.mediabox.height) - y) / 0.75))

            page.extract_text(visitor_text=visit)
            for label in labels(chart):
                if not label.text:
                    continue
                spots = [(x, y) for text, x, y in drawn if text.startswith(label.text)]
                if label.rotate:  # turned a quarter: the baseline is the vertical at x
                    assert any(math.isclose(x, label.x * scale, abs_tol=0.1)
                               for x, _ in spots), (name, scale, label, spots)
                    continue
                assert any(math.isclose(y, label.y * scale, abs_tol=0.1)
                           and (label.anchor != "start"
                                or math.isclose(x, label.x * scale, abs_tol=0.1))
                           for x, y in spots), (name, scale, label, spots)


@pytest.mark.parametrize("name", list(every_chart()))
def test_chart_has_no_ids_to_collide_when_inlined_together(name: str) -> None:
    root = ET.fromstring(every_chart()[name])
    assert all("id" not in element.attrib for element in root.iter())


def test_user_text_is_escaped_and_survives_the_round_trip() -> None:
    charts = every_chart()
    for name in ("forest", "picture", "diverging", "heatmap"):
        assert NASTY in texts(charts[name]), name
    root = svg_root(charts["profile"])
    assert root.get("aria-label") == NASTY
    assert "<core>" not in charts["profile"]


def test_same_input_gives_byte_identical_output() -> None:
    first = every_chart()
    profile_chart([IntervalRow("Other", 2.0)], 1, 5)  # no hidden counters between calls
    assert every_chart() == first


def test_nan_interval_draws_the_dot_alone() -> None:
    root = ET.fromstring(profile_chart([IntervalRow("Only", 3.0, NAN, NAN)], 1, 5))
    assert len(root.findall(f".//{SVG}circle")) == 2  # the dot and its legend key
    whiskers = [e for e in root.iter(f"{SVG}line") if e.get("stroke") == ChartPalette().point]
    assert len(whiskers) == 1  # the legend key only


def test_nan_mean_shows_the_note() -> None:
    svg = profile_chart([IntervalRow("Only", NAN, note="no scores here")], 1, 5)
    assert "no scores here" in texts(svg)
    assert profile_chart([IntervalRow("Only", None)], 1, 5, note="fallback").count("fallback")


def test_suppressed_rows_show_their_note_and_never_their_n() -> None:
    charts = every_chart()
    assert "fewer than 5 responses" in texts(charts["forest"])
    assert "97" not in texts(charts["forest"])  # Bravo's n stays hidden
    assert texts(charts["heatmap"]).count("fewer than 5") == 3 + 1  # cells + legend
    assert "fewer than 5 responses" in texts(charts["picture"])
    assert "fewer than 5 responses" in texts(charts["profile"])


def test_a_hidden_groups_name_is_followed_by_its_note_alone() -> None:
    """Labels of one column share an element, except a group that is not shown: its name
    and its note stay elements of their own, next to each other, as the report's
    anonymity checks read them."""
    groups = [IntervalRow(name, None if name.startswith("Hidden") else 3.0, n=6,
                          note="fewer than 5 responses")
              for name in ("Alpha", "Bravo", "Hidden one", "Charlie", "Hidden two", "Delta")]
    cells = [[None, None] if name.startswith("Hidden") else [3.0, 4.0]
             for name in ("Alpha", "Bravo", "Hidden one", "Charlie", "Hidden two", "Delta")]
    charts = [forest_chart(groups, 1, 5),
              heatmap([g.label for g in groups], ["x", "y"], cells, 1, 5, note="not shown"),
              picture_chart([PicturePoint(g.label, g.mean, g.mean, note=g.note)
                             for g in groups], "x", "y", 1, 5)]
    for chart in charts:
        nodes = [span.text for span in ET.fromstring(chart).findall("span")]
        for name in ("Hidden one", "Hidden two"):
            places = [k for k, node in enumerate(nodes) if name in node]
            assert places and all(nodes[k] == name for k in places), nodes
            assert all(nodes[k + 1] in ("fewer than 5 responses", "not shown")
                       for k in places), nodes
    assert "Alpha\nBravo" in charts[0]  # the shown groups' names still share an element


def test_means_at_the_scale_ends_stay_inside_the_chart() -> None:
    root = ET.fromstring(profile_chart(profile_rows(), 1, 5))
    width = float(svg_root(profile_chart(profile_rows(), 1, 5)).get("width")[:-2])
    for circle in root.iter(f"{SVG}circle"):
        assert 4 <= float(circle.get("cx")) <= width - 4


def test_forest_height_grows_with_groups_and_keeps_their_order() -> None:
    def height(svg: str) -> float:
        return float(svg_root(svg).get("height")[:-2])

    names = [f"Set {k:02d}" for k in range(40)]
    many = forest_chart([IntervalRow(n, 1 + k / 10, n=5) for k, n in enumerate(names)], 1, 5)
    few = forest_chart([IntervalRow(n, 3.0, n=5) for n in names[:5]], 1, 5)
    one = forest_chart([IntervalRow("Only", 3.0, 2.0, 4.0, n=5)], 1, 5)
    assert height(one) < height(few) < height(many)
    shown = [t for t in texts(many) if t.startswith("Set ")]
    assert shown == names


def test_long_labels_are_cut_with_an_ellipsis() -> None:
    label = "A set with a name so long that it could never fit in the label column " * 3
    svg = forest_chart([IntervalRow(label, 3.0, n=5)], 1, 5)
    cut = [t for t in texts(svg) if t.startswith("A set")]
    assert len(cut) == 1 and cut[0].endswith("…") and len(cut[0]) < len(label)


def test_item_text_wraps_to_at_most_three_lines() -> None:
    item = ItemDistribution("word " * 80, [1, 1, 1, 1, 1])
    lines = [t for t in texts(diverging_bars([item], OPTIONS, 2)) if t.startswith("word")]
    assert 2 <= len(lines) <= 3 and lines[-1].endswith("…")


def test_nobody_answered_shows_no_answers() -> None:
    svg = diverging_bars([ItemDistribution("pe1", [0, 0, 0, 0, 0])], OPTIONS, 2)
    assert "no answers" in texts(svg)
    assert not ET.fromstring(svg).findall(f".//{SVG}g[@class='bar']")


def test_every_option_is_in_the_legend() -> None:
    svg = diverging_bars([ItemDistribution("pe1", [1, 2, 3, 4, 5])], OPTIONS, 2)
    assert all(option in texts(svg) for option in OPTIONS)


@given(st.lists(st.integers(min_value=0, max_value=500), min_size=2, max_size=11))
def test_percentages_of_answered_sum_to_100(counts: list[int]) -> None:
    shares = percentages(counts)
    if sum(counts) == 0:
        assert shares == [0.0] * len(counts)
    else:
        assert math.isclose(sum(shares), 100.0)


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=5, max_size=5)
       .filter(lambda c: sum(c) > 0))
def test_bar_segments_sum_to_100_and_printed_labels_are_whole(counts: list[int]) -> None:
    chart = diverging_bars([ItemDistribution("pe1", counts)], OPTIONS, 2)
    root = ET.fromstring(chart)
    (bar,) = root.findall(f".//{SVG}g[@class='bar']")
    segments = bar.findall(f"{SVG}rect")
    assert math.isclose(sum(float(r.get("data-percent")) for r in segments), 100, abs_tol=1e-2)
    widths = sum(float(r.get("width")) for r in segments)
    full = max(float(r.get("x")) + float(r.get("width")) for r in segments) - min(
        float(r.get("x")) for r in segments)
    assert math.isclose(widths, full, abs_tol=0.1)
    # One figure per row (agree and disagree), each share rounded on its own.
    agree, disagree = counts[3] + counts[4], counts[0] + counts[1]
    summary = agree_summary(counts, 2, 2, False)
    assert summary in texts(chart)
    assert summary.startswith(f"{math.floor(100 * agree / sum(counts) + 0.5)}% agree")
    assert f"{math.floor(100 * disagree / sum(counts) + 0.5)}% disagree" in summary


def test_small_groups_get_counts_and_one_person_is_one_figure() -> None:
    """With 6 people every person is 17%: counts instead, never 16% and 17% in a row."""
    chart = diverging_bars([ItemDistribution("pe1", [1, 1, 1, 2, 1])], OPTIONS, 2,
                           as_counts=True)
    assert "3 of 6 agree, 2 disagree" in texts(chart)
    assert not any("%" in t for t in texts(chart))
    one = agree_summary([0, 1, 4, 1, 0], 2, 2, False)
    assert one == "17% agree, 17% disagree"
    assert agree_summary([0, 1, 4, 1, 0], 2, 2, True) == "1 of 6 agrees, 1 disagrees"


def test_heatmap_colours_are_fitted_to_the_data_with_a_legend() -> None:
    fitted = heatmap(["A", "B"], ["x"], [[2.6], [3.1]], 1, 5)
    whole = heatmap(["A", "B"], ["x"], [[2.6], [3.1]], 1, 5, fit=False)
    assert {"2.5", "3.25"} <= set(texts(fitted))  # the ends of the fitted ramp
    assert {"1", "5"} <= set(texts(whole))

    def fills(svg: str) -> list[str]:
        return [r.get("fill") for r in ET.fromstring(svg).iter(f"{SVG}rect")][:2]

    low, high = fills(fitted)
    assert low != high and fills(whole)[0] != low  # the fitted ramp spreads the two apart


def test_picture_zooms_to_the_data_and_keeps_the_middle_in_view() -> None:
    points = [PicturePoint("Set", 2.6, 2.9, x_ci=(2.4, 2.8), y_ci=(2.7, 3.1)),
              PicturePoint("Programme", 2.5, 2.7)]
    svg = picture_chart(points, "x", "y", 1, 5)
    ticks = {t for t in texts(svg) if t.replace(".", "").isdigit()}
    assert "1" not in ticks and "5" not in ticks
    assert {"2", "3.5"} <= ticks  # 2.4 - .25 down to 2, the midpoint 3 + .25 up to 3.5
    full = picture_chart(points, "x", "y", 1, 5, zoom=False)
    assert {"1", "5"} <= set(texts(full))


def test_side_by_side_is_one_chart_in_the_order_given() -> None:
    rows = [[IntervalRow("x", 3.0, 2.5, 3.5), IntervalRow("y", 2.0, 1.5, 2.5)],
            [None, None],
            [IntervalRow("x", 3.2, 2.9, 3.4), None]]
    svg = side_by_side_chart(["Beta", "Alpha", "Gamma"], ["x", "y"], rows, 1, 5,
                             group_notes=["", "fewer than 5 responses", ""],
                             references=[3.1, 2.2], reference_label="Organisation: mean")
    y = {label.text: label.y for label in labels(svg)}
    assert y["Beta"] < y["Alpha"] < y["Gamma"]  # in the order given, never sorted
    assert "fewer than 5 responses" in texts(svg) and "not shown" in texts(svg)
    root = ET.fromstring(svg)
    dashed = [e for e in root.iter(f"{SVG}line") if e.get("stroke-dasharray")]
    circles = list(root.iter(f"{SVG}circle"))
    assert len(circles) == 3 + 1  # three means and the legend's dot
    ys = sorted({float(c.get("cy")) for c in circles[1:]})
    hidden_top, hidden_bottom = ys[0] + 10, ys[-1] - 10  # the withheld row lies between
    for line in dashed:  # the reference line never crosses the withheld row's note
        y1, y2 = float(line.get("y1")), float(line.get("y2"))
        assert y2 <= hidden_top + 0.01 or y1 >= hidden_bottom - 0.01


def test_neutral_is_split_at_zero() -> None:
    root = ET.fromstring(diverging_bars([ItemDistribution("pe1", [0, 0, 4, 0, 0])], OPTIONS, 2))
    (segment,) = root.findall(f".//{SVG}g[@class='bar']/{SVG}rect")
    zero = [e for e in root.iter(f"{SVG}line") if e.get("stroke-width") == "1"][0]
    middle = float(segment.get("x")) + float(segment.get("width")) / 2
    assert math.isclose(middle, float(zero.get("x1")), abs_tol=0.02)
    assert segment.get("fill") == ChartPalette().neutral


def test_scale_without_neutral_is_accepted() -> None:
    svg = diverging_bars([ItemDistribution("q", [1, 2, 3, 4])], ["a", "b", "c", "d"], None)
    assert ET.fromstring(svg).findall(f".//{SVG}g[@class='bar']")


def _hue_is_red_or_green(colour: str) -> bool:
    r, g, b = (int(colour[k:k + 2], 16) / 255 for k in (1, 3, 5))
    hue, _, saturation = colorsys.rgb_to_hls(r, g, b)
    degrees = hue * 360
    return saturation > 0.25 and (degrees < 18 or degrees > 340 or 75 < degrees < 165)


def test_default_palette_has_no_red_or_green() -> None:
    palette = ChartPalette()
    colours = []
    for f in dataclasses.fields(palette):
        value = getattr(palette, f.name)
        values = value if isinstance(value, tuple) else (value,)
        colours += [v for v in values if isinstance(v, str) and v.startswith("#")]
    assert len(colours) > 20
    assert not [c for c in colours if _hue_is_red_or_green(c)]
    assert _hue_is_red_or_green("#d73027") and _hue_is_red_or_green("#1a9850")


def test_palette_overrides_reach_the_markup() -> None:
    brand = ChartPalette(point="#123456", font_family="Brand Sans", sequential=("#ffffff",
                                                                                 "#654321"))
    profile = profile_chart(profile_rows(), 1, 5, palette=brand)
    assert 'fill="#123456"' in profile
    assert style_of(ET.fromstring(profile))["font-family"] == "Brand Sans"
    assert ChartPalette().point not in profile
    assert "#654321" in heatmap(["A"], ["B"], [[5.0]], 1, 5, palette=brand)


def test_heatmap_prints_each_value_with_one_decimal() -> None:
    """The precision of the sentences on the same page (one per page)."""
    svg = heatmap(["A", "B"], ["x", "y"], [[3.0, 4.26], [1.0, 5.0]], 1, 5)
    assert {"3.0", "4.3", "1.0", "5.0"} <= set(texts(svg))
    fills = {r.get("fill") for r in ET.fromstring(svg).iter(f"{SVG}rect")}
    assert ChartPalette().suppressed not in fills  # no suppressed cell, no grey swatch


def test_picture_lists_every_point_with_its_values() -> None:
    svg = every_chart()["picture"]
    key = " ".join(texts(svg))
    assert all(v in key for v in (": 3.4", ": 2.6", ": 3.1", ": 2.8"))
    assert {"Hidden set", "Organisation"} <= set(texts(svg))


def test_picture_fills_only_the_reports_own_point() -> None:
    """A programme overview marks many organisations: shapes repeat, but none of them is
    ever drawn like the programme's own filled dot (in the plot or in the key)."""
    points = [PicturePoint("Programme", 3.0, 3.0)] + [
        PicturePoint(f"Organisation {k:02d}", 1.5 + 0.3 * k, 4.5 - 0.3 * k) for k in range(1, 10)
    ]
    root = ET.fromstring(picture_chart(points, "x", "y", 1, 5))
    colour = ChartPalette().point
    markers = [e for tag in ("circle", "polygon") for e in root.iter(f"{SVG}{tag}")
               if e.get("stroke") == colour]
    filled = [e for e in markers if e.get("fill") == colour]
    assert len(markers) == 2 * len(points)  # each point in the plot and in the key
    assert len(filled) == 2 and all(e.tag == f"{SVG}circle" for e in filled)


@pytest.mark.parametrize("call", [
    lambda: profile_chart([], 1, 5),
    lambda: profile_chart([IntervalRow("a", 3.0)], 5, 1),
    lambda: forest_chart([IntervalRow("a", 3.0)], 1, NAN),
    lambda: diverging_bars([ItemDistribution("a", [1, 2])], OPTIONS, 2),
    lambda: diverging_bars([ItemDistribution("a", [1, 2, 3, 4, 5])], OPTIONS, 7),
    lambda: diverging_bars([ItemDistribution("a", [1, -2, 3, 4, 5])], OPTIONS, 2),
    lambda: heatmap(["a"], ["x", "y"], [[1.0]], 1, 5),
    lambda: picture_chart([], "x", "y", 1, 5, ["only one caption"]),
])
def test_impossible_charts_raise_chart_error(call) -> None:
    with pytest.raises(ChartError):
        call()


def test_weasyprint_draws_every_chart_without_logging_a_problem(caplog) -> None:
    import weasyprint

    body = "".join(f"<figure>{svg}</figure>" for svg in every_chart().values())
    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf = weasyprint.HTML(string=f"<html><body>{body}</body></html>").write_pdf()
    assert pdf.startswith(b"%PDF")
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]


# --------------------------------------------------------------------------------------
# The picture's labels: never on each other, never on a marker


def picture_labels(svg: str) -> dict[str, tuple[float, float, float, float]]:
    """Each point label's box (x, y, width, height), rebuilt from its text as drawn."""
    from surveyor.reports.charts.base import _text_width

    boxes = {}
    for label in labels(svg):
        if label.cls != "picture-label":
            continue
        width = _text_width(label.text, label.size)
        left = label.x - {"start": 0, "middle": width / 2, "end": width}[label.anchor]
        # text_middle puts the baseline 0.36 em below the label's centre
        centre = label.y - 0.36 * label.size
        boxes[label.text] = (left, centre - (label.size + 2) / 2, width, label.size + 2)
    return boxes


def marker_boxes(svg: str) -> list[tuple[float, float, float, float]]:
    """The box around every marker shape (the key's too: labels never reach the key)."""
    boxes = []
    for element in ET.fromstring(svg).iter():
        if element.tag == f"{SVG}circle":
            cx, cy, r = (float(element.get(k)) for k in ("cx", "cy", "r"))
            boxes.append((cx - r, cy - r, 2 * r, 2 * r))
        elif element.tag == f"{SVG}polygon":
            xy = [tuple(map(float, pair.split(","))) for pair in element.get("points").split()]
            xs, ys = [x for x, _ in xy], [y for _, y in xy]
            boxes.append((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    return boxes


def overlaps(a, b) -> bool:
    return (min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]) > 1e-6
            and min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]) > 1e-6)


def assert_labels_clear(points: list[PicturePoint]) -> str:
    svg = picture_chart(points, "Political expediency", "Emotional risk of action", 1, 5)
    labels = picture_labels(svg)
    assert set(labels) == {pt.label for pt in points if pt.x is not None}
    boxes = list(labels.values())
    for i, box in enumerate(boxes):
        assert not any(overlaps(box, other) for other in boxes[i + 1:]), labels
        assert not any(overlaps(box, marker) for marker in marker_boxes(svg)), labels
    return svg


def set_org_programme(x: float, y: float, step: float) -> list[PicturePoint]:
    return [PicturePoint("This set", x, y, (x - 0.4, x + 0.4), (y - 0.5, y + 0.5)),
            PicturePoint("Organisation", x + step, y - step),
            PicturePoint("Programme", x - step, y + step)]


@pytest.mark.parametrize("step", [0.0, 0.004, 0.02, 0.05])
@pytest.mark.parametrize(("x", "y"), [(3.2, 3.1), (1.0, 1.0), (5.0, 5.0), (4.95, 1.05)])
def test_picture_labels_of_close_points_never_collide(x, y, step) -> None:
    svg = assert_labels_clear(set_org_programme(x, y, step))
    assert svg == picture_chart(set_org_programme(x, y, step), "Political expediency",
                                "Emotional risk of action", 1, 5)


def test_a_crowded_picture_draws_leaders_to_labels_moved_away() -> None:
    points = [PicturePoint("Programme", 3.0, 3.0, (2.8, 3.2), (2.8, 3.2))] + [
        PicturePoint(f"Organisation {name}", 3.0 + 0.05 * k, 3.0 - 0.04 * k)
        for k, name in enumerate("ABCDEFG")]
    svg = assert_labels_clear(points)
    leaders = [e for e in ET.fromstring(svg).iter(f"{SVG}line")
               if e.get("class") == "picture-leader"]
    assert leaders
    labels = list(picture_labels(svg).values())
    for leader in leaders:
        end = (float(leader.get("x2")), float(leader.get("y2")))
        # each leader ends on the edge of a label box (to the two decimals written)
        assert any(bx - 0.01 <= end[0] <= bx + bw + 0.01 and by - 0.01 <= end[1] <= by + bh + 0.01
                   for bx, by, bw, bh in labels)


@given(st.lists(st.tuples(st.floats(2.9, 3.3), st.floats(2.9, 3.3)), min_size=2, max_size=5))
def test_picture_labels_never_collide_wherever_the_points_fall(spots) -> None:
    names = ["This set", "Organisation", "Programme", "North", "South"]
    assert_labels_clear(
        [PicturePoint(name, x, y) for name, (x, y) in zip(names[: len(spots)], spots, strict=True)]
    )
