"""Reading input files as text, JSON and JSON Lines: every fault is one line naming the file (and line).

Every file the harness reads (configs, documents, JSONL, precomputed summaries, baselines, results
folders) goes through these helpers, so that invalid UTF-8, a lone surrogate escaped in JSON, a key given
twice in one JSON object, nesting too deep to handle or an unreadable path or folder is reported the same
way everywhere: `FILE:LINE: what`, never a traceback from deep inside a library nor a silently empty listing.
The paths a config gives are read here too (resolve_path, existing_path), and checked for what a run must refuse
up front: a name that is not UTF-8 (path_not_utf8) and a place inside the folder a run replaces (within).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

MAX_DEPTH = 64  # JSON deeper than this is not a document or a result: refuse it before anything recurses on it
MAX_VALUES = 1_000_000  # values a decoded file may expand to (YAML aliases can multiply a small file)
# what no one-line message shows as itself: C0 and C1 controls, DEL and the Unicode line and paragraph separators
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def read_text(path: str | Path, limit: int | None = None) -> str:
    """A file's text, decoded as strict UTF-8 (a leading byte-order mark dropped); more than `limit` bytes is an error."""
    path = Path(path)
    data = read_bytes(path, limit)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HarnessError(_not_utf8(path, data, error.start)) from None
    return text.removeprefix("\ufeff")


def read_text_or_pipe(path: Path, limit: int) -> str:
    """The text of a file or of a pipe (a shell's <(command)), at most `limit` bytes; a device or socket is refused:
    /dev/zero or /dev/urandom would never end, and a pipe whose writer does not stop ends at the limit."""
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = 0  # read_text says why it cannot be read
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        raise HarnessError(f"{path}: is a device or socket, not a file; give a text file, or a pipe such as <(command)")
    return read_text(path, limit)


def read_bytes(path: str | Path, limit: int | None = None) -> bytes:
    """A file's bytes; a missing, unreadable or non-file path, or one longer than `limit` bytes, is a one-line HarnessError."""
    path = Path(path)
    try:
        if limit is None:
            return path.read_bytes()
        with path.open("rb") as file:  # a pipe whose writer never stops ends here, not when memory runs out
            data = file.read(limit + 1)
    except OSError as error:
        raise _unreadable(path, error) from None
    if len(data) > limit:
        raise HarnessError(f"{path}: holds more than {limit:,} bytes, the most the harness reads from it; give a file of that size or less")
    return data


def _unreadable(path: Path, error: OSError) -> HarnessError:
    """The one-line error for a path that cannot be opened: missing, a folder, or refused by the system."""
    if isinstance(error, FileNotFoundError):
        return HarnessError(f"{path}: no such file")
    if isinstance(error, IsADirectoryError):
        return HarnessError(f"{path}: is a folder, not a file")
    return HarnessError(f"{path}: cannot be read ({error.strerror or error})")


def path_kind(path: Path) -> str:
    """What path is: 'file', 'folder', 'missing', 'broken link' or 'special' (a device, pipe or socket).

    A path that cannot even be looked at (a folder above it without read permission) is a one-line error naming that
    folder: is_file() and exists() would raise PermissionError, and glob() would quietly find nothing.
    """
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "broken link" if path.is_symlink() else "missing"
    except PermissionError as error:
        raise _unlistable(path.parent, error) from None
    except OSError as error:  # a link that points to itself, a name too long, an I/O error
        raise HarnessError(f"{path}: cannot be read ({error.strerror or error})") from None
    return "folder" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "special"


def kind_in_words(kind: str) -> str:
    """A `path_kind` answer as a message says it: "does not exist", "is a folder", "is a broken link", ..."""
    return {"missing": "does not exist", "file": "is a file", "folder": "is a folder", "broken link": "is a broken link",
            "special": "is a device, pipe or socket"}[kind]  # fmt: skip


def list_folder(folder: Path) -> list[Path]:
    """The entries of a folder, sorted; an unreadable folder is a one-line error, not an empty list."""
    try:
        return sorted(folder.iterdir())
    except OSError as error:
        raise _unlistable(folder, error) from None


def _unlistable(folder: Path, error: OSError) -> HarnessError:
    return HarnessError(f"{folder}: the folder cannot be read ({error.strerror or error}); give the harness permission "
                        "to list it (chmod u+rx) or move it away")  # fmt: skip


def not_a_file(path: Path, kind: str, expected: str) -> HarnessError:
    """The one-line error for a path that should be a file (or folder) and is something else."""
    if kind == "broken link":
        try:
            target = os.readlink(path)
        except OSError:
            target = "a missing path"
        return HarnessError(f"{path}: is a broken link to {target} (nothing is there); {expected}")
    if kind == "folder":
        return HarnessError(f"{path}: is a folder, not a file; {expected}")
    return HarnessError(f"{path}: {kind_in_words(kind)}; {expected}")


def read_json(path: str | Path) -> Any:
    """A JSON file's value, its strings checked as above."""
    path = Path(path)
    return parse_json(read_text(path), str(path))


