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
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import harness
from harness.cliparse import Parser, finite, nonempty_path
from harness.errors import HarnessError
from harness.runlock import baseline_out, interrupted_message, interrupted_once

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2

# Off a terminal (CI logs, pipes) rich assumes 80 columns and would squeeze the results table. emoji=False: rich
# would turn ':x:' in a file name, an article or a config value into an emoji, naming a file that does not exist.
out = Console(highlight=False, emoji=False, width=None if sys.stdout.isatty() else 160)
# soft_wrap: a message is one line however long (CI logs and pipes are not 80 columns wide).
err = Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    for stream in (sys.stdout, sys.stderr):  # a console that cannot show "–" or "…" gets "?", not a traceback
        getattr(stream, "reconfigure", lambda **_: None)(errors="replace")
    parser = _parser()
    args = parser.parse_args(argv)
    if getattr(args, "offline", False):
        os.environ["HF_HUB_OFFLINE"] = "1"
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(message)s",
        handlers=[_log_handler()],
        force=True,
    )
    try:
        with interrupted_once(restore=argv is not None):  # argv None: the `harness` command, which exits next
            return args.handler(args)
    except HarnessError as error:
        # escape(): a message may hold [brackets] (pip install "...[hf]") that rich would take for markup.
        err.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, highlight=False, soft_wrap=True)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        err.print(interrupted_message(args.command, getattr(args, "no_cache", False)))
        return 130


