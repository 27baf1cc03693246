"""The `harness` command: a thin layer that parses arguments, calls the library and prints.

Exit codes: 0 ok, 1 a run with failed models, 2 unusable input (bad config, missing file or model).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import harness
from harness.errors import HarnessError

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2

# Off a terminal (CI logs, pipes) rich assumes 80 columns and would squeeze the results table.
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if getattr(args, "offline", False):
        os.environ["HF_HUB_OFFLINE"] = "1"
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_path=False, show_time=False)],
        force=True,
    )
    try:
        return args.handler(args)
    except HarnessError as error:
        err.print(f"[bold red]error:[/] {error}", markup=True, highlight=False, soft_wrap=True)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        err.print("interrupted: finished generations are cached; run the same command again to resume")
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="harness", description="Evaluate summarization models: ROUGE and fact checks.")
    parser.add_argument("--version", action="version", version=f"summarization-harness {harness.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run an evaluation config and write results/<name>/")
    run.add_argument("config", type=Path, help="YAML config, e.g. configs/default.yaml")
    run.add_argument("--output", type=Path, help="folder that receives the run folder (overrides the config's output)")
    run.add_argument("--limit", type=int, help="evaluate only the first N documents")
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the generation cache")
    run.add_argument("--offline", action="store_true", help="never contact the Hugging Face hub (sets HF_HUB_OFFLINE=1)")
    run.add_argument("-v", "--verbose", action="store_true", help="log more")
    run.set_defaults(handler=_run)

    validate = commands.add_parser("validate", help="check a config without running it")
    validate.add_argument("config", type=Path)
    validate.set_defaults(handler=_validate)

    models = commands.add_parser("models", help="list the summarizer backends and their options")
    models.set_defaults(handler=_models)
    return parser


def _load(args: argparse.Namespace) -> Any:
    from harness.config import load_config

    config = load_config(args.config)
    if getattr(args, "output", None):
        config = config.with_output(args.output)
    if getattr(args, "limit", None) is not None:
        if args.limit <= 0:
            raise HarnessError("--limit: must be a positive number of documents")
        config = config.updated(dataset=config.dataset.model_copy(update={"limit": args.limit}))
    if getattr(args, "no_cache", False):
        config = config.updated(cache=False)
    return config


def _run(args: argparse.Namespace) -> int:
    from harness.report.tables import summary_table
    from harness.runner import run

    config = _load(args)
    with Progress(
        TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(), console=err, transient=False,
    ) as progress:
        result = run(config, observer=_ProgressObserver(progress))
    headers, rows = summary_table(result.summary)
    table = Table(title=f"{config.name}: {result.summary['documents']} document(s)", title_justify="left")
    for index, header in enumerate(headers):
        table.add_column(header, justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*row)
    out.print(table)
    failed = sum(1 for g in result.generations if g.error)
    out.print(
        f"{len(result.generations)} summaries: {result.generated} generated, {result.cached} from cache, {failed} failed "
        f"in {result.run['timings']['total_seconds']:.1f} s"
    )
    for signature in result.run["signatures"].values():
        out.print(f"signature: {signature}", soft_wrap=True)
    out.print(f"results: {result.run_dir}", soft_wrap=True)
    for failure in result.failures:
        err.print(f"[bold red]failed:[/] model '{failure['model']}' ({failure['documents']} document(s)): {failure['error']}")
    return EXIT_FAILED if result.failures else EXIT_OK


class _ProgressObserver:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def model_started(self, model: str, total: int, cached: int) -> None:
        note = f"{cached} cached" if cached else ""
        self.tasks[model] = self.progress.add_task(model, total=total, completed=cached, note=note)

    def generated(self, model: str, count: int) -> None:
        self.progress.advance(self.tasks[model], count)

    def model_failed(self, model: str, error: str) -> None:
        self.progress.update(self.tasks[model], note="[red]failed[/]")


def _validate(args: argparse.Namespace) -> int:
    from harness.runner import check_config

    config = _load(args)
    summarizers, scorers, documents = check_config(config)
    models = ", ".join(f"{s.name} ({s.backend})" for s in summarizers)
    out.print(f"{args.config}: ok: {len(summarizers)} model(s): {models}; {len(documents)} document(s) from {config.dataset.path}")
    for scorer in scorers:
        out.print(f"signature: {scorer.signature()}", soft_wrap=True)
    return EXIT_OK


def _models(args: argparse.Namespace) -> int:
    from harness.summarizers import BACKENDS

    for name, cls in BACKENDS.items():
        table = Table(title=f"{name}: {cls.description}", title_justify="left", show_edge=False)
        for column in ("option", "type", "default", "description"):
            table.add_column(column)
        for option, info in cls.Options.model_fields.items():
            default = "required" if info.is_required() else repr(info.get_default(call_default_factory=True))
            table.add_row(option, _type_name(info.annotation), default, info.description or "")
        out.print(table)
        out.print()
    return EXIT_OK


def _type_name(annotation: Any) -> str:
    return str(annotation).replace("typing.", "").replace("<class '", "").replace("'>", "")


if __name__ == "__main__":
    sys.exit(main())
