"""What a report may replace in its --out folder. A report replaces report.md, report.html and its chart folder
report_files/ whole (staged and swapped in together, harness.store.staged), so each must be the harness's own or
absent: harness.runlock.report_out refuses a report.md the harness did not write; this refuses what a swap would
delete or write through (a folder named report.md, a link named report_files, a chart the harness did not draw)."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from harness.errors import HarnessError

CHART_MARK = "summarization-harness"  # the Software field of every chart PNG the harness draws (harness.report.charts)
_INSTEAD = "move it away yourself, or give --out another folder"


def keep_others(folder: Path, names: Sequence[str], charts: str) -> None:
    """Refuse, in one line, a report in folder that would delete or write through something not the harness's: `names`
    (report files, already known to be the harness's where they are files) that are not files, or anything in the chart
    folder `charts` but charts the harness drew."""
    for name in names:
        what = _not_a_file(folder / name)
        if what:
            raise HarnessError(f"{folder / name}: is {what}, not a report; a report replaces {name} whole: {_INSTEAD}")
    path = folder / charts
    if path.is_symlink():  # the charts would be written wherever it leads, out of --out
        raise HarnessError(f"{path}: is a symlink; a report writes its charts into a folder of that name, never through a link: "
                           "remove the link, or give --out another folder")  # fmt: skip
    what = _not_a_file(path) or ("a file" if path.exists() else "")
    if what and what != "a folder":
        raise HarnessError(f"{path}: is {what}, not a folder; a report writes its charts into a folder of that name: {_INSTEAD}")
    if path.is_dir():
        _keep_foreign_charts(path, [folder / name for name in names])


def _keep_foreign_charts(charts: Path, reports: list[Path]) -> None:
    """Refuse a chart folder holding anything but charts the harness drew. A chart of an earlier version, which had no
    mark, counts where the report beside it (the harness's, as report_out checked) shows it."""
    try:
        entries = sorted(charts.iterdir())
    except OSError as error:
        raise HarnessError(f"{charts}: cannot read the folder ({error.strerror or error})") from None
    shown: str | None = None
    for entry in entries:
        what = "a symlink" if entry.is_symlink() else _not_a_file(entry)
        if not what and not _is_chart(entry):
            shown = "\n".join(_read(report) for report in reports) if shown is None else shown
            if f"{charts.name}/{entry.name}" not in shown:
                what = "a file the harness did not draw (no chart mark in it, and no report beside it shows it)"
        if what:
            raise HarnessError(f"{entry}: is {what}; a report replaces {charts.name}/ whole and would delete it: {_INSTEAD}")


def _not_a_file(path: Path) -> str:
    """What path is where it is there but is neither a file nor a link (a link is replaced, not followed); else ""."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return ""
    return "" if stat.S_ISREG(mode) or stat.S_ISLNK(mode) else "a folder" if stat.S_ISDIR(mode) else "a device, pipe or socket"


def _is_chart(path: Path) -> bool:
    """Whether path is a PNG the harness drew (its mark within the first few KB)."""
    try:
        with open(path, "rb") as file:
            head = file.read(4096)
    except OSError:
        return False
    return head.startswith(b"\x89PNG") and CHART_MARK.encode() in head


def _read(path: Path) -> str:
    """path's text ("" where it is missing or cannot be read)."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
