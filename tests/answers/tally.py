"""Totals of the last end-to-end runs of the real questions, from the replies `make test-answers`
keeps (reports/answers-SPLIT.json): in scope answered and out of scope declined, per split and over
all. Each reply is scored again against today's labels and knowledge base, so a corrected label
counts without a new run. `--against DIR`, a reports folder kept from an earlier run, also lists
the questions whose result changed since.

    .venv/bin/python -m tests.answers.tally [all | dev,unseen47] [--against reports-before]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Dict, List

from bme.knowledge import KnowledgeBase, knowledge_base
from tests.answers.scoring import REPORTS, all_questions, passed, replies_file, split_names


def results_of(kb: KnowledgeBase, questions: Dict[str, dict], split: str, reports: Path) -> Dict[str, bool]:
    """Question id -> passed, for the questions still in the set, from a split's last run in
    ``reports``; empty when it has not run."""
    path = replies_file(split, reports)
    if not path.exists():
        return {}
    replies = json.loads(path.read_text(encoding="utf-8"))
    return {
        key: passed(kb, questions[key], "\n".join(reply["messages"]))
        for key, reply in replies.items()
        if key in questions
    }


def counts(questions: Dict[str, dict], results: Dict[str, bool]) -> List[int]:
    """In scope answered, in scope, out of scope declined, out of scope."""
    totals = [0, 0, 0, 0]
    for key, answered in results.items():
        column = 0 if questions[key]["in_scope"] else 2
        totals[column] += answered
        totals[column + 1] += 1
    return totals


def line(name: str, totals: List[int]) -> str:
    answered, in_scope, declined, out_of_scope = totals
    return (
        f"{name}: {answered}/{in_scope} ({answered / max(in_scope, 1):.0%}) in scope answered, "
        f"{declined}/{out_of_scope} ({declined / max(out_of_scope, 1):.0%}) out of scope declined"
    )


def changes(questions: Dict[str, dict], before: Dict[str, bool], now: Dict[str, bool]) -> List[str]:
    return [
        f"{'won ' if now[key] else 'lost'} {key} ({questions[key]['split']}, "
        f"{'in scope' if questions[key]['in_scope'] else 'out of scope'})"
        for key in sorted(set(before) & set(now))
        if before[key] != now[key]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("splits", nargs="?", default="all", help="all (default), a split, or splits joined by commas")
    parser.add_argument("--reports", type=Path, default=REPORTS, help="the run's reports folder")
    parser.add_argument("--against", type=Path, help="a reports folder of an earlier run to compare with")
    options = parser.parse_args()
    kb = knowledge_base()
    questions = {question["id"]: question for question in all_questions()}
    overall = [0, 0, 0, 0]
    now = {}  # question id -> passed, over the splits run
    try:
        splits = split_names(options.splits)
    except ValueError as error:
        parser.error(str(error))
    ran = []
    for split in splits:
        results = results_of(kb, questions, split, options.reports)
        if results:
            ran.append(split)
            now.update(results)
            totals = counts(questions, results)
            overall = [sum(pair) for pair in zip(overall, totals, strict=True)]
            print(line(split, totals))
    print(line(f"all {len(ran)} splits run", overall))
    if options.against:
        before = {key: ok for split in ran for key, ok in results_of(kb, questions, split, options.against).items()}
        found = changes(questions, before, now)
        print("\n".join(found + [f"{len(found)} results changed since {options.against}"]))


if __name__ == "__main__":
    main()