def _log_handler() -> logging.Handler:
    """Rich log lines on a terminal; elsewhere plain `LEVEL: message` lines, never wrapped at 80 columns."""
    if err.is_terminal:
        return RichHandler(console=err, show_path=False, show_time=False)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    return handler


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="harness", description="Evaluate summarization models: ROUGE and fact checks.")
    parser.add_argument("--version", action="version", version=f"summarization-harness {harness.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run an evaluation config and write results/<name>/")
    run.add_argument("config", type=nonempty_path, help="YAML config, e.g. configs/default.yaml")
    run.add_argument("--output", type=nonempty_path, help="folder that receives the run folder (overrides the config's output)")
    run.add_argument("--limit", type=int, help="evaluate only the first N documents")
    run.add_argument("--workers", type=int, help="processes (local) or Ray actors working at once (overrides the config's workers)")
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the generation cache")
    run.add_argument("--offline", action="store_true", help="never contact the Hugging Face hub (sets HF_HUB_OFFLINE=1)")
    run.add_argument("--no-report", action="store_true", help="skip report.md / report.html")
    run.add_argument("-v", "--verbose", action="store_true", help="log more")
    run.set_defaults(handler=_run)

    validate = commands.add_parser("validate", help="check a config without running it")
    validate.add_argument("--strict", action="store_true", help="also fail (exit 2) when a model is not available on this machine")
    validate.add_argument("config", type=nonempty_path)
    validate.set_defaults(handler=_validate)

    models = commands.add_parser("models", help="list the summarizer backends and their options")
    models.set_defaults(handler=_models)

    report = commands.add_parser("report", help="compare runs in report.md and a self-contained report.html")
    report.add_argument("run_dirs", nargs="+", type=nonempty_path, metavar="RUN_DIR", help="results directories (results/<name>)")
    report.add_argument("--out", type=nonempty_path, help="folder for the report (default: the first RUN_DIR)")
    report.add_argument("--max-documents", type=int, default=50, help="documents shown one by one (default 50)")
    report.set_defaults(handler=_report)

    baseline = commands.add_parser("baseline", help="record what a run achieved, for regression checks")
    baseline.add_argument("run_dir", type=nonempty_path, metavar="RUN_DIR")
    baseline.add_argument("--out", type=nonempty_path, required=True, help="baseline file to write, e.g. results/baselines/NAME.json")
    baseline.set_defaults(handler=_baseline)

    check = commands.add_parser("check", help="check a run against its gates and a baseline (exit 1 when one fails)")
    check.add_argument("run_dir", type=nonempty_path, metavar="RUN_DIR")
    check.add_argument("--baseline", type=nonempty_path, help="baseline file (default: the run config's gates.baseline)")
    from harness.gates import gate_flag, offered_gates

    for gate_name, (_, gate) in offered_gates().items():  # every gate a scorer offers is a flag
        check.add_argument(gate_flag(gate_name), dest=gate_name, type=int if gate.kind == "count" else finite, help=gate.description)
    check.add_argument("--min", action="append", default=[], metavar="METRIC=VALUE", help="a metric's mean at least VALUE, e.g. rouge.rougeL.fmeasure=0.3")
    check.add_argument("--max", action="append", default=[], metavar="METRIC=VALUE", help="a metric or count at most VALUE, e.g. facts.contradicted=0")
    check.set_defaults(handler=_check)

    facts = commands.add_parser("facts", help="show an article's fact table, or check a summary against it")
    facts.add_argument("target", help="a document folder, an article .txt file, or a document id")
    facts.add_argument("--dataset", type=nonempty_path, default=Path("references"), help="where to look up a document id (default: references)")
    given = facts.add_mutually_exclusive_group()  # both: one would be silently ignored
    given.add_argument("--summary", help="check this summary's figures against the article")
    given.add_argument("--summary-file", type=nonempty_path, help="check the summary in this file")
    facts.add_argument("--no-gold", action="store_true", help="ignore the document's curated facts.yaml")
    facts.add_argument("--json", action="store_true", help="print JSON instead of a table")
    facts.set_defaults(handler=_facts)

    selftest = commands.add_parser("selftest", help="perturb the reference summaries and measure the fact checker")
    selftest.add_argument("--dataset", type=nonempty_path, default=Path("references"), help="documents with references (default: references)")
    selftest.add_argument("--json", action="store_true", help="print the full report as JSON")
    selftest.set_defaults(handler=_selftest)
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
    if getattr(args, "workers", None) is not None:
        if args.workers <= 0:
            raise HarnessError("--workers: must be a positive number of workers")
        config = config.with_workers(args.workers)
    if getattr(args, "no_cache", False):
        config = config.updated(cache=False)
    if getattr(args, "no_report", False):
        config = config.updated(report=False)
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
    headers, rows = summary_table(result.summary, result.run)
    table = Table(title=f"{config.name}: {result.summary['documents']} document(s)", title_justify="left")
    for index, header in enumerate(headers):
        table.add_column(header, justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*row)
    out.print(table)
    failed = sum(1 for g in result.generations if g.error)
    out.print(
        f"{len(result.generations)} summaries: {result.generated - result.read} generated, "
        + (f"{result.read} read from files, " if result.read else "")
        + f"{result.cached} from cache, {failed} failed "
        f"in {result.run['timings']['total_seconds']:.1f} s"
    )
    for signature in result.run["signatures"].values():
        out.print(f"signature: {signature}", soft_wrap=True)
    out.print(f"results: {result.run_dir}", soft_wrap=True)
    if config.report:
        out.print(f"report: {result.run_dir / 'report.html'} and report.md", soft_wrap=True)
    for failure in result.failures:
        err.print(f"[bold red]failed:[/] model '{failure['model']}' ({failure['documents']} document(s)): {failure['error']}")
    if result.gates is not None:
        _print_gates(result.gates)
    return EXIT_FAILED if result.failures or (result.gates is not None and not result.gates.passed) else EXIT_OK


def _print_gates(report: Any) -> None:
    for line in report.lines():
        colour = "green" if line.startswith("PASS") else "red"
        out.print(f"[{colour}]{line}[/]" if line.startswith(("PASS", "FAIL")) else line, soft_wrap=True)


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
    from harness.runner import availability_problems, check_config

    config = _load(args)
    # The config itself: fields, options, files, extras, the dataset (exit 2 on the first problem).
    summarizers, scorers, documents = check_config(config, available=False)
    # Whether each model can be had on this machine (cached weights, API keys): a sound config may name a
    # checkpoint that is not here yet, so this is reported, and only --strict makes it an error.
    missing = [str(problem) for problem in availability_problems(config, summarizers, scorers)]
    if missing and args.strict:
        raise HarnessError(missing[0])
    models = ", ".join(f"{s.name} ({s.backend})" for s in summarizers)
    out.print(f"{args.config}: ok: {len(summarizers)} model(s): {models}; {len(documents)} document(s) from {config.dataset.describe()}", soft_wrap=True)
    for scorer in scorers:
        out.print(f"signature: {scorer.signature()}", soft_wrap=True)
    for problem in missing:
        err.print(f"not available here: {escape(problem)}", soft_wrap=True)
    if missing:
        err.print(f"{len(missing)} model(s) not available here: `harness run` would stop (exit 2); `harness validate --strict` makes this an error", soft_wrap=True)
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


