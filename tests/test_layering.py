"""The rooms of ../shared/DESIGN.md import only downward: a module may import its own room and rooms on
lower floors, never a room above it, and a sideways import (same floor, other room) only where the design
names it. Every module of the package must have a room, so a new module is placed deliberately."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "harness"

# room (module or package under harness/) -> floor, as in the design's table
FLOORS = {
    "__main__": 7,
    "cli": 6,
    "cliparse": 5,  # the CLI's argparse with one-line errors
    "fake_server": 6,  # a tool users run beside the harness (python -m harness.fake_server)
    "runner": 5,
    "pytest_plugin": 5,
    "report": 4,
    "gates": 4,
    "executors": 4,
    "record": 4,
    "scoring": 3,
    "summarizers": 3,
    "facts": 3,
    "dataset": 3,
    "store": 2,
    "cache": 2,
    "config": 2,
    "documents": 2,
    "runlock": 1,  # the run-folder lock and swap recovery, used by store and cache
    "text": 1,
    "textio": 1,
    "resultcheck": 1,  # the shape of each results file, checked when a run folder is read (harness.store)
    "yamlsource": 1,
    "configmodel": 1,  # the base of every config part's options, and pydantic's problems in plain words
    "runtime": 1,
    "stats": 1,
    "errors": 0,  # the one error type: every room may raise it
    "hub": 1,
    "__init__": 0,  # harness/__init__.py: the version only
}
# Sideways imports the design names: scorers are built on the facts library; the plugin may call the runner.
SIDEWAYS = {("scoring", "facts"), ("pytest_plugin", "runner")}


def _room(module: str) -> str:
    """The room of a dotted module name under harness (harness.scoring.rouge -> scoring)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names if node.module == "harness"]
    return [name for name in names if name == "harness" or name.startswith("harness.")]


def test_every_module_has_a_room() -> None:
    rooms = {path.relative_to(PACKAGE).parts[0].removesuffix(".py") for path in PACKAGE.rglob("*.py")}
    assert rooms - set(FLOORS) == set(), "modules without a floor in tests/test_layering.py: place them in the design's table"


def test_rooms_import_only_downward() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        room = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        for name in _imports(path):
            if name == "harness":
                continue
            target = _room(name)
            if target == room or target == "__init__" or (room, target) in SIDEWAYS:
                continue
            if FLOORS[target] >= FLOORS[room]:
                wrong.append(f"{path.relative_to(PACKAGE)} (floor {FLOORS[room]}) imports {name} (floor {FLOORS[target]})")
    assert not wrong, "\n".join(wrong)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_import_cycles_even_through_deferred_imports() -> None:
    """A cycle hidden by an import inside a function (gold.py <-> table.py once) is still a cycle."""
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("harness"):
                for alias in node.names:  # `from harness.facts import gold` names a module
                    targets.add(f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module)
            elif isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names if alias.name in modules}
        graph[name] = {t for t in targets if t in modules and t != name}
    state: dict[str, int] = {}
    cycles = []

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycles.append(" -> ".join(trail[trail.index(target):] + [target]) if target in trail else f"{name} -> {target}")
            elif target not in state:
                visit(target, trail + [target])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    # a package's __init__ re-exporting its modules is not a cycle of logic: report only cycles between modules
    cycles = [c for c in cycles if not any(part in modules and modules[part].name == "__init__.py" for part in c.split(" -> "))]
    assert not cycles, "\n".join(cycles)
