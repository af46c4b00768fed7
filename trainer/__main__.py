"""Command line of the trainer tools: ``python -m trainer COMMAND --help``."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import List, Optional

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # spaCy imports TensorFlow: keep its start-up notices quiet
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from trainer import TrainerError  # noqa: E402  (after the environment above)
from trainer.inbox import DEFAULT_THRESHOLD, build_inbox, read_inbox  # noqa: E402
from trainer.nlu_data import normalise  # noqa: E402
from trainer.project import ROOT, Project  # noqa: E402
from trainer.report import gate as nlu_gate  # noqa: E402
from trainer.report import write_summary

# The commands that match vocabulary terms import spaCy (and with it TensorFlow) only when run.


def check(args) -> int:
    from trainer.data_checks import run_checks

    project = Project(args.root)
    findings = run_checks(project)
    for finding in findings:
        print(finding)
    if findings:
        print(f"{len(findings)} problem(s) in the NLU data; docs/TRAINING.md explains each check.")
        return 1
    print("The project's NLU data checks passed.")
    return 0


def report(args) -> int:
    path = write_summary(args.reports)
    print(path.read_text(encoding="utf-8"))
    print(f"Written to {path}")
    return 0


def gate(args) -> int:
    passed, verdict = nlu_gate(args.reports, args.min_macro_f1)
    print(verdict, file=sys.stdout if passed else sys.stderr)
    return 0 if passed else 1


def inbox(args) -> int:
    known = {normalise(example.text) for example in Project(args.root).training_data().examples}
    picked = build_inbox(args.store, args.out, args.threshold, known, args.force, args.since)
    count = sum(len(entries) for entries in picked.values())
    print(f"{count} messages to review, in {len(picked)} predicted intents: {args.out}")
    if count:
        print(f"Review them in a text editor or with `python -m trainer annotate {args.out}`, then merge.")
    return 0


def feedback_report(args) -> int:
    from trainer.feedback import feedback_report as report_feedback  # imports matplotlib

    text, chart = report_feedback(args.store, args.chart, args.since, args.until)
    print(text)
    if chart:
        print(f"Chart: {chart}")
    return 0


def merge(args) -> int:
    from trainer.merge import apply_merge, plan_merge, summary

    project = Project(args.root)
    plan = plan_merge(read_inbox(args.inbox), str(args.inbox), project)
    destinations = {} if plan.refused else apply_merge(plan, project, args.dry_run)
    print(summary(plan, destinations, str(args.inbox), args.dry_run))
    return 1 if plan.refused else 0


def annotate(args) -> int:
    from trainer.annotate import TerminalPrompts, review

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise TrainerError(f"annotate needs an interactive terminal; edit {args.inbox} in a text editor instead")
    project = Project(args.root)
    terms = {
        f"{entity}:{value}": (entity, value) for entity, values in project.vocabulary().items() for value in values
    }
    reviewed, discarded, left = review(args.inbox, project.domain().intents, terms, TerminalPrompts())
    print(f"Reviewed {reviewed}, discarded {discarded}, {left} still to review in {args.inbox}.")
    if reviewed:
        print(f"Next: python -m trainer merge {args.inbox}")
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python -m trainer",
        description=(
            "Trainers' workflow: chat, inbox, annotate, merge, validate (check), retrain, evaluate (report, gate). "
            "See docs/TRAINING.md."
        ),
    )
    main.add_argument("--root", type=Path, default=ROOT, help="project directory (default: %(default)s)")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    command = commands.add_parser("check", help="the project's own checks on data/nlu and the held-out set")
    command.set_defaults(run=check)

    command = commands.add_parser("report", help="write summary.md from the JSON reports of `rasa test nlu`")
    command.add_argument("reports", type=Path, help="directory given to `rasa test nlu --out`")
    command.set_defaults(run=report)

    command = commands.add_parser("gate", help="fail when the intent macro-F1 of a report is too low")
    command.add_argument("reports", type=Path, help="directory given to `rasa test nlu --out`")
    command.add_argument("--min-macro-f1", type=_fraction, required=True, help="lowest acceptable macro-F1 (0-1)")
    command.set_defaults(run=gate)

    command = commands.add_parser("inbox", help="pick misunderstood user messages from the tracker store")
    _store_argument(command)
    command.add_argument("--out", type=Path, default=ROOT / "reports" / "inbox.yml", help="default: %(default)s")
    command.add_argument(
        "--threshold",
        type=_fraction,
        default=DEFAULT_THRESHOLD,
        help="pick messages whose intent confidence is below this (default: %(default)s)",
    )
    command.add_argument(
        "--since",
        type=_moment,
        help="only messages from this local date or time on, e.g. 2026-11-01 or 2026-11-01T09:30",
    )
    command.add_argument("--force", action="store_true", help="overwrite an existing inbox file")
    command.set_defaults(run=inbox)

    command = commands.add_parser("feedback-report", help="helpfulness of answers per topic and intent, with a chart")
    _store_argument(command)
    command.add_argument("--since", type=_moment, help="only feedback from this local date or time on")
    command.add_argument("--until", type=_moment, help="only feedback before this local date or time")
    command.add_argument(
        "--chart", type=Path, default=ROOT / "reports" / "feedback.png", help="PNG to write (default: %(default)s)"
    )
    command.set_defaults(run=feedback_report)

    command = commands.add_parser("merge", help="add the reviewed inbox entries to data/nlu/")
    command.add_argument("inbox", type=Path, help="the inbox YAML file")
    command.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    command.set_defaults(run=merge)

    command = commands.add_parser("annotate", help="review an inbox file with arrow-key prompts")
    command.add_argument("inbox", type=Path, help="the inbox YAML file")
    command.set_defaults(run=annotate)
    return main


def _store_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--store",
        default=os.environ.get("BME_TRACKER_DB") or str(ROOT / "conversations.db"),
        help="SQLite tracker store file or SQL URL (default: $BME_TRACKER_DB or conversations.db)",
    )


def _moment(text: str) -> float:
    """An ISO date or date and time (local time unless it names its zone), as a UNIX time."""
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2026-11-01 or 2026-11-01T09:30") from None


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except TrainerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the output went to a pipe that closed early, e.g. `| head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