def _report(args: argparse.Namespace) -> int:
    from harness.report import write_report

    if args.max_documents < 0:
        raise HarnessError(f"--max-documents: must be 0 or more (got {args.max_documents})")
    written = write_report(args.run_dirs, args.out, max_documents=args.max_documents)
    for path in written:
        if path.suffix in {".md", ".html"}:
            out.print(f"wrote {path}", soft_wrap=True)
    return EXIT_OK


def _baseline(args: argparse.Namespace) -> int:
    import json

    from harness.gates import make_baseline
    from harness.store import atomic_write_text, read_run

    baseline = make_baseline(read_run(args.run_dir))
    # baseline_out refuses a path inside a run folder, and a file that is not a baseline
    atomic_write_text(baseline_out(args.out), json.dumps(baseline, indent=2, ensure_ascii=False) + "\n")
    documents = {doc for model in baseline["models"].values() for doc in model["documents"]}
    out.print(f"wrote {args.out}: {len(baseline['models'])} model(s) x {len(documents)} document(s)", soft_wrap=True)
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from harness.config import GatesConfig
    from harness.gates import check_run, gate_flag, limit_problem, load_baseline, offered_gates
    from harness.store import read_run, recorded_baseline

    run = read_run(args.run_dir)
    recorded = dict((run.run.get("config") or {}).get("gates") or {})
    for gate_name, (scorer, gate) in offered_gates().items():
        if (value := getattr(args, gate_name, None)) is None:
            continue
        if problem := (f"must be >= 0, got {value}" if value < 0 else limit_problem(f"{scorer}.{gate.target}", gate.bound, value, gate.kind == "count")):
            raise HarnessError(f"{gate_flag(gate_name)}: {problem}")
        recorded[gate_name] = value
    for bound in ("min", "max"):
        for given in getattr(args, bound):
            key, sep, number = given.partition("=")
            try:
                recorded.setdefault(bound, {})[key.strip()] = finite(number)
            except argparse.ArgumentTypeError:
                raise HarnessError(f"--{bound} {given}: expected METRIC=NUMBER with a finite number, e.g. rouge.rougeL.fmeasure=0.3") from None
            if not sep or not key.strip():
                raise HarnessError(f"--{bound} {given}: expected METRIC=NUMBER, e.g. rouge.rougeL.fmeasure=0.3")
    gates = GatesConfig.model_validate(recorded)
    baseline_path, guessed = (args.baseline, None) if args.baseline else recorded_baseline(run)
    try:
        report = check_run(run, gates, load_baseline(baseline_path) if baseline_path else None)
    except HarnessError as error:  # a baseline path guessed from an older run's record: say which folder it was taken from
        raise HarnessError(f"{error}; {guessed}" if guessed else str(error)) from None
    report.notes[:0] = [guessed] if guessed else []
    _print_gates(report)
    return EXIT_OK if report.passed else EXIT_FAILED


def _facts(args: argparse.Namespace) -> int:
    import json

    from harness.documents import find_document
    from harness.facts import check_summary, table_for_document
    from harness.textio import read_text_or_pipe

    document = find_document(args.target, args.dataset)
    table = table_for_document(document, gold=not args.no_gold)
    summary = args.summary
    if args.summary_file:
        summary = read_text_or_pipe(args.summary_file, limit=1_000_000)  # a summary is a paragraph, 1 MB far more
    if summary is not None and not summary.strip():  # a check of nothing would report every key fact omitted
        where = args.summary_file or "--summary"
        raise HarnessError(f"{where}: the summary is empty; give the text to check (or leave out --summary to print the fact table)")
    if summary is None:
        if args.json:
            out.print_json(json.dumps(table.to_dict()))
        else:
            source = "curated facts.yaml over the automatic table" if table.has_gold else "automatic"
            out.print(f"{document.doc_id}: {len(table.facts)} facts ({source}); key facts marked yes", soft_wrap=True)
            out.print(table.render(), soft_wrap=True, markup=False)
        return EXIT_OK
    result = check_summary(summary, table)
    if args.json:
        out.print_json(json.dumps(result.to_dict()))
    else:
        _print_check(result)
    return EXIT_FAILED if result.flagged else EXIT_OK


