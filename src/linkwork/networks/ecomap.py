"""The ecomap picture of a person's network map: SVG for the page and downloads, PNG for downloads.

This module is pure: it takes plain `EcomapEntry` values, never models, and touches no database.

One layout function (`_layout`) decides where everything goes, in abstract units (1 unit = 1/100 inch
in the PNG). `ecomap_svg` writes that layout as hand-built SVG with `xml.etree`; `ecomap_png` draws
the same layout with matplotlib's Agg renderer. Both outputs are deterministic.

The person is at the centre, inside three rings (inner is closest). Entries are placed in the band of
their ring, within the sector of their category, grouped by type. The line from the centre shows the
quality of the tie (supportive: solid green, mixed: dashed blue, difficult: dotted red); a filled
marker means the connection is new since support began. Each panel (one map, or baseline and end
side by side) has its own rings; the sectors are shared so that panels compare at a glance.

`forbidden_words` (for example the person's surname) are replaced with "…" in every piece of text
the picture or the table shows, whole words and case-insensitively, before labels are shortened.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypedDict

from linkwork.networks.choices import CATEGORY_OF, Category, EntryType, Frequency, Quality, Ring

__all__ = ["EcomapEntry", "EcomapTableRow", "ecomap_png", "ecomap_svg", "ecomap_table_rows"]


@dataclass(frozen=True)
class EcomapEntry:
    id: int
    label: str
    type: str  # an EntryType value
    category: str  # a Category value (CATEGORY_OF[type])
    ring: str  # "inner" | "middle" | "outer"
    quality: str  # "supportive" | "mixed" | "difficult"
    frequency: str  # a Frequency value
    new_since_support: bool

    def __post_init__(self) -> None:
        for field, value, allowed in (
            ("type", self.type, EntryType.values),
            ("category", self.category, Category.values),
            ("ring", self.ring, Ring.values),
            ("quality", self.quality, Quality.values),
            ("frequency", self.frequency, Frequency.values),
        ):
            if value not in allowed:
                raise ValueError(f"EcomapEntry {self.id}: unknown {field} {value!r}")
        if CATEGORY_OF[self.type] != self.category:
            raise ValueError(
                f"EcomapEntry {self.id}: type {self.type!r} is not in category {self.category!r}"
            )


class EcomapTableRow(TypedDict):
    """One row of the text alternative to the picture."""

    panel: str
    id: int
    label: str
    type_label: str
    category_label: str
    ring_label: str
    frequency_label: str
    quality_label: str
    new: bool


# --- Look ----------------------------------------------------------------------------------------

INK = "#0b0c0c"
SECONDARY = "#505a5f"
RING_STROKE = "#6f777b"
DIVIDER = "#b1b4b6"
SECTOR_FILLS = ("#f3f2f1", "#ffffff")
FONT_FAMILY = "Arial, Helvetica, 'DejaVu Sans', sans-serif"


@dataclass(frozen=True)
class _LineStyle:
    colour: str
    width: float
    dash: tuple[float, float] | None
    round_cap: bool


QUALITY_STYLES: dict[str, _LineStyle] = {
    "supportive": _LineStyle("#00703c", 5.0, None, False),
    "mixed": _LineStyle("#1d70b8", 3.5, (14.0, 8.0), False),
    "difficult": _LineStyle("#d4351c", 4.0, (1.0, 9.0), True),
}

RINGS: tuple[str, ...] = ("inner", "middle", "outer")
CATEGORIES: tuple[str, ...] = tuple(Category.values)
TYPE_ORDER: dict[str, int] = {value: i for i, value in enumerate(EntryType.values)}
RING_WORDS = {"inner": "inner ring (closest)", "middle": "middle ring", "outer": "outer ring"}

# --- Geometry, in units (the SVG viewBox; 1/100 inch in the PNG) ---------------------------------

PANEL_W = 800.0
CENTRE_R = 52.0
RING_R: dict[str, float] = {"inner": 125.0, "middle": 200.0, "outer": 275.0}
BAND: dict[str, tuple[float, float]] = {
    "inner": (CENTRE_R, 125.0),
    "middle": (125.0, 200.0),
    "outer": (200.0, 275.0),
}
MARKER_R = 11.0
MIN_MARKER_GAP = 2 * MARKER_R + 8
HEADING_H = 64.0
NO_HEADING_H = 12.0
MAP_MARGIN = 82.0
ENTRY_FS = 27.0
ENTRY_LH = 29.0
SECTOR_FS = 20.0
SECTOR_LH = 22.0
CENTRE_FS = 26.0
HEADING_FS = 30.0
LEGEND_FS = 23.0
LEGEND_COL_W = 370.0
LEGEND_ROW_H = 40.0
LEGEND_PAD = 30.0

LABEL_MAX = 18
LABEL_LINE = 11
CENTRE_MAX = 14
SECTOR_LINE = 12
ELLIPSIS = "…"

SECTOR_NAMES: dict[str, str] = {
    "people": "People",
    "groups": "Groups and places",
    "activities": "Activities",
    "animals": "Animals and pets",
    "spiritual": "Spiritual",
}


# --- Text ----------------------------------------------------------------------------------------


class _Scrubber:
    """Replaces forbidden words (whole words, any case) with an ellipsis."""

    def __init__(self, words: Iterable[str]) -> None:
        parts = sorted({" ".join(w.split()) for w in words if w and w.strip()}, key=lambda w: (-len(w), w))
        if parts:
            alternatives = "|".join(r"\s+".join(re.escape(p) for p in w.split(" ")) for w in parts)
            self._pattern: re.Pattern[str] | None = re.compile(
                rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE
            )
        else:
            self._pattern = None

    def __call__(self, text: str) -> str:
        text = " ".join(str(text).split())
        if self._pattern is None:
            return text
        return self._pattern.sub(ELLIPSIS, text)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip(" -,;:") + ELLIPSIS


def _wrap(text: str, width: int) -> tuple[str, ...]:
    """At most two lines; split at the space or hyphen that makes the longest line shortest."""
    if len(text) <= width:
        return (text,)
    best: tuple[int, str, str] | None = None
    for i, ch in enumerate(text):
        if ch == " ":
            first, second = text[:i], text[i + 1 :]
        elif ch == "-" and 0 < i < len(text) - 1:
            first, second = text[: i + 1], text[i + 1 :]
        else:
            continue
        score = max(len(first), len(second))
        if best is None or score < best[0]:
            best = (score, first, second)
    if best is None or best[0] > width + 2:
        return (text[:width], text[width:])
    return (best[1], best[2])


def _entry_lines(label: str) -> tuple[str, ...]:
    return _wrap(_shorten(label, LABEL_MAX), LABEL_LINE)


def _type_label(value: str) -> str:
    return str(EntryType(value).label)


# --- Layout --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    x: float
    y: float  # baseline of the first line
    lines: tuple[str, ...]
    size: float
    line_height: float
    anchor: str  # "start" | "middle" | "end"
    bold: bool = False
    fill: str = INK
    halo: bool = False

    def baselines(self) -> list[tuple[float, str]]:
        return [(self.y + i * self.line_height, line) for i, line in enumerate(self.lines)]


@dataclass(frozen=True)
class _Wedge:
    start: float  # degrees clockwise from 12 o'clock
    end: float
    fill: str


@dataclass(frozen=True)
class _PlacedEntry:
    entry: EcomapEntry
    element_id: str
    x: float
    y: float
    line_from: tuple[float, float]
    line_to: tuple[float, float]
    text: _Text
    tooltip: str


@dataclass(frozen=True)
class _Panel:
    number: int
    title: str
    heading: _Text | None
    left: float
    cx: float
    cy: float
    wedges: tuple[_Wedge, ...]
    dividers: tuple[float, ...]  # angles
    sector_labels: tuple[tuple[str, _Text], ...]
    centre: _Text
    entries: tuple[_PlacedEntry, ...]  # in drawing order: outer ring first
    empty_note: _Text | None


@dataclass(frozen=True)
class _LegendItem:
    kind: str  # a quality value, "new", "before" or "rings"
    x: float  # left of the sample
    y: float  # vertical centre
    text: _Text


@dataclass(frozen=True)
class _Layout:
    uid: str
    width: float
    height: float
    panel_height: float
    title: str
    desc: str
    panels: tuple[_Panel, ...]
    legend_heading: _Text
    legend: tuple[_LegendItem, ...]


def _point(cx: float, cy: float, r: float, angle: float) -> tuple[float, float]:
    a = math.radians(angle)
    return cx + r * math.sin(a), cy - r * math.cos(a)


def _sectors(panels: Sequence[tuple[str, list[EcomapEntry]]]) -> list[tuple[str, float, float]]:
    """Categories present in any panel, each with an angle range sized by its size in the fuller panel."""
    weights: dict[str, int] = {}
    for category in CATEGORIES:
        count = max(sum(1 for e in entries if e.category == category) for _, entries in panels)
        if count:
            weights[category] = count + 1
    if not weights:
        return []
    total = sum(weights.values())
    first = next(iter(weights))
    angle = -180.0 * weights[first] / total  # the first sector is centred at 12 o'clock
    result = []
    for category, weight in weights.items():
        span = 360.0 * weight / total
        result.append((category, angle, angle + span))
        angle += span
    return result


def _place_sector(
    group: list[EcomapEntry], start: float, end: float
) -> list[tuple[EcomapEntry, float, float]]:
    """(entry, angle, radius) for the entries of one sector, already in order.

    Every entry has its own angle, so no line hides another. When one ring is crowded its entries
    alternate between two or three radii within the ring's band, so markers do not overlap.
    """
    n = len(group)
    span = end - start
    placed = []
    for ring in RINGS:
        indices = [i for i, e in enumerate(group) if e.ring == ring]
        lo, hi = BAND[ring]
        lo, hi = lo + MARKER_R + 4, hi - MARKER_R - 4
        slot = (
            2 * (lo + hi) / 2 * math.sin(math.radians(min(span / n, 180.0)) / 2)
        )  # chord between neighbours
        tiers = 1
        while tiers < 3 and slot * tiers < MIN_MARKER_GAP:
            tiers += 1
        for j, i in enumerate(indices):
            radius = (lo + hi) / 2 if tiers == 1 else lo + (hi - lo) * (j % tiers) / (tiers - 1)
            placed.append((i, group[i], start + span * (i + 0.5) / n, radius))
    placed.sort(key=lambda p: p[0])
    return [(entry, angle, radius) for _, entry, angle, radius in placed]


_Box = tuple[float, float, float, float]  # left, top, right, bottom


def _text_box(text: _Text) -> _Box:
    width = max(len(line) for line in text.lines) * text.size * 0.58
    left = {"start": text.x, "middle": text.x - width / 2, "end": text.x - width}[text.anchor]
    top = text.y - 0.8 * text.size
    bottom = text.y + (len(text.lines) - 1) * text.line_height + 0.2 * text.size
    return (left, top, left + width, bottom)


def _overlap(a: _Box, b: _Box) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _label_candidates(x: float, y: float, angle: float, lines: tuple[str, ...]) -> list[_Text]:
    """Where a label may go, best first: outwards above or below, then beside, then inwards."""
    fs, lh, gap = ENTRY_FS, ENTRY_LH, MARKER_R + 4
    height = (len(lines) - 1) * lh + fs

    def make(tx: float, first: float, anchor: str) -> _Text:
        return _Text(tx, first, lines, fs, lh, anchor, halo=True)

    above = make(x, y - gap - 0.2 * fs - (len(lines) - 1) * lh, "middle")
    below = make(x, y + gap + 0.8 * fs, "middle")
    middle = y - height / 2 + 0.8 * fs
    right = make(x + gap + 2, middle, "start")
    left = make(x - gap - 2, middle, "end")
    corners = [
        make(x + MARKER_R * 0.7, above.y, "start"),
        make(x - MARKER_R * 0.7, above.y, "end"),
        make(x + MARKER_R * 0.7, below.y, "start"),
        make(x - MARKER_R * 0.7, below.y, "end"),
    ]
    upper, right_side = math.cos(math.radians(angle)) >= 0, math.sin(math.radians(angle)) >= 0
    vertical = [above, below] if upper else [below, above]
    sideways = [right, left] if right_side else [left, right]
    corners.sort(key=lambda t: (t.y != (above.y if upper else below.y), (t.anchor == "start") != right_side))
    return [vertical[0], *sideways, *corners[:2], vertical[1], *corners[2:]]


def _place_labels(
    centre: tuple[float, float],
    markers: list[tuple[float, float, float, tuple[str, ...]]],
    obstacles: list[_Box],
    bounds: _Box,
) -> list[_Text]:
    """For each marker (x, y, angle, lines), greedily choose the first label position that covers
    nothing: earlier labels, obstacles, markers, lines from the centre, the edge of the panel;
    or else the position that covers least (markers count most)."""
    cx, cy = centre
    marker_boxes = [(x - MARKER_R, y - MARKER_R, x + MARKER_R, y + MARKER_R) for x, y, _, _ in markers]
    line_points = [
        (cx + (x - cx) * k / 12, cy + (y - cy) * k / 12) for x, y, _, _ in markers for k in range(2, 12)
    ]
    boxes = list(obstacles)
    chosen = []
    for x, y, angle, lines in markers:
        best: tuple[float, int, _Text, _Box] | None = None
        for rank, candidate in enumerate(_label_candidates(x, y, angle, lines)):
            box = _text_box(candidate)
            outside = (box[2] - box[0]) * (box[3] - box[1]) - _overlap(box, bounds)
            cost = (
                sum(_overlap(box, other) for other in boxes)
                + 6 * sum(_overlap(box, other) for other in marker_boxes)
                + 150 * sum(1 for px, py in line_points if box[0] <= px <= box[2] and box[1] <= py <= box[3])
                + 10 * outside
            )
            if best is None or (cost, rank) < (best[0], best[1]):
                best = (cost, rank, candidate, box)
            if cost == 0:
                break
        assert best is not None
        chosen.append(best[2])
        boxes.append(best[3])
    return chosen


def _sector_text(cx: float, cy: float, angle: float, name: str) -> _Text:
    x, y = _point(cx, cy, RING_R["outer"] + 16, angle)
    lines = _wrap(name, SECTOR_LINE)
    s, c = math.sin(math.radians(angle)), math.cos(math.radians(angle))
    anchor = "start" if s > 0.25 else "end" if s < -0.25 else "middle"
    if c > 0.25:
        first = y - 6 - (len(lines) - 1) * SECTOR_LH
    elif c < -0.25:
        first = y + SECTOR_FS
    else:
        first = y - (len(lines) - 1) * SECTOR_LH / 2 + SECTOR_FS * 0.35
    return _Text(x, first, lines, SECTOR_FS, SECTOR_LH, anchor, fill=SECONDARY, halo=True)


def _summary(title: str, entries: list[EcomapEntry]) -> str:
    prefix = f"{title}: " if title else ""
    if not entries:
        return f"{prefix}no entries yet."
    rings = ", ".join(f"{sum(1 for e in entries if e.ring == r)} in the {RING_WORDS[r]}" for r in RINGS)
    qualities = ", ".join(f"{sum(1 for e in entries if e.quality == q)} {q}" for q in Quality.values)
    new = sum(1 for e in entries if e.new_since_support)
    noun = "entry" if len(entries) == 1 else "entries"
    return f"{prefix}{len(entries)} {noun}. {rings}. {qualities}. {new} new since support began."


def _check(panels: Sequence[tuple[str, list[EcomapEntry]]]) -> None:
    if not 1 <= len(panels) <= 2:
        raise ValueError("an ecomap has one or two panels")
    for title, entries in panels:
        ids = [e.id for e in entries]
        if len(ids) != len(set(ids)):
            raise ValueError(f"panel {title!r} has the same entry twice")


def _layout(
    centre_label: str, panels: Sequence[tuple[str, list[EcomapEntry]]], forbidden_words: Iterable[str]
) -> _Layout:
    _check(panels)
    scrub = _Scrubber(forbidden_words)
    centre_name = _shorten(scrub(centre_label), CENTRE_MAX) or "Me"
    titles = [scrub(title) for title, _ in panels]
    heading_h = HEADING_H if any(titles) else NO_HEADING_H
    panel_h = heading_h + 2 * (MAP_MARGIN + RING_R["outer"])
    sectors = _sectors(panels)
    several = len(panels) > 1

    placed_panels = []
    for index, ((_, entries), title) in enumerate(zip(panels, titles, strict=True)):
        number = index + 1
        left = PANEL_W * index
        cx, cy = left + PANEL_W / 2, heading_h + MAP_MARGIN + RING_R["outer"]
        heading = (
            _Text(cx, heading_h - 22, (title,), HEADING_FS, HEADING_FS, "middle", bold=True)
            if title
            else None
        )
        full_circle = len(sectors) == 1
        wedges = tuple(
            _Wedge(start, end, SECTOR_FILLS[i % 2])
            for i, (_, start, end) in enumerate(sectors)
            if not full_circle
        )
        dividers = tuple(start for _, start, _ in sectors) if not full_circle else ()
        sector_labels = tuple(
            (category, _sector_text(cx, cy, (start + end) / 2, scrub(SECTOR_NAMES[category])))
            for category, start, end in sectors
        )
        centre = _Text(
            cx, cy + CENTRE_FS * 0.35, (centre_name,), CENTRE_FS, CENTRE_FS, "middle", bold=True, halo=True
        )

        positions: list[tuple[EcomapEntry, float, float]] = []
        for category, start, end in sectors:
            group = sorted(
                (e for e in entries if e.category == category),
                key=lambda e: (TYPE_ORDER[e.type], RINGS.index(e.ring), scrub(e.label).casefold(), e.id),
            )
            if group:
                positions.extend(_place_sector(group, start, end))
        labels = [scrub(entry.label) for entry, _, _ in positions]
        points = [_point(cx, cy, radius, angle) for _, angle, radius in positions]
        texts = _place_labels(
            (cx, cy),
            [
                (x, y, angle, _entry_lines(label))
                for (x, y), (_, angle, _), label in zip(points, positions, labels, strict=True)
            ],
            [_text_box(t) for _, t in sector_labels]
            + [(cx - CENTRE_R, cy - CENTRE_R, cx + CENTRE_R, cy + CENTRE_R), _text_box(centre)],
            (left + 4, heading_h, left + PANEL_W - 4, heading_h + 2 * (MAP_MARGIN + RING_R["outer"])),
        )
        placed = []
        for (entry, angle, radius), (x, y), label, text in zip(positions, points, labels, texts, strict=True):
            tooltip = "; ".join(
                [
                    label,
                    scrub(_type_label(entry.type)),
                    RING_WORDS[entry.ring],
                    entry.quality,
                    scrub(str(Frequency(entry.frequency).label)).lower(),
                ]
                + (["new since support began"] if entry.new_since_support else [])
            )
            placed.append(
                _PlacedEntry(
                    entry=entry,
                    element_id=f"panel{number}-entry-{entry.id}" if several else f"entry-{entry.id}",
                    x=x,
                    y=y,
                    line_from=_point(cx, cy, CENTRE_R, angle),
                    line_to=_point(cx, cy, radius - MARKER_R, angle),
                    text=text,
                    tooltip=tooltip,
                )
            )
        placed.sort(key=lambda p: -RINGS.index(p.entry.ring))  # stable: the outer ring is drawn first
        empty_note = (
            _Text(cx, cy + 170, (scrub("No entries yet"),), ENTRY_FS, ENTRY_LH, "middle", fill=SECONDARY)
            if not entries
            else None
        )
        placed_panels.append(
            _Panel(
                number,
                title,
                heading,
                left,
                cx,
                cy,
                wedges,
                dividers,
                sector_labels,
                centre,
                tuple(placed),
                empty_note,
            )
        )

    width = PANEL_W * len(panels)
    legend_texts = [
        ("supportive", "Supportive"),
        ("mixed", "Mixed"),
        ("difficult", "Difficult"),
        ("new", "New since support began"),
        ("before", "Was there before support"),
        ("rings", "Inner ring is closest"),
    ]
    columns = max(1, int((width - 2 * LEGEND_PAD) // LEGEND_COL_W))
    column_w = (width - 2 * LEGEND_PAD) / columns
    rows = math.ceil(len(legend_texts) / columns)
    legend_top = panel_h
    legend_heading = _Text(
        LEGEND_PAD, legend_top + 34, (scrub("Key"),), LEGEND_FS + 2, LEGEND_FS, "start", bold=True
    )
    legend = []
    for i, (kind, words) in enumerate(legend_texts):
        row, column = divmod(i, columns)
        x = LEGEND_PAD + column * column_w
        y = legend_top + 52 + LEGEND_ROW_H / 2 + row * LEGEND_ROW_H
        legend.append(
            _LegendItem(
                kind,
                x,
                y,
                _Text(x + 68, y + LEGEND_FS * 0.35, (scrub(words),), LEGEND_FS, LEGEND_FS, "start"),
            )
        )
    height = legend_top + 52 + rows * LEGEND_ROW_H + 20

    title = scrub(
        f"Network map for {centre_name}"
        + (f": {' and '.join(t for t in titles if t)}" if any(titles) else "")
    )
    desc = " ".join(
        [scrub(f"{centre_name} is at the centre of three rings; the inner ring is closest.")]
        + [scrub(_summary(t, entries)) for t, (_, entries) in zip(titles, panels, strict=True)]
    )
    fingerprint = repr(
        (
            title,
            desc,
            [(p.title, [(e.element_id, e.x, e.y, e.text.lines) for e in p.entries]) for p in placed_panels],
        )
    )
    uid = "ecomap-" + hashlib.sha256(fingerprint.encode()).hexdigest()[:10]
    return _Layout(
        uid, width, height, panel_h, title, desc, tuple(placed_panels), legend_heading, tuple(legend)
    )


# --- SVG -----------------------------------------------------------------------------------------


def _n(value: float) -> str:
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _sub(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): v for k, v in attributes.items()})


def _svg_text(parent: ET.Element, text: _Text, css_class: str) -> ET.Element:
    attributes = {
        "class": css_class,
        "x": _n(text.x),
        "y": _n(text.y),
        "font-size": _n(text.size),
        "text-anchor": text.anchor,
        "fill": text.fill,
    }
    if text.bold:
        attributes["font-weight"] = "bold"
    if text.halo:
        attributes.update(
            {"stroke": "#ffffff", "stroke-width": "5", "stroke-linejoin": "round", "paint-order": "stroke"}
        )
    element = ET.SubElement(parent, "text", attributes)
    if len(text.lines) == 1:
        element.text = text.lines[0]
    else:
        for y, line in text.baselines():
            ET.SubElement(element, "tspan", {"x": _n(text.x), "y": _n(y)}).text = line
    return element


def _line_attributes(style: _LineStyle) -> dict[str, str]:
    attributes = {"stroke": style.colour, "stroke-width": _n(style.width)}
    if style.dash:
        attributes["stroke-dasharray"] = f"{_n(style.dash[0])} {_n(style.dash[1])}"
    attributes["stroke-linecap"] = "round" if style.round_cap else "butt"
    return attributes


def _wedge_path(cx: float, cy: float, r_in: float, r_out: float, start: float, end: float) -> str:
    large = "1" if end - start > 180 else "0"
    x0, y0 = _point(cx, cy, r_out, start)
    x1, y1 = _point(cx, cy, r_out, end)
    x2, y2 = _point(cx, cy, r_in, end)
    x3, y3 = _point(cx, cy, r_in, start)
    return (
        f"M{_n(x0)} {_n(y0)} A{_n(r_out)} {_n(r_out)} 0 {large} 1 {_n(x1)} {_n(y1)} "
        f"L{_n(x2)} {_n(y2)} A{_n(r_in)} {_n(r_in)} 0 {large} 0 {_n(x3)} {_n(y3)} Z"
    )


def _marker_attributes(style: _LineStyle, filled: bool) -> dict[str, str]:
    return {"fill": style.colour if filled else "#ffffff", "stroke": style.colour, "stroke-width": "3"}


def ecomap_svg(
    *, centre_label: str, panels: list[tuple[str, list[EcomapEntry]]], forbidden_words: Iterable[str] = ()
) -> str:
    """The ecomap as an SVG document (no XML declaration, so it can also be inlined in HTML).

    It has a viewBox and no width or height, so it scales to the width of its container. Each entry is
    one `<g class="entry">` whose id is `entry-<id>` (or `panel<n>-entry-<id>` when there are two
    panels, because the same entry may be in both) with data-entry-id, data-panel, data-ring,
    data-type, data-category, data-quality, data-frequency and data-new attributes.
    """
    layout = _layout(centre_label, panels, list(forbidden_words))
    uid = layout.uid
    root = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {_n(layout.width)} {_n(layout.height)}",
            "role": "img",
            "aria-labelledby": f"{uid}-title {uid}-desc",
            "class": "ecomap",
            "data-panels": str(len(layout.panels)),
            "font-family": FONT_FAMILY,
        },
    )
    ET.SubElement(root, "title", {"id": f"{uid}-title"}).text = layout.title
    ET.SubElement(root, "desc", {"id": f"{uid}-desc"}).text = layout.desc
    _sub(root, "rect", class_="background", width=_n(layout.width), height=_n(layout.height), fill="#ffffff")

    for panel in layout.panels:
        g = _sub(root, "g", class_="panel", id=f"{uid}-panel-{panel.number}", data_panel=str(panel.number))
        if panel.number > 1:
            _sub(
                g,
                "line",
                class_="panel-divider",
                x1=_n(panel.left),
                y1="16",
                x2=_n(panel.left),
                y2=_n(layout.panel_height - 16),
                stroke=DIVIDER,
                stroke_width="2",
            )
        if panel.heading:
            _svg_text(g, panel.heading, "panel-title")
        sectors = _sub(g, "g", class_="sectors")
        for wedge in panel.wedges:
            _sub(
                sectors,
                "path",
                class_="sector",
                fill=wedge.fill,
                d=_wedge_path(panel.cx, panel.cy, CENTRE_R, RING_R["outer"], wedge.start, wedge.end),
            )
        for angle in panel.dividers:
            (x0, y0), (x1, y1) = (
                _point(panel.cx, panel.cy, CENTRE_R, angle),
                _point(panel.cx, panel.cy, RING_R["outer"], angle),
            )
            _sub(
                sectors,
                "line",
                class_="sector-divider",
                x1=_n(x0),
                y1=_n(y0),
                x2=_n(x1),
                y2=_n(y1),
                stroke=DIVIDER,
                stroke_width="2",
            )
        rings = _sub(g, "g", class_="rings")
        for ring in RINGS:
            _sub(
                rings,
                "circle",
                class_="ring",
                data_ring=ring,
                cx=_n(panel.cx),
                cy=_n(panel.cy),
                r=_n(RING_R[ring]),
                fill="none",
                stroke=RING_STROKE,
                stroke_width="2",
            )
        for category, text in panel.sector_labels:
            _svg_text(sectors, text, "sector-label").set("data-category", category)
        entries = _sub(g, "g", class_="entries")
        for placed in panel.entries:
            entry = placed.entry
            style = QUALITY_STYLES[entry.quality]
            eg = _sub(
                entries,
                "g",
                class_="entry",
                id=placed.element_id,
                data_entry_id=str(entry.id),
                data_panel=str(panel.number),
                data_ring=str(entry.ring),
                data_type=str(entry.type),
                data_category=str(entry.category),
                data_quality=str(entry.quality),
                data_frequency=str(entry.frequency),
                data_new="true" if entry.new_since_support else "false",
            )
            ET.SubElement(eg, "title").text = placed.tooltip
            (x0, y0), (x1, y1) = placed.line_from, placed.line_to
            ET.SubElement(
                eg,
                "line",
                {"x1": _n(x0), "y1": _n(y0), "x2": _n(x1), "y2": _n(y1), **_line_attributes(style)},
            )
            ET.SubElement(
                eg,
                "circle",
                {
                    "cx": _n(placed.x),
                    "cy": _n(placed.y),
                    "r": _n(MARKER_R),
                    **_marker_attributes(style, entry.new_since_support),
                },
            )
            _svg_text(eg, placed.text, "entry-label")
        centre = _sub(g, "g", class_="centre")
        _sub(
            centre,
            "circle",
            cx=_n(panel.cx),
            cy=_n(panel.cy),
            r=_n(CENTRE_R),
            fill="#ffffff",
            stroke=INK,
            stroke_width="3",
        )
        _svg_text(centre, panel.centre, "centre-label")
        if panel.empty_note:
            _svg_text(g, panel.empty_note, "empty-note")

    legend = _sub(root, "g", class_="legend", id=f"{uid}-legend")
    _svg_text(legend, layout.legend_heading, "legend-heading")
    for item in layout.legend:
        ig = _sub(legend, "g", class_="legend-item", data_kind=item.kind)
        if item.kind in QUALITY_STYLES:
            ET.SubElement(
                ig,
                "line",
                {
                    "x1": _n(item.x),
                    "y1": _n(item.y),
                    "x2": _n(item.x + 56),
                    "y2": _n(item.y),
                    **_line_attributes(QUALITY_STYLES[item.kind]),
                },
            )
        elif item.kind in ("new", "before"):
            ET.SubElement(
                ig,
                "circle",
                {
                    "cx": _n(item.x + 28),
                    "cy": _n(item.y),
                    "r": _n(MARKER_R),
                    **_marker_attributes(QUALITY_STYLES["supportive"], item.kind == "new"),
                },
            )
        else:
            for r in (5.0, 10.0, 15.0):
                _sub(
                    ig,
                    "circle",
                    cx=_n(item.x + 28),
                    cy=_n(item.y),
                    r=_n(r),
                    fill="none",
                    stroke=RING_STROKE,
                    stroke_width="1.5",
                )
        _svg_text(ig, item.text, "legend-label")

    return ET.tostring(root, encoding="unicode")


# --- PNG -----------------------------------------------------------------------------------------

POINTS_PER_UNIT = 0.72  # 1 unit = 1/100 inch


def ecomap_png(
    *,
    centre_label: str,
    panels: list[tuple[str, list[EcomapEntry]]],
    forbidden_words: Iterable[str] = (),
    dpi: int = 150,
) -> bytes:
    """The same picture as `ecomap_svg`, as PNG bytes (800 units = 8 inches per panel wide)."""
    if not 36 <= dpi <= 600:
        raise ValueError("dpi must be between 36 and 600")
    layout = _layout(centre_label, panels, list(forbidden_words))

    import matplotlib
    from matplotlib import patheffects
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, Polygon

    pt = POINTS_PER_UNIT
    halo: list[patheffects.AbstractPathEffect] = [
        patheffects.withStroke(linewidth=5 * pt, foreground="#ffffff")
    ]
    align = {"start": "left", "middle": "center", "end": "right"}

    with matplotlib.rc_context(
        {"lines.scale_dashes": False, "font.family": "DejaVu Sans", "text.antialiased": True}
    ):
        figure = Figure(figsize=(layout.width / 100, layout.height / 100), dpi=dpi, facecolor="#ffffff")
        FigureCanvasAgg(figure)
        ax = figure.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_xlim(0, layout.width)
        ax.set_ylim(layout.height, 0)
        ax.set_aspect("equal")
        ax.axis("off")

        def text(t: _Text, zorder: float, gid: str | None = None) -> None:
            for y, line in t.baselines():
                artist = ax.text(
                    t.x,
                    y,
                    line,
                    fontsize=t.size * pt,
                    ha=align[t.anchor],
                    va="baseline",
                    color=t.fill,
                    fontweight="bold" if t.bold else "normal",
                    zorder=zorder,
                    gid=gid,
                )
                if t.halo:
                    artist.set_path_effects(halo)

        def line(
            x0: float, y0: float, x1: float, y1: float, style: _LineStyle, zorder: float, gid: str | None
        ) -> None:
            cap: Literal["round", "butt"] = "round" if style.round_cap else "butt"
            artist = Line2D(
                [x0, x1],
                [y0, y1],
                color=style.colour,
                linewidth=style.width * pt,
                zorder=zorder,
                solid_capstyle=cap,
                dash_capstyle=cap,
                gid=gid,
            )
            if style.dash:
                artist.set_linestyle((0, (style.dash[0] * pt, style.dash[1] * pt)))
            ax.add_line(artist)

        def marker(
            x: float, y: float, style: _LineStyle, filled: bool, zorder: float, gid: str | None
        ) -> None:
            face = style.colour if filled else "#ffffff"
            ax.add_patch(
                Circle(
                    (x, y),
                    MARKER_R,
                    facecolor=face,
                    edgecolor=style.colour,
                    linewidth=3 * pt,
                    zorder=zorder,
                    gid=gid,
                )
            )

        for panel in layout.panels:
            if panel.number > 1:
                ax.add_line(
                    Line2D(
                        [panel.left, panel.left],
                        [16, layout.panel_height - 16],
                        color=DIVIDER,
                        linewidth=2 * pt,
                        zorder=1,
                    )
                )
            if panel.heading:
                text(panel.heading, 10)
            for wedge in panel.wedges:
                steps = max(2, int((wedge.end - wedge.start) / 2))
                outer = [
                    _point(
                        panel.cx,
                        panel.cy,
                        RING_R["outer"],
                        wedge.start + (wedge.end - wedge.start) * i / steps,
                    )
                    for i in range(steps + 1)
                ]
                inner = [
                    _point(panel.cx, panel.cy, CENTRE_R, wedge.end - (wedge.end - wedge.start) * i / steps)
                    for i in range(steps + 1)
                ]
                ax.add_patch(
                    Polygon(outer + inner, closed=True, facecolor=wedge.fill, edgecolor="none", zorder=1)
                )
            for angle in panel.dividers:
                (x0, y0) = _point(panel.cx, panel.cy, CENTRE_R, angle)
                (x1, y1) = _point(panel.cx, panel.cy, RING_R["outer"], angle)
                ax.add_line(Line2D([x0, x1], [y0, y1], color=DIVIDER, linewidth=2 * pt, zorder=2))
            for ring in RINGS:
                ax.add_patch(
                    Circle(
                        (panel.cx, panel.cy),
                        RING_R[ring],
                        facecolor="none",
                        edgecolor=RING_STROKE,
                        linewidth=2 * pt,
                        zorder=3,
                    )
                )
            for _, label in panel.sector_labels:
                text(label, 4)
            for i, placed in enumerate(panel.entries):
                style = QUALITY_STYLES[placed.entry.quality]
                z = 5 + i * 0.001
                line(*placed.line_from, *placed.line_to, style, z, placed.element_id)
                marker(
                    placed.x, placed.y, style, placed.entry.new_since_support, z + 0.0003, placed.element_id
                )
                text(placed.text, z + 0.0006, placed.element_id)
            ax.add_patch(
                Circle(
                    (panel.cx, panel.cy),
                    CENTRE_R,
                    facecolor="#ffffff",
                    edgecolor=INK,
                    linewidth=3 * pt,
                    zorder=8,
                )
            )
            text(panel.centre, 9)
            if panel.empty_note:
                text(panel.empty_note, 9)

        text(layout.legend_heading, 10)
        for item in layout.legend:
            if item.kind in QUALITY_STYLES:
                line(item.x, item.y, item.x + 56, item.y, QUALITY_STYLES[item.kind], 10, None)
            elif item.kind in ("new", "before"):
                marker(item.x + 28, item.y, QUALITY_STYLES["supportive"], item.kind == "new", 10, None)
            else:
                for r in (5.0, 10.0, 15.0):
                    ax.add_patch(
                        Circle(
                            (item.x + 28, item.y),
                            r,
                            facecolor="none",
                            edgecolor=RING_STROKE,
                            linewidth=1.5 * pt,
                            zorder=10,
                        )
                    )
            text(item.text, 10)

        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi, facecolor="#ffffff", metadata={"Software": None})
    return buffer.getvalue()


# --- Text alternative ----------------------------------------------------------------------------


def ecomap_table_rows(
    panels: list[tuple[str, list[EcomapEntry]]], *, forbidden_words: Iterable[str] = ()
) -> list[EcomapTableRow]:
    """The entries of each panel as rows for a table, in ring order (inner first), then by category and type.

    Labels are in full (not shortened), with forbidden words replaced by "…".
    """
    scrub = _Scrubber(list(forbidden_words))
    rows: list[EcomapTableRow] = []
    for title, entries in panels:
        panel = scrub(title)
        ordered = sorted(
            entries,
            key=lambda e: (
                RINGS.index(e.ring),
                CATEGORIES.index(e.category),
                TYPE_ORDER[e.type],
                scrub(e.label).casefold(),
                e.id,
            ),
        )
        rows.extend(
            EcomapTableRow(
                panel=panel,
                id=e.id,
                label=scrub(e.label),
                type_label=scrub(_type_label(e.type)),
                category_label=scrub(str(Category(e.category).label)),
                ring_label=scrub(str(Ring(e.ring).label)),
                frequency_label=scrub(str(Frequency(e.frequency).label)),
                quality_label=scrub(str(Quality(e.quality).label)),
                new=e.new_since_support,
            )
            for e in ordered
        )
    return rows
