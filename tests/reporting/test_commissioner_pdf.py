"""The commissioner PDF opens, is A4, shows its charts and carries the methods note."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from linkwork.reporting.exporting import commissioner_pdf
from tests.reporting.test_reports import sample_report

A4_POINTS = (595.0, 842.0)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return commissioner_pdf(sample_report())


def _text(document: pdfium.PdfDocument) -> str:
    return "\n".join(document[index].get_textpage().get_text_range() for index in range(len(document)))


def test_the_pdf_is_a4_and_its_first_page_is_not_blank(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    document = pdfium.PdfDocument(pdf)
    try:
        width, height = document[0].get_size()
        assert (round(width), round(height)) == A4_POINTS
        image = document[0].render(scale=1).to_pil().convert("L")
        histogram = image.histogram()
        dark = sum(histogram[:200])
        # Page 1 has the title, the referrals chart (solid bars) and the waiting-times chart.
        assert dark / sum(histogram) > 0.05
    finally:
        document.close()


def test_the_pdf_has_the_charts_their_words_and_the_methods_note(pdf: bytes) -> None:
    document = pdfium.PdfDocument(pdf)
    try:
        assert len(document) >= 4
        text = _text(document)
    finally:
        document.close()
    # Axis labels are drawn inside the charts' SVG, so finding them means the charts were drawn.
    for axis_label in (
        "Referrals received",
        "Days from referral to first contact",
        "UCLA-3 score (3 least lonely, 9 most lonely)",
        "Gaps recorded",
        "Mean change in UCLA-3 score",
    ):
        assert axis_label in text
    assert "Methods" in text
    assert 'is shown as "<5"' in text
    assert "Riverside Connectors: Q1 2026" in text
    assert "Page 1 of" in text
