"""Executors and their registry: an executor is one module plus one line here."""

from __future__ import annotations

from pydantic import ValidationError

from harness.config import Config
from harness.configmodel import shown
from harness.errors import HarnessError
from harness.executors.base import Executor, ExecutorOptions, ExecutorUnavailable
from harness.executors.local import LocalExecutor
from harness.executors.ray import RayExecutor

EXECUTORS: dict[str, type[Executor]] = {cls.name: cls for cls in (LocalExecutor, RayExecutor)}

__all__ = ["EXECUTORS", "Executor", "ExecutorOptions", "ExecutorUnavailable", "build_executor"]


def build_executor(config: Config) -> Executor:
    """The executor a config names, options validated (one line naming file, line and field); starts nothing."""
    data = dict(config.executor)
    kind = data.pop("type", "local")
    known = ", ".join(sorted(EXECUTORS))
    if not isinstance(kind, str):  # a list or mapping here cannot even be looked up
        raise config.error(("executor", "type"), f"expected the name of an executor ({known}), got {shown(kind)}")
    if kind not in EXECUTORS:
        raise config.error(("executor", "type"), f"unknown executor '{kind}' (known: {known})")
    cls = EXECUTORS[kind]
    try:
        options = cls.Options.model_validate(data)
    except ValidationError as error:
        raise config.invalid(error, ("executor",), cls.Options) from None
    try:
        cls.check_available()
    except HarnessError as error:
        raise config.error(("executor", "type"), str(error)) from None
    return cls(options, workers=config.workers)
