"""report.html: one self-contained page (inline CSS and SVG, no script, no network) from a report context.

Jinja2 autoescaping is on for every value: model-generated text (summaries, claims, reasons) can
contain markup such as `<script>` or `</table>` and must render as text. Only the charts' SVG, which
the harness itself draws, is inserted as markup. A Content-Security-Policy forbids scripts outright.
"""

from __future__ import annotations

from typing import Any

import jinja2

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("harness.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(context: dict[str, Any]) -> str:
    """The report page for a context built by harness.report.build_context."""
    return _ENVIRONMENT.get_template("report.html.j2").render(**context)
