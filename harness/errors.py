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


class OptionError(HarnessError):
    """A one-line error (naming the model) about one option of a config entry (a model's, a scorer's); the runner puts the
    config's file, line and field (models[i].FIELD, metrics.NAME.FIELD) in front when it knows them."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field
