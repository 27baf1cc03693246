"""The report's one data model: sections of typed blocks (paragraphs, tables, charts, documents) holding
inline text (plain strings, styled spans, nested marks).

Every section is composed once, in Python, out of these blocks; report.html.j2 and report.md.j2 each
have one macro per block kind and loop over the sections, so a section is never written twice and the
two formats cannot drift. Values are raw text: each template escapes every value for its format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Union


@dataclass(frozen=True)
class Span:
    """A piece of inline text with an optional style, link and hover text."""

    kind: ClassVar[str] = "span"
    text: str
    cls: str = ""  # HTML class (muted, small, ...); Markdown shows the text plainly
    href: str = ""  # "#anchor" (links stay inside the report)
    title: str = ""  # hover text (HTML only)
    strong: bool = False
    code: bool = False


@dataclass(frozen=True)
class Mark:
    """Marked text (a checked claim, a judged sentence): children nested inside, a short marker after it.

    HTML shows it highlighted with the note on hover; Markdown writes the text then the marker ("[✗]")."""

    kind: ClassVar[str] = "mark"
    children: tuple[Inline, ...]
    cls: str  # verdict class: supported, contradicted, not_in_article, entity ...
    marker: str  # "✗ contradicted"
    title: str = ""


Inline = Union[str, Span, Mark, "list[Inline]", "tuple[Inline, ...]"]


@dataclass(frozen=True)
class Para:
    """A paragraph."""

    kind: ClassVar[str] = "para"
    content: Inline
    cls: str = ""


@dataclass(frozen=True)
class Bullets:
    """A bulleted list of inline items."""

    kind: ClassVar[str] = "bullets"
    items: list[Inline]
    cls: str = ""


@dataclass(frozen=True)
class Cell:
    """A table cell; `sort` is the value the HTML table sorts by (numbers sort as numbers)."""

    content: Inline
    numeric: bool = False
    sort: float | str | None = None
    cls: str = ""
    header: bool = False  # a row header (the model's name)


@dataclass(frozen=True)
class Row:
    """A table row; flagged rows stay when the page is filtered to what went wrong."""

    cells: list[Cell]
    flagged: bool | None = None  # None: not subject to the filter


@dataclass(frozen=True)
class Table:
    """A table with headers; sortable ones sort by a click on a header (HTML with script)."""

    kind: ClassVar[str] = "table"
    id: str
    headers: list[Inline]
    rows: list[Row]
    numeric: list[bool] = field(default_factory=list)  # per column: right-aligned
    sortable: bool = True
    cls: str = ""
    titles: list[str] = field(default_factory=list)  # per column: hover text explaining the header


@dataclass(frozen=True)
class Chart:
    """A chart drawn by the harness: SVG inline in HTML, a PNG file beside report.md."""

    name: str  # file stem: "d1-rouge-f1"
    title: str
    svg: str
    png: str  # path relative to report.md


@dataclass(frozen=True)
class Charts:
    """Charts side by side."""

    kind: ClassVar[str] = "charts"
    charts: list[Chart]


@dataclass(frozen=True)
class Details:
    """Detail on demand: collapsed in HTML, a labelled block in Markdown."""

    kind: ClassVar[str] = "details"
    summary: Inline
    blocks: list[Block]


@dataclass(frozen=True)
class Pre:
    """Preformatted text (a config as JSON)."""

    kind: ClassVar[str] = "pre"
    text: str
    lang: str = ""


@dataclass(frozen=True)
class Filter:
    """The HTML page's 'only flagged documents' switch (shown only when the script runs)."""

    kind: ClassVar[str] = "filter"
    label: str


@dataclass(frozen=True)
class SummaryCard:
    """One model's summary of a document, its marks, and its figures."""

    id: str  # anchor: the document's, then the model's
    model: str
    content: Inline
    stats: Inline
    flagged: bool
    error: str | None = None


@dataclass(frozen=True)
class DocumentView:
    """One document in detail: the summaries marked up, the references, the article, its fact matrix."""

    kind: ClassVar[str] = "document"
    id: str  # anchor
    heading: str
    meta: Inline
    flagged: bool
    summaries: list[SummaryCard]
    references: list[tuple[str, str]]
    paragraphs: list[str]
    matrix: Table | None = None


@dataclass(frozen=True)
class Section:
    """A headed section (level 2) or subsection (3) with an anchor."""

    kind: ClassVar[str] = "section"
    id: str
    title: str
    blocks: list[Block]
    level: int = 2
    short: str = ""  # its name in the table of contents, when shorter than the title


Block = Union[Para, Bullets, Table, Charts, Details, Pre, Filter, DocumentView, Section]  # noqa: UP007 (a runtime alias of forward types)


@dataclass(frozen=True)
class Page:
    """The whole report."""

    title: str
    intro: list[Block]
    sections: list[Section]

    def toc(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """(anchor, title, subsections) of every section, for the table of contents."""
        return [(s.id, s.title, [(b.id, b.short or b.title) for b in s.blocks if isinstance(b, Section)]) for s in self.sections]