def parse_json(text: str, where: str, position: bool = True) -> Any:
    """JSON text parsed; invalid JSON, nesting deeper than MAX_DEPTH or a lone surrogate name `where` (and, with
    `position`, the line and column inside the text: a JSON Lines row's `where` names its line already)."""
    with _json_errors(where, position):
        value = json.loads(text, object_pairs_hook=_unique_keys)
    check_value(value, where)
    return value


@contextlib.contextmanager
def _json_errors(where: str, position: bool) -> Iterator[None]:
    """Decoding faults as parse_json words them."""
    try:
        yield
    except _DuplicateKey as duplicate:
        raise HarnessError(f"{where}: key '{_printable(duplicate.key)}' appears twice in one JSON object (JSON would keep the "
                           "last value and lose the first without a word); remove or rename one of them") from None  # fmt: skip
    except json.JSONDecodeError as error:
        at = f" at line {error.lineno} column {error.colno}" if position else ""
        raise HarnessError(f"{where}: not valid JSON ({error.msg}{at})") from None
    except RecursionError:
        raise HarnessError(f"{where}: JSON nested too deeply (more than {MAX_DEPTH} levels)") from None
    except ValueError:  # an integer longer than Python reads from text (sys.int_max_str_digits, 4,300 digits)
        raise HarnessError(f"{where}: a number has more than {sys.get_int_max_str_digits():,} digits; no id, count or score needs that many") from None


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict; a key given twice raises _DuplicateKey (json.loads would keep the last silently)."""
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return value


def iter_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """A text file's lines (1-based numbers, line ends dropped), read as strict UTF-8 one line at a time."""
    path = Path(path)
    offset = 0
    try:
        with path.open("rb") as file:
            for number, raw in enumerate(file, start=1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise HarnessError(f"{path}:{number}: not valid UTF-8 at byte {offset + error.start} "
                                       f"(0x{raw[error.start]:02x}); save the file as UTF-8") from None  # fmt: skip
                if number == 1:
                    line = line.removeprefix("\ufeff")
                offset += len(raw)
                yield number, line.rstrip("\r\n")
    except OSError as error:
        raise _unreadable(path, error) from None


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, Any]]:
    """The values of a JSON Lines file with their line numbers (blank lines skipped), each checked as parse_json."""
    path = Path(path)
    for number, line in iter_lines(path):
        if not line.strip():
            continue
        yield number, parse_json(line, f"{path}:{number}", position=False)


def iter_json_records(path: str | Path) -> Iterator[tuple[int, Any]]:
    """The values of a JSON Lines file, or the items of a file holding one JSON array (a .json export, pretty-printed or
    not), each with the line it starts on and checked as parse_json."""
    path = Path(path)
    if not _opens_array(path):
        yield from iter_jsonl(path)
        return
    text = read_text(path)
    decoder = json.JSONDecoder(object_pairs_hook=_unique_keys)
    position, line, counted = _space(text, text.index("[") + 1), 1, 0
    follows = "]"  # what may come next: an item or "]" at first, then "," or "]" after each item
    while not text.startswith("]", position):
        if follows == ",]":
            if not text.startswith(",", position):
                what = "the array has no closing ']'" if position == len(text) else "expected ',' or ']' after an item of the array"
                raise HarnessError(f"{path}:{line + text.count(chr(10), counted, position)}: not valid JSON ({what})")
            position = _space(text, position + 1)
        line, counted = line + text.count("\n", counted, position), position
        where = f"{path}:{line}"
        with _json_errors(where, position=True):
            value, end = decoder.raw_decode(text, position)
        check_value(value, where)
        yield line, value
        position, follows = _space(text, end), ",]"
    if text[position + 1 :].strip():
        raise HarnessError(f"{path}:{line + text.count(chr(10), counted, position)}: not valid JSON (more text after the array's closing ']')")


def _space(text: str, position: int) -> int:
    """The position of the first character at or after position that is not JSON whitespace."""
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _opens_array(path: Path) -> bool:
    """Whether the file's first character other than white space (and a byte-order mark) is '['."""
    try:
        with path.open("rb") as file:
            start = file.read(65536).removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
            while not start and (chunk := file.read(65536)):
                start = chunk.lstrip(b" \t\r\n")
    except OSError:
        return False  # reading it as JSON Lines says why it cannot be read
    return start.startswith(b"[")


def check_value(value: Any, where: str) -> None:
    """Refuse a decoded value (JSON or YAML) that holds a lone surrogate or a non-finite number (NaN, Infinity), nests
    deeper than MAX_DEPTH or expands to more than MAX_VALUES values.

    A lone surrogate ("\\ud800" escaped in JSON or YAML) decodes to a str that cannot be encoded as
    UTF-8: it would fail much later, in the cache or when results are written, naming nothing. YAML
    aliases can make a small file expand to billions of values (and a self-referencing alias to an
    endless one) in everything that later copies or serializes it. Shared parts are walked once, so
    this check itself is linear in the file's size.
    """
    _walk(value, where, "", 0, {})


