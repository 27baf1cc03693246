"""The command line's argument parsing: argparse with one-line errors, number types that refuse nan and inf, paths that are not empty."""

from __future__ import annotations

import argparse
import math
import sys
import typing
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from harness.textio import path_not_utf8, printable_path

EXIT_UNUSABLE = 2
_err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)  # ':x:' in a file name is no emoji


class Parser(argparse.ArgumentParser):
    """argparse with its errors on one line (`error: harness run: argument --limit: ...`), exit 2, no usage block."""

    def error(self, message: str) -> typing.NoReturn:
        """Print the problem in one line, pointing at --help, and exit 2."""
        _err.print(f"[bold red]error:[/] {escape(self.prog)}: {escape(message)} (see {escape(self.prog)} --help)")
        sys.exit(EXIT_UNUSABLE)


def finite(text: str) -> float:
    """A command-line number that is finite (nan and inf would make every gate comparison pass)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def nonempty_path(text: str) -> Path:
    """A command-line path that is not empty ("" would quietly mean the current folder) and is UTF-8 (results
    record their paths as UTF-8 text: a run would fail writing run.json only after every model had run)."""
    if not text.strip():
        raise argparse.ArgumentTypeError('is empty; give a path ("." for the current folder)')
    if problem := path_not_utf8(text):
        raise argparse.ArgumentTypeError(f"{printable_path(text)} {problem}")
    return Path(text)
