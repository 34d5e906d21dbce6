"""Printable pages as A4 PDFs (WeasyPrint): the commissioner report, letters, summaries, subject access."""

from __future__ import annotations

import logging
from pathlib import Path


def pdf_from_html(html: str, *, stylesheet: Path | None = None) -> bytes:
    """A PDF of a standalone page, laid out with `stylesheet` (a file, so no template holds inline styles)
    or with the styles the page carries itself."""
    import weasyprint  # imported here: it loads Pango, which most requests never need

    # WeasyPrint logs each step, and fontTools every font it subsets, at INFO: noise in the service's log.
    for name in ("fontTools", "weasyprint.progress"):
        logging.getLogger(name).setLevel(logging.WARNING)
    stylesheets = [weasyprint.CSS(filename=str(stylesheet))] if stylesheet else []
    pdf: bytes = weasyprint.HTML(string=html, base_url=".").write_pdf(stylesheets=stylesheets)
    return pdf
