"""No template holds inline code the Content Security Policy would block: no inline <script>, no <style>
element (except the commissioner report's, allowed by its hash), no style attribute, no on... handler and
no javascript: address. Charts drawn on the server hold none either."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import linkwork
from linkwork.reporting.exporting import commissioner_html
from tests.reporting.test_reports import sample_report

SOURCE = Path(linkwork.__file__).parent
TEMPLATES = sorted(path for path in SOURCE.glob("**/templates/**/*") if path.suffix in {".html", ".txt"})
# Printed to PDF by WeasyPrint from the same page, so its stylesheet stays inline; the policy allows
# exactly this stylesheet by its hash (test_headers checks the hash).
HASHED_STYLE = SOURCE / "reporting/templates/reporting/commissioner.html"

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)


def inline_code(text: str, *, style_element_allowed: bool = False) -> list[str]:
    found = [
        name
        for name, pattern in (
            ("inline <script>", INLINE_SCRIPT),
            ("style attribute", STYLE_ATTRIBUTE),
            ("on... handler", HANDLER),
            ("javascript: address", JAVASCRIPT_URL),
        )
        if pattern.search(text)
    ]
    if not style_element_allowed and STYLE_ELEMENT.search(text):
        found.append("<style> element")
    return found


def test_the_templates_are_found() -> None:
    assert SOURCE / "web/templates/base.html" in TEMPLATES
    assert HASHED_STYLE in TEMPLATES
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(SOURCE)))
def test_no_template_holds_inline_code(template: Path) -> None:
    text = template.read_text()
    assert inline_code(text, style_element_allowed=template == HASHED_STYLE) == []


def test_the_commissioner_stylesheet_is_plain_text_so_its_hash_holds() -> None:
    style = re.search(r"<style>(.*?)</style>", HASHED_STYLE.read_text(), re.S)
    assert style is not None
    assert "{%" not in style.group(1) and "{{" not in style.group(1)


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>",
        '<script type="module">import "x";</script>',
        '<p style="color: red">',
        "<style>p { color: red }</style>",
        '<button onclick="go()">',
        '<body onload="go()">',
        '<a href="javascript:go()">',
    ],
)
def test_the_scan_finds_each_kind_of_inline_code(markup: str) -> None:
    assert inline_code(markup) != []


def test_the_scan_allows_scripts_from_files() -> None:
    assert inline_code('<script type="module" src="/static/web/start-govuk.js" data-x="y"></script>') == []
    assert inline_code('<a class="online" data-confirm-on="x">') == []


def test_server_drawn_charts_hold_no_inline_style() -> None:
    html = commissioner_html(sample_report())
    charts = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(charts) == 5
    for chart in charts:
        assert inline_code(chart) == []
        # What matplotlib put in styles is now presentation attributes.
        assert 'fill="#' in chart and "font-size=" in chart and 'stroke-linejoin="round"' in chart
