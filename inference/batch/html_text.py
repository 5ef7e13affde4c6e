"""Plain text from HTML articles (``--text-format html``, or ``auto`` for text that is obviously HTML).

Uses the standard library's ``html.parser`` (a tolerant, spec-following tokenizer: unclosed tags,
attributes and character references are handled; no third-party parser needed). What it keeps:

- the text content only: tags and attributes are dropped (``data-country="France"`` names no
  country), character references are decoded (``&amp;`` -> ``&``, ``&#233;`` -> ``é``);
- nothing inside ``script``, ``style``, ``noscript``, ``template``, ``head`` or comments;
- block elements (``p``, ``div``, ``li``, ``h1``-``h6``, ``tr``, ``blockquote`` ...) end a paragraph
  (a blank line, which always ends a sentence); ``br`` is a line break; runs of whitespace inside
  a paragraph become one space (except in ``pre``).

**Offsets** (``start``, ``end``, ``mentions`` in ``stances.parquet``) of an HTML record refer to this
extracted text, not to the HTML source: ``html_to_text(record[text_field])`` gives it back exactly.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

TEXT_FORMATS: tuple[str, ...] = ("auto", "text", "html")
BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
    ]
)
SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe", "object"})
_VOID = frozenset(
    {"br", "hr", "img", "input", "meta", "link", "wbr", "area", "base", "col", "embed", "source"}
)
# Obvious HTML: a block or line-break tag, or a document/body tag, or an entity among tags.
_OBVIOUS = re.compile(r"</?(?:p|div|br|html|body|article|section|li|h[1-6]|span|a|table|tr|td)\b[^>]*>", re.I)
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_BREAKS = re.compile(r" *\n *")
_PARAGRAPHS = re.compile(r"\n{3,}")


def looks_like_html(text: str) -> bool:
    """True for text with at least one block, line-break or common inline tag (``<p>``, ``<br/>``, ``</a>``)."""
    return _OBVIOUS.search(text) is not None


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in SKIPPED:
            self.skip += tag not in _VOID
        elif tag == "br":
            self.parts.append("\n")
        elif tag in BLOCKS:
            self.parts.append("\n\n")
            self.pre += tag == "pre"

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skip = max(self.skip - 1, 0)
        elif tag in BLOCKS:
            self.parts.append("\n\n")
            if tag == "pre":
                self.pre = max(self.pre - 1, 0)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.parts.append(data if self.pre else _SPACES.sub(" ", data))


def html_to_text(markup: str) -> str:
    """The text of ``markup``: paragraphs separated by a blank line, stripped (see the module doc)."""
    parser = _Extractor()
    parser.feed(markup)
    parser.close()
    text = _BREAKS.sub("\n", "".join(parser.parts))
    return _PARAGRAPHS.sub("\n\n", text).strip()


def check_text_format(text_format: str) -> None:
    if text_format not in TEXT_FORMATS:
        raise ValueError(f"unknown text_format {text_format!r}; expected one of {list(TEXT_FORMATS)}")


def prepare_text(text: str, text_format: str) -> str:
    """``text`` as the classifier reads it: HTML converted for ``html``, and for ``auto`` if obvious."""
    if text_format == "html" or (text_format == "auto" and looks_like_html(text)):
        return html_to_text(text)
    return text
