"""The one exception type for unusable input."""

from __future__ import annotations


class HarnessError(Exception):
    """Unusable input (config, file, document or model): the message is one line naming what and where.

    The CLI prints it without a traceback and exits 2. Bugs are not wrapped in it.
    """


def first_line(error: BaseException) -> str:
    """The first line of an exception's message, or its type's name (library errors run to paragraphs)."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
