"""Free text from other directories, made safe and readable as plain text.

Published feeds put HTML in descriptions (`<p>`, lists, links, stray `<span style>`s and the odd
`<img>`). linkwork shows descriptions in plain templates (escaped by Django) on phones, so imported HTML
is turned into **plain text with line breaks**, not kept as markup:

- nh3 (the ammonia HTML sanitiser) first parses the HTML as a browser would, drops `<script>` and
  `<style>` with their content, comments and every attribute except a link's address, and keeps only
  the structural tags listed in `STRUCTURE_TAGS`; other tags go but their text stays.
- The cleaned HTML then becomes text: paragraphs, headings, table rows and `<div>`s are separated by
  a blank line, `<br>` is a line break, list items start with "- " (or "1. " in a numbered list), and
  a link whose address is not its own text keeps the address in brackets after it:
  `<a href="https://example.org">our website</a>` becomes "our website (https://example.org)".
- Entities are decoded (`&amp;` becomes "&"), runs of spaces collapse, and there is never more than
  one blank line in a row.

Text without tags is left as it is (its own line breaks kept), apart from decoding entities and
removing control characters that databases refuse (NUL) or that have no place in text.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3

BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "tr",
        "hr",
        "pre",
        "address",
    }
)
STRUCTURE_TAGS = BLOCK_TAGS | {"br", "ul", "ol", "li", "a", "td", "th", "strong", "em"}
LINK_SCHEMES = {"http", "https", "mailto", "tel"}

# HTML's element names: text is taken as HTML only when it has one of these as a tag, so plain text
# such as "under <five>s" or "<3" stays as it is.
_ELEMENT_NAMES = (
    "a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite "
    "code col colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption "
    "figure font footer form h1 h2 h3 h4 h5 h6 head header hr html i iframe img input ins kbd label legend "
    "li link main map mark math menu meta meter nav noscript object ol optgroup option output p param "
    "picture pre progress q rp rt ruby s samp script section select small source span strike strong style "
    "sub summary sup svg table tbody td template textarea tfoot th thead time title tr track u ul var "
    "video wbr"
)
HTML_ELEMENTS = frozenset(_ELEMENT_NAMES.split())
_TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?\s*>|<!--")
_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
# C0 controls except tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def looks_like_html(text: str) -> bool:
    return "<" in text and any(
        match[0] == "<!--" or match[1].lower() in HTML_ELEMENTS for match in _TAG.finditer(text)
    )


def sanitise_text(text: str) -> str:
    """Plain text from `text`, which may be HTML; see the module docstring for the rules."""
    if not text:
        return ""
    if "<" in text and looks_like_html(text):
        return _html_to_text(text)
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def _html_to_text(markup: str) -> str:
    cleaned = nh3.clean(
        _CONTROL.sub("", markup),
        tags=set(STRUCTURE_TAGS),
        attributes={"a": {"href"}},
        url_schemes=LINK_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    converter = _TextMaker()
    converter.feed(cleaned)
    converter.close()
    return converter.text()


class _TextMaker(HTMLParser):
    """Cleaned HTML (structure tags only) to plain text with line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [0] for bullets, [n] for the next number
        self.links: list[tuple[str, int]] = []  # (href, index of the first part inside the link)

    def _break(self, text: str) -> None:
        self.parts.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self._break("\n\n")
        elif tag == "br":
            self._break("\n")
        elif tag in ("ul", "ol"):
            self._break("\n")
            self.lists.append([1 if tag == "ol" else 0])
        elif tag == "li":
            marker = "- "
            if self.lists and self.lists[-1][0]:
                marker = f"{self.lists[-1][0]}. "
                self.lists[-1][0] += 1
            self._break("\n" + marker)
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append((href, len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self._break("\n\n")
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._break("\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            shown = " ".join("".join(self.parts[start:]).split())
            address = href.removeprefix("mailto:").removeprefix("tel:")
            if address and address.rstrip("/") not in shown and shown.rstrip("/") != address.rstrip("/"):
                self.parts.append(f" ({address})" if shown else address)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(_SPACES.sub(" ", data.replace("\r", " ").replace("\n", " ")))

    def text(self) -> str:
        joined = "".join(self.parts)
        lines = [" ".join(line.split()) if line.strip() else "" for line in joined.split("\n")]
        return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
