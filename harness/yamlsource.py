"""A config file as YAML nodes: read safely (no alias bombs, duplicate keys or non-finite numbers), and the
line of any field, so every config error can name its file, line and field."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from harness.errors import HarnessError


def located(
    source: Path | None, node: Any, loc: tuple[str | int, ...], message: str, shown_loc: tuple | None = None
) -> str:
    line = line_of(node, loc)
    where = str(source) if source else "config"
    if line is not None and source:
        where += f":{line}"
    field = format_loc(shown_loc if shown_loc is not None else loc)
    return f"{where}: {field}: {message}" if field else f"{where}: {message}"


def where_of(source: Path, node: Any, loc: tuple[str | int, ...]) -> str:
    """`FILE:LINE: field` of the YAML node at loc: the start of a one-line message about that field."""
    return located(source, node, loc, "").removesuffix(": ")


def format_loc(loc: tuple[str | int, ...]) -> str:
    """models[2].num_beams style path."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def line_of(node: Any, loc: tuple[str | int, ...]) -> int | None:
    """1-based line of the YAML node at loc, or of its nearest existing parent."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, yaml.MappingNode):
        return next((value for key, value in node.value if key.value == part), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]
    return None


MAX_YAML_VALUES = 100_000  # values after alias expansion; a real config has a few hundred


class _Loader(yaml.SafeLoader):
    """SafeLoader that remembers which nodes aliases point at, so their expansion can be measured."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliased: set[int] = set()

    def compose_node(self, parent: Any, index: Any) -> Any:
        alias = self.check_event(yaml.AliasEvent)
        node = super().compose_node(parent, index)
        if alias:
            self.aliased.add(id(node))
        return node