def _print_check(result: Any) -> None:
    from harness.facts.lowercase_names import names_unread

    colours = {"supported": "green", "contradicted": "red", "not_in_article": "yellow"}
    # figures, then names, places and organisations (harness.facts.entity_check): verdict, claim, evidence
    rows = [(c.verdict, f"{c.quantity.text!r}: {c.reason}", c.evidence and c.evidence.sentence) for c in result.claims]
    rows += [(c.verdict, f"{c.name!r} ({c.entity_kind}): {c.reason}", c.evidence and c.evidence.text) for c in result.entity_claims]
    for verdict, text, evidence in rows:
        out.print(f"[{colours[verdict]}]{verdict:<15}[/] {escape(text)}", soft_wrap=True)
        if evidence and verdict != "supported":
            out.print(f"{'':16}article: {evidence}", soft_wrap=True, markup=False)
    for key in (*result.key_facts, *result.key_entities):
        colour = "green" if key.status == "preserved" else "red"
        out.print(f"[{colour}]{key.status:<15}[/] key fact {key.fact.id}: {key.fact.label}", soft_wrap=True)
    precision = "–" if result.numeric_precision is None else f"{result.numeric_precision:.0%}"
    recall = "–" if result.key_fact_recall is None else f"{result.key_fact_recall:.0%}"
    entities = "–" if result.entity_precision is None else f"{result.entity_precision:.0%}"
    out.print(f"numeric precision {precision}, entity precision {entities}, key-fact recall {recall}, "
              f"{result.contradicted} contradicted, {result.not_in_article} not in article (figures and entities)")
    # a cased summary that names no one also marks no name with a capital: the note is for lower-cased text,
    # or a text capitalised only at sentence starts whose names the cues did find
    if names_unread(result.summary) and (result.summary == result.summary.lower() or result.entity_claims):
        # the cues, with fixed examples marked "e.g.": they are not names found in this summary
        out.print("note: the summary marks no name with a capital letter; its names were read from the article's capitals, words "
                  "always written capitalised (e.g. 'geneva'), titles (e.g. 'manager ...') and words too rare for the common "
                  "vocabulary; a name none of these marks goes unchecked", soft_wrap=True, markup=False)  # fmt: skip


def _selftest(args: argparse.Namespace) -> int:
    import json

    from harness.documents import load_documents
    from harness.facts import run_selftest

    report = run_selftest(load_documents(args.dataset))
    if args.json:
        out.print_json(json.dumps(report.to_dict()))
    else:
        for variant in report.misses:
            out.print(f"missed     {variant.doc_id}/{variant.reference} {variant.kind}: {variant.changed}", soft_wrap=True, markup=False)
        for variant in report.alarms:
            out.print(f"false alarm {variant.doc_id}/{variant.reference} {variant.kind}: {variant.changed}", soft_wrap=True, markup=False)
        for skipped in report.skipped_references:
            out.print(f"skipped    {skipped}: the checker flags this reference as it is", soft_wrap=True)
    if not report.perturbations or not report.rewrites:
        raise HarnessError(f"{args.dataset}: no reference summary with checkable figures to perturb")
    detection, alarms = report.detection_rate or 0.0, report.false_alarm_rate or 0.0
    out.print(
        f"perturbations caught: {report.detected}/{report.perturbations} ({detection:.1%}, target >= 99%); "
        f"false alarms on faithful rewrites: {report.false_alarms}/{report.rewrites} ({alarms:.1%}, target <= 1%)",
        soft_wrap=True,
    )
    return EXIT_OK if detection >= 0.99 and alarms <= 0.01 else EXIT_FAILED


def _type_name(annotation: Any) -> str:
    return str(annotation).replace("typing.", "").replace("<class '", "").replace("'>", "")


if __name__ == "__main__":
    sys.exit(main())
