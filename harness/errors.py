"""The one exception type for unusable input."""

from __future__ import annotations


class HarnessError(Exception):
    """Unusable input (config, file, document or model): the message is one line naming what and where.

    The CLI prints it without a traceback and exits 2. Bugs are not wrapped in it.
    """