def read_yaml(path: Path, text: str) -> tuple[Any, Any]:
    """(node tree, data) of a YAML file, refused in one line when it is invalid, an alias bomb,
    recursive, or gives a key twice: each is checked on the node tree, before any data is built."""
    loader = None
    try:
        loader = _Loader(text)  # the reader refuses control characters (a NUL byte) here, before parsing
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_expansion(path, node, loader.aliased)
        _check_nodes(path, node)
        return node, loader.construct_document(node)
    except yaml.reader.ReaderError as error:
        line, column = text.count("\n", 0, error.position) + 1, error.position - text.rfind("\n", 0, error.position)
        raise HarnessError(
            f"{path}:{line}: not valid YAML: control character U+{error.character:04X} at column {column} "
            "(YAML allows no control characters but tab and line breaks); remove it"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        context = getattr(error, "context", None)
        if context and problem.startswith("but "):  # "expected a single document in the stream, but found another document"
            problem = f"{context}, {problem}"
        raise HarnessError(f"{where}: not valid YAML: {problem}") from None
    except RecursionError:
        raise HarnessError(f"{path}: not valid YAML: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _check_expansion(path: Path, root: Any, aliased: set[int]) -> None:
    """Refuse a node tree that aliases make recursive, or larger than MAX_YAML_VALUES once expanded.

    Sizes are counted once per distinct node (memoized), so a billion-value alias bomb costs as little
    to measure as it took to write.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()  # nodes whose subtree is being counted: meeting one again is a cycle
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, counted = stack.pop()
        key = id(node)
        if counted:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(child)] for child in _children(node))
            continue
        if key in size:
            continue
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                raise HarnessError(f"{path}:{child.start_mark.line + 1}: an alias refers to a value that contains it (a recursive YAML alias)")
            if id(child) not in size:
                stack.append((child, False))
    if size[id(root)] <= MAX_YAML_VALUES:
        return
    if not aliased:  # as large as written: no alias to point at
        raise HarnessError(f"{path}: holds more than {MAX_YAML_VALUES:,} values; a config is settings, not data (put "
                           "documents or outputs in a dataset file and give its path)")  # fmt: skip
    # Point at the first alias on the way to the bulk of the expansion.
    loc: list[str | int] = []
    node, line = root, root.start_mark.line + 1
    while id(node) not in aliased and _children(node):
        if isinstance(node, yaml.MappingNode):
            key_node, value = max(node.value, key=lambda pair: size[id(pair[0])] + size[id(pair[1])])
            child = value if size[id(value)] >= size[id(key_node)] else key_node
            loc.append(key_node.value if isinstance(key_node, yaml.ScalarNode) else "?")
            line = key_node.start_mark.line + 1
        else:
            index, child = max(enumerate(node.value), key=lambda item: size[id(item[1])])
            loc.append(index)
        node = child
    field = format_loc(tuple(loc))
    raise HarnessError(
        f"{path}:{line}: {field + ': ' if field else ''}YAML aliases expand this file to more than "
        f"{MAX_YAML_VALUES:,} values; write the values out instead of nesting aliases"
    )


def _check_nodes(path: Path, root: Any) -> None:
    """Refuse, naming its line and field: a key given twice in one mapping (YAML would silently keep the
    last), a key YAML reads as no name (null, a number, a bool), and a whole number longer than Python reads
    from text (sys.int_max_str_digits, 4,300 digits), which yaml's constructor would raise as a bare ValueError."""
    for node, loc in _nodes(root):
        if isinstance(node, yaml.ScalarNode) and node.tag == _INT_TAG and _decimal_digits(node.value) > _INT_DIGITS:
            field = format_loc(loc)
            raise HarnessError(
                f"{path}:{node.start_mark.line + 1}: {field + ': ' if field else ''}a number has more than {_INT_DIGITS:,} "
                "digits; no config value needs that many (put it in quotes if it is text)"
            )
        if not isinstance(node, yaml.MappingNode):
            continue
        lines: dict[str, int] = {}
        for key_node, _ in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag not in (_STR_TAG, _MERGE_TAG) and not (key_node.tag == _INT_TAG and _decimal_digits(key_node.value) > _INT_DIGITS):
                written = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a list or mapping"
                raise HarnessError(
                    f"{path}:{line}: {format_loc(loc) + ': ' if loc else ''}the key {written!r} is read as "
                    f"{key_node.tag.rsplit(':', 1)[-1]}, not as a name; every key of a config is a field name (put it in "
                    "quotes if it is one)"
                )
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _STR_TAG:
                if key_node.value in lines:
                    raise HarnessError(
                        f"{path}:{line}: {format_loc(loc + (key_node.value,))}: given twice (first at line "
                        f"{lines[key_node.value]}); YAML would keep only the last, so remove one"
                    )
                lines[key_node.value] = line


def _nodes(root: Any) -> Iterator[tuple[Any, tuple[str | int, ...]]]:
    """Every node of a tree once (an aliased one where it is first met) with its field path; a key node
    comes with the path of its mapping, as a key is shown by its line, not by itself."""
    seen: set[int] = set()
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(root, ())]
    while pending:
        node, loc = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node, loc
        if isinstance(node, yaml.MappingNode):
            for key_node, value in reversed(node.value):  # popped in the order written
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                pending += [(value, loc + (key,)), (key_node, loc)]
        elif isinstance(node, yaml.SequenceNode):
            pending.extend((child, loc + (index,)) for index, child in reversed(list(enumerate(node.value))))


_INT_TAG = "tag:yaml.org,2002:int"
_STR_TAG, _MERGE_TAG = "tag:yaml.org,2002:str", "tag:yaml.org,2002:merge"
_INT_DIGITS = getattr(sys, "get_int_max_str_digits", lambda: 0)() or 10**9  # 0: this Python has no limit


def _decimal_digits(text: str) -> int:
    """Digits yaml reads in base 10 from an int scalar (0x, 0b and 0-led octal are read in bases Python does not limit)."""
    text = text.replace("_", "").lstrip("+-")
    return len(text.split(":")[0]) if text[:1] in tuple("123456789") else 0  # 1:30 is 60-based: only its first part is long


def check_finite(data: Any, source: Path | None, node: Any, what: str = "a config") -> None:
    """Refuse inf and nan anywhere in a config (or another YAML file, `what`): nothing means them, and JSON
    cannot carry them."""
    seen: set[int] = set()
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while pending:
        value, loc = pending.pop()
        if isinstance(value, float) and not math.isfinite(value):
            raise HarnessError(located(source, node, loc, f"{value} is not a finite number ({what} takes no .inf or .nan)"))
        if isinstance(value, (dict, list, tuple)) and id(value) not in seen:
            seen.add(id(value))
            items = value.items() if isinstance(value, dict) else enumerate(value)
            pending.extend((child, loc + (key if isinstance(key, (str, int)) else str(key),)) for key, child in items)
