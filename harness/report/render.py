"""Rendering the report's one data model (harness.report.view) to report.html and report.md with Jinja.

Every value is escaped for its format by the environment, not by each template line, so no template can
forget it:
- HTML: Jinja autoescaping. Model text, run names and configs can hold `<script>` or `<img onerror=...>`
  and render as text; only the charts' SVG, which the harness draws itself, is inserted as markup. The
  page's one inline script is allowed by its SHA-256 in the Content-Security-Policy (never
  'unsafe-inline'), so a script injected anyway would not run.
- Markdown: every value passes `finalize`, which turns `& < >` into entities (a CommonMark viewer shows
  `<img src=x onerror=...>` as text) and backslash-escapes Markdown's own syntax (emphasis, links, tables,
  headings). Code (configs, signatures) goes into fences or code spans longer than any backtick run in it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from harness.report.view import Page

SCRIPT_TEMPLATE = "report.js"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def md_escape(value: Any) -> Markup:
    """Text safe to put anywhere in Markdown prose or a table cell: no HTML, no Markdown syntax, one line."""
    if isinstance(value, Markup):
        return value
    text = str(value if value is not None else "")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Markup(_MD_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", text)))


def md_code(value: Any) -> Markup:
    """An inline code span that the text cannot close (its backtick runs are shorter than the fence)."""
    text = " ".join(str(value).split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")


def md_url(value: Any) -> Markup:
    """A link destination: percent-encoded, so no character of it can end the link or start markup."""
    return Markup(quote(str(value), safe="/#-._~"))


def md_fence(text: str) -> str:
    """A code fence longer than any run of backticks in text, so the text cannot close it."""
    return "`" * max(3, max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)


def _environment(markdown: bool) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("harness.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=md_escape if markdown else None,
    )
    environment.filters.update(md_code=md_code, md_fence=md_fence, md_url=md_url)
    environment.tests.update(text=lambda v: isinstance(v, str), listed=lambda v: isinstance(v, (list, tuple)))
    return environment


_HTML, _MARKDOWN = _environment(False), _environment(True)


def script() -> str:
    """The page's inline script (sorting tables, the flagged-only filter)."""
    return _HTML.loader.get_source(_HTML, SCRIPT_TEMPLATE)[0].strip()


def script_hash(text: str) -> str:
    """The CSP source that allows exactly this inline script: 'sha256-<base64>'."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def render_html(page: Page, version: str) -> str:
    """report.html: self-contained (inline CSS, SVG and one hashed script; nothing is fetched)."""
    code = script()
    return _HTML.get_template("report.html.j2").render(page=page, version=version, script=Markup(code), script_hash=Markup(script_hash(code)))


def render_markdown(page: Page, version: str) -> str:
    """report.md: the same sections as Markdown, charts as PNG files beside it."""
    return _MARKDOWN.get_template("report.md.j2").render(page=page, version=version)
