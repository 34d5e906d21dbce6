"""The ecomap picture: well-formed SVG with one element per entry, the same picture as PNG, a text
alternative, and never a surname."""

from __future__ import annotations

import itertools
import math
import struct
import xml.etree.ElementTree as ET

import pytest

from linkwork.networks.choices import CATEGORY_OF
from linkwork.networks.ecomap import (
    BAND,
    MARKER_R,
    EcomapEntry,
    ecomap_png,
    ecomap_svg,
    ecomap_table_rows,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
SURNAME = "Featherstonehaugh"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def entry(
    id: int,
    label: str = "",
    type: str = "friend",
    ring: str = "middle",
    quality: str = "supportive",
    frequency: str = "weekly",
    new: bool = False,
) -> EcomapEntry:
    return EcomapEntry(id, label or f"Entry {id}", type, CATEGORY_OF[type], ring, quality, frequency, new)


MAP = [
    entry(1, "Mum", "family", "inner", "supportive", "daily"),
    entry(2, "Dave", "friend", "middle", "mixed"),
    entry(3, "Walking group on Thursdays", "club", "outer", "supportive", new=True),
    entry(4, "Rex", "animal", "inner"),
    entry(5, "GP surgery", "professional", "outer", "difficult", "monthly"),
    entry(6, "Choir", "activity", "middle", new=True),
    entry(7, "Quiet prayer", "spiritual", "outer", "mixed", "less-often"),
]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it


def entries_of(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{{{NS['svg']}}}g") if g.get("class") == "entry"]


def by_class(root: ET.Element, tag: str, css_class: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{{{NS['svg']}}}{tag}") if e.get("class") == css_class]


def visible_text(root: ET.Element) -> str:
    return " ".join(
        "".join(e.itertext()) for e in root.iter() if e.tag.split("}")[1] in ("text", "title", "desc")
    )


def marker(g: ET.Element) -> tuple[float, float]:
    circle = g.find("svg:circle", NS)
    assert circle is not None
    return float(circle.get("cx", "")), float(circle.get("cy", ""))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_svg_is_well_formed_with_one_element_per_entry() -> None:
    root = parse(ecomap_svg(centre_label="Sam", panels=[("", MAP)]))

    groups = entries_of(root)
    assert len(groups) == len(MAP)
    by_id = {g.get("id"): g for g in groups}
    assert set(by_id) == {f"entry-{e.id}" for e in MAP}
    for e in MAP:
        g = by_id[f"entry-{e.id}"]
        assert g.get("data-entry-id") == str(e.id)
        assert g.get("data-ring") == e.ring
        assert g.get("data-type") == e.type
        assert g.get("data-category") == e.category
        assert g.get("data-quality") == e.quality
        assert g.get("data-frequency") == e.frequency
        assert g.get("data-new") == ("true" if e.new_since_support else "false")
        assert len(g.findall("svg:line", NS)) == 1
        assert len(g.findall("svg:circle", NS)) == 1
        assert len(g.findall("svg:text", NS)) == 1


def test_the_svg_is_an_accessible_image_with_title_and_description() -> None:
    root = parse(ecomap_svg(centre_label="Sam", panels=[("Now", MAP)]))

    assert root.tag == f"{{{NS['svg']}}}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("width") is None  # scales to its container
    title, desc = root.find("svg:title", NS), root.find("svg:desc", NS)
    assert title is not None and desc is not None
    assert title.text == "Network map for Sam: Now"
    assert desc.text is not None
    assert (
        "Now: 7 entries. 2 in the inner ring (closest), 2 in the middle ring, 3 in the outer ring."
        in desc.text
    )
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_the_person_is_at_the_centre_of_three_rings() -> None:
    root = parse(ecomap_svg(centre_label="Sam", panels=[("", MAP)]))

    rings = by_class(root, "circle", "ring")
    assert [r.get("data-ring") for r in rings] == ["inner", "middle", "outer"]
    assert len({(r.get("cx"), r.get("cy")) for r in rings}) == 1
    radii = [float(r.get("r", "")) for r in rings]
    assert radii == sorted(radii)
    (centre,) = by_class(root, "g", "centre")
    assert "".join(centre.itertext()) == "Sam"
    circle = centre.find("svg:circle", NS)
    assert circle is not None
    assert (circle.get("cx"), circle.get("cy")) == (rings[0].get("cx"), rings[0].get("cy"))


def test_entries_sit_in_the_band_of_their_ring_and_the_sector_of_their_category() -> None:
    root = parse(ecomap_svg(centre_label="Sam", panels=[("", MAP)]))
    ring = by_class(root, "circle", "ring")[0]
    cx, cy = float(ring.get("cx", "")), float(ring.get("cy", ""))

    for g in entries_of(root):
        x, y = marker(g)
        low, high = BAND[g.get("data-ring", "")]
        assert low < math.hypot(x - cx, y - cy) < high
    sectors = {t.get("data-category") for t in by_class(root, "text", "sector-label")}
    assert sectors == {"people", "groups", "activities", "animals", "spiritual"}


def test_line_style_shows_quality_and_a_filled_marker_shows_new() -> None:
    root = parse(ecomap_svg(centre_label="Sam", panels=[("", MAP)]))
    groups = {g.get("id"): g for g in entries_of(root)}

    def line(entry_id: int) -> ET.Element:
        found = groups[f"entry-{entry_id}"].find("svg:line", NS)
        assert found is not None
        return found

    assert line(1).get("stroke-dasharray") is None  # supportive: solid
    assert float(line(1).get("stroke-width", "")) > float(line(2).get("stroke-width", ""))
    assert line(2).get("stroke-dasharray") is not None  # mixed: dashed
    assert line(5).get("stroke-dasharray") is not None  # difficult: dotted, in red
    assert line(5).get("stroke-linecap") == "round"
    assert len({line(1).get("stroke"), line(2).get("stroke"), line(5).get("stroke")}) == 3

    def fill(entry_id: int) -> str | None:
        circle = groups[f"entry-{entry_id}"].find("svg:circle", NS)
        assert circle is not None
        return circle.get("fill")

    assert fill(1) == "#ffffff"
    assert fill(3) != "#ffffff"


def test_there_is_a_legend() -> None:
    root = parse(ecomap_svg(centre_label="Sam", panels=[("", MAP)]))

    (legend,) = by_class(root, "g", "legend")
    kinds = [g.get("data-kind") for g in legend.iter(f"{{{NS['svg']}}}g") if g.get("class") == "legend-item"]
    assert kinds == ["supportive", "mixed", "difficult", "new", "before", "rings"]
    text = "".join(legend.itertext())
    for words in (
        "Key",
        "Supportive",
        "Mixed",
        "Difficult",
        "New since support began",
        "Inner ring is closest",
    ):
        assert words in text


def test_long_labels_are_shortened_in_the_picture_but_whole_in_the_tooltip() -> None:
    long = "Walking group on Thursdays at the park"
    root = parse(ecomap_svg(centre_label="Sam", panels=[("", [entry(1, long, "club")])]))

    (g,) = entries_of(root)
    label = g.find("svg:text", NS)
    assert label is not None
    lines = [t.text or "" for t in label.findall("svg:tspan", NS)]
    assert 1 <= len(lines) <= 2
    shown = " ".join(lines)
    assert len(shown) <= 18
    assert shown.endswith("…")
    tooltip = g.find("svg:title", NS)
    assert tooltip is not None and tooltip.text is not None
    assert tooltip.text.startswith(long)


def test_markup_in_labels_is_escaped() -> None:
    svg = ecomap_svg(centre_label="<b>Sam</b>", panels=[("", [entry(1, '<script>"x" & y')])])

    assert "<script>" not in svg
    root = parse(svg)
    (g,) = entries_of(root)
    assert "<script>" in "".join(g.itertext())


def test_surnames_are_never_rendered_even_when_typed_into_labels() -> None:
    entries = [
        entry(1, f"Dad {SURNAME}", "family", "inner"),
        entry(2, f"{SURNAME.upper()} family WhatsApp", "online"),
        entry(3, f"{SURNAME.lower()}'s allotment", "club", "outer"),
        entry(4, f"Cousin Jo {SURNAME} who lives far away", "family", "outer"),
    ]
    panels = [(f"{SURNAME} before", entries), ("After", entries)]
    svg = ecomap_svg(centre_label=f"Sam {SURNAME}", panels=panels, forbidden_words=[SURNAME])
    png = ecomap_png(centre_label=f"Sam {SURNAME}", panels=panels, forbidden_words=[SURNAME])
    rows = ecomap_table_rows(panels, forbidden_words=[SURNAME])

    # Not even the part that a shortened label would have kept.
    assert SURNAME[:6].lower() not in svg.lower()
    assert png.startswith(PNG_SIGNATURE)
    assert all(SURNAME[:6].lower() not in str(value).lower() for row in rows for value in row.values())
    root = parse(svg)
    assert "".join(by_class(root, "g", "centre")[0].itertext()) == "Sam …"
    assert "Dad …" in visible_text(root)
    assert {row["label"] for row in rows} >= {"Dad …", "… family WhatsApp", "…'s allotment"}


def test_forbidden_words_are_whole_words_in_any_case() -> None:
    rows = ecomap_table_rows(
        [("", [entry(1, "Jo Smith"), entry(2, "SMITH-JONES"), entry(3, "Smithson's cafe")])],
        forbidden_words=["smith", "", "  "],
    )

    assert {row["id"]: row["label"] for row in rows} == {1: "Jo …", 2: "…-JONES", 3: "Smithson's cafe"}


def test_a_forbidden_phrase_matches_across_spacing() -> None:
    svg = ecomap_svg(
        centre_label="Sam",
        panels=[("", [entry(1, "Uncle  Van der   Berg")])],
        forbidden_words=["van der berg"],
    )

    assert "berg" not in svg.lower()
    assert "Uncle …" in svg


@pytest.mark.parametrize("panels", [[("", [])], [("Before", []), ("After", [])]])
def test_empty_maps_render(panels: list[tuple[str, list[EcomapEntry]]]) -> None:
    root = parse(ecomap_svg(centre_label="Sam", panels=panels))

    assert entries_of(root) == []
    assert len(by_class(root, "circle", "ring")) == 3 * len(panels)
    assert by_class(root, "text", "sector-label") == []
    assert "No entries yet" in visible_text(root)
    assert ecomap_png(centre_label="Sam", panels=panels).startswith(PNG_SIGNATURE)
    assert ecomap_table_rows(panels) == []


@pytest.mark.parametrize("type", ["animal", "spiritual"])
def test_maps_with_one_kind_of_entry_render(type: str) -> None:
    entries = [
        entry(i, f"Entry {i}", type, ring) for i, ring in enumerate(["inner", "middle", "outer", "inner"], 1)
    ]
    root = parse(ecomap_svg(centre_label="Sam", panels=[("", entries)]))

    assert len(entries_of(root)) == 4
    assert [t.get("data-category") for t in by_class(root, "text", "sector-label")] == [CATEGORY_OF[type]]
    assert by_class(root, "path", "sector") == []  # one sector is the whole circle
    assert ecomap_png(centre_label="Sam", panels=[("", entries)]).startswith(PNG_SIGNATURE)


def test_two_panels_are_side_by_side() -> None:
    baseline = MAP[:3]
    end = MAP
    one = parse(ecomap_svg(centre_label="Sam", panels=[("Before", baseline)]))
    two = parse(ecomap_svg(centre_label="Sam", panels=[("Before", baseline), ("After", end)]))

    width_one, height_one = (float(v) for v in one.get("viewBox", "").split()[2:])
    width_two, height_two = (float(v) for v in two.get("viewBox", "").split()[2:])
    assert width_two == 2 * width_one
    assert height_two <= height_one  # the wider legend needs fewer rows
    assert width_two / height_two > 1.4  # fills a landscape page

    panels = by_class(two, "g", "panel")
    assert [p.get("data-panel") for p in panels] == ["1", "2"]
    centres = [float(by_class(p, "circle", "ring")[0].get("cx", "")) for p in panels]
    assert centres[0] < width_one < centres[1]
    assert [t.text for t in by_class(two, "text", "panel-title")] == ["Before", "After"]

    # The same entry in both panels still has a unique element id.
    groups = entries_of(two)
    assert len(groups) == len(baseline) + len(end)
    ids = [g.get("id") for g in groups]
    assert len(set(ids)) == len(ids)
    assert "panel1-entry-1" in ids and "panel2-entry-1" in ids
    for g in groups:
        assert g.get("id") == f"panel{g.get('data-panel')}-entry-{g.get('data-entry-id')}"
        x, _ = marker(g)
        assert (x < width_one) == (g.get("data-panel") == "1")


def test_sectors_are_in_the_same_place_in_both_panels() -> None:
    two = parse(ecomap_svg(centre_label="Sam", panels=[("Before", MAP[:2]), ("After", MAP)]))
    first, second = by_class(two, "g", "panel")
    width = float(two.get("viewBox", "").split()[2]) / 2

    def sectors(panel: ET.Element, shift: float) -> list[tuple[str | None, float, float]]:
        return [
            (t.get("data-category"), float(t.get("x", "")) - shift, float(t.get("y", "")))
            for t in by_class(panel, "text", "sector-label")
        ]

    assert sectors(first, 0) == sectors(second, width)


@pytest.mark.parametrize("ring", ["inner", "middle", "outer"])
def test_many_entries_in_one_sector_do_not_overlap(ring: str) -> None:
    crowd = [entry(i, f"Friend {i}", "friend", ring) for i in range(1, 41)]
    others = [entry(100, "Choir", "activity"), entry(101, "Rex", "animal")]
    root = parse(ecomap_svg(centre_label="Sam", panels=[("", crowd + others)]))

    positions = [marker(g) for g in entries_of(root)]
    assert len(set(positions)) == len(positions)
    closest = min(math.dist(a, b) for a, b in itertools.combinations(positions, 2))
    assert closest >= 2 * MARKER_R


def test_lines_from_the_centre_do_not_coincide() -> None:
    entries = [
        entry(1, "A", "friend", "inner"),
        entry(2, "B", "friend", "middle"),
        entry(3, "C", "friend", "outer"),
    ]
    root = parse(ecomap_svg(centre_label="Sam", panels=[("", entries)]))
    ring = by_class(root, "circle", "ring")[0]
    cx, cy = float(ring.get("cx", "")), float(ring.get("cy", ""))

    angles = {round(math.atan2(y - cy, x - cx), 3) for x, y in map(marker, entries_of(root))}
    assert len(angles) == 3


def test_the_svg_is_deterministic() -> None:
    panels = [("Before", MAP[:4]), ("After", MAP)]

    first = ecomap_svg(centre_label="Sam", panels=panels, forbidden_words=[SURNAME])
    assert ecomap_svg(centre_label="Sam", panels=list(panels), forbidden_words=(SURNAME,)) == first
    assert ecomap_svg(centre_label="Sam", panels=[("Before", MAP[:3]), ("After", MAP)]) != first


def test_the_png_is_a_sensible_picture() -> None:
    one = ecomap_png(centre_label="Sam", panels=[("Now", MAP)])
    two = ecomap_png(centre_label="Sam", panels=[("Before", MAP[:3]), ("After", MAP)], dpi=100)

    assert one.startswith(PNG_SIGNATURE)
    assert 10_000 < len(one) < 2_000_000
    width, height = png_size(one)
    assert width == 1200  # 8 inches at 150 dpi
    assert 1000 < height < 2000
    width, height = png_size(two)
    assert width == 1600
    assert width / height > 1.4
    assert ecomap_png(centre_label="Sam", panels=[("Now", MAP)]) == one


def test_png_resolution_is_bounded() -> None:
    with pytest.raises(ValueError, match="dpi"):
        ecomap_png(centre_label="Sam", panels=[("", MAP)], dpi=5000)


def test_the_table_is_the_text_alternative() -> None:
    rows = ecomap_table_rows([("Before", MAP[:2]), ("After", MAP)])

    assert len(rows) == 2 + len(MAP)
    assert [(r["panel"], r["label"]) for r in rows[:2]] == [("Before", "Mum"), ("Before", "Dave")]
    after = [r for r in rows if r["panel"] == "After"]
    assert [r["label"] for r in after] == [
        "Mum",
        "Rex",
        "Dave",
        "Choir",
        "GP surgery",
        "Walking group on Thursdays",
        "Quiet prayer",
    ]  # inner ring first, then by category and type
    assert after[1] == {
        "panel": "After",
        "id": 4,
        "label": "Rex",
        "type_label": "Animal or pet",
        "category_label": "Animals and pets",
        "ring_label": "Inner: closest",
        "frequency_label": "Weekly",
        "quality_label": "Supportive",
        "new": False,
    }
    assert [r["new"] for r in after if r["new"]] == [True, True]


def test_entries_must_use_known_values() -> None:
    with pytest.raises(ValueError, match="ring"):
        EcomapEntry(1, "Mum", "family", "people", "closest", "supportive", "daily", False)
    with pytest.raises(ValueError, match="category"):
        EcomapEntry(1, "Mum", "family", "groups", "inner", "supportive", "daily", False)
    with pytest.raises(ValueError, match="type"):
        EcomapEntry(1, "Mum", "aunt", "people", "inner", "supportive", "daily", False)


def test_one_or_two_panels_each_with_an_entry_once() -> None:
    with pytest.raises(ValueError, match="one or two panels"):
        ecomap_svg(centre_label="Sam", panels=[])
    with pytest.raises(ValueError, match="one or two panels"):
        ecomap_svg(centre_label="Sam", panels=[("a", []), ("b", []), ("c", [])])
    with pytest.raises(ValueError, match="twice"):
        ecomap_svg(centre_label="Sam", panels=[("", [entry(1), entry(1)])])