def _walk(item: Any, where: str, field: str, depth: int, sizes: dict[int, int]) -> int:
    """The number of values item expands to; recursion is bounded by MAX_DEPTH."""
    if isinstance(item, str):
        _check_string(item, where, field)
        return 1
    if isinstance(item, float) and not math.isfinite(item):
        raise HarnessError(f"{where}: {_field(field)}is {item}, not a finite number (NaN, Infinity or past 1e308); write null for no value")
    if not isinstance(item, (dict, list)):
        return 1
    if id(item) in sizes:
        return sizes[id(item)]
    if depth >= MAX_DEPTH:
        raise HarnessError(f"{where}: {_field(field)}nested too deeply (more than {MAX_DEPTH} levels)")
    total = 1
    if isinstance(item, dict):
        for key, child in item.items():
            name = f"{field}.{key}" if field else str(key)
            if isinstance(key, str):
                _check_string(key, where, name)
            total += _walk(child, where, name, depth + 1, sizes)
    else:
        for index, child in enumerate(item):
            total += _walk(child, where, f"{field}[{index}]", depth + 1, sizes)
    if total > MAX_VALUES:
        raise HarnessError(f"{where}: {_field(field)}expands to more than {MAX_VALUES:,} values (YAML aliases repeated within each other?)")
    sizes[id(item)] = total
    return total


def _check_string(text: str, where: str, field: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise HarnessError(
            f"{where}: {_field(field)}holds a lone surrogate (U+{ord(text[error.start]):04X} at character {error.start}), "
            "which is not valid Unicode"
        ) from None


def _field(field: str) -> str:
    return f"field '{_printable(field)}' " if field else ""


def _printable(name: str) -> str:
    # a field name may itself hold a lone surrogate or a line break: shown escaped, so the message is one printable line
    text = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}" if match.group() < "\u0100" else f"\\u{ord(match.group()):04x}", text)


def path_not_utf8(path: str | Path) -> str | None:
    """Why path cannot be written into a UTF-8 file such as run.json ("holds byte 0xff, ..."), or None when it can."""
    text = str(path)
    try:
        text.encode("utf-8")
        return None
    except UnicodeEncodeError as error:
        # Python keeps a file name's byte that is not UTF-8 as a surrogate escape ("\udcff" for 0xff).
        try:
            what = f"byte 0x{text[error.start].encode('utf-8', 'surrogateescape')[0]:02x}, which is not UTF-8"
        except UnicodeEncodeError:
            what = f"U+{ord(text[error.start]):04X}, which is not valid Unicode"
    return f"holds {what}, and results record their paths as UTF-8 text; rename it using UTF-8 characters only"


def printable_path(path: str | Path) -> str:
    """path as one printable line: a byte that is not UTF-8 shown as \\xff, not as the terminal's '?'."""
    try:
        text = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        text = str(path)
    return _printable(text)


def within(path: Path, folder: Path) -> bool:
    """Whether path is folder or lies inside it, by the names as written or where symbolic links lead."""
    folders = {Path(os.path.abspath(folder)), Path(os.path.realpath(folder))}
    link_itself = os.path.normpath(os.path.join(os.path.realpath(path.parent), path.name))  # a link inside goes with the folder
    places = {Path(os.path.abspath(path)), Path(os.path.realpath(path)), Path(link_itself)}
    return any(place == top or top in place.parents for place in places for top in folders)


class NoHome(HarnessError):
    """A path's ~user names a user this machine does not have (or ~ a home it cannot find); `loc` is where a config
    gives the path, `why` the problem without the path (for a message that names the path already)."""

    def __init__(self, path: Path, why: str, loc: tuple[str | int, ...] = ()) -> None:
        super().__init__(f"{printable_path(path)}: {why}")
        self.why, self.loc = why, loc


def expand_home(path: Path, loc: tuple[str | int, ...] = ()) -> Path:
    """path with a leading ~ or ~user expanded; one this machine cannot expand is a NoHome error (at loc of a config)."""
    try:
        return path.expanduser()
    except RuntimeError:  # pathlib's "Could not determine home directory."
        user = path.parts[0][1:]
        raise NoHome(path, f"no user '{_printable(user)}' on this machine" if user else "no home folder to expand ~ into (HOME is not set)", loc) from None


def unexpandable(path: str | Path) -> str | None:
    """Why path's leading ~ or ~user cannot be expanded on this machine ("no user 'x' on this machine"), or None."""
    try:
        expand_home(Path(path))
    except NoHome as error:
        return error.why
    return None


def resolve_path(base: Path, path: Path, loc: tuple[str | int, ...] = ()) -> Path:
    """path (~ expanded, see expand_home) taken from folder base when relative, normalised: the one reading of a path a
    config gives (at loc)."""
    path = expand_home(path, loc)
    return Path(os.path.normpath(path if path.is_absolute() else base / path))


def existing_path(text: Any, base: Path) -> Path | None:
    """The file or folder that text names, taken from folder base (~ expanded), if one is there; else None."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        path = resolve_path(base, Path(text))
    except NoHome:  # "~user/..." for a user this machine does not have: said where the path is read
        return None
    return path if os.path.lexists(path) else None


def _not_utf8(path: Path, data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return f"{path}:{line}: not valid UTF-8 at byte {offset} (0x{data[offset]:02x}); save the file as UTF-8"
